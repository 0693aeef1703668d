//! The integration boundary's routes: the grant-token keys, grant tokens,
//! the registered services and their log, and the two routes services
//! call (the action log and the revocation feed).

use lockbox_provider::actions::ActionBatch;
use lockbox_shared::ids::RequestId;
use lockbox_shared::integration::{DevAssertion, ServiceRegistration};
use lockbox_shared::roles::Principal;
use worker::Response;

use crate::config::App;
use crate::error::AppError;
use crate::routes::requests::stamp;
use crate::routes::{json, parse_time, session, Call};
use crate::service::integration::{self as service, Boundary};
use crate::service_auth;
use crate::store::settings;

pub fn boundary(app: &App) -> Boundary<'_> {
    Boundary {
        keys: &app.grant_keys,
        issuer: &app.issuer,
        operator: &app.operator,
    }
}

/// `GET /.well-known/jwks.json`: the keys grant tokens are signed with.
pub fn jwks(app: &App) -> Result<Response, AppError> {
    let keys = app
        .grant_keys
        .as_ref()
        .map_err(|why| AppError::Misconfigured(why.clone()))?;
    let mut response = json(&keys.jwks(), 200)?;
    response
        .headers_mut()
        .set("Cache-Control", "public, max-age=300")?;
    Ok(response)
}

/// `POST /api/v1/requests/{id}/grant-token`.
pub async fn grant_token(app: &App, p: &Principal, call: &Call) -> Result<Response, AppError> {
    call.empty_object()?;
    let id = RequestId::parse(call.param("id")).map_err(AppError::invalid)?;
    app.note_keys(call.now_ms).await;
    let token = service::grant_token(&*app.db, p, &id, &boundary(app), call.now_ms).await?;
    json(&token, 201)
}

/// A service id from the path (`svc:mail`, or `svc%3Amail` as some
/// clients send it).
fn service_id(call: &Call) -> String {
    call.param("service_id")
        .replace("%3A", ":")
        .replace("%3a", ":")
}

/// `GET /api/v1/provider/services`.
pub async fn list(app: &App, p: &Principal, call: &Call) -> Result<Response, AppError> {
    json(&service::list(&*app.db, p, call.now_ms).await?, 200)
}

/// `GET /api/v1/provider/services/{service_id}`.
pub async fn get(app: &App, p: &Principal, call: &Call) -> Result<Response, AppError> {
    json(&service::get(&*app.db, p, &service_id(call)).await?, 200)
}

/// `POST /api/v1/provider/services`: registers, or replaces.
pub async fn register(app: &App, p: &Principal, call: &Call) -> Result<Response, AppError> {
    let registration: ServiceRegistration = call.json()?;
    let known: Vec<String> = {
        let mut all: Vec<String> = settings::tenants_with_services(&*app.db)
            .await?
            .iter()
            .flat_map(|t| t.services())
            .collect();
        all.sort();
        all.dedup();
        all
    };
    let (saved, created) =
        service::register(&*app.db, p, &registration, &known, call.now_ms).await?;
    json(&saved, if created { 201 } else { 200 })
}

/// `DELETE /api/v1/provider/services/{service_id}`.
pub async fn remove(app: &App, p: &Principal, call: &Call) -> Result<Response, AppError> {
    service::remove(&*app.db, p, &service_id(call), call.now_ms).await?;
    Ok(Response::empty()?.with_status(204))
}

/// `GET /api/v1/provider/log`.
pub async fn log(app: &App, p: &Principal) -> Result<Response, AppError> {
    json(&service::log(&*app.db, p).await?, 200)
}

/// Copy steps one call of a tenant's move takes: each is a read of D1 and
/// a write to the object, which with the reads and saves around them keeps
/// a call within the 50 calls an invocation may make on the free plan.
pub const MOVE_STEPS_PER_CALL: u32 = 20;

/// `POST /api/v1/provider/tenants/{id}/move`: moves a tenant's data from
/// the one D1 database into its own Durable Object a step further (202,
/// call again) until it is there and its rows in D1 are gone (200).
/// Integration admins only.
pub async fn move_tenant(app: &App, p: &Principal, call: &Call) -> Result<Response, AppError> {
    lockbox_shared::policy::authorize(
        p,
        lockbox_shared::policy::Action::ManageProviderServices,
        None,
    )?;
    call.empty_object()?;
    let raw = call.param("id");
    let tenant = lockbox_shared::ids::TenantId::parse(raw).map_err(|_| AppError::Missing {
        what: format!("The tenant {raw:?}"),
    })?;
    let object = app.db.object(&tenant).map_err(|err| {
        AppError::Misconfigured(format!("a tenant cannot move without its object: {err}"))
    })?;
    let state = crate::service::relocate::advance(
        &crate::store::Global::new(&*app.db),
        &crate::store::Tenant::new(app.db.d1(), tenant.clone()),
        // The copy brings the records' tree along: nothing is hashed again.
        &crate::store::Tenant::new(&crate::store::object::Copying(object), tenant.clone()),
        call.now_ms,
        MOVE_STEPS_PER_CALL,
        &p.email,
    )
    .await?;
    // This isolate reads the tenant's home again (others within
    // `HOME_TRUSTED_MS`, well inside the move's grace).
    crate::store::d1::Edge::forget_home(&tenant);
    let moved = state.home == crate::store::handles::Home::Object.as_str() && !state.clearing;
    json(&state, if moved { 200 } else { 202 })
}

/// `GET /api/v1/provider/tenants/{id}/export`: the tenant whole, as signed
/// JSON lines (`lockbox tenant verify` checks it offline; `lockbox tenant
/// import` turns it into the SQL that restores it into an empty
/// deployment). Integration admins only.
pub async fn export_tenant(app: &App, p: &Principal, call: &Call) -> Result<Response, AppError> {
    lockbox_shared::policy::authorize(
        p,
        lockbox_shared::policy::Action::ManageProviderServices,
        None,
    )?;
    let raw = call.param("id");
    let missing = || AppError::Missing {
        what: format!("The tenant {raw:?}"),
    };
    let tenant = lockbox_shared::ids::TenantId::parse(raw).map_err(|_| missing())?;
    crate::store::settings::tenant(&*app.db, &tenant)
        .await?
        .ok_or_else(missing)?;
    let key = app
        .audit_key
        .as_ref()
        .map_err(|why| AppError::Misconfigured(why.clone()))?;
    app.note_keys(call.now_ms).await;
    let db = app.db.clone();
    // Who took the tenant's data out is in the provider's log before any
    // of it leaves.
    crate::store::Database::batch(
        &crate::store::Global::new(&*db),
        vec![crate::store::services::log(
            lockbox_shared::integration::ProviderActivity::ExportTenant,
            tenant.as_str(),
            &p.email,
            &std::collections::BTreeMap::new(),
            call.now_ms,
            None,
        )],
    )
    .await?;
    let (export, header) = {
        use crate::store::Stores;
        crate::service::tenant_export::Export::start(
            &db.tenant(tenant.clone()),
            key,
            &app.deployment,
            call.now_ms,
        )
        .await?
    };
    let pages = futures_util::stream::unfold(Some(export), move |state| {
        let (db, tenant) = (db.clone(), tenant.clone());
        async move {
            use crate::store::Stores;
            let mut export = state?;
            match export.next(&db.tenant(tenant), &db.global()).await {
                Ok(Some(lines)) => Some((
                    Ok::<Vec<u8>, worker::Error>(lines.into_bytes()),
                    Some(export),
                )),
                Ok(None) => None,
                // The answer has started: a failure can only end the file
                // early (without its end line, which `verify` names).
                Err(err) => {
                    err.log();
                    Some((Err(worker::Error::RustError(format!("{err:?}"))), None))
                }
            }
        }
    });
    let head = futures_util::stream::iter([Ok(format!("{header}\n").into_bytes())]);
    let mut response = Response::from_stream(futures_util::StreamExt::chain(head, pages))?;
    let headers = response.headers_mut();
    headers.set("Content-Type", "application/jsonl; charset=utf-8")?;
    headers.set(
        "Content-Disposition",
        &format!("attachment; filename=\"lockbox-tenant-{raw}.jsonl\""),
    )?;
    headers.set("Cache-Control", "no-store")?;
    Ok(response)
}

/// `POST /api/v1/provider/actions` (services only).
pub async fn actions(app: &App, call: &Call) -> Result<Response, AppError> {
    let boundary = boundary(app);
    // One round trip reads who calls and the grant the batch names (read
    // before the caller is verified, used only after); one write records
    // the batch and the caller's assertion id, for a tenant in D1.
    let batch = call.json::<ActionBatch>();
    let reads = batch
        .as_ref()
        .map(|b| service::grant_reads(&b.grant))
        .unwrap_or_default();
    let (caller, unspent, ahead) =
        service_auth::authenticate_and(&call.req, app, call.now_ms, reads).await?;
    let counted = app
        .limits
        .check(
            &*app.db,
            crate::limits::Limit::Services,
            &caller.registration.id,
            &crate::routes::Route::ProviderActions.label(),
            call.now_ms,
        )
        .await;
    if let Err(refused) = counted {
        // Refused before anything: the assertion is spent all the same.
        service::spend(&*app.db, unspent, call.now_ms).await?;
        return Err(refused);
    }
    let batch = match batch {
        Ok(batch) => batch,
        Err(err) => {
            // The assertion is spent whatever the body.
            service::spend(&*app.db, unspent, call.now_ms).await?;
            return Err(err);
        }
    };
    let named = service::grant_of(&*app.db, &batch.grant, &boundary, call.now_ms, ahead).await;
    let (recorded, written) = service::record(
        &*app.db,
        &caller,
        unspent,
        &batch,
        named,
        &boundary,
        &stamp(app, call),
    )
    .await?;
    let mut response = json(&recorded, if written { 201 } else { 200 })?;
    if !written {
        response.headers_mut().set("Lockbox-Replayed", "true")?;
    }
    Ok(response)
}

/// `GET /api/v1/provider/revocations?since=` (services only).
pub async fn revocations(app: &App, call: &Call) -> Result<Response, AppError> {
    let caller = service_auth::authenticate(&call.req, app, call.now_ms).await?;
    let since = match call.query().into_iter().find(|(k, _)| k == "since") {
        Some((_, value)) if !value.trim().is_empty() => parse_time("since", &value)?,
        _ => 0,
    };
    json(&service::revocations(&*app.db, &caller, since).await?, 200)
}

/// `POST /api/v1/dev/service-assertion`: an assertion for the demo
/// service, so scripts and tests can act as a service (local only).
pub async fn dev_assertion(app: &App, call: &Call) -> Result<Response, AppError> {
    session::dev_keys(app, call)?;
    call.empty_object()?;
    let key = app.dev_service.as_ref().ok_or_else(|| {
        AppError::Misconfigured(
            "LOCKBOX_DEV_SERVICE_KEY is not set (scripts/lib.sh writes it to .dev.vars)".into(),
        )
    })?;
    let now = call.now_ms.div_euclid(1000);
    let seconds = lockbox_provider::MAX_ASSERTION_SECONDS;
    json(
        &DevAssertion {
            service: key.service.clone(),
            assertion: key.assert(&app.issuer, now, seconds, &uuid::Uuid::new_v4().to_string()),
            expires_at: (now + seconds) * 1000,
        },
        200,
    )
}
