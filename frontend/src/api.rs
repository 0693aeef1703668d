//! The only place the app talks HTTP.

use gloo_net::http::{Request, Response};
use lockbox_shared::api::{DevPerson, DevSignIn, Health, Me, API_PREFIX};
use lockbox_shared::problem::Problem;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// Why a call did not produce what was asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The request never got an answer (offline, server down): offer a retry.
    Network(String),
    /// The server answered with a problem document.
    Problem(Problem),
    /// The caller is not signed in (HTTP 401).
    SignedOut,
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
            ApiError::SignedOut => {
                "You are not signed in, or your sign-in has expired. Sign in again.".to_owned()
            }
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
    if status == 401 {
        return Err(ApiError::SignedOut);
    }
    match response.json::<Problem>().await {
        Ok(problem) => Err(ApiError::Problem(problem)),
        Err(_) => Err(ApiError::Unexpected { status }),
    }
}

fn path(rest: &str) -> String {
    format!("{API_PREFIX}{rest}")
}

fn network(err: gloo_net::Error) -> ApiError {
    ApiError::Network(err.to_string())
}

async fn get<T: DeserializeOwned>(rest: &str) -> Result<T, ApiError> {
    let response = Request::get(&path(rest)).send().await.map_err(network)?;
    parse(response).await
}

async fn post<B: Serialize, T: DeserializeOwned>(rest: &str, body: &B) -> Result<T, ApiError> {
    let response = Request::post(&path(rest))
        .json(body)
        .map_err(network)?
        .send()
        .await
        .map_err(network)?;
    parse(response).await
}

/// `GET /api/v1/me`: who is signed in.
pub async fn me() -> Result<Me, ApiError> {
    get("/me").await
}

/// `GET /api/v1/dev/people`: the demo people (local development only).
pub async fn dev_people() -> Result<Vec<DevPerson>, ApiError> {
    get("/dev/people").await
}

/// `POST /api/v1/dev/sign-in`: sign in as a demo person.
pub async fn dev_sign_in(email: String) -> Result<Me, ApiError> {
    post("/dev/sign-in", &DevSignIn { email }).await
}

/// Answer of `POST /api/v1/sign-out`.
#[derive(Debug, Clone, Deserialize)]
pub struct SignedOut {
    /// Where to send the browser to end the single sign-on session.
    pub sign_out_url: Option<String>,
}

/// `POST /api/v1/sign-out`: clears the session cookie.
pub async fn sign_out() -> Result<SignedOut, ApiError> {
    post("/sign-out", &serde_json::json!({})).await
}

/// `GET /api/v1/health`. A 503 still carries a health document: return it.
pub async fn health() -> Result<Health, ApiError> {
    let response = Request::get(&path("/health"))
        .send()
        .await
        .map_err(network)?;
    if response.status() == 503 {
        if let Ok(health) = response.json::<Health>().await {
            return Ok(health);
        }
        return Err(ApiError::Unexpected { status: 503 });
    }
    parse(response).await
}
