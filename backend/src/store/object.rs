//! A tenant's Durable Object's own SQLite as a [`Database`]: the same
//! statements D1 and the model test's SQLite run. A batch is one
//! transaction (`transactionSync`: a statement that fails undoes the
//! batch); each statement's rows changed are SQLite's own count
//! (`total_changes()` before and after), as D1 reports them.

use std::cell::RefCell;
use std::rc::Rc;

use serde::de::DeserializeOwned;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use worker::js_sys::{Function, Reflect};
use worker::{SqlStorage, SqlStorageValue, Storage};

use lockbox_shared::ids::TenantId;

use super::db::{Database, DbError, Statement, Value};

/// Every migration, in order (see `build.rs`).
mod embedded {
    include!(concat!(env!("OUT_DIR"), "/migrations.rs"));
}
pub use embedded::MIGRATIONS;

fn bind(args: &[Value]) -> Vec<SqlStorageValue> {
    args.iter()
        .map(|v| match v {
            Value::Null => SqlStorageValue::Null,
            Value::Int(n) => SqlStorageValue::Integer(*n),
            Value::Text(s) => SqlStorageValue::String(s.clone()),
        })
        .collect()
}

fn error(err: impl std::fmt::Display) -> DbError {
    DbError::from_message(err.to_string())
}

#[derive(serde::Deserialize)]
struct Changes {
    n: i64,
}

fn total_changes(sql: &SqlStorage) -> Result<i64, DbError> {
    let rows: Vec<Changes> = sql
        .exec("SELECT total_changes() AS n", None)
        .and_then(|cursor| cursor.to_array())
        .map_err(error)?;
    Ok(rows.first().map_or(0, |r| r.n))
}

/// Runs each statement in turn: rows changed and rows read by each.
fn run_all(
    sql: &SqlStorage,
    statements: &[Statement],
) -> Result<Vec<(usize, Vec<serde_json::Value>)>, DbError> {
    let mut results = Vec::with_capacity(statements.len());
    for statement in statements {
        let before = total_changes(sql)?;
        let rows: Vec<serde_json::Value> = sql
            .exec(&statement.sql, bind(&statement.args))
            .and_then(|cursor| cursor.to_array())
            .map_err(error)?;
        let after = total_changes(sql)?;
        results.push((usize::try_from(after - before).unwrap_or(0), rows));
    }
    Ok(results)
}

/// A tenant object's SQLite.
pub struct ObjectSql {
    storage: Storage,
}

impl ObjectSql {
    pub fn new(storage: Storage) -> Self {
        Self { storage }
    }

    /// Runs `work` on the object's SQLite inside `transactionSync`: all of
    /// its writes, or (when it fails) none.
    fn in_transaction<R: 'static>(
        &self,
        work: impl FnOnce(&SqlStorage) -> Result<R, DbError> + 'static,
    ) -> Result<R, DbError> {
        let raw: &JsValue = self.storage.as_raw();
        let transaction_sync = Reflect::get(raw, &JsValue::from_str("transactionSync"))
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
            .ok_or_else(|| {
                DbError::Other("this object's storage has no transactionSync".to_owned())
            })?;
        let sql = self.storage.sql();
        let outcome: Rc<RefCell<Option<Result<R, DbError>>>> = Rc::new(RefCell::new(None));
        let put = Rc::clone(&outcome);
        let body = Closure::once(move || -> Result<JsValue, JsValue> {
            let result = work(&sql);
            let failed = result.as_ref().err().map(ToString::to_string);
            put.replace(Some(result));
            match failed {
                // Throwing rolls the transaction back.
                Some(why) => Err(JsValue::from_str(&why)),
                None => Ok(JsValue::UNDEFINED),
            }
        });
        let called = transaction_sync.call1(raw, body.as_ref().unchecked_ref());
        let result = outcome.borrow_mut().take();
        match (result, called) {
            (Some(result), _) => result,
            (None, Err(thrown)) => Err(DbError::Other(format!(
                "transactionSync failed: {}",
                thrown.as_string().unwrap_or_else(|| format!("{thrown:?}"))
            ))),
            (None, Ok(_)) => Err(DbError::Other(
                "transactionSync did not run the transaction".to_owned(),
            )),
        }
    }

    /// Applies every migration this object has not applied yet, each in
    /// its own transaction with its record. Returns how many it applied.
    pub fn migrate(&self) -> Result<usize, DbError> {
        let sql = self.storage.sql();
        sql.exec(
            "CREATE TABLE IF NOT EXISTS lockbox_migrations \
             (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)",
            None,
        )
        .map_err(error)?;
        #[derive(serde::Deserialize)]
        struct Applied {
            name: String,
        }
        let applied: Vec<Applied> = sql
            .exec("SELECT name FROM lockbox_migrations", None)
            .and_then(|cursor| cursor.to_array())
            .map_err(error)?;
        let mut count = 0;
        for (name, text) in MIGRATIONS {
            if applied.iter().any(|a| a.name == *name) {
                continue;
            }
            let name = (*name).to_owned();
            let text = without_pragmas(text);
            let now = worker::Date::now().as_millis() as i64;
            self.in_transaction(move |sql| {
                sql.exec(&text, None)
                    .map_err(|e| DbError::Other(format!("migration {name}: {e}")))?;
                sql.exec(
                    "INSERT INTO lockbox_migrations (name, applied_at) VALUES (?, ?)",
                    vec![
                        SqlStorageValue::String(name.clone()),
                        SqlStorageValue::Integer(now),
                    ],
                )
                .map_err(error)?;
                Ok(())
            })?;
            count += 1;
        }
        Ok(count)
    }
}

/// A migration's SQL without its `PRAGMA` lines: they serve D1's rebuilds
/// of tables that hold data (`defer_foreign_keys`), while an object applies
/// every migration to an empty database, in one transaction each. (Not
/// tested: whether the object's SQLite would accept them.)
fn without_pragmas(text: &str) -> String {
    text.lines()
        .filter(|line| !line.trim_start().to_ascii_uppercase().starts_with("PRAGMA"))
        .collect::<Vec<_>>()
        .join("\n")
}

impl Database for ObjectSql {
    async fn batch(&self, statements: Vec<Statement>) -> Result<Vec<usize>, DbError> {
        Ok(self
            .batch_rows(statements)
            .await?
            .into_iter()
            .map(|(changes, _)| changes)
            .collect())
    }

    async fn batch_rows(
        &self,
        statements: Vec<Statement>,
    ) -> Result<Vec<(usize, Vec<serde_json::Value>)>, DbError> {
        self.in_transaction(move |sql| run_all(sql, &statements))
    }

    async fn query<T: DeserializeOwned>(&self, statement: Statement) -> Result<Vec<T>, DbError> {
        self.storage
            .sql()
            .exec(&statement.sql, bind(&statement.args))
            .and_then(|cursor| cursor.to_array())
            .map_err(error)
    }
}

/// What the Worker sends a tenant's object: the statements of one call on
/// the tenant's data, run as one transaction (the same SQL as on D1).
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Statements {
    pub statements: Vec<Statement>,
}

/// What the object answers: rows changed and rows read by each statement,
/// or why the transaction failed (nothing of it written).
pub type Answer = Result<Vec<(usize, Vec<serde_json::Value>)>, DbError>;

impl ObjectSql {
    /// How many rows `table` holds (0 if it cannot be read).
    pub fn count(&self, table: &str) -> u64 {
        let rows: Vec<Changes> = self
            .storage
            .sql()
            .exec(&format!("SELECT COUNT(*) AS n FROM {table}"), None)
            .and_then(|cursor| cursor.to_array())
            .unwrap_or_default();
        rows.first().map_or(0, |r| r.n.max(0) as u64)
    }

    /// Runs `statements` as one transaction.
    pub fn run(&self, statements: Vec<Statement>) -> Answer {
        self.in_transaction(move |sql| run_all(sql, &statements))
    }
}

/// A tenant's object as the Worker reaches it: each call sends one
/// transaction's statements and waits for the answer.
pub struct Remote {
    stub: worker::Stub,
    tenant: TenantId,
}

impl Remote {
    /// The object of `tenant` in `namespace` (the `TENANTS` binding).
    pub fn of(namespace: &worker::ObjectNamespace, tenant: &TenantId) -> Result<Self, DbError> {
        let stub = namespace
            .id_from_name(tenant.as_str())
            .and_then(|id| id.get_stub())
            .map_err(|e| DbError::Other(format!("the object of tenant {tenant}: {e}")))?;
        Ok(Self {
            stub,
            tenant: tenant.clone(),
        })
    }

    /// POSTs `body` (as JSON) to the object's `path`; its status and body.
    async fn post(
        &self,
        path: &str,
        body: &impl serde::Serialize,
    ) -> Result<(u16, String), DbError> {
        let failed =
            |e: worker::Error| DbError::Other(format!("the object of tenant {}: {e}", self.tenant));
        let body = serde_json::to_string(body).map_err(|e| DbError::Other(e.to_string()))?;
        let headers = worker::Headers::new();
        headers
            .set(crate::object::TENANT_HEADER, self.tenant.as_str())
            .map_err(failed)?;
        headers
            .set("content-type", "application/json")
            .map_err(failed)?;
        let mut init = worker::RequestInit::new();
        init.with_method(worker::Method::Post)
            .with_headers(headers)
            .with_body(Some(JsValue::from_str(&body)));
        let request =
            worker::Request::new_with_init(&format!("https://tenant-object{path}"), &init)
                .map_err(failed)?;
        let mut response = self
            .stub
            .fetch_with_request(request)
            .await
            .map_err(failed)?;
        let status = response.status_code();
        Ok((status, response.text().await.map_err(failed)?))
    }

    /// Runs `statements` in the object as one transaction.
    pub async fn run(&self, statements: Vec<Statement>) -> Answer {
        let (status, text) = self.post("/statements", &Statements { statements }).await?;
        if status != 200 {
            return Err(DbError::Other(format!(
                "the object of tenant {} answered HTTP {status}: {text}",
                self.tenant
            )));
        }
        serde_json::from_str::<Answer>(&text)
            .map_err(|e| DbError::Other(format!("the object of tenant {}: {e}", self.tenant)))?
    }
}

impl Database for Remote {
    async fn batch(&self, statements: Vec<Statement>) -> Result<Vec<usize>, DbError> {
        Ok(self
            .run(statements)
            .await?
            .into_iter()
            .map(|(changes, _)| changes)
            .collect())
    }

    async fn batch_rows(
        &self,
        statements: Vec<Statement>,
    ) -> Result<Vec<(usize, Vec<serde_json::Value>)>, DbError> {
        self.run(statements).await
    }

    async fn query<T: DeserializeOwned>(&self, statement: Statement) -> Result<Vec<T>, DbError> {
        let rows = self
            .run(vec![statement])
            .await?
            .into_iter()
            .next()
            .map(|(_, rows)| rows);
        super::db::decode(rows)
    }

    async fn query_batch(
        &self,
        statements: Vec<Statement>,
    ) -> Result<Vec<Vec<serde_json::Value>>, DbError> {
        Ok(self
            .run(statements)
            .await?
            .into_iter()
            .map(|(_, rows)| rows)
            .collect())
    }
}

/// A decision on one of the tenant's requests, as the Worker sends it to
/// the tenant's object (`/decide`): who, what, and what the Worker read
/// already (the caller, and where the index says the request is). The
/// object reads, decides and writes next to the data and answers as the
/// API does.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Decide {
    pub principal: lockbox_shared::roles::Principal,
    pub request_id: String,
    pub verb: String,
    pub comment: Option<String>,
    pub duration_minutes: Option<u32>,
    pub idempotency_key: Option<String>,
    pub now: i64,
    pub ip: String,
    pub service_account: String,
    pub located: Option<super::provider_index::Located>,
}

impl Remote {
    /// Sends `decide` to the object; its answer as (status, body).
    pub async fn decide(&self, decide: &Decide) -> Result<(u16, String), DbError> {
        self.post("/decide", decide).await
    }
}
