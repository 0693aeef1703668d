//! The services: each reads what it needs, decides with the pure rules of
//! `lockbox_shared`, and writes the change with its audit record in one
//! guarded batch. Generic over [`crate::store::Database`], so the model test
//! runs this very code on SQLite.

pub mod audit;
pub mod integration;
pub mod notify;
pub mod operations;
pub mod relocate;
pub mod report;
pub mod requests;
pub mod roles;
pub mod settings;
pub mod tenant_export;
pub mod tree;
pub mod webhooks;

use lockbox_shared::lifecycle::Actor;
use lockbox_shared::roles::Principal;

/// Who, when and from where, stamped on every write: the moment of the
/// call, the caller's address, and the user the log shows for Lockbox.
#[derive(Debug, Clone, Copy)]
pub struct Stamp<'a> {
    /// The moment of the call (epoch ms, UTC).
    pub now: i64,
    /// The caller's address.
    pub ip: &'a str,
    /// The user shown for the Lockbox service in the log.
    pub service_account: &'a str,
}

/// The principal as the actor of a transition.
pub fn actor(principal: &Principal) -> Actor {
    Actor {
        user_id: principal.user_id.clone(),
        email: principal.email.clone(),
    }
}

/// Tells the provider's index what `plan` moved, once the tenant's commit
/// is done, unless the commit wrote the index itself. The copies are in
/// the tenant's outbox already: if this write fails, the scheduled job
/// makes it, and the change stands.
pub async fn tell_index<D: crate::store::Database>(
    global: &crate::store::Global<'_, D>,
    plan: &lockbox_shared::plan::Plan,
    committed: &crate::store::plan::Committed,
) {
    if committed.indexed {
        return;
    }
    let moved = crate::store::plan::written(plan, &committed.written);
    if let Err(err) = crate::store::provider_index::apply(global, &moved).await {
        crate::error::log_deferred("the provider's index", &err);
    }
}
