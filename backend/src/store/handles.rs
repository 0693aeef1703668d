//! The two sides Lockbox's data lives on, as handles: the global database
//! (the provider's people and roles, registered services, the tenant
//! directory, the provider's index of requests) and one tenant's own (its
//! requests, settings, outbox and audit log), bound to that tenant. Store
//! functions take the handle of the side they touch, so a call that
//! crosses from one side to the other does not compile; a statement built
//! by hand runs on the handle of the side it names.
//!
//! [`Stores`] opens both: where everything is in one database (D1 today,
//! one SQLite in the model test) both handles wrap it; the split layout
//! gives each tenant a database of its own.

use lockbox_shared::ids::TenantId;
use serde::de::DeserializeOwned;

use super::db::{Database, DbError, Statement};

/// The tables only a tenant's database holds rows in: its requests and
/// what guards them, its audit log and tree, its outbox (with its copies
/// for the provider's index) and its webhook endpoints. Each with which
/// of its rows are one tenant's where one database holds every tenant
/// (one `?`, the tenant's id), or `None` for a table whose rows live
/// only within one transaction. Parents before children.
pub const TENANT_TABLES: [(&str, Option<&str>); 11] = [
    ("access_requests", Some("tenant_id = ?")),
    ("audit_log", Some("tenant_id = ?")),
    ("audit_leaves", Some("tenant_id = ?")),
    ("audit_tree", Some("tenant_id = ?")),
    ("audit_seal", Some("tenant_id = ?")),
    (
        "idempotency_keys",
        Some("request_id IN (SELECT id FROM access_requests WHERE tenant_id = ?)"),
    ),
    ("index_outbox", Some("tenant_id = ?")),
    ("webhook_endpoints", Some("tenant_id = ?")),
    ("outbox", Some("tenant_id = ?")),
    ("plan_gates", None),
    ("provider_batches", Some("tenant_id = ?")),
];

/// The tables both sides hold rows of, with which rows are one tenant's:
/// the global database holds the tenant directory and everyone's people,
/// a tenant's database its own row (its settings) and its own people and
/// their roles (the customer's side, copied until they move). Parents
/// before children.
pub const BOTH_TABLES: [(&str, &str); 3] = [
    ("tenants", "id = ?"),
    ("users", "tenant_id = ?"),
    ("customer_roles", "tenant_id = ?"),
];

/// The tables only the global database holds rows in.
pub const GLOBAL_TABLES: [&str; 13] = [
    "cron_runs",
    "dev_mail_failures",
    "dev_mail_sink",
    "provider_log",
    "provider_roles",
    "provider_services",
    "rate_refusals",
    "request_index",
    "service_assertions",
    "service_refusals",
    "signing_keys",
    "tenant_moves",
    "tenant_services",
];

/// Where a tenant's own data is (the directory's `tenants.home`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Home {
    /// In D1 with every other tenant's.
    Database,
    /// On its way to its object: its calls wait until it is there.
    Moving,
    /// In its own Durable Object.
    Object,
}

impl Home {
    pub const ALL: [Home; 3] = [Home::Database, Home::Moving, Home::Object];

    /// Its name in the directory's `home` column.
    pub const fn as_str(self) -> &'static str {
        match self {
            Home::Database => "database",
            Home::Moving => "moving",
            Home::Object => "object",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|home| home.as_str() == s)
    }
}

/// Moves tenant `?`'s home from `from` to `to` (changes nothing when it
/// is not at `from`).
pub fn set_home(tenant: &str, from: Home, to: Home) -> Statement {
    Statement::new(
        format!(
            "UPDATE tenants SET home = '{}' WHERE id = ? AND home = '{}'",
            to.as_str(),
            from.as_str()
        ),
        vec![tenant.into()],
    )
}

/// "The tenant `column` names keeps its data in this database" (its
/// directory row's home is `database`): what the scheduled job's scans
/// across tenants' tables (sealing, delivery, pruning, the index's
/// catch-up) add, so that they leave alone a tenant that is moving or has
/// moved into its own object.
pub fn held_here(column: &str) -> String {
    format!(
        "{column} IN (SELECT id FROM tenants WHERE home = '{}')",
        Home::Database.as_str()
    )
}

/// The global database.
pub struct Global<'a, D> {
    db: &'a D,
}

impl<'a, D: Database> Global<'a, D> {
    pub fn new(db: &'a D) -> Self {
        Self { db }
    }
}

/// One tenant's database, bound to the tenant.
pub struct Tenant<'a, D> {
    db: &'a D,
    id: TenantId,
}

impl<'a, D: Database> Tenant<'a, D> {
    pub fn new(db: &'a D, id: TenantId) -> Self {
        Self { db, id }
    }

    /// The tenant.
    pub fn id(&self) -> &TenantId {
        &self.id
    }

    /// See [`Database::holds_index`].
    pub async fn holds_index(&self) -> Result<bool, DbError> {
        self.db.holds_index(&self.id).await
    }

    /// See [`Database::tend_elsewhere`].
    pub async fn tend_elsewhere(
        &self,
        now: i64,
    ) -> Result<Option<lockbox_shared::api::SweepOutcome>, DbError> {
        self.db.tend_elsewhere(&self.id, now).await
    }
}

/// Where a call finds the global database and each tenant's.
pub trait Stores {
    type Global: Database;
    type Tenant: Database;
    /// The global database.
    fn global(&self) -> Global<'_, Self::Global>;
    /// Tenant `id`'s database.
    fn tenant(&self, id: TenantId) -> Tenant<'_, Self::Tenant>;
}

/// Everything in one database: both handles wrap it.
#[macro_export]
macro_rules! one_database {
    ($t:ty) => {
        impl $crate::store::handles::Stores for $t {
            type Global = $t;
            type Tenant = $t;
            fn global(&self) -> $crate::store::handles::Global<'_, $t> {
                $crate::store::handles::Global::new(self)
            }
            fn tenant(
                &self,
                id: lockbox_shared::ids::TenantId,
            ) -> $crate::store::handles::Tenant<'_, $t> {
                $crate::store::handles::Tenant::new(self, id)
            }
        }
    };
}

impl<S: Stores> Stores for std::rc::Rc<S> {
    type Global = S::Global;
    type Tenant = S::Tenant;
    fn global(&self) -> Global<'_, S::Global> {
        (**self).global()
    }
    fn tenant(&self, id: TenantId) -> Tenant<'_, S::Tenant> {
        (**self).tenant(id)
    }
}

/// The global handle runs statements on its database.
impl<D: Database> Database for Global<'_, D> {
    async fn batch(&self, statements: Vec<Statement>) -> Result<Vec<usize>, DbError> {
        self.db.batch(statements).await
    }

    async fn query<T: DeserializeOwned>(&self, statement: Statement) -> Result<Vec<T>, DbError> {
        self.db.query(statement).await
    }

    async fn batch_rows(
        &self,
        statements: Vec<Statement>,
    ) -> Result<Vec<(usize, Vec<serde_json::Value>)>, DbError> {
        self.db.batch_rows(statements).await
    }

    async fn query_batch(
        &self,
        statements: Vec<Statement>,
    ) -> Result<Vec<Vec<serde_json::Value>>, DbError> {
        self.db.query_batch(statements).await
    }
}

/// A tenant's handle runs statements on that tenant's data, wherever its
/// database keeps it.
impl<D: Database> Database for Tenant<'_, D> {
    async fn batch(&self, statements: Vec<Statement>) -> Result<Vec<usize>, DbError> {
        Ok(self
            .db
            .tenant_batch_rows(&self.id, statements)
            .await?
            .into_iter()
            .map(|(changes, _)| changes)
            .collect())
    }

    async fn query<T: DeserializeOwned>(&self, statement: Statement) -> Result<Vec<T>, DbError> {
        let sets = self
            .db
            .tenant_query_batch(&self.id, vec![statement])
            .await?;
        super::db::decode(sets.into_iter().next())
    }

    async fn batch_rows(
        &self,
        statements: Vec<Statement>,
    ) -> Result<Vec<(usize, Vec<serde_json::Value>)>, DbError> {
        self.db.tenant_batch_rows(&self.id, statements).await
    }

    async fn batch_rows_storing(
        &self,
        tenant: &TenantId,
        statements: Vec<Statement>,
    ) -> Result<Vec<(usize, Vec<serde_json::Value>)>, DbError> {
        self.db.batch_rows_storing(tenant, statements).await
    }

    async fn query_batch(
        &self,
        statements: Vec<Statement>,
    ) -> Result<Vec<Vec<serde_json::Value>>, DbError> {
        self.db.tenant_query_batch(&self.id, statements).await
    }
}

#[cfg(test)]
mod tests {
    use super::Home;

    /// The names of a tenant's home are written here once; the directory's
    /// CHECK and the triggers that let a moved tenant's rows go spell them
    /// the same.
    #[test]
    fn the_home_names_are_the_ones_the_migrations_spell() {
        let check = include_str!("../../../migrations/0020_tenant_homes.sql");
        let names: Vec<String> = Home::ALL
            .iter()
            .map(|home| format!("'{}'", home.as_str()))
            .collect();
        assert!(
            check.contains(&format!("CHECK (home IN ({}))", names.join(", "))),
            "0020 allows other homes than {names:?}"
        );
        let triggers = include_str!("../../../migrations/0021_moved_rows_go.sql");
        let moved = format!("home = '{}'", Home::Object.as_str());
        assert_eq!(triggers.matches(&moved).count(), 4, "{triggers}");
        for home in Home::ALL {
            assert_eq!(Home::parse(home.as_str()), Some(home));
        }
        assert_eq!(Home::parse("elsewhere"), None);
    }
}
