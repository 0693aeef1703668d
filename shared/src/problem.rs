//! RFC 9457 problem details: the one shape every API error takes.

use serde::{Deserialize, Serialize};

use crate::named_enum;

named_enum! {
    /// What kind of problem an answer is, named in its `type` as
    /// `/problems/<name>`: what the pages choose their own sentence by
    /// (with the field, when there is one), since `detail` is written in
    /// English for machine clients.
    pub enum ProblemType {
        NotFound => "not-found",
        MethodNotAllowed => "method-not-allowed",
        SignInRequired => "sign-in-required",
        NoAccount => "no-account",
        NotAllowed => "not-allowed",
        CrossSite => "cross-site",
        JsonRequired => "json-required",
        TooLarge => "too-large",
        InvalidRequest => "invalid-request",
        NotDecided => "not-decided",
        NotEnded => "not-ended",
        EmergencyNotAllowed => "emergency-not-allowed",
        EmergencyLimit => "emergency-limit",
        ReviewRefused => "review-refused",
        TenantFrozen => "tenant-frozen",
        FreezeStillEnding => "freeze-still-ending",
        RequestChanged => "request-changed",
        AlreadyApproved => "already-approved",
        ExtensionLimit => "extension-limit",
        ExtensionOpen => "extension-open",
        ExtendedGrantOver => "extended-grant-over",
        OperationNotAsked => "operation-not-asked",
        NothingAllowed => "nothing-allowed",
        OperationNotGranted => "operation-not-granted",
        NoLiveGrant => "no-live-grant",
        ServiceNotAuthenticated => "service-not-authenticated",
        GrantNotLive => "grant-not-live",
        NotCovered => "not-covered",
        BatchReused => "batch-reused",
        IdempotencyKeyReused => "idempotency-key-reused",
        ServiceUnreachable => "service-unreachable",
        TenantMoving => "tenant-moving",
        TooManyRequests => "too-many-requests",
        Misconfigured => "misconfigured",
        Internal => "internal-error",
        InternalAfterChange => "internal-after-change",
    }
}

/// What every problem type URI starts with.
pub const TYPE_PREFIX: &str = "/problems/";

impl ProblemType {
    /// Its fixed English summary (`title`).
    pub const fn title(self) -> &'static str {
        use ProblemType::*;
        match self {
            NotFound => "Not found",
            MethodNotAllowed => "Method not allowed",
            SignInRequired => "Sign-in required",
            NoAccount => "No Lockbox account",
            NotAllowed => "Not allowed",
            CrossSite => "Cross-site request refused",
            JsonRequired => "JSON body required",
            TooLarge => "Body too large",
            InvalidRequest => "Invalid request",
            NotDecided => "Not decided yet",
            NotEnded => "Access not ended",
            EmergencyNotAllowed => "Emergency access not allowed",
            EmergencyLimit => "Emergency access limit reached",
            ReviewRefused => "Review not possible",
            TenantFrozen => "Tenant frozen",
            FreezeStillEnding => "Freeze still ending",
            RequestChanged => "Request changed",
            AlreadyApproved => "Already approved",
            ExtensionLimit => "Extension limit reached",
            ExtensionOpen => "Extension already open",
            ExtendedGrantOver => "Extended grant over",
            OperationNotAsked => "Operation not asked for",
            NothingAllowed => "Nothing left to allow",
            OperationNotGranted => "Operation not granted",
            NoLiveGrant => "No live grant",
            ServiceNotAuthenticated => "Service not authenticated",
            GrantNotLive => "Grant not live",
            NotCovered => "Not covered by the grant",
            BatchReused => "batch_id reused",
            IdempotencyKeyReused => "Idempotency-Key reused",
            ServiceUnreachable => "Service unreachable",
            TenantMoving => "Tenant moving",
            TooManyRequests => "Too many requests",
            Misconfigured => "Service misconfigured",
            Internal | InternalAfterChange => "Internal error",
        }
    }

    /// The type a problem's `type` URI names, if it is one of these.
    pub fn of_uri(uri: &str) -> Option<Self> {
        uri.strip_prefix(TYPE_PREFIX).and_then(Self::parse)
    }
}

/// The media type of a problem document.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An error answer of the API (`application/problem+json`).
///
/// `title` names the kind of problem; `detail` is a sentence a person can act
/// on. Internals (SQL, stack traces) never appear here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// A URI naming the problem type; `about:blank` when the status says it all.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short, fixed summary of the problem type.
    pub title: String,
    /// HTTP status code.
    pub status: u16,
    /// What went wrong in this case and what the person can do about it.
    pub detail: String,
    /// Extra machine-readable facts (current state of a request, field name…).
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty", flatten)]
    pub extensions: serde_json::Map<String, serde_json::Value>,
}

impl Problem {
    /// A problem of `kind` with status `status` and a specific `detail`.
    pub fn of(kind: ProblemType, status: u16, detail: impl Into<String>) -> Self {
        Self {
            kind: format!("{TYPE_PREFIX}{kind}"),
            title: kind.title().to_owned(),
            status,
            detail: detail.into(),
            extensions: serde_json::Map::new(),
        }
    }

    /// A problem of the generic type for `status`, with a specific `detail`.
    pub fn new(status: u16, title: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            kind: "about:blank".to_owned(),
            title: title.into(),
            status,
            detail: detail.into(),
            extensions: serde_json::Map::new(),
        }
    }

    /// Adds a machine-readable member next to the standard ones.
    pub fn with(mut self, key: &str, value: impl Into<serde_json::Value>) -> Self {
        self.extensions.insert(key.to_owned(), value.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_serialises_with_its_extensions_at_the_top_level() {
        let problem = Problem::new(409, "Conflict", "Someone else decided first.")
            .with("current_state", "Approved");
        let json = serde_json::to_value(&problem).expect("serialises");
        assert_eq!(json["type"], "about:blank");
        assert_eq!(json["status"], 409);
        assert_eq!(json["current_state"], "Approved");
        let back: Problem = serde_json::from_value(json).expect("parses back");
        assert_eq!(back, problem);
    }
}
