//! The only place the app talks HTTP.

use gloo_net::http::{Request, Response};
use lockbox_shared::api::{Health, API_PREFIX};
use lockbox_shared::problem::Problem;
use serde::de::DeserializeOwned;

/// Why a call did not produce what was asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The request never got an answer (offline, server down): offer a retry.
    Network(String),
    /// The server answered with a problem document.
    Problem(Problem),
    /// The server answered with something this app does not understand.
    Unexpected { status: u16 },
}

impl ApiError {
    /// A sentence to show the person.
    pub fn message(&self) -> String {
        match self {
            ApiError::Network(_) => {
                "Lockbox could not be reached. Check your connection and try again.".to_owned()
            }
            ApiError::Problem(problem) => problem.detail.clone(),
            ApiError::Unexpected { status } => {
                format!("Lockbox gave an answer this page does not understand (HTTP {status}). Try again.")
            }
        }
    }
}

async fn parse<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    let status = response.status();
    if (200..300).contains(&status) {
        return response
            .json::<T>()
            .await
            .map_err(|_| ApiError::Unexpected { status });
    }
    match response.json::<Problem>().await {
        Ok(problem) => Err(ApiError::Problem(problem)),
        Err(_) => Err(ApiError::Unexpected { status }),
    }
}

/// `GET /api/v1/health`. A 503 still carries a health document: return it.
pub async fn health() -> Result<Health, ApiError> {
    let response = Request::get(&format!("{API_PREFIX}/health"))
        .send()
        .await
        .map_err(|err| ApiError::Network(err.to_string()))?;
    if response.status() == 503 {
        if let Ok(health) = response.json::<Health>().await {
            return Ok(health);
        }
        return Err(ApiError::Unexpected { status: 503 });
    }
    parse(response).await
}
