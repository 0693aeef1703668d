//! The scheduled sweep, run every minute by the cron trigger: requests
//! whose deadline passed move on (a pending request expires, a grant
//! completes), each with its audit record, made by the same code as every
//! other transition (`lifecycle::sweep`, `NewAuditRecord::transition`).

use std::collections::BTreeMap;

use lockbox_shared::api::SweepOutcome;
use lockbox_shared::audit::NewAuditRecord;
use lockbox_shared::ids::TenantId;
use lockbox_shared::lifecycle::{self, State, DEADLINES};

use crate::store::requests as store;
use crate::store::{audit, Database, DbError, Statement};

/// Due requests read per scan.
pub const SWEEP_BATCH: i64 = 250;
/// Database calls one run may make: the free plan allows 50 per
/// invocation, and recording the run takes one more. Whatever is left
/// due is the next run's.
pub const SWEEP_CALL_BUDGET: u32 = 45;

/// The sweep as of `now`. Each batch holds one tenant's moves (no
/// transaction spans tenants); each move is guarded by "still in the state
/// it was read in, deadline passed", so running it twice, late, or at the
/// same time as a person's decision gives one outcome and one record.
pub async fn sweep<D: Database>(
    db: &D,
    now: i64,
    service_account: &str,
) -> Result<SweepOutcome, DbError> {
    let mut outcome = SweepOutcome::default();
    let mut calls = 0u32;
    for rule in &DEADLINES {
        loop {
            if calls >= SWEEP_CALL_BUDGET {
                outcome.more_due = true;
                return Ok(outcome);
            }
            let due = store::select(db, store::due(rule, now, SWEEP_BATCH)).await?;
            calls += 1;
            let mut batches: BTreeMap<TenantId, Vec<Statement>> = BTreeMap::new();
            for before in &due {
                let (Some((verb, after)), Some(guard)) = (
                    lifecycle::sweep(before, now),
                    store::deadline_guard(before, now),
                ) else {
                    continue;
                };
                let record = NewAuditRecord::transition(verb, before, &after, "", service_account);
                let statements = batches.entry(before.tenant_id.clone()).or_default();
                statements.push(audit::insert(
                    &record,
                    &store::transition_audit_id(&before.id, after.state()),
                    now,
                    Some(&guard.exists_in("access_requests")),
                ));
                statements.push(store::update(&after, &guard));
            }
            for statements in batches.into_values() {
                if calls >= SWEEP_CALL_BUDGET {
                    outcome.more_due = true;
                    return Ok(outcome);
                }
                let changes = db.batch(statements).await?;
                calls += 1;
                // Every second statement is an update; it changed 1 row if
                // the move happened.
                let moved = changes
                    .iter()
                    .skip(1)
                    .step_by(2)
                    .filter(|&&n| n == 1)
                    .count() as u64;
                match rule.becomes {
                    State::Completed => outcome.completed += moved,
                    _ => outcome.expired += moved,
                }
            }
            if (due.len() as i64) < SWEEP_BATCH {
                break;
            }
        }
    }
    Ok(outcome)
}

/// Runs one sweep as of `now_ms` (the scheduled event's time) and records
/// the run with what it did.
/// How many tenants' logs one scheduled run seals a step of (500 records
/// each).
pub const SEAL_TENANTS_PER_RUN: i64 = 5;

pub async fn run(
    app: &crate::config::App,
    now_ms: i64,
    cron: &str,
) -> Result<(), crate::error::AppError> {
    use worker::{console_log, Date};
    let outcome = sweep(&app.db, now_ms, &app.service_account).await?;
    // Seal new audit records into their tenants' Merkle trees, when the
    // sweep left room in this run's budget of database calls (a step is
    // four calls; a checkpoint request seals its own tenant anyway).
    // A failure here (a log that breaks its rules) is logged; the sweep's
    // record is written all the same.
    if !outcome.more_due {
        if let Err(err) = crate::service::tree::seal_due(&*app.db, SEAL_TENANTS_PER_RUN).await {
            err.log();
        }
    }
    let finished_at = Date::now().as_millis() as i64;
    crate::store::cron_runs::record(&app.db, now_ms, cron, finished_at, &outcome).await?;
    if outcome.expired + outcome.completed > 0 || outcome.more_due {
        console_log!(
            "sweep as of {now_ms}: {} expired, {} completed, more due: {}",
            outcome.expired,
            outcome.completed,
            outcome.more_due
        );
    }
    Ok(())
}
