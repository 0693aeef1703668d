//! Searching the tenant's audit log.

use lockbox_shared::api::{AuditPage, MAX_AUDIT_PAGE};
use lockbox_shared::policy::{authorize, Action, Denied};
use lockbox_shared::roles::Principal;

use crate::error::AppError;
use crate::store::audit::{self, AuditFilter};
use crate::store::Database;

/// One page of the caller's tenant's log, newest first.
pub async fn search<D: Database>(
    db: &D,
    principal: &Principal,
    filter: &AuditFilter,
    limit: i64,
) -> Result<AuditPage, AppError> {
    authorize(principal, Action::SearchAudit, principal.tenant())?;
    let tenant = principal.tenant().ok_or(Denied::OtherTenant)?;
    let limit = limit.clamp(1, MAX_AUDIT_PAGE);
    let mut items = audit::select(db, audit::search(tenant, filter, limit)).await?;
    let next_cursor = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|r| r.seq.to_string())
    } else {
        None
    };
    Ok(AuditPage { items, next_cursor })
}
