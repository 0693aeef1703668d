//! A whole tenant as JSON lines, signed: what `GET
//! /api/v1/provider/tenants/{id}/export` writes and `lockbox tenant verify`
//! and `lockbox tenant import` read. The first line is a [`Header`]; then
//! one [`Row`] per line, every table of the tenant's (parents before
//! children); the last line an [`End`]: the rows of each table, the
//! SHA-256 of every line before it, the audit log's signed checkpoint,
//! and a signed note over those. A verifier recomputes the audit tree from
//! the records themselves and compares its root with the checkpoint's.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::audit::{Activity, AuditRecord, NewAuditRecord};
use crate::ids::TenantId;
use crate::tlog::{self, KeyRing, MemoryTree, PublishedKey};

/// The `kind` of the first line.
pub const KIND: &str = "lockbox-tenant-export";
/// The format's version.
pub const VERSION: u32 = 1;

/// The tables an export holds rows of, in the order it writes them (the
/// backend's move tables, then the global ones; a backend test keeps the
/// two lists equal). A file naming any other table is refused.
pub const TABLES: [&str; 15] = [
    "tenants",
    "users",
    "customer_roles",
    "access_requests",
    "audit_log",
    "audit_leaves",
    "audit_tree",
    "audit_seal",
    "idempotency_keys",
    "index_outbox",
    "webhook_endpoints",
    "outbox",
    "provider_batches",
    "tenant_services",
    "request_index",
];

/// The first line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// Always [`KIND`].
    pub kind: String,
    /// Always [`VERSION`] for this format.
    pub version: u32,
    /// The deployment that exported it (`<deployment>/audit/<tenant>` is
    /// its log's origin).
    pub deployment: String,
    /// The tenant whose rows follow (every row names it).
    pub tenant_id: String,
    /// When (epoch ms).
    pub exported_at: i64,
}

/// A row of a table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// One of [`TABLES`].
    pub table: String,
    /// Column → value (null, integer or text).
    pub row: serde_json::Map<String, serde_json::Value>,
}

/// The last line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct End {
    /// Rows of each table, in the order written.
    pub rows: Vec<(String, u64)>,
    /// Lowercase hex SHA-256 of every line before this one, each with its
    /// newline.
    pub sha256: String,
    /// The audit log's checkpoint when exported (a signed note); every
    /// record it covers is in the file.
    pub checkpoint: String,
    /// A signed note whose text is [`signed_text`].
    pub signature: String,
}

/// One line of the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Line {
    End { end: End },
    Row(Row),
    Header(Header),
}

/// The text the export's signature covers.
pub fn signed_text(tenant_id: &str, sha256: &str, rows: &[(String, u64)]) -> String {
    let counts = rows
        .iter()
        .map(|(t, n)| format!("{t}={n}"))
        .collect::<Vec<_>>()
        .join(" ");
    format!("{KIND} v{VERSION}\n{tenant_id}\n{sha256}\n{counts}\n")
}

/// A running SHA-256 of lines, as the export writes them.
#[derive(Default, Clone)]
pub struct Digester(Sha256);

impl Digester {
    /// Takes one line (without its newline).
    pub fn line(&mut self, line: &str) {
        self.0.update(line.as_bytes());
        self.0.update(b"\n");
    }

    /// The hex digest so far.
    pub fn hex(&self) -> String {
        self.0
            .clone()
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// What a file that verified holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Verified {
    pub header: Header,
    /// The rows, in the file's order.
    pub rows: Vec<Row>,
    /// The sealed size and root the checkpoint signs.
    pub sealed: u64,
    pub root: tlog::Hash,
    /// The key that signed.
    pub key: PublishedKey,
}

fn text(v: Option<&serde_json::Value>) -> String {
    v.and_then(serde_json::Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn int(v: Option<&serde_json::Value>) -> i64 {
    v.and_then(serde_json::Value::as_i64).unwrap_or_default()
}

/// An `audit_log` row as the record its leaf hashes.
fn record_of(row: &serde_json::Map<String, serde_json::Value>) -> Result<AuditRecord, String> {
    let id = text(row.get("id"));
    let activity = text(row.get("activity"));
    let details: BTreeMap<String, String> = serde_json::from_str(&text(row.get("details")))
        .map_err(|e| format!("audit record {id}: its details are not an object: {e}"))?;
    Ok(AuditRecord {
        seq: int(row.get("seq")),
        occurred_at: int(row.get("occurred_at")),
        record: NewAuditRecord {
            tenant_id: TenantId::parse(&text(row.get("tenant_id")))
                .map_err(|e| format!("audit record {id}: {}", e.message))?,
            ip: text(row.get("ip")),
            user: text(row.get("user")),
            activity: Activity::parse(&activity)
                .ok_or_else(|| format!("audit record {id}: unknown activity {activity:?}"))?,
            item: text(row.get("item")),
            details,
        },
        id,
    })
}

/// Checks an export with the verifier keys `keys` (one per line, or the
/// JSON of `GET /api/v1/keys`): the lines' digest, the signature over it
/// and the row counts, the checkpoint, and that the audit records in the
/// file hash to the checkpoint's root. Every problem is named.
pub fn verify(file: &str, keys: &str) -> Result<Verified, Vec<String>> {
    let ring = KeyRing::parse(keys).map_err(|e| vec![e.0])?;
    let mut problems = Vec::new();
    let mut digest = Digester::default();
    let mut header = None;
    let mut end = None;
    let mut rows = Vec::new();
    let mut counts: Vec<(String, u64)> = Vec::new();
    for (n, line) in file.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        if end.is_some() {
            problems.push(format!("line {} comes after the end line", n + 1));
            break;
        }
        match serde_json::from_str::<Line>(line) {
            Ok(Line::Header(h)) if n == 0 => header = Some(h),
            Ok(Line::Row(row)) if header.is_some() => {
                match counts.last_mut() {
                    Some((t, c)) if *t == row.table => *c += 1,
                    _ => counts.push((row.table.clone(), 1)),
                }
                rows.push(row);
            }
            Ok(Line::End { end: e }) if header.is_some() => {
                end = Some(e);
                continue;
            }
            Ok(_) => problems.push(format!("line {} is out of place", n + 1)),
            Err(e) => problems.push(format!("line {} is not a line of an export: {e}", n + 1)),
        }
        digest.line(line);
    }
    let (Some(header), Some(end)) = (header, end) else {
        problems.push("the file has no header line or no end line: it is cut short".to_owned());
        return Err(problems);
    };
    if header.kind != KIND || header.version != VERSION {
        problems.push(format!(
            "the file is a {:?} version {}, not a {KIND} version {VERSION}",
            header.kind, header.version
        ));
    }
    if digest.hex() != end.sha256 {
        problems.push(
            "the lines do not hash to what the end line says: a line was changed, added or removed"
                .to_owned(),
        );
    }
    let key = match ring.open(&end.signature, "export") {
        Ok((text, key)) => {
            if text != signed_text(&header.tenant_id, &end.sha256, &end.rows) {
                problems.push("the signature is over another export".to_owned());
            }
            Some(key.clone())
        }
        Err(e) => {
            problems.push(e.0);
            None
        }
    };
    // Only the tenant's tables, and only its rows.
    for (n, row) in rows.iter().enumerate() {
        let owner = match row.table.as_str() {
            "tenants" => row.row.get("id"),
            _ => row.row.get("tenant_id"),
        };
        if !TABLES.contains(&row.table.as_str()) {
            problems.push(format!(
                "row {} is of table {:?}, which a tenant's export never holds",
                n + 1,
                row.table
            ));
        } else if owner.is_some_and(|t| t.as_str() != Some(header.tenant_id.as_str())) {
            problems.push(format!(
                "row {} of {} is another tenant's",
                n + 1,
                row.table
            ));
        }
    }
    let non_empty: Vec<(String, u64)> = end.rows.iter().filter(|(_, n)| *n > 0).cloned().collect();
    if non_empty != counts {
        problems.push(format!(
            "the file's rows per table ({counts:?}) are not those the end line counts ({non_empty:?})"
        ));
    }
    let checkpoint = match tlog::open_checkpoint_with(&end.checkpoint, &ring) {
        Ok(c) => Some(c),
        Err(e) => {
            problems.push(e.0);
            None
        }
    };
    let (mut sealed, mut root) = (0, tlog::EMPTY_HASH);
    if let Some(c) = checkpoint {
        let origin = tlog::origin(&header.deployment, &header.tenant_id);
        if c.origin != origin {
            problems.push(format!(
                "the checkpoint is of the log {:?}, not {origin:?}",
                c.origin
            ));
        }
        // The tree of the records themselves, in sequence order.
        let mut records: Vec<AuditRecord> = Vec::new();
        for row in rows.iter().filter(|r| r.table == "audit_log") {
            match record_of(&row.row) {
                Ok(r) => records.push(r),
                Err(why) => problems.push(why),
            }
        }
        records.sort_by_key(|r| r.seq);
        let mut tree = MemoryTree::default();
        for (i, r) in records.iter().enumerate().take(c.size as usize) {
            if r.seq != i as i64 + 1 {
                problems.push(format!("audit record {} is missing", i + 1));
                break;
            }
            if tree.push(tlog::leaf_hash(r)).is_err() {
                problems.push("the records do not make a tree".to_owned());
                break;
            }
        }
        match tree.root_of(c.size) {
            Ok(r) if r == c.root => {}
            _ => problems.push(format!(
                "the {} audit records the checkpoint covers do not hash to its root: a record was changed, removed or added",
                c.size
            )),
        }
        (sealed, root) = (c.size, c.root);
    }
    match key {
        Some(key) if problems.is_empty() => Ok(Verified {
            header,
            rows,
            sealed,
            root,
            key,
        }),
        _ => Err(problems),
    }
}

fn sql_value(v: &serde_json::Value) -> Result<String, String> {
    match v {
        serde_json::Value::Null => Ok("NULL".to_owned()),
        serde_json::Value::Number(n) => n
            .as_i64()
            .map(|n| n.to_string())
            .ok_or_else(|| format!("{n} is not an integer")),
        serde_json::Value::String(s) => Ok(format!("'{}'", s.replace('\'', "''"))),
        other => Err(format!("{other} is not a stored value")),
    }
}

fn plain(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The SQL that puts a verified export into an empty deployment's D1
/// (`wrangler d1 execute <db> --file`): every row, in the file's order,
/// the tenant's data in the shared database (`home` = `database`; it can
/// be moved into its own object afterwards).
pub fn to_sql(verified: &Verified) -> Result<String, String> {
    let mut out = String::from("-- Lockbox tenant restore (lockbox tenant import)\n");
    for row in &verified.rows {
        if !plain(&row.table) || row.row.keys().any(|c| !plain(c)) {
            return Err(format!(
                "table {:?} has a name SQL cannot take plainly",
                row.table
            ));
        }
        let mut values = Vec::with_capacity(row.row.len());
        for (column, v) in &row.row {
            values.push(if row.table == "tenants" && column == "home" {
                "'database'".to_owned()
            } else {
                sql_value(v).map_err(|why| format!("{}.{column}: {why}", row.table))?
            });
        }
        out.push_str(&format!(
            "INSERT INTO {} ({}) VALUES ({});\n",
            row.table,
            row.row.keys().cloned().collect::<Vec<_>>().join(", "),
            values.join(", ")
        ));
    }
    Ok(out)
}
