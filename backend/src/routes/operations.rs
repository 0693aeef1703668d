//! The operator API: list the registered services' operations, and run one
//! under a live grant by forwarding it to the service that offers it.

use lockbox_shared::ids::{RequestId, TenantId};
use lockbox_shared::roles::Principal;
use worker::{Headers, Method, Request, RequestInit, Response};

use crate::auth;
use crate::config::App;
use crate::error::AppError;
use crate::routes::provider::boundary;
use crate::routes::requests::stamp;
use crate::routes::{json, Call};
use crate::service::operations as service;

/// `GET /api/v1/operations?service=…`.
pub async fn list(app: &App, p: &Principal, call: &Call) -> Result<Response, AppError> {
    let service = call
        .query()
        .into_iter()
        .find(|(k, v)| k == "service" && !v.trim().is_empty())
        .map(|(_, v)| v);
    let forwarded: Vec<&str> = app.forward.iter().map(|(id, _)| id.as_str()).collect();
    json(
        &service::list(app.db.as_ref(), p, service.as_deref(), &forwarded).await?,
        200,
    )
}

/// `?request_id=…`: the grant to work under (and to cite in the audit
/// record) when the engineer holds more than one.
fn named_request(call: &Call) -> Result<Option<RequestId>, AppError> {
    call.query()
        .into_iter()
        .find(|(k, v)| k == "request_id" && !v.trim().is_empty())
        .map(|(_, v)| RequestId::parse(v.trim()).map_err(AppError::invalid))
        .transpose()
}

/// `POST /api/v1/tenants/{tenant_id}/services/{service}/operations/{operation}`
/// with the operation's parameters as a JSON object.
pub async fn run(app: &App, call: &Call) -> Result<Response, AppError> {
    let (tenant_id, service_name) = (call.param("tenant_id"), call.param("service"));
    let request = named_request(call);
    // A tenant in its own object answers the call there.
    if let Ok(tenant) = TenantId::parse(tenant_id) {
        if let Some(object) = app.db.elsewhere(&tenant).await? {
            let principal =
                auth::authenticate(&call.req, &app.verifier, &app.db, call.now_ms).await?;
            return crate::routes::forward(&object, call, &principal, None).await;
        }
    }
    // One round trip finds who is calling, the tenant's services and the
    // caller's live grant, when the call is well formed; otherwise the
    // caller is found alone and the call's fault reported.
    let in_d1 = match TenantId::parse(tenant_id) {
        Ok(tenant) => app.db.home(&tenant).await? == crate::store::d1::Home::Database,
        Err(_) => true,
    };
    let (principal, reads) = match (&request, TenantId::parse(tenant_id)) {
        // (In a tenant's own object its data is read by the service.)
        (Ok(request), Ok(tenant)) if in_d1 => {
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
    run_with(app, call, &principal, reads).await
}

/// The operator call in a tenant's object, for the caller the Worker
/// found (see [`run`]).
pub async fn run_as(app: &App, call: &Call, principal: &Principal) -> Result<Response, AppError> {
    run_with(app, call, principal, None).await
}

/// The operator call for a caller found, with what was read with them.
async fn run_with(
    app: &App,
    call: &Call,
    principal: &Principal,
    reads: Option<service::Reads>,
) -> Result<Response, AppError> {
    let (tenant_id, service_name, operation) = (
        call.param("tenant_id"),
        call.param("service"),
        call.param("operation"),
    );
    let request = named_request(call);
    let params: serde_json::Map<String, serde_json::Value> = call.json().map_err(|_| {
        AppError::bad_request(
            "Send the operation's parameters as a JSON object, such as {\"Identity\": \"ceo@contoso.example\"}, or {} when it takes none.",
        )
    })?;
    let request = request?;
    let forwarded: Vec<&str> = app.forward.iter().map(|(id, _)| id.as_str()).collect();
    let forward = service::prepare(
        app.db.as_ref(),
        principal,
        (tenant_id, service_name, operation),
        &params,
        request.as_ref(),
        &boundary(app),
        &forwarded,
        &stamp(app, call),
        reads,
    )
    .await?;
    let Some((_, fetcher)) = app.forward.iter().find(|(id, _)| *id == forward.service) else {
        return Err(AppError::Unreachable(format!(
            "{} offers this operation, but Lockbox has no binding to it: call the service directly with a grant token (POST /api/v1/requests/{{id}}/grant-token).",
            forward.service
        )));
    };
    // The engineer's own sign-in goes with the call: the service signs
    // them in itself, and checks the grant token is theirs.
    let headers = Headers::new();
    let set = |name: &str, value: &str| {
        headers
            .set(name, value)
            .map_err(|e| AppError::Internal(format!("forwarding: {e}")))
    };
    set("Content-Type", "application/json")?;
    set(lockbox_provider::grant::HEADER, &forward.token)?;
    if let Some(token) = auth::token_of(&call.req) {
        set(auth::ASSERTION_HEADER, &token)?;
    }
    let body = serde_json::Value::Object(params).to_string();
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers.clone())
        .with_body(Some(body.into()));
    let path = format!(
        "https://{}.internal/tenants/{}/services/{}/operations/{}",
        forward.service.trim_start_matches("svc:"),
        tenant_id,
        service_name,
        operation
    );
    let outgoing = Request::new_with_init(&path, &init)
        .map_err(|e| AppError::Internal(format!("forwarding: {e}")))?;
    let mut answer = fetcher.fetch_request(outgoing).await.map_err(|e| {
        AppError::Unreachable(format!(
            "{} did not answer ({e}); nothing was read.",
            forward.service
        ))
    })?;
    let status = answer.status_code();
    let content_type = answer
        .headers()
        .get("Content-Type")
        .ok()
        .flatten()
        .unwrap_or_else(|| "application/json".to_owned());
    let text = answer.text().await.map_err(|e| {
        AppError::Unreachable(format!(
            "{}'s answer could not be read ({e}).",
            forward.service
        ))
    })?;
    let out = Headers::new();
    let _ = out.set("Content-Type", &content_type);
    let _ = out.set("Cache-Control", "no-store");
    Ok(Response::ok(text)
        .map_err(|e| AppError::Internal(format!("forwarding: {e}")))?
        .with_status(status)
        .with_headers(out))
}
