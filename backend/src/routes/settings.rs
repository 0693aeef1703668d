//! Settings > Org settings > Security & Privacy > Customer Lockbox, and the
//! tenants provider staff open requests for.

use lockbox_shared::api::{SetApprovals, SetFreeze, SetLockboxSetting};
use lockbox_shared::roles::Principal;
use worker::Response;

use crate::config::App;
use crate::error::AppError;
use crate::routes::requests::stamp;
use crate::routes::{json, Call};
use crate::service::settings;

pub async fn get(app: &App, p: &Principal) -> Result<Response, AppError> {
    json(&settings::lockbox_setting(&app.db, p).await?, 200)
}

pub async fn set(app: &App, p: &Principal, call: &Call) -> Result<Response, AppError> {
    let input: SetLockboxSetting = call.json()?;
    json(
        &settings::set_lockbox(&app.db, p, input.enabled, &stamp(app, call)).await?,
        200,
    )
}

pub async fn freeze(app: &App, p: &Principal) -> Result<Response, AppError> {
    json(&settings::freeze_setting(&app.db, p).await?, 200)
}

pub async fn set_freeze(app: &App, p: &Principal, call: &Call) -> Result<Response, AppError> {
    let input: SetFreeze = call.json()?;
    json(
        &settings::set_freeze(
            &app.db,
            p,
            input.frozen,
            input.reason.as_deref(),
            &stamp(app, call),
        )
        .await?,
        200,
    )
}

pub async fn approvals(app: &App, p: &Principal) -> Result<Response, AppError> {
    json(&settings::approvals_setting(&app.db, p).await?, 200)
}

pub async fn set_approvals(app: &App, p: &Principal, call: &Call) -> Result<Response, AppError> {
    let input: SetApprovals = call.json()?;
    json(
        &settings::set_approvals_required(&app.db, p, input.required, &stamp(app, call)).await?,
        200,
    )
}

pub async fn emergency(app: &App, p: &Principal) -> Result<Response, AppError> {
    json(&settings::emergency_setting(&app.db, p).await?, 200)
}

pub async fn set_emergency(app: &App, p: &Principal, call: &Call) -> Result<Response, AppError> {
    let input: lockbox_shared::api::SetEmergency = call.json()?;
    json(
        &settings::set_emergency(&app.db, p, &input, &stamp(app, call)).await?,
        200,
    )
}

pub async fn language(app: &App, p: &Principal) -> Result<Response, AppError> {
    json(&settings::language_setting(&app.db, p).await?, 200)
}

pub async fn set_language(app: &App, p: &Principal, call: &Call) -> Result<Response, AppError> {
    let Some(language) = super::me::language_of(call, false)? else {
        return Err(AppError::Internal(
            "a required language came back empty".into(),
        ));
    };
    json(
        &settings::set_default_language(&app.db, p, language, &stamp(app, call)).await?,
        200,
    )
}

pub async fn tenants(app: &App, p: &Principal) -> Result<Response, AppError> {
    json(&settings::tenants(&app.db, p).await?, 200)
}
