//! The scheduled sweep, run every minute by the cron trigger: requests
//! whose deadline passed move on (a pending request expires, a grant
//! completes), each with its audit record, made by the same code as every
//! other transition (`lifecycle::sweep`, `NewAuditRecord::transition`).

use std::collections::BTreeMap;

use lockbox_shared::api::SweepOutcome;
use lockbox_shared::ids::TenantId;
use lockbox_shared::lifecycle::{AccessRequest, State, DEADLINES};
use lockbox_shared::notify::GRANT_ENDING_NOTICE_MS;
use lockbox_shared::plan;

use crate::service::notify;
use crate::store::outbox;

/// How long delivered and failed messages stay in the outbox (30 days):
/// the delivery log shows them, the audit log keeps what happened.
pub const OUTBOX_RETENTION_MS: i64 = 30 * 24 * 3_600_000;
use crate::store::requests as store;
use crate::store::{settings, Database, DbError, Statement};

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
            if !due.is_empty() {
                calls += 1;
            }
            let names = settings::names(db, due.iter().map(|r| &r.tenant_id)).await?;
            // One plan per tenant: no transaction spans tenants.
            let mut by_tenant: BTreeMap<&TenantId, Vec<AccessRequest>> = BTreeMap::new();
            for request in &due {
                by_tenant
                    .entry(&request.tenant_id)
                    .or_default()
                    .push(request.clone());
            }
            for (tenant, due) in by_tenant {
                if calls >= SWEEP_CALL_BUDGET {
                    outcome.more_due = true;
                    return Ok(outcome);
                }
                let plan = plan::sweep(&due, now, service_account);
                let name = settings::name_in(&names, tenant)?;
                let written = crate::store::plan::commit(db, name, &plan, now).await?;
                calls += 1;
                let moved = written.into_iter().filter(|&w| w).count() as u64;
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

/// Grants read per run for their 15-minute warning.
pub const ENDING_BATCH: i64 = 100;
/// Tenants whose warnings one run writes (one batch each); the others'
/// follow a minute later, still before their grants end.
pub const ENDING_TENANTS_PER_RUN: usize = 5;

/// Writes the 15-minute warning of every live grant that ends within 15
/// minutes of `now` and has not had it (at most [`ENDING_BATCH`] per run;
/// the warning's row id is fixed per request, so it is written once).
/// Returns how many were written.
pub async fn warn_ending<D: Database>(db: &D, now: i64) -> Result<u64, DbError> {
    let ending = store::select(
        db,
        store::ending_soon(
            now,
            GRANT_ENDING_NOTICE_MS,
            &notify::grant_ending_row_suffix(),
            ENDING_BATCH,
        ),
    )
    .await?;
    if ending.is_empty() {
        return Ok(0);
    }
    let names = settings::names(db, ending.iter().map(|r| &r.tenant_id)).await?;
    let mut written = 0;
    // One batch per tenant: no transaction spans tenants.
    let mut batches: BTreeMap<&TenantId, Vec<Statement>> = BTreeMap::new();
    for grant in &ending {
        let name = settings::name_in(&names, &grant.tenant_id)?;
        let live = store::still_live(&grant.id, now);
        batches
            .entry(&grant.tenant_id)
            .or_default()
            .push(notify::grant_ending(grant, name, now, &live));
    }
    for statements in batches.into_values().take(ENDING_TENANTS_PER_RUN) {
        written += db.batch(statements).await?.iter().sum::<usize>() as u64;
    }
    Ok(written)
}

/// How many tenants' logs one scheduled run seals a step of (500 records
/// each).
pub const SEAL_TENANTS_PER_RUN: i64 = 5;

/// Runs one sweep as of `now_ms` (the scheduled event's time), warns of
/// grants about to end, delivers what the outbox holds, and records the
/// run with what it did.
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
    // With a backlog of moves the run's budget is spent: warnings, delivery
    // and pruning wait a minute (every change's own request delivers too).
    let mut delivered = Default::default();
    if !outcome.more_due {
        if let Err(err) = warn_ending(&*app.db, now_ms).await {
            crate::error::AppError::from(err).log();
        }
        // Service assertions past their expiry can never be replayed.
        if let Err(err) = app
            .db
            .batch(vec![crate::store::services::forget_expired_assertions(
                now_ms,
            )])
            .await
        {
            crate::error::AppError::from(err).log();
        }
        // Delivery is by the wall clock: a message's backoff is real time.
        let wall = Date::now().as_millis() as i64;
        delivered = crate::delivery::deliver(app, wall).await;
        if let Err(err) = app
            .db
            .batch(vec![outbox::prune(wall - OUTBOX_RETENTION_MS, 500)])
            .await
        {
            crate::error::AppError::from(err).log();
        }
    }
    let finished_at = Date::now().as_millis() as i64;
    crate::store::cron_runs::record(&app.db, now_ms, cron, finished_at, &outcome).await?;
    if delivered.delivered + delivered.retrying + delivered.failed > 0 {
        console_log!(
            "outbox: {} delivered, {} to retry, {} failed",
            delivered.delivered,
            delivered.retrying,
            delivered.failed
        );
    }
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
