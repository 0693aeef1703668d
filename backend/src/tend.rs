//! What a tenant's own object does at its alarm, for its tenant alone:
//! moves the requests whose deadline passed (as the scheduled job does),
//! writes the 15-minute warnings, writes into the provider's index the
//! copies a call left unwritten, seals a step of its audit log, and says
//! when it is next due. The scheduled job still sweeps every tenant the
//! index names (a missed alarm is harmless, as a missed run is: access
//! is decided live when it is checked).

use lockbox_shared::api::SweepOutcome;
use lockbox_shared::ids::TenantId;
use lockbox_shared::lifecycle::Verb;
use lockbox_shared::notify::GRANT_ENDING_NOTICE_MS;
use lockbox_shared::plan::{self, Step};
use serde::Deserialize;

use crate::cron::SWEEP_BATCH;
use crate::error::AppError;
use crate::store::requests as store;
use crate::store::{provider_index, settings, Database, Statement, Stores, Tenant};

/// At most this many batches of due requests one alarm moves; what is
/// left is the next alarm's, at once.
const BATCHES_PER_ALARM: usize = 20;
/// How soon an alarm comes back for work that has no time of its own
/// (records to seal).
pub const AGAIN_MS: i64 = 60_000;

/// What one alarm did.
#[derive(Debug, Default)]
pub struct Tended {
    pub outcome: SweepOutcome,
    pub warned: u64,
    pub indexed: u64,
    pub sealed: u64,
}

/// The tenant's work due at `now` (see the module).
pub async fn tend<S: Stores>(
    stores: &S,
    tenant_id: &TenantId,
    now: i64,
    service_account: &str,
) -> Result<Tended, AppError> {
    let global = stores.global();
    let tenant = stores.tenant(tenant_id.clone());
    let mut tended = Tended::default();
    let Some(row) = settings::tenant(&tenant, tenant_id).await? else {
        return Ok(tended);
    };
    let name = row.tenant_name;
    for _ in 0..BATCHES_PER_ALARM {
        let due = store::select(&tenant, store::due(tenant_id, now, SWEEP_BATCH)).await?;
        if due.is_empty() {
            break;
        }
        let plan = plan::sweep(&due, now, service_account);
        let readers = crate::store::plan::readers_for(&global, &plan).await?;
        let committed = crate::store::plan::commit(&tenant, &name, &readers, &plan, now).await?;
        crate::service::tell_index(&global, &plan, &committed).await;
        for (step, written) in plan.steps.iter().zip(&committed.written) {
            match step {
                Step::Move {
                    verb: Verb::Complete,
                    ..
                } if *written => tended.outcome.completed += 1,
                _ if *written => tended.outcome.expired += 1,
                _ => {}
            }
        }
        if (due.len() as i64) < SWEEP_BATCH {
            break;
        }
    }
    tended.warned = crate::cron::warn_tenant(&global, &tenant, &name, now).await?;
    let copies: Vec<provider_index::Copy> = tenant
        .query(provider_index::unapplied_of(
            tenant_id,
            now - provider_index::APPLY_GRACE_MS,
        ))
        .await?;
    if !copies.is_empty() {
        provider_index::apply_copies(&global, &copies).await?;
        tenant
            .batch(provider_index::mark_applied(&copies, now))
            .await?;
        tended.indexed = copies.len() as u64;
    }
    let (sealed, _) = crate::service::tree::seal_step(&tenant, tenant_id).await?;
    tended.sealed = sealed;
    Ok(tended)
}

#[derive(Deserialize)]
struct At {
    at: Option<i64>,
}

/// When the tenant's next work is due, if it has any: the earliest
/// deadline or warning of its requests, message to send, copy for the
/// index to write, or (a minute on) record to seal.
pub fn next_statements(tenant: &TenantId, now: i64) -> Vec<Statement> {
    vec![
        store::next_deadline(tenant, GRANT_ENDING_NOTICE_MS, now),
        Statement::new(
            "SELECT MIN(MAX(next_attempt_at, COALESCE(leased_until, 0))) AS at FROM outbox \
             WHERE tenant_id = ? AND status = 'pending'",
            vec![tenant.as_str().into()],
        ),
        Statement::new(
            "SELECT MIN(created_at) + ? AS at FROM index_outbox \
             WHERE tenant_id = ? AND applied_at IS NULL",
            vec![
                provider_index::APPLY_GRACE_MS.into(),
                tenant.as_str().into(),
            ],
        ),
        Statement::new(
            "SELECT ? AS at WHERE COALESCE((SELECT MAX(seq) FROM audit_log WHERE tenant_id = ?), 0) \
             > COALESCE((SELECT size FROM audit_seal WHERE tenant_id = ?), 0)",
            vec![
                (now + AGAIN_MS).into(),
                tenant.as_str().into(),
                tenant.as_str().into(),
            ],
        ),
    ]
}

/// The earliest of [`next_statements`]' times, from their rows.
pub fn next_from(sets: Vec<Vec<serde_json::Value>>) -> Option<i64> {
    sets.into_iter()
        .flatten()
        .filter_map(|row| serde_json::from_value::<At>(row).ok().and_then(|a| a.at))
        .min()
}

/// When `tenant`'s next work is due, if it has any.
pub async fn next_due<D: Database>(
    tenant: &Tenant<'_, D>,
    now: i64,
) -> Result<Option<i64>, AppError> {
    let sets = tenant
        .query_batch(next_statements(tenant.id(), now))
        .await?;
    Ok(next_from(sets))
}
