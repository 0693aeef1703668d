//! Access requests: create, list, read, move on, and the access check.

use lockbox_shared::api::{CreateAccessRequest, DecisionBody, ExtendBody, MAX_REQUESTS_PAGE};
use lockbox_shared::ids::{RequestId, TenantId};
use lockbox_shared::lifecycle::{State, Verb};
use lockbox_shared::roles::Principal;
use lockbox_shared::validation::{Comment, ServiceName};
use worker::Response;

use crate::auth;
use crate::config::App;
use crate::error::AppError;
use crate::routes::{json, parse_time, Call};
use crate::service::requests::{self as service, ListQuery};
use crate::service::Stamp;
use crate::store::db::decode;

/// The stamp of this call's writes.
pub fn stamp<'a>(app: &'a App, call: &'a Call) -> Stamp<'a> {
    Stamp {
        now: call.now_ms,
        ip: &call.ip,
        service_account: &app.service_account,
    }
}

fn request_id(call: &Call) -> Result<RequestId, AppError> {
    RequestId::parse(call.param("id")).map_err(AppError::invalid)
}

/// Parses `status`, `created_after`, `cursor` and `limit`.
fn list_query(call: &Call) -> Result<ListQuery, AppError> {
    let mut query = ListQuery::default();
    // An empty parameter is an absent one, as a filter form sends it.
    for (key, value) in call
        .query()
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
    {
        match key.as_str() {
            "status" => {
                query.filter.state = Some(State::parse(&value).ok_or_else(|| {
                    let names: Vec<&str> = State::ALL.iter().map(|s| s.as_str()).collect();
                    AppError::bad_request(format!(
                        "`status` must be one of {}, not {value:?}.",
                        names.join(", ")
                    ))
                })?);
            }
            "created_after" => {
                query.filter.created_after = Some(parse_time("created_after", &value)?)
            }
            "cursor" => query.filter.cursor = Some(service::decode_cursor(&value)?),
            "limit" => {
                let limit = value
                    .parse::<i64>()
                    .ok()
                    .filter(|n| (1..=MAX_REQUESTS_PAGE).contains(n));
                query.limit = Some(limit.ok_or_else(|| {
                    AppError::bad_request(format!(
                        "`limit` must be a whole number from 1 to {MAX_REQUESTS_PAGE}."
                    ))
                })?);
            }
            _ => {}
        }
    }
    Ok(query)
}

/// Customers: their tenant's requests from pre-approval on. Provider
/// staff: those they opened or decided as manager.
pub async fn list(app: &App, p: &Principal, call: &Call) -> Result<Response, AppError> {
    let query = list_query(call)?;
    json(&service::list(&app.db, p, &query, call.now_ms).await?, 200)
}

/// Managers: requests of every tenant awaiting pre-approval.
pub async fn awaiting_preapproval(
    app: &App,
    p: &Principal,
    call: &Call,
) -> Result<Response, AppError> {
    let query = list_query(call)?;
    let page = service::awaiting_preapproval(&app.db, p, &query, call.now_ms).await?;
    json(&page, 200)
}

pub async fn create(app: &App, p: &Principal, call: &Call) -> Result<Response, AppError> {
    let input: CreateAccessRequest = call.json()?;
    let key = idempotency_key(call)?;
    let (created, now) =
        service::create_keyed(&app.db, p, &input, key.as_deref(), &stamp(app, call)).await?;
    let mut response = json(&created, if now { 201 } else { 200 })?;
    let headers = response.headers_mut();
    headers.set("Location", &format!("/api/v1/requests/{}", created.id))?;
    if !now {
        headers.set("Lockbox-Replayed", "true")?;
    }
    Ok(response)
}

pub async fn get(app: &App, p: &Principal, call: &Call) -> Result<Response, AppError> {
    let id = request_id(call)?;
    json(&service::detail(&app.db, p, &id, call.now_ms).await?, 200)
}

/// `POST /api/v1/requests/{id}/extend`: the engineer holding the grant
/// asks for more time, as a new request linked to it.
pub async fn extend(app: &App, p: &Principal, call: &Call) -> Result<Response, AppError> {
    let id = request_id(call)?;
    let input: ExtendBody = call.json()?;
    let created = service::extend(&app.db, p, &id, &input, &stamp(app, call)).await?;
    let mut response = json(&created, 201)?;
    response
        .headers_mut()
        .set("Location", &format!("/api/v1/requests/{}", created.id))?;
    Ok(response)
}

/// `GET /api/v1/requests/{id}/receipt`: the customer's decisions on the
/// request, signed with the audit log's key (a C2SP signed note whose
/// text is the receipt's JSON), for whoever may read the request.
pub async fn receipt(app: &App, p: &Principal, call: &Call) -> Result<Response, AppError> {
    let id = request_id(call)?;
    let key = app
        .audit_key
        .as_ref()
        .map_err(|why| AppError::Misconfigured(why.clone()))?;
    let receipt = service::receipt(&app.db, p, &id, &app.deployment, call.now_ms).await?;
    app.note_keys(call.now_ms).await;
    let note = lockbox_shared::tlog::sign_receipt(key, &receipt)
        .map_err(|e| AppError::Internal(format!("signing a receipt: {e}")))?;
    let mut response = Response::ok(note)?;
    let headers = response.headers_mut();
    headers.set("Content-Type", "text/plain; charset=utf-8")?;
    headers.set(
        "Content-Disposition",
        &format!("attachment; filename=\"lockbox-receipt-{id}.txt\""),
    )?;
    headers.set("Cache-Control", "no-store")?;
    Ok(response)
}

/// `GET /api/v1/requests/{id}/report`: what was done under the request's
/// grant once it has ended, every operator record with its inclusion
/// proof, signed with the audit log's key, for whoever may read the request.
pub async fn report(app: &App, p: &Principal, call: &Call) -> Result<Response, AppError> {
    let id = request_id(call)?;
    let key = app
        .audit_key
        .as_ref()
        .map_err(|why| AppError::Misconfigured(why.clone()))?;
    let signer = crate::service::report::Signer {
        key,
        deployment: &app.deployment,
    };
    app.note_keys(call.now_ms).await;
    let note = service::report(&app.db, p, &id, signer, call.now_ms).await?;
    let mut response = Response::ok(note)?;
    let headers = response.headers_mut();
    headers.set("Content-Type", "text/plain; charset=utf-8")?;
    headers.set(
        "Content-Disposition",
        &format!("attachment; filename=\"lockbox-report-{id}.txt\""),
    )?;
    headers.set("Cache-Control", "no-store")?;
    Ok(response)
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

/// `POST /api/v1/requests/{id}/{verb}`: one round trip finds the caller,
/// where the request is (the provider's index), and the request with its
/// tenant's row as D1 has them; one batch writes the decision (with the
/// index's copy, for a tenant in D1).
pub async fn transition(app: &App, call: &Call, verb: Verb) -> Result<Response, AppError> {
    let id = match request_id(call) {
        Ok(id) => id,
        Err(err) => {
            // Who is calling is still checked first: a stranger learns 401.
            auth::authenticate(&call.req, &app.verifier, &app.db, call.now_ms).await?;
            return Err(err);
        }
    };
    let (principal, sets) =
        auth::authenticate_and_all(&call.req, &app.verifier, &app.db, call.now_ms, |_| {
            vec![
                crate::store::provider_index::locate_statement(&id),
                // Read before the tenant is known: used only if the
                // request turns out to be in D1 and of the tenant decided in.
                crate::store::requests::anywhere_statement(&id),
                crate::store::settings::tenant_of_request_statement(&id),
            ]
        })
        .await?;
    crate::routes::count_change(
        app,
        crate::routes::Route::Transition(verb),
        &principal,
        call.now_ms,
    )
    .await?;
    let mut sets = sets.into_iter();
    let located: Option<crate::store::provider_index::Located> =
        decode(sets.next())?.into_iter().next();
    let read = crate::store::requests::loaded(decode(sets.next())?)?.zip(
        decode::<crate::store::settings::TenantRow>(sets.next())?
            .into_iter()
            .next(),
    );
    // A tenant in its own object decides there: one trip down and back.
    let tenant = match (principal.tenant(), &located) {
        (Some(tenant), _) => Some(tenant.clone()),
        (None, Some(located)) => Some(located.tenant_id.clone()),
        (None, None) => None,
    };
    if let Some(tenant) = tenant {
        if let Some(object) = app.db.elsewhere(&tenant).await? {
            return crate::routes::forward(&object, call, &principal, located.as_ref()).await;
        }
    }
    decide(app, call, verb, &principal, located, read).await
}

/// The decision itself, for a caller found and a request located (in the
/// Worker, or in the tenant's object the Worker forwarded it to).
pub async fn decide(
    app: &App,
    call: &Call,
    verb: Verb,
    principal: &Principal,
    located: Option<crate::store::provider_index::Located>,
    read: Option<(
        lockbox_shared::lifecycle::AccessRequest,
        crate::store::settings::TenantRow,
    )>,
) -> Result<Response, AppError> {
    let id = request_id(call)?;
    let body: DecisionBody = call.json()?;
    let comment = Comment::parse_optional(body.comment.as_deref()).map_err(AppError::invalid)?;
    let key = idempotency_key(call)?;
    let view = service::act_read(
        &app.db,
        principal,
        &id,
        verb,
        comment,
        service::Granting {
            minutes: body.duration_minutes,
            operations: body.operations,
        },
        key.as_deref(),
        &stamp(app, call),
        Some(located),
        read,
    )
    .await?;
    json(&view, 200)
}

/// `GET /api/v1/access/check`: one database round trip finds the caller
/// and their live grant together (the grant read names them by e-mail).
pub async fn check_access(app: &App, call: &Call) -> Result<Response, AppError> {
    let (tenant, service_name) = match access_target(call) {
        Ok(target) => target,
        Err(err) => {
            // Who is calling is still checked first: a stranger learns 401.
            auth::authenticate(&call.req, &app.verifier, &app.db, call.now_ms).await?;
            return Err(err);
        }
    };
    if let Some(object) = app.db.elsewhere(&tenant).await? {
        // The grant is in the tenant's own object: checked there.
        let principal = auth::authenticate(&call.req, &app.verifier, &app.db, call.now_ms).await?;
        return crate::routes::forward(&object, call, &principal, None).await;
    }
    let (principal, rows) =
        auth::authenticate_and(&call.req, &app.verifier, &app.db, call.now_ms, |email| {
            crate::store::requests::live_grant(
                crate::store::requests::Requester::Email(email),
                &tenant,
                service_name.as_str(),
                call.now_ms,
            )
        })
        .await?;
    let grants = rows
        .into_iter()
        .map(crate::store::requests::RequestRow::into_domain)
        .collect::<Result<Vec<_>, _>>()?;
    let check = service::access_from(
        &principal,
        &tenant,
        service_name.as_str(),
        grants,
        call.now_ms,
    )?;
    json(&check, 200)
}

/// The access check in a tenant's object, for the caller the Worker
/// found (see [`check_access`]).
pub async fn check_access_as(
    app: &App,
    call: &Call,
    principal: &Principal,
) -> Result<Response, AppError> {
    let (tenant, service_name) = access_target(call)?;
    let check = service::check_access(
        &*app.db,
        principal,
        &tenant,
        service_name.as_str(),
        call.now_ms,
    )
    .await?;
    json(&check, 200)
}

/// The tenant and service an access check names.
fn access_target(call: &Call) -> Result<(TenantId, ServiceName), AppError> {
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
    let tenant = TenantId::parse(&tenant).map_err(AppError::invalid)?;
    let service_name = ServiceName::parse(&service_name).map_err(AppError::invalid)?;
    Ok((tenant, service_name))
}
