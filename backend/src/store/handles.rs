//! The two databases Lockbox's data lives in, as handles: the global one
//! (the provider's people and roles, registered services, the tenant
//! directory, the provider's index of requests) and one tenant's own (its
//! requests, settings, outbox and audit log), bound to that tenant. Store
//! functions take the handle of the side they touch, so a call that
//! crosses from one side to the other does not compile. Today both wrap
//! the one D1 database; a tenant's own is moving into its Durable Object.

use lockbox_shared::ids::TenantId;

use super::db::Database;

/// The global database.
pub struct Global<'a, D> {
    pub(super) db: &'a D,
}

impl<'a, D: Database> Global<'a, D> {
    pub fn new(db: &'a D) -> Self {
        Self { db }
    }
}

/// One tenant's database, bound to the tenant.
pub struct Tenant<'a, D> {
    pub(super) db: &'a D,
    pub(super) id: TenantId,
}

impl<'a, D: Database> Tenant<'a, D> {
    pub fn new(db: &'a D, id: TenantId) -> Self {
        Self { db, id }
    }

    /// The tenant.
    pub fn id(&self) -> &TenantId {
        &self.id
    }
}
