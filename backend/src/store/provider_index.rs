//! The provider's index of requests (global): the lists that span tenants
//! (an engineer's own requests, the requests awaiting pre-approval), the
//! tenant of a request found by its id, and the tenants the sweep has work
//! at. And the tenant's side of keeping it in step: each change of a
//! request writes a copy of its row into the tenant's `index_outbox` in
//! the change's own transaction; the call then writes the copy into the
//! index, and the scheduled job writes again whatever copy is not marked
//! applied. A copy replaces the indexed row only if its progress
//! (`AccessRequest::progress`) is no smaller, so copies written twice or
//! out of order converge on the latest. Nothing here decides: a decision
//! reads the tenant's own row.

use lockbox_shared::api::MAX_REQUESTS_PAGE;
use lockbox_shared::i18n::Lang;
use lockbox_shared::ids::{RequestId, TenantId, UserId};
use lockbox_shared::lifecycle::{AccessRequest, State, DEADLINES};
use serde::Deserialize;

use super::db::{first, json_list, Condition, Database, DbError, Statement};
use super::handles::Global;
use super::requests::{self, past_deadline, still_in, ListFilter, COLUMNS};

const INDEX: &str = "request_index";

/// Requests a person of the provider opened or decided as manager, newest
/// first (`limit + 1` rows).
pub async fn requests_of<D: Database>(
    global: &Global<'_, D>,
    person: &UserId,
    filter: &ListFilter,
    limit: i64,
    now: i64,
) -> Result<Vec<AccessRequest>, DbError> {
    let scope = Condition::new(
        "requester_id = ? OR manager_id = ?",
        vec![person.as_str().into(), person.as_str().into()],
    );
    let limit = limit.clamp(1, MAX_REQUESTS_PAGE);
    requests::select_from(
        global,
        requests::list_from(INDEX, scope, filter, limit, now),
    )
    .await
}

/// Requests of every tenant still awaiting pre-approval, newest first
/// (`limit + 1` rows).
pub async fn awaiting_preapproval<D: Database>(
    global: &Global<'_, D>,
    filter: &ListFilter,
    limit: i64,
    now: i64,
) -> Result<Vec<AccessRequest>, DbError> {
    let scope = still_in(State::PendingManagerApproval, now);
    let limit = limit.clamp(1, MAX_REQUESTS_PAGE);
    requests::select_from(
        global,
        requests::list_from(INDEX, scope, filter, limit, now),
    )
    .await
}

/// A row of the index that names a tenant.
#[derive(Deserialize)]
pub struct TenantOf {
    pub tenant_id: TenantId,
}

/// The query of [`tenant_of`], for a round trip that reads more.
pub fn tenant_of_statement(id: &RequestId) -> Statement {
    Statement::new(
        format!("SELECT tenant_id FROM {INDEX} WHERE id = ?"),
        vec![id.as_str().into()],
    )
}

/// Where a request is, as the index says, and in which language its
/// requester's messages are written: what a decision on it reads from
/// the global database before the tenant's write.
#[derive(Debug, Clone, serde::Serialize, Deserialize)]
pub struct Located {
    pub tenant_id: TenantId,
    pub requester_id: UserId,
    pub requester_language: Lang,
}

/// The query of [`Located`] for request `id` (one row, or none).
pub fn locate_statement(id: &RequestId) -> Statement {
    Statement::new(
        format!(
            "SELECT i.tenant_id, i.requester_id, {} AS requester_language \
             FROM {INDEX} i LEFT JOIN users u ON u.id = i.requester_id WHERE i.id = ?",
            super::outbox::language_of("u")
        ),
        vec![id.as_str().into()],
    )
}

/// [`Located`] for request `id`, if the index knows it.
pub async fn locate<D: Database>(
    global: &Global<'_, D>,
    id: &RequestId,
) -> Result<Option<Located>, DbError> {
    first(global, locate_statement(id)).await
}

/// The tenant request `id` belongs to, if the index knows it (a request's
/// tenant never changes, so any copy of it says).
pub async fn tenant_of<D: Database>(
    global: &Global<'_, D>,
    id: &RequestId,
) -> Result<Option<TenantId>, DbError> {
    let row: Option<TenantOf> = first(global, tenant_of_statement(id)).await?;
    Ok(row.map(|r| r.tenant_id))
}

/// [`tenant_of`]'s rows.
pub fn tenant_from(rows: Vec<serde_json::Value>) -> Result<Option<TenantId>, DbError> {
    rows.into_iter()
        .next()
        .map(|row| {
            serde_json::from_value::<TenantOf>(row)
                .map(|r| r.tenant_id)
                .map_err(|e| DbError::Other(e.to_string()))
        })
        .transpose()
}

/// Up to `limit` tenants, other than `skip`, with a request whose
/// deadline has passed at `now`, as the index knows them: the tenants the
/// sweep visits.
pub async fn tenants_due<D: Database>(
    global: &Global<'_, D>,
    now: i64,
    skip: &[TenantId],
    limit: i64,
) -> Result<Vec<TenantId>, DbError> {
    let mut due: Vec<Condition> = DEADLINES
        .iter()
        .map(|rule| past_deadline(rule, now))
        .collect();
    due.push(super::requests::review_lapsed(now));
    tenants_where(global, due, skip, limit).await
}

/// Up to `limit` tenants with a live grant that ends within `window` ms
/// of `now`, as the index knows them: the tenants whose engineers may be
/// due a warning.
pub async fn tenants_ending<D: Database>(
    global: &Global<'_, D>,
    now: i64,
    window: i64,
    limit: i64,
) -> Result<Vec<TenantId>, DbError> {
    let ending = still_in(State::Approved, now).and(Condition::new(
        "grant_ends_at <= ?",
        vec![(now + window).into()],
    ));
    tenants_where(global, vec![ending], &[], limit).await
}

async fn tenants_where<D: Database>(
    global: &Global<'_, D>,
    conditions: Vec<Condition>,
    skip: &[TenantId],
    limit: i64,
) -> Result<Vec<TenantId>, DbError> {
    let mut parts = Vec::new();
    let mut args = Vec::new();
    for condition in conditions {
        parts.push(format!(
            "SELECT tenant_id FROM {INDEX} WHERE {} \
             AND tenant_id NOT IN (SELECT value FROM json_each(?))",
            condition.sql
        ));
        args.extend(condition.args);
        args.push(json_list(skip.iter().map(TenantId::as_str)));
    }
    args.push(limit.into());
    let rows: Vec<TenantOf> = global
        .query(Statement::new(
            format!("{} LIMIT ?", parts.join(" UNION ")),
            args,
        ))
        .await?;
    Ok(rows.into_iter().map(|r| r.tenant_id).collect())
}

/// Writes a copy (`row`, by column, with its `progress`) into the index,
/// unless the index holds a later one (`again`: unless it holds this one
/// or a later one; a copy from a tenant's outbox is the only row of its
/// progress, so writing it again would write the same row).
fn apply_statement(
    row: &str,
    progress: i64,
    again: bool,
    condition: Option<&Condition>,
) -> Statement {
    let columns: Vec<&str> = COLUMNS.split(", ").collect();
    let values: Vec<String> = columns
        .iter()
        .map(|c| format!("json_extract(c.j, '$.{c}')"))
        .collect();
    let sets: Vec<String> = columns
        .iter()
        .filter(|c| **c != "id")
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    let mut args = vec![row.into(), progress.into()];
    if let Some(condition) = condition {
        args.extend(condition.args.iter().cloned());
    }
    Statement::new(
        format!(
            "WITH c(j) AS (SELECT ?) \
             INSERT INTO {INDEX} ({COLUMNS}, progress) SELECT {}, ? FROM c WHERE {} \
             ON CONFLICT (id) DO UPDATE SET {}, progress = excluded.progress \
             WHERE excluded.progress {} {INDEX}.progress",
            values.join(", "),
            condition.map_or("1", |c| c.sql.as_str()),
            sets.join(", "),
            if again { ">" } else { ">=" }
        ),
        args,
    )
}

/// The index's copy of `after`, written in the change's own batch (when
/// `condition` holds) where the tenant's data and the index share one
/// database.
pub fn apply_if(after: &AccessRequest, condition: &Condition) -> Statement {
    apply_statement(
        &requests::row_json(after),
        after.progress(),
        false,
        Some(condition),
    )
}

/// Writes these requests, as the change that moved them left them, into
/// the index, in one batch.
pub async fn apply<D: Database>(
    global: &Global<'_, D>,
    requests: &[&AccessRequest],
) -> Result<(), DbError> {
    if requests.is_empty() {
        return Ok(());
    }
    let statements = requests
        .iter()
        .map(|r| apply_statement(&requests::row_json(r), r.progress(), false, None))
        .collect();
    global.batch(statements).await.map(|_| ())
}

/// The tenant's side: a copy of `after`'s row for the index, written with
/// the change (when `condition` holds); a second write of the same change
/// adds nothing.
pub fn outbox_copy(after: &AccessRequest, now: i64, condition: &Condition) -> Statement {
    let mut args = vec![
        after.id.as_str().into(),
        after.progress().into(),
        after.tenant_id.as_str().into(),
        requests::row_json(after).into(),
        now.into(),
    ];
    args.extend(condition.args.iter().cloned());
    Statement::new(
        format!(
            "INSERT OR IGNORE INTO index_outbox (request_id, progress, tenant_id, copy, created_at) \
             SELECT ?, ?, ?, ?, ? WHERE {}",
            condition.sql
        ),
        args,
    )
}

/// A copy waiting in a tenant's `index_outbox`.
#[derive(Debug, Clone, Deserialize)]
pub struct Copy {
    pub request_id: String,
    pub progress: i64,
    pub tenant_id: String,
    pub copy: String,
}

/// How long the call that made a change has to write its copies before
/// the scheduled job writes them again.
pub const APPLY_GRACE_MS: i64 = 60_000;

/// How long applied copies are kept.
pub const APPLIED_RETENTION_MS: i64 = 24 * 3_600_000;

/// Up to `limit` copies not marked applied that were written before
/// `before`, oldest first.
/// [`unapplied`] of one tenant's own outbox (its object's, at its alarm).
pub fn unapplied_of(tenant: &TenantId, before: i64) -> Statement {
    Statement::new(
        "SELECT request_id, progress, tenant_id, copy FROM index_outbox \
         WHERE tenant_id = ? AND applied_at IS NULL AND created_at < ? ORDER BY created_at LIMIT 200",
        vec![tenant.as_str().into(), before.into()],
    )
}

pub fn unapplied(before: i64, limit: i64) -> Statement {
    Statement::new(
        format!(
            "SELECT request_id, progress, tenant_id, copy FROM index_outbox \
             WHERE applied_at IS NULL AND created_at < ? AND {} ORDER BY created_at LIMIT ?",
            super::handles::held_here("tenant_id")
        ),
        vec![before.into(), limit.into()],
    )
}

/// Writes `copies` into the index (global), in one batch.
pub async fn apply_copies<D: Database>(
    global: &Global<'_, D>,
    copies: &[Copy],
) -> Result<(), DbError> {
    if copies.is_empty() {
        return Ok(());
    }
    let statements = copies
        .iter()
        .map(|c| apply_statement(&c.copy, c.progress, true, None))
        .collect();
    global.batch(statements).await.map(|_| ())
}

/// The tenant's side: marks `copies` applied at `now`.
pub fn mark_applied(copies: &[Copy], now: i64) -> Vec<Statement> {
    copies
        .iter()
        .map(|c| {
            Statement::new(
                "UPDATE index_outbox SET applied_at = ? WHERE request_id = ? AND progress = ?",
                vec![now.into(), c.request_id.as_str().into(), c.progress.into()],
            )
        })
        .collect()
}

/// The tenant's side: forgets up to 500 copies applied before `before`.
pub fn forget_applied(before: i64) -> Statement {
    Statement::new(
        format!(
            "DELETE FROM index_outbox WHERE rowid IN (SELECT rowid FROM index_outbox \
             WHERE applied_at IS NOT NULL AND applied_at < ? AND {} LIMIT 500)",
            super::handles::held_here("tenant_id")
        ),
        vec![before.into()],
    )
}
