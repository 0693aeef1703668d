//! Moving one tenant's rows out of the database that holds every tenant
//! (the single-D1 layout) into the tenant's own, in steps that can stop
//! anywhere and start again: each step copies one page of one table in
//! one transaction, and copying a row twice keeps the first copy, so a
//! step that is repeated after a crash changes nothing. What a step
//! returns says where the next starts. The tenant's writes wait while it
//! moves (its rows must not change under the copy); the move ends with a
//! check that both sides hold as many rows of each table and that the
//! audit log's sealed tree has the same size and root.

use lockbox_shared::api::TenantMove;
use lockbox_shared::integration::ProviderActivity;
use lockbox_shared::tlog::{self, Hash};
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::store::handles::{set_home, Home, BOTH_TABLES, TENANT_TABLES};
use crate::store::{Database, DbError, Global, Statement, Tenant, Value};

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

/// The tables whose rows never change once written (their triggers
/// refuse it): a copy keeps a row the destination holds already, which is
/// the same row. A copy of any other row replaces the destination's, which
/// may be left from a move that failed its check and started again.
pub const APPEND_ONLY: [&str; 3] = ["audit_log", "audit_leaves", "audit_tree"];

/// A table to copy, the tenant's rows of it, and whether a copy replaces
/// a row the destination holds already.
struct Table {
    name: &'static str,
    rows: &'static str,
    replace: bool,
}

/// The tables a move copies (and an export writes), parents before
/// children: each table's name and which of its rows are the tenant's.
pub fn tenant_tables() -> Vec<(&'static str, &'static str)> {
    tables().into_iter().map(|t| (t.name, t.rows)).collect()
}

/// Up to `limit` of the tenant's rows of table `name` (whose rows of the
/// tenant's are `rows`) after rowid `after`, in rowid order, each with its
/// rowid as `_moved_rowid`.
pub fn page(name: &str, rows: &str, tenant: &str, after: i64, limit: i64) -> Statement {
    Statement::new(
        format!(
            "SELECT rowid AS _moved_rowid, * FROM {name} WHERE ({rows}) AND rowid > ? \
             ORDER BY rowid LIMIT ?"
        ),
        vec![tenant.into(), after.into(), limit.into()],
    )
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
            replace: !APPEND_ONLY.contains(name),
        })
    });
    both.chain(own).collect()
}

/// What a move deletes from the destination before it copies: the rows of
/// the tenant's tables that may change or go (children first), so that
/// nothing is left there from an earlier attempt that the source has
/// since changed or dropped. Append-only rows are the same in any copy,
/// and `audit_seal` only grows (its copy replaces it).
pub fn clear() -> Vec<Statement> {
    TENANT_TABLES
        .iter()
        .rev()
        .map(|(name, _)| *name)
        .filter(|name| !APPEND_ONLY.contains(name) && *name != "audit_seal")
        .map(|name| Statement::new(format!("DELETE FROM {name}"), vec![]))
        .collect()
}

/// Rows one clearing statement deletes at most.
pub const CLEAR_PAGE: i64 = 500;

/// Reads which of its own tables in `from` (the database that holds
/// every tenant) still hold a moved tenant's rows, then deletes up to
/// `max_steps - 1` pages of them, children first and newest first, so no
/// row is deleted before a row that refers to it; returns whether rows
/// remain. (The database refuses to delete an
/// audit row of a tenant whose home is not its object.) The directory's
/// rows (the tenant, its people and their roles) stay.
pub async fn clear_moved<F: Database>(
    from: &Tenant<'_, F>,
    max_steps: u32,
) -> Result<bool, DbError> {
    let tables: Vec<(&str, &str)> = TENANT_TABLES
        .iter()
        .rev()
        .filter_map(|(name, rows)| rows.map(|rows| (*name, rows)))
        .collect();
    // Which of them still hold rows of the tenant's, in one read.
    let probe = Statement::new(
        format!(
            "SELECT {}",
            tables
                .iter()
                .map(|(name, rows)| format!(
                    "EXISTS (SELECT 1 FROM {name} WHERE ({rows})) AS {name}"
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        tables.iter().map(|_| from.id().as_str().into()).collect(),
    );
    let held: Vec<serde_json::Map<String, serde_json::Value>> = from.query(probe).await?;
    let held = held.into_iter().next().unwrap_or_default();
    let mut steps = 1;
    for (name, rows) in tables {
        if held.get(name).and_then(serde_json::Value::as_i64) != Some(1) {
            continue;
        }
        loop {
            if steps >= max_steps {
                return Ok(true);
            }
            let deleted = from
                .batch(vec![Statement::new(
                    format!(
                        "DELETE FROM {name} WHERE rowid IN (SELECT rowid FROM {name} \
                         WHERE ({rows}) ORDER BY rowid DESC LIMIT ?)"
                    ),
                    vec![from.id().as_str().into(), CLEAR_PAGE.into()],
                )])
                .await?;
            steps += 1;
            if deleted.first().map_or(0, |n| *n as i64) < CLEAR_PAGE {
                break;
            }
        }
    }
    Ok(false)
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
        .query(page(
            table.name,
            table.rows,
            from.id().as_str(),
            progress.after,
            MOVE_PAGE,
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

/// How long a move waits after marking a tenant moving before it copies
/// (every isolate has read the mark by then, and no call that began
/// before it is still writing): [`crate::store::d1::MOVE_GRACE_MS`].
pub use crate::store::d1::MOVE_GRACE_MS;

#[derive(Deserialize)]
struct MoveRow {
    home: String,
    marked_at: Option<i64>,
    progress: Option<String>,
    sealed: Option<i64>,
    root: Option<String>,
}

fn table_name(progress: &Progress) -> Option<String> {
    tables().get(progress.table).map(|t| t.name.to_owned())
}

fn progress_of(raw: Option<&str>) -> Result<Progress, AppError> {
    match raw {
        None => Ok(Progress::default()),
        Some(raw) => serde_json::from_str(raw)
            .map_err(|e| AppError::Internal(format!("a move's saved progress: {e}"))),
    }
}

fn save(tenant: &str, progress: &Progress) -> Result<Statement, AppError> {
    let text = serde_json::to_string(progress).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Statement::new(
        "UPDATE tenant_moves SET progress = ? WHERE tenant_id = ? AND finished_at IS NULL",
        vec![text.into(), tenant.into()],
    ))
}

/// Moves tenant `from`'s data a step further into its own database `to`
/// (the directory, the tenant's rows where every tenant's are, its own
/// database), as of `now`, in at most `max_steps` copy steps; returns
/// where the move stands. A tenant whose data is where every tenant's is
/// gets marked moving (its calls wait from then on) and is copied from
/// [`MOVE_GRACE_MS`] later; the copy resumes from its saved progress; the
/// last call checks both sides ([`verify`]) and makes the tenant's own
/// database its home, or, when they differ, leaves its data where it was
/// and says why. Calling again once moved changes nothing.
pub async fn advance<G: Database, F: Database, T: Database>(
    global: &Global<'_, G>,
    from: &Tenant<'_, F>,
    to: &Tenant<'_, T>,
    now: i64,
    max_steps: u32,
    user: &str,
) -> Result<TenantMove, AppError> {
    let tenant = from.id().as_str();
    let rows: Vec<MoveRow> = global
        .query(Statement::new(
            "SELECT t.home, m.marked_at, m.progress, m.sealed, m.root FROM tenants t \
             LEFT JOIN tenant_moves m ON m.tenant_id = t.id WHERE t.id = ?",
            vec![tenant.into()],
        ))
        .await?;
    let row = rows.into_iter().next().ok_or_else(|| AppError::Missing {
        what: format!("The tenant {tenant}"),
    })?;
    let answer = |home: Home, progress: &Progress, copying_from: Option<i64>| TenantMove {
        tenant_id: tenant.to_owned(),
        home: home.as_str().to_owned(),
        copying_from,
        copied: progress.copied,
        table: table_name(progress),
        sealed: None,
        root: None,
        clearing: false,
    };
    match Home::parse(&row.home) {
        Some(Home::Object) => {
            // What is left of the tenant where every tenant's is goes.
            let clearing = clear_moved(from, max_steps.max(2)).await?;
            return Ok(TenantMove {
                sealed: row.sealed.map(|s| s.max(0) as u64),
                root: row.root,
                clearing,
                ..answer(Home::Object, &progress_of(row.progress.as_deref())?, None)
            });
        }
        Some(Home::Database) => {
            let start = Progress::default();
            let text =
                serde_json::to_string(&start).map_err(|e| AppError::Internal(e.to_string()))?;
            global
                .batch(vec![
                    set_home(tenant, Home::Database, Home::Moving),
                    Statement::new(
                        "INSERT OR REPLACE INTO tenant_moves (tenant_id, marked_at, progress) \
                         VALUES (?, ?, ?)",
                        vec![tenant.into(), now.into(), text.into()],
                    ),
                ])
                .await?;
            return Ok(answer(Home::Moving, &start, Some(now + MOVE_GRACE_MS)));
        }
        _ => {}
    }
    let marked_at = row.marked_at.unwrap_or(now);
    let mut progress = progress_of(row.progress.as_deref())?;
    if now < marked_at + MOVE_GRACE_MS {
        return Ok(answer(
            Home::Moving,
            &progress,
            Some(marked_at + MOVE_GRACE_MS),
        ));
    }
    if progress == Progress::default() {
        to.batch(clear()).await?;
    }
    let mut done = false;
    let mut taken = 0;
    while taken < max_steps {
        taken += 1;
        match step(from, to, &progress).await? {
            Some(next) => progress = next,
            None => {
                done = true;
                break;
            }
        }
        if taken % 10 == 0 {
            global.batch(vec![save(tenant, &progress)?]).await?;
        }
    }
    global.batch(vec![save(tenant, &progress)?]).await?;
    if !done {
        return Ok(answer(
            Home::Moving,
            &progress,
            Some(marked_at + MOVE_GRACE_MS),
        ));
    }
    let moved = match verify(from, to).await {
        Ok(moved) => moved,
        Err(err) => {
            // The tenant's data stays where it was, which nothing changed
            // while it was marked: its calls go on there.
            global
                .batch(vec![
                    set_home(tenant, Home::Moving, Home::Database),
                    Statement::new(
                        "DELETE FROM tenant_moves WHERE tenant_id = ?",
                        vec![tenant.into()],
                    ),
                ])
                .await?;
            return Err(err);
        }
    };
    let details = std::collections::BTreeMap::from([
        (
            "Rows".to_owned(),
            moved.rows.iter().map(|(_, n)| n).sum::<u64>().to_string(),
        ),
        ("SealedSize".to_owned(), moved.sealed.to_string()),
        ("Root".to_owned(), moved.root.clone()),
    ]);
    global
        .batch(vec![
            set_home(tenant, Home::Moving, Home::Object),
            Statement::new(
                "UPDATE tenant_moves SET finished_at = ?, sealed = ?, root = ? WHERE tenant_id = ?",
                vec![
                    now.into(),
                    (moved.sealed as i64).into(),
                    moved.root.clone().into(),
                    tenant.into(),
                ],
            ),
            crate::store::services::log(
                ProviderActivity::MoveTenant,
                tenant,
                user,
                &details,
                now,
                None,
            ),
        ])
        .await?;
    // Its rows where every tenant's are go, in what is left of this call.
    // (A read, and a page deleted at least, or the next call's.)
    let left = max_steps.saturating_sub(taken);
    let clearing = left < 2 || clear_moved(from, left).await?;
    Ok(TenantMove {
        sealed: Some(moved.sealed),
        root: Some(moved.root),
        clearing,
        ..answer(Home::Object, &progress, None)
    })
}
