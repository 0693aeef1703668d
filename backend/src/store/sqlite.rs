//! SQLite (through `rusqlite`) as a [`Database`]: the model test runs the
//! Worker's own code and SQL on it, with the real migrations.
//!
//! Every call yields once before it touches the database, so two
//! operations joined together interleave at every await point: a real race,
//! decided by the guards.

use std::cell::Cell;
use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};

use rusqlite::Connection;
use serde::de::DeserializeOwned;

use lockbox_shared::ids::TenantId;

use super::db::{Database, DbError, Statement, Value, MAX_BOUND_PARAMETERS};
use super::handles::{Global, Stores, Tenant, BOTH_TABLES, TENANT_TABLES};

/// An in-memory SQLite database.
pub struct Sqlite {
    /// The connection, for tests that inspect the tables directly.
    pub conn: Connection,
    batches: Cell<u64>,
    /// Whether the provider's index is in this database with the tenants'
    /// data (everything in one database), or elsewhere (a tenant's own).
    holds_index: bool,
}

struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

fn bind(args: &[Value]) -> Vec<rusqlite::types::Value> {
    args.iter()
        .map(|v| match v {
            Value::Null => rusqlite::types::Value::Null,
            Value::Int(n) => rusqlite::types::Value::Integer(*n),
            Value::Text(s) => rusqlite::types::Value::Text(s.clone()),
        })
        .collect()
}

fn db_error(err: rusqlite::Error) -> DbError {
    DbError::from_message(err.to_string())
}

/// Refuses what D1 refuses: a statement binding more than
/// [`MAX_BOUND_PARAMETERS`] parameters (SQLite alone would take it, and
/// no test would see production fail).
fn within_limits(statements: &[&Statement]) -> Result<(), DbError> {
    match statements
        .iter()
        .find(|s| s.args.len() > MAX_BOUND_PARAMETERS)
    {
        Some(s) => Err(DbError::Other(format!(
            "too many SQL variables: {} bound, D1 allows {MAX_BOUND_PARAMETERS}: {}",
            s.args.len(),
            s.sql
        ))),
        None => Ok(()),
    }
}

impl Sqlite {
    /// A fresh in-memory database with every migration of `migrations`
    /// applied in order.
    pub fn with_migrations(migrations: &Path) -> Result<Self, DbError> {
        Self::migrated(Connection::open_in_memory().map_err(db_error)?, migrations)
    }

    /// [`Sqlite::with_migrations`], named `name` so that other connections
    /// of this process can attach it (an in-memory database with a shared
    /// cache, which lives while a connection to it is open).
    pub fn shared(name: &str, migrations: &Path) -> Result<Self, DbError> {
        use rusqlite::OpenFlags;
        let conn = Connection::open_with_flags(
            shared_uri(name),
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_URI,
        )
        .map_err(db_error)?;
        Self::migrated(conn, migrations)
    }

    fn migrated(conn: Connection, migrations: &Path) -> Result<Self, DbError> {
        let mut files: Vec<_> = std::fs::read_dir(migrations)
            .map_err(|e| DbError::Other(e.to_string()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "sql"))
            .collect();
        files.sort();
        for path in files {
            let sql = std::fs::read_to_string(&path).map_err(|e| DbError::Other(e.to_string()))?;
            conn.execute_batch(&sql)
                .map_err(|e| DbError::Other(format!("{}: {e}", path.display())))?;
        }
        Ok(Self {
            conn,
            batches: Cell::new(0),
            holds_index: true,
        })
    }

    /// Runs a script of statements (seed data, fixtures).
    pub fn execute_script(&self, sql: &str) -> Result<(), DbError> {
        self.conn.execute_batch(sql).map_err(db_error)
    }

    /// How many write batches ran.
    pub fn batches(&self) -> u64 {
        self.batches.get()
    }

    /// The same database, with changes leaving the index's copies in the
    /// tenant's outbox as a tenant's own database does (for tests of the
    /// index's catch-up on one database).
    pub fn index_through_outbox(mut self) -> Self {
        self.holds_index = false;
        self
    }
}

crate::one_database!(Sqlite);

fn shared_uri(name: &str) -> String {
    format!("file:{name}?mode=memory&cache=shared")
}

/// The split layout in one process: a global database and one for each
/// tenant, each its own SQLite, as the Worker runs with D1 and a Durable
/// Object per tenant. A statement that crosses (a tenant's write reading
/// the provider's people, say) finds empty tables here and the test
/// fails. `all` reads every database at once for a test's checks: each
/// table only tenants hold ([`TENANT_TABLES`]) is there as the union of
/// the tenants' (a temporary view), the rest are the global database's.
pub struct Split {
    global: Sqlite,
    tenants: Vec<(TenantId, Sqlite)>,
    /// What a tenant the layout does not hold reads: nothing.
    nowhere: Sqlite,
    /// Every database at once, for reading.
    pub all: Sqlite,
}

impl Split {
    /// The global database `global` (migrated by [`Sqlite::shared`] and
    /// seeded) split: each tenant of `tenants` gets a database with the
    /// migrations and its own rows of the tables both sides hold
    /// ([`BOTH_TABLES`]: its settings and its people).
    pub fn new(
        global_name: &str,
        global: Sqlite,
        tenants: &[TenantId],
        migrations: &Path,
    ) -> Result<Self, DbError> {
        let mut held = Vec::new();
        for (i, tenant) in tenants.iter().enumerate() {
            let name = format!("{global_name}-tenant-{i}");
            let mut db = Sqlite::shared(&name, migrations)?;
            db.holds_index = false;
            let uri = shared_uri(global_name);
            db.conn
                .execute("ATTACH DATABASE ? AS g", [uri.as_str()])
                .map_err(db_error)?;
            for (table, rows) in BOTH_TABLES {
                db.conn
                    .execute(
                        &format!("INSERT INTO main.{table} SELECT * FROM g.{table} WHERE {rows}"),
                        [tenant.as_str()],
                    )
                    .map_err(db_error)?;
            }
            db.conn
                .execute_batch("DETACH DATABASE g")
                .map_err(db_error)?;
            held.push((tenant.clone(), name, db));
        }
        let all = Connection::open_with_flags(
            shared_uri(global_name),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_URI,
        )
        .map_err(db_error)?;
        for (i, (_, name, _)) in held.iter().enumerate() {
            all.execute(&format!("ATTACH DATABASE ? AS t{i}"), [shared_uri(name)])
                .map_err(db_error)?;
        }
        for (table, _) in TENANT_TABLES {
            let union: Vec<String> = (0..held.len())
                .map(|i| format!("SELECT * FROM t{i}.{table}"))
                .collect();
            all.execute_batch(&format!(
                "CREATE TEMP VIEW {table} AS {}",
                union.join(" UNION ALL ")
            ))
            .map_err(db_error)?;
        }
        Ok(Self {
            global,
            tenants: held.into_iter().map(|(t, _, db)| (t, db)).collect(),
            nowhere: Sqlite {
                holds_index: false,
                ..Sqlite::with_migrations(migrations)?
            },
            all: Sqlite {
                conn: all,
                batches: Cell::new(0),
                holds_index: false,
            },
        })
    }

    /// How many write batches ran, in all the databases.
    pub fn batches(&self) -> u64 {
        self.global.batches() + self.tenants.iter().map(|(_, db)| db.batches()).sum::<u64>()
    }
}

impl Stores for Split {
    type Global = Sqlite;
    type Tenant = Sqlite;
    fn global(&self) -> Global<'_, Sqlite> {
        Global::new(&self.global)
    }
    fn tenant(&self, id: TenantId) -> Tenant<'_, Sqlite> {
        let db = self
            .tenants
            .iter()
            .find(|(t, _)| *t == id)
            .map_or(&self.nowhere, |(_, db)| db);
        Tenant::new(db, id)
    }
}

impl Database for Sqlite {
    async fn holds_index(&self, _tenant: &TenantId) -> Result<bool, DbError> {
        Ok(self.holds_index)
    }

    async fn batch(&self, statements: Vec<Statement>) -> Result<Vec<usize>, DbError> {
        YieldOnce(false).await;
        within_limits(&statements.iter().collect::<Vec<_>>())?;
        self.batches.set(self.batches.get() + 1);
        let tx = self.conn.unchecked_transaction().map_err(db_error)?;
        let mut changes = Vec::new();
        for s in &statements {
            let n = tx
                .execute(&s.sql, rusqlite::params_from_iter(bind(&s.args)))
                .map_err(db_error)?;
            changes.push(n);
        }
        tx.commit().map_err(db_error)?;
        Ok(changes)
    }

    async fn batch_rows(
        &self,
        statements: Vec<Statement>,
    ) -> Result<Vec<(usize, Vec<serde_json::Value>)>, DbError> {
        YieldOnce(false).await;
        within_limits(&statements.iter().collect::<Vec<_>>())?;
        self.batches.set(self.batches.get() + 1);
        let tx = self.conn.unchecked_transaction().map_err(db_error)?;
        let mut out = Vec::new();
        for s in &statements {
            let mut stmt = tx.prepare(&s.sql).map_err(db_error)?;
            out.push(if stmt.readonly() {
                (0, rows(&mut stmt, &s.args)?)
            } else {
                let n = stmt
                    .execute(rusqlite::params_from_iter(bind(&s.args)))
                    .map_err(db_error)?;
                (n, Vec::new())
            });
        }
        tx.commit().map_err(db_error)?;
        Ok(out)
    }

    async fn query<T: DeserializeOwned>(&self, statement: Statement) -> Result<Vec<T>, DbError> {
        YieldOnce(false).await;
        within_limits(&[&statement])?;
        let mut stmt = self.conn.prepare(&statement.sql).map_err(db_error)?;
        rows(&mut stmt, &statement.args)?
            .into_iter()
            .map(|row| serde_json::from_value(row).map_err(|e| DbError::Other(e.to_string())))
            .collect()
    }
}

/// The rows `stmt` reads, as JSON objects (as D1 returns them).
fn rows(
    stmt: &mut rusqlite::Statement<'_>,
    args: &[Value],
) -> Result<Vec<serde_json::Value>, DbError> {
    let names: Vec<String> = stmt.column_names().iter().map(|s| s.to_string()).collect();
    let mut rows = stmt
        .query(rusqlite::params_from_iter(bind(args)))
        .map_err(db_error)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(db_error)? {
        let mut map = serde_json::Map::new();
        for (i, name) in names.iter().enumerate() {
            let value = match row.get_ref(i).map_err(db_error)? {
                rusqlite::types::ValueRef::Null => serde_json::Value::Null,
                rusqlite::types::ValueRef::Integer(n) => n.into(),
                rusqlite::types::ValueRef::Real(f) => f.into(),
                rusqlite::types::ValueRef::Text(t) => {
                    String::from_utf8_lossy(t).into_owned().into()
                }
                rusqlite::types::ValueRef::Blob(_) => serde_json::Value::Null,
            };
            map.insert(name.clone(), value);
        }
        out.push(serde_json::Value::Object(map));
    }
    Ok(out)
}
