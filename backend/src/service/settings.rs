//! Settings > Org settings > Security & Privacy > Customer Lockbox, and the
//! tenants provider staff open requests for.

use lockbox_shared::api::{LockboxSetting, TenantSummary};
use lockbox_shared::audit::NewAuditRecord;
use lockbox_shared::notify::{self, NoticeKind};
use lockbox_shared::policy::{authorize, Action, Denied};
use lockbox_shared::roles::Principal;

use super::Stamp;
use crate::error::AppError;
use crate::store::{settings, Database};

/// The caller's tenant's Lockbox switch.
pub async fn lockbox_setting<D: Database>(
    db: &D,
    principal: &Principal,
) -> Result<LockboxSetting, AppError> {
    authorize(principal, Action::ReadLockboxSetting, principal.tenant())?;
    let tenant_id = principal.tenant().ok_or(Denied::OtherTenant)?;
    let row = settings::tenant(db, tenant_id)
        .await?
        .ok_or_else(|| AppError::Internal(format!("tenant {tenant_id} missing")))?;
    Ok(LockboxSetting {
        enabled: row.lockbox_enabled(),
        tenant_id: row.tenant_id,
        tenant_name: row.tenant_name,
        changed_by: row.lockbox_changed_by,
        changed_at: row.lockbox_changed_at,
    })
}

/// Turns the caller's tenant's Lockbox on or off (audited when it changes).
pub async fn set_lockbox<D: Database>(
    db: &D,
    principal: &Principal,
    enabled: bool,
    stamp: &Stamp<'_>,
) -> Result<LockboxSetting, AppError> {
    authorize(principal, Action::SetLockboxSetting, principal.tenant())?;
    let tenant_id = principal.tenant().ok_or(Denied::OtherTenant)?;
    let record =
        NewAuditRecord::lockbox_setting(tenant_id.clone(), stamp.ip, &principal.email, enabled);
    let tenant_name = principal.membership.organisation().to_owned();
    settings::set_lockbox(
        db,
        tenant_id,
        enabled,
        &principal.email,
        &record,
        stamp.now,
        |changes, key| {
            let email =
                notify::lockbox_switched_email(&tenant_name, enabled, &principal.email, stamp.now);
            vec![super::notify::to_tenant_admins(
                NoticeKind::LockboxSwitched,
                tenant_id,
                key,
                &email,
                None,
                stamp.now,
                Some(changes),
            )]
        },
    )
    .await?;
    lockbox_setting(db, principal).await
}

/// Every tenant with its services, for provider staff opening requests.
pub async fn tenants<D: Database>(
    db: &D,
    principal: &Principal,
) -> Result<Vec<TenantSummary>, AppError> {
    authorize(principal, Action::ListTenants, None)?;
    Ok(settings::tenants_with_services(db)
        .await?
        .into_iter()
        .map(|row| TenantSummary {
            services: row.services(),
            id: row.id,
            name: row.name,
        })
        .collect())
}
