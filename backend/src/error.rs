//! The one application error type, and the one place it becomes HTTP.

use lockbox_shared::problem::{Problem, PROBLEM_JSON};
use worker::{console_error, Response};

/// Every way a request can fail.
#[derive(Debug)]
pub enum AppError {
    /// No route matches the path.
    NotFound { path: String },
    /// The path exists but not with this method.
    MethodNotAllowed { method: String, path: String },
    /// The deployment lacks a binding or variable.
    Misconfigured(String),
    /// The database or the runtime failed; the details are logged, not sent.
    Internal(String),
}

impl From<worker::Error> for AppError {
    fn from(err: worker::Error) -> Self {
        AppError::Internal(err.to_string())
    }
}

impl AppError {
    /// The problem document sent to the client.
    pub fn problem(&self) -> Problem {
        match self {
            AppError::NotFound { path } => Problem::new(
                404,
                "Not found",
                format!("There is nothing at {path}. Check the address against the API documentation."),
            ),
            AppError::MethodNotAllowed { method, path } => Problem::new(
                405,
                "Method not allowed",
                format!("{path} does not accept {method}."),
            ),
            AppError::Misconfigured(_) => Problem::new(
                500,
                "Service misconfigured",
                "The service is not configured correctly. The operators have been told; try again later.",
            ),
            AppError::Internal(_) => Problem::new(
                500,
                "Internal error",
                "Something failed on our side and nothing was changed. Try again in a moment.",
            ),
        }
    }

    /// Writes internals to the Worker log (never to the client).
    pub fn log(&self) {
        match self {
            AppError::Misconfigured(msg) => console_error!("misconfigured: {msg}"),
            AppError::Internal(msg) => console_error!("internal error: {msg}"),
            AppError::NotFound { .. } | AppError::MethodNotAllowed { .. } => {}
        }
    }

    /// The HTTP answer: `application/problem+json` with the problem's status.
    pub fn into_response(self) -> worker::Result<Response> {
        self.log();
        problem_response(&self.problem())
    }
}

/// Serialises a problem with its status and media type.
pub fn problem_response(problem: &Problem) -> worker::Result<Response> {
    let mut response = Response::from_json(problem)?.with_status(problem.status);
    response.headers_mut().set("Content-Type", PROBLEM_JSON)?;
    Ok(response)
}
