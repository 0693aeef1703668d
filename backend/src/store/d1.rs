//! The D1 binding as a [`Database`].
//!
//! D1 rejects JavaScript BigInt, so integers (epoch milliseconds) are bound
//! as f64, which holds them exactly up to 2^53. A `batch()` is one
//! transaction; D1 has no interactive transactions.

use std::cell::{Cell, RefCell};
use std::future::Future;

use lockbox_shared::ids::TenantId;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement, D1Result, Date, ObjectNamespace};

use super::db::{read_retrying, Database, DbError, Statement, Value};
use super::object::{ObjectSql, Remote};
use super::outbox::{self, OutboxRow};
use crate::service::notify::DELIVERY_BATCH;

fn prepare(db: &D1Database, statement: &Statement) -> Result<D1PreparedStatement, DbError> {
    let args: Vec<JsValue> = statement
        .args
        .iter()
        .map(|arg| match arg {
            Value::Null => JsValue::null(),
            Value::Int(n) => JsValue::from_f64(*n as f64),
            Value::Text(s) => JsValue::from_str(s),
        })
        .collect();
    db.prepare(&statement.sql).bind(&args).map_err(error)
}

/// Rows changed by each statement of a batch.
fn changes(results: &[D1Result]) -> Result<Vec<usize>, DbError> {
    results
        .iter()
        .map(|result| {
            Ok(result
                .meta()
                .map_err(error)?
                .and_then(|meta| meta.changes)
                .unwrap_or_default())
        })
        .collect::<Result<Vec<_>, DbError>>()
}

fn error(err: worker::Error) -> DbError {
    DbError::from_message(err.to_string())
}

/// Runs `statements` as one D1 batch (one transaction): a result each.
async fn run(db: &D1Database, statements: &[Statement]) -> Result<Vec<D1Result>, DbError> {
    let prepared = statements
        .iter()
        .map(|s| prepare(db, s))
        .collect::<Result<Vec<_>, _>>()?;
    let results = D1Database::batch(db, prepared).await.map_err(error)?;
    if results.len() != statements.len() {
        return Err(DbError::Other(format!(
            "D1 answered a batch of {} statements with {} results",
            statements.len(),
            results.len()
        )));
    }
    Ok(results)
}

/// Rows changed and rows read by each statement of a batch.
fn changes_and_rows(results: &[D1Result]) -> Result<Vec<(usize, Vec<serde_json::Value>)>, DbError> {
    changes(results)?
        .into_iter()
        .zip(results)
        .map(|(n, result)| Ok((n, result.results().map_err(error)?)))
        .collect()
}

impl Database for D1Database {
    async fn batch(&self, statements: Vec<Statement>) -> Result<Vec<usize>, DbError> {
        changes(&run(self, &statements).await?)
    }

    async fn batch_rows(
        &self,
        statements: Vec<Statement>,
    ) -> Result<Vec<(usize, Vec<serde_json::Value>)>, DbError> {
        changes_and_rows(&run(self, &statements).await?)
    }

    async fn holds_index(&self, _tenant: &TenantId) -> Result<bool, DbError> {
        Ok(true)
    }

    async fn query<T: DeserializeOwned>(&self, statement: Statement) -> Result<Vec<T>, DbError> {
        prepare(self, &statement)?
            .all()
            .await
            .map_err(error)?
            .results()
            .map_err(error)
    }

    async fn query_batch(
        &self,
        statements: Vec<Statement>,
    ) -> Result<Vec<Vec<serde_json::Value>>, DbError> {
        run(self, &statements)
            .await?
            .iter()
            .map(|result| result.results().map_err(error))
            .collect()
    }
}

/// D1 as one invocation uses it. A change is followed by delivery of the
/// notices it stored ([`Edge::after_answer`]): either its tenant's due
/// messages are leased in the same batch that stores its own
/// ([`Database::batch_rows_storing`], with [`outbox::claim_due_of`]
/// appended: one transaction) and sent after the answer, or, with the
/// notices queue bound, the tenants whose batches stored messages are
/// named to the queue's consumer, which sends many changes' messages in
/// one pass (`crate::delivery::consume`).
pub struct Edge {
    d1: D1Database,
    /// What the invocation does after its answer about the messages its
    /// batches stored.
    after: RefCell<AfterAnswer>,
    /// The tenants' Durable Objects (binding `TENANTS`), when bound: the
    /// data of a tenant whose directory row says `object` is in its own.
    objects: Option<ObjectNamespace>,
    /// Inside a tenant's own object: that tenant, and its SQLite.
    here: Option<(TenantId, ObjectSql)>,
    /// The calls this invocation made to D1 and the tenants' objects, and
    /// how long it waited for them (ms): its `Server-Timing`.
    waits: Cell<(u32, f64)>,
}

/// What an invocation spent on its databases.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Waits {
    /// Round trips to D1 or a tenant's object.
    pub calls: u32,
    /// Time spent waiting for them, in milliseconds, summed (calls made at
    /// once each count; a Worker's clock moves only while it waits, so
    /// this is the waiting alone).
    pub ms: f64,
}

impl Waits {
    /// The `Server-Timing` header's value.
    pub fn header(self) -> String {
        format!("db;desc=\"{} calls\";dur={:.1}", self.calls, self.ms)
    }
}

/// What happens, after the answer, to the messages a change stored.
#[derive(Default)]
pub enum AfterAnswer {
    /// Nothing (reads; the scheduled job and the objects' alarms): the
    /// messages wait for the next delivery pass.
    #[default]
    Wait,
    /// Sent by this invocation after its answer: the messages its batches
    /// leased so far.
    Send(Vec<OutboxRow>),
    /// Named to the notices queue: the tenants whose messages its batches
    /// stored (each once).
    Queue(Vec<TenantId>),
}

impl AfterAnswer {
    /// Whether there is nothing to do.
    pub fn is_empty(&self) -> bool {
        match self {
            AfterAnswer::Wait => true,
            AfterAnswer::Send(rows) => rows.is_empty(),
            AfterAnswer::Queue(tenants) => tenants.is_empty(),
        }
    }
}

/// Where a batch on a tenant's data runs.
enum Place<'a> {
    /// D1, with every tenant not in an object.
    Shared,
    /// The tenant's object, reached from outside.
    Object(Remote),
    /// The object this code runs in.
    Here(&'a ObjectSql),
}

pub use super::handles::Home;

/// How long this isolate trusts a tenant's home read from the directory
/// while it is D1: a move starts copying only [`MOVE_GRACE_MS`] after it
/// marks the tenant moving, so every isolate has read the mark by then.
/// A home in an object is final and trusted for good.
pub const HOME_TRUSTED_MS: i64 = 10_000;
/// How long a move waits after marking a tenant moving before it copies:
/// longer than [`HOME_TRUSTED_MS`] and than a call's longest run.
pub const MOVE_GRACE_MS: i64 = 40_000;

thread_local! {
    /// The homes this isolate read, with when.
    static HOMES: RefCell<std::collections::HashMap<String, (Home, i64)>> =
        RefCell::new(std::collections::HashMap::new());
}

impl Edge {
    pub fn new(d1: D1Database, objects: Option<ObjectNamespace>) -> Self {
        Self {
            d1,
            after: RefCell::new(AfterAnswer::Wait),
            objects,
            here: None,
            waits: Cell::new((0, 0.0)),
        }
    }

    /// Runs `call`, one round trip to a database, counting it.
    async fn timed<T>(&self, call: impl Future<Output = T>) -> T {
        let started = Date::now().as_millis() as f64;
        let out = call.await;
        let (calls, ms) = self.waits.get();
        self.waits
            .set((calls + 1, ms + (Date::now().as_millis() as f64 - started)));
        out
    }

    /// What this invocation spent on its databases so far.
    pub fn waits(&self) -> Waits {
        let (calls, ms) = self.waits.get();
        Waits { calls, ms }
    }

    /// The same, inside `tenant`'s own object: that tenant's batches run
    /// on `sql`, in the object.
    pub fn here(self, tenant: TenantId, sql: ObjectSql) -> Self {
        Self {
            here: Some((tenant, sql)),
            ..self
        }
    }

    /// The object a call on `tenant`'s data goes to, when the data is in
    /// one and this code runs elsewhere.
    pub async fn elsewhere(&self, tenant: &TenantId) -> Result<Option<Remote>, DbError> {
        match self.place_of(tenant).await? {
            Place::Object(remote) => Ok(Some(remote)),
            Place::Shared | Place::Here(_) => Ok(None),
        }
    }

    /// Where `tenant`'s own data is: read from the directory, unless this
    /// isolate read it lately (or learnt it is in an object).
    pub async fn home(&self, tenant: &TenantId) -> Result<Home, DbError> {
        if self.objects.is_none() {
            return Ok(Home::Database);
        }
        let now = Date::now().as_millis() as i64;
        let known = HOMES.with(|homes| homes.borrow().get(tenant.as_str()).copied());
        match known {
            Some((Home::Object, _)) => return Ok(Home::Object),
            Some((home, at)) if now - at < HOME_TRUSTED_MS => return Ok(home),
            _ => {}
        }
        #[derive(serde::Deserialize)]
        struct Row {
            home: String,
        }
        let rows: Vec<Row> = self
            .timed(Database::query(
                &self.d1,
                Statement::new(
                    "SELECT home FROM tenants WHERE id = ?",
                    vec![tenant.as_str().into()],
                ),
            ))
            .await?;
        let home = match rows.first() {
            Some(row) => Home::parse(&row.home)
                .ok_or_else(|| DbError::Corrupt(format!("tenant {tenant}: home {:?}", row.home)))?,
            // No such tenant: nothing of it anywhere, D1 answers so.
            None => Home::Database,
        };
        HOMES.with(|homes| {
            homes
                .borrow_mut()
                .insert(tenant.as_str().to_owned(), (home, now))
        });
        Ok(home)
    }

    /// D1 itself, whatever a tenant's home (a move reads its source there).
    pub fn d1(&self) -> &D1Database {
        &self.d1
    }

    /// `tenant`'s object, whatever its home says (a move writes there).
    pub fn object(&self, tenant: &TenantId) -> Result<Remote, DbError> {
        let objects = self.objects.as_ref().ok_or_else(|| {
            DbError::Other("the Durable Object binding `TENANTS` is missing".to_owned())
        })?;
        Remote::of(objects, tenant)
    }

    /// Forgets what this isolate read of `tenant`'s home (a move changed it).
    pub fn forget_home(tenant: &TenantId) {
        HOMES.with(|homes| homes.borrow_mut().remove(tenant.as_str()));
    }

    /// `tenant`'s object, if its data is there; an error while it moves.
    async fn place_of(&self, tenant: &TenantId) -> Result<Place<'_>, DbError> {
        if let Some((id, sql)) = &self.here {
            if id == tenant {
                return Ok(Place::Here(sql));
            }
        }
        match (self.home(tenant).await?, &self.objects) {
            (Home::Database, _) => Ok(Place::Shared),
            (Home::Moving, _) => Err(DbError::Unavailable(format!(
                "Tenant {tenant}'s data is being moved to its own database; try again in a minute."
            ))),
            (Home::Object, Some(objects)) => Ok(Place::Object(Remote::of(objects, tenant)?)),
            (Home::Object, None) => Err(DbError::Other(format!(
                "tenant {tenant}'s data is in its object, and the TENANTS binding is missing"
            ))),
        }
    }

    /// Runs `statements` as one transaction at `place`.
    async fn run_at(
        &self,
        place: Place<'_>,
        statements: Vec<Statement>,
    ) -> Result<Vec<(usize, Vec<serde_json::Value>)>, DbError> {
        match place {
            Place::Shared => self.timed(Database::batch_rows(&self.d1, statements)).await,
            Place::Object(remote) => self.timed(remote.run(statements)).await,
            Place::Here(sql) => sql.run(statements),
        }
    }

    /// Has the messages this invocation's changes store sent after its
    /// answer: by itself, or, when `queued`, by the notices queue's
    /// consumer.
    pub fn after_answer(&self, queued: bool) {
        self.after.replace(if queued {
            AfterAnswer::Queue(Vec::new())
        } else {
            AfterAnswer::Send(Vec::new())
        });
    }

    /// What to do after the answer (taken once).
    pub fn take_after_answer(&self) -> AfterAnswer {
        self.after.take()
    }
}

crate::one_database!(Edge);

/// The pause between tries of a read ([`read_retrying`]).
fn pause(ms: u64) -> worker::Delay {
    worker::Delay::from(std::time::Duration::from_millis(ms))
}

impl Database for Edge {
    async fn batch(&self, statements: Vec<Statement>) -> Result<Vec<usize>, DbError> {
        self.timed(Database::batch(&self.d1, statements)).await
    }

    async fn batch_rows(
        &self,
        statements: Vec<Statement>,
    ) -> Result<Vec<(usize, Vec<serde_json::Value>)>, DbError> {
        self.timed(Database::batch_rows(&self.d1, statements)).await
    }

    async fn batch_rows_storing(
        &self,
        tenant: &TenantId,
        mut statements: Vec<Statement>,
    ) -> Result<Vec<(usize, Vec<serde_json::Value>)>, DbError> {
        let place = self.place_of(tenant).await?;
        // In its own object a tenant's messages are sent at its alarm.
        if matches!(place, Place::Here(_)) {
            return self.run_at(place, statements).await;
        }
        if let AfterAnswer::Queue(tenants) = &mut *self.after.borrow_mut() {
            if !tenants.contains(tenant) {
                tenants.push(tenant.clone());
            }
        }
        if !matches!(*self.after.borrow(), AfterAnswer::Send(_)) {
            return self.run_at(place, statements).await;
        }
        statements.push(outbox::claim_due_of(
            tenant,
            Date::now().as_millis() as i64,
            DELIVERY_BATCH,
        ));
        let mut results = self.run_at(place, statements).await?;
        let leased: Vec<OutboxRow> = results
            .pop()
            .map(|(_, rows)| rows)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|row| serde_json::from_value(row).ok())
            .collect();
        if let AfterAnswer::Send(claimed) = &mut *self.after.borrow_mut() {
            claimed.extend(leased);
        }
        Ok(results)
    }

    async fn holds_index(&self, tenant: &TenantId) -> Result<bool, DbError> {
        Ok(matches!(self.place_of(tenant).await?, Place::Shared))
    }

    async fn tenant_batch_rows(
        &self,
        tenant: &TenantId,
        statements: Vec<Statement>,
    ) -> Result<Vec<(usize, Vec<serde_json::Value>)>, DbError> {
        self.run_at(self.place_of(tenant).await?, statements).await
    }

    async fn tenant_query_batch(
        &self,
        tenant: &TenantId,
        statements: Vec<Statement>,
    ) -> Result<Vec<Vec<serde_json::Value>>, DbError> {
        read_retrying(
            || async {
                Ok(self
                    .run_at(self.place_of(tenant).await?, statements.clone())
                    .await?
                    .into_iter()
                    .map(|(_, rows)| rows)
                    .collect())
            },
            pause,
        )
        .await
    }

    async fn tend_elsewhere(
        &self,
        tenant: &TenantId,
        now: i64,
    ) -> Result<Option<lockbox_shared::api::SweepOutcome>, DbError> {
        match self.place_of(tenant).await? {
            Place::Object(remote) => Ok(Some(self.timed(remote.tend(now)).await?)),
            Place::Shared | Place::Here(_) => Ok(None),
        }
    }

    // Reads, tried again when D1 fails on the way. The outbox's claim
    // (an UPDATE … RETURNING) comes here too: a claim repeated after a lost
    // answer leaves the first claim's messages leased until their lease
    // runs out, and never sends one twice.
    async fn query<T: DeserializeOwned>(&self, statement: Statement) -> Result<Vec<T>, DbError> {
        read_retrying(
            || self.timed(Database::query(&self.d1, statement.clone())),
            pause,
        )
        .await
    }

    async fn query_batch(
        &self,
        statements: Vec<Statement>,
    ) -> Result<Vec<Vec<serde_json::Value>>, DbError> {
        read_retrying(
            || self.timed(Database::query_batch(&self.d1, statements.clone())),
            pause,
        )
        .await
    }
}
