//! Writes a [`Plan`] in one transaction: for each step its audit record,
//! its notices, the copy of its row for the provider's index and the row
//! itself, and the Idempotency-Key of the decision.
//!
//! A batch has no interactive transaction (D1), so what must hold is
//! checked once, at the batch's start, by opening a gate: a row of
//! `plan_gates` written only if the step's guard (the row as read, its
//! deadline ahead or passed, and the plan's requirements) holds. Every
//! other statement of the step runs only while its gate is open, and the
//! gates are removed at the batch's end. For an all-or-nothing plan each
//! gate opens only if the one before it did, and every step waits on the
//! last: one stale row and nothing is written.

use std::collections::BTreeMap;

use lockbox_shared::audit::{AuditRecord, EndSummary, NewAuditRecord};
use lockbox_shared::ids::TenantId;
use lockbox_shared::lifecycle::AccessRequest;
use lockbox_shared::lifecycle::Verb;
use lockbox_shared::plan::{Atomicity, KeyUse, Mover, Plan, Requirement, Step};
use lockbox_shared::report;

use super::db::{json_list, Condition, Database, DbError, Statement};
use super::handles::{Global, Tenant};
use super::people::ProviderReaders;
use super::requests as rows;
use super::{audit, provider_index, settings};
use crate::service::notify;
use lockbox_shared::notify::{self as notices, Audience};

/// "The gate `id` is open".
fn open(id: &str) -> Condition {
    Condition::new(
        "EXISTS (SELECT 1 FROM plan_gates WHERE id = ?)",
        vec![id.into()],
    )
}

/// Opens gate `id` when `guard` holds.
fn open_gate(id: &str, guard: &Condition) -> Statement {
    let mut args = vec![id.into()];
    args.extend(guard.args.iter().cloned());
    Statement::new(
        format!("INSERT INTO plan_gates (id) SELECT ? WHERE {}", guard.sql),
        args,
    )
}

fn requirement(tenant: &TenantId, requirement: &Requirement, now: i64) -> Condition {
    match requirement {
        Requirement::NotFrozen => settings::not_frozen(tenant),
        Requirement::Switches(switches) => rows::tenant_settings_are(tenant, *switches),
        Requirement::Live(id) => rows::still_live(id, now),
        Requirement::NoOpenExtension(id) => rows::no_open_extension(id, now),
        Requirement::EmergencyRoom { content } => rows::emergency_room(tenant, *content, now),
    }
}

/// "`before` is still as read" for `mover` at `now`.
fn as_read(mover: Mover, before: &AccessRequest, now: i64) -> Condition {
    match mover {
        Mover::Person => rows::person_guard(before, now).exists_in("access_requests"),
        // A request with no deadline is never the sweep's to move.
        Mover::Deadline => match rows::deadline_guard(before, now) {
            Some(guard) => guard.exists_in("access_requests"),
            // An ended emergency's review that lapsed.
            None if lockbox_shared::emergency::review_due(before, now).is_some() => {
                rows::lapse_guard(before, now).exists_in("access_requests")
            }
            None => Condition::new("0", Vec::new()),
        },
    }
}

fn key_insert(key: &KeyUse, now: i64, condition: &Condition) -> Statement {
    rows::idempotency_insert(
        &key.user_id,
        &key.key,
        &key.request_id,
        key.verb,
        now,
        condition,
    )
}

/// The end of a grant a step writes: the end record, the number of
/// operator records it counts, and what they add up to.
struct End {
    record: NewAuditRecord,
    actions: usize,
    summary: EndSummary,
}

/// The end of each step of `plan` that ends a grant, from the operator
/// records under those grants as they are now (read in one query).
async fn ends_of<D: Database>(
    db: &Tenant<'_, D>,
    plan: &Plan,
) -> Result<Vec<Option<End>>, DbError> {
    let ending: Vec<&str> = plan
        .steps
        .iter()
        .filter(|step| report::ends_grant(step))
        .map(|step| step.after().id.as_str())
        .collect();
    let mut actions: BTreeMap<String, Vec<AuditRecord>> = BTreeMap::new();
    if !ending.is_empty() {
        for record in audit::select(db, audit::actions_under(db.id(), &ending)).await? {
            let of = record.record.details.get("RequestId").cloned();
            actions
                .entry(of.unwrap_or_default())
                .or_default()
                .push(record);
        }
    }
    Ok(plan
        .steps
        .iter()
        .map(|step| {
            let after = step.after();
            let under = actions
                .get(after.id.as_str())
                .map_or(&[][..], Vec::as_slice);
            Some(End {
                record: report::end_record(step, under)?,
                actions: under.len(),
                summary: EndSummary::of(after, under)?,
            })
        })
        .collect())
}

/// The statements of one step, each run only when `condition` holds; the
/// row's own write last.
#[allow(clippy::too_many_arguments)]
fn step_statements(
    step: &Step,
    end: Option<&End>,
    tenant_name: &str,
    readers: &ProviderReaders,
    now: i64,
    condition: &Condition,
    key: Option<&KeyUse>,
    indexed: bool,
) -> Vec<Statement> {
    let record_id = step.record_id();
    let mut statements = vec![audit::insert(
        step.record(),
        &record_id,
        now,
        Some(condition),
    )];
    if let Some(end) = end {
        // After the step's own record: the grant's end, and what was done.
        let after = step.after();
        let end_id = report::end_record_id(after.id.as_str());
        statements.push(audit::insert(&end.record, &end_id, now, Some(condition)));
        statements.extend(notify::on_end(
            after,
            &end.summary,
            tenant_name,
            &end_id,
            now,
            condition,
        ));
        if after.emergency.is_some() {
            statements.extend(notify::review_reminders(
                after,
                tenant_name,
                &end_id,
                now,
                condition,
            ));
        }
    }
    if let Step::Move {
        verb: Verb::Ratify | Verb::Dispute | Verb::Lapse,
        after,
        ..
    } = step
    {
        statements.push(notify::review_given(after, condition));
    }
    match step {
        Step::Open { request, .. } => {
            statements.extend(notify::on_create(
                request,
                tenant_name,
                readers,
                now,
                Some(condition),
            ));
        }
        Step::Move {
            verb,
            before,
            after,
            ..
        } => statements.extend(notify::on_transition(
            *verb,
            before,
            after,
            tenant_name,
            readers,
            &record_id,
            now,
            condition,
        )),
    }
    if let Some(key) = key {
        statements.push(key_insert(key, now, condition));
    }
    statements.push(if indexed {
        provider_index::apply_if(step.after(), condition)
    } else {
        provider_index::outbox_copy(step.after(), now, condition)
    });
    statements.push(match step {
        Step::Open { request, .. } => rows::insert_if(request, Some(condition)),
        Step::Move { after, .. } => rows::update(
            after,
            &Condition::new("id = ?", vec![after.id.as_str().into()]).and(condition.clone()),
        ),
    });
    statements
}

/// What [`commit`] wrote.
#[derive(Debug)]
pub struct Committed {
    /// Step by step, whether it was written.
    pub written: Vec<bool>,
    /// Whether the provider's index was written in the same batch (the
    /// tenant's data is in its database); if not, the copies wait in the
    /// tenant's outbox and the caller writes them ([`written`]).
    pub indexed: bool,
}

/// Writes `plan` (every step of one tenant, `tenant_name`) as of `now` in
/// one batch, its notices to the provider's people as `readers` names
/// them ([`readers_for`]). A UNIQUE failure (the same Idempotency-Key in
/// a race) writes nothing and comes back as [`DbError::Unique`].
pub async fn commit<D: Database>(
    tenant: &Tenant<'_, D>,
    tenant_name: &str,
    readers: &ProviderReaders,
    plan: &Plan,
    now: i64,
) -> Result<Committed, DbError> {
    if plan.steps.is_empty() {
        return Ok(Committed {
            written: Vec::new(),
            indexed: true,
        });
    }
    let indexed = tenant.holds_index().await?;
    if let Some(other) = plan
        .steps
        .iter()
        .find(|s| s.after().tenant_id != *tenant.id())
    {
        return Err(DbError::Other(format!(
            "a plan of tenant {} names a request of tenant {}",
            tenant.id(),
            other.after().tenant_id
        )));
    }
    let (db, tenant) = (tenant, tenant.id());
    let batch = uuid::Uuid::new_v4();
    let gate = |i: usize| format!("{batch}/{i}");
    let required = plan
        .requires
        .iter()
        .map(|r| requirement(tenant, r, now))
        .reduce(Condition::and);
    let ends = ends_of(db, plan).await?;
    let mut statements = Vec::new();
    for (i, step) in plan.steps.iter().enumerate() {
        let mut guard = match step {
            Step::Open { .. } => Condition::new("1", Vec::new()),
            Step::Move { before, .. } => as_read(plan.mover, before, now),
        };
        if let Some(Some(end)) = ends.get(i) {
            // The end record counts the grant's records as read: one
            // recorded since, and the step waits for another try.
            guard = guard.and(audit::actions_counted(
                tenant,
                step.after().id.as_str(),
                end.actions,
            ));
        }
        match (plan.atomicity, i.checked_sub(1)) {
            (Atomicity::AllOrNothing, Some(previous)) => guard = guard.and(open(&gate(previous))),
            _ => {
                if let Some(required) = &required {
                    guard = guard.and(required.clone());
                }
            }
        }
        statements.push(open_gate(&gate(i), &guard));
    }
    let opened = statements.len();
    let last = open(&gate(opened.saturating_sub(1)));
    for (i, step) in plan.steps.iter().enumerate() {
        let condition = match plan.atomicity {
            Atomicity::AllOrNothing => last.clone(),
            Atomicity::EachOnItsOwn => open(&gate(i)),
        };
        let key = plan.key.as_ref().filter(|_| i == 0);
        statements.extend(step_statements(
            step,
            ends.get(i).and_then(Option::as_ref),
            tenant_name,
            readers,
            now,
            &condition,
            key,
            indexed,
        ));
    }
    let gates: Vec<String> = (0..opened).map(gate).collect();
    statements.push(Statement::new(
        "DELETE FROM plan_gates WHERE id IN (SELECT value FROM json_each(?))",
        vec![json_list(gates.iter().map(String::as_str))],
    ));
    let changes = super::db::batch_storing(db, tenant, statements).await?;
    let gate_opened = |i: usize| changes.get(i) == Some(&1);
    let written = match plan.atomicity {
        Atomicity::AllOrNothing => vec![gate_opened(opened - 1); plan.steps.len()],
        Atomicity::EachOnItsOwn => (0..opened).map(gate_opened).collect(),
    };
    Ok(Committed { written, indexed })
}

/// The requests `plan` left as they are now, of the steps `written`
/// says were written: what the provider's index is told.
pub fn written<'a>(plan: &'a Plan, written: &[bool]) -> Vec<&'a AccessRequest> {
    plan.steps
        .iter()
        .zip(written)
        .filter(|(_, &w)| w)
        .map(|(step, _)| step.after())
        .collect()
}

/// Whether `plan`'s notices go to the provider's support managers (a new
/// request, a dispute of emergency access).
pub fn tells_managers(plan: &Plan) -> bool {
    plan.steps.iter().any(|step| {
        let kinds = match step {
            Step::Open { .. } => notices::ON_CREATE.to_vec(),
            Step::Move { verb, after, .. } => notices::for_transition(*verb, after),
        };
        kinds.iter().any(|k| k.audience() == Audience::Managers)
    })
}

/// The provider's people `plan`'s notices go to, read from the global
/// database: the requesters its e-mails tell, and the support managers
/// when it opens a request. Nothing is read when it tells none of them.
pub async fn readers_for<D: Database>(
    global: &Global<'_, D>,
    plan: &Plan,
) -> Result<ProviderReaders, DbError> {
    let mut opens = false;
    let mut requesters = Vec::new();
    for step in &plan.steps {
        let kinds = match step {
            Step::Open { .. } => notices::ON_CREATE.to_vec(),
            Step::Move { verb, after, .. } => notices::for_transition(*verb, after),
        };
        for kind in kinds {
            match kind.audience() {
                Audience::Managers => opens = true,
                Audience::Requester => requesters.push(&step.after().requester.user_id),
                Audience::TenantApprovers | Audience::TenantAdmins => {}
            }
        }
    }
    if !opens && requesters.is_empty() {
        return Ok(ProviderReaders::default());
    }
    super::people::provider_readers(global, requesters, opens).await
}
