//! Access requests as stored: the row, its mapping to and from the domain's
//! [`AccessRequest`], and the SQL of the lifecycle.
//!
//! Every time rule in the SQL (the guards of a transition, the list filters,
//! the access check, what the sweep finds due) is built from the one table
//! of deadlines in `lockbox_shared::lifecycle::DEADLINES`.

use lockbox_shared::emergency::{Emergency, Review, Verdict};
use lockbox_shared::ids::{RequestId, TenantId, UserId};
use lockbox_shared::lifecycle::{
    AccessRequest, Actor, Approval, Approvals, Consent, Deadline, DeadlineRule, Decision,
    Extension, Grant, Stage, State, TenantSwitches, Verb, DEADLINES, OPEN_STATES,
};
use lockbox_shared::validation::{
    ApprovalsRequired, Comment, GrantDuration, IncidentId, OperationSet, Reason, ServiceName,
    TicketNumber,
};
use serde::{Deserialize, Serialize};

use super::db::{bit, Condition, Database, DbError, Statement, Value};
use super::handles::Tenant;

/// The stored column of a deadline.
pub const fn column(deadline: Deadline) -> &'static str {
    match deadline {
        Deadline::PendingExpiry => "pending_expires_at",
        Deadline::GrantEnd => "grant_ends_at",
    }
}

// State names are spliced into the SQL as literals (they are constants of
// the domain, never input), so SQLite can match the partial indexes, which
// it cannot do for a bound parameter.
fn state_is(state: State) -> String {
    format!("state = '{}'", state.as_str())
}

/// "Stored in `state`, and its deadline (if it has one) is after `now`":
/// the row is, as of `now`, in `state` and has not moved since it was read.
pub fn still_in(state: State, now: i64) -> Condition {
    match state.deadline_rule() {
        Some(rule) => Condition::new(
            format!("{} AND {} > ?", state_is(state), column(rule.deadline)),
            vec![now.into()],
        ),
        None => Condition::new(state_is(state), vec![]),
    }
}

/// "Stored in `rule.state`, and its deadline has passed at `now`".
pub fn past_deadline(rule: &DeadlineRule, now: i64) -> Condition {
    Condition::new(
        format!(
            "{} AND {} <= ?",
            state_is(rule.state),
            column(rule.deadline)
        ),
        vec![now.into()],
    )
}

/// "As of `now` the request is in `state`" (its effective state).
pub fn effectively(state: State, now: i64) -> Condition {
    let mut parts = vec![still_in(state, now)];
    parts.extend(
        DEADLINES
            .iter()
            .filter(|rule| rule.becomes == state)
            .map(|rule| past_deadline(rule, now)),
    );
    let sql: Vec<String> = parts.iter().map(|c| format!("({})", c.sql)).collect();
    Condition::new(
        format!("({})", sql.join(" OR ")),
        parts.into_iter().flat_map(|c| c.args).collect(),
    )
}

fn this_request(id: &RequestId) -> Condition {
    Condition::new("id = ?", vec![id.as_str().into()])
}

/// "Row `before.id`, with as many approvals as `before` had": an approval
/// that does not change the state still changes the row, so every write
/// of a request is guarded by its count as read.
fn as_read(before: &AccessRequest) -> Condition {
    this_request(&before.id).and(Condition::new(
        "json_array_length(approvals) = ?",
        vec![(before.approvals.given.len() as i64).into()],
    ))
}

/// The guard of a person's transition from `before` at `now`: the row is
/// still as it was read and its deadline has not passed (and, for an
/// emergency, its review as read: a verdict is given once).
pub fn person_guard(before: &AccessRequest, now: i64) -> Condition {
    let guard = as_read(before).and(still_in(before.state(), now));
    match &before.emergency {
        Some(e) if e.review.is_none() => guard.and(Condition::new(
            "json_extract(emergency, '$.review') IS NULL",
            vec![],
        )),
        _ => guard,
    }
}

/// "An ended emergency grant whose review was due by `now` and not given":
/// the rows the sweep marks Unreviewed.
pub fn review_lapsed(now: i64) -> Condition {
    Condition::new(
        "review_due_at <= ? AND state IN ('Completed', 'Revoked')",
        vec![now.into()],
    )
}

/// The guard of the sweep's mark of `before` as Unreviewed at `now`: as
/// read, still unreviewed, its review due.
pub fn lapse_guard(before: &AccessRequest, now: i64) -> Condition {
    as_read(before).and(review_lapsed(now)).and(Condition::new(
        "json_extract(emergency, '$.review') IS NULL",
        vec![],
    ))
}

/// The guard of the sweep's move of `before` at `now`: the row is still as
/// it was read and its deadline has passed.
pub fn deadline_guard(before: &AccessRequest, now: i64) -> Option<Condition> {
    let rule = before.state().deadline_rule()?;
    Some(as_read(before).and(past_deadline(rule, now)))
}

/// "The tenant's Lockbox switch and number of approvals required are as
/// read", for pre-approval, whose outcome depends on them.
pub fn tenant_settings_are(tenant_id: &TenantId, switches: TenantSwitches) -> Condition {
    Condition::new(
        "EXISTS (SELECT 1 FROM tenants WHERE id = ? AND lockbox_enabled = ? \
         AND approvals_required = ?)",
        vec![
            tenant_id.as_str().into(),
            switches.lockbox_enabled.into(),
            switches.approvals_required.into(),
        ],
    )
}

/// Every column of a request, in the order of [`RequestRow`].
pub const COLUMNS: &str = "id, tenant_id, service, ticket, reason, duration_minutes, \
    requester_id, requester_email, created_at, state, manager_id, manager_email, manager_decided_at, \
    manager_comment, lockbox_required, pending_expires_at, customer_id, customer_email, \
    customer_decided_at, customer_comment, grant_starts_at, grant_ends_at, ended_at, ended_by_id, \
    ended_by, end_comment, approvals_required, approvals, emergency, review_due_at, extends, \
    first_started_at, continues_at, operations, content_operations";

/// The columns a transition may change, in the order of [`mutable_values`].
const MUTABLE_COLUMNS: [&str; 21] = [
    "state",
    "manager_id",
    "manager_email",
    "manager_decided_at",
    "manager_comment",
    "lockbox_required",
    "pending_expires_at",
    "customer_id",
    "customer_email",
    "customer_decided_at",
    "customer_comment",
    "grant_starts_at",
    "grant_ends_at",
    "ended_at",
    "ended_by_id",
    "ended_by",
    "end_comment",
    "approvals_required",
    "approvals",
    "emergency",
    "review_due_at",
];

fn decision_values(d: Option<&Decision>) -> [Value; 4] {
    [
        d.map(|d| d.by.user_id.as_str()).into(),
        d.map(|d| d.by.email.as_str()).into(),
        d.map(|d| d.at).into(),
        d.and_then(|d| d.comment.as_ref().map(Comment::as_str))
            .into(),
    ]
}

fn mutable_values(req: &AccessRequest) -> Vec<Value> {
    let ending = req.ending();
    let grant = req.grant();
    let mut values = vec![req.state().as_str().into()];
    values.extend(decision_values(req.manager_decision()));
    values.push(req.customer_approval_required().into());
    values.push(req.pending_until().into());
    values.extend(decision_values(req.customer_decision()));
    values.push(grant.map(|g| g.starts_at).into());
    values.push(grant.map(|g| g.ends_at).into());
    values.push(ending.map(|e| e.at).into());
    let [id, email, _, comment] = decision_values(ender(req));
    values.extend([id, email, comment]);
    values.push(req.approvals.required.into());
    values.push(approvals_json(&req.approvals.given).into());
    values.push(req.emergency.as_ref().map(emergency_json).into());
    values.push(lockbox_shared::emergency::review_due_stored(req).into());
    values
}

/// An emergency's facts and review as stored in the `emergency` column.
#[derive(Serialize, Deserialize)]
struct StoredEmergency {
    incident: String,
    review: Option<StoredReview>,
}

#[derive(Serialize, Deserialize)]
struct StoredReview {
    verdict: String,
    at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    by_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
}

fn emergency_json(emergency: &Emergency) -> String {
    let stored = StoredEmergency {
        incident: emergency.incident.as_str().to_owned(),
        review: emergency.review.as_ref().map(|r| StoredReview {
            verdict: r.verdict.as_str().to_owned(),
            at: r.at,
            by_id: r.by.as_ref().map(|a| a.user_id.as_str().to_owned()),
            by: r.by.as_ref().map(|a| a.email.clone()),
            comment: r.comment.as_ref().map(|c| c.as_str().to_owned()),
        }),
    };
    // Strings and numbers only: serialising cannot fail.
    serde_json::to_string(&stored).unwrap_or_else(|_| "{}".to_owned())
}

fn emergency_from(json: &str) -> Result<Emergency, String> {
    let stored: StoredEmergency =
        serde_json::from_str(json).map_err(|e| format!("emergency: {e}"))?;
    let review = match stored.review {
        None => None,
        Some(r) => Some(Review {
            verdict: Verdict::parse(&r.verdict)
                .ok_or_else(|| format!("verdict {:?}", r.verdict))?,
            at: r.at,
            by: match (r.by_id, r.by) {
                (Some(id), Some(email)) => Some(Actor {
                    user_id: parse(UserId::parse(&id))?,
                    email,
                }),
                (None, None) => None,
                _ => return Err("the reviewer is only partly stored".into()),
            },
            comment: r
                .comment
                .as_deref()
                .map(Comment::parse)
                .transpose()
                .map_err(|e| e.message)?,
        }),
    };
    Ok(Emergency {
        incident: parse(IncidentId::parse(&stored.incident))?,
        review,
    })
}

/// One approval as stored in the `approvals` column.
#[derive(Serialize, Deserialize)]
struct StoredConsent {
    id: String,
    email: String,
    at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    minutes: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    operations: Option<Vec<String>>,
}

fn approvals_json(given: &[Consent]) -> String {
    let stored: Vec<StoredConsent> = given
        .iter()
        .map(|c| StoredConsent {
            id: c.decision.by.user_id.as_str().to_owned(),
            email: c.decision.by.email.clone(),
            at: c.decision.at,
            comment: c.decision.comment.as_ref().map(|c| c.as_str().to_owned()),
            minutes: c.granted.map(GrantDuration::minutes),
            operations: c.operations.as_ref().map(|ops| ops.names().to_vec()),
        })
        .collect();
    // Strings and numbers only: serialising cannot fail.
    serde_json::to_string(&stored).unwrap_or_else(|_| "[]".to_owned())
}

fn approvals_from(json: &str) -> Result<Vec<Consent>, String> {
    let stored: Vec<StoredConsent> =
        serde_json::from_str(json).map_err(|e| format!("approvals: {e}"))?;
    stored
        .into_iter()
        .map(|c| {
            Ok(Consent {
                decision: decision("approval", Some(c.id), Some(c.email), Some(c.at), c.comment)?
                    .ok_or("an approval is empty")?,
                granted: c
                    .minutes
                    .map(GrantDuration::from_minutes)
                    .transpose()
                    .map_err(|e| e.message)?,
                operations: c
                    .operations
                    .map(|names| OperationSet::parse("operations", &names))
                    .transpose()
                    .map_err(|e| format!("an approval's operations: {}", e.message))?,
            })
        })
        .collect()
}

/// The person who ended a request, in the `ended_by*` columns: the
/// requester who cancelled or the approver who revoked. (A rejection or a
/// denial is the manager's or the customer's decision, in their columns.)
fn ender(req: &AccessRequest) -> Option<&Decision> {
    match &req.stage {
        Stage::Cancelled { cancellation, .. } => Some(cancellation),
        Stage::Revoked { revocation, .. } => Some(revocation),
        _ => None,
    }
}

/// A request as stored: one row, nullable where a stage lacks a fact.
#[derive(Debug, Clone, Deserialize)]
pub struct RequestRow {
    id: String,
    tenant_id: String,
    service: String,
    ticket: String,
    reason: String,
    duration_minutes: u32,
    requester_id: String,
    requester_email: String,
    created_at: i64,
    state: String,
    manager_id: Option<String>,
    manager_email: Option<String>,
    manager_decided_at: Option<i64>,
    manager_comment: Option<String>,
    lockbox_required: Option<i64>,
    pending_expires_at: Option<i64>,
    customer_id: Option<String>,
    customer_email: Option<String>,
    customer_decided_at: Option<i64>,
    customer_comment: Option<String>,
    grant_starts_at: Option<i64>,
    grant_ends_at: Option<i64>,
    ended_at: Option<i64>,
    ended_by_id: Option<String>,
    ended_by: Option<String>,
    end_comment: Option<String>,
    approvals_required: i64,
    approvals: String,
    extends: Option<String>,
    first_started_at: Option<i64>,
    continues_at: Option<i64>,
    #[serde(default)]
    operations: Option<String>,
    #[serde(default)]
    content_operations: Option<String>,
    #[serde(default)]
    emergency: Option<String>,
}

fn decision(
    who: &str,
    id: Option<String>,
    email: Option<String>,
    at: Option<i64>,
    comment: Option<String>,
) -> Result<Option<Decision>, String> {
    match (id, email, at) {
        (Some(id), Some(email), Some(at)) => Ok(Some(Decision {
            by: Actor {
                user_id: UserId::parse(&id).map_err(|e| e.message)?,
                email,
            },
            at,
            comment: comment
                .map(|c| Comment::parse(&c))
                .transpose()
                .map_err(|e| e.message)?,
        })),
        (None, None, None) => Ok(None),
        _ => Err(format!("the {who} decision is only partly stored")),
    }
}

fn parse<T>(r: Result<T, lockbox_shared::validation::Invalid>) -> Result<T, String> {
    r.map_err(|e| e.message)
}

fn required<T>(value: Option<T>, what: &str) -> Result<T, String> {
    value.ok_or_else(|| format!("{what} is missing"))
}

impl RequestRow {
    /// The domain value, or why the row breaks its rules.
    pub fn into_domain(self) -> Result<AccessRequest, DbError> {
        let id = self.id.clone();
        self.convert()
            .map_err(|why| DbError::Corrupt(format!("access request {id}: {why}")))
    }

    fn convert(self) -> Result<AccessRequest, String> {
        let state = State::parse(&self.state).ok_or_else(|| format!("state {:?}", self.state))?;
        let manager = decision(
            "manager's",
            self.manager_id,
            self.manager_email,
            self.manager_decided_at,
            self.manager_comment,
        )?;
        let customer = decision(
            "customer's",
            self.customer_id,
            self.customer_email,
            self.customer_decided_at,
            self.customer_comment,
        )?;
        let ender = decision(
            "ending",
            self.ended_by_id,
            self.ended_by,
            self.ended_at
                .filter(|_| matches!(state, State::Cancelled | State::Revoked)),
            self.end_comment,
        )?;
        let pending = self.pending_expires_at;
        let grant = match (self.grant_starts_at, self.grant_ends_at) {
            (Some(starts_at), Some(ends_at)) => Some(Grant { starts_at, ends_at }),
            (None, None) => None,
            _ => return Err("the grant is only partly stored".into()),
        };
        let emergency = self.emergency.as_deref().map(emergency_from).transpose()?;
        let approvals = approvals_from(&self.approvals)?;
        let approval = || -> Result<Approval, String> {
            if emergency.is_some() {
                return Ok(Approval::Emergency {
                    second: approvals
                        .last()
                        .map(|c| c.decision.clone())
                        .ok_or("an emergency grant without its managers' pre-approvals")?,
                });
            }
            match self.lockbox_required.map(bit) {
                Some(false) => Ok(Approval::LockboxOff),
                _ => Ok(Approval::Customer {
                    decision: required(customer.clone(), "the customer's approval")?,
                    asked_until: required(pending, "pending_expires_at")?,
                }),
            }
        };
        let stage = match state {
            State::PendingManagerApproval => Stage::PendingManagerApproval {
                expires_at: required(pending, "pending_expires_at")?,
            },
            State::PendingCustomerApproval => Stage::PendingCustomerApproval {
                preapproval: required(manager, "the pre-approval")?,
                expires_at: required(pending, "pending_expires_at")?,
            },
            State::Approved => Stage::Approved {
                approval: approval()?,
                preapproval: required(manager, "the pre-approval")?,
                grant: required(grant, "the grant")?,
            },
            State::Rejected => Stage::Rejected {
                rejection: required(manager, "the rejection")?,
                pending_until: required(pending, "pending_expires_at")?,
            },
            State::Denied => Stage::Denied {
                preapproval: required(manager, "the pre-approval")?,
                denial: required(customer, "the denial")?,
                asked_until: required(pending, "pending_expires_at")?,
            },
            State::Expired => Stage::Expired {
                preapproval: manager,
                expired_at: required(self.ended_at.or(pending), "ended_at")?,
            },
            State::Cancelled => Stage::Cancelled {
                preapproval: manager,
                cancellation: required(ender, "the cancellation")?,
                pending_until: required(pending, "pending_expires_at")?,
            },
            State::Revoked => Stage::Revoked {
                approval: approval()?,
                preapproval: required(manager, "the pre-approval")?,
                grant: required(grant, "the grant")?,
                revocation: required(ender, "the revocation")?,
            },
            State::Completed => Stage::Completed {
                approval: approval()?,
                preapproval: required(manager, "the pre-approval")?,
                grant: required(grant, "the grant")?,
            },
        };
        Ok(AccessRequest {
            id: parse(RequestId::parse(&self.id))?,
            tenant_id: parse(TenantId::parse(&self.tenant_id))?,
            service: parse(ServiceName::parse(&self.service))?,
            ticket: parse(TicketNumber::parse(&self.ticket))?,
            reason: parse(Reason::parse(&self.reason))?,
            duration: parse(GrantDuration::from_minutes(self.duration_minutes))?,
            operations: self
                .operations
                .as_deref()
                .map(|json| operations_from("the operations asked for", json))
                .transpose()?,
            reads_content: match self.content_operations.as_deref() {
                Some(json) => serde_json::from_str(json)
                    .map_err(|e| format!("the operations that read content: {e}"))?,
                None => Vec::new(),
            },
            requester: Actor {
                user_id: parse(UserId::parse(&self.requester_id))?,
                email: self.requester_email,
            },
            created_at: self.created_at,
            stage,
            approvals: Approvals {
                required: parse(ApprovalsRequired::parse(self.approvals_required))?,
                given: approvals,
            },
            extends: match (self.extends, self.first_started_at, self.continues_at) {
                (Some(of), Some(first_started_at), Some(continues_at)) => Some(Extension {
                    of: parse(RequestId::parse(&of))?,
                    first_started_at,
                    continues_at,
                }),
                (None, None, None) => None,
                _ => return Err("the extension is only partly stored".into()),
            },
            emergency,
        })
    }
}

/// The requests a query selects, in its order, from a database of rows of
/// this shape (the provider's index; a test reading every tenant's rows);
/// a row that breaks its rules is an error, never dropped.
pub async fn select_from<D: Database>(
    db: &D,
    statement: Statement,
) -> Result<Vec<AccessRequest>, DbError> {
    let rows: Vec<RequestRow> = db.query(statement).await?;
    rows.into_iter().map(RequestRow::into_domain).collect()
}

/// The requests of `tenant` a query selects, in its order.
pub async fn select<D: Database>(
    tenant: &Tenant<'_, D>,
    statement: Statement,
) -> Result<Vec<AccessRequest>, DbError> {
    select_from(tenant, statement).await
}

/// Request `id` of `tenant`, if it exists.
pub async fn load<D: Database>(
    tenant: &Tenant<'_, D>,
    id: &RequestId,
) -> Result<Option<AccessRequest>, DbError> {
    Ok(select(tenant, load_statement(tenant.id(), id))
        .await?
        .into_iter()
        .next())
}

/// The query of [`load`].
pub fn load_statement(tenant: &TenantId, id: &RequestId) -> Statement {
    Statement::new(
        format!("SELECT {COLUMNS} FROM access_requests WHERE id = ? AND tenant_id = ?"),
        vec![id.as_str().into(), tenant.as_str().into()],
    )
}

/// Request `id` in this database, whichever tenant it is of (a read made
/// before the tenant is known; the caller checks the tenant).
pub fn anywhere_statement(id: &RequestId) -> Statement {
    Statement::new(
        format!("SELECT {COLUMNS} FROM access_requests WHERE id = ?"),
        vec![id.as_str().into()],
    )
}

/// The request [`load_statement`]'s rows hold, if any.
pub fn loaded(rows: Vec<RequestRow>) -> Result<Option<AccessRequest>, DbError> {
    rows.into_iter()
        .next()
        .map(RequestRow::into_domain)
        .transpose()
}

/// "The tenant allows emergency access (with content operations, when
/// `content`), is not frozen, has no live emergency grant and fewer than
/// [`emergency::PER_WINDOW`] started in the [`emergency::WINDOW_MS`] before
/// `now`": the guard of the pre-approval that starts an emergency grant.
pub fn emergency_room(tenant: &TenantId, content: bool, now: i64) -> Condition {
    use lockbox_shared::emergency;
    let content = if content {
        " AND emergency_content = 1"
    } else {
        ""
    };
    Condition::new(
        format!(
            "EXISTS (SELECT 1 FROM tenants WHERE id = ? AND emergency_allowed = 1 \
             AND frozen_at IS NULL{content}) \
             AND NOT EXISTS (SELECT 1 FROM access_requests WHERE tenant_id = ? \
             AND emergency IS NOT NULL AND state = 'Approved' AND grant_ends_at > ?) \
             AND (SELECT COUNT(*) FROM access_requests WHERE tenant_id = ? \
             AND emergency IS NOT NULL AND grant_starts_at > ?) < ?"
        ),
        vec![
            tenant.as_str().into(),
            tenant.as_str().into(),
            now.into(),
            tenant.as_str().into(),
            (now - emergency::WINDOW_MS).into(),
            (emergency::PER_WINDOW as i64).into(),
        ],
    )
}

/// A tenant's emergency grants started in the `WINDOW_MS` before `now`
/// (`lockbox_shared::emergency`), read as what the limits count.
pub fn recent_emergencies(tenant: &TenantId, now: i64) -> Statement {
    Statement::new(
        format!(
            "SELECT {COLUMNS} FROM access_requests WHERE tenant_id = ? \
             AND emergency IS NOT NULL AND grant_starts_at > ? ORDER BY grant_starts_at"
        ),
        vec![
            tenant.as_str().into(),
            (now - lockbox_shared::emergency::WINDOW_MS).into(),
        ],
    )
}

/// "Request `id` has no open extension at `now`" (none waiting, none
/// approved and not over): a grant has at most one.
pub fn no_open_extension(id: &RequestId, now: i64) -> Condition {
    let open = OPEN_STATES.map(|state| still_in(state, now));
    let sql: Vec<String> = open.iter().map(|c| format!("({})", c.sql)).collect();
    let mut args: Vec<Value> = vec![id.as_str().into()];
    args.extend(open.into_iter().flat_map(|c| c.args));
    Condition::new(
        format!(
            "NOT EXISTS (SELECT 1 FROM access_requests WHERE extends = ? AND ({}))",
            sql.join(" OR ")
        ),
        args,
    )
}

/// Every column of `req`, in the order of [`COLUMNS`].
fn row_values(req: &AccessRequest) -> Vec<Value> {
    let mut values: Vec<Value> = vec![
        req.id.as_str().into(),
        req.tenant_id.as_str().into(),
        req.service.as_str().into(),
        req.ticket.as_str().into(),
        req.reason.as_str().into(),
        i64::from(req.duration.minutes()).into(),
        req.requester.user_id.as_str().into(),
        req.requester.email.as_str().into(),
        req.created_at.into(),
    ];
    values.extend(mutable_values(req));
    let extension = req.extends.as_ref();
    values.extend([
        extension.map(|e| e.of.as_str()).into(),
        extension.map(|e| e.first_started_at).into(),
        extension.map(|e| e.continues_at).into(),
    ]);
    values.push(
        req.operations
            .as_ref()
            .map(|ops| operations_json(ops.names()))
            .into(),
    );
    values.push(operations_json(&req.reads_content).into());
    values
}

/// A list of operation names as stored.
fn operations_json(names: &[String]) -> String {
    // Strings only: serialising cannot fail.
    serde_json::to_string(names).unwrap_or_else(|_| "[]".to_owned())
}

fn operations_from(what: &str, json: &str) -> Result<OperationSet, String> {
    let names: Vec<String> = serde_json::from_str(json).map_err(|e| format!("{what}: {e}"))?;
    OperationSet::parse("operations", &names).map_err(|e| format!("{what}: {}", e.message))
}

/// The row of `req` as one JSON object by column (the copy the provider's
/// index is kept in step with).
pub fn row_json(req: &AccessRequest) -> String {
    let row: serde_json::Map<String, serde_json::Value> = COLUMNS
        .split(", ")
        .zip(row_values(req))
        .map(|(column, value)| {
            let value = match value {
                Value::Null => serde_json::Value::Null,
                Value::Int(n) => n.into(),
                Value::Text(s) => s.into(),
            };
            (column.to_owned(), value)
        })
        .collect();
    serde_json::Value::Object(row).to_string()
}

/// Inserts a new request when `guard` holds (always without one).
pub fn insert_if(req: &AccessRequest, guard: Option<&Condition>) -> Statement {
    let mut args = row_values(req);
    let marks = vec!["?"; args.len()].join(", ");
    match guard {
        None => Statement::new(
            format!("INSERT INTO access_requests ({COLUMNS}) VALUES ({marks})"),
            args,
        ),
        Some(guard) => {
            args.extend(guard.args.iter().cloned());
            Statement::new(
                format!(
                    "INSERT INTO access_requests ({COLUMNS}) SELECT {marks} WHERE {}",
                    guard.sql
                ),
                args,
            )
        }
    }
}

/// Writes `after` over the row, when `guard` holds.
pub fn update(after: &AccessRequest, guard: &Condition) -> Statement {
    let sets: Vec<String> = MUTABLE_COLUMNS.iter().map(|c| format!("{c} = ?")).collect();
    let mut args = mutable_values(after);
    args.extend(guard.args.iter().cloned());
    Statement::new(
        format!(
            "UPDATE access_requests SET {} WHERE {}",
            sets.join(", "),
            guard.sql
        ),
        args,
    )
}

/// Remembers an Idempotency-Key, when `condition` holds.
pub fn idempotency_insert(
    user_id: &UserId,
    key: &str,
    request_id: &RequestId,
    verb: Verb,
    now: i64,
    condition: &Condition,
) -> Statement {
    let mut args: Vec<Value> = vec![
        user_id.as_str().into(),
        key.into(),
        request_id.as_str().into(),
        verb.as_str().into(),
        now.into(),
    ];
    args.extend(condition.args.iter().cloned());
    Statement::new(
        format!(
            "INSERT INTO idempotency_keys (user_id, key, request_id, verb, created_at) \
             SELECT ?, ?, ?, ?, ? WHERE {}",
            condition.sql
        ),
        args,
    )
}

/// The request and verb an Idempotency-Key of `user_id` was first used on.
pub fn idempotency_lookup(user_id: &UserId, key: &str) -> Statement {
    Statement::new(
        "SELECT request_id, verb FROM idempotency_keys WHERE user_id = ? AND key = ?",
        vec![user_id.as_str().into(), key.into()],
    )
}

/// Where a page of a listing starts: after (created_at, id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub created_at: i64,
    pub id: RequestId,
}

/// Filters of a listing.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Only requests in this state as of now.
    pub state: Option<State>,
    /// Only requests created after this time.
    pub created_after: Option<i64>,
    /// Only requests older than this one (the previous page's last).
    pub cursor: Option<Cursor>,
}

/// One page of the requests that `scope` selects, newest first; fetches
/// `limit + 1` rows so the caller knows whether there is a next page.
pub fn list(scope: Condition, filter: &ListFilter, limit: i64, now: i64) -> Statement {
    list_from("access_requests", scope, filter, limit, now)
}

/// [`list`] from `table`: a tenant's `access_requests`, or the provider's
/// `request_index` (the same columns).
pub fn list_from(
    table: &str,
    scope: Condition,
    filter: &ListFilter,
    limit: i64,
    now: i64,
) -> Statement {
    let mut condition = scope;
    if let Some(state) = filter.state {
        condition = condition.and(effectively(state, now));
    }
    if let Some(after) = filter.created_after {
        condition = condition.and(Condition::new("created_at > ?", vec![after.into()]));
    }
    if let Some(cursor) = &filter.cursor {
        condition = condition.and(Condition::new(
            "created_at < ? OR (created_at = ? AND id < ?)",
            vec![
                cursor.created_at.into(),
                cursor.created_at.into(),
                cursor.id.as_str().into(),
            ],
        ));
    }
    let mut args = condition.args;
    args.push((limit + 1).into());
    Statement::new(
        format!(
            "SELECT {COLUMNS} FROM {table} WHERE {} ORDER BY created_at DESC, id DESC LIMIT ?",
            condition.sql
        ),
        args,
    )
}

/// Every request of one tenant.
pub fn of_tenant(tenant_id: &TenantId) -> Condition {
    Condition::new("tenant_id = ?", vec![tenant_id.as_str().into()])
}

/// [`AccessRequest::reached_customer`] in SQL: the manager decided and did
/// not reject. (`tests/tests/model.rs` checks the two agree on every
/// request the model makes.)
pub fn reached_customer() -> Condition {
    Condition::new(
        "manager_decided_at IS NOT NULL AND state <> ?",
        vec![State::Rejected.as_str().into()],
    )
}

/// "A live grant of `requester` for `tenant` and `service` at `now`":
/// effectively Approved, started, and the tenant not frozen. The one rule of what a grant allows,
/// for the access check, the operator API's read and the guard of its
/// audit record.
pub fn live_grant_condition(
    requester: Requester<'_>,
    tenant: &TenantId,
    service: &str,
    now: i64,
) -> Condition {
    requester
        .condition()
        .and(Condition::new(
            "tenant_id = ? AND service = ? AND grant_starts_at <= ?",
            vec![tenant.as_str().into(), service.into(), now.into()],
        ))
        .and(still_in(State::Approved, now))
        // A grant being revoked records nothing more ([`close_for_revoke`]).
        .and(Condition::new("closing_at IS NULL", vec![]))
        // A frozen tenant's grants open nothing, whatever their rows say.
        .and(super::settings::not_frozen(tenant))
}

/// Marks the grants `ids` as being revoked at `now`: nothing more is
/// recorded under them, so the revocation's write (which counts their
/// operator records) cannot be outrun by a stream of new ones.
pub fn close_for_revoke(ids: &[&str], now: i64) -> Statement {
    Statement::new(
        "UPDATE access_requests SET closing_at = ? WHERE id IN (SELECT value FROM json_each(?)) \
         AND state = 'Approved' AND closing_at IS NULL",
        vec![now.into(), super::db::json_list(ids.iter().copied())],
    )
}

/// Whose grant: a person by id, or by the e-mail they signed in with (so
/// that the read can share a round trip with the lookup of who is calling).
#[derive(Debug, Clone, Copy)]
pub enum Requester<'a> {
    Id(&'a UserId),
    Email(&'a str),
}

impl Requester<'_> {
    fn condition(self) -> Condition {
        match self {
            Requester::Id(id) => Condition::new("requester_id = ?", vec![id.as_str().into()]),
            Requester::Email(email) => Condition::new(
                "requester_id = (SELECT id FROM users WHERE email = ?)",
                vec![email.into()],
            ),
        }
    }
}

/// The live grant, if any, of `requester` for `tenant` and `service` at
/// `now`: effectively Approved, and started.
pub fn live_grant(
    requester: Requester<'_>,
    tenant: &TenantId,
    service: &str,
    now: i64,
) -> Statement {
    let condition = live_grant_condition(requester, tenant, service, now);
    Statement::new(
        format!(
            "SELECT {COLUMNS} FROM access_requests WHERE {} ORDER BY grant_ends_at DESC LIMIT 1",
            condition.sql
        ),
        condition.args,
    )
}

/// Request `id`, if it is a live grant of `requester` for `tenant` and
/// `service` at `now`.
pub fn live_grant_of(
    id: &RequestId,
    requester: Requester<'_>,
    tenant: &TenantId,
    service: &str,
    now: i64,
) -> Statement {
    let condition = this_request(id).and(live_grant_condition(requester, tenant, service, now));
    Statement::new(
        format!(
            "SELECT {COLUMNS} FROM access_requests WHERE {}",
            condition.sql
        ),
        condition.args,
    )
}

/// "This very request is still a live grant of `requester` for `tenant`
/// and `service` at `now`": the guard of an operator record.
pub fn still_live_grant(
    id: &RequestId,
    requester: &UserId,
    tenant: &TenantId,
    service: &str,
    now: i64,
) -> Condition {
    this_request(id)
        .and(live_grant_condition(
            Requester::Id(requester),
            tenant,
            service,
            now,
        ))
        .exists_in("access_requests")
}

/// Every request of the chain request `id` belongs to — the first grant
/// and each extension in turn — oldest first, in one read.
pub fn chain_of(id: &RequestId) -> Statement {
    Statement::new(
        format!(
            "WITH RECURSIVE up(id, parent) AS ( \
                 SELECT id, extends FROM access_requests WHERE id = ? \
                 UNION SELECT r.id, r.extends FROM access_requests r JOIN up ON r.id = up.parent), \
             chain(id) AS ( \
                 SELECT id FROM up WHERE parent IS NULL \
                 UNION SELECT r.id FROM access_requests r JOIN chain c ON r.extends = c.id) \
             SELECT {COLUMNS} FROM access_requests WHERE id IN (SELECT id FROM chain) \
             ORDER BY created_at, id LIMIT 100"
        ),
        vec![id.as_str().into()],
    )
}

/// The requests that extend request `id`, oldest first.
pub fn extensions_of(id: &RequestId) -> Statement {
    Statement::new(
        format!(
            "SELECT {COLUMNS} FROM access_requests WHERE extends = ? ORDER BY created_at, id LIMIT 50"
        ),
        vec![id.as_str().into()],
    )
}

/// Up to `limit` requests of `tenant` a freeze ends at `now`: live grants
/// and requests pending for the customer (as of `now`, whether or not the
/// sweep has run).
pub fn open_for_freeze(tenant: &TenantId, now: i64, limit: usize) -> Statement {
    let live = still_in(State::Approved, now);
    let pending = still_in(State::PendingCustomerApproval, now);
    let mut args: Vec<Value> = vec![tenant.as_str().into()];
    args.extend(live.args);
    args.extend(pending.args);
    args.push((limit as i64).into());
    Statement::new(
        format!(
            "SELECT {COLUMNS} FROM access_requests WHERE tenant_id = ? AND (({}) OR ({})) \
             ORDER BY created_at, id LIMIT ?",
            live.sql, pending.sql
        ),
        args,
    )
}

/// How many requests of `tenant` a freeze still has to end at `now` (as
/// [`open_for_freeze`] selects them), as `n`.
pub fn count_open_for_freeze(tenant: &TenantId, now: i64) -> Statement {
    let live = still_in(State::Approved, now);
    let pending = still_in(State::PendingCustomerApproval, now);
    let mut args: Vec<Value> = vec![tenant.as_str().into()];
    args.extend(live.args);
    args.extend(pending.args);
    Statement::new(
        format!(
            "SELECT COUNT(*) AS n FROM access_requests WHERE tenant_id = ? AND (({}) OR ({}))",
            live.sql, pending.sql
        ),
        args,
    )
}

/// The most recent grants of `requester` for `tenant`, live or not, newest
/// first: what a refused operator call is explained from.
pub fn recent_grants(requester: &UserId, tenant: &TenantId) -> Statement {
    Statement::new(
        format!(
            "SELECT {COLUMNS} FROM access_requests WHERE requester_id = ? AND tenant_id = ? \
             AND grant_starts_at IS NOT NULL ORDER BY grant_starts_at DESC LIMIT 20"
        ),
        vec![requester.as_str().into(), tenant.as_str().into()],
    )
}

/// At most `limit` requests of `tenant` whose deadline has passed at
/// `now` (any rule of [`DEADLINES`]), soonest deadline first (the sweep's
/// scan, one partial index per rule).
/// The earliest deadline of `tenant`'s requests still to pass (each state
/// that ends by itself, by [`DEADLINES`]), and the earliest end of a live
/// grant whose 15-minute warning (`warn_before` ms before) is after `now`, as
/// `at` (NULL when there is none): when its object's alarm is due.
pub fn next_deadline(tenant: &TenantId, warn_before: i64, now: i64) -> Statement {
    let mut parts = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    for rule in &DEADLINES {
        parts.push(format!(
            "SELECT MIN({col}) AS t FROM access_requests WHERE tenant_id = ? AND {}",
            state_is(rule.state),
            col = column(rule.deadline)
        ));
        args.push(tenant.as_str().into());
        if rule.deadline == lockbox_shared::lifecycle::Deadline::GrantEnd {
            parts.push(format!(
                "SELECT MIN({col}) - ? AS t FROM access_requests \
                 WHERE tenant_id = ? AND {} AND {col} - ? > ?",
                state_is(rule.state),
                col = column(rule.deadline)
            ));
            args.extend([
                warn_before.into(),
                tenant.as_str().into(),
                warn_before.into(),
                now.into(),
            ]);
        }
    }
    // An ended emergency's review, due.
    parts.push(
        "SELECT MIN(review_due_at) AS t FROM access_requests WHERE tenant_id = ? \
         AND state IN ('Completed', 'Revoked')"
            .to_owned(),
    );
    args.push(tenant.as_str().into());
    Statement::new(
        format!("SELECT MIN(t) AS at FROM ({})", parts.join(" UNION ALL ")),
        args,
    )
}

pub fn due(tenant: &TenantId, now: i64, limit: i64) -> Statement {
    let mut parts = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    for rule in &DEADLINES {
        let condition = past_deadline(rule, now);
        parts.push(format!(
            "SELECT {COLUMNS}, {col} AS due_at FROM access_requests WHERE tenant_id = ? AND {}",
            condition.sql,
            col = column(rule.deadline)
        ));
        args.push(tenant.as_str().into());
        args.extend(condition.args);
    }
    let lapsed = review_lapsed(now);
    parts.push(format!(
        "SELECT {COLUMNS}, review_due_at AS due_at FROM access_requests WHERE tenant_id = ? AND {}",
        lapsed.sql
    ));
    args.push(tenant.as_str().into());
    args.extend(lapsed.args);
    args.push(limit.into());
    Statement::new(
        format!(
            "SELECT {COLUMNS} FROM ({}) ORDER BY due_at, id LIMIT ?",
            parts.join(" UNION ALL ")
        ),
        args,
    )
}

/// Live grants of `tenant` that end within `window` ms of `now` and whose requester
/// has not yet been warned (no outbox row `<request id><warned>`), soonest
/// first. A grant that an approved extension continues right at its end
/// does not end then: it is left out (the extension is warned in turn).
pub fn ending_soon(
    tenant: &TenantId,
    now: i64,
    window: i64,
    warned: &str,
    limit: i64,
) -> Statement {
    let live = still_in(State::Approved, now);
    let mut args: Vec<Value> = vec![tenant.as_str().into()];
    args.extend(live.args.iter().cloned());
    args.extend([(now + window).into(), warned.into()]);
    // The same rule for the extension (the subquery's own columns).
    args.extend(live.args);
    args.push(limit.into());
    Statement::new(
        format!(
            "SELECT {COLUMNS} FROM access_requests WHERE tenant_id = ? AND {live} AND grant_ends_at <= ? \
             AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.id = access_requests.id || ?) \
             AND NOT EXISTS (SELECT 1 FROM access_requests e WHERE e.extends = access_requests.id \
             AND e.grant_starts_at = access_requests.grant_ends_at AND {live}) \
             ORDER BY grant_ends_at, id LIMIT ?",
            live = live.sql
        ),
        args,
    )
}

/// "Request `id` is a live grant at `now`" (stored Approved, its end still
/// ahead; started or yet to start), for a statement's guard: also what an
/// extension of it needs when it is asked for and when it is approved, so
/// that a revocation or an end that lands between the read and the write
/// wins.
pub fn still_live(id: &RequestId, now: i64) -> Condition {
    this_request(id)
        .and(still_in(State::Approved, now))
        .exists_in("access_requests")
}

/// Moves every time of a request `ms` into the past (local development).
pub fn shift(id: &RequestId, ms: i64) -> Statement {
    let columns = [
        "created_at",
        "manager_decided_at",
        "pending_expires_at",
        "customer_decided_at",
        "grant_starts_at",
        "grant_ends_at",
        "ended_at",
        "first_started_at",
        "continues_at",
        "review_due_at",
    ];
    let sets: Vec<String> = columns.iter().map(|c| format!("{c} = {c} - ?")).collect();
    let mut args: Vec<Value> = columns.iter().map(|_| Value::Int(ms)).collect();
    args.push(id.as_str().into());
    Statement::new(
        format!(
            "UPDATE access_requests SET {} WHERE id = ?",
            sets.join(", ")
        ),
        args,
    )
}
