//! Settings > Org settings > Notifications (webhooks and the delivery
//! log), and the local outbox.

use lockbox_shared::api::NewWebhookEndpoint;
use lockbox_shared::ids::RequestId;
use lockbox_shared::notify::NoticeKind;
use lockbox_shared::roles::Principal;
use serde::Deserialize;
use worker::Response;

use crate::config::App;
use crate::error::AppError;
use crate::routes::requests::stamp;
use crate::routes::session::dev_keys;
use crate::routes::{json, Call};
use crate::service::webhooks;
use crate::store::{outbox, Database};

pub async fn get(app: &App, p: &Principal) -> Result<Response, AppError> {
    json(&webhooks::settings(&app.db, p).await?, 200)
}

pub async fn add(app: &App, p: &Principal, call: &Call) -> Result<Response, AppError> {
    let input: NewWebhookEndpoint = call.json()?;
    let created = webhooks::add(
        &app.db,
        p,
        &input,
        app.dev.is_some(),
        &app.secrets,
        &stamp(app, call),
    )
    .await?;
    json(&created, 201)
}

/// `POST /api/v1/settings/notifications/webhooks/{id}/rotate-secret`.
pub async fn rotate_secret(app: &App, p: &Principal, call: &Call) -> Result<Response, AppError> {
    call.empty_object()?;
    let rotated = webhooks::rotate_secret(
        &app.db,
        p,
        call.param("id"),
        &app.secrets,
        &stamp(app, call),
    )
    .await?;
    json(&rotated, 200)
}

pub async fn remove(app: &App, p: &Principal, call: &Call) -> Result<Response, AppError> {
    webhooks::remove(&app.db, p, call.param("id"), &stamp(app, call)).await?;
    Ok(Response::empty()?.with_status(204))
}

/// `GET /api/v1/dev/outbox?request_id=&limit=`: the newest messages.
pub async fn dev_outbox(app: &App, call: &Call) -> Result<Response, AppError> {
    dev_keys(app, call)?;
    let mut request = None;
    let mut limit = 100;
    for (key, value) in call.query() {
        match key.as_str() {
            "request_id" if !value.trim().is_empty() => {
                request = Some(RequestId::parse(&value).map_err(AppError::invalid)?);
            }
            "limit" => {
                limit = value
                    .trim()
                    .parse::<i64>()
                    .ok()
                    .filter(|n| (1..=500).contains(n))
                    .ok_or_else(|| {
                        AppError::bad_request("`limit` must be a whole number from 1 to 500.")
                    })?;
            }
            _ => {}
        }
    }
    let outbox = webhooks::dev_outbox(&app.db, request.as_ref().map(|r| r.as_str()), limit).await?;
    json(&outbox, 200)
}

#[derive(Deserialize)]
struct RequestOnly {
    request_id: String,
}

/// `POST /api/v1/dev/outbox/due {request_id}`: makes a request's
/// undelivered messages due now, so tests skip the backoff.
pub async fn dev_make_due(app: &App, call: &Call) -> Result<Response, AppError> {
    dev_keys(app, call)?;
    let input: RequestOnly = call.json()?;
    let id = RequestId::parse(&input.request_id).map_err(AppError::invalid)?;
    let changed = app
        .db
        .batch(vec![outbox::dev_make_due(id.as_str(), call.now_ms)])
        .await?;
    json(
        &serde_json::json!({ "due": changed.first().copied().unwrap_or(0) }),
        200,
    )
}

#[derive(Deserialize)]
struct FailNext {
    request_id: String,
    kind: String,
    count: i64,
}

/// `POST /api/v1/dev/mail-sink/failures {request_id, kind, count}`: the
/// local sink fails the next `count` e-mails of `kind` about the request.
pub async fn dev_fail_next(app: &App, call: &Call) -> Result<Response, AppError> {
    dev_keys(app, call)?;
    let input: FailNext = call.json()?;
    let id = RequestId::parse(&input.request_id).map_err(AppError::invalid)?;
    let kind = NoticeKind::parse(&input.kind).ok_or_else(|| {
        AppError::bad_request(format!(
            "`kind` must be one of {}.",
            NoticeKind::ALL
                .iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })?;
    if !(0..=100).contains(&input.count) {
        return Err(AppError::bad_request("`count` must be from 0 to 100."));
    }
    app.db
        .batch(vec![outbox::dev_fail_next(
            id.as_str(),
            kind.as_str(),
            input.count,
        )])
        .await?;
    Ok(Response::empty()?.with_status(204))
}
