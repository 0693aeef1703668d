//! The D1 binding as a [`Database`].
//!
//! D1 rejects JavaScript BigInt, so integers (epoch milliseconds) are bound
//! as f64, which holds them exactly up to 2^53. A `batch()` is one
//! transaction; D1 has no interactive transactions.

use serde::de::DeserializeOwned;
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement};

use super::db::{Database, DbError, Statement, Value};

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

fn error(err: worker::Error) -> DbError {
    DbError::from_message(err.to_string())
}

impl Database for D1Database {
    async fn batch(&self, statements: Vec<Statement>) -> Result<Vec<usize>, DbError> {
        let prepared = statements
            .iter()
            .map(|s| prepare(self, s))
            .collect::<Result<Vec<_>, _>>()?;
        let results = D1Database::batch(self, prepared).await.map_err(error)?;
        let changes = results
            .iter()
            .map(|result| {
                Ok(result
                    .meta()
                    .map_err(error)?
                    .and_then(|meta| meta.changes)
                    .unwrap_or_default())
            })
            .collect::<Result<Vec<_>, DbError>>()?;
        super::outbox::note_written(&statements, &changes);
        Ok(changes)
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
        let prepared = statements
            .iter()
            .map(|s| prepare(self, s))
            .collect::<Result<Vec<_>, _>>()?;
        let results = D1Database::batch(self, prepared).await.map_err(error)?;
        if results.len() != statements.len() {
            return Err(DbError::Other(format!(
                "D1 answered a batch of {} queries with {} results",
                statements.len(),
                results.len()
            )));
        }
        results
            .iter()
            .map(|result| result.results().map_err(error))
            .collect()
    }
}
