//! RFC 9457 problem details: the one shape every API error takes.

use serde::{Deserialize, Serialize};

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
