//! Request and response bodies of the HTTP API under `/api/v1`.

use serde::{Deserialize, Serialize};

/// The prefix every API route lives under.
pub const API_PREFIX: &str = "/api/v1";

/// Whether the database answered a trivial query when health was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DatabaseStatus {
    /// The database answered.
    Ok,
    /// The database did not answer; the service cannot do useful work.
    Unavailable,
}

/// Body of `GET /api/v1/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// Always `"lockbox"`, so a probe knows it reached the right service.
    pub service: String,
    /// The version of the Worker that answered.
    pub version: String,
    /// Whether the database answered.
    pub database: DatabaseStatus,
    /// When the scheduled job last ran (epoch milliseconds, UTC), if ever.
    pub last_cron_run_at: Option<i64>,
}

impl Health {
    /// True when every dependency answered.
    pub fn is_healthy(&self) -> bool {
        self.database == DatabaseStatus::Ok
    }
}
