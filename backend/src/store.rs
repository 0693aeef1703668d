//! All SQL the Worker sends to D1.
//!
//! D1 rejects JavaScript BigInt, so integers (epoch milliseconds) are bound
//! as f64, which holds them exactly up to 2^53.

use serde::Deserialize;
use wasm_bindgen::JsValue;
use worker::D1Database;

/// When the scheduled job last ran (epoch ms), if it ever did.
pub async fn last_cron_run(db: &D1Database) -> worker::Result<Option<i64>> {
    #[derive(Deserialize)]
    struct Row {
        last: Option<f64>,
    }
    let row: Option<Row> = db
        .prepare("SELECT MAX(scheduled_at) AS last FROM cron_runs")
        .first(None)
        .await?;
    Ok(row.and_then(|r| r.last).map(|ms| ms as i64))
}

/// Records one run of the scheduled job.
pub async fn record_cron_run(
    db: &D1Database,
    scheduled_at_ms: i64,
    cron: &str,
    finished_at_ms: i64,
) -> worker::Result<()> {
    db.prepare("INSERT INTO cron_runs (scheduled_at, cron, finished_at) VALUES (?1, ?2, ?3)")
        .bind(&[
            JsValue::from_f64(scheduled_at_ms as f64),
            JsValue::from_str(cron),
            JsValue::from_f64(finished_at_ms as f64),
        ])?
        .run()
        .await?;
    Ok(())
}
