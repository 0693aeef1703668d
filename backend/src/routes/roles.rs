//! Customer role management: who holds which role in the caller's tenant;
//! a global admin assigns and removes approvers and auditors.

use lockbox_shared::api::RoleAssignment;
use lockbox_shared::audit::{Activity, NewAuditRecord, Outcome, RoleChange};
use lockbox_shared::ids::TenantId;
use lockbox_shared::policy::{authorize, Action, Denied};
use lockbox_shared::roles::{CustomerRole, Membership, Principal};
use worker::Response;

use crate::config::App;
use crate::error::AppError;
use crate::routes::{json, Call};
use crate::store;

pub async fn list(app: &App, principal: &Principal) -> Result<Response, AppError> {
    authorize(principal, Action::ListRoleHolders, principal.tenant())?;
    let Membership::Customer {
        tenant_id,
        tenant_name,
        ..
    } = &principal.membership
    else {
        return Err(Denied::CustomersOnly {
            action: Action::ListRoleHolders,
        }
        .into());
    };
    json(
        &store::tenant_roles(&app.db, tenant_id, tenant_name).await?,
        200,
    )
}

pub async fn assign(app: &App, principal: &Principal, call: &Call) -> Result<Response, AppError> {
    change(app, principal, call, Activity::AddRoleMember).await
}

pub async fn remove(app: &App, principal: &Principal, call: &Call) -> Result<Response, AppError> {
    change(app, principal, call, Activity::RemoveRoleMember).await
}

fn parse(input: &RoleAssignment) -> Result<(String, CustomerRole), AppError> {
    let email = input.email.trim();
    if email.is_empty() || email.len() > 254 || !email.contains('@') {
        return Err(AppError::bad_request(
            "`email` must be the e-mail address of a person in your organisation.",
        ));
    }
    let role = CustomerRole::parse(input.role.trim()).ok_or_else(|| {
        AppError::bad_request(format!(
            "`role` must be `approver` or `auditor`, not {:?}.",
            input.role
        ))
    })?;
    if !role.is_assignable() {
        return Err(AppError::bad_request(
            "Global admins are managed in your organisation's directory, not in Lockbox. You can assign `approver` or `auditor` here.",
        ));
    }
    Ok((email.to_owned(), role))
}

async fn change(
    app: &App,
    principal: &Principal,
    call: &Call,
    activity: Activity,
) -> Result<Response, AppError> {
    let (email, role) = parse(&call.json::<RoleAssignment>()?)?;
    let target = store::user_by_email(&app.db, &email).await?;
    // The tenant whose roles would change comes from the stored person.
    let target_tenant = target
        .as_ref()
        .and_then(|user| user.tenant_id.clone())
        .map(TenantId);

    if let Err(denied) = authorize(principal, Action::ChangeRoles, target_tenant.as_ref()) {
        // Record the refused attempt in the log of the tenant it aimed at;
        // an attempt at another tenant's people is recorded in the caller's
        // own log, so the other tenant's existence is never confirmed.
        let log_tenant = match &denied {
            Denied::OtherTenant => principal.tenant().cloned(),
            _ => target_tenant
                .clone()
                .or_else(|| principal.tenant().cloned()),
        };
        if let Some(tenant_id) = log_tenant {
            let reason = denied.message();
            let record = NewAuditRecord::role_change(
                tenant_id,
                &call.ip,
                &principal.email,
                &RoleChange {
                    activity,
                    role,
                    member_email: &email,
                    outcome: Outcome::Refused,
                    reason: Some(&reason),
                },
            );
            store::append_audit(&app.db, &record, call.now_ms).await?;
        }
        return Err(denied.into());
    }

    let (Some(user), Some(tenant_id), Membership::Customer { tenant_name, .. }) =
        (target, target_tenant, &principal.membership)
    else {
        return Err(AppError::Missing {
            what: format!("A person with the e-mail {email}"),
        });
    };
    let record = NewAuditRecord::role_change(
        tenant_id.clone(),
        &call.ip,
        &principal.email,
        &RoleChange {
            activity,
            role,
            member_email: &user.email,
            outcome: Outcome::Succeeded,
            reason: None,
        },
    );
    if activity == Activity::AddRoleMember {
        let by = &principal.email;
        store::assign_role(
            &app.db,
            &tenant_id,
            &user.id,
            role,
            by,
            &record,
            call.now_ms,
        )
        .await?;
    } else {
        store::remove_role(&app.db, &tenant_id, &user.id, role, &record, call.now_ms).await?;
    }
    json(
        &store::tenant_roles(&app.db, &tenant_id, tenant_name).await?,
        200,
    )
}
