//! HTTP routing: the table of every route, and thin handlers per concern.

mod health;

use worker::{Method, Request, Response};

use crate::config::App;
use crate::error::AppError;

/// Every route of the API. Adding a route means adding it here, so the
/// route table (and what is documented about it) has one source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Health,
}

impl Route {
    /// Finds the route for a path (without query), or `None`.
    pub fn recognise(path: &str) -> Option<Self> {
        let rest = path.strip_prefix(lockbox_shared::api::API_PREFIX)?;
        let segments: Vec<&str> = rest.trim_end_matches('/').split('/').skip(1).collect();
        match segments.as_slice() {
            ["health"] => Some(Route::Health),
            _ => None,
        }
    }

    /// The methods a route accepts.
    pub fn methods(self) -> &'static [Method] {
        match self {
            Route::Health => &[Method::Get, Method::Head],
        }
    }
}

/// Answers one request. Never panics; every failure becomes a problem+json.
pub async fn handle(req: Request, app: &App) -> worker::Result<Response> {
    let path = req.path();
    let method = req.method();
    let Some(route) = Route::recognise(&path) else {
        return AppError::NotFound { path }.into_response();
    };
    if !route.methods().contains(&method) {
        return AppError::MethodNotAllowed {
            method: method.to_string(),
            path,
        }
        .into_response();
    }
    let result = match route {
        Route::Health => health::get(app).await,
    };
    match result {
        Ok(response) => Ok(response),
        Err(err) => err.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_is_recognised_with_or_without_a_trailing_slash() {
        assert_eq!(Route::recognise("/api/v1/health"), Some(Route::Health));
        assert_eq!(Route::recognise("/api/v1/health/"), Some(Route::Health));
    }

    #[test]
    fn unknown_paths_are_not_recognised() {
        assert_eq!(Route::recognise("/api/v1/healthz"), None);
        assert_eq!(Route::recognise("/api/v2/health"), None);
        assert_eq!(Route::recognise("/health"), None);
    }
}
