//! Access requests: create, list, read, move on, and the access check.

use lockbox_shared::api::{CreateAccessRequest, DecisionBody};
use lockbox_shared::lifecycle::{self, State, Verb};
use lockbox_shared::policy::{authorize, Action};
use lockbox_shared::roles::Principal;
use worker::Response;

use crate::config::App;
use crate::error::AppError;
use crate::requests::{self as service, Ctx, ListQuery};
use crate::routes::{json, parse_time, Call};
use crate::store::sql::Scope;

fn ctx<'a>(app: &'a App, call: &'a Call) -> Ctx<'a> {
    Ctx {
        now: call.now_ms,
        ip: &call.ip,
        service_account: &app.service_account,
    }
}

fn request_id(call: &Call) -> Result<String, AppError> {
    lifecycle::parse_request_id(&call.segment(4)).map_err(AppError::invalid)
}

/// Parses `status`, `created_after`, `cursor` and `limit`.
fn list_query(call: &Call) -> Result<ListQuery, AppError> {
    let mut query = ListQuery::default();
    for (key, value) in call.query() {
        match key.as_str() {
            "status" => {
                query.state = Some(State::parse(&value).ok_or_else(|| {
                    let names: Vec<&str> = State::ALL.iter().map(|s| s.as_str()).collect();
                    AppError::bad_request(format!(
                        "`status` must be one of {}, not {value:?}.",
                        names.join(", ")
                    ))
                })?);
            }
            "created_after" => query.created_after = Some(parse_time("created_after", &value)?),
            "cursor" => query.cursor = Some(service::decode_cursor(&value)?),
            "limit" => {
                let limit = value
                    .parse::<i64>()
                    .ok()
                    .filter(|n| (1..=service::MAX_PAGE).contains(n));
                query.limit = Some(limit.ok_or_else(|| {
                    AppError::bad_request(format!(
                        "`limit` must be a whole number from 1 to {}.",
                        service::MAX_PAGE
                    ))
                })?);
            }
            _ => {}
        }
    }
    Ok(query)
}

/// Customers: every request of their tenant. Provider staff: their own.
pub async fn list(app: &App, p: &Principal, call: &Call) -> Result<Response, AppError> {
    let query = list_query(call)?;
    let scope = if p.is_provider() {
        authorize(p, Action::ListOwnRequests, None)?;
        Scope::Requester(p.user_id.0.clone())
    } else {
        authorize(p, Action::ListTenantRequests, p.tenant())?;
        Scope::Tenant(p.tenant().map(|t| t.0.clone()).unwrap_or_default())
    };
    json(
        &service::list(&app.db, &scope, &query, call.now_ms).await?,
        200,
    )
}

/// Managers: requests of every tenant awaiting pre-approval.
pub async fn awaiting(app: &App, p: &Principal, call: &Call) -> Result<Response, AppError> {
    authorize(p, Action::ListAwaitingPreapproval, None)?;
    let query = list_query(call)?;
    let page = service::list(&app.db, &Scope::AwaitingPreapproval, &query, call.now_ms).await?;
    json(&page, 200)
}

pub async fn create(app: &App, p: &Principal, call: &Call) -> Result<Response, AppError> {
    let input: CreateAccessRequest = call.json()?;
    let created = service::create(&app.db, p, &input, &ctx(app, call)).await?;
    let mut response = json(&created, 201)?;
    response.headers_mut().set(
        "Location",
        &format!("/api/v1/requests/{}", created.request.id),
    )?;
    Ok(response)
}

pub async fn get(app: &App, p: &Principal, call: &Call) -> Result<Response, AppError> {
    let id = request_id(call)?;
    json(&service::detail(&app.db, p, &id, call.now_ms).await?, 200)
}

/// Reads the `Idempotency-Key` header: 1–200 visible ASCII characters.
fn idempotency_key(call: &Call) -> Result<Option<String>, AppError> {
    let Some(key) = call.req.headers().get("Idempotency-Key")? else {
        return Ok(None);
    };
    let key = key.trim().to_owned();
    if key.is_empty() || key.len() > 200 || !key.chars().all(|c| c.is_ascii_graphic()) {
        return Err(AppError::bad_request(
            "The Idempotency-Key header must be 1 to 200 visible ASCII characters, such as a UUID.",
        ));
    }
    Ok(Some(key))
}

pub async fn transition(
    app: &App,
    p: &Principal,
    call: &Call,
    verb: Verb,
) -> Result<Response, AppError> {
    let id = request_id(call)?;
    let body: DecisionBody = call.json()?;
    let comment = lifecycle::parse_comment(body.comment.as_deref()).map_err(AppError::invalid)?;
    let key = idempotency_key(call)?;
    let view = service::act(
        &app.db,
        p,
        &id,
        verb,
        comment,
        key.as_deref(),
        &ctx(app, call),
    )
    .await?;
    json(&view, 200)
}

pub async fn check_access(app: &App, p: &Principal, call: &Call) -> Result<Response, AppError> {
    let mut tenant = None;
    let mut service_name = None;
    for (key, value) in call.query() {
        match key.as_str() {
            "tenant" => tenant = Some(value),
            "service" => service_name = Some(value),
            _ => {}
        }
    }
    let (Some(tenant), Some(service_name)) = (tenant, service_name) else {
        return Err(AppError::bad_request(
            "Give both `tenant` (the tenant's id) and `service` (e.g. mail): /api/v1/access/check?tenant=…&service=….",
        ));
    };
    let check =
        service::check_access(&app.db, p, tenant.trim(), service_name.trim(), call.now_ms).await?;
    json(&check, 200)
}

pub async fn tenants(app: &App, p: &Principal) -> Result<Response, AppError> {
    json(&service::tenants(&app.db, p).await?, 200)
}
