//! What each run of the scheduled job did.

use lockbox_shared::api::SweepOutcome;
use serde::Deserialize;

use super::db::{first, Database, DbError, Statement};

/// When the scheduled job last ran (epoch ms), if it ever did.
pub async fn last<D: Database>(db: &D) -> Result<Option<i64>, DbError> {
    #[derive(Deserialize)]
    struct Row {
        last: Option<i64>,
    }
    let statement = Statement::new("SELECT MAX(scheduled_at) AS last FROM cron_runs", vec![]);
    Ok(first::<_, Row>(db, statement).await?.and_then(|r| r.last))
}

/// Records one run of the scheduled job and what it did.
pub async fn record<D: Database>(
    db: &D,
    scheduled_at: i64,
    cron: &str,
    finished_at: i64,
    outcome: &SweepOutcome,
) -> Result<(), DbError> {
    db.batch(vec![Statement::new(
        "INSERT INTO cron_runs (scheduled_at, cron, finished_at, expired, completed, more_due) \
         VALUES (?, ?, ?, ?, ?, ?)",
        vec![
            scheduled_at.into(),
            cron.into(),
            finished_at.into(),
            (outcome.expired as i64).into(),
            (outcome.completed as i64).into(),
            outcome.more_due.into(),
        ],
    )])
    .await?;
    Ok(())
}
