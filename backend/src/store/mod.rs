//! The SQL the Worker runs and its guarded writes, over any [`Database`]
//! (D1 in the Worker, SQLite in the model test).
//!
//! A change and its audit record go in one batch (one transaction) and carry
//! the same condition, so either both happen or neither does.

pub mod d1;
pub mod sql;

use lockbox_shared::api::{DevPerson, RoleHolder, RoleMembers, TenantMember, TenantRoles};
use lockbox_shared::audit::NewAuditRecord;
use lockbox_shared::ids::{TenantId, UserId};
use lockbox_shared::roles::{CustomerRole, Membership, Principal, ProviderRole};
use serde::Deserialize;

pub use sql::{Database, DbError};

async fn first<D: Database, T: serde::de::DeserializeOwned>(
    db: &D,
    statement: sql::Statement,
) -> Result<Option<T>, DbError> {
    Ok(db.query(statement).await?.into_iter().next())
}

/// When the scheduled job last ran (epoch ms), if it ever did.
pub async fn last_cron_run<D: Database>(db: &D) -> Result<Option<i64>, DbError> {
    #[derive(Deserialize)]
    struct Row {
        last: Option<i64>,
    }
    Ok(first::<_, Row>(db, sql::last_cron_run())
        .await?
        .and_then(|r| r.last))
}

/// Records one run of the scheduled job.
pub async fn record_cron_run<D: Database>(
    db: &D,
    scheduled_at: i64,
    cron: &str,
    finished_at: i64,
    outcome: &lockbox_shared::api::SweepOutcome,
) -> Result<(), DbError> {
    db.batch(vec![sql::record_cron_run(
        scheduled_at,
        cron,
        finished_at,
        outcome,
    )])
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

/// The person with this e-mail (case-insensitive), if any.
pub async fn user_by_email<D: Database>(db: &D, email: &str) -> Result<Option<UserRow>, DbError> {
    first(db, sql::user_by_email(email)).await
}

#[derive(Deserialize)]
struct RoleRow {
    role: String,
}

/// Resolves a verified identity to a principal with its roles.
pub async fn principal<D: Database>(db: &D, identity: &str) -> Result<Option<Principal>, DbError> {
    let Some(user) = user_by_email(db, identity).await? else {
        return Ok(None);
    };
    let membership = match (user.tenant_id, user.tenant_name) {
        (Some(tenant_id), Some(tenant_name)) => {
            let rows: Vec<RoleRow> = db
                .query(sql::customer_roles_of(&user.id, &tenant_id))
                .await?;
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
            let rows: Vec<RoleRow> = db.query(sql::provider_roles_of(&user.id)).await?;
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
pub async fn tenant_roles<D: Database>(
    db: &D,
    tenant_id: &TenantId,
    tenant_name: &str,
) -> Result<TenantRoles, DbError> {
    #[derive(Deserialize)]
    struct HolderRow {
        role: String,
        user_id: String,
        email: String,
        display_name: String,
        granted_by: Option<String>,
        granted_at: i64,
    }
    let holders: Vec<HolderRow> = db.query(sql::role_holders(&tenant_id.0)).await?;
    let members: Vec<TenantMember> = db.query(sql::tenant_members(&tenant_id.0)).await?;
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
                    granted_at: h.granted_at,
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

/// A fresh id for a record that is not a request transition.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Appends a record unconditionally (refused attempts, for example).
pub async fn append_audit<D: Database>(
    db: &D,
    record: &NewAuditRecord,
    now: i64,
) -> Result<(), DbError> {
    db.batch(vec![sql::audit_insert(record, &new_id(), now, None)])
        .await?;
    Ok(())
}

/// Gives `role` to `user_id` of `tenant_id`, with its audit record, unless
/// they already hold it. Returns whether anything changed.
pub async fn assign_role<D: Database>(
    db: &D,
    tenant_id: &TenantId,
    user_id: &str,
    role: CustomerRole,
    granted_by: &str,
    record: &NewAuditRecord,
    now: i64,
) -> Result<bool, DbError> {
    let absent = sql::holds_role(&tenant_id.0, user_id, role.as_str(), false);
    let changes = db
        .batch(vec![
            sql::audit_insert(record, &new_id(), now, Some(&absent)),
            sql::insert_role(&tenant_id.0, user_id, role.as_str(), granted_by, now),
        ])
        .await?;
    Ok(changes.last() == Some(&1))
}

/// Takes `role` from `user_id` of `tenant_id`, with its audit record, if
/// they hold it. Returns whether anything changed.
pub async fn remove_role<D: Database>(
    db: &D,
    tenant_id: &TenantId,
    user_id: &str,
    role: CustomerRole,
    record: &NewAuditRecord,
    now: i64,
) -> Result<bool, DbError> {
    let held = sql::holds_role(&tenant_id.0, user_id, role.as_str(), true);
    let changes = db
        .batch(vec![
            sql::audit_insert(record, &new_id(), now, Some(&held)),
            sql::delete_role(&tenant_id.0, user_id, role.as_str()),
        ])
        .await?;
    Ok(changes.last() == Some(&1))
}

/// Everyone who can sign in, with their roles, for the local sign-in page.
pub async fn dev_people<D: Database>(db: &D) -> Result<Vec<DevPerson>, DbError> {
    #[derive(Deserialize)]
    struct Row {
        email: String,
        display_name: String,
        tenant_name: Option<String>,
        roles: Option<String>,
    }
    let rows: Vec<Row> = db.query(sql::dev_people()).await?;
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

/// Moves every time of a request `ms` into the past (local development).
pub async fn shift_request<D: Database>(db: &D, id: &str, ms: i64) -> Result<(), DbError> {
    db.batch(vec![sql::shift_request(id, ms)]).await?;
    Ok(())
}
