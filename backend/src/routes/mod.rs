//! HTTP routing: the table of every route, web-safety checks that apply to
//! all of them, and thin handlers per concern.

mod health;
mod me;
mod roles;
mod session;

use serde::de::DeserializeOwned;
use serde::Serialize;
use worker::{Date, Method, Request, Response};

use crate::auth;
use crate::config::App;
use crate::error::AppError;

/// The largest request body the API reads.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Every route of the API. Adding a route means adding it here, so the
/// route table (and what is documented about it) has one source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Health,
    Me,
    Roles,
    RolesAssign,
    RolesRemove,
    SignOut,
    DevPeople,
    DevSignIn,
}

impl Route {
    /// Every route.
    pub const ALL: [Route; 8] = [
        Route::Health,
        Route::Me,
        Route::Roles,
        Route::RolesAssign,
        Route::RolesRemove,
        Route::SignOut,
        Route::DevPeople,
        Route::DevSignIn,
    ];

    /// Finds the route for a path (without query), or `None`. Path
    /// templates are matched segment by segment; `{name}` matches any one
    /// non-empty segment.
    pub fn recognise(path: &str) -> Option<Self> {
        let path = path.trim_end_matches('/');
        Self::ALL.into_iter().find(|route| {
            let template = route.path().split('/');
            let mut actual = path.split('/');
            template.map(|t| (t, actual.next())).all(|(t, a)| match a {
                Some(a) if t.starts_with('{') => !a.is_empty(),
                Some(a) => a == t,
                None => false,
            }) && actual.next().is_none()
        })
    }

    /// The route's path template; `{name}` stands for one segment.
    pub const fn path(self) -> &'static str {
        match self {
            Route::Health => "/api/v1/health",
            Route::Me => "/api/v1/me",
            Route::Roles => "/api/v1/roles",
            Route::RolesAssign => "/api/v1/roles/assign",
            Route::RolesRemove => "/api/v1/roles/remove",
            Route::SignOut => "/api/v1/sign-out",
            Route::DevPeople => "/api/v1/dev/people",
            Route::DevSignIn => "/api/v1/dev/sign-in",
        }
    }

    /// The one method a route accepts (GET routes also answer HEAD).
    pub fn method(self) -> Method {
        match self {
            Route::Health | Route::Me | Route::Roles | Route::DevPeople => Method::Get,
            Route::RolesAssign | Route::RolesRemove | Route::SignOut | Route::DevSignIn => {
                Method::Post
            }
        }
    }

    fn accepts(self, method: &Method) -> bool {
        let own = self.method();
        *method == own || (own == Method::Get && *method == Method::Head)
    }
}

/// What a handler may need besides the app: the request's facts, read once.
pub struct Call {
    /// The request (headers, URL).
    pub req: Request,
    /// The wall clock when the request arrived (epoch ms, UTC).
    pub now_ms: i64,
    /// The caller's address as Cloudflare saw it.
    pub ip: String,
    /// The body of a state-changing request (empty for GET).
    pub body: Vec<u8>,
}

impl Call {
    /// The body parsed as `T`; a 400 that names the problem otherwise.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, AppError> {
        serde_json::from_slice(&self.body).map_err(|err| {
            AppError::bad_request(format!(
                "The JSON body is not what this endpoint takes: {err}."
            ))
        })
    }

    /// Whether the request came to a loopback address (local development).
    pub fn is_loopback(&self) -> bool {
        self.req
            .url()
            .ok()
            .and_then(|url| url.host_str().map(str::to_owned))
            .is_some_and(|host| matches!(host.as_str(), "127.0.0.1" | "localhost" | "[::1]"))
    }
}

/// A JSON response with `status`.
pub fn json<T: Serialize>(value: &T, status: u16) -> Result<Response, AppError> {
    Ok(Response::from_json(value)?.with_status(status))
}

/// Answers one request. Never panics; every failure becomes a problem+json,
/// and every answer carries the security headers.
pub async fn handle(req: Request, app: &App) -> worker::Result<Response> {
    let response = match dispatch(req, app).await {
        Ok(response) => response,
        Err(err) => err.into_response()?,
    };
    harden(response)
}

async fn dispatch(req: Request, app: &App) -> Result<Response, AppError> {
    let path = req.path();
    let method = req.method();
    let route = Route::recognise(&path).ok_or_else(|| AppError::NotFound { path: path.clone() })?;
    if !route.accepts(&method) {
        return Err(AppError::MethodNotAllowed {
            method: method.to_string(),
            path,
        });
    }
    let ip = req
        .headers()
        .get("CF-Connecting-IP")
        .ok()
        .flatten()
        .unwrap_or_else(|| "unknown".to_owned());
    let mut call = Call {
        req,
        now_ms: Date::now().as_millis() as i64,
        ip,
        body: Vec::new(),
    };
    if route.method() == Method::Post {
        check_same_site(&call.req)?;
        call.body = read_json_body(&mut call.req).await?;
    }

    match route {
        Route::Health => health::get(app).await,
        Route::SignOut => session::sign_out(app).await,
        Route::DevPeople => session::dev_people(app, &call).await,
        Route::DevSignIn => session::dev_sign_in(app, &call).await,
        Route::Me | Route::Roles | Route::RolesAssign | Route::RolesRemove => {
            let principal = auth::authenticate(&call.req, app, call.now_ms).await?;
            match route {
                Route::Me => me::get(app, &principal).await,
                Route::Roles => roles::list(app, &principal).await,
                Route::RolesAssign => roles::assign(app, &principal, &call).await,
                _ => roles::remove(app, &principal, &call).await,
            }
        }
    }
}

/// Refuses a state change that a browser sent from another site (CSRF).
/// Browsers send `Sec-Fetch-Site` and `Origin`; API clients send neither.
fn check_same_site(req: &Request) -> Result<(), AppError> {
    let headers = req.headers();
    if let Ok(Some(site)) = headers.get("Sec-Fetch-Site") {
        if site != "same-origin" && site != "none" {
            return Err(AppError::CrossSite);
        }
    }
    if let Ok(Some(origin)) = headers.get("Origin") {
        let own = req.url().map(|url| url.origin().ascii_serialization())?;
        if origin != own {
            return Err(AppError::CrossSite);
        }
    }
    Ok(())
}

async fn read_json_body(req: &mut Request) -> Result<Vec<u8>, AppError> {
    let content_type = req.headers().get("Content-Type")?.unwrap_or_default();
    let media_type = content_type.split(';').next().unwrap_or_default().trim();
    if !media_type.eq_ignore_ascii_case("application/json") {
        return Err(AppError::NotJson);
    }
    let declared = req
        .headers()
        .get("Content-Length")?
        .and_then(|v| v.trim().parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES) {
        return Err(AppError::TooLarge {
            limit: MAX_BODY_BYTES,
        });
    }
    let body = req.bytes().await?;
    if body.len() > MAX_BODY_BYTES {
        return Err(AppError::TooLarge {
            limit: MAX_BODY_BYTES,
        });
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(AppError::NotJson);
    }
    Ok(body)
}

/// Security headers on every API answer: nothing here is a page, nothing may
/// be framed, sniffed or cached.
fn harden(mut response: Response) -> worker::Result<Response> {
    let headers = response.headers_mut();
    headers.set(
        "Content-Security-Policy",
        "default-src 'none'; frame-ancestors 'none'",
    )?;
    headers.set("X-Content-Type-Options", "nosniff")?;
    headers.set("X-Frame-Options", "DENY")?;
    headers.set("Referrer-Policy", "no-referrer")?;
    headers.set("Strict-Transport-Security", "max-age=31536000")?;
    if !headers.has("Cache-Control")? {
        headers.set("Cache-Control", "no-store")?;
    }
    Ok(response)
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
    fn every_route_is_recognised_by_its_own_path() {
        for route in Route::ALL {
            assert_eq!(Route::recognise(route.path()), Some(route), "{route:?}");
        }
    }

    #[test]
    fn unknown_paths_are_not_recognised() {
        assert_eq!(Route::recognise("/api/v1/healthz"), None);
        assert_eq!(Route::recognise("/api/v2/health"), None);
        assert_eq!(Route::recognise("/health"), None);
        assert_eq!(Route::recognise("/api/v1/roles/assign/extra"), None);
    }
}
