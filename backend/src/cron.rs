//! The scheduled sweep, run every minute by the cron trigger.

use worker::{console_log, Date};

use crate::config::App;
use crate::error::AppError;
use crate::requests;
use crate::store;

/// Runs one sweep as of `now_ms` (the scheduled event's time) and records
/// the run with what it did.
pub async fn sweep(app: &App, now_ms: i64, cron: &str) -> Result<(), AppError> {
    let outcome = requests::sweep(&app.db, now_ms, &app.service_account).await?;
    let finished_at = Date::now().as_millis() as i64;
    store::record_cron_run(&app.db, now_ms, cron, finished_at, &outcome).await?;
    if outcome.expired + outcome.completed > 0 || outcome.more_due {
        console_log!(
            "sweep as of {now_ms}: {} expired, {} completed, more due: {}",
            outcome.expired,
            outcome.completed,
            outcome.more_due
        );
    }
    Ok(())
}
