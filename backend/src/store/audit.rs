//! The audit log as stored: append-only rows, numbered per tenant.

use std::collections::BTreeMap;

use lockbox_shared::audit::{Activity, AuditRecord, NewAuditRecord};
use lockbox_shared::ids::TenantId;
use serde::Deserialize;

use super::db::{json_list, Condition, Database, DbError, Statement, Value};

/// A fresh id for a record that is not a request's state change.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Appends `record` with id `id` as of `now`, when `condition` holds (or
/// always, for `None`). The sequence number is the tenant's next.
pub fn insert(
    record: &NewAuditRecord,
    id: &str,
    now: i64,
    condition: Option<&Condition>,
) -> Statement {
    // A map of strings always serialises; the fallback is never taken.
    let details = serde_json::to_string(&record.details).unwrap_or_else(|_| "{}".to_owned());
    let tenant = record.tenant_id.as_str();
    let mut args: Vec<Value> = vec![
        id.into(),
        tenant.into(),
        tenant.into(),
        now.into(),
        (&record.ip).into(),
        (&record.user).into(),
        record.activity.as_str().into(),
        (&record.item).into(),
        details.into(),
    ];
    let condition = match condition {
        Some(condition) => {
            args.extend(condition.args.iter().cloned());
            format!("WHERE {}", condition.sql)
        }
        None => String::new(),
    };
    Statement::new(
        format!(
            "INSERT INTO audit_log (id, tenant_id, seq, occurred_at, ip, user, activity, item, details) \
             SELECT ?, ?, COALESCE((SELECT MAX(seq) FROM audit_log WHERE tenant_id = ?), 0) + 1, ?, ?, ?, ?, ?, ? {condition}"
        ),
        args,
    )
}

/// Appends a record unconditionally (refused attempts, for example).
pub async fn append<D: Database>(db: &D, record: &NewAuditRecord, now: i64) -> Result<(), DbError> {
    db.batch(vec![insert(record, &new_id(), now, None)]).await?;
    Ok(())
}

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
    /// Only where the query joins `audit_leaves` (searches, exports).
    #[serde(default)]
    leaf_hash: Option<String>,
}

impl AuditRow {
    fn into_record(self) -> Result<AuditRecord, DbError> {
        let corrupt = |why: String| DbError::Corrupt(format!("audit record {}: {why}", self.id));
        let activity = Activity::parse(&self.activity)
            .ok_or_else(|| corrupt(format!("unknown activity {:?}", self.activity)))?;
        let details: BTreeMap<String, String> = serde_json::from_str(&self.details)
            .map_err(|err| corrupt(format!("details are not a JSON object of strings: {err}")))?;
        let tenant_id = TenantId::parse(&self.tenant_id).map_err(|e| corrupt(e.message))?;
        Ok(AuditRecord {
            id: self.id,
            seq: self.seq,
            occurred_at: self.occurred_at,
            record: NewAuditRecord {
                tenant_id,
                ip: self.ip,
                user: self.user,
                activity,
                item: self.item,
                details,
            },
        })
    }
}

const COLUMNS: &str = "id, seq, occurred_at, ip, user, activity, item, details, tenant_id";

/// The records of `tenant_id` with these ids (in sequence order).
pub fn by_ids(tenant_id: &TenantId, ids: &[String]) -> Statement {
    Statement::new(
        format!(
            "SELECT {COLUMNS} FROM audit_log WHERE tenant_id = ? \
             AND id IN (SELECT value FROM json_each(?)) ORDER BY seq"
        ),
        vec![
            tenant_id.as_str().into(),
            json_list(ids.iter().map(String::as_str)),
        ],
    )
}

/// Records read as JSON rows (a query inside a write batch).
pub fn records_from(rows: Vec<serde_json::Value>) -> Result<Vec<AuditRecord>, DbError> {
    rows.into_iter()
        .map(|row| {
            serde_json::from_value::<AuditRow>(row)
                .map_err(|e| DbError::Other(e.to_string()))?
                .into_record()
        })
        .collect()
}

/// The records a query selects, in its order. A row that cannot be read
/// is an error: the log is append-only, and losing a row on read is losing it.
pub async fn select<D: Database>(
    db: &D,
    statement: Statement,
) -> Result<Vec<AuditRecord>, DbError> {
    let rows: Vec<AuditRow> = db.query(statement).await?;
    rows.into_iter().map(AuditRow::into_record).collect()
}

/// The records of `tenant_id` after sequence number `after`, oldest first,
/// at most `limit`.
pub fn after(tenant_id: &TenantId, after: i64, limit: i64) -> Statement {
    Statement::new(
        format!(
            "SELECT {COLUMNS} FROM audit_log WHERE tenant_id = ? AND seq > ? ORDER BY seq LIMIT ?"
        ),
        vec![tenant_id.as_str().into(), after.into(), limit.into()],
    )
}

/// Record `seq` of `tenant_id`.
pub fn at(tenant_id: &TenantId, seq: i64) -> Statement {
    Statement::new(
        format!("SELECT {COLUMNS} FROM audit_log WHERE tenant_id = ? AND seq = ?"),
        vec![tenant_id.as_str().into(), seq.into()],
    )
}

/// Record `id` of `tenant_id`.
pub fn by_id(tenant_id: &TenantId, id: &str) -> Statement {
    Statement::new(
        format!("SELECT {COLUMNS} FROM audit_log WHERE tenant_id = ? AND id = ?"),
        vec![tenant_id.as_str().into(), id.into()],
    )
}

/// The audit records of one item of a tenant, oldest first.
pub fn history(tenant_id: &TenantId, item: &str) -> Statement {
    Statement::new(
        format!("SELECT {COLUMNS} FROM audit_log WHERE tenant_id = ? AND item = ? ORDER BY seq"),
        vec![tenant_id.as_str().into(), item.into()],
    )
}

/// The request a record belongs to (its `RequestId` detail), as SQL on
/// `audit_log` aliased `a`. Index `audit_log_tenant_request` (migration
/// 0013) is on this very expression: SQLite uses an expression index only
/// for the same expression, which the model test's query plans check.
const REQUEST_OF: &str = "json_extract(a.details, '$.RequestId')";
/// The ticket a record belongs to (its `Ticket` detail); index
/// `audit_log_tenant_ticket`.
const TICKET_OF: &str = "json_extract(a.details, '$.Ticket')";

/// "Record `a` is an operator record under request `request` of
/// `tenant_id`": tied to it by its `RequestId` detail, and not one of the
/// request's own changes (their item is the request). Refused attempts
/// that named the request count too. The one definition of a grant's
/// actions: the request page lists them, the end record counts them.
fn under_request(tenant_id: &TenantId, request: &str) -> Condition {
    Condition::new(
        format!("a.tenant_id = ? AND {REQUEST_OF} = ? AND a.item <> ?"),
        vec![tenant_id.as_str().into(), request.into(), request.into()],
    )
}

/// The operator actions recorded under request `request` of `tenant_id`
/// ([`under_request`]), the newest `limit`, oldest first once reversed by
/// the caller.
pub fn actions_of(tenant_id: &TenantId, request: &str, limit: i64) -> Statement {
    let under = under_request(tenant_id, request);
    let mut args = under.args;
    args.push(limit.into());
    Statement::new(
        format!(
            "SELECT {A_COLUMNS} FROM audit_log a WHERE {} ORDER BY a.seq DESC LIMIT ?",
            under.sql
        ),
        args,
    )
}

/// Every operator record under any of `requests` of `tenant_id`
/// ([`under_request`]), oldest first: what the write that ends their
/// grants counts and digests.
pub fn actions_under(tenant_id: &TenantId, requests: &[&str]) -> Statement {
    Statement::new(
        format!(
            "SELECT {A_COLUMNS} FROM audit_log a WHERE a.tenant_id = ? \
             AND {REQUEST_OF} IN (SELECT value FROM json_each(?)) AND a.item <> {REQUEST_OF} \
             ORDER BY a.seq"
        ),
        vec![
            tenant_id.as_str().into(),
            json_list(requests.iter().copied()),
        ],
    )
}

/// "Request `request` has exactly `count` operator records": the guard of
/// the write that ends its grant with a record that counts them.
pub fn actions_counted(tenant_id: &TenantId, request: &str, count: usize) -> Condition {
    let under = under_request(tenant_id, request);
    let mut args = under.args;
    args.push((count as i64).into());
    Condition::new(
        format!("(SELECT COUNT(*) FROM audit_log a WHERE {}) = ?", under.sql),
        args,
    )
}

/// Every operator record under `request` of `tenant_id` recorded before
/// record `before_seq` (its end record), oldest first.
pub fn actions_before(tenant_id: &TenantId, request: &str, before_seq: i64) -> Statement {
    let under = under_request(tenant_id, request);
    let mut args = under.args;
    args.push(before_seq.into());
    Statement::new(
        format!(
            "SELECT {A_COLUMNS} FROM audit_log a WHERE {} AND a.seq < ? ORDER BY a.seq",
            under.sql
        ),
        args,
    )
}

/// Filters of an audit search.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditFilter {
    /// From this time on (epoch ms, inclusive).
    pub start: Option<i64>,
    /// Before this time (epoch ms, exclusive).
    pub end: Option<i64>,
    /// Any of these activities (empty: all).
    pub activities: Vec<String>,
    /// Any of these users (empty: all).
    pub users: Vec<String>,
    /// This item exactly.
    pub item: Option<String>,
    /// Records of this request (its `RequestId` detail): its changes and
    /// the operator actions under its grant.
    pub request: Option<String>,
    /// Records of this ticket (its `Ticket` detail).
    pub ticket: Option<String>,
    /// The user contains this text (any case).
    pub user_contains: Option<String>,
    /// The activity contains this text (any case).
    pub activity_contains: Option<String>,
    /// Only records older than this sequence number (the cursor).
    pub before_seq: Option<i64>,
}

/// The rows of `tenant_id`'s log that `filter` selects, as a condition on
/// `audit_log` (aliased `a`).
fn selected(tenant_id: &TenantId, filter: &AuditFilter) -> Condition {
    let mut conditions = vec!["a.tenant_id = ?".to_owned()];
    let mut args: Vec<Value> = vec![tenant_id.as_str().into()];
    if let Some(start) = filter.start {
        conditions.push("a.occurred_at >= ?".to_owned());
        args.push(start.into());
    }
    if let Some(end) = filter.end {
        conditions.push("a.occurred_at < ?".to_owned());
        args.push(end.into());
    }
    // Each list is one parameter (D1 binds at most 100 per statement).
    for (column, values) in [
        ("a.activity", &filter.activities),
        ("a.user", &filter.users),
    ] {
        if !values.is_empty() {
            conditions.push(format!("{column} IN (SELECT value FROM json_each(?))"));
            args.push(json_list(values.iter().map(String::as_str)));
        }
    }
    for (sql, value) in [
        ("a.item = ?".to_owned(), &filter.item),
        (format!("{REQUEST_OF} = ?"), &filter.request),
        (format!("{TICKET_OF} = ?"), &filter.ticket),
    ] {
        if let Some(value) = value {
            conditions.push(sql);
            args.push(value.into());
        }
    }
    // instr, not LIKE: the text is matched as typed, `%` and `_` included.
    for (column, text) in [
        ("a.user", &filter.user_contains),
        ("a.activity", &filter.activity_contains),
    ] {
        if let Some(text) = text {
            conditions.push(format!("instr(lower({column}), lower(?)) > 0"));
            args.push(text.into());
        }
    }
    if let Some(seq) = filter.before_seq {
        conditions.push("a.seq < ?".to_owned());
        args.push(seq.into());
    }
    Condition::new(conditions.join(" AND "), args)
}

/// The columns of a record, from `audit_log a`.
const A_COLUMNS: &str =
    "a.id, a.seq, a.occurred_at, a.ip, a.user, a.activity, a.item, a.details, a.tenant_id";

/// One page of a tenant's audit log, newest first, each record with its
/// leaf hash; `limit + 1` rows. Read with [`select_exported`].
pub fn search(tenant_id: &TenantId, filter: &AuditFilter, limit: i64) -> Statement {
    let condition = selected(tenant_id, filter);
    let mut args = condition.args;
    args.push((limit + 1).into());
    Statement::new(
        format!(
            "SELECT {A_COLUMNS}, l.leaf_hash FROM audit_log a \
             LEFT JOIN audit_leaves l ON l.tenant_id = a.tenant_id AND l.seq = a.seq \
             WHERE {} ORDER BY a.seq DESC LIMIT ?",
            condition.sql
        ),
        args,
    )
}

/// How many records `filter` selects.
pub fn count(tenant_id: &TenantId, filter: &AuditFilter) -> Statement {
    let condition = selected(tenant_id, filter);
    Statement::new(
        format!(
            "SELECT COUNT(*) AS n FROM audit_log a WHERE {}",
            condition.sql
        ),
        condition.args,
    )
}

/// A record with its leaf hash, if sealed.
pub struct Exported {
    /// The record.
    pub record: AuditRecord,
    /// Its leaf hash (base64), or empty while not yet sealed.
    pub leaf_hash: String,
}

/// The next `limit` records `filter` selects after sequence number
/// `after_seq`, oldest first, each with its leaf hash.
pub fn export_page(
    tenant_id: &TenantId,
    filter: &AuditFilter,
    after_seq: i64,
    limit: i64,
) -> Statement {
    let condition = selected(tenant_id, filter);
    let mut args = condition.args;
    args.push(after_seq.into());
    args.push(limit.into());
    Statement::new(
        format!(
            "SELECT {A_COLUMNS}, l.leaf_hash FROM audit_log a \
             LEFT JOIN audit_leaves l ON l.tenant_id = a.tenant_id AND l.seq = a.seq \
             WHERE {} AND a.seq > ? ORDER BY a.seq LIMIT ?",
            condition.sql
        ),
        args,
    )
}

/// The records an export statement selects.
pub async fn select_exported<D: Database>(
    db: &D,
    statement: Statement,
) -> Result<Vec<Exported>, DbError> {
    let rows: Vec<AuditRow> = db.query(statement).await?;
    rows.into_iter()
        .map(|mut row| {
            let leaf_hash = row.leaf_hash.take().unwrap_or_default();
            Ok(Exported {
                record: row.into_record()?,
                leaf_hash,
            })
        })
        .collect()
}

/// How many refused attempts of one identity a tenant's log records per
/// minute; more in that minute are not recorded, so nobody can flood it.
pub const REFUSED_PER_MINUTE: i64 = 5;

/// Appends the record of a refused attempt, unless `record.user` already
/// has [`REFUSED_PER_MINUTE`] of them in this tenant's log in the last
/// minute. Returns whether it was recorded.
pub async fn append_refused<D: Database>(
    db: &D,
    record: &NewAuditRecord,
    now: i64,
) -> Result<bool, DbError> {
    let under_limit = Condition::new(
        "(SELECT COUNT(*) FROM audit_log WHERE tenant_id = ? AND user = ? AND occurred_at > ? \
          AND json_extract(details, '$.Outcome') = 'Refused') < ?",
        vec![
            record.tenant_id.as_str().into(),
            (&record.user).into(),
            (now - 60_000).into(),
            REFUSED_PER_MINUTE.into(),
        ],
    );
    let changes = db
        .batch(vec![insert(record, &new_id(), now, Some(&under_limit))])
        .await?;
    Ok(changes.first() == Some(&1))
}

/// Appends `count` made-up records to `tenant_id`'s log in one statement,
/// one a second from 2025-01-01 by sequence number, cycling through the activities and a few
/// users (local development only: tests and benchmarks of large logs).
pub fn bulk(tenant_id: &TenantId, count: i64) -> Statement {
    let names: Vec<&str> = Activity::names().collect();
    let cases: String = names
        .iter()
        .enumerate()
        .map(|(i, n)| format!("WHEN {i} THEN '{n}' "))
        .collect();
    let kinds = names.len();
    Statement::new(
        format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?), \
                  base(s) AS (SELECT COALESCE((SELECT MAX(seq) FROM audit_log WHERE tenant_id = ?), 0)) \
             INSERT INTO audit_log (id, tenant_id, seq, occurred_at, ip, user, activity, item, details) \
             SELECT lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || \
                    substr(lower(hex(randomblob(2))), 2) || '-a' || substr(lower(hex(randomblob(2))), 2) || '-' || \
                    lower(hex(randomblob(6))), \
                    ?, base.s + n.i, 1735689600000 + (base.s + n.i) * 1000, '198.51.100.' || (n.i % 200), \
                    'person' || (n.i % 7) || '@bulk.example', \
                    CASE n.i % {kinds} {cases}END, \
                    'item-' || (n.i % 1000), \
                    json_object('Outcome', 'Succeeded', 'Note', 'bulk record ' || n.i) \
             FROM n, base"
        ),
        vec![count.into(), tenant_id.as_str().into(), tenant_id.as_str().into()],
    )
}
