//! What a service answers for the Lockbox console to show: a result as a
//! person reads it (facts, a table, a text), whatever the service is.
//!
//! Lockbox's console forwards an engineer's operation to the service that
//! registered it and shows the [`Display`] it answers, so a provider's own
//! service appears in the console without Lockbox knowing its content.

use serde::{Deserialize, Serialize};

/// How a value is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Plain text.
    #[default]
    Text,
    /// An address, path or identifier (kept whole, in a monospace font).
    Address,
    /// A count.
    Number,
    /// A size in bytes (shown as KB, MB, …).
    Bytes,
    /// An instant, epoch milliseconds (shown in the reader's time zone).
    Time,
}

/// One value: a text, a number, or nothing (not shown).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(untagged)]
pub enum Cell {
    Number(f64),
    Text(String),
    #[default]
    Null,
}

impl From<i64> for Cell {
    fn from(n: i64) -> Self {
        Cell::Number(n as f64)
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_owned())
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Self {
        v.map_or(Cell::Null, Into::into)
    }
}

/// One labelled value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fact {
    pub label: String,
    #[serde(default)]
    pub kind: Kind,
    #[serde(default)]
    pub value: Cell,
}

/// A table column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Column {
    pub label: String,
    #[serde(default)]
    pub kind: Kind,
}

/// Rows under labelled columns; each row has one value per column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    pub caption: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

/// A result: facts, then a table, then a text (each optional).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Display {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub facts: Vec<Fact>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<Table>,
    /// Content shown as it is (a message's body, a file's text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

impl Fact {
    pub fn new(label: &str, kind: Kind, value: impl Into<Cell>) -> Self {
        Self {
            label: label.to_owned(),
            kind,
            value: value.into(),
        }
    }
}

impl Column {
    pub fn new(label: &str, kind: Kind) -> Self {
        Self {
            label: label.to_owned(),
            kind,
        }
    }
}

/// A service's answer to one operation run under a grant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OperationAnswer {
    /// The operation's registered name.
    pub operation: String,
    pub tenant_id: String,
    /// The Lockbox service (`mail`, …).
    pub service: String,
    /// The grant it ran under.
    pub request_id: String,
    /// The id of the audit record written before the content was read.
    pub audit_id: String,
    /// When it ran, epoch milliseconds.
    pub ran_at: i64,
    pub result: Display,
}
