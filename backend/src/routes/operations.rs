//! The operator API: list the operations, run one under a live grant.

use lockbox_shared::ids::RequestId;
use lockbox_shared::roles::Principal;
use worker::Response;

use crate::config::App;
use crate::error::AppError;
use crate::routes::requests::stamp;
use crate::routes::{json, Call};
use crate::service::operations as service;

/// `GET /api/v1/operations?service=…`.
pub fn list(p: &Principal, call: &Call) -> Result<Response, AppError> {
    let service = call
        .query()
        .into_iter()
        .find(|(k, v)| k == "service" && !v.trim().is_empty())
        .map(|(_, v)| v);
    json(&service::list(p, service.as_deref())?, 200)
}

/// `POST /api/v1/tenants/{tenant_id}/services/{service}/operations/{operation}`
/// with the operation's parameters as a JSON object.
pub async fn run(app: &App, p: &Principal, call: &Call) -> Result<Response, AppError> {
    let params: serde_json::Map<String, serde_json::Value> = call.json().map_err(|_| {
        AppError::bad_request(
            "Send the operation's parameters as a JSON object, such as {\"Identity\": \"ceo@contoso.example\"}, or {} when it takes none.",
        )
    })?;
    let target = (
        call.param("tenant_id"),
        call.param("service"),
        call.param("operation"),
    );
    // `?request_id=…` names the grant to work under (and to cite in the
    // audit record) when the engineer holds more than one.
    let request = call
        .query()
        .into_iter()
        .find(|(k, v)| k == "request_id" && !v.trim().is_empty())
        .map(|(_, v)| RequestId::parse(v.trim()).map_err(AppError::invalid))
        .transpose()?;
    let result = service::run(
        &app.db,
        p,
        target,
        &params,
        request.as_ref(),
        &app.operator,
        &stamp(app, call),
    )
    .await?;
    json(&result, 200)
}
