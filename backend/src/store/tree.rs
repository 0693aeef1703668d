//! The stored side of each tenant's audit Merkle tree: its stored hashes,
//! its leaf hashes and its sealed size. The hashing is `lockbox_shared::tlog`.

use std::collections::HashMap;

use lockbox_shared::ids::TenantId;
use lockbox_shared::tlog::{self, Hash};
use serde::Deserialize;

use super::db::{first, Database, DbError, Statement};

/// How many records of `tenant` are sealed into its tree.
pub async fn sealed_size<D: Database>(db: &D, tenant: &TenantId) -> Result<u64, DbError> {
    #[derive(Deserialize)]
    struct Row {
        size: i64,
    }
    let row: Option<Row> = first(
        db,
        Statement::new(
            "SELECT size FROM audit_seal WHERE tenant_id = ?",
            vec![tenant.as_str().into()],
        ),
    )
    .await?;
    Ok(row.map_or(0, |r| r.size.max(0) as u64))
}

/// The stored hashes of `tenant` at `indexes` (all must exist).
pub async fn read<D: Database>(
    db: &D,
    tenant: &TenantId,
    indexes: &[u64],
) -> Result<HashMap<u64, Hash>, DbError> {
    if indexes.is_empty() {
        return Ok(HashMap::new());
    }
    #[derive(Deserialize)]
    struct Row {
        idx: i64,
        hash: String,
    }
    // One JSON array, not one parameter per index: D1 binds at most 100.
    let list = serde_json::to_string(indexes).unwrap_or_else(|_| "[]".to_owned());
    let rows: Vec<Row> = db
        .query(Statement::new(
            "SELECT idx, hash FROM audit_tree WHERE tenant_id = ? \
             AND idx IN (SELECT value FROM json_each(?))",
            vec![tenant.as_str().into(), list.into()],
        ))
        .await?;
    let mut out = HashMap::with_capacity(rows.len());
    for row in rows {
        let hash = tlog::parse_hash(&row.hash)
            .ok_or_else(|| DbError::Corrupt(format!("audit tree hash {} of {tenant}", row.idx)))?;
        out.insert(row.idx as u64, hash);
    }
    if let Some(missing) = indexes.iter().find(|i| !out.contains_key(i)) {
        return Err(DbError::Corrupt(format!(
            "audit tree of {tenant} lacks stored hash {missing}"
        )));
    }
    Ok(out)
}

/// The writes that seal records `old_size + 1 ..= new_size` of `tenant`:
/// their stored hashes and leaf hashes (inserted unless present: the same
/// leaves always give the same hashes, so two sealers racing agree), and
/// the sealed size, moved only from `old_size` (compare-and-set).
pub fn seal(
    tenant: &TenantId,
    old_size: u64,
    new_size: u64,
    stored: &[(u64, Hash)],
    leaves: &[(u64, Hash)],
) -> Vec<Statement> {
    let pairs = |items: &[(u64, Hash)]| {
        let list: Vec<(u64, String)> = items
            .iter()
            .map(|(i, h)| (*i, tlog::hash_text(h)))
            .collect();
        serde_json::to_string(&list).unwrap_or_else(|_| "[]".to_owned())
    };
    vec![
        Statement::new(
            "INSERT OR IGNORE INTO audit_tree (tenant_id, idx, hash) \
             SELECT ?, json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?)",
            vec![tenant.as_str().into(), pairs(stored).into()],
        ),
        Statement::new(
            "INSERT OR IGNORE INTO audit_leaves (tenant_id, seq, leaf_hash) \
             SELECT ?, json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?)",
            vec![tenant.as_str().into(), pairs(leaves).into()],
        ),
        Statement::new(
            "INSERT INTO audit_seal (tenant_id, size) VALUES (?, ?) \
             ON CONFLICT (tenant_id) DO UPDATE SET size = excluded.size WHERE audit_seal.size = ?",
            vec![
                tenant.as_str().into(),
                (new_size as i64).into(),
                (old_size as i64).into(),
            ],
        ),
    ]
}

/// The tenants whose logs hold records not yet sealed, at most `limit`.
pub fn tenants_to_seal(limit: i64) -> Statement {
    Statement::new(
        format!(
            "SELECT t.id AS tenant_id FROM tenants t WHERE {} \
         AND COALESCE((SELECT MAX(seq) FROM audit_log a WHERE a.tenant_id = t.id), 0) \
             > COALESCE((SELECT size FROM audit_seal s WHERE s.tenant_id = t.id), 0) \
         ORDER BY t.id LIMIT ?",
            super::handles::held_here("t.id")
        ),
        vec![limit.into()],
    )
}
