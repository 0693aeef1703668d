//! Customer role management: who holds which role in the caller's tenant;
//! a global admin assigns and removes approvers and auditors.

use lockbox_shared::api::RoleAssignment;
use lockbox_shared::audit::LockboxActivity as Activity;
use lockbox_shared::roles::Principal;
use worker::Response;

use crate::config::App;
use crate::error::AppError;
use crate::routes::requests::stamp;
use crate::routes::{json, Call};
use crate::service::roles;

pub async fn list(app: &App, principal: &Principal) -> Result<Response, AppError> {
    json(&roles::list(&app.db, principal).await?, 200)
}

pub async fn assign(app: &App, principal: &Principal, call: &Call) -> Result<Response, AppError> {
    change(app, principal, call, Activity::AddRoleMember).await
}

pub async fn remove(app: &App, principal: &Principal, call: &Call) -> Result<Response, AppError> {
    change(app, principal, call, Activity::RemoveRoleMember).await
}

async fn change(
    app: &App,
    principal: &Principal,
    call: &Call,
    activity: Activity,
) -> Result<Response, AppError> {
    let input: RoleAssignment = call.json()?;
    let roles = roles::change(&app.db, principal, &input, activity, &stamp(app, call)).await?;
    json(&roles, 200)
}
