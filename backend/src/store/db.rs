//! The database layer: values, statements, conditions, errors, and the
//! [`Database`] trait that D1 (in the Worker), a Durable Object's SQLite or
//! `rusqlite` (in the model test) implement.
//!
//! Every statement is plain SQLite that runs unchanged on all three.
//! Parameters are anonymous (`?`), bound in textual order.

use serde::de::DeserializeOwned;

/// A value bound to a parameter (in JSON: null, an integer, a string).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum Value {
    Null,
    Int(i64),
    Text(String),
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Text(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Text(s)
    }
}

impl From<&String> for Value {
    fn from(s: &String) -> Self {
        Value::Text(s.clone())
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::Int(n)
    }
}

impl From<lockbox_shared::validation::ApprovalsRequired> for Value {
    fn from(n: lockbox_shared::validation::ApprovalsRequired) -> Self {
        Value::Int(i64::from(u8::from(n)))
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Int(i64::from(b))
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// D1 and a Durable Object's SQL bind at most this many parameters per
/// statement (SQLite itself allows 32 766, so only production would fail):
/// the test driver refuses more too. A list of values goes in as one JSON
/// array ([`json_list`]) read with `json_each`.
pub const MAX_BOUND_PARAMETERS: usize = 100;

/// `values` as one parameter: a JSON array, for `IN (SELECT value FROM
/// json_each(?))`, so a list of any length binds one parameter.
pub fn json_list<'a>(values: impl IntoIterator<Item = &'a str>) -> Value {
    Value::Text(serde_json::Value::from(values.into_iter().collect::<Vec<_>>()).to_string())
}

/// One statement with its arguments.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Statement {
    pub sql: String,
    pub args: Vec<Value>,
}

impl Statement {
    pub fn new(sql: impl Into<String>, args: Vec<Value>) -> Self {
        Self {
            sql: sql.into(),
            args,
        }
    }
}

/// A boolean SQL expression with its arguments: the guard of an UPDATE, and
/// (inside `EXISTS`) of the inserts that must happen with it or not at all.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub sql: String,
    pub args: Vec<Value>,
}

impl Condition {
    pub fn new(sql: impl Into<String>, args: Vec<Value>) -> Self {
        Self {
            sql: sql.into(),
            args,
        }
    }

    /// Both conditions.
    pub fn and(mut self, other: Condition) -> Self {
        self.sql = format!("({}) AND ({})", self.sql, other.sql);
        self.args.extend(other.args);
        self
    }

    /// "A row of `table` satisfying this condition exists".
    pub fn exists_in(&self, table: &str) -> Condition {
        Condition {
            sql: format!("EXISTS (SELECT 1 FROM {table} WHERE {})", self.sql),
            args: self.args.clone(),
        }
    }
}

/// A failed database call.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum DbError {
    /// A UNIQUE or PRIMARY KEY constraint refused the write.
    Unique(String),
    /// A stored row breaks the rules its type keeps (never silently dropped).
    Corrupt(String),
    /// The data is not where it can be written now (a tenant's rows on
    /// their way to its own database): try again shortly.
    Unavailable(String),
    /// Anything else.
    Other(String),
}

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DbError::Unique(m) | DbError::Other(m) | DbError::Unavailable(m) => f.write_str(m),
            DbError::Corrupt(m) => write!(f, "corrupt row: {m}"),
        }
    }
}

impl DbError {
    /// Classifies a driver's error message.
    pub fn from_message(message: String) -> Self {
        if message.contains("UNIQUE constraint failed") {
            DbError::Unique(message)
        } else {
            DbError::Other(message)
        }
    }

    /// Whether D1 says the call failed on its way and may succeed if made
    /// again (its documented retryable errors).
    pub fn is_transient(&self) -> bool {
        const TRANSIENT: [&str; 6] = [
            "Network connection lost",
            "storage caused object to be reset",
            "reset because its code was updated",
            "transient issue on remote node",
            "Requests queued for too long",
            "internal error",
        ];
        matches!(self, DbError::Other(m) if TRANSIENT.iter().any(|t| m.contains(t)))
    }
}

/// How many times a read is tried when it fails transiently.
pub const READ_ATTEMPTS: u32 = 3;

/// The pause before the `retry`-th try of a read (ms): 50, then 200.
pub fn read_backoff_ms(retry: u32) -> u64 {
    50 << (2 * retry.saturating_sub(1).min(4))
}

/// Runs `read` (a read: safe to repeat) up to [`READ_ATTEMPTS`] times
/// while it fails transiently, pausing with `pause` between tries. Writes
/// are never repeated this way: a write whose answer was lost may have
/// committed, so only the caller, with its idempotency key, may repeat it.
pub async fn read_retrying<T, R, F, P, W>(mut read: R, pause: P) -> Result<T, DbError>
where
    R: FnMut() -> F,
    F: std::future::Future<Output = Result<T, DbError>>,
    P: Fn(u64) -> W,
    W: std::future::Future<Output = ()>,
{
    let mut retry = 0;
    loop {
        match read().await {
            Err(err) if err.is_transient() && retry + 1 < READ_ATTEMPTS => {
                retry += 1;
                pause(read_backoff_ms(retry)).await;
            }
            outcome => return outcome,
        }
    }
}

/// What Lockbox needs from a database.
// Workers are single-threaded: the futures need not be Send.
#[allow(async_fn_in_trait)]
pub trait Database {
    /// Runs the statements as one transaction; returns rows changed by each.
    async fn batch(&self, statements: Vec<Statement>) -> Result<Vec<usize>, DbError> {
        Ok(self
            .batch_rows(statements)
            .await?
            .into_iter()
            .map(|(changes, _)| changes)
            .collect())
    }
    /// Runs one query and deserialises its rows.
    async fn query<T: DeserializeOwned>(&self, statement: Statement) -> Result<Vec<T>, DbError>;
    /// Runs several queries in one round trip where the database allows
    /// it (D1: one batch, which is also one transaction, so all read the
    /// same state); a call's lookups of who is calling and of what it
    /// touches then cost one round trip. Rows come as JSON objects, for
    /// [`query_pair`] and [`query_triple`] to decode.
    /// Runs the statements as one transaction, writes and queries mixed;
    /// returns rows changed and rows read by each (a query changes none).
    async fn batch_rows(
        &self,
        statements: Vec<Statement>,
    ) -> Result<Vec<(usize, Vec<serde_json::Value>)>, DbError>;
    /// [`Database::batch_rows`] for a write of `tenant`'s that stores
    /// messages in its outbox: where the invocation delivers after its
    /// answer (the Worker's `Edge`), the same batch also leases that
    /// tenant's due messages (and no other tenant's) for it.
    async fn batch_rows_storing(
        &self,
        tenant: &lockbox_shared::ids::TenantId,
        statements: Vec<Statement>,
    ) -> Result<Vec<(usize, Vec<serde_json::Value>)>, DbError> {
        let _ = tenant;
        self.batch_rows(statements).await
    }
    /// Whether `tenant`'s data is in this database together with the
    /// provider's index of requests, so that one batch writes a change and
    /// the index's copy of it (elsewhere the copy waits in the tenant's
    /// outbox for a write of its own).
    async fn holds_index(&self, tenant: &lockbox_shared::ids::TenantId) -> Result<bool, DbError> {
        let _ = tenant;
        Ok(false)
    }
    async fn query_batch(
        &self,
        statements: Vec<Statement>,
    ) -> Result<Vec<Vec<serde_json::Value>>, DbError> {
        let mut sets = Vec::with_capacity(statements.len());
        for statement in statements {
            sets.push(self.query(statement).await?);
        }
        Ok(sets)
    }
    /// [`Database::batch_rows`] on `tenant`'s data, where the database
    /// keeps each tenant's apart (the Worker's, once a tenant has its own
    /// object); elsewhere the same.
    async fn tenant_batch_rows(
        &self,
        tenant: &lockbox_shared::ids::TenantId,
        statements: Vec<Statement>,
    ) -> Result<Vec<(usize, Vec<serde_json::Value>)>, DbError> {
        let _ = tenant;
        self.batch_rows(statements).await
    }
    /// Where `tenant`'s data is in its own object and this code runs
    /// outside it: asks the object to do the tenant's work due as of
    /// `now` (the scheduled job's poke) and returns what it did; `None`
    /// where the caller does the work itself, on the statements.
    async fn tend_elsewhere(
        &self,
        tenant: &lockbox_shared::ids::TenantId,
        now: i64,
    ) -> Result<Option<lockbox_shared::api::SweepOutcome>, DbError> {
        let _ = (tenant, now);
        Ok(None)
    }
    /// [`Database::query_batch`] on `tenant`'s data (as
    /// [`Database::tenant_batch_rows`]).
    async fn tenant_query_batch(
        &self,
        tenant: &lockbox_shared::ids::TenantId,
        statements: Vec<Statement>,
    ) -> Result<Vec<Vec<serde_json::Value>>, DbError> {
        let _ = tenant;
        self.query_batch(statements).await
    }
}

/// A shared handle (an export's stream owns one) is the database it holds.
impl<T: Database> Database for std::rc::Rc<T> {
    async fn batch(&self, statements: Vec<Statement>) -> Result<Vec<usize>, DbError> {
        (**self).batch(statements).await
    }

    async fn query<U: DeserializeOwned>(&self, statement: Statement) -> Result<Vec<U>, DbError> {
        (**self).query(statement).await
    }

    async fn batch_rows(
        &self,
        statements: Vec<Statement>,
    ) -> Result<Vec<(usize, Vec<serde_json::Value>)>, DbError> {
        (**self).batch_rows(statements).await
    }

    async fn batch_rows_storing(
        &self,
        tenant: &lockbox_shared::ids::TenantId,
        statements: Vec<Statement>,
    ) -> Result<Vec<(usize, Vec<serde_json::Value>)>, DbError> {
        (**self).batch_rows_storing(tenant, statements).await
    }

    async fn holds_index(&self, tenant: &lockbox_shared::ids::TenantId) -> Result<bool, DbError> {
        (**self).holds_index(tenant).await
    }

    async fn query_batch(
        &self,
        statements: Vec<Statement>,
    ) -> Result<Vec<Vec<serde_json::Value>>, DbError> {
        (**self).query_batch(statements).await
    }

    async fn tenant_batch_rows(
        &self,
        tenant: &lockbox_shared::ids::TenantId,
        statements: Vec<Statement>,
    ) -> Result<Vec<(usize, Vec<serde_json::Value>)>, DbError> {
        (**self).tenant_batch_rows(tenant, statements).await
    }

    async fn tenant_query_batch(
        &self,
        tenant: &lockbox_shared::ids::TenantId,
        statements: Vec<Statement>,
    ) -> Result<Vec<Vec<serde_json::Value>>, DbError> {
        (**self).tenant_query_batch(tenant, statements).await
    }

    async fn tend_elsewhere(
        &self,
        tenant: &lockbox_shared::ids::TenantId,
        now: i64,
    ) -> Result<Option<lockbox_shared::api::SweepOutcome>, DbError> {
        (**self).tend_elsewhere(tenant, now).await
    }
}

/// [`Database::batch_rows_storing`], the rows changed by each statement.
pub async fn batch_storing<D: Database>(
    db: &D,
    tenant: &lockbox_shared::ids::TenantId,
    statements: Vec<Statement>,
) -> Result<Vec<usize>, DbError> {
    Ok(db
        .batch_rows_storing(tenant, statements)
        .await?
        .into_iter()
        .map(|(changes, _)| changes)
        .collect())
}

/// The rows of one query of a [`Database::query_batch`], as `T`.
pub(crate) fn decode<T: DeserializeOwned>(
    set: Option<Vec<serde_json::Value>>,
) -> Result<Vec<T>, DbError> {
    set.ok_or_else(|| DbError::Other("a batch of queries answered fewer result sets".to_owned()))?
        .into_iter()
        .map(|row| serde_json::from_value(row).map_err(|e| DbError::Other(e.to_string())))
        .collect()
}

/// Two queries in one round trip ([`Database::query_batch`]).
pub async fn query_pair<D: Database, A: DeserializeOwned, B: DeserializeOwned>(
    db: &D,
    a: Statement,
    b: Statement,
) -> Result<(Vec<A>, Vec<B>), DbError> {
    let mut sets = db.query_batch(vec![a, b]).await?.into_iter();
    Ok((decode(sets.next())?, decode(sets.next())?))
}

/// Three queries in one round trip ([`Database::query_batch`]).
pub async fn query_triple<D, A, B, C>(
    db: &D,
    a: Statement,
    b: Statement,
    c: Statement,
) -> Result<(Vec<A>, Vec<B>, Vec<C>), DbError>
where
    D: Database,
    A: DeserializeOwned,
    B: DeserializeOwned,
    C: DeserializeOwned,
{
    let mut sets = db.query_batch(vec![a, b, c]).await?.into_iter();
    Ok((
        decode(sets.next())?,
        decode(sets.next())?,
        decode(sets.next())?,
    ))
}

/// The first row a query selects, if any.
pub async fn first<D: Database, T: DeserializeOwned>(
    db: &D,
    statement: Statement,
) -> Result<Option<T>, DbError> {
    Ok(db.query(statement).await?.into_iter().next())
}

/// A stored 0/1 column as a boolean (SQLite and D1 have no boolean type).
pub fn bit(n: i64) -> bool {
    n != 0
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::future::Future;
    use std::task::{Context, Poll, Waker};

    use super::*;

    /// Polls a future that never waits.
    fn now<T>(future: impl Future<Output = T>) -> T {
        let mut future = std::pin::pin!(future);
        match future
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
        {
            Poll::Ready(value) => value,
            Poll::Pending => panic!("the future waited"),
        }
    }

    /// A read that fails with `error` its first `failures` times.
    fn flaky(
        failures: u32,
        error: &'static str,
    ) -> (Cell<u32>, impl Fn(u32) -> Result<u32, DbError>) {
        (Cell::new(0), move |n| {
            if n <= failures {
                Err(DbError::from_message(error.to_owned()))
            } else {
                Ok(n)
            }
        })
    }

    #[test]
    fn a_read_that_fails_transiently_is_tried_again_at_most_three_times() {
        let lost = "D1_ERROR: Network connection lost.";
        for (failures, expected) in [(0, Ok(1)), (1, Ok(2)), (2, Ok(3)), (5, Err(3))] {
            let (calls, answer) = flaky(failures, lost);
            let paused = Cell::new(Vec::new());
            let outcome = now(read_retrying(
                || {
                    calls.set(calls.get() + 1);
                    std::future::ready(answer(calls.get()))
                },
                |ms| {
                    let mut p = paused.take();
                    p.push(ms);
                    paused.set(p);
                    std::future::ready(())
                },
            ));
            match expected {
                Ok(n) => assert_eq!(outcome.ok(), Some(n), "{failures} failures"),
                Err(n) => {
                    assert!(outcome.is_err(), "{failures} failures");
                    assert_eq!(calls.get(), n);
                }
            }
            let pauses = paused.take();
            assert_eq!(pauses.len() as u32, calls.get() - 1);
            assert!(pauses
                .iter()
                .copied()
                .eq([50, 200].into_iter().take(pauses.len())));
        }
    }

    #[test]
    fn other_failures_are_not_tried_again() {
        for error in [
            "UNIQUE constraint failed: x.id",
            "no such table: x",
            "D1_ERROR: SQLITE_CONSTRAINT",
        ] {
            let (calls, answer) = flaky(1, error);
            let outcome = now(read_retrying(
                || {
                    calls.set(calls.get() + 1);
                    std::future::ready(answer(calls.get()))
                },
                |_| std::future::ready(()),
            ));
            assert!(outcome.is_err(), "{error}");
            assert_eq!(calls.get(), 1, "{error}");
        }
    }
}
