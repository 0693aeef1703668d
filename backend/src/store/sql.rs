//! Every SQL statement the Worker sends, built as plain values.
//!
//! Nothing here does I/O: the Worker sends these statements to D1 and the
//! model test runs the very same ones on SQLite, so both exercise one set of
//! guards. Parameters are anonymous (`?`), bound in textual order.

use lockbox_shared::audit::NewAuditRecord;
use lockbox_shared::lifecycle::{AccessRequest, State, Verb};
use serde::de::DeserializeOwned;

/// A value bound to a parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Text(String),
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Text(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Text(s)
    }
}

impl From<&String> for Value {
    fn from(s: &String) -> Self {
        Value::Text(s.clone())
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::Int(n)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Int(i64::from(b))
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// One statement with its arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub sql: String,
    pub args: Vec<Value>,
}

impl Statement {
    pub fn new(sql: impl Into<String>, args: Vec<Value>) -> Self {
        Self {
            sql: sql.into(),
            args,
        }
    }
}

/// A failed database call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbError {
    /// A UNIQUE or PRIMARY KEY constraint refused the write.
    Unique(String),
    /// Anything else.
    Other(String),
}

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DbError::Unique(m) | DbError::Other(m) => f.write_str(m),
        }
    }
}

impl DbError {
    /// Classifies a driver's error message.
    pub fn from_message(message: String) -> Self {
        if message.contains("UNIQUE constraint failed") {
            DbError::Unique(message)
        } else {
            DbError::Other(message)
        }
    }
}

/// What the lifecycle needs from a database: D1 in the Worker, SQLite in
/// the model test.
// Workers are single-threaded: the futures need not be Send.
#[allow(async_fn_in_trait)]
pub trait Database {
    /// Runs the statements as one transaction; returns rows changed by each.
    async fn batch(&self, statements: Vec<Statement>) -> Result<Vec<usize>, DbError>;
    /// Runs one query and deserialises its rows.
    async fn query<T: DeserializeOwned>(&self, statement: Statement) -> Result<Vec<T>, DbError>;
}

/// A condition on one `access_requests` row, used both to guard the UPDATE
/// and (inside `EXISTS`) to guard the audit and idempotency inserts, so that
/// all of them happen or none does.
#[derive(Debug, Clone, PartialEq)]
pub struct Guard {
    pub sql: String,
    pub args: Vec<Value>,
}

/// The columns a transition may change, in the order of [`mutable_values`].
const MUTABLE_COLUMNS: [&str; 14] = [
    "state",
    "manager_id",
    "manager_email",
    "manager_decided_at",
    "lockbox_required",
    "pending_expires_at",
    "customer_id",
    "customer_email",
    "customer_decided_at",
    "decision_comment",
    "grant_starts_at",
    "grant_ends_at",
    "ended_at",
    "ended_by",
];

/// Every column of a request; rows deserialise straight into
/// [`AccessRequest`].
pub const REQUEST_COLUMNS: &str = "id, tenant_id, service, ticket, reason, duration_minutes, \
    requester_id, requester_email, created_at, state, manager_id, manager_email, manager_decided_at, \
    lockbox_required, pending_expires_at, customer_id, customer_email, customer_decided_at, \
    decision_comment, grant_starts_at, grant_ends_at, ended_at, ended_by";

fn mutable_values(req: &AccessRequest) -> Vec<Value> {
    vec![
        req.state.as_str().into(),
        req.manager_id.as_ref().map(|u| u.0.clone()).into(),
        req.manager_email.clone().into(),
        req.manager_decided_at.into(),
        req.lockbox_required.into(),
        req.pending_expires_at.into(),
        req.customer_id.as_ref().map(|u| u.0.clone()).into(),
        req.customer_email.clone().into(),
        req.customer_decided_at.into(),
        req.decision_comment.clone().into(),
        req.grant_starts_at.into(),
        req.grant_ends_at.into(),
        req.ended_at.into(),
        req.ended_by.clone().into(),
    ]
}

/// The id of the audit record of a request entering `state`: a request
/// enters each state at most once, so the primary key itself forbids a
/// second record of the same change.
pub fn transition_audit_id(request_id: &str, state: State) -> String {
    format!("{request_id}/{}", state.as_str())
}

/// A boolean SQL expression with its arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub sql: String,
    pub args: Vec<Value>,
}

impl Guard {
    /// "A row satisfying this guard exists", for the inserts that go with it.
    pub fn exists(&self) -> Condition {
        Condition {
            sql: format!("EXISTS (SELECT 1 FROM access_requests WHERE {})", self.sql),
            args: self.args.clone(),
        }
    }
}

/// Appends `record` with id `id` as of `now`, when `condition` holds (or
/// always, for `None`). The sequence number is the tenant's next.
pub fn audit_insert(
    record: &NewAuditRecord,
    id: &str,
    now: i64,
    condition: Option<&Condition>,
) -> Statement {
    let details = serde_json::to_string(&record.details).unwrap_or_else(|_| "{}".to_owned());
    let mut args: Vec<Value> = vec![
        id.into(),
        (&record.tenant_id.0).into(),
        (&record.tenant_id.0).into(),
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

/// Inserts a new request.
pub fn insert_request(req: &AccessRequest) -> Statement {
    let mut args: Vec<Value> = vec![
        (&req.id).into(),
        (&req.tenant_id.0).into(),
        (&req.service).into(),
        (&req.ticket).into(),
        (&req.reason).into(),
        i64::from(req.duration_minutes).into(),
        (&req.requester_id.0).into(),
        (&req.requester_email).into(),
        req.created_at.into(),
    ];
    args.extend(mutable_values(req));
    let marks = vec!["?"; args.len()].join(", ");
    Statement::new(
        format!("INSERT INTO access_requests ({REQUEST_COLUMNS}) VALUES ({marks})"),
        args,
    )
}

/// The guard of `verb` on `before` at `now`: the row is still in the state
/// it was read in, its deadline has not passed, and (for pre-approval) the
/// tenant's switch is still what the decision assumed.
pub fn transition_guard(verb: Verb, before: &AccessRequest, now: i64) -> Guard {
    let mut sql = "id = ? AND state = ?".to_owned();
    let mut args: Vec<Value> = vec![(&before.id).into(), before.state.as_str().into()];
    match (verb, before.state) {
        (Verb::Approve | Verb::Deny | Verb::Cancel, State::PendingCustomerApproval) => {
            sql.push_str(" AND pending_expires_at > ?");
            args.push(now.into());
        }
        (Verb::Revoke, _) => {
            sql.push_str(" AND grant_ends_at > ?");
            args.push(now.into());
        }
        _ => {}
    }
    Guard { sql, args }
}

/// Adds to a pre-approval guard that the tenant's switch is still `enabled`.
pub fn with_lockbox_setting(mut guard: Guard, tenant_id: &str, enabled: bool) -> Guard {
    guard
        .sql
        .push_str(" AND (SELECT lockbox_enabled FROM tenants WHERE id = ?) = ?");
    guard.args.push(tenant_id.into());
    guard.args.push(enabled.into());
    guard
}

/// Writes `after` over the row, when `guard` holds.
pub fn update_request(after: &AccessRequest, guard: &Guard) -> Statement {
    let mut args = mutable_values(after);
    args.extend(guard.args.iter().cloned());
    let sets: Vec<String> = MUTABLE_COLUMNS.iter().map(|c| format!("{c} = ?")).collect();
    Statement::new(
        format!(
            "UPDATE access_requests SET {} WHERE {}",
            sets.join(", "),
            guard.sql
        ),
        args,
    )
}

/// Remembers an Idempotency-Key, when `guard` holds.
pub fn idempotency_insert(
    user_id: &str,
    key: &str,
    request_id: &str,
    verb: Verb,
    now: i64,
    guard: &Guard,
) -> Statement {
    let mut args: Vec<Value> = vec![
        user_id.into(),
        key.into(),
        request_id.into(),
        verb.as_str().into(),
        now.into(),
    ];
    args.extend(guard.args.iter().cloned());
    Statement::new(
        format!(
            "INSERT INTO idempotency_keys (user_id, key, request_id, verb, created_at) \
             SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM access_requests WHERE {})",
            guard.sql
        ),
        args,
    )
}

/// The request an Idempotency-Key of `user_id` was first used on.
pub fn idempotency_lookup(user_id: &str, key: &str) -> Statement {
    Statement::new(
        "SELECT request_id, verb FROM idempotency_keys WHERE user_id = ? AND key = ?",
        vec![user_id.into(), key.into()],
    )
}

/// One request by id.
pub fn request_by_id(id: &str) -> Statement {
    Statement::new(
        format!("SELECT {REQUEST_COLUMNS} FROM access_requests WHERE id = ?"),
        vec![id.into()],
    )
}

/// The sweep's two kinds of move, each a pair of bulk statements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SweepKind {
    /// Pending requests past `pending_expires_at` become Expired.
    Expire,
    /// Live grants past `grant_ends_at` become Completed.
    Complete,
}

impl SweepKind {
    fn parts(self) -> (&'static str, &'static str, State, Verb) {
        match self {
            SweepKind::Expire => (
                "PendingCustomerApproval",
                "pending_expires_at",
                State::Expired,
                Verb::Expire,
            ),
            SweepKind::Complete => (
                "Approved",
                "grant_ends_at",
                State::Completed,
                Verb::Complete,
            ),
        }
    }
}

/// Moves at most `limit` due rows of `kind` as of `now`, with one audit
/// record each, as two statements for one batch. Both pick the same rows:
/// the same condition, order and limit over the same snapshot (the first
/// statement does not touch `access_requests`).
pub fn sweep(kind: SweepKind, now: i64, limit: i64, service_account: &str) -> [Statement; 2] {
    let (from, deadline, to, verb) = kind.parts();
    // Only constants are spliced into the SQL; times and limits are bound.
    let activity = lockbox_shared::audit::activity_of(verb).as_str();
    let due = format!(
        "SELECT * FROM access_requests WHERE state = '{from}' AND {deadline} <= ? \
         ORDER BY {deadline}, id LIMIT ?"
    );
    // The details carry the same keys as NewAuditRecord::transition.
    let audit = Statement::new(
        format!(
            "INSERT INTO audit_log (id, tenant_id, seq, occurred_at, ip, user, activity, item, details) \
             SELECT r.id || '/{to}', r.tenant_id, \
                    COALESCE((SELECT MAX(a.seq) FROM audit_log a WHERE a.tenant_id = r.tenant_id), 0) \
                      + ROW_NUMBER() OVER (PARTITION BY r.tenant_id ORDER BY r.{deadline}, r.id), \
                    ?, '', ?, '{activity}', r.id, \
                    json_object('EndedAt', strftime('%Y-%m-%dT%H:%M:%SZ', r.{deadline} / 1000, 'unixepoch'), \
                                'NewState', '{to}', 'PreviousState', '{from}', 'RequestId', r.id, \
                                'Requester', r.requester_email, 'Service', r.service, 'Ticket', r.ticket) \
             FROM ({due}) r",
            to = to.as_str(),
        ),
        vec![now.into(), service_account.into(), now.into(), limit.into()],
    );
    let update = Statement::new(
        format!(
            "UPDATE access_requests SET state = '{to}', ended_at = {deadline} \
             WHERE id IN (SELECT id FROM ({due}))",
            to = to.as_str(),
        ),
        vec![now.into(), limit.into()],
    );
    [audit, update]
}

/// The condition for "the request is, as of `now`, in `state`" (effective
/// states: an overdue pending request counts as Expired, an overdue grant as
/// Completed).
pub fn effective_state_filter(state: State, now: i64) -> (String, Vec<Value>) {
    match state {
        State::Expired => (
            "(state = 'Expired' OR (state = 'PendingCustomerApproval' AND pending_expires_at <= ?))".into(),
            vec![now.into()],
        ),
        State::PendingCustomerApproval => (
            "(state = 'PendingCustomerApproval' AND pending_expires_at > ?)".into(),
            vec![now.into()],
        ),
        State::Completed => (
            "(state = 'Completed' OR (state = 'Approved' AND grant_ends_at <= ?))".into(),
            vec![now.into()],
        ),
        State::Approved => (
            "(state = 'Approved' AND grant_ends_at > ?)".into(),
            vec![now.into()],
        ),
        other => ("state = ?".into(), vec![other.as_str().into()]),
    }
}

/// Where a page of a listing starts: after (created_at, id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub created_at: i64,
    pub id: String,
}

/// Which requests a listing shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Scope {
    /// Every request of a tenant.
    Tenant(String),
    /// Every request an engineer opened.
    Requester(String),
    /// Requests awaiting pre-approval, of every tenant.
    AwaitingPreapproval,
}

/// One page of requests, newest first; fetches `limit + 1` rows so the
/// caller knows whether there is a next page.
pub fn list_requests(
    scope: &Scope,
    state: Option<State>,
    created_after: Option<i64>,
    cursor: Option<&Cursor>,
    limit: i64,
    now: i64,
) -> Statement {
    let mut conditions = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    match scope {
        Scope::Tenant(tenant) => {
            conditions.push("tenant_id = ?".to_owned());
            args.push(tenant.into());
        }
        Scope::Requester(user) => {
            conditions.push("requester_id = ?".to_owned());
            args.push(user.into());
        }
        Scope::AwaitingPreapproval => {
            conditions.push("state = 'PendingManagerApproval'".to_owned())
        }
    }
    if let Some(state) = state {
        let (sql, state_args) = effective_state_filter(state, now);
        conditions.push(sql);
        args.extend(state_args);
    }
    if let Some(after) = created_after {
        conditions.push("created_at > ?".to_owned());
        args.push(after.into());
    }
    if let Some(cursor) = cursor {
        conditions.push("(created_at < ? OR (created_at = ? AND id < ?))".to_owned());
        args.push(cursor.created_at.into());
        args.push(cursor.created_at.into());
        args.push((&cursor.id).into());
    }
    args.push((limit + 1).into());
    Statement::new(
        format!(
            "SELECT {REQUEST_COLUMNS} FROM access_requests WHERE {} ORDER BY created_at DESC, id DESC LIMIT ?",
            conditions.join(" AND ")
        ),
        args,
    )
}

/// The live grant, if any, of `requester` for `tenant` and `service` at `now`.
pub fn live_grant(requester_id: &str, tenant_id: &str, service: &str, now: i64) -> Statement {
    Statement::new(
        format!(
            "SELECT {REQUEST_COLUMNS} FROM access_requests WHERE requester_id = ? AND tenant_id = ? \
             AND service = ? AND state = 'Approved' AND grant_starts_at <= ? AND grant_ends_at > ? \
             ORDER BY grant_ends_at DESC LIMIT 1"
        ),
        vec![requester_id.into(), tenant_id.into(), service.into(), now.into(), now.into()],
    )
}

/// The audit records of one item of a tenant, oldest first.
pub fn history(tenant_id: &str, item: &str) -> Statement {
    Statement::new(
        "SELECT id, seq, occurred_at, ip, user, activity, item, details, tenant_id FROM audit_log \
         WHERE tenant_id = ? AND item = ? ORDER BY seq",
        vec![tenant_id.into(), item.into()],
    )
}

/// A tenant's Lockbox switch and who last changed it.
pub fn lockbox_setting(tenant_id: &str) -> Statement {
    Statement::new(
        "SELECT id AS tenant_id, name AS tenant_name, lockbox_enabled, lockbox_changed_by, lockbox_changed_at \
         FROM tenants WHERE id = ?",
        vec![tenant_id.into()],
    )
}

/// "The switch of `tenant_id` is not already `enabled`": the condition of
/// both the change and its audit record.
pub fn lockbox_changes(tenant_id: &str, enabled: bool) -> Condition {
    Condition {
        sql: "EXISTS (SELECT 1 FROM tenants WHERE id = ? AND lockbox_enabled <> ?)".to_owned(),
        args: vec![tenant_id.into(), enabled.into()],
    }
}

/// Sets the switch, when it changes.
pub fn set_lockbox(tenant_id: &str, enabled: bool, by: &str, now: i64) -> Statement {
    Statement::new(
        "UPDATE tenants SET lockbox_enabled = ?, lockbox_changed_by = ?, lockbox_changed_at = ? \
         WHERE id = ? AND lockbox_enabled <> ?",
        vec![
            enabled.into(),
            by.into(),
            now.into(),
            tenant_id.into(),
            enabled.into(),
        ],
    )
}

/// Every tenant with its services, for provider staff.
pub fn tenants_with_services() -> Statement {
    Statement::new(
        "SELECT t.id, t.name, t.lockbox_enabled, \
                COALESCE((SELECT GROUP_CONCAT(service, ',') FROM \
                    (SELECT service FROM tenant_services s WHERE s.tenant_id = t.id ORDER BY service)), '') AS services \
         FROM tenants t ORDER BY t.name",
        vec![],
    )
}

/// A tenant's services.
pub fn tenant_services(tenant_id: &str) -> Statement {
    Statement::new(
        "SELECT service FROM tenant_services WHERE tenant_id = ? ORDER BY service",
        vec![tenant_id.into()],
    )
}

/// When the scheduled job last ran.
pub fn last_cron_run() -> Statement {
    Statement::new("SELECT MAX(scheduled_at) AS last FROM cron_runs", vec![])
}

/// Records one run of the scheduled job and what it did.
pub fn record_cron_run(
    scheduled_at: i64,
    cron: &str,
    finished_at: i64,
    outcome: &lockbox_shared::api::SweepOutcome,
) -> Statement {
    Statement::new(
        "INSERT INTO cron_runs (scheduled_at, cron, finished_at, expired, completed, more_due) \
         VALUES (?, ?, ?, ?, ?, ?)",
        vec![
            scheduled_at.into(),
            cron.into(),
            finished_at.into(),
            (outcome.expired as i64).into(),
            (outcome.completed as i64).into(),
            outcome.more_due.into(),
        ],
    )
}

/// A person by e-mail (case-insensitive), with their tenant's name.
pub fn user_by_email(email: &str) -> Statement {
    Statement::new(
        "SELECT u.id, u.email, u.display_name, u.tenant_id, t.name AS tenant_name \
         FROM users u LEFT JOIN tenants t ON t.id = u.tenant_id WHERE u.email = ?",
        vec![email.into()],
    )
}

/// A person's customer roles in their tenant.
pub fn customer_roles_of(user_id: &str, tenant_id: &str) -> Statement {
    Statement::new(
        "SELECT role FROM customer_roles WHERE user_id = ? AND tenant_id = ? ORDER BY role",
        vec![user_id.into(), tenant_id.into()],
    )
}

/// A person's provider roles.
pub fn provider_roles_of(user_id: &str) -> Statement {
    Statement::new(
        "SELECT role FROM provider_roles WHERE user_id = ? ORDER BY role",
        vec![user_id.into()],
    )
}

/// Every role holder of a tenant.
pub fn role_holders(tenant_id: &str) -> Statement {
    Statement::new(
        "SELECT r.role, u.id AS user_id, u.email, u.display_name, r.granted_by, r.granted_at \
         FROM customer_roles r JOIN users u ON u.id = r.user_id \
         WHERE r.tenant_id = ? ORDER BY u.display_name",
        vec![tenant_id.into()],
    )
}

/// Everyone of a tenant.
pub fn tenant_members(tenant_id: &str) -> Statement {
    Statement::new(
        "SELECT id AS user_id, email, display_name FROM users WHERE tenant_id = ? ORDER BY display_name",
        vec![tenant_id.into()],
    )
}

/// "`user_id` holds (or, negated, does not hold) `role` in `tenant_id`".
pub fn holds_role(tenant_id: &str, user_id: &str, role: &str, holds: bool) -> Condition {
    let not = if holds { "" } else { "NOT " };
    Condition {
        sql: format!(
            "{not}EXISTS (SELECT 1 FROM customer_roles WHERE tenant_id = ? AND user_id = ? AND role = ?)"
        ),
        args: vec![tenant_id.into(), user_id.into(), role.into()],
    }
}

/// Gives a role (no change if already held).
pub fn insert_role(tenant_id: &str, user_id: &str, role: &str, by: &str, now: i64) -> Statement {
    Statement::new(
        "INSERT INTO customer_roles (tenant_id, user_id, role, granted_by, granted_at) \
         VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        vec![
            tenant_id.into(),
            user_id.into(),
            role.into(),
            by.into(),
            now.into(),
        ],
    )
}

/// Takes a role away.
pub fn delete_role(tenant_id: &str, user_id: &str, role: &str) -> Statement {
    Statement::new(
        "DELETE FROM customer_roles WHERE tenant_id = ? AND user_id = ? AND role = ?",
        vec![tenant_id.into(), user_id.into(), role.into()],
    )
}

/// Everyone who can sign in, with their roles, for the local sign-in page.
pub fn dev_people() -> Statement {
    Statement::new(
        "SELECT u.email, u.display_name, t.name AS tenant_name, \
                COALESCE((SELECT GROUP_CONCAT(role, ',') FROM customer_roles r WHERE r.user_id = u.id), \
                         (SELECT GROUP_CONCAT(role, ',') FROM provider_roles p WHERE p.user_id = u.id)) AS roles \
         FROM users u LEFT JOIN tenants t ON t.id = u.tenant_id \
         ORDER BY t.name IS NULL, t.name, u.email",
        vec![],
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
    /// Only records older than this sequence number (the cursor).
    pub before_seq: Option<i64>,
}

/// One page of a tenant's audit log, newest first; `limit + 1` rows.
pub fn audit_search(tenant_id: &str, filter: &AuditFilter, limit: i64) -> Statement {
    let mut conditions = vec!["tenant_id = ?".to_owned()];
    let mut args: Vec<Value> = vec![tenant_id.into()];
    if let Some(start) = filter.start {
        conditions.push("occurred_at >= ?".to_owned());
        args.push(start.into());
    }
    if let Some(end) = filter.end {
        conditions.push("occurred_at < ?".to_owned());
        args.push(end.into());
    }
    for (column, values) in [("activity", &filter.activities), ("user", &filter.users)] {
        if !values.is_empty() {
            let marks = vec!["?"; values.len()].join(", ");
            conditions.push(format!("{column} IN ({marks})"));
            args.extend(values.iter().map(Value::from));
        }
    }
    if let Some(item) = &filter.item {
        conditions.push("item = ?".to_owned());
        args.push(item.into());
    }
    if let Some(seq) = filter.before_seq {
        conditions.push("seq < ?".to_owned());
        args.push(seq.into());
    }
    args.push((limit + 1).into());
    Statement::new(
        format!(
            "SELECT id, seq, occurred_at, ip, user, activity, item, details, tenant_id FROM audit_log \
             WHERE {} ORDER BY seq DESC LIMIT ?",
            conditions.join(" AND ")
        ),
        args,
    )
}

/// Moves every time of a request `ms` into the past (local development).
pub fn shift_request(id: &str, ms: i64) -> Statement {
    let columns = [
        "created_at",
        "manager_decided_at",
        "pending_expires_at",
        "customer_decided_at",
        "grant_starts_at",
        "grant_ends_at",
        "ended_at",
    ];
    let sets: Vec<String> = columns.iter().map(|c| format!("{c} = {c} - ?")).collect();
    let mut args: Vec<Value> = columns.iter().map(|_| Value::Int(ms)).collect();
    args.push(id.into());
    Statement::new(
        format!(
            "UPDATE access_requests SET {} WHERE id = ?",
            sets.join(", ")
        ),
        args,
    )
}
