//! Signing out, and the local-development sign-in.
//!
//! The dev routes exist only when the dev-only variables are set (and no
//! Access issuer is, see config.rs) *and* the request came from a loopback
//! address (`CF-Connecting-IP`, not the Host header); otherwise they answer
//! 404 like any path that does not exist.

use lockbox_shared::api::{DevSignIn, RequestView, ShiftRequest};
use lockbox_shared::ids::RequestId;
use serde::Serialize;
use worker::Response;

use crate::auth::{self, DevKeys, DEV_TOKEN_SECONDS};
use crate::config::App;
use crate::error::AppError;
use crate::routes::{json, Call};
use crate::store;

#[derive(Serialize)]
struct SignedOut {
    sign_out_url: Option<String>,
}

pub async fn sign_out(app: &App, call: &Call) -> Result<Response, AppError> {
    call.empty_object()?;
    let sign_out_url = app.verifier.as_ref().ok().and_then(|v| v.sign_out_url());
    let mut response = json(&SignedOut { sign_out_url }, 200)?;
    response
        .headers_mut()
        .set("Set-Cookie", &auth::cleared_cookie())?;
    Ok(response)
}

pub fn dev_keys<'a>(app: &'a App, call: &Call) -> Result<&'a DevKeys, AppError> {
    match &app.dev {
        Some(keys) if call.is_loopback() => Ok(keys),
        _ => Err(AppError::NotFound {
            path: call.req.path(),
        }),
    }
}

pub async fn dev_people(app: &App, call: &Call) -> Result<Response, AppError> {
    dev_keys(app, call)?;
    json(&store::people::dev_people(&app.db).await?, 200)
}

pub async fn dev_sign_in(app: &App, call: &Call) -> Result<Response, AppError> {
    let keys = dev_keys(app, call)?;
    let input: DevSignIn = call.json()?;
    let email = input.email.trim();
    let Some(user) = store::people::user_by_email(&app.db, email).await? else {
        return Err(AppError::Missing {
            what: format!("A demo person with the e-mail {email:?} (pick one from the list)"),
        });
    };
    let token = keys.mint(&user.email, &user.id, call.now_ms).await?;
    let principal = store::people::principal(&app.db, &user.email)
        .await?
        .ok_or_else(|| AppError::Internal("signed-in person vanished".into()))?;
    let mut response = json(&super::me::me(app, principal).await?, 200)?;
    response.headers_mut().set(
        "Set-Cookie",
        &auth::session_cookie(&token, DEV_TOKEN_SECONDS),
    )?;
    Ok(response)
}

/// Moves a request's times into the past, so people and tests can see what
/// happens when deadlines pass without waiting hours.
pub async fn dev_shift_request(app: &App, call: &Call) -> Result<Response, AppError> {
    dev_keys(app, call)?;
    let input: ShiftRequest = call.json()?;
    let id = RequestId::parse(&input.request_id).map_err(AppError::invalid)?;
    if !(1..=30 * 24 * 3_600_000).contains(&input.ms) {
        return Err(AppError::bad_request(
            "`ms` must be from 1 to 2592000000 (30 days).",
        ));
    }
    let not_found = || crate::service::requests::not_found(&id);
    let global = store::Global::new(&*app.db);
    let tenant = store::provider_index::tenant_of(&global, &id)
        .await?
        .ok_or_else(not_found)?;
    let tenant = store::Tenant::new(&*app.db, tenant);
    store::Database::batch(&tenant, vec![store::requests::shift(&id, input.ms)]).await?;
    let request = store::requests::load(&tenant, &id)
        .await?
        .ok_or_else(not_found)?;
    // The index (the lists, and which tenants the sweep visits) follows.
    store::provider_index::apply(&global, &[&request]).await?;
    let view = RequestView::of(
        &request,
        "",
        lockbox_shared::api::Audience::Customer,
        call.now_ms,
    );
    json(&view, 200)
}

#[derive(Serialize)]
struct Seeded {
    created: u32,
}

/// Makes the demo requests that do not exist yet (`make dev`, `make test`).
pub async fn dev_seed(app: &App, call: &Call) -> Result<Response, AppError> {
    dev_keys(app, call)?;
    call.empty_object()?;
    let created = crate::demo::seed_with_service(
        &app.db,
        app.dev_service.as_ref(),
        call.now_ms,
        &app.service_account,
    )
    .await?;
    json(&Seeded { created }, 200)
}

/// Body of `POST /api/v1/dev/seed-audit`.
#[derive(serde::Deserialize)]
struct SeedAudit {
    tenant_id: String,
    count: i64,
}

#[derive(Serialize)]
struct SeededAudit {
    inserted: i64,
}

/// Appends `count` made-up records to a tenant's log, dated in 2025 (local
/// development only: the export and search tests and the benchmark need
/// logs of 100 000 and 1 000 000 records).
pub async fn dev_seed_audit(app: &App, call: &Call) -> Result<Response, AppError> {
    dev_keys(app, call)?;
    let input: SeedAudit = call.json()?;
    let tenant =
        lockbox_shared::ids::TenantId::parse(&input.tenant_id).map_err(AppError::invalid)?;
    if !(1..=1_000_000).contains(&input.count) {
        return Err(AppError::bad_request("`count` must be from 1 to 1000000."));
    }
    store::settings::tenant(&*app.db, &tenant)
        .await?
        .ok_or_else(|| AppError::Missing {
            what: format!("The tenant {tenant}"),
        })?;
    let own = store::Tenant::new(&*app.db, tenant.clone());
    store::Database::batch(&own, vec![store::audit::bulk(&tenant, input.count)]).await?;
    json(
        &SeededAudit {
            inserted: input.count,
        },
        200,
    )
}

/// What a tenant's Durable Object holds: it applies the migrations on its
/// first use and says how many it applied (local development: shows the
/// objects run under `wrangler dev`).
pub async fn dev_tenant_object(app: &App, call: &Call) -> Result<Response, AppError> {
    dev_keys(app, call)?;
    let raw = call.param("id");
    let unknown = || AppError::Missing {
        what: format!("The tenant {raw:?}"),
    };
    let tenant = lockbox_shared::ids::TenantId::parse(raw).map_err(|_| unknown())?;
    store::settings::tenant(&*app.db, &tenant)
        .await?
        .ok_or_else(unknown)?;
    let namespace = app.tenants.as_ref().ok_or_else(|| {
        AppError::Misconfigured("the Durable Object binding `TENANTS` is missing".to_owned())
    })?;
    let stub = namespace.id_from_name(tenant.as_str())?.get_stub()?;
    let mut init = worker::RequestInit::new();
    let headers = worker::Headers::new();
    headers.set(crate::object::TENANT_HEADER, tenant.as_str())?;
    init.with_headers(headers);
    let request = worker::Request::new_with_init("https://tenant-object/status", &init)?;
    let mut answer = stub.fetch_with_request(request).await?;
    if answer.status_code() != 200 {
        return Err(AppError::Internal(format!(
            "the tenant object answered HTTP {}: {}",
            answer.status_code(),
            answer.text().await.unwrap_or_default()
        )));
    }
    let status: lockbox_shared::api::TenantObjectStatus = answer.json().await?;
    json(&status, 200)
}
