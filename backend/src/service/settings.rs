//! Settings > Org settings > Security & Privacy > Customer Lockbox (the
//! switch, and the freeze: "Revoke all access now"), and the tenants
//! provider staff open requests for.

use lockbox_shared::api::{
    ApprovalsSetting, FreezeSetting, LanguageSetting, LockboxSetting, TenantSummary,
};
use lockbox_shared::audit::NewAuditRecord;
use lockbox_shared::i18n::Lang;
use lockbox_shared::ids::TenantId;
use lockbox_shared::lifecycle::Verb;
use lockbox_shared::notify::{self, NoticeKind};
use lockbox_shared::plan::{self, Origin, Step};
use lockbox_shared::policy::{authorize, Action, Denied};
use lockbox_shared::roles::Principal;
use lockbox_shared::validation::{approvals_phrase, ApprovalsRequired, Comment, Invalid};

use super::Stamp;
use crate::error::AppError;
use crate::store::requests as grants;
use crate::store::{people, settings, Database, Stores};

/// The caller's tenant's row, for someone who may see its settings (the
/// switch and the freeze are read by the same people).
async fn own_tenant<S: Stores>(
    stores: &S,
    principal: &Principal,
) -> Result<settings::TenantRow, AppError> {
    authorize(principal, Action::ReadLockboxSetting, principal.tenant())?;
    let tenant_id = principal.tenant().ok_or(Denied::OtherTenant)?;
    settings::tenant(&stores.tenant(tenant_id.clone()), tenant_id)
        .await?
        .ok_or_else(|| AppError::Internal(format!("tenant {tenant_id} missing")))
}

/// Copies the tenant's settings that reads across tenants use into the
/// directory ([`settings::mirror`]), after a change.
async fn mirror<S: Stores>(stores: &S, tenant_id: &TenantId) -> Result<(), AppError> {
    if let Some(row) = settings::tenant(&stores.tenant(tenant_id.clone()), tenant_id).await? {
        stores.global().batch(vec![settings::mirror(&row)]).await?;
    }
    Ok(())
}

/// The caller's tenant's Lockbox switch.
pub async fn lockbox_setting<S: Stores>(
    stores: &S,
    principal: &Principal,
) -> Result<LockboxSetting, AppError> {
    let row = own_tenant(stores, principal).await?;
    Ok(LockboxSetting {
        enabled: row.lockbox_enabled(),
        tenant_id: row.tenant_id,
        tenant_name: row.tenant_name,
        changed_by: row.lockbox_changed_by,
        changed_at: row.lockbox_changed_at,
    })
}

/// Turns the caller's tenant's Lockbox on or off (audited when it changes).
pub async fn set_lockbox<S: Stores>(
    stores: &S,
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
        &stores.tenant(tenant_id.clone()),
        tenant_id,
        enabled,
        &principal.email,
        &record,
        stamp.now,
        |changes, key| {
            let texts = super::notify::in_every_language(|lang| {
                notify::lockbox_switched_email(
                    lang,
                    &tenant_name,
                    enabled,
                    &principal.email,
                    stamp.now,
                )
            });
            vec![super::notify::to_tenant_admins(
                NoticeKind::LockboxSwitched,
                tenant_id,
                key,
                &texts,
                None,
                stamp.now,
                Some(changes),
            )]
        },
    )
    .await?;
    lockbox_setting(stores, principal).await
}

/// How many approvals the caller's tenant's requests need, for whoever may
/// see its Lockbox setting.
pub async fn approvals_setting<S: Stores>(
    stores: &S,
    principal: &Principal,
) -> Result<ApprovalsSetting, AppError> {
    let row = own_tenant(stores, principal).await?;
    let able_to_approve =
        people::count_allowed(&stores.global(), Action::Approve, &row.tenant_id).await?;
    Ok(ApprovalsSetting {
        required: row.approvals_required()?,
        tenant_id: row.tenant_id,
        able_to_approve,
    })
}

/// Sets how many distinct people must approve the caller's tenant's
/// requests from now on (audited when it changes; requests already
/// waiting keep theirs).
pub async fn set_approvals_required<S: Stores>(
    stores: &S,
    principal: &Principal,
    required: i64,
    stamp: &Stamp<'_>,
) -> Result<ApprovalsSetting, AppError> {
    authorize(principal, Action::SetApprovalsRequired, principal.tenant())?;
    let tenant_id = principal.tenant().ok_or(Denied::OtherTenant)?;
    let required = ApprovalsRequired::parse(required).map_err(AppError::invalid)?;
    let able = people::count_allowed(&stores.global(), Action::Approve, tenant_id).await?;
    if u32::from(u8::from(required)) > able {
        return Err(AppError::invalid(Invalid {
            field: "required",
            message: format!(
                "Only {able} {} at your organisation can approve (global admins and Lockbox access \
                 approvers), so no request needing {} could ever be approved. Give the approver \
                 role to more people on the Roles page first, or choose at most {able}.",
                if able == 1 { "person" } else { "people" },
                approvals_phrase(u8::from(required)),
            ),
        }));
    }
    let record =
        NewAuditRecord::approvals_required(tenant_id.clone(), stamp.ip, &principal.email, required);
    settings::set_approvals_required(
        &stores.tenant(tenant_id.clone()),
        tenant_id,
        required,
        &record,
        stamp.now,
    )
    .await?;
    approvals_setting(stores, principal).await
}

/// The caller's tenant's choices about emergency access, for whoever may
/// see its Lockbox setting.
pub async fn emergency_setting<S: Stores>(
    stores: &S,
    principal: &Principal,
) -> Result<lockbox_shared::api::EmergencySetting, AppError> {
    let row = own_tenant(stores, principal).await?;
    let policy = row.emergency_policy();
    Ok(lockbox_shared::api::EmergencySetting {
        tenant_id: row.tenant_id,
        allowed: policy.allowed,
        content: policy.content,
        dispute_freezes: policy.dispute_freezes,
    })
}

/// Sets the caller's tenant's choices about emergency access (a global
/// admin's; audited when they change).
pub async fn set_emergency<S: Stores>(
    stores: &S,
    principal: &Principal,
    input: &lockbox_shared::api::SetEmergency,
    stamp: &Stamp<'_>,
) -> Result<lockbox_shared::api::EmergencySetting, AppError> {
    authorize(principal, Action::SetEmergencyAccess, principal.tenant())?;
    let tenant_id = principal.tenant().ok_or(Denied::OtherTenant)?;
    let policy = lockbox_shared::emergency::Policy {
        allowed: input.allowed,
        content: input.content,
        dispute_freezes: input.dispute_freezes,
    };
    let record =
        NewAuditRecord::emergency_setting(tenant_id.clone(), stamp.ip, &principal.email, policy);
    settings::set_emergency(
        &stores.tenant(tenant_id.clone()),
        tenant_id,
        policy,
        &record,
        stamp.now,
    )
    .await?;
    emergency_setting(stores, principal).await
}

/// The language of the caller's tenant's people who chose none, for
/// whoever may see its Lockbox setting.
pub async fn language_setting<S: Stores>(
    stores: &S,
    principal: &Principal,
) -> Result<LanguageSetting, AppError> {
    let row = own_tenant(stores, principal).await?;
    Ok(LanguageSetting {
        tenant_id: row.tenant_id,
        language: row.default_language,
    })
}

/// Sets the language of the caller's tenant's people who chose none
/// (audited when it changes).
pub async fn set_default_language<S: Stores>(
    stores: &S,
    principal: &Principal,
    language: Lang,
    stamp: &Stamp<'_>,
) -> Result<LanguageSetting, AppError> {
    authorize(principal, Action::SetDefaultLanguage, principal.tenant())?;
    let tenant_id = principal.tenant().ok_or(Denied::OtherTenant)?;
    let record =
        NewAuditRecord::default_language(tenant_id.clone(), stamp.ip, &principal.email, language);
    settings::set_default_language(
        &stores.tenant(tenant_id.clone()),
        tenant_id,
        language,
        &record,
        stamp.now,
    )
    .await?;
    mirror(stores, tenant_id).await?;
    language_setting(stores, principal).await
}

/// Every tenant with its services, for provider staff opening requests.
pub async fn tenants<S: Stores>(
    stores: &S,
    principal: &Principal,
) -> Result<Vec<TenantSummary>, AppError> {
    authorize(principal, Action::ListTenants, None)?;
    Ok(settings::tenants_with_services(&stores.global())
        .await?
        .into_iter()
        .map(|row| TenantSummary {
            services: row.services(),
            id: row.id,
            name: row.name,
        })
        .collect())
}

/// The caller's tenant's freeze, for whoever may see its Lockbox setting.
pub async fn freeze_setting<S: Stores>(
    stores: &S,
    principal: &Principal,
) -> Result<FreezeSetting, AppError> {
    let row = own_tenant(stores, principal).await?;
    Ok(freeze_of(row))
}

/// The freeze of `tenant_id`, read for a change already authorized.
async fn freeze_setting_of<S: Stores>(
    stores: &S,
    tenant_id: &TenantId,
) -> Result<FreezeSetting, AppError> {
    let row = settings::tenant(&stores.tenant(tenant_id.clone()), tenant_id)
        .await?
        .ok_or_else(|| AppError::Internal(format!("tenant {tenant_id} missing")))?;
    Ok(freeze_of(row))
}

fn freeze_of(row: settings::TenantRow) -> FreezeSetting {
    FreezeSetting {
        tenant_id: row.tenant_id.clone(),
        frozen: row.frozen(),
        frozen_at: row.frozen_at,
        frozen_by: row.frozen_by,
        reason: row.freeze_reason,
        revoked: 0,
        denied: 0,
    }
}

/// At most this many requests are ended per batch, and this many batches
/// per call, which keeps a call within a Worker's database budget; the
/// freeze itself (checked when a grant is read) already stops all access,
/// and freezing again ends what is left.
const FREEZE_CHUNK: usize = 20;
const FREEZE_ROUNDS: usize = 10;
/// How many requests one freeze (or lift) call ends at most.
pub const FREEZE_ENDS_PER_CALL: usize = FREEZE_CHUNK * FREEZE_ROUNDS;

/// "Revoke all access now" (`frozen`, with `reason`), or lifting it. A
/// freeze is in force from its batch on: no grant of the tenant opens its
/// content (read time) and nothing is pre-approved or approved. Then every
/// live grant is revoked and every request pending for the customer is
/// denied, by the caller with the reason as comment, each with its audit
/// record and the requester's notice, as a decision would be. Freezing a
/// frozen tenant ends whatever is still open. Lifting finishes what the
/// freeze had still to end first (with its reason), since a grant left
/// Approved would open the content again the moment it lifts; when more
/// is left than one call ends, it stays frozen and says how many.
pub async fn set_freeze<S: Stores>(
    stores: &S,
    principal: &Principal,
    frozen: bool,
    reason: Option<&str>,
    stamp: &Stamp<'_>,
) -> Result<FreezeSetting, AppError> {
    authorize(principal, Action::FreezeTenant, principal.tenant())?;
    let tenant_id = principal.tenant().ok_or(Denied::OtherTenant)?;
    let reason = Comment::parse_optional(reason).map_err(|mut invalid| {
        invalid.field = "reason";
        AppError::invalid(invalid)
    })?;
    if !frozen {
        let row = own_tenant(stores, principal).await?;
        let mut ended = (0, 0);
        if row.frozen() {
            let why = row
                .freeze_reason
                .as_deref()
                .and_then(|r| Comment::parse(r).ok())
                .ok_or_else(|| {
                    AppError::Internal(format!("tenant {tenant_id}: frozen without a reason"))
                })?;
            ended = end_what_the_freeze_ends(stores, principal, tenant_id, &why, stamp).await?;
            let left = grants::count_open_for_freeze(tenant_id, stamp.now);
            let left: Vec<Count> = stores.tenant(tenant_id.clone()).query(left).await?;
            let left = left.first().map_or(0, |c| c.n);
            if left > 0 {
                return Err(AppError::FreezeStillEnding {
                    left,
                    ended: ended.0 + ended.1,
                });
            }
        }
        let record =
            NewAuditRecord::freeze(tenant_id.clone(), stamp.ip, &principal.email, false, None);
        settings::set_freeze(
            &stores.tenant(tenant_id.clone()),
            tenant_id,
            None,
            &principal.email,
            &record,
            stamp.now,
        )
        .await?;
        mirror(stores, tenant_id).await?;
        let mut setting = freeze_setting(stores, principal).await?;
        (setting.revoked, setting.denied) = ended;
        return Ok(setting);
    }
    let reason = reason.ok_or_else(|| {
        AppError::invalid(Invalid {
            field: "reason",
            message: "Say why you are revoking all access: it goes into the audit log and the \
                      engineers' notices."
                .to_owned(),
        })
    })?;
    freeze_now(stores, principal, tenant_id, &reason, stamp).await
}

/// Freezes `tenant_id` with `reason`, by `principal`: the flag first (so
/// nothing more is granted or recorded), then what it ends. Called by a
/// global admin's "Revoke all access now", and by a dispute of emergency
/// access when the tenant chose that a dispute freezes it.
pub async fn freeze_now<S: Stores>(
    stores: &S,
    principal: &Principal,
    tenant_id: &TenantId,
    reason: &Comment,
    stamp: &Stamp<'_>,
) -> Result<FreezeSetting, AppError> {
    let record = NewAuditRecord::freeze(
        tenant_id.clone(),
        stamp.ip,
        &principal.email,
        true,
        Some(reason.as_str()),
    );
    settings::set_freeze(
        &stores.tenant(tenant_id.clone()),
        tenant_id,
        Some(reason.as_str()),
        &principal.email,
        &record,
        stamp.now,
    )
    .await?;
    mirror(stores, tenant_id).await?;
    let ended = end_what_the_freeze_ends(stores, principal, tenant_id, reason, stamp).await?;
    let mut setting = freeze_setting_of(stores, tenant_id).await?;
    (setting.revoked, setting.denied) = ended;
    Ok(setting)
}

#[derive(serde::Deserialize)]
struct Count {
    n: u32,
}

/// Revokes the tenant's live grants and denies its requests pending for
/// the customer, by the caller with `reason`, at most
/// [`FREEZE_ROUNDS`] × [`FREEZE_CHUNK`] a call. Returns how many were
/// (revoked, denied).
async fn end_what_the_freeze_ends<S: Stores>(
    stores: &S,
    principal: &Principal,
    tenant_id: &TenantId,
    reason: &Comment,
    stamp: &Stamp<'_>,
) -> Result<(u32, u32), AppError> {
    let mut ended = (0u32, 0u32);
    let tenant_name = principal.membership.organisation().to_owned();
    let who = super::actor(principal);
    let origin = Origin {
        ip: stamp.ip,
        service_account: stamp.service_account,
    };
    let (global, tenant) = (stores.global(), stores.tenant(tenant_id.clone()));
    for _ in 0..FREEZE_ROUNDS {
        let open = grants::select(
            &tenant,
            grants::open_for_freeze(tenant_id, stamp.now, FREEZE_CHUNK),
        )
        .await?;
        let plan = plan::freeze(&open, &who, reason, stamp.now, origin);
        if plan.steps.is_empty() {
            break;
        }
        let readers = crate::store::plan::readers_for(&global, &plan).await?;
        let committed =
            crate::store::plan::commit(&tenant, &tenant_name, &readers, &plan, stamp.now).await?;
        super::tell_index(&global, &plan, &committed).await;
        for (step, written) in plan.steps.iter().zip(committed.written) {
            match step {
                Step::Move {
                    verb: Verb::Revoke, ..
                } if written => ended.0 += 1,
                _ if written => ended.1 += 1,
                _ => {}
            }
        }
    }
    Ok(ended)
}
