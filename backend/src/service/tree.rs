//! Sealing each tenant's audit log into its Merkle tree, and what the
//! tree proves: signed checkpoints, inclusion and consistency proofs.
//!
//! The tree's functions read stored hashes synchronously; D1 is async. So
//! each one runs twice: first over a reader that notes which stored hashes
//! it asks for (the set depends only on the sizes), then, once those are
//! fetched, for real.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};

use lockbox_shared::api::{ConsistencyProof, InclusionProof};
use lockbox_shared::audit::AuditRecord;
use lockbox_shared::ids::TenantId;
use lockbox_shared::policy::{authorize, Action, Denied};
use lockbox_shared::roles::Principal;
use lockbox_shared::tlog::{self, Hash, HashReader, SigningKey, TlogError, TreeError};

use crate::error::AppError;
use crate::store::{audit, tree, Database, DbError, Stores};

/// How many records one sealing step hashes (one read, one write batch).
pub const SEAL_STEP: i64 = 500;

/// A reader over known stored hashes that notes every other index asked
/// for (and answers it with a placeholder).
#[derive(Default)]
struct Recorder {
    known: HashMap<u64, Hash>,
    missing: RefCell<BTreeSet<u64>>,
}

impl HashReader for Recorder {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, TreeError> {
        Ok(indexes
            .iter()
            .map(|i| match self.known.get(i) {
                Some(h) => *h,
                None => {
                    self.missing.borrow_mut().insert(*i);
                    Hash::default()
                }
            })
            .collect())
    }
}

fn tree_error(e: TlogError) -> AppError {
    AppError::Internal(format!("audit tree: {e}"))
}

/// Runs `f` over the stored hashes of `tenant` it needs: once to learn
/// which, then with them fetched.
async fn with_hashes<D: Database, T>(
    db: &D,
    tenant: &TenantId,
    mut known: HashMap<u64, Hash>,
    f: impl Fn(&Recorder) -> Result<T, TlogError>,
) -> Result<T, AppError> {
    let probe = Recorder {
        known: known.clone(),
        ..Recorder::default()
    };
    // The first run's result is built on placeholders; only the indexes count.
    let _ = f(&probe);
    let missing: Vec<u64> = probe.missing.into_inner().into_iter().collect();
    known.extend(tree::read(db, tenant, &missing).await?);
    let reader = Recorder {
        known,
        ..Recorder::default()
    };
    let result = f(&reader).map_err(tree_error)?;
    if !reader.missing.borrow().is_empty() {
        return Err(AppError::Internal(
            "audit tree: a stored hash was asked for that the first pass did not ask for".into(),
        ));
    }
    Ok(result)
}

/// Seals up to `SEAL_STEP` more records of `tenant`; returns the sealed
/// size after the step and whether records remain unsealed.
pub async fn seal_step<D: Database>(db: &D, tenant: &TenantId) -> Result<(u64, bool), AppError> {
    let size = tree::sealed_size(db, tenant).await?;
    let records = audit::select(db, audit::after(tenant, size as i64, SEAL_STEP + 1)).await?;
    let more = records.len() as i64 > SEAL_STEP;
    let records: Vec<AuditRecord> = records.into_iter().take(SEAL_STEP as usize).collect();
    if records.is_empty() {
        return Ok((size, false));
    }
    for (k, r) in records.iter().enumerate() {
        if r.seq != size as i64 + 1 + k as i64 {
            return Err(DbError::Corrupt(format!(
                "the audit log of {tenant} has no record {} (found {} after the sealed {size})",
                size + 1 + k as u64,
                r.seq
            ))
            .into());
        }
    }
    let leaves: Vec<Hash> = records.iter().map(tlog::leaf_hash).collect();
    // Every stored hash the new leaves add, by index.
    let added = with_hashes(db, tenant, HashMap::new(), |reader| {
        let mut overlay = Overlay {
            base: reader,
            new: HashMap::new(),
        };
        let mut out = Vec::new();
        for (k, leaf) in leaves.iter().enumerate() {
            let n = size + k as u64;
            let hashes = tlog::append(n, *leaf, &overlay)?;
            let start = tlog::stored_hash_index(0, n);
            for (j, h) in hashes.into_iter().enumerate() {
                overlay.new.insert(start + j as u64, h);
                out.push((start + j as u64, h));
            }
        }
        Ok(out)
    })
    .await?;
    let new_size = size + leaves.len() as u64;
    let leaf_rows: Vec<(u64, Hash)> = leaves
        .iter()
        .enumerate()
        .map(|(k, h)| (size + 1 + k as u64, *h))
        .collect();
    db.batch(tree::seal(tenant, size, new_size, &added, &leaf_rows))
        .await?;
    Ok((new_size, more))
}

/// The stored hashes a sealing step has computed so far, over the tree.
struct Overlay<'a> {
    base: &'a Recorder,
    new: HashMap<u64, Hash>,
}

impl HashReader for Overlay<'_> {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, TreeError> {
        indexes
            .iter()
            .map(|i| match self.new.get(i) {
                Some(h) => Ok(*h),
                None => self
                    .base
                    .read_hashes(&[*i])
                    .and_then(|v| v.first().copied().ok_or(TreeError::IndexesNotInTree)),
            })
            .collect()
    }
}

/// Seals `tenant`'s log in at most `steps` steps; returns the sealed size.
pub async fn seal<D: Database>(db: &D, tenant: &TenantId, steps: u32) -> Result<u64, AppError> {
    let mut size = 0;
    for _ in 0..steps {
        let (sealed, more) = seal_step(db, tenant).await?;
        size = sealed;
        if !more {
            break;
        }
    }
    Ok(size)
}

/// The scheduled job's part: one step for each tenant with unsealed
/// records, at most `tenants` of them. Returns how many steps ran. (The
/// one scan across tenants' logs left: it goes once leaves are hashed at
/// append, in the tenant's own write.)
pub async fn seal_due<S: Stores>(stores: &S, tenants: i64) -> Result<usize, AppError> {
    #[derive(serde::Deserialize)]
    struct Row {
        tenant_id: String,
    }
    let rows: Vec<Row> = stores
        .global()
        .query(tree::tenants_to_seal(tenants))
        .await?;
    let mut steps = 0;
    for row in rows {
        let tenant = TenantId::parse(&row.tenant_id).map_err(AppError::invalid)?;
        seal_step(&stores.tenant(tenant.clone()), &tenant).await?;
        steps += 1;
    }
    Ok(steps)
}

/// The root of `tenant`'s tree of `size` records.
async fn root<D: Database>(db: &D, tenant: &TenantId, size: u64) -> Result<Hash, AppError> {
    with_hashes(db, tenant, HashMap::new(), |r| tlog::root(size, r)).await
}

/// The size of `tenant`'s sealed tree and its root: what a checkpoint
/// signs, read without sealing more.
pub async fn sealed_root<D: Database>(db: &D, tenant: &TenantId) -> Result<(u64, Hash), AppError> {
    let size = tree::sealed_size(db, tenant).await?;
    Ok((size, root(db, tenant, size).await?))
}

/// The inclusion proofs of leaves `indexes` in `tenant`'s tree of `size`
/// records, and that tree's root, from one read of stored hashes.
pub async fn proofs<D: Database>(
    db: &D,
    tenant: &TenantId,
    size: u64,
    indexes: &[u64],
) -> Result<(Vec<Vec<Hash>>, Hash), AppError> {
    with_hashes(db, tenant, HashMap::new(), |r| {
        let proofs = indexes
            .iter()
            .map(|index| tlog::inclusion_proof(size, *index, r))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((proofs, tlog::root(size, r)?))
    })
    .await
}

/// How many steps a report may seal to reach its end record (the rest is
/// left to the scheduled job; the report is asked for again).
pub const REPORT_STEPS: u32 = CHECKPOINT_STEPS;

/// The caller's tenant, if they may see its log.
fn tenant_of(principal: &Principal) -> Result<TenantId, AppError> {
    authorize(principal, Action::SearchAudit, principal.tenant())?;
    Ok(principal.tenant().ok_or(Denied::OtherTenant)?.clone())
}

/// How many steps a checkpoint may seal before it is signed (the rest is
/// left to the scheduled job and the next checkpoint).
/// Ten steps are about 40 database calls: within the 50 a Worker
/// invocation may make on the free plan, with room for the rest.
const CHECKPOINT_STEPS: u32 = 10;

/// The caller's tenant's log, sealed, as a signed checkpoint.
pub async fn checkpoint<S: Stores>(
    stores: &S,
    principal: &Principal,
    key: &SigningKey,
    deployment: &str,
) -> Result<String, AppError> {
    let tenant = tenant_of(principal)?;
    let db = &stores.tenant(tenant.clone());
    let size = seal(db, &tenant, CHECKPOINT_STEPS).await?;
    let root = root(db, &tenant, size).await?;
    key.sign_checkpoint(&tlog::origin(deployment, tenant.as_str()), size, root)
        .map_err(tree_error)
}

/// The inclusion proof of record `seq` of the caller's tenant in its tree
/// of `size` records (the sealed size when `None`).
pub async fn inclusion<S: Stores>(
    stores: &S,
    principal: &Principal,
    seq: i64,
    size: Option<u64>,
) -> Result<InclusionProof, AppError> {
    let tenant = tenant_of(principal)?;
    let db = &stores.tenant(tenant.clone());
    let sealed = tree::sealed_size(db, &tenant).await?;
    let size = size.unwrap_or(sealed);
    if size > sealed {
        return Err(AppError::bad_request(format!(
            "`size` must be at most {sealed}, the records sealed so far."
        )));
    }
    if seq < 1 || seq as u64 > size {
        return Err(AppError::bad_request(format!(
            "Record {seq} is not in the tree of {size} records; ask for a larger `size` once it is sealed."
        )));
    }
    let record = audit::select(db, audit::at(&tenant, seq))
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::Missing {
            what: format!("Audit record {seq}"),
        })?;
    let index = seq as u64 - 1;
    let (proof, root) = with_hashes(db, &tenant, HashMap::new(), |r| {
        Ok((tlog::inclusion_proof(size, index, r)?, tlog::root(size, r)?))
    })
    .await?;
    Ok(InclusionProof {
        record_id: record.id.clone(),
        seq,
        leaf_index: index,
        tree_size: size,
        leaf_hash: tlog::hash_text(&tlog::leaf_hash(&record)),
        root: tlog::hash_text(&root),
        proof: proof.iter().map(tlog::hash_text).collect(),
    })
}

/// The proof that the caller's tenant's tree of `to` records extends its
/// tree of `from` records.
pub async fn consistency<S: Stores>(
    stores: &S,
    principal: &Principal,
    from: u64,
    to: Option<u64>,
) -> Result<ConsistencyProof, AppError> {
    let tenant = tenant_of(principal)?;
    let db = &stores.tenant(tenant.clone());
    let sealed = tree::sealed_size(db, &tenant).await?;
    let to = to.unwrap_or(sealed);
    if to > sealed || from > to {
        return Err(AppError::bad_request(format!(
            "Give 0 ≤ `from` ≤ `to` ≤ {sealed} (the records sealed so far)."
        )));
    }
    let (proof, old_root, new_root) = with_hashes(db, &tenant, HashMap::new(), |r| {
        Ok((
            tlog::consistency_proof(to, from, r)?,
            tlog::root(from, r)?,
            tlog::root(to, r)?,
        ))
    })
    .await?;
    Ok(ConsistencyProof {
        from,
        to,
        from_root: tlog::hash_text(&old_root),
        to_root: tlog::hash_text(&new_root),
        proof: proof.iter().map(tlog::hash_text).collect(),
    })
}
