//! `GET /api/v1/me`: who the caller is and what roles they hold.

use lockbox_shared::api::Me;
use lockbox_shared::policy::{authorize, Action};
use lockbox_shared::roles::Principal;
use worker::Response;

use crate::config::App;
use crate::error::AppError;
use crate::routes::json;

pub async fn get(app: &App, principal: &Principal) -> Result<Response, AppError> {
    authorize(principal, Action::ReadOwnProfile, None)?;
    let sign_out_url = app.verifier.as_ref().ok().and_then(|v| v.sign_out_url());
    json(
        &Me {
            principal: principal.clone(),
            sign_out_url,
        },
        200,
    )
}
