//! The only place the app talks HTTP.

use gloo_net::http::{Request, Response};
use lockbox_shared::api::{
    DecisionBody, DevPerson, DevSignIn, Health, LockboxSetting, Me, RequestDetail, RequestPage,
    RequestView, RoleAssignment, SetLockboxSetting, TenantRoles, API_PREFIX,
};
use lockbox_shared::lifecycle::{State, Verb};
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
    /// The request's state the server reported with a conflict (409).
    pub fn current_state(&self) -> Option<State> {
        match self {
            ApiError::Problem(p) if p.status == 409 => p
                .extensions
                .get("current_state")
                .and_then(|v| v.as_str())
                .and_then(State::parse),
            _ => None,
        }
    }

    /// Whether the request was refused because things changed meanwhile.
    pub fn is_conflict(&self) -> bool {
        matches!(self, ApiError::Problem(p) if p.status == 409)
    }
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
    get_query(rest, &[]).await
}

// Query parameters go through gloo's builder: a `?` written into the path
// would come back with a stray `&`, and the URL would then no longer match
// the one index.html preloads.
async fn get_query<T: DeserializeOwned>(rest: &str, query: &[(&str, &str)]) -> Result<T, ApiError> {
    let response = Request::get(&path(rest))
        .query(query.iter().copied())
        .send()
        .await
        .map_err(network)?;
    parse(response).await
}

async fn post<B: Serialize, T: DeserializeOwned>(rest: &str, body: &B) -> Result<T, ApiError> {
    post_with(rest, body, None).await
}

async fn post_with<B: Serialize, T: DeserializeOwned>(
    rest: &str,
    body: &B,
    idempotency_key: Option<&str>,
) -> Result<T, ApiError> {
    let mut request = Request::post(&path(rest));
    if let Some(key) = idempotency_key {
        request = request.header("Idempotency-Key", key);
    }
    let response = request
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

/// `GET /api/v1/requests`: the tenant's requests, newest first.
pub async fn requests(status: Option<State>) -> Result<RequestPage, ApiError> {
    match status {
        Some(state) => {
            get_query("/requests", &[("limit", "200"), ("status", state.as_str())]).await
        }
        None => get_query("/requests", &[("limit", "200")]).await,
    }
}

/// `GET /api/v1/requests/{id}`: one request with its history.
pub async fn request(id: String) -> Result<RequestDetail, ApiError> {
    get(&format!("/requests/{id}")).await
}

/// `POST /api/v1/requests/{id}/{verb}`; the key makes a retried tap harmless.
pub async fn decide(
    id: String,
    verb: Verb,
    comment: Option<String>,
    idempotency_key: String,
) -> Result<RequestView, ApiError> {
    post_with(
        &format!("/requests/{id}/{}", verb.as_str()),
        &DecisionBody { comment },
        Some(&idempotency_key),
    )
    .await
}

/// `GET /api/v1/settings/lockbox`.
pub async fn lockbox_setting() -> Result<LockboxSetting, ApiError> {
    get("/settings/lockbox").await
}

/// `POST /api/v1/settings/lockbox`.
pub async fn set_lockbox(enabled: bool) -> Result<LockboxSetting, ApiError> {
    post("/settings/lockbox", &SetLockboxSetting { enabled }).await
}

/// `GET /api/v1/roles`.
pub async fn roles() -> Result<TenantRoles, ApiError> {
    get("/roles").await
}

/// `POST /api/v1/roles/assign` or `/remove`.
pub async fn change_role(
    assign: bool,
    email: String,
    role: String,
) -> Result<TenantRoles, ApiError> {
    let verb = if assign { "assign" } else { "remove" };
    post(&format!("/roles/{verb}"), &RoleAssignment { email, role }).await
}

/// A fresh key for one decision (kept across retries of that decision).
pub fn new_idempotency_key() -> String {
    let a = (js_sys::Math::random() * 1e15) as u64;
    let b = js_sys::Date::now() as u64;
    format!("web-{b:x}-{a:x}")
}
