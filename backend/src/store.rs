//! All SQL the Worker sends to D1, and the guarded writes.
//!
//! D1 rejects JavaScript BigInt, so integers (epoch milliseconds) are bound
//! as f64, which holds them exactly up to 2^53. D1 has no interactive
//! transactions: a change and its audit record go in one `batch()` (one
//! transaction), and both statements carry the same guard, so either both
//! happen or neither does.

use lockbox_shared::api::{DevPerson, RoleHolder, RoleMembers, TenantMember, TenantRoles};
use lockbox_shared::audit::NewAuditRecord;
use lockbox_shared::ids::{TenantId, UserId};
use lockbox_shared::roles::{CustomerRole, Membership, Principal, ProviderRole};
use serde::Deserialize;
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement};

/// A value bound to a statement parameter.
pub enum Arg<'a> {
    Text(&'a str),
    Int(i64),
}

fn bind(db: &D1Database, sql: &str, args: &[Arg]) -> worker::Result<D1PreparedStatement> {
    let values: Vec<JsValue> = args
        .iter()
        .map(|arg| match arg {
            Arg::Text(s) => JsValue::from_str(s),
            Arg::Int(n) => JsValue::from_f64(*n as f64),
        })
        .collect();
    db.prepare(sql).bind(&values)
}

/// When the scheduled job last ran (epoch ms), if it ever did.
pub async fn last_cron_run(db: &D1Database) -> worker::Result<Option<i64>> {
    #[derive(Deserialize)]
    struct Row {
        last: Option<f64>,
    }
    let row: Option<Row> = db
        .prepare("SELECT MAX(scheduled_at) AS last FROM cron_runs")
        .first(None)
        .await?;
    Ok(row.and_then(|r| r.last).map(|ms| ms as i64))
}

/// Records one run of the scheduled job.
pub async fn record_cron_run(
    db: &D1Database,
    scheduled_at_ms: i64,
    cron: &str,
    finished_at_ms: i64,
) -> worker::Result<()> {
    bind(
        db,
        "INSERT INTO cron_runs (scheduled_at, cron, finished_at) VALUES (?1, ?2, ?3)",
        &[
            Arg::Int(scheduled_at_ms),
            Arg::Text(cron),
            Arg::Int(finished_at_ms),
        ],
    )?
    .run()
    .await?;
    Ok(())
}

/// A person as stored.
#[derive(Debug, Clone, Deserialize)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub tenant_id: Option<String>,
    pub tenant_name: Option<String>,
}

const USER_COLUMNS: &str = "u.id, u.email, u.display_name, u.tenant_id, t.name AS tenant_name \
     FROM users u LEFT JOIN tenants t ON t.id = u.tenant_id";

/// The person with this e-mail (case-insensitive), if any.
pub async fn user_by_email(db: &D1Database, email: &str) -> worker::Result<Option<UserRow>> {
    bind(
        db,
        &format!("SELECT {USER_COLUMNS} WHERE u.email = ?1"),
        &[Arg::Text(email)],
    )?
    .first(None)
    .await
}

#[derive(Deserialize)]
struct RoleRow {
    role: String,
}

/// Resolves a verified identity to a principal with its roles.
pub async fn principal(db: &D1Database, identity: &str) -> worker::Result<Option<Principal>> {
    let Some(user) = user_by_email(db, identity).await? else {
        return Ok(None);
    };
    let membership = match (user.tenant_id, user.tenant_name) {
        (Some(tenant_id), Some(tenant_name)) => {
            let rows: Vec<RoleRow> = bind(
                db,
                "SELECT role FROM customer_roles WHERE user_id = ?1 AND tenant_id = ?2 ORDER BY role",
                &[Arg::Text(&user.id), Arg::Text(&tenant_id)],
            )?
            .all()
            .await?
            .results()?;
            let mut roles: Vec<CustomerRole> = rows
                .iter()
                .filter_map(|r| CustomerRole::parse(&r.role))
                .collect();
            roles.sort();
            Membership::Customer {
                tenant_id: TenantId(tenant_id),
                tenant_name,
                roles,
            }
        }
        _ => {
            let rows: Vec<RoleRow> = bind(
                db,
                "SELECT role FROM provider_roles WHERE user_id = ?1 ORDER BY role",
                &[Arg::Text(&user.id)],
            )?
            .all()
            .await?
            .results()?;
            let mut roles: Vec<ProviderRole> = rows
                .iter()
                .filter_map(|r| ProviderRole::parse(&r.role))
                .collect();
            roles.sort();
            Membership::Provider { roles }
        }
    };
    Ok(Some(Principal {
        user_id: UserId(user.id),
        email: user.email,
        display_name: user.display_name,
        membership,
    }))
}

/// The tenant's roles with their holders, and its people.
pub async fn tenant_roles(
    db: &D1Database,
    tenant_id: &TenantId,
    tenant_name: &str,
) -> worker::Result<TenantRoles> {
    #[derive(Deserialize)]
    struct HolderRow {
        role: String,
        user_id: String,
        email: String,
        display_name: String,
        granted_by: Option<String>,
        granted_at: f64,
    }
    let holders: Vec<HolderRow> = bind(
        db,
        "SELECT r.role, u.id AS user_id, u.email, u.display_name, r.granted_by, r.granted_at \
         FROM customer_roles r JOIN users u ON u.id = r.user_id \
         WHERE r.tenant_id = ?1 ORDER BY u.display_name",
        &[Arg::Text(&tenant_id.0)],
    )?
    .all()
    .await?
    .results()?;
    let members: Vec<TenantMember> = bind(
        db,
        "SELECT id AS user_id, email, display_name FROM users WHERE tenant_id = ?1 ORDER BY display_name",
        &[Arg::Text(&tenant_id.0)],
    )?
    .all()
    .await?
    .results()?;
    let roles = CustomerRole::ALL
        .into_iter()
        .map(|role| RoleMembers {
            role,
            label: role.label().to_owned(),
            assignable: role.is_assignable(),
            holders: holders
                .iter()
                .filter(|h| h.role == role.as_str())
                .map(|h| RoleHolder {
                    user_id: UserId(h.user_id.clone()),
                    email: h.email.clone(),
                    display_name: h.display_name.clone(),
                    granted_by: h.granted_by.clone(),
                    granted_at: h.granted_at as i64,
                })
                .collect(),
        })
        .collect();
    Ok(TenantRoles {
        tenant_id: tenant_id.clone(),
        tenant_name: tenant_name.to_owned(),
        roles,
        members,
    })
}

/// The statement that appends `record` to its tenant's log as of `now_ms`,
/// but only when `guard` (SQL over parameters from ?9 on) holds.
fn audit_insert(
    db: &D1Database,
    record: &NewAuditRecord,
    now_ms: i64,
    guard: &str,
    guard_args: &[Arg],
) -> worker::Result<D1PreparedStatement> {
    let id = uuid::Uuid::new_v4().to_string();
    let details = serde_json::to_string(&record.details)
        .map_err(|err| worker::Error::RustError(format!("audit details: {err}")))?;
    let sql = format!(
        "INSERT INTO audit_log (id, tenant_id, seq, occurred_at, ip, user, activity, item, details) \
         SELECT ?1, ?2, COALESCE((SELECT MAX(seq) FROM audit_log WHERE tenant_id = ?2), 0) + 1, \
                ?3, ?4, ?5, ?6, ?7, ?8 \
         WHERE {guard}"
    );
    let mut args = vec![
        Arg::Text(&id),
        Arg::Text(&record.tenant_id.0),
        Arg::Int(now_ms),
        Arg::Text(&record.ip),
        Arg::Text(&record.user),
        Arg::Text(record.activity.as_str()),
        Arg::Text(&record.item),
        Arg::Text(&details),
    ];
    args.extend(guard_args.iter().map(|a| match a {
        Arg::Text(s) => Arg::Text(s),
        Arg::Int(n) => Arg::Int(*n),
    }));
    bind(db, &sql, &args)
}

/// Appends a record unconditionally (refused attempts, for example).
pub async fn append_audit(
    db: &D1Database,
    record: &NewAuditRecord,
    now_ms: i64,
) -> worker::Result<()> {
    audit_insert(db, record, now_ms, "1", &[])?.run().await?;
    Ok(())
}

fn changes(result: &worker::D1Result) -> worker::Result<usize> {
    Ok(result
        .meta()?
        .and_then(|meta| meta.changes)
        .unwrap_or_default())
}

/// Gives `role` to `user_id` of `tenant_id`, with its audit record, unless
/// they already hold it. Returns whether anything changed.
pub async fn assign_role(
    db: &D1Database,
    tenant_id: &TenantId,
    user_id: &str,
    role: CustomerRole,
    granted_by: &str,
    record: &NewAuditRecord,
    now_ms: i64,
) -> worker::Result<bool> {
    let guard = "NOT EXISTS (SELECT 1 FROM customer_roles WHERE tenant_id = ?9 AND user_id = ?10 AND role = ?11)";
    let guard_args = [
        Arg::Text(&tenant_id.0),
        Arg::Text(user_id),
        Arg::Text(role.as_str()),
    ];
    let results = db
        .batch(vec![
            audit_insert(db, record, now_ms, guard, &guard_args)?,
            bind(
                db,
                "INSERT INTO customer_roles (tenant_id, user_id, role, granted_by, granted_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
                &[
                    Arg::Text(&tenant_id.0),
                    Arg::Text(user_id),
                    Arg::Text(role.as_str()),
                    Arg::Text(granted_by),
                    Arg::Int(now_ms),
                ],
            )?,
        ])
        .await?;
    match results.get(1) {
        Some(result) => Ok(changes(result)? == 1),
        None => Err(worker::Error::RustError("batch returned no result".into())),
    }
}

/// Takes `role` from `user_id` of `tenant_id`, with its audit record, if
/// they hold it. Returns whether anything changed.
pub async fn remove_role(
    db: &D1Database,
    tenant_id: &TenantId,
    user_id: &str,
    role: CustomerRole,
    record: &NewAuditRecord,
    now_ms: i64,
) -> worker::Result<bool> {
    let guard = "EXISTS (SELECT 1 FROM customer_roles WHERE tenant_id = ?9 AND user_id = ?10 AND role = ?11)";
    let keys = [
        Arg::Text(&tenant_id.0),
        Arg::Text(user_id),
        Arg::Text(role.as_str()),
    ];
    let results = db
        .batch(vec![
            audit_insert(db, record, now_ms, guard, &keys)?,
            bind(
                db,
                "DELETE FROM customer_roles WHERE tenant_id = ?1 AND user_id = ?2 AND role = ?3",
                &keys,
            )?,
        ])
        .await?;
    match results.get(1) {
        Some(result) => Ok(changes(result)? == 1),
        None => Err(worker::Error::RustError("batch returned no result".into())),
    }
}

/// Everyone who can sign in, with their roles, for the local sign-in page.
pub async fn dev_people(db: &D1Database) -> worker::Result<Vec<DevPerson>> {
    #[derive(Deserialize)]
    struct Row {
        email: String,
        display_name: String,
        tenant_name: Option<String>,
        roles: Option<String>,
    }
    let rows: Vec<Row> = db
        .prepare(
            "SELECT u.email, u.display_name, t.name AS tenant_name, \
                    COALESCE((SELECT GROUP_CONCAT(role, ',') FROM customer_roles r WHERE r.user_id = u.id), \
                             (SELECT GROUP_CONCAT(role, ',') FROM provider_roles p WHERE p.user_id = u.id)) AS roles \
             FROM users u LEFT JOIN tenants t ON t.id = u.tenant_id \
             ORDER BY t.name IS NULL, t.name, u.email",
        )
        .all()
        .await?
        .results()?;
    Ok(rows
        .into_iter()
        .map(|row| DevPerson {
            email: row.email,
            display_name: row.display_name,
            tenant_name: row.tenant_name,
            roles: row
                .roles
                .unwrap_or_default()
                .split(',')
                .filter_map(|r| {
                    CustomerRole::parse(r)
                        .map(|c| c.label().to_owned())
                        .or_else(|| ProviderRole::parse(r).map(|p| p.label().to_owned()))
                })
                .collect(),
        })
        .collect())
}
