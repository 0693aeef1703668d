//! The action log's wire format: what a service sends to
//! `POST /api/v1/provider/actions` before it touches content, what Lockbox
//! answers, and the rules a batch must meet (checked by the SDK before
//! sending and by Lockbox on arrival: one definition).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The most actions one batch carries.
pub const MAX_ACTIONS: usize = 50;
/// The most parameters one action carries.
pub const MAX_PARAMETERS: usize = 20;
/// The longest item or parameter value, in characters.
pub const MAX_TEXT: usize = 1024;
/// Detail keys Lockbox writes itself; a parameter may not use them.
pub const RESERVED_KEYS: [&str; 9] = [
    "RequestId",
    "Ticket",
    "Engineer",
    "Service",
    "Outcome",
    "Reason",
    "Count",
    "Digest",
    "BatchId",
];

/// One operator action, recorded before it is carried out.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Action {
    /// The operation, as the service registered it (`Get-Message`).
    pub operation: String,
    /// What it touches (a message id, a path), if anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// Its parameters, shown in the customer's log.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub parameters: BTreeMap<String, String>,
    /// For a bulk action: how many items it covers (one record stands for
    /// them all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// For a bulk action: `sha256:<hex>` of the item list the service keeps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

impl Action {
    /// An action of `operation`.
    pub fn op(operation: impl Into<String>) -> Self {
        Self {
            operation: operation.into(),
            ..Self::default()
        }
    }

    /// The same action on `item`.
    pub fn item(mut self, item: impl Into<String>) -> Self {
        self.item = Some(item.into());
        self
    }

    /// The same action with a parameter.
    pub fn parameter(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.parameters.insert(name.into(), value.into());
        self
    }

    /// The same action standing for `count` items whose list hashes to `digest`.
    pub fn bulk(mut self, count: u64, digest: impl Into<String>) -> Self {
        self.count = Some(count);
        self.digest = Some(digest.into());
        self
    }
}

/// A batch of actions under one grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionBatch {
    /// The grant token, or the grant's request id.
    pub grant: String,
    /// The caller's id for this batch: a retry with the same id records
    /// nothing new and gets the first answer.
    pub batch_id: String,
    /// The actions, 1 to [`MAX_ACTIONS`].
    pub actions: Vec<Action>,
}

/// One record written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedAction {
    /// The record's id in the customer's log.
    pub id: String,
    /// Its sequence number in the tenant's log.
    pub seq: i64,
    /// Its leaf hash in the tenant's Merkle tree (base64 SHA-256).
    pub leaf_hash: String,
}

/// Lockbox's answer: every action recorded, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedBatch {
    /// The batch.
    pub batch_id: String,
    /// The grant the records cite.
    pub request_id: String,
    /// The tenant whose log holds them.
    pub tenant_id: String,
    /// When they were recorded (epoch milliseconds).
    pub recorded_at: i64,
    /// One per action, in the order sent.
    pub records: Vec<RecordedAction>,
}

/// What is wrong with a batch: the field, and a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchProblem {
    /// The field at fault (`actions[2].operation`).
    pub field: String,
    /// What to change.
    pub message: String,
}

impl std::fmt::Display for BatchProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

fn plain_text(text: &str) -> bool {
    !text.chars().any(char::is_control)
}

/// Whether `name` can name an operation: a letter, then letters, digits
/// and dashes, at most 64 in all (`Get-Message`).
pub fn is_operation_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.len() <= 64
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// Whether `name` can name a parameter: a letter, then letters and digits,
/// at most 64, and not one of [`RESERVED_KEYS`].
pub fn is_parameter_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.len() <= 64
        && chars.all(|c| c.is_ascii_alphanumeric())
        && !RESERVED_KEYS.contains(&name)
}

/// Whether `id` can be a batch id: 1 to 64 letters, digits, `.`, `_`, `:` or `-`.
pub fn is_batch_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '-'))
}

/// Whether `digest` is `sha256:` and 64 lower-case hex digits.
pub fn is_digest(digest: &str) -> bool {
    digest.strip_prefix("sha256:").is_some_and(|hex| {
        hex.len() == 64
            && hex
                .chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    })
}

/// The digest of a bulk action's item list, as [`Action::bulk`] expects:
/// SHA-256 over the items, each followed by a newline, in the order given.
pub fn digest_of<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    use sha2::Digest as _;
    let mut hasher = sha2::Sha256::new();
    for item in items {
        hasher.update(item.as_bytes());
        hasher.update(b"\n");
    }
    let hash = hasher.finalize();
    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

impl ActionBatch {
    /// Checks the batch's shape; the first problem found.
    pub fn check(&self) -> Result<(), BatchProblem> {
        let problem = |field: String, message: String| Err(BatchProblem { field, message });
        if self.grant.trim().is_empty() {
            return problem(
                "grant".into(),
                "`grant` must be the grant token, or the grant's request id.".into(),
            );
        }
        if !is_batch_id(&self.batch_id) {
            return problem(
                "batch_id".into(),
                "`batch_id` must be 1 to 64 letters, digits, dots, underscores, colons or dashes, unique per batch.".into(),
            );
        }
        if self.actions.is_empty() || self.actions.len() > MAX_ACTIONS {
            return problem(
                "actions".into(),
                format!(
                    "A batch has 1 to {MAX_ACTIONS} actions, not {}.",
                    self.actions.len()
                ),
            );
        }
        for (i, action) in self.actions.iter().enumerate() {
            let at = |name: &str| format!("actions[{i}].{name}");
            if !is_operation_name(&action.operation) {
                return problem(
                    at("operation"),
                    format!("Action {}: `operation` must be an operation name such as Get-Message, not {:?}.", i + 1, action.operation),
                );
            }
            if let Some(item) = &action.item {
                if item.chars().count() > MAX_TEXT || !plain_text(item) {
                    return problem(at("item"), format!("Action {}: `item` must be at most {MAX_TEXT} characters without control characters.", i + 1));
                }
            }
            if action.parameters.len() > MAX_PARAMETERS {
                return problem(
                    at("parameters"),
                    format!("Action {}: at most {MAX_PARAMETERS} parameters.", i + 1),
                );
            }
            for (name, value) in &action.parameters {
                if !is_parameter_name(name) {
                    return problem(
                        at("parameters"),
                        format!("Action {}: parameter {name:?} must be letters and digits starting with a letter, and not one of {}.", i + 1, RESERVED_KEYS.join(", ")),
                    );
                }
                if value.chars().count() > MAX_TEXT || !plain_text(value) {
                    return problem(at("parameters"), format!("Action {}: parameter {name} must be at most {MAX_TEXT} characters without control characters.", i + 1));
                }
            }
            if action.count == Some(0) {
                return problem(
                    at("count"),
                    format!(
                        "Action {}: `count` is 1 or more (leave it out for one item).",
                        i + 1
                    ),
                );
            }
            if let Some(digest) = &action.digest {
                if !is_digest(digest) {
                    return problem(
                        at("digest"),
                        format!(
                            "Action {}: `digest` must be sha256: and 64 lower-case hex digits.",
                            i + 1
                        ),
                    );
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(actions: Vec<Action>) -> ActionBatch {
        ActionBatch {
            grant: "g".into(),
            batch_id: "b-1".into(),
            actions,
        }
    }

    #[test]
    fn a_well_formed_batch_passes() {
        let digest = digest_of(["/a", "/b"]);
        assert!(is_digest(&digest), "{digest}");
        let b = batch(vec![
            Action::op("Get-Message")
                .item("42")
                .parameter("Identity", "a@b.example"),
            Action::op("Get-DriveItemList").bulk(10_000, digest),
        ]);
        assert_eq!(b.check(), Ok(()));
    }

    #[test]
    fn each_rule_names_its_field() {
        let too_many = batch(vec![Action::op("Get-Message"); MAX_ACTIONS + 1]);
        assert_eq!(too_many.check().map_err(|p| p.field), Err("actions".into()));
        assert_eq!(
            batch(vec![]).check().map_err(|p| p.field),
            Err("actions".into())
        );
        for (action, field) in [
            (Action::op("1bad"), "actions[0].operation"),
            (Action::op("Get Message"), "actions[0].operation"),
            (Action::op("Get-Message").item("a\nb"), "actions[0].item"),
            (
                Action::op("Get-Message").parameter("RequestId", "x"),
                "actions[0].parameters",
            ),
            (
                Action::op("Get-Message").parameter("Bad-Name", "x"),
                "actions[0].parameters",
            ),
            (
                Action {
                    count: Some(0),
                    ..Action::op("Get-Message")
                },
                "actions[0].count",
            ),
            (
                Action {
                    digest: Some("md5:00".into()),
                    ..Action::op("Get-Message")
                },
                "actions[0].digest",
            ),
        ] {
            assert_eq!(
                batch(vec![action]).check().map_err(|p| p.field),
                Err(field.into())
            );
        }
        let mut bad_id = batch(vec![Action::op("Get-Message")]);
        bad_id.batch_id = "has space".into();
        assert_eq!(bad_id.check().map_err(|p| p.field), Err("batch_id".into()));
    }
}
