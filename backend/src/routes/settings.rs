//! Settings > Org settings > Security & Privacy > Customer Lockbox.

use lockbox_shared::api::SetLockboxSetting;
use lockbox_shared::roles::Principal;
use worker::Response;

use crate::config::App;
use crate::error::AppError;
use crate::requests::{self, Ctx};
use crate::routes::{json, Call};

pub async fn get(app: &App, p: &Principal) -> Result<Response, AppError> {
    json(&requests::lockbox_setting(&app.db, p).await?, 200)
}

pub async fn set(app: &App, p: &Principal, call: &Call) -> Result<Response, AppError> {
    let input: SetLockboxSetting = call.json()?;
    let ctx = Ctx {
        now: call.now_ms,
        ip: &call.ip,
        service_account: &app.service_account,
    };
    json(
        &requests::set_lockbox(&app.db, p, input.enabled, &ctx).await?,
        200,
    )
}
