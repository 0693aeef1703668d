//! Customer roles: who holds which role in the caller's tenant; a global
//! admin assigns and removes approvers and auditors.

use lockbox_shared::api::{RoleAssignment, TenantRoles};
use lockbox_shared::audit::{LockboxActivity as Activity, NewAuditRecord, Outcome, RoleChange};
use lockbox_shared::notify::{self, NoticeKind};
use lockbox_shared::policy::{authorize, Action, Denied};
use lockbox_shared::roles::{CustomerRole, Membership, Principal};

use super::Stamp;
use crate::error::AppError;
use crate::store::{audit, people, Condition, Database, Stores};

/// The caller's tenant's roles and people.
pub async fn list<S: Stores>(stores: &S, principal: &Principal) -> Result<TenantRoles, AppError> {
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
    Ok(people::tenant_roles(&stores.global(), tenant_id, tenant_name).await?)
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

/// Adds (`Activity::AddRoleMember`) or removes a role. A refused attempt is
/// recorded in the log of the tenant it aimed at (throttled per identity).
pub async fn change<S: Stores>(
    stores: &S,
    principal: &Principal,
    input: &RoleAssignment,
    activity: Activity,
    stamp: &Stamp<'_>,
) -> Result<TenantRoles, AppError> {
    let (email, role) = parse(input)?;
    let target = people::user(&stores.global(), &email).await?;
    // The tenant whose roles would change comes from the stored person.
    let target_tenant = target.as_ref().and_then(|user| user.tenant_id.clone());

    if let Err(denied) = authorize(principal, Action::ChangeRoles, target_tenant.as_ref()) {
        // An attempt at another tenant's people is recorded in the caller's
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
                tenant_id.clone(),
                stamp.ip,
                &principal.email,
                &RoleChange {
                    activity,
                    role,
                    member_email: &email,
                    outcome: Outcome::Refused,
                    reason: Some(&reason),
                },
            );
            audit::append_refused(&stores.tenant(tenant_id), &record, stamp.now).await?;
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
        stamp.ip,
        &principal.email,
        &RoleChange {
            activity,
            role,
            member_email: &user.email,
            outcome: Outcome::Succeeded,
            reason: None,
        },
    );
    let kind = if activity == Activity::AddRoleMember {
        NoticeKind::RoleAssigned
    } else {
        NoticeKind::RoleRemoved
    };
    let notices = |condition: &Condition, key: &str| {
        let texts = super::notify::in_every_language(|lang| {
            notify::role_email(
                lang,
                kind,
                tenant_name,
                role,
                &user.email,
                &principal.email,
                stamp.now,
            )
        });
        vec![super::notify::to_tenant_admins(
            kind,
            &tenant_id,
            key,
            &texts,
            None,
            stamp.now,
            Some(condition),
        )]
    };
    // The change, its record and its notices are the tenant's, in one
    // write of its own; the directory's copy of the role (what sign-in and
    // the approvals setting read) follows, as a tenant's settings do.
    let tenant = stores.tenant(tenant_id.clone());
    let held = activity == Activity::AddRoleMember;
    let changed = if held {
        people::assign_role(
            &tenant, &tenant_id, &user.id, role, &record, stamp.now, notices,
        )
        .await?
    } else {
        people::remove_role(
            &tenant, &tenant_id, &user.id, role, &record, stamp.now, notices,
        )
        .await?
    };
    if changed {
        stores
            .global()
            .batch(vec![people::role_copy(
                &tenant_id,
                &user.id,
                role,
                held.then_some(principal.email.as_str()),
                stamp.now,
            )])
            .await?;
    }
    Ok(people::tenant_roles(&stores.global(), &tenant_id, tenant_name).await?)
}
