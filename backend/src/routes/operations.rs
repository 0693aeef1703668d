//! The operator API: list the operations, run one under a live grant.

use lockbox_shared::ids::{RequestId, TenantId};
use lockbox_shared::roles::Principal;
use worker::Response;

use crate::auth;
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
pub async fn run(app: &App, call: &Call) -> Result<Response, AppError> {
    let (tenant_id, service_name, operation) = (
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
        .transpose();
    // One round trip finds who is calling, the tenant's services and the
    // caller's live grant, when the call is well formed; otherwise the
    // caller is found alone and the call's fault reported.
    let (principal, reads) = match (&request, TenantId::parse(tenant_id)) {
        (Ok(request), Ok(tenant)) => {
            let (principal, services, grants) = auth::authenticate_and_two(
                &call.req,
                &app.verifier,
                &app.db,
                call.now_ms,
                |email| {
                    service::Reads::statements(
                        email,
                        &tenant,
                        service_name,
                        request.as_ref(),
                        call.now_ms,
                    )
                },
            )
            .await?;
            (
                principal,
                Some(service::Reads::from_rows(services, grants)?),
            )
        }
        _ => (
            auth::authenticate(&call.req, &app.verifier, &app.db, call.now_ms).await?,
            None,
        ),
    };
    let params: serde_json::Map<String, serde_json::Value> = call.json().map_err(|_| {
        AppError::bad_request(
            "Send the operation's parameters as a JSON object, such as {\"Identity\": \"ceo@contoso.example\"}, or {} when it takes none.",
        )
    })?;
    let request = request?;
    let result = service::run(
        &app.db,
        &principal,
        (tenant_id, service_name, operation),
        &params,
        request.as_ref(),
        &app.operator,
        &stamp(app, call),
        reads,
    )
    .await?;
    json(&result, 200)
}
