//! The scheduled sweep, run every minute by the cron trigger.

use worker::Date;

use crate::config::App;
use crate::store;

/// Runs one sweep as of `now_ms` (the scheduled event's time) and records it.
pub async fn sweep(app: &App, now_ms: i64, cron: &str) -> worker::Result<()> {
    let finished_at = Date::now().as_millis() as i64;
    store::record_cron_run(&app.db, now_ms, cron, finished_at).await
}
