//! Reading the audit log: a request's history and the tenant's search.

use std::collections::BTreeMap;

use lockbox_shared::api::AuditPage;
use lockbox_shared::audit::{AuditRecord, NewAuditRecord};
use lockbox_shared::ids::TenantId;
use lockbox_shared::policy::{authorize, Action};
use lockbox_shared::roles::Principal;
use serde::Deserialize;

use crate::error::AppError;
use crate::store::sql::{self, AuditFilter, Statement};
use crate::store::{Database, DbError};

/// Largest page of a search.
pub const MAX_PAGE: i64 = 500;

#[derive(Deserialize)]
struct AuditRow {
    id: String,
    tenant_id: String,
    seq: i64,
    occurred_at: i64,
    ip: String,
    user: String,
    activity: String,
    item: String,
    details: String,
}

impl AuditRow {
    fn into_record(self) -> Option<AuditRecord> {
        let activity = serde_json::from_value(serde_json::Value::String(self.activity)).ok()?;
        let details: BTreeMap<String, String> =
            serde_json::from_str(&self.details).unwrap_or_default();
        Some(AuditRecord {
            id: self.id,
            seq: self.seq,
            occurred_at: self.occurred_at,
            record: NewAuditRecord {
                tenant_id: TenantId(self.tenant_id),
                ip: self.ip,
                user: self.user,
                activity,
                item: self.item,
                details,
            },
        })
    }
}

/// The records a query selects, in its order.
pub async fn records<D: Database>(
    db: &D,
    statement: Statement,
) -> Result<Vec<AuditRecord>, DbError> {
    let rows: Vec<AuditRow> = db.query(statement).await?;
    Ok(rows.into_iter().filter_map(AuditRow::into_record).collect())
}

/// One page of the caller's tenant's log, newest first.
pub async fn search<D: Database>(
    db: &D,
    principal: &Principal,
    filter: &AuditFilter,
    limit: i64,
) -> Result<AuditPage, AppError> {
    authorize(principal, Action::SearchAudit, principal.tenant())?;
    let tenant = principal.tenant().map(|t| t.0.clone()).unwrap_or_default();
    let limit = limit.clamp(1, MAX_PAGE);
    let mut items = records(db, sql::audit_search(&tenant, filter, limit)).await?;
    let next_cursor = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|r| r.seq.to_string())
    } else {
        None
    };
    Ok(AuditPage { items, next_cursor })
}
