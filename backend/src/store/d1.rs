//! The D1 binding as a [`Database`].
//!
//! D1 rejects JavaScript BigInt, so integers (epoch milliseconds) are bound
//! as f64, which holds them exactly up to 2^53. A `batch()` is one
//! transaction; D1 has no interactive transactions.

use std::cell::RefCell;

use lockbox_shared::ids::TenantId;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement, D1Result, Date};

use super::db::{Database, DbError, Statement, Value};
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

/// D1 as one invocation uses it. A change whose answer is followed by a
/// delivery pass ([`Edge::deliver_after_answer`]) leases its tenant's due
/// messages in the same batch that stores its own
/// ([`Database::batch_rows_storing`], with [`outbox::claim_due_of`]
/// appended: one transaction), and keeps them for that pass: the pass then
/// starts sending without a round trip of its own to claim them.
pub struct Edge {
    d1: D1Database,
    /// `Some` once the invocation delivers after its answer: the messages
    /// its batches leased so far.
    claimed: RefCell<Option<Vec<OutboxRow>>>,
}

impl Edge {
    pub fn new(d1: D1Database) -> Self {
        Self {
            d1,
            claimed: RefCell::new(None),
        }
    }

    /// From now on, a batch that stores a tenant's messages also leases
    /// that tenant's due ones.
    pub fn deliver_after_answer(&self) {
        self.claimed.replace(Some(Vec::new()));
    }

    /// The messages leased so far, for the pass after the answer (each at
    /// most once).
    pub fn take_claimed(&self) -> Vec<OutboxRow> {
        self.claimed.take().unwrap_or_default()
    }
}

crate::one_database!(Edge);

impl Database for Edge {
    async fn batch(&self, statements: Vec<Statement>) -> Result<Vec<usize>, DbError> {
        Database::batch(&self.d1, statements).await
    }

    async fn batch_rows(
        &self,
        statements: Vec<Statement>,
    ) -> Result<Vec<(usize, Vec<serde_json::Value>)>, DbError> {
        Database::batch_rows(&self.d1, statements).await
    }

    async fn batch_rows_storing(
        &self,
        tenant: &TenantId,
        mut statements: Vec<Statement>,
    ) -> Result<Vec<(usize, Vec<serde_json::Value>)>, DbError> {
        if self.claimed.borrow().is_none() {
            return Database::batch_rows(&self.d1, statements).await;
        }
        statements.push(outbox::claim_due_of(
            tenant,
            Date::now().as_millis() as i64,
            DELIVERY_BATCH,
        ));
        let mut results = run(&self.d1, &statements).await?;
        // The batch committed: the leased messages are sent after the
        // answer or, once their lease ends, by the scheduled job.
        if let Some(Ok(rows)) = results.pop().map(|r| r.results::<OutboxRow>()) {
            if let Some(claimed) = self.claimed.borrow_mut().as_mut() {
                claimed.extend(rows);
            }
        }
        changes_and_rows(&results)
    }

    async fn query<T: DeserializeOwned>(&self, statement: Statement) -> Result<Vec<T>, DbError> {
        Database::query(&self.d1, statement).await
    }

    async fn query_batch(
        &self,
        statements: Vec<Statement>,
    ) -> Result<Vec<Vec<serde_json::Value>>, DbError> {
        Database::query_batch(&self.d1, statements).await
    }
}
