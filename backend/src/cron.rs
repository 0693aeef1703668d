//! The scheduled sweep, run every minute by the cron trigger: requests
//! whose deadline passed move on (a pending request expires, a grant
//! completes), each with its audit record, planned and written as every
//! other change is (`plan::sweep`, `store::plan::commit`), tenant by
//! tenant as the provider's index names them.

use std::collections::BTreeMap;

use lockbox_shared::api::SweepOutcome;
use lockbox_shared::ids::TenantId;
use lockbox_shared::lifecycle::{AccessRequest, Verb};
use lockbox_shared::notify::GRANT_ENDING_NOTICE_MS;
use lockbox_shared::plan::{self, Step};

use crate::service::notify;
use crate::store::outbox;
use crate::store::requests as store;
use crate::store::{people, provider_index, settings, Database, DbError, Global, Stores, Tenant};

/// How long delivered and failed messages stay in the outbox (30 days):
/// the delivery log shows them, the audit log keeps what happened.
pub const OUTBOX_RETENTION_MS: i64 = 30 * 24 * 3_600_000;

/// Due requests of one tenant read per scan.
pub const SWEEP_BATCH: i64 = 250;
/// Tenants the index is asked for at once.
pub const SWEEP_TENANTS_PER_SCAN: i64 = 50;
/// Database calls one run may make: the free plan allows 50 per
/// invocation, and recording the run takes one more. Whatever is left
/// due is the next run's.
pub const SWEEP_CALL_BUDGET: u32 = 45;

/// The sweep as of `now`. The provider's index says which tenants have a
/// deadline due; each of them is swept on its own (a read of its due
/// requests, one plan written in one batch, and the index told), so no
/// transaction spans tenants. Each move is guarded by "still in the state
/// it was read in, deadline passed", so running it twice, late, or at the
/// same time as a person's decision gives one outcome and one record. A
/// tenant the index names but that has nothing due (the index behind) is
/// visited once per run.
pub async fn sweep<S: Stores>(
    stores: &S,
    now: i64,
    service_account: &str,
) -> Result<SweepOutcome, DbError> {
    let mut outcome = SweepOutcome::default();
    let mut calls = 0u32;
    let mut visited: Vec<TenantId> = Vec::new();
    let global = stores.global();
    loop {
        // The index's update of a scan's moves is one call at its end.
        if calls + 3 > SWEEP_CALL_BUDGET {
            outcome.more_due = true;
            return Ok(outcome);
        }
        let tenants =
            provider_index::tenants_due(&global, now, &visited, SWEEP_TENANTS_PER_SCAN).await?;
        calls += 1;
        if tenants.is_empty() {
            return Ok(outcome);
        }
        let names = settings::names(&global, &tenants).await?;
        calls += 1;
        let mut moved = Vec::new();
        'tenants: for tenant_id in &tenants {
            let tenant = stores.tenant(tenant_id.clone());
            loop {
                // Two reads and a write, and the index's update still to come.
                if calls + 4 > SWEEP_CALL_BUDGET {
                    outcome.more_due = true;
                    break 'tenants;
                }
                // A tenant in its own object does its work there, told so
                // in one call (the index is its to update).
                match tenant.tend_elsewhere(now).await {
                    Ok(Some(tended)) => {
                        calls += 1;
                        outcome.expired += tended.expired;
                        outcome.completed += tended.completed;
                        break;
                    }
                    Ok(None) => {}
                    Err(DbError::Unavailable(_)) => break,
                    // Its own alarm is due as well; the others go on.
                    Err(err) => {
                        crate::error::log_deferred("a tenant's object", &err);
                        break;
                    }
                }
                let due =
                    match store::select(&tenant, store::due(tenant_id, now, SWEEP_BATCH)).await {
                        Ok(due) => due,
                        // A tenant on its way into its own object is swept
                        // there once it arrives (access is checked live).
                        Err(DbError::Unavailable(_)) => break,
                        Err(err) => return Err(err),
                    };
                calls += 1;
                if due.is_empty() {
                    break;
                }
                let plan = plan::sweep(&due, now, service_account);
                let name = settings::name_in(&names, tenant_id)?;
                let readers = crate::store::plan::readers_for(&global, &plan).await?;
                let committed =
                    crate::store::plan::commit(&tenant, name, &readers, &plan, now).await?;
                calls += 2;
                for (step, written) in plan.steps.into_iter().zip(committed.written) {
                    if !written {
                        continue;
                    }
                    match &step {
                        Step::Move {
                            verb: Verb::Complete,
                            ..
                        } => outcome.completed += 1,
                        _ => outcome.expired += 1,
                    }
                    if let Step::Move { after, .. } = step {
                        moved.push(after);
                    }
                }
                if (due.len() as i64) < SWEEP_BATCH {
                    break;
                }
            }
            visited.push(tenant_id.clone());
        }
        let moved: Vec<&AccessRequest> = moved.iter().collect();
        if let Err(err) = provider_index::apply(&global, &moved).await {
            crate::error::log_deferred("the provider's index", &err);
        }
        calls += 1;
        if outcome.more_due {
            return Ok(outcome);
        }
    }
}

/// Grants read per tenant for their 15-minute warning.
pub const ENDING_BATCH: i64 = 100;
/// Tenants whose warnings one run writes (a read and a batch each); the
/// others' follow a minute later, still before their grants end.
pub const ENDING_TENANTS_PER_RUN: i64 = 5;

/// Writes the 15-minute warning of every live grant that ends within 15
/// minutes of `now` and has not had it, for the tenants the index names
/// (the warning's row id is fixed per request, so it is written once).
/// Returns how many were written.
pub async fn warn_ending<S: Stores>(stores: &S, now: i64) -> Result<u64, DbError> {
    let global = stores.global();
    let tenants = provider_index::tenants_ending(
        &global,
        now,
        GRANT_ENDING_NOTICE_MS,
        ENDING_TENANTS_PER_RUN,
    )
    .await?;
    if tenants.is_empty() {
        return Ok(0);
    }
    let names = settings::names(&global, &tenants).await?;
    let mut written = 0;
    for tenant_id in &tenants {
        let tenant = stores.tenant(tenant_id.clone());
        // A tenant in its own object warns there, poked in one call.
        match tenant.tend_elsewhere(now).await {
            Ok(Some(_)) | Err(DbError::Unavailable(_)) => continue,
            Ok(None) => {}
            Err(err) => {
                crate::error::log_deferred("a tenant's object", &err);
                continue;
            }
        }
        let name = settings::name_in(&names, tenant_id)?;
        match warn_tenant(&global, &tenant, name, now).await {
            Ok(n) => written += n,
            // A tenant on its way into its own object is warned there.
            Err(DbError::Unavailable(_)) => {}
            Err(err) => return Err(err),
        }
    }
    Ok(written)
}

/// Writes the 15-minute warnings of `tenant` (named `name`) due at `now`;
/// returns how many.
pub async fn warn_tenant<G: Database, T: Database>(
    global: &Global<'_, G>,
    tenant: &Tenant<'_, T>,
    name: &str,
    now: i64,
) -> Result<u64, DbError> {
    let ending = store::select(
        tenant,
        store::ending_soon(
            tenant.id(),
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
    let readers =
        people::provider_readers(global, ending.iter().map(|g| &g.requester.user_id), false)
            .await?;
    let statements = ending
        .iter()
        .map(|grant| {
            let live = store::still_live(&grant.id, now);
            notify::grant_ending(grant, name, &readers, now, &live)
        })
        .collect();
    Ok(tenant.batch(statements).await?.iter().sum::<usize>() as u64)
}

/// Copies for the provider's index read per run.
pub const INDEX_COPIES_PER_RUN: i64 = 200;

/// Writes into the provider's index the copies that the calls which made
/// the changes did not mark applied a minute on (a crash between a
/// tenant's commit and the index's write, or a failed write), then marks
/// them, tenant by tenant, and forgets copies applied a day ago. Writing a
/// copy again is harmless: the index keeps the latest. Returns how many
/// were written. (It reads every tenant's outbox in one scan, which only
/// one database holding them all allows: a tenant's object resends its
/// own.)
pub async fn catch_up_index<D: Database>(db: &D, now: i64) -> Result<u64, DbError> {
    let copies: Vec<provider_index::Copy> = db
        .query(provider_index::unapplied(
            now - provider_index::APPLY_GRACE_MS,
            INDEX_COPIES_PER_RUN,
        ))
        .await?;
    provider_index::apply_copies(&crate::store::Global::new(db), &copies).await?;
    let mut by_tenant: BTreeMap<&str, Vec<provider_index::Copy>> = BTreeMap::new();
    for copy in &copies {
        by_tenant
            .entry(copy.tenant_id.as_str())
            .or_default()
            .push(copy.clone());
    }
    for copies in by_tenant.values() {
        db.batch(provider_index::mark_applied(copies, now)).await?;
    }
    db.batch(vec![provider_index::forget_applied(
        now - provider_index::APPLIED_RETENTION_MS,
    )])
    .await?;
    Ok(copies.len() as u64)
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
        if let Err(err) = catch_up_index(&*app.db, Date::now().as_millis() as i64).await {
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
