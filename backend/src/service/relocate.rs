//! Moving one tenant's rows out of the database that holds every tenant
//! (the single-D1 layout) into the tenant's own, in steps that can stop
//! anywhere and start again: each step copies one page of one table in
//! one transaction, and copying a row twice keeps the first copy, so a
//! step that is repeated after a crash changes nothing. What a step
//! returns says where the next starts. The tenant's writes wait while it
//! moves (its rows must not change under the copy); the move ends with a
//! check that both sides hold as many rows of each table and that the
//! audit log's sealed tree has the same size and root.

use lockbox_shared::tlog::{self, Hash};
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::store::handles::{BOTH_TABLES, TENANT_TABLES};
use crate::store::{Database, DbError, Statement, Tenant, Value};

/// Rows one step copies at most.
pub const MOVE_PAGE: i64 = 200;

/// Where a move stands.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// The table being copied, by its place in [`tables`].
    pub table: usize,
    /// The last row of it copied (its rowid in the source).
    pub after: i64,
    /// Rows copied so far (a repeated step counts its rows again).
    pub copied: u64,
}

/// What a finished move found on both sides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moved {
    /// Rows of each table, the same on both sides.
    pub rows: Vec<(String, u64)>,
    /// The audit log's sealed size and root, the same on both sides.
    pub sealed: u64,
    pub root: String,
}

/// A table to copy, the tenant's rows of it, and whether a copy replaces
/// a row the destination holds already (its settings and people, which
/// the destination may have from before) or keeps it (everything else is
/// only ever appended or is moved once).
struct Table {
    name: &'static str,
    rows: &'static str,
    replace: bool,
}

/// The tables a move copies, parents before children.
fn tables() -> Vec<Table> {
    let both = BOTH_TABLES.iter().map(|(name, rows)| Table {
        name,
        rows,
        replace: true,
    });
    let own = TENANT_TABLES.iter().filter_map(|(name, rows)| {
        rows.map(|rows| Table {
            name,
            rows,
            replace: false,
        })
    });
    both.chain(own).collect()
}

fn value_of(table: &str, column: &str, v: &serde_json::Value) -> Result<Value, DbError> {
    match v {
        serde_json::Value::Null => Ok(Value::Null),
        serde_json::Value::String(s) => Ok(Value::Text(s.clone())),
        serde_json::Value::Number(n) => n
            .as_i64()
            .map(Value::Int)
            .ok_or_else(|| DbError::Corrupt(format!("{table}.{column}: {n} is not an integer"))),
        other => Err(DbError::Corrupt(format!(
            "{table}.{column}: {other} is not a stored value"
        ))),
    }
}

/// Copies the next page of the tenant's rows from `from` (the database
/// that holds every tenant) into `to` (the tenant's own); `None` once
/// every table is copied.
pub async fn step<F: Database, T: Database>(
    from: &Tenant<'_, F>,
    to: &Tenant<'_, T>,
    progress: &Progress,
) -> Result<Option<Progress>, DbError> {
    let tables = tables();
    let Some(table) = tables.get(progress.table) else {
        return Ok(None);
    };
    let rows: Vec<serde_json::Map<String, serde_json::Value>> = from
        .query(Statement::new(
            format!(
                "SELECT rowid AS _moved_rowid, * FROM {} WHERE ({}) AND rowid > ? \
                 ORDER BY rowid LIMIT ?",
                table.name, table.rows
            ),
            vec![
                from.id().as_str().into(),
                progress.after.into(),
                MOVE_PAGE.into(),
            ],
        ))
        .await?;
    let mut next = progress.clone();
    let mut statements = Vec::with_capacity(rows.len());
    for row in &rows {
        let mut columns = Vec::new();
        let mut args = Vec::new();
        for (column, v) in row {
            if column == "_moved_rowid" {
                next.after = v.as_i64().unwrap_or(next.after);
                continue;
            }
            columns.push(column.as_str());
            args.push(value_of(table.name, column, v)?);
        }
        let marks = vec!["?"; columns.len()].join(", ");
        statements.push(Statement::new(
            format!(
                "INSERT OR {} INTO {} ({}) VALUES ({marks})",
                if table.replace { "REPLACE" } else { "IGNORE" },
                table.name,
                columns.join(", ")
            ),
            args,
        ));
    }
    if !statements.is_empty() {
        to.batch(statements).await?;
    }
    next.copied += rows.len() as u64;
    if (rows.len() as i64) < MOVE_PAGE {
        next.table += 1;
        next.after = 0;
    }
    Ok(Some(next))
}

/// How many of the tenant's rows of each table `db` holds.
async fn counts<D: Database>(db: &Tenant<'_, D>) -> Result<Vec<(String, u64)>, DbError> {
    #[derive(Deserialize)]
    struct Count {
        n: i64,
    }
    let mut out = Vec::new();
    for table in tables() {
        let rows: Vec<Count> = db
            .query(Statement::new(
                format!(
                    "SELECT COUNT(*) AS n FROM {} WHERE {}",
                    table.name, table.rows
                ),
                vec![db.id().as_str().into()],
            ))
            .await?;
        out.push((
            table.name.to_owned(),
            rows.first().map_or(0, |c| c.n.max(0) as u64),
        ));
    }
    Ok(out)
}

async fn sealed<D: Database>(db: &Tenant<'_, D>) -> Result<(u64, Hash), AppError> {
    super::tree::sealed_root(db, db.id()).await
}

/// Checks a finished move: both sides hold as many of the tenant's rows
/// of each table, and the same sealed tree (size and root). A difference
/// is an error that names it; the source is left as it was.
pub async fn verify<F: Database, T: Database>(
    from: &Tenant<'_, F>,
    to: &Tenant<'_, T>,
) -> Result<Moved, AppError> {
    let (before, after) = (counts(from).await?, counts(to).await?);
    if let Some(((table, a), (_, b))) = before.iter().zip(&after).find(|(a, b)| a != b) {
        return Err(AppError::Internal(format!(
            "tenant {}: {table} has {a} rows before the move and {b} after",
            from.id()
        )));
    }
    let ((size_a, root_a), (size_b, root_b)) = (sealed(from).await?, sealed(to).await?);
    if (size_a, root_a) != (size_b, root_b) {
        return Err(AppError::Internal(format!(
            "tenant {}: the audit tree is {size_a} records with root {} before the move and \
             {size_b} with root {} after",
            from.id(),
            tlog::hash_text(&root_a),
            tlog::hash_text(&root_b)
        )));
    }
    Ok(Moved {
        rows: after,
        sealed: size_b,
        root: tlog::hash_text(&root_b),
    })
}
