//! `GET /api/v1/health`: the version, and whether D1 answers.

use lockbox_shared::api::{DatabaseStatus, Health};
use worker::{console_error, Response};

use crate::config::App;
use crate::error::AppError;
use crate::store;

pub async fn get(app: &App) -> Result<Response, AppError> {
    let (database, last_cron_run_at) = match store::cron_runs::last(&app.db).await {
        Ok(last) => (DatabaseStatus::Ok, last),
        Err(err) => {
            console_error!("health: database did not answer: {err}");
            (DatabaseStatus::Unavailable, None)
        }
    };
    let health = Health {
        service: "lockbox".to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        database,
        last_cron_run_at,
    };
    let status = if health.is_healthy() { 200 } else { 503 };
    let mut response = Response::from_json(&health)?.with_status(status);
    response.headers_mut().set("Cache-Control", "no-store")?;
    Ok(response)
}
