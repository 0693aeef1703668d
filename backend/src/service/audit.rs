//! Searching the tenant's audit log.

use lockbox_shared::api::{AuditEntry, AuditPage, EXPORT_PAGE, MAX_AUDIT_PAGE, MAX_EXPORT_RECORDS};
use lockbox_shared::ids::TenantId;
use lockbox_shared::policy::{authorize, Action, Denied};
use lockbox_shared::roles::Principal;

use crate::error::AppError;
use crate::store::audit::{self, AuditFilter};
use crate::store::Stores;

/// One page of the caller's tenant's log, newest first.
pub async fn search<S: Stores>(
    stores: &S,
    principal: &Principal,
    filter: &AuditFilter,
    limit: i64,
) -> Result<AuditPage, AppError> {
    authorize(principal, Action::SearchAudit, principal.tenant())?;
    let tenant = principal.tenant().ok_or(Denied::OtherTenant)?;
    let limit = limit.clamp(1, MAX_AUDIT_PAGE);
    let mut items: Vec<AuditEntry> = audit::select_exported(
        &stores.tenant(tenant.clone()),
        audit::search(tenant, filter, limit),
    )
    .await?
    .into_iter()
    .map(|e| AuditEntry {
        record: e.record,
        leaf_hash: e.leaf_hash,
    })
    .collect();
    let next_cursor = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|r| r.record.seq.to_string())
    } else {
        None
    };
    Ok(AuditPage { items, next_cursor })
}

/// Checks that the caller may export their tenant's log and that the
/// search selects at most [`MAX_EXPORT_RECORDS`] records; returns the
/// tenant. Called before the first byte is sent, so a refusal is a
/// problem document, not a cut-off file.
pub async fn export_scope<S: Stores>(
    stores: &S,
    principal: &Principal,
    filter: &AuditFilter,
) -> Result<TenantId, AppError> {
    authorize(principal, Action::ExportAudit, principal.tenant())?;
    let tenant = principal.tenant().ok_or(Denied::OtherTenant)?.clone();
    #[derive(serde::Deserialize)]
    struct Count {
        n: i64,
    }
    let n = crate::store::first::<_, Count>(
        &stores.tenant(tenant.clone()),
        audit::count(&tenant, filter),
    )
    .await?
    .map(|c| c.n)
    .unwrap_or(0);
    if n > MAX_EXPORT_RECORDS {
        return Err(AppError::bad_request(format!(
            "This search selects {n} records; an export holds at most {MAX_EXPORT_RECORDS}. Narrow the time range and export in parts."
        )));
    }
    Ok(tenant)
}

/// The next page of an export after sequence number `after_seq`, oldest
/// first (empty when done).
pub async fn export_page<S: Stores>(
    stores: &S,
    tenant: &TenantId,
    filter: &AuditFilter,
    after_seq: i64,
) -> Result<Vec<audit::Exported>, AppError> {
    Ok(audit::select_exported(
        &stores.tenant(tenant.clone()),
        audit::export_page(tenant, filter, after_seq, EXPORT_PAGE),
    )
    .await?)
}
