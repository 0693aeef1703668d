//! The one application error type, and the one place it becomes HTTP.

use lockbox_shared::emergency::ReviewError;
use lockbox_shared::lifecycle::TransitionError;
use lockbox_shared::policy::Denied;
use lockbox_shared::problem::{Problem, ProblemType, PROBLEM_JSON};
use worker::{console_error, console_warn, Response};

/// Every way a request can fail.
#[derive(Debug)]
pub enum AppError {
    /// No route matches the path.
    NotFound { path: String },
    /// A rate limit refused the call: `message` says which and for how
    /// long (`retry_after`, seconds).
    RateLimited { message: String, retry_after: u32 },
    /// The path exists but not with this method.
    MethodNotAllowed {
        method: String,
        path: String,
        /// The methods the path accepts, for the `Allow` header.
        allow: String,
    },
    /// No valid identity: no token, or one that failed a check (logged).
    Unauthenticated { reason: String },
    /// A valid token, but for nobody Lockbox knows.
    UnknownPerson { identity: String },
    /// The policy refused the action.
    Forbidden(Denied),
    /// A state-changing request that did not come from this site.
    CrossSite,
    /// A state-changing request without a JSON body.
    NotJson,
    /// The body is larger than the API accepts.
    TooLarge { limit: usize },
    /// The input is malformed or invalid; the detail says how to fix it.
    BadRequest { detail: String },
    /// The named object does not exist (for this caller).
    Missing { what: String },
    /// A field of the input is invalid.
    Invalid(lockbox_shared::validation::Invalid),
    /// A field of the input is well formed but names something that does
    /// not exist (a tenant, a tenant's service).
    UnknownReference(lockbox_shared::validation::Invalid),
    /// The request cannot move on as asked (stale, expired, self-approval…).
    Transition(TransitionError),
    /// An operation was called without a live grant for its tenant and
    /// service; the refusal says why (none, ended, revoked, other service).
    NoGrant(lockbox_shared::operations::GrantRefusal),
    /// An Idempotency-Key was reused for a different call.
    IdempotencyKeyReused,
    /// A provider service could not be authenticated (the reason is
    /// counted and logged, never sent).
    ServiceUnauthenticated { reason: String },
    /// A grant named by a service or an engineer opens nothing now;
    /// `reason` is a short name (`revoked`, `frozen`, `ended`, …).
    GrantNotLive {
        reason: &'static str,
        detail: String,
    },
    /// What a service or engineer asked for is outside the grant (another
    /// service, an operation not granted, another engineer's grant).
    NotCovered(String),
    /// An operation the grant does not allow: the approvers did not grant
    /// it (a call under the grant: 403), or an extension would widen the
    /// grant with it (400).
    NotGranted { operation: String },
    /// An operation a live grant does not allow was called under it.
    OperationNotGranted { operation: String },
    /// A batch id was reused for different actions.
    BatchReused,
    /// A field of a nested input is invalid (`actions[2].operation`).
    InvalidAt { field: String, message: String },
    /// The tenant is frozen ("Revoke all access now"): the text says so.
    Frozen(String),
    /// What was asked for exists only after a decision nobody made yet
    /// (a request's receipt); the text says so.
    NotDecided(String),
    /// What was asked for exists only once a grant has ended (its
    /// report); the text says when.
    NotEnded(String),
    /// Emergency access refused by the tenant's choice or limits, as of
    /// `now` (a limit's answer says when the next is possible).
    Emergency {
        refusal: lockbox_shared::emergency::Refusal,
        now: i64,
    },
    /// The freeze cannot be lifted yet: `left` grants and requests it has
    /// to end are still open (this call ended `ended`).
    FreezeStillEnding { left: u32, ended: u32 },
    /// The registered service a call goes to cannot be reached (no
    /// binding to it, or no answer): the text says what to do.
    Unreachable(String),
    /// A tenant's data is on its way to its own database: its calls wait
    /// (503, try again in a minute).
    TenantMoving(String),
    /// The deployment lacks a binding or variable.
    Misconfigured(String),
    /// The database or the runtime failed; the details are logged, not sent.
    Internal(String),
    /// As [`AppError::Internal`], on a call that changes something: the
    /// change may have been written before the failure, so the answer
    /// cannot say that nothing changed ([`AppError::on_change`]).
    InternalAfterChange(String),
}

impl From<worker::Error> for AppError {
    fn from(err: worker::Error) -> Self {
        AppError::Internal(err.to_string())
    }
}

impl From<crate::store::DbError> for AppError {
    fn from(err: crate::store::DbError) -> Self {
        match err {
            crate::store::DbError::Unavailable(why) => AppError::TenantMoving(why),
            err => AppError::Internal(format!("database: {err:?}")),
        }
    }
}

impl From<Denied> for AppError {
    fn from(denied: Denied) -> Self {
        AppError::Forbidden(denied)
    }
}

impl AppError {
    /// A 400 with a sentence saying what to fix.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        AppError::BadRequest {
            detail: detail.into(),
        }
    }

    /// A 400 naming the invalid field.
    pub fn invalid(invalid: lockbox_shared::validation::Invalid) -> Self {
        AppError::Invalid(invalid)
    }

    /// The error as the answer to a call that changes something (POST,
    /// DELETE): an internal failure there may have come after the write.
    pub fn on_change(self) -> Self {
        match self {
            AppError::Internal(msg) => AppError::InternalAfterChange(msg),
            other => other,
        }
    }

    /// The problem document sent to the client.
    pub fn problem(&self) -> Problem {
        match self {
            AppError::NotFound { path } => Problem::of(ProblemType::NotFound, 404,
                format!("There is nothing at {path}. Check the address against the API documentation."),
            ),
            AppError::MethodNotAllowed {
                method,
                path,
                allow,
            } => Problem::of(ProblemType::MethodNotAllowed, 405,
                format!("{path} does not accept {method}; it accepts {allow}."),
            ),
            AppError::Unauthenticated { .. } => Problem::of(ProblemType::SignInRequired, 401,
                "You are not signed in, or your sign-in has expired or is not valid. Sign in again.",
            ),
            AppError::UnknownPerson { identity } => Problem::of(ProblemType::NoAccount, 403,
                format!("You are signed in as {identity}, but Lockbox has no account for that identity. Ask your administrator to add you."),
            ),
            AppError::Forbidden(denied) if denied.hides_existence() => {
                Problem::of(ProblemType::NotFound, 404, denied.message())
            }
            AppError::Forbidden(denied) => Problem::of(ProblemType::NotAllowed, 403, denied.message()),
            AppError::CrossSite => Problem::of(ProblemType::CrossSite, 403,
                "This change did not come from the Lockbox site itself, so it was refused. Make it from the Lockbox pages or with an API client.",
            ),
            AppError::NotJson => Problem::of(ProblemType::JsonRequired, 415,
                "Send the request with Content-Type: application/json and a JSON body (an empty object {} where nothing else is needed).",
            ),
            AppError::TooLarge { limit } => Problem::of(ProblemType::TooLarge, 413,
                format!("The request body is larger than the {limit} bytes the API accepts."),
            ),
            AppError::BadRequest { detail } => Problem::of(ProblemType::InvalidRequest, 400, detail.clone()),
            AppError::NotDecided(why) => Problem::of(ProblemType::NotDecided, 409, why.clone()),
            AppError::NotEnded(why) => Problem::of(ProblemType::NotEnded, 409, why.clone()),
            AppError::Emergency { refusal, .. } => {
                use lockbox_shared::emergency::Refusal;
                let (kind, status) = match refusal {
                    Refusal::Frozen => (ProblemType::TenantFrozen, 403),
                    Refusal::Off | Refusal::Content { .. } => (ProblemType::EmergencyNotAllowed, 403),
                    Refusal::TooLong => (ProblemType::InvalidRequest, 400),
                    Refusal::OneAtATime { .. } => (ProblemType::EmergencyLimit, 409),
                    Refusal::TooMany { .. } => (ProblemType::EmergencyLimit, 429),
                };
                let mut problem = Problem::of(kind, status, refusal.message());
                match refusal {
                    Refusal::TooLong => {
                        problem.extensions.insert("field".into(), "duration_minutes".into());
                    }
                    Refusal::Content { .. } => {
                        problem.extensions.insert("field".into(), "operations".into());
                    }
                    Refusal::TooMany { next_at } => {
                        problem.extensions.insert(
                            "next_possible_at".into(),
                            lockbox_shared::audit::utc(*next_at).into(),
                        );
                    }
                    _ => {}
                }
                problem
            }
            AppError::Frozen(why) => Problem::of(ProblemType::TenantFrozen, 403, why.clone()),
            AppError::FreezeStillEnding { left, ended } => Problem::of(ProblemType::FreezeStillEnding, 409,
                format!(
                    "The freeze stays in force: {left} grants and requests it has to end are still \
                     open (this call ended {ended}; each call ends at most {}). Lift it again to end \
                     the next ones; it lifts once none is left.",
                    crate::service::settings::FREEZE_ENDS_PER_CALL
                ),
            ),
            AppError::Missing { what } => Problem::of(ProblemType::NotFound, 404,
                format!("{what} does not exist, or is not one you may see."),
            ),
            AppError::UnknownReference(invalid) => {
                Problem::of(ProblemType::NotFound, 404, invalid.message.clone()).with("field", invalid.field)
            }
            AppError::Invalid(invalid) => {
                Problem::of(ProblemType::InvalidRequest, 400, invalid.message.clone()).with("field", invalid.field)
            }
            AppError::Transition(err) => {
                let (status, kind) = match err {
                    TransitionError::AlreadyDecided { .. }
                    | TransitionError::Expired { .. }
                    | TransitionError::GrantEnded { .. } => (409, ProblemType::RequestChanged),
                    TransitionError::SelfApproval | TransitionError::NotTheRequester => {
                        (403, ProblemType::NotAllowed)
                    }
                    // As an operation on a frozen tenant's content is
                    // (`Frozen`): the same refusal, the same status.
                    TransitionError::TenantFrozen => (403, ProblemType::TenantFrozen),
                    TransitionError::AlreadyApproved => (409, ProblemType::AlreadyApproved),
                    TransitionError::BeyondLimit { .. } => (409, ProblemType::ExtensionLimit),
                    TransitionError::ExtensionOpen { .. } => (409, ProblemType::ExtensionOpen),
                    TransitionError::ExtendedGrantOver { .. } => (409, ProblemType::ExtendedGrantOver),
                    TransitionError::OperationNotAsked { .. } => (400, ProblemType::OperationNotAsked),
                    TransitionError::NothingAllowed => (409, ProblemType::NothingAllowed),
                    TransitionError::Review(ReviewError::CommentRequired) => {
                        (400, ProblemType::InvalidRequest)
                    }
                    TransitionError::Review(_) => (409, ProblemType::ReviewRefused),
                };
                let problem = match err {
                    TransitionError::Review(ReviewError::CommentRequired) => {
                        Problem::of(kind, status, err.message()).with("field", "comment")
                    }
                    _ => Problem::of(kind, status, err.message()),
                };
                match err.current_state() {
                    Some(state) => problem.with("current_state", state.as_str()),
                    None => problem,
                }
            }
            AppError::NoGrant(refusal) => {
                Problem::of(ProblemType::NoLiveGrant, 403, refusal.message())
            }
            AppError::ServiceUnauthenticated { .. } => Problem::of(ProblemType::ServiceNotAuthenticated, 401,
                "The calling service could not be authenticated: send a fresh assertion signed with one of its registered keys.",
            ),
            AppError::GrantNotLive { reason, detail } => {
                Problem::of(ProblemType::GrantNotLive, 409, detail.clone()).with("reason", *reason)
            }
            AppError::NotCovered(detail) => Problem::of(ProblemType::NotCovered, 403, detail.clone()),
            AppError::NotGranted { operation } => Problem::of(ProblemType::OperationNotGranted, 400,
                format!("The grant this extends does not allow {operation}: an extension can ask only for operations its grant allows. Leave operations out to keep what it allows, or open a new request for more."),
            ).with("operation", operation.as_str()),
            AppError::OperationNotGranted { operation } => Problem::of(ProblemType::OperationNotGranted, 403,
                format!("Operation not granted: this access does not allow {operation}. The approvers allowed fewer operations than were asked; ask for it in a new request."),
            ).with("operation", operation.as_str()),
            AppError::BatchReused => Problem::of(ProblemType::BatchReused, 422,
                "This batch_id was already recorded with other actions or another grant. Use a new batch_id for each distinct batch; send the same batch again only to retry it.",
            ),
            AppError::InvalidAt { field, message } => {
                Problem::of(ProblemType::InvalidRequest, 400, message.clone()).with("field", field.as_str())
            }
            AppError::IdempotencyKeyReused => Problem::of(ProblemType::IdempotencyKeyReused, 422,
                "This Idempotency-Key was already used for a different action. Use a new key for each distinct action.",
            ),
            AppError::TenantMoving(detail) => {
                Problem::of(ProblemType::TenantMoving, 503, detail.clone())
            }
            AppError::RateLimited { message, retry_after } => {
                Problem::of(ProblemType::TooManyRequests, 429, message.clone())
                    .with("retry_after", *retry_after)
            }
            AppError::Unreachable(detail) => {
                Problem::of(ProblemType::ServiceUnreachable, 502, detail.clone())
            }
            AppError::Misconfigured(_) => Problem::of(ProblemType::Misconfigured, 500,
                "The service is not configured correctly. The operators have been told; try again later.",
            ),
            AppError::Internal(_) => Problem::of(
                ProblemType::Internal,
                500,
                "Something failed on our side and nothing was changed. Try again in a moment.",
            ),
            AppError::InternalAfterChange(_) => Problem::of(
                ProblemType::InternalAfterChange,
                500,
                "Something failed on our side, possibly after your change was saved. Look at its \
                 current state before you repeat it, or send it again with the same \
                 Idempotency-Key header: a decision sent again with its key is applied at most once.",
            ),
        }
    }

    /// Writes internals to the Worker log (never to the client).
    pub fn log(&self) {
        match self {
            AppError::Misconfigured(msg) => console_error!("misconfigured: {msg}"),
            AppError::Internal(msg) | AppError::InternalAfterChange(msg) => {
                console_error!("internal error: {msg}")
            }
            AppError::Unauthenticated { reason } => console_warn!("unauthenticated: {reason}"),
            _ => {}
        }
    }

    /// The HTTP answer: `application/problem+json` with the problem's status.
    pub fn into_response(self) -> worker::Result<Response> {
        self.log();
        let mut response = problem_response(&self.problem())?;
        match &self {
            AppError::Unauthenticated { .. } => response
                .headers_mut()
                .set("WWW-Authenticate", "Bearer realm=\"lockbox\"")?,
            AppError::MethodNotAllowed { allow, .. } => {
                response.headers_mut().set("Allow", allow)?
            }
            AppError::TenantMoving(_) => response.headers_mut().set("Retry-After", "60")?,
            AppError::RateLimited { retry_after, .. } => response
                .headers_mut()
                .set("Retry-After", &retry_after.to_string())?,
            AppError::Emergency {
                refusal: lockbox_shared::emergency::Refusal::TooMany { next_at },
                now,
            } => response.headers_mut().set(
                "Retry-After",
                &((next_at - now).max(0) / 1000 + 1).to_string(),
            )?,
            _ => {}
        }
        Ok(response)
    }
}

/// Serialises a problem with its status and media type.
pub fn problem_response(problem: &Problem) -> worker::Result<Response> {
    let mut response = Response::from_json(problem)?.with_status(problem.status);
    response.headers_mut().set("Content-Type", PROBLEM_JSON)?;
    Ok(response)
}

/// Logs a failed write that a later pass makes instead (what it was for,
/// and why it failed); nothing is lost, so the call that caused it still
/// succeeds.
pub fn log_deferred(what: &str, err: &dyn std::fmt::Display) {
    #[cfg(target_arch = "wasm32")]
    console_warn!("{what}: a write failed and is left to the scheduled job: {err}");
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("{what}: a write failed and is left to the scheduled job: {err}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_read_says_nothing_changed_and_a_failed_change_does_not_claim_it() {
        let read = AppError::Internal("db".to_owned()).problem();
        assert_eq!(read.status, 500);
        assert!(
            read.detail.contains("nothing was changed"),
            "{}",
            read.detail
        );
        let change = AppError::Internal("db".to_owned()).on_change().problem();
        assert_eq!(change.status, 500);
        assert!(
            !change.detail.contains("nothing was changed"),
            "{}",
            change.detail
        );
        assert!(
            change.detail.contains("Idempotency-Key"),
            "{}",
            change.detail
        );
        // Only internal failures change meaning.
        let missing = AppError::bad_request("x").on_change().problem();
        assert_eq!(missing.status, 400);
    }
}
