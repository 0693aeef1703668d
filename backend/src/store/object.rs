//! A tenant's Durable Object's own SQLite as a [`Database`]: the same
//! statements D1 and the model test's SQLite run. A batch is one
//! transaction (`transactionSync`: a statement that fails undoes the
//! batch); each statement's rows changed are SQLite's own count
//! (`total_changes()` before and after), as D1 reports them. A batch that
//! writes also runs the object's [`AfterWrite`] in the same transaction
//! (the object hashes the new audit records into its tree there).

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

/// What runs inside a writing batch's transaction, after its statements,
/// on the tenant's data; its failure undoes the batch.
pub type AfterWrite = fn(&SqlStorage, &TenantId) -> Result<(), DbError>;

/// A tenant object's SQLite.
pub struct ObjectSql {
    storage: Storage,
    after_write: Option<(TenantId, AfterWrite)>,
}

impl ObjectSql {
    /// The SQLite as it is: a batch runs its statements and nothing else
    /// (a move's copy, which brings the tree along with the records).
    pub fn new(storage: Storage) -> Self {
        Self {
            storage,
            after_write: None,
        }
    }

    /// The SQLite of `tenant`'s object, where each batch that changes a
    /// row runs `after_write` in its own transaction.
    pub fn writing(storage: Storage, tenant: TenantId, after_write: AfterWrite) -> Self {
        Self {
            storage,
            after_write: Some((tenant, after_write)),
        }
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
    async fn batch_rows(
        &self,
        statements: Vec<Statement>,
    ) -> Result<Vec<(usize, Vec<serde_json::Value>)>, DbError> {
        self.run(statements)
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

    /// Runs `statements` as one transaction, with the object's
    /// [`AfterWrite`] when they change a row.
    pub fn run(&self, statements: Vec<Statement>) -> Answer {
        let after_write = self.after_write.clone();
        self.in_transaction(move |sql| {
            let results = run_all(sql, &statements)?;
            if let Some((tenant, after_write)) = after_write {
                if results.iter().any(|(changed, _)| *changed > 0) {
                    after_write(sql, &tenant)?;
                }
            }
            Ok(results)
        })
    }
}

/// The object's SQLite inside a transaction already open: what an
/// [`AfterWrite`] reads and writes through. Every call completes at once
/// (the object's SQLite is synchronous), so a future over it is ready the
/// first time it is polled.
pub struct Within<'a>(pub &'a SqlStorage);

impl Database for Within<'_> {
    async fn batch_rows(
        &self,
        statements: Vec<Statement>,
    ) -> Result<Vec<(usize, Vec<serde_json::Value>)>, DbError> {
        run_all(self.0, &statements)
    }

    async fn query<T: DeserializeOwned>(&self, statement: Statement) -> Result<Vec<T>, DbError> {
        self.0
            .exec(&statement.sql, bind(&statement.args))
            .and_then(|cursor| cursor.to_array())
            .map_err(error)
    }

    async fn query_batch(
        &self,
        statements: Vec<Statement>,
    ) -> Result<Vec<Vec<serde_json::Value>>, DbError> {
        Ok(run_all(self.0, &statements)?
            .into_iter()
            .map(|(_, rows)| rows)
            .collect())
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
        self.send("/statements", statements).await
    }

    /// Sends `statements` to the object's `path`; its answer.
    async fn send(&self, path: &str, statements: Vec<Statement>) -> Answer {
        let (status, text) = self.post(path, &Statements { statements }).await?;
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

/// The headers a call forwarded to a tenant's object carries besides the
/// caller's: who is calling (as the Worker authenticated them), when the
/// call arrived, from where, and what the Worker read of it already. Only
/// the Worker reaches an object (through its binding), and it sets each.
pub const PRINCIPAL_HEADER: &str = "x-lockbox-principal";
pub const NOW_HEADER: &str = "x-lockbox-now";
pub const IP_HEADER: &str = "x-lockbox-ip";
pub const LOCATED_HEADER: &str = "x-lockbox-located";

impl Remote {
    /// Sends the API call `request` (method, URL, the caller's headers and
    /// body, and the [`PRINCIPAL_HEADER`] and the others set) to the object,
    /// which answers it next to the tenant's data: its answer is the call's.
    pub async fn forward(&self, request: worker::Request) -> Result<worker::Response, DbError> {
        self.stub
            .fetch_with_request(request)
            .await
            .map_err(|e| DbError::Other(format!("the object of tenant {}: {e}", self.tenant)))
    }

    /// Asks the object to do its tenant's work due as of `now` (the
    /// scheduled job's poke); what it did.
    pub async fn tend(&self, now: i64) -> Result<lockbox_shared::api::SweepOutcome, DbError> {
        #[derive(serde::Serialize)]
        struct Poke {
            now: i64,
        }
        let (status, text) = self.post("/tend", &Poke { now }).await?;
        if status != 200 {
            return Err(DbError::Other(format!(
                "the object of tenant {} answered HTTP {status}: {text}",
                self.tenant
            )));
        }
        serde_json::from_str(&text)
            .map_err(|e| DbError::Other(format!("the object of tenant {}: {e}", self.tenant)))
    }

    /// Copies a move's page of rows into the object as one transaction,
    /// as they are (the records arrive with their tree).
    pub async fn copy(&self, statements: Vec<Statement>) -> Answer {
        self.send("/copy", statements).await
    }
}

/// A tenant's object as a move writes to it: each batch a copy
/// ([`Remote::copy`]), reads as any other.
pub struct Copying(pub Remote);

impl Database for Copying {
    async fn batch_rows(
        &self,
        statements: Vec<Statement>,
    ) -> Result<Vec<(usize, Vec<serde_json::Value>)>, DbError> {
        self.0.copy(statements).await
    }

    async fn query<T: DeserializeOwned>(&self, statement: Statement) -> Result<Vec<T>, DbError> {
        self.0.query(statement).await
    }

    async fn query_batch(
        &self,
        statements: Vec<Statement>,
    ) -> Result<Vec<Vec<serde_json::Value>>, DbError> {
        self.0.query_batch(statements).await
    }
}
