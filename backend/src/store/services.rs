//! The provider's registered services, the provider log of their changes,
//! the assertions they signed in with, and the batches of actions they
//! recorded.

use std::collections::BTreeMap;

use lockbox_shared::integration::{
    ProviderActivity, ProviderLogEntry, RefusalCount, RegisteredService, ServiceOperation,
    ServicePublicKey, ServiceRegistration,
};
use serde::Deserialize;

use super::db::{Condition, Database, DbError, Statement, Value};

#[derive(Deserialize)]
struct ServiceRow {
    id: String,
    name: String,
    serves: String,
    operations: String,
    keys: String,
    access_common_name: Option<String>,
    created_at: i64,
    updated_at: i64,
    updated_by: String,
}

impl ServiceRow {
    fn into_service(self) -> Result<RegisteredService, DbError> {
        let corrupt = |what: &str, e: serde_json::Error| {
            DbError::Corrupt(format!("provider service {}: {what}: {e}", self.id))
        };
        let serves: Vec<String> =
            serde_json::from_str(&self.serves).map_err(|e| corrupt("serves", e))?;
        let operations: Vec<ServiceOperation> =
            serde_json::from_str(&self.operations).map_err(|e| corrupt("operations", e))?;
        let keys: Vec<ServicePublicKey> =
            serde_json::from_str(&self.keys).map_err(|e| corrupt("keys", e))?;
        Ok(RegisteredService {
            registration: ServiceRegistration {
                id: self.id,
                name: self.name,
                serves,
                operations,
                keys,
                access_common_name: self.access_common_name,
            },
            created_at: self.created_at,
            updated_at: self.updated_at,
            updated_by: self.updated_by,
        })
    }
}

const COLUMNS: &str =
    "id, name, serves, operations, keys, access_common_name, created_at, updated_at, updated_by";

async fn services<D: Database>(
    db: &D,
    statement: Statement,
) -> Result<Vec<RegisteredService>, DbError> {
    let rows: Vec<ServiceRow> = db.query(statement).await?;
    rows.into_iter().map(ServiceRow::into_service).collect()
}

/// Every registered service, by id.
pub async fn all<D: Database>(db: &D) -> Result<Vec<RegisteredService>, DbError> {
    services(
        db,
        Statement::new(
            format!("SELECT {COLUMNS} FROM provider_services ORDER BY id"),
            vec![],
        ),
    )
    .await
}

/// The query of the service `id`.
pub fn by_id_statement(id: &str) -> Statement {
    Statement::new(
        format!("SELECT {COLUMNS} FROM provider_services WHERE id = ?"),
        vec![id.into()],
    )
}

/// The query of the service a Cloudflare Access service token
/// `common_name` signs in.
pub fn by_common_name_statement(common_name: &str) -> Statement {
    Statement::new(
        format!("SELECT {COLUMNS} FROM provider_services WHERE access_common_name = ?"),
        vec![common_name.into()],
    )
}

/// The service the rows of [`by_id_statement`] or
/// [`by_common_name_statement`] hold, if any.
pub fn service_from(rows: Vec<serde_json::Value>) -> Result<Option<RegisteredService>, DbError> {
    rows.into_iter()
        .next()
        .map(|row| {
            serde_json::from_value::<ServiceRow>(row)
                .map_err(|e| DbError::Corrupt(format!("provider service row: {e}")))?
                .into_service()
        })
        .transpose()
}

/// The service `id`, if registered.
pub async fn by_id<D: Database>(db: &D, id: &str) -> Result<Option<RegisteredService>, DbError> {
    Ok(services(db, by_id_statement(id)).await?.pop())
}

/// The services that serve the tenants' service `service`.
pub async fn serving<D: Database>(
    db: &D,
    service: &str,
) -> Result<Vec<RegisteredService>, DbError> {
    services(
        db,
        Statement::new(
            format!(
                "SELECT {COLUMNS} FROM provider_services \
                 WHERE EXISTS (SELECT 1 FROM json_each(serves) WHERE value = ?) ORDER BY id"
            ),
            vec![service.into()],
        ),
    )
    .await
}

fn json(value: &impl serde::Serialize) -> Value {
    // Lists of plain structs always serialise.
    Value::Text(serde_json::to_string(value).unwrap_or_else(|_| "[]".to_owned()))
}

/// The provider log's record of `activity` on service `item` by `user`.
pub fn log(
    activity: ProviderActivity,
    item: &str,
    user: &str,
    details: &BTreeMap<String, String>,
    now: i64,
    condition: Option<&Condition>,
) -> Statement {
    let mut args: Vec<Value> = vec![
        now.into(),
        user.into(),
        activity.as_str().into(),
        item.into(),
        json(details),
    ];
    let guard = match condition {
        Some(c) => {
            args.extend(c.args.iter().cloned());
            format!("WHERE {}", c.sql)
        }
        None => String::new(),
    };
    Statement::new(
        format!(
            "INSERT INTO provider_log (occurred_at, user, activity, item, details) \
             SELECT ?, ?, ?, ?, ? {guard}"
        ),
        args,
    )
}

/// Registers `r`, or replaces the registration with its id, as `user`.
pub fn upsert(r: &ServiceRegistration, user: &str, now: i64) -> Statement {
    Statement::new(
        "INSERT INTO provider_services (id, name, serves, operations, keys, access_common_name, \
                                        created_at, updated_at, updated_by) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, serves = excluded.serves, \
             operations = excluded.operations, keys = excluded.keys, \
             access_common_name = excluded.access_common_name, \
             updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        vec![
            r.id.as_str().into(),
            r.name.as_str().into(),
            json(&r.serves),
            json(&r.operations),
            json(&r.keys),
            r.access_common_name
                .as_deref()
                .map_or(Value::Null, Value::from),
            now.into(),
            now.into(),
            user.into(),
        ],
    )
}

/// Removes service `id`.
pub fn remove(id: &str) -> Statement {
    Statement::new(
        "DELETE FROM provider_services WHERE id = ?",
        vec![id.into()],
    )
}

/// "Service `id` is registered", for a guard.
pub fn registered(id: &str) -> Condition {
    Condition::new(
        "EXISTS (SELECT 1 FROM provider_services WHERE id = ?)",
        vec![id.into()],
    )
}

#[derive(Deserialize)]
struct LogRow {
    seq: i64,
    occurred_at: i64,
    user: String,
    activity: String,
    item: String,
    details: String,
}

/// The newest `limit` entries of the provider log.
pub async fn log_page<D: Database>(db: &D, limit: i64) -> Result<Vec<ProviderLogEntry>, DbError> {
    let rows: Vec<LogRow> = db
        .query(Statement::new(
            "SELECT seq, occurred_at, user, activity, item, details FROM provider_log \
             ORDER BY seq DESC LIMIT ?",
            vec![limit.into()],
        ))
        .await?;
    rows.into_iter()
        .map(|r| {
            Ok(ProviderLogEntry {
                details: serde_json::from_str(&r.details).map_err(|e| {
                    DbError::Corrupt(format!("provider log {}: details: {e}", r.seq))
                })?,
                seq: r.seq,
                occurred_at: r.occurred_at,
                user: r.user,
                activity: r.activity,
                item: r.item,
            })
        })
        .collect()
}

const DAY_MS: i64 = 86_400_000;

/// Counts one refused service call for `reason`.
pub fn count_refusal(reason: &str, now: i64) -> Statement {
    Statement::new(
        "INSERT INTO service_refusals (day, reason, count) VALUES (?, ?, 1) \
         ON CONFLICT (day, reason) DO UPDATE SET count = count + 1",
        vec![now.div_euclid(DAY_MS).into(), reason.into()],
    )
}

/// Refused service calls of today and yesterday, by reason.
pub async fn refusals<D: Database>(db: &D, now: i64) -> Result<Vec<RefusalCount>, DbError> {
    db.query(Statement::new(
        "SELECT reason, SUM(count) AS count FROM service_refusals WHERE day >= ? \
         GROUP BY reason ORDER BY reason",
        vec![(now.div_euclid(DAY_MS) - 1).into()],
    ))
    .await
}

/// Remembers assertion `jti` of `service` until `expires_at`; changes no
/// row when it was seen before (a replay).
pub fn remember_assertion(service: &str, jti: &str, expires_at: i64) -> Statement {
    Statement::new(
        "INSERT INTO service_assertions (service_id, jti, expires_at) VALUES (?, ?, ?) \
         ON CONFLICT DO NOTHING",
        vec![service.into(), jti.into(), expires_at.into()],
    )
}

/// "Assertion `jti` of `service` was not seen before": what a batch that
/// remembers it in its own write is guarded on (the remembering comes
/// after the guarded statement).
pub fn unseen_assertion(service: &str, jti: &str) -> Condition {
    Condition::new(
        "NOT EXISTS (SELECT 1 FROM service_assertions WHERE service_id = ? AND jti = ?)",
        vec![service.into(), jti.into()],
    )
}

/// Forgets assertions that expired before `now` (the scheduled job).
pub fn forget_expired_assertions(now: i64) -> Statement {
    Statement::new(
        "DELETE FROM service_assertions WHERE expires_at < ?",
        vec![now.into()],
    )
}

/// A stored batch: what a retry needs to answer as the first call did.
#[derive(Debug, Clone, Deserialize)]
pub struct BatchRow {
    pub request_id: String,
    pub tenant_id: String,
    pub body_digest: String,
    pub record_ids: String,
    pub recorded_at: i64,
}

/// The batch `batch_id` of `service`, if recorded.
pub fn batch(service: &str, batch_id: &str) -> Statement {
    Statement::new(
        "SELECT request_id, tenant_id, body_digest, record_ids, recorded_at FROM provider_batches \
         WHERE service_id = ? AND batch_id = ?",
        vec![service.into(), batch_id.into()],
    )
}

/// What a new batch writes first: its row, only when `live` holds and no
/// batch with its id exists. Its records are guarded by [`inserted_by`].
pub struct NewBatch<'a> {
    pub service: &'a str,
    pub batch_id: &'a str,
    pub attempt: &'a str,
    pub request_id: &'a str,
    pub tenant_id: &'a str,
    pub body_digest: &'a str,
    pub record_ids: &'a [String],
}

/// The batch's row, written only when `live` holds and the batch is new.
pub fn insert_batch(b: &NewBatch<'_>, live: &Condition, now: i64) -> Statement {
    let mut args: Vec<Value> = vec![
        b.service.into(),
        b.batch_id.into(),
        b.attempt.into(),
        b.request_id.into(),
        b.tenant_id.into(),
        b.body_digest.into(),
        json(&b.record_ids),
        now.into(),
        b.service.into(),
        b.batch_id.into(),
    ];
    args.extend(live.args.iter().cloned());
    Statement::new(
        format!(
            "INSERT INTO provider_batches (service_id, batch_id, attempt, request_id, tenant_id, \
                                           body_digest, record_ids, recorded_at) \
             SELECT ?, ?, ?, ?, ?, ?, ?, ? \
             WHERE NOT EXISTS (SELECT 1 FROM provider_batches WHERE service_id = ? AND batch_id = ?) \
               AND {}",
            live.sql
        ),
        args,
    )
}

/// "This very attempt wrote the batch's row": the guard of its records.
pub fn inserted_by(service: &str, batch_id: &str, attempt: &str) -> Condition {
    Condition::new(
        "EXISTS (SELECT 1 FROM provider_batches WHERE service_id = ? AND batch_id = ? AND attempt = ?)",
        vec![service.into(), batch_id.into(), attempt.into()],
    )
}

#[derive(Debug, Clone, Deserialize)]
pub struct RevokedRow {
    pub id: String,
    pub tenant_id: String,
    pub service: String,
    pub ended_at: i64,
}

/// Grants of `services` ended early at or after `since`, oldest first,
/// from the provider's index (every tenant's, wherever its data is: a
/// revoke's copy is written right after its commit).
pub fn revoked_since(services: &[String], since: i64, limit: i64) -> Statement {
    Statement::new(
        "SELECT id, tenant_id, service, ended_at FROM request_index \
         WHERE state = 'Revoked' AND ended_at >= ? \
           AND service IN (SELECT value FROM json_each(?)) \
         ORDER BY ended_at, id LIMIT ?",
        vec![
            since.into(),
            super::db::json_list(services.iter().map(String::as_str)),
            limit.into(),
        ],
    )
}

#[derive(Debug, Clone, Deserialize)]
pub struct FrozenRow {
    pub id: String,
    pub frozen_at: i64,
}

/// The tenants frozen now.
pub fn frozen_tenants() -> Statement {
    Statement::new(
        "SELECT id, frozen_at FROM tenants WHERE frozen_at IS NOT NULL ORDER BY id",
        vec![],
    )
}
