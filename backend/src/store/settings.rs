//! Tenants: their Lockbox switch and their services.

use lockbox_shared::audit::NewAuditRecord;
use lockbox_shared::i18n::Lang;
use lockbox_shared::ids::TenantId;
use lockbox_shared::lifecycle::TenantSwitches;
use lockbox_shared::validation::ApprovalsRequired;
use serde::Deserialize;

use super::audit;
use super::db::{bit, first, json_list, Condition, Database, DbError, Statement};

/// A tenant's Lockbox switch and who last changed it.
#[derive(Debug, Clone, Deserialize)]
pub struct TenantRow {
    pub tenant_id: TenantId,
    pub tenant_name: String,
    lockbox_enabled: i64,
    pub lockbox_changed_by: Option<String>,
    pub lockbox_changed_at: Option<i64>,
    #[serde(default)]
    pub frozen_at: Option<i64>,
    #[serde(default)]
    pub frozen_by: Option<String>,
    #[serde(default)]
    pub freeze_reason: Option<String>,
    #[serde(default = "one")]
    approvals_required: i64,
    /// The language of its people who chose none.
    #[serde(default)]
    pub default_language: Lang,
    #[serde(default = "one")]
    emergency_allowed: i64,
    #[serde(default)]
    emergency_content: i64,
    #[serde(default)]
    dispute_freezes: i64,
}

fn one() -> i64 {
    1
}

impl TenantRow {
    /// "Require approval for all data access requests".
    pub fn lockbox_enabled(&self) -> bool {
        bit(self.lockbox_enabled)
    }

    /// "Revoke all access now" is in force.
    pub fn frozen(&self) -> bool {
        self.frozen_at.is_some()
    }

    /// What it chose about emergency access.
    pub fn emergency_policy(&self) -> lockbox_shared::emergency::Policy {
        lockbox_shared::emergency::Policy {
            allowed: bit(self.emergency_allowed),
            content: bit(self.emergency_content),
            dispute_freezes: bit(self.dispute_freezes),
        }
    }

    /// What its requests' transitions depend on.
    pub fn switches(&self) -> Result<TenantSwitches, DbError> {
        Ok(TenantSwitches {
            lockbox_enabled: self.lockbox_enabled(),
            frozen: self.frozen(),
            approvals_required: self.approvals_required()?,
        })
    }

    /// How many people must approve a request that becomes pending now.
    /// Only ever written through [`ApprovalsRequired`]: a value outside its
    /// range is a corrupt row, refused like any other.
    pub fn approvals_required(&self) -> Result<ApprovalsRequired, DbError> {
        ApprovalsRequired::parse(self.approvals_required).map_err(|_| {
            DbError::Corrupt(format!(
                "tenant {}: approvals_required {} is not 1 to 3",
                self.tenant_id, self.approvals_required
            ))
        })
    }
}

/// "Tenant `tenant_id` is not frozen": part of what makes a grant live
/// ([`super::requests::live_grant_condition`]) and of the guard of a
/// pre-approval or an approval.
pub fn not_frozen(tenant_id: &TenantId) -> Condition {
    Condition::new(
        "NOT EXISTS (SELECT 1 FROM tenants WHERE id = ? AND frozen_at IS NOT NULL)",
        vec![tenant_id.as_str().into()],
    )
}

/// The tenant, if it exists.
pub async fn tenant<D: Database>(
    db: &D,
    tenant_id: &TenantId,
) -> Result<Option<TenantRow>, DbError> {
    first(db, tenant_where("id = ?", tenant_id.as_str())).await
}

/// Copies into the directory the settings that reads across tenants use
/// (the language of a tenant's people who chose none, the revocation
/// feed's frozen tenants), from the tenant's own `row`: where a tenant's
/// data is in its own database, its changes are made there first.
pub fn mirror(row: &TenantRow) -> Statement {
    Statement::new(
        "UPDATE tenants SET default_language = ?, frozen_at = ? WHERE id = ?",
        vec![
            row.default_language.as_str().into(),
            row.frozen_at.into(),
            row.tenant_id.as_str().into(),
        ],
    )
}

/// The query of [`tenant`], for a round trip that reads more.
pub fn tenant_statement(tenant_id: &TenantId) -> Statement {
    tenant_where("id = ?", tenant_id.as_str())
}

/// The row of the tenant request `id` of this database is of (see
/// [`super::requests::anywhere_statement`]).
pub fn tenant_of_request_statement(id: &lockbox_shared::ids::RequestId) -> Statement {
    tenant_where(
        "id = (SELECT tenant_id FROM access_requests WHERE id = ?)",
        id.as_str(),
    )
}

fn tenant_where(condition: &str, arg: &str) -> Statement {
    Statement::new(
        format!(
            "SELECT id AS tenant_id, name AS tenant_name, lockbox_enabled, lockbox_changed_by, \
             lockbox_changed_at, frozen_at, frozen_by, freeze_reason, approvals_required, default_language, \
             emergency_allowed, emergency_content, dispute_freezes \
             FROM tenants WHERE {condition}"
        ),
        vec![arg.into()],
    )
}

/// The names of these tenants (repeats allowed), by id, in one query.
pub async fn names<'a, D: Database>(
    db: &D,
    tenants: impl IntoIterator<Item = &'a TenantId>,
) -> Result<std::collections::BTreeMap<TenantId, String>, DbError> {
    #[derive(Deserialize)]
    struct Row {
        id: TenantId,
        name: String,
    }
    let ids: std::collections::BTreeSet<&TenantId> = tenants.into_iter().collect();
    if ids.is_empty() {
        return Ok(Default::default());
    }
    // One parameter however many tenants (D1 binds at most 100).
    let rows: Vec<Row> = db
        .query(Statement::new(
            "SELECT id, name FROM tenants WHERE id IN (SELECT value FROM json_each(?))",
            vec![json_list(ids.iter().map(|id| id.as_str()))],
        ))
        .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.name)).collect())
}

/// The name of `tenant` among `names` ([`names`]): a tenant without one
/// has lost its row, which is refused like any corrupt row rather than
/// shown as an empty name.
pub fn name_in<'a>(
    names: &'a std::collections::BTreeMap<TenantId, String>,
    tenant: &TenantId,
) -> Result<&'a str, DbError> {
    names
        .get(tenant)
        .map(String::as_str)
        .ok_or_else(|| DbError::Corrupt(format!("tenant {tenant} has no row, so no name")))
}

/// Sets the switch with its audit record and the `notices` (given the
/// guard and the record's id), all only when it changes.
pub async fn set_lockbox<D: Database>(
    db: &D,
    tenant_id: &TenantId,
    enabled: bool,
    by: &str,
    record: &NewAuditRecord,
    now: i64,
    notices: impl FnOnce(&Condition, &str) -> Vec<Statement>,
) -> Result<(), DbError> {
    let changes = Condition::new(
        "EXISTS (SELECT 1 FROM tenants WHERE id = ? AND lockbox_enabled <> ?)",
        vec![tenant_id.as_str().into(), enabled.into()],
    );
    let audit_id = audit::new_id();
    let mut statements = vec![audit::insert(record, &audit_id, now, Some(&changes))];
    statements.extend(notices(&changes, &audit_id));
    statements.push(Statement::new(
        "UPDATE tenants SET lockbox_enabled = ?, lockbox_changed_by = ?, lockbox_changed_at = ? \
             WHERE id = ? AND lockbox_enabled <> ?",
        vec![
            enabled.into(),
            by.into(),
            now.into(),
            tenant_id.as_str().into(),
            enabled.into(),
        ],
    ));
    super::db::batch_storing(db, tenant_id, statements).await?;
    Ok(())
}

/// Freezes the tenant (`Some(reason)`) or lifts its freeze (`None`), with
/// the audit record, only when that changes it; `then` are written in the
/// same batch under the same condition. Returns whether it changed.
pub async fn set_freeze<D: Database>(
    db: &D,
    tenant_id: &TenantId,
    freeze: Option<&str>,
    by: &str,
    record: &NewAuditRecord,
    now: i64,
) -> Result<bool, DbError> {
    let frozen_now = if freeze.is_some() {
        "IS NULL"
    } else {
        "IS NOT NULL"
    };
    let changes = Condition::new(
        format!("EXISTS (SELECT 1 FROM tenants WHERE id = ? AND frozen_at {frozen_now})"),
        vec![tenant_id.as_str().into()],
    );
    let audit_id = audit::new_id();
    let statements = vec![
        audit::insert(record, &audit_id, now, Some(&changes)),
        Statement::new(
            format!(
                "UPDATE tenants SET frozen_at = ?, frozen_by = ?, freeze_reason = ? \
                 WHERE id = ? AND frozen_at {frozen_now}"
            ),
            vec![
                freeze.map(|_| now).into(),
                freeze.map(|_| by).into(),
                freeze.into(),
                tenant_id.as_str().into(),
            ],
        ),
    ];
    let changed = db.batch(statements).await?;
    Ok(changed.last() == Some(&1))
}

/// Sets how many approvals the tenant's requests need from now on, with
/// its audit record, only when it changes; whether it did.
pub async fn set_approvals_required<D: Database>(
    db: &D,
    tenant_id: &TenantId,
    required: ApprovalsRequired,
    record: &NewAuditRecord,
    now: i64,
) -> Result<bool, DbError> {
    let changes = Condition::new(
        "EXISTS (SELECT 1 FROM tenants WHERE id = ? AND approvals_required <> ?)",
        vec![tenant_id.as_str().into(), required.into()],
    );
    let statements = vec![
        audit::insert(record, &audit::new_id(), now, Some(&changes)),
        Statement::new(
            "UPDATE tenants SET approvals_required = ? WHERE id = ? AND approvals_required <> ?",
            vec![required.into(), tenant_id.as_str().into(), required.into()],
        ),
    ];
    let changed = db.batch(statements).await?;
    Ok(changed.last() == Some(&1))
}

/// Sets the tenant's choices about emergency access, with its audit
/// record, only when they change; whether they did.
pub async fn set_emergency<D: Database>(
    db: &D,
    tenant_id: &TenantId,
    policy: lockbox_shared::emergency::Policy,
    record: &NewAuditRecord,
    now: i64,
) -> Result<bool, DbError> {
    let values = vec![
        policy.allowed.into(),
        policy.content.into(),
        policy.dispute_freezes.into(),
    ];
    let differs = "(emergency_allowed <> ? OR emergency_content <> ? OR dispute_freezes <> ?)";
    let mut args = vec![tenant_id.as_str().into()];
    args.extend(values.iter().cloned());
    let changes = Condition::new(
        format!("EXISTS (SELECT 1 FROM tenants WHERE id = ? AND {differs})"),
        args,
    );
    let mut update_args = values.clone();
    update_args.push(tenant_id.as_str().into());
    update_args.extend(values);
    let statements = vec![
        audit::insert(record, &audit::new_id(), now, Some(&changes)),
        Statement::new(
            format!(
                "UPDATE tenants SET emergency_allowed = ?, emergency_content = ?, \
                 dispute_freezes = ? WHERE id = ? AND {differs}"
            ),
            update_args,
        ),
    ];
    let changed = db.batch(statements).await?;
    Ok(changed.last() == Some(&1))
}

/// Sets the language of the tenant's people who chose none, with its
/// audit record, only when it changes; whether it did.
pub async fn set_default_language<D: Database>(
    db: &D,
    tenant_id: &TenantId,
    language: Lang,
    record: &NewAuditRecord,
    now: i64,
) -> Result<bool, DbError> {
    let changes = Condition::new(
        "EXISTS (SELECT 1 FROM tenants WHERE id = ? AND default_language <> ?)",
        vec![tenant_id.as_str().into(), language.as_str().into()],
    );
    let statements = vec![
        audit::insert(record, &audit::new_id(), now, Some(&changes)),
        Statement::new(
            "UPDATE tenants SET default_language = ? WHERE id = ? AND default_language <> ?",
            vec![
                language.as_str().into(),
                tenant_id.as_str().into(),
                language.as_str().into(),
            ],
        ),
    ];
    let changed = db.batch(statements).await?;
    Ok(changed.last() == Some(&1))
}

/// A tenant with its services.
#[derive(Debug, Clone, Deserialize)]
pub struct TenantServicesRow {
    pub id: TenantId,
    pub name: String,
    services: String,
}

impl TenantServicesRow {
    /// Its services, by name.
    pub fn services(&self) -> Vec<String> {
        self.services
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

/// Every tenant with its services, for provider staff.
pub async fn tenants_with_services<D: Database>(db: &D) -> Result<Vec<TenantServicesRow>, DbError> {
    db.query(Statement::new(
        "SELECT t.id, t.name, \
                COALESCE((SELECT GROUP_CONCAT(service, ',') FROM \
                    (SELECT service FROM tenant_services s WHERE s.tenant_id = t.id ORDER BY service)), '') AS services \
         FROM tenants t ORDER BY t.name",
        vec![],
    ))
    .await
}

/// A tenant with each of its services (one row per service; one row with
/// no service for a tenant without any; no row for no tenant).
#[derive(Debug, Deserialize)]
pub struct TenantServiceRow {
    service: Option<String>,
}

/// The query of [`tenant_services`].
pub fn tenant_services_statement(tenant_id: &str) -> Statement {
    Statement::new(
        "SELECT s.service FROM tenants t LEFT JOIN tenant_services s ON s.tenant_id = t.id \
         WHERE t.id = ? ORDER BY s.service",
        vec![tenant_id.into()],
    )
}

/// The services of the tenant [`tenant_services_statement`]'s rows
/// describe, sorted; `None` when there is no such tenant.
pub fn tenant_services_from(rows: Vec<TenantServiceRow>) -> Option<Vec<String>> {
    if rows.is_empty() {
        return None;
    }
    Some(rows.into_iter().filter_map(|r| r.service).collect())
}

/// The services of tenant `tenant_id`, or `None` when there is no such
/// tenant: one query.
pub async fn tenant_services<D: Database>(
    db: &D,
    tenant_id: &str,
) -> Result<Option<Vec<String>>, DbError> {
    Ok(tenant_services_from(
        db.query(tenant_services_statement(tenant_id)).await?,
    ))
}

/// A tenant's services (none for a tenant that does not exist).
pub async fn services<D: Database>(db: &D, tenant_id: &str) -> Result<Vec<String>, DbError> {
    #[derive(Deserialize)]
    struct Row {
        service: String,
    }
    let rows: Vec<Row> = db
        .query(Statement::new(
            "SELECT service FROM tenant_services WHERE tenant_id = ? ORDER BY service",
            vec![tenant_id.into()],
        ))
        .await?;
    Ok(rows.into_iter().map(|r| r.service).collect())
}
