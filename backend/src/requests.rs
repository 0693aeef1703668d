//! The request lifecycle's I/O: read the row, decide with the pure rules of
//! `lockbox_shared::lifecycle`, and write the change with the guard that
//! makes the database itself refuse a stale or raced decision.
//!
//! Everything here is generic over [`Database`], so the model test runs this
//! very code on SQLite.

use std::collections::BTreeMap;

use lockbox_shared::api::{
    AccessCheck, CreateAccessRequest, LockboxSetting, RequestDetail, RequestPage, RequestView,
    SweepOutcome, TenantSummary,
};
use lockbox_shared::audit::{AuditRecord, NewAuditRecord};
use lockbox_shared::ids::TenantId;
use lockbox_shared::lifecycle::{
    self, AccessRequest, Actor, GrantDuration, NewRequest, Reason, ServiceName, State,
    TicketNumber, TransitionError, Verb,
};
use lockbox_shared::policy::{authorize, Action};
use lockbox_shared::roles::Principal;
use serde::Deserialize;

use crate::error::AppError;
use crate::store::sql::{self, Cursor, Scope, SweepKind};
use crate::store::{new_id, Database, DbError};

/// Rows moved per statement pair by the sweep.
pub const SWEEP_BATCH: i64 = 500;
/// Statement pairs per kind per run: a run moves at most
/// `SWEEP_BATCH * SWEEP_ROUNDS` rows of each kind and leaves the rest to
/// the next run, so it stays inside the Workers limits however much is due:
/// 2 × 20 batches + 1 record of the run = 41 D1 calls, under the 50 queries
/// an invocation may make on the free plan.
pub const SWEEP_ROUNDS: u32 = 20;
/// Largest page a listing returns.
pub const MAX_PAGE: i64 = 200;

/// The facts of the call every write needs.
pub struct Ctx<'a> {
    /// The moment of the call (epoch ms, UTC).
    pub now: i64,
    /// The caller's address.
    pub ip: &'a str,
    /// The user shown for the Lockbox service in the log.
    pub service_account: &'a str,
}

fn actor(principal: &Principal) -> Actor {
    Actor {
        user_id: principal.user_id.clone(),
        email: principal.email.clone(),
    }
}

/// The action a verb needs permission for.
pub const fn action_of(verb: Verb) -> Action {
    match verb {
        Verb::Preapprove => Action::Preapprove,
        Verb::Reject => Action::Reject,
        Verb::Approve => Action::Approve,
        Verb::Deny => Action::Deny,
        Verb::Cancel => Action::CancelRequest,
        Verb::Revoke | Verb::Expire | Verb::Complete => Action::Revoke,
    }
}

#[derive(Deserialize)]
struct TenantRow {
    tenant_id: String,
    tenant_name: String,
    lockbox_enabled: i64,
    lockbox_changed_by: Option<String>,
    lockbox_changed_at: Option<i64>,
}

async fn tenant<D: Database>(db: &D, tenant_id: &str) -> Result<Option<TenantRow>, DbError> {
    Ok(db
        .query::<TenantRow>(sql::lockbox_setting(tenant_id))
        .await?
        .into_iter()
        .next())
}

/// One request by id, if it exists.
pub async fn load<D: Database>(db: &D, id: &str) -> Result<Option<AccessRequest>, DbError> {
    let rows: Vec<AccessRequest> = db.query(sql::request_by_id(id)).await?;
    Ok(rows.into_iter().next())
}

async fn view<D: Database>(
    db: &D,
    request: AccessRequest,
    now: i64,
) -> Result<RequestView, DbError> {
    let tenant_name = tenant(db, &request.tenant_id.0)
        .await?
        .map(|t| t.tenant_name)
        .unwrap_or_default();
    Ok(RequestView {
        effective_state: request.effective_state(now),
        request,
        tenant_name,
    })
}

fn not_found(id: &str) -> AppError {
    AppError::Missing {
        what: format!("The request {id}"),
    }
}

/// An engineer opens a request.
pub async fn create<D: Database>(
    db: &D,
    principal: &Principal,
    input: &CreateAccessRequest,
    ctx: &Ctx<'_>,
) -> Result<RequestView, AppError> {
    authorize(principal, Action::CreateRequest, None)?;
    let tenant_id = input.tenant_id.trim();
    let services: Vec<ServiceRow> = db.query(sql::tenant_services(tenant_id)).await?;
    if services.is_empty() {
        return Err(AppError::invalid(lifecycle::Invalid {
            field: "tenant_id",
            message: format!(
                "There is no tenant with the id {tenant_id:?}. List them with GET /api/v1/tenants."
            ),
        }));
    }
    let service = ServiceName::parse(&input.service).map_err(AppError::invalid)?;
    if !services.iter().any(|s| s.service == service.as_str()) {
        let names: Vec<&str> = services.iter().map(|s| s.service.as_str()).collect();
        return Err(AppError::invalid(lifecycle::Invalid {
            field: "service",
            message: format!("This tenant's services are {}.", names.join(", ")),
        }));
    }
    let new = NewRequest {
        tenant_id: TenantId(tenant_id.to_owned()),
        service,
        ticket: TicketNumber::parse(&input.ticket).map_err(AppError::invalid)?,
        reason: Reason::parse(&input.reason).map_err(AppError::invalid)?,
        duration: GrantDuration::from_minutes(input.duration_minutes).map_err(AppError::invalid)?,
    };
    let request = lifecycle::create(new_id(), new, &actor(principal), ctx.now);
    let record = NewAuditRecord::request_created(&request, ctx.ip);
    db.batch(vec![
        sql::insert_request(&request),
        sql::audit_insert(
            &record,
            &sql::transition_audit_id(&request.id, request.state),
            ctx.now,
            None,
        ),
    ])
    .await?;
    Ok(view(db, request, ctx.now).await?)
}

#[derive(Deserialize)]
struct ServiceRow {
    service: String,
}

#[derive(Deserialize)]
struct IdempotencyRow {
    request_id: String,
    verb: String,
}

/// What an Idempotency-Key says about a call.
enum Replay {
    /// The key is new.
    Fresh,
    /// The key was used for this very call: answer as before.
    Same,
    /// The key was used for something else.
    Conflict,
}

async fn replay<D: Database>(
    db: &D,
    user_id: &str,
    key: &str,
    request_id: &str,
    verb: Verb,
) -> Result<Replay, DbError> {
    let rows: Vec<IdempotencyRow> = db.query(sql::idempotency_lookup(user_id, key)).await?;
    Ok(match rows.first() {
        None => Replay::Fresh,
        Some(row) if row.request_id == request_id && row.verb == verb.as_str() => Replay::Same,
        Some(_) => Replay::Conflict,
    })
}

fn decide(
    request: &AccessRequest,
    verb: Verb,
    who: &Actor,
    lockbox_enabled: bool,
    comment: Option<String>,
    now: i64,
) -> Result<AccessRequest, TransitionError> {
    match verb {
        Verb::Preapprove => lifecycle::preapprove(request, who, lockbox_enabled, comment, now),
        Verb::Reject => lifecycle::reject(request, who, comment, now),
        Verb::Approve => lifecycle::decide(request, who, true, comment, now),
        Verb::Deny => lifecycle::decide(request, who, false, comment, now),
        Verb::Cancel => lifecycle::cancel(request, who, comment, now),
        Verb::Revoke => lifecycle::revoke(request, who, comment, now),
        // Only the sweep moves requests on by time.
        Verb::Expire | Verb::Complete => Err(TransitionError::AlreadyDecided {
            state: request.effective_state(now),
        }),
    }
}

/// A person moves a request on: `verb` with an optional comment, at most
/// once per `idempotency_key`.
pub async fn act<D: Database>(
    db: &D,
    principal: &Principal,
    id: &str,
    verb: Verb,
    comment: Option<String>,
    idempotency_key: Option<&str>,
    ctx: &Ctx<'_>,
) -> Result<RequestView, AppError> {
    let request = load(db, id).await?.ok_or_else(|| not_found(id))?;
    authorize(principal, action_of(verb), Some(&request.tenant_id))?;
    let user_id = &principal.user_id.0;

    if let Some(key) = idempotency_key {
        match replay(db, user_id, key, id, verb).await? {
            Replay::Fresh => {}
            Replay::Same => return Ok(view(db, request, ctx.now).await?),
            Replay::Conflict => return Err(AppError::IdempotencyKeyReused),
        }
    }

    let tenant_row = tenant(db, &request.tenant_id.0)
        .await?
        .ok_or_else(|| AppError::Internal(format!("request {id} names a missing tenant")))?;
    let lockbox_enabled = tenant_row.lockbox_enabled != 0;
    let who = actor(principal);
    let after = decide(
        &request,
        verb,
        &who,
        lockbox_enabled,
        comment.clone(),
        ctx.now,
    )
    .map_err(AppError::Transition)?;

    let mut guard = sql::transition_guard(verb, &request, ctx.now);
    if verb == Verb::Preapprove {
        guard = sql::with_lockbox_setting(guard, &request.tenant_id.0, lockbox_enabled);
    }
    let record = NewAuditRecord::transition(
        verb,
        &request,
        &after,
        &principal.email,
        ctx.ip,
        ctx.service_account,
    );
    let exists = guard.exists();
    let mut statements = vec![sql::audit_insert(
        &record,
        &sql::transition_audit_id(id, after.state),
        ctx.now,
        Some(&exists),
    )];
    if let Some(key) = idempotency_key {
        statements.push(sql::idempotency_insert(
            user_id, key, id, verb, ctx.now, &guard,
        ));
    }
    statements.push(sql::update_request(&after, &guard));

    let applied = match db.batch(statements).await {
        Ok(changes) => changes.last() == Some(&1),
        // The same key raced in from a double tap: the other call won.
        Err(DbError::Unique(_)) if idempotency_key.is_some() => false,
        Err(err) => return Err(err.into()),
    };
    if applied {
        return Ok(view(db, after, ctx.now).await?);
    }

    // Someone else changed the row between our read and our write.
    if let Some(key) = idempotency_key {
        if let Replay::Same = replay(db, user_id, key, id, verb).await? {
            let current = load(db, id).await?.ok_or_else(|| not_found(id))?;
            return Ok(view(db, current, ctx.now).await?);
        }
    }
    let current = load(db, id).await?.ok_or_else(|| not_found(id))?;
    let lockbox_now = tenant(db, &current.tenant_id.0)
        .await?
        .is_some_and(|t| t.lockbox_enabled != 0);
    Err(AppError::Transition(
        decide(&current, verb, &who, lockbox_now, comment, ctx.now)
            .err()
            .unwrap_or(TransitionError::AlreadyDecided {
                state: current.effective_state(ctx.now),
            }),
    ))
}

/// A request with its history, for someone allowed to read it.
pub async fn detail<D: Database>(
    db: &D,
    principal: &Principal,
    id: &str,
    now: i64,
) -> Result<RequestDetail, AppError> {
    let request = load(db, id).await?.ok_or_else(|| not_found(id))?;
    authorize(principal, Action::ReadRequest, Some(&request.tenant_id))?;
    if !lockbox_shared::policy::may_see_request(principal, &request.requester_id) {
        return Err(not_found(id));
    }
    let history = history(db, &request).await?;
    Ok(RequestDetail {
        view: view(db, request, now).await?,
        history,
    })
}

async fn history<D: Database>(
    db: &D,
    request: &AccessRequest,
) -> Result<Vec<AuditRecord>, DbError> {
    crate::audit::records(db, sql::history(&request.tenant_id.0, &request.id)).await
}

/// Filters of a listing.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub state: Option<State>,
    pub created_after: Option<i64>,
    pub cursor: Option<Cursor>,
    pub limit: Option<i64>,
}

/// Encodes where the next page starts.
pub fn encode_cursor(cursor: &Cursor) -> String {
    format!("{}_{}", cursor.created_at, cursor.id)
}

/// Decodes a cursor from a previous page.
pub fn decode_cursor(s: &str) -> Result<Cursor, AppError> {
    let bad =
        || AppError::bad_request("`cursor` is not one this API gave out; start again without it.");
    let (at, id) = s.split_once('_').ok_or_else(bad)?;
    Ok(Cursor {
        created_at: at.parse().map_err(|_| bad())?,
        id: lifecycle::parse_request_id(id).map_err(|_| bad())?,
    })
}

/// One page of requests in `scope`.
pub async fn list<D: Database>(
    db: &D,
    scope: &Scope,
    query: &ListQuery,
    now: i64,
) -> Result<RequestPage, AppError> {
    let limit = query.limit.unwrap_or(50).clamp(1, MAX_PAGE);
    let mut requests: Vec<AccessRequest> = db
        .query(sql::list_requests(
            scope,
            query.state,
            query.created_after,
            query.cursor.as_ref(),
            limit,
            now,
        ))
        .await?;
    let next_cursor = if requests.len() as i64 > limit {
        requests.truncate(limit as usize);
        requests.last().map(|last| {
            encode_cursor(&Cursor {
                created_at: last.created_at,
                id: last.id.clone(),
            })
        })
    } else {
        None
    };
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let mut items = Vec::with_capacity(requests.len());
    for request in requests {
        let tenant_id = request.tenant_id.0.clone();
        if !names.contains_key(&tenant_id) {
            let name = tenant(db, &tenant_id)
                .await?
                .map(|t| t.tenant_name)
                .unwrap_or_default();
            names.insert(tenant_id.clone(), name);
        }
        items.push(RequestView {
            effective_state: request.effective_state(now),
            tenant_name: names.get(&tenant_id).cloned().unwrap_or_default(),
            request,
        });
    }
    Ok(RequestPage { items, next_cursor })
}

/// Whether the caller holds a live grant for `tenant_id` / `service` now:
/// decided from `grant_ends_at > now` at read time, whether or not the
/// scheduled job has run.
pub async fn check_access<D: Database>(
    db: &D,
    principal: &Principal,
    tenant_id: &str,
    service: &str,
    now: i64,
) -> Result<AccessCheck, AppError> {
    authorize(principal, Action::CheckAccess, None)?;
    let rows: Vec<AccessRequest> = db
        .query(sql::live_grant(
            &principal.user_id.0,
            tenant_id,
            service,
            now,
        ))
        .await?;
    let grant = rows.into_iter().find(|r| r.grants_access(now));
    Ok(AccessCheck {
        tenant_id: TenantId(tenant_id.to_owned()),
        service: service.to_owned(),
        access: grant.is_some(),
        request_id: grant.as_ref().map(|g| g.id.clone()),
        ends_at: grant.and_then(|g| g.grant_ends_at),
        checked_at: now,
    })
}

/// The caller's tenant's Lockbox switch.
pub async fn lockbox_setting<D: Database>(
    db: &D,
    principal: &Principal,
) -> Result<LockboxSetting, AppError> {
    authorize(principal, Action::ReadLockboxSetting, principal.tenant())?;
    let tenant_id = principal.tenant().map(|t| t.0.clone()).unwrap_or_default();
    let row = tenant(db, &tenant_id)
        .await?
        .ok_or_else(|| AppError::Internal(format!("tenant {tenant_id} missing")))?;
    Ok(LockboxSetting {
        tenant_id: TenantId(row.tenant_id),
        tenant_name: row.tenant_name,
        enabled: row.lockbox_enabled != 0,
        changed_by: row.lockbox_changed_by,
        changed_at: row.lockbox_changed_at,
    })
}

/// Turns the caller's tenant's Lockbox on or off (audited when it changes).
pub async fn set_lockbox<D: Database>(
    db: &D,
    principal: &Principal,
    enabled: bool,
    ctx: &Ctx<'_>,
) -> Result<LockboxSetting, AppError> {
    authorize(principal, Action::SetLockboxSetting, principal.tenant())?;
    let tenant_id = principal
        .tenant()
        .cloned()
        .unwrap_or(TenantId(String::new()));
    let record =
        NewAuditRecord::lockbox_setting(tenant_id.clone(), ctx.ip, &principal.email, enabled);
    let changes = sql::lockbox_changes(&tenant_id.0, enabled);
    db.batch(vec![
        sql::audit_insert(&record, &new_id(), ctx.now, Some(&changes)),
        sql::set_lockbox(&tenant_id.0, enabled, &principal.email, ctx.now),
    ])
    .await?;
    lockbox_setting(db, principal).await
}

/// Every tenant with its services, for provider staff opening requests.
pub async fn tenants<D: Database>(
    db: &D,
    principal: &Principal,
) -> Result<Vec<TenantSummary>, AppError> {
    authorize(principal, Action::ListTenants, None)?;
    #[derive(Deserialize)]
    struct Row {
        id: String,
        name: String,
        services: String,
    }
    let rows: Vec<Row> = db.query(sql::tenants_with_services()).await?;
    Ok(rows
        .into_iter()
        .map(|row| TenantSummary {
            id: TenantId(row.id),
            name: row.name,
            services: row
                .services
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        })
        .collect())
}

/// The scheduled sweep as of `now`: due pending requests expire, due grants
/// complete, each with one audit record, in bounded batches. Running it
/// twice, or late, gives the same end state and no duplicate records.
pub async fn sweep<D: Database>(
    db: &D,
    now: i64,
    service_account: &str,
) -> Result<SweepOutcome, DbError> {
    let mut outcome = SweepOutcome::default();
    for kind in [SweepKind::Expire, SweepKind::Complete] {
        for round in 0..SWEEP_ROUNDS {
            let moved = db
                .batch(sql::sweep(kind, now, SWEEP_BATCH, service_account).into())
                .await?
                .last()
                .copied()
                .unwrap_or_default() as u64;
            match kind {
                SweepKind::Expire => outcome.expired += moved,
                SweepKind::Complete => outcome.completed += moved,
            }
            if (moved as i64) < SWEEP_BATCH {
                break;
            }
            if round + 1 == SWEEP_ROUNDS {
                outcome.more_due = true;
            }
        }
    }
    Ok(outcome)
}
