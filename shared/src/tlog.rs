//! Tamper evidence for a tenant's audit log: each record is a leaf of an
//! RFC 6962 Merkle tree (leaf `n` is the record with sequence number
//! `n + 1`), and the tree's size and root are published as a C2SP
//! `tlog-checkpoint` in a C2SP `signed-note` signed with Ed25519.
//!
//! The hashing, tree and note formats are the `tlog_tiles` and
//! `signed_note` crates'; this module fixes the leaf encoding and the
//! names, and is the one implementation the Worker and the `lockbox`
//! command-line verifier share.

use base64::prelude::{Engine, BASE64_STANDARD};
use serde::{Deserialize, Serialize};
use signed_note::{Note, StandardSigner, StandardVerifier, VerifierList};
use tlog_tiles::Checkpoint;
pub use tlog_tiles::{Error as TreeError, Hash, HashReader, EMPTY_HASH};

use crate::audit::AuditRecord;

/// The canonical encoding of a record's leaf: every field, in this order,
/// as compact JSON (details sorted by key). Version 1.
#[derive(Serialize)]
struct Leaf<'a> {
    v: u8,
    tenant_id: &'a str,
    seq: i64,
    id: &'a str,
    occurred_at: i64,
    ip: &'a str,
    user: &'a str,
    activity: &'a str,
    item: &'a str,
    details: &'a std::collections::BTreeMap<String, String>,
}

/// The bytes a record's leaf hash is computed over.
pub fn leaf_bytes(r: &AuditRecord) -> Vec<u8> {
    let leaf = Leaf {
        v: 1,
        tenant_id: r.record.tenant_id.as_str(),
        seq: r.seq,
        id: &r.id,
        occurred_at: r.occurred_at,
        ip: &r.record.ip,
        user: &r.record.user,
        activity: r.record.activity.as_str(),
        item: &r.record.item,
        details: &r.record.details,
    };
    // A struct of strings and integers always serialises.
    serde_json::to_vec(&leaf).unwrap_or_default()
}

/// The record's leaf hash: SHA-256(0x00 ‖ leaf bytes).
pub fn leaf_hash(r: &AuditRecord) -> Hash {
    tlog_tiles::record_hash(&leaf_bytes(r))
}

/// A hash as text (standard base64), as stored and served.
pub fn hash_text(h: &Hash) -> String {
    h.to_string()
}

/// A hash from its text.
pub fn parse_hash(s: &str) -> Option<Hash> {
    Hash::parse_hash(s.trim()).ok()
}

/// Where record `n` (0-based leaf index) and the tree's other stored
/// hashes live: the tlog layout, about two stored hashes per leaf.
pub fn stored_hash_index(level: u8, n: u64) -> u64 {
    tlog_tiles::stored_hash_index(level, n)
}

/// The stored hashes that appending leaf `n` with hash `leaf` adds, to be
/// stored from `stored_hash_index(0, n)` on; `reader` must hold the tree's
/// right edge.
pub fn append(n: u64, leaf: Hash, reader: &impl HashReader) -> Result<Vec<Hash>, TlogError> {
    Ok(tlog_tiles::stored_hashes_for_record_hash(n, leaf, reader)?)
}

/// The root of the first `size` leaves.
pub fn root(size: u64, reader: &impl HashReader) -> Result<Hash, TlogError> {
    Ok(tlog_tiles::tree_hash(size, reader)?)
}

/// The inclusion proof of leaf `index` in the tree of `size` leaves.
pub fn inclusion_proof(
    size: u64,
    index: u64,
    reader: &impl HashReader,
) -> Result<Vec<Hash>, TlogError> {
    Ok(tlog_tiles::prove_record(size, index, reader)?)
}

/// Whether `proof` shows leaf `index` with hash `leaf` in the tree of
/// `size` leaves with root `root`.
pub fn check_inclusion(proof: &[Hash], size: u64, root: Hash, index: u64, leaf: Hash) -> bool {
    index < size && tlog_tiles::check_record(&proof.to_vec(), size, root, index, leaf).is_ok()
}

/// The consistency proof that the tree of `new` leaves extends the tree
/// of `old` leaves (empty when `old` is 0 or equals `new`).
pub fn consistency_proof(
    new: u64,
    old: u64,
    reader: &impl HashReader,
) -> Result<Vec<Hash>, TlogError> {
    if old == 0 || old == new {
        return Ok(Vec::new());
    }
    Ok(tlog_tiles::prove_tree(new, old, reader)?)
}

/// Whether `proof` shows that the tree (`new`, `new_root`) extends the
/// tree (`old`, `old_root`).
pub fn check_consistency(
    proof: &[Hash],
    new: u64,
    new_root: Hash,
    old: u64,
    old_root: Hash,
) -> bool {
    match old {
        0 => proof.is_empty() && old_root == EMPTY_HASH,
        _ if old == new => proof.is_empty() && old_root == new_root,
        _ if old > new => false,
        _ => tlog_tiles::check_tree(&proof.to_vec(), new, new_root, old, old_root).is_ok(),
    }
}

/// A whole tree in memory: every stored hash, in index order. The
/// verifier builds one from an export's leaves; tests use it as truth.
#[derive(Debug, Clone, Default)]
pub struct MemoryTree {
    hashes: Vec<Hash>,
    size: u64,
}

impl HashReader for MemoryTree {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, TreeError> {
        indexes
            .iter()
            .map(|&i| {
                self.hashes
                    .get(i as usize)
                    .copied()
                    .ok_or(TreeError::IndexesNotInTree)
            })
            .collect()
    }
}

impl MemoryTree {
    /// Appends one leaf.
    pub fn push(&mut self, leaf: Hash) -> Result<(), TlogError> {
        let added = append(self.size, leaf, self)?;
        self.hashes.extend(added);
        self.size += 1;
        Ok(())
    }

    /// How many leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The root of the first `size` leaves.
    pub fn root_of(&self, size: u64) -> Result<Hash, TlogError> {
        root(size, self)
    }
}

/// Why a tree or note operation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlogError(pub String);

impl std::fmt::Display for TlogError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<TreeError> for TlogError {
    fn from(e: TreeError) -> Self {
        TlogError(format!("tree: {e}"))
    }
}

/// The origin line of a tenant's checkpoints: `<deployment>/audit/<tenant>`.
pub fn origin(deployment: &str, tenant_id: &str) -> String {
    format!("{deployment}/audit/{tenant_id}")
}

/// The name of a deployment's audit signing key: `<deployment>/audit`.
pub fn key_name(deployment: &str) -> String {
    format!("{deployment}/audit")
}

/// A deployment's Ed25519 key for signing checkpoints.
#[derive(Clone)]
pub struct SigningKey {
    name: String,
    key: ed25519_dalek::SigningKey,
}

impl SigningKey {
    /// The key of `deployment` from its 32-byte seed (base64), as the
    /// Worker secret `AUDIT_SIGNING_KEY` holds it.
    pub fn from_seed_base64(deployment: &str, seed: &str) -> Result<Self, TlogError> {
        let bytes = BASE64_STANDARD
            .decode(seed.trim())
            .map_err(|_| TlogError("the signing key is not base64".into()))?;
        let seed: [u8; 32] = bytes
            .try_into()
            .map_err(|_| TlogError("the signing key must be 32 bytes".into()))?;
        Ok(Self {
            name: key_name(deployment),
            key: ed25519_dalek::SigningKey::from_bytes(&seed),
        })
    }

    /// The verifier key a customer checks checkpoints with:
    /// `<name>+<key id>+<base64(0x01 ‖ public key)>`.
    pub fn verifier_key(&self) -> String {
        signed_note::new_ed25519_verifier_key(&self.name, &self.key.verifying_key())
    }

    /// `<name>+<key id>`: what the signature lines of its notes name.
    pub fn key_id(&self) -> String {
        let mut public = vec![0x01];
        public.extend(self.key.verifying_key().to_bytes());
        format!(
            "{}+{:08x}",
            self.name,
            signed_note::key_id(&self.name, &public)
        )
    }

    /// The signed checkpoint of a tree of `size` leaves with root `root`.
    pub fn sign_checkpoint(
        &self,
        origin: &str,
        size: u64,
        root: Hash,
    ) -> Result<String, TlogError> {
        let body = Checkpoint::new(origin, size, root, "")
            .map_err(|e| TlogError(format!("checkpoint: {e:?}")))?
            .to_bytes();
        self.sign_text(&body)
    }

    /// `text` (UTF-8, ending in a newline) as a C2SP signed note signed
    /// with this key: checkpoints, and decision receipts.
    pub fn sign_text(&self, text: &[u8]) -> Result<String, TlogError> {
        let mut public = vec![0x01];
        public.extend(self.key.verifying_key().to_bytes());
        let id = signed_note::key_id(&self.name, &public);
        let mut private = vec![0x01];
        private.extend(self.key.to_bytes());
        let skey = format!(
            "PRIVATE+KEY+{}+{id:08x}+{}",
            self.name,
            BASE64_STANDARD.encode(private)
        );
        let signer = StandardSigner::new(&skey).map_err(|e| TlogError(format!("signer: {e:?}")))?;
        let mut note = Note::new(text, &[]).map_err(|e| TlogError(format!("note: {e:?}")))?;
        note.add_sigs(&[&signer])
            .map_err(|e| TlogError(format!("signing: {e:?}")))?;
        String::from_utf8(note.to_bytes()).map_err(|_| TlogError("note is not UTF-8".into()))
    }
}

/// A key that signed audit artefacts, with the time it was in use, as
/// `GET /api/v1/keys` publishes it (and as a bare verifier key is read,
/// without the times).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedKey {
    /// `<name>+<key id>`: what a signature line names (for grant tokens,
    /// the JWK's `kid`).
    pub key_id: String,
    /// The verifier key `<name>+<id>+<base64>` (for grant tokens, the
    /// JWK's `x`).
    pub key: String,
    /// When the deployment first signed with it (ms since the epoch).
    pub valid_from: Option<i64>,
    /// When a newer key replaced it; none while it is the current key.
    pub valid_until: Option<i64>,
}

impl PublishedKey {
    /// A bare verifier key, without the times.
    pub fn bare(vkey: &str) -> Result<Self, TlogError> {
        let vkey = vkey.trim();
        StandardVerifier::new(vkey)
            .map_err(|e| TlogError(format!("{vkey:?} is not a verifier key: {e:?}")))?;
        // `<name>+<id>+<base64>`: a name holds no `+`, the base64 may.
        let mut parts = vkey.splitn(3, '+');
        let key_id = format!(
            "{}+{}",
            parts.next().unwrap_or_default(),
            parts.next().unwrap_or_default()
        );
        Ok(Self {
            key_id,
            key: vkey.to_owned(),
            valid_from: None,
            valid_until: None,
        })
    }

    /// `lockbox.example/audit+1a2b3c4d, in use from … until …`.
    pub fn describe(&self) -> String {
        let at = |ms: i64| {
            chrono::DateTime::from_timestamp_millis(ms)
                .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
                .unwrap_or_else(|| ms.to_string())
        };
        match (self.valid_from, self.valid_until) {
            (Some(from), Some(until)) => {
                format!(
                    "{}, in use from {} until {}",
                    self.key_id,
                    at(from),
                    at(until)
                )
            }
            (Some(from), None) => format!("{}, the current key since {}", self.key_id, at(from)),
            (None, Some(until)) => format!("{}, in use until {}", self.key_id, at(until)),
            (None, None) => self.key_id.clone(),
        }
    }
}

/// The published keys of a deployment, as `GET /api/v1/keys` serves them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SigningKeys {
    /// The keys of checkpoints, receipts and reports, newest first.
    pub audit: Vec<PublishedKey>,
    /// The keys of grant tokens, newest first (also in the JWKS while
    /// tokens they signed may live).
    pub grant_tokens: Vec<PublishedKey>,
}

/// The audit keys a verifier is given: one verifier key per line (what
/// `GET /api/v1/audit/public-key` serves), or the JSON of
/// `GET /api/v1/keys`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRing {
    keys: Vec<PublishedKey>,
}

impl KeyRing {
    /// Reads `text` as either form; at least one key.
    pub fn parse(text: &str) -> Result<Self, TlogError> {
        let text = text.trim();
        let keys = if text.starts_with('{') {
            let published: SigningKeys = serde_json::from_str(text).map_err(|e| {
                TlogError(format!(
                    "the keys file is JSON but not GET /api/v1/keys: {e}"
                ))
            })?;
            for key in &published.audit {
                StandardVerifier::new(&key.key).map_err(|e| {
                    TlogError(format!("{:?} is not a verifier key: {e:?}", key.key_id))
                })?;
            }
            published.audit
        } else {
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(PublishedKey::bare)
                .collect::<Result<_, _>>()?
        };
        if keys.is_empty() {
            return Err(TlogError("the keys file holds no key".into()));
        }
        Ok(Self { keys })
    }

    /// The text of `note` (a `what`: checkpoint, receipt, report) and the
    /// key whose signature on it verified.
    pub fn open(&self, note: &str, what: &str) -> Result<(String, &PublishedKey), TlogError> {
        let parsed = Note::from_bytes(note.as_bytes())
            .map_err(|e| TlogError(format!("the {what} is not a signed note: {e:?}")))?;
        let verifiers = self
            .keys
            .iter()
            .filter_map(|k| StandardVerifier::new(&k.key).ok())
            .map(|v| Box::new(v) as Box<dyn signed_note::Verifier>)
            .collect();
        let (verified, _) = parsed
            .verify(&VerifierList::new(verifiers))
            .map_err(|e| match e {
                signed_note::NoteError::UnverifiedNote => TlogError(format!(
                    "the {what} is signed by {}, which is not among the keys given ({}); \
                     fetch the keys the deployment has used from GET /api/v1/keys",
                    signers(note).join(", "),
                    self.keys
                        .iter()
                        .map(|k| k.key_id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
                other => TlogError(format!(
                    "the {what}'s signature does not verify with this key: {other:?}"
                )),
            })?;
        let key = verified
            .iter()
            .find_map(|sig| {
                let id = format!("{}+{:08x}", sig.name(), sig.id());
                self.keys.iter().find(|k| k.key_id == id)
            })
            .ok_or_else(|| TlogError(format!("the {what}'s signing key is not in the list")))?;
        let text = String::from_utf8(parsed.text().to_vec())
            .map_err(|_| TlogError(format!("the {what}'s text is not UTF-8")))?;
        Ok((text, key))
    }
}

/// The keys a note's signature lines name, `<name>+<key id>`.
fn signers(note: &str) -> Vec<String> {
    let block = note.rsplit_once("\n\n").map(|(_, b)| b).unwrap_or("");
    let names: Vec<String> = block
        .lines()
        .filter_map(|line| signed_note::Signature::from_bytes(line.as_bytes()).ok())
        .map(|sig| format!("{}+{:08x}", sig.name(), sig.id()))
        .collect();
    if names.is_empty() {
        vec!["no key".to_owned()]
    } else {
        names
    }
}

/// The text of a signed note whose signature is one of `vkeys`' (verifier
/// keys `<name>+<id>+<base64>`, one per line, or the JSON of
/// `GET /api/v1/keys`); `what` names the note in errors.
pub fn open_note(note: &str, vkeys: &str, what: &str) -> Result<String, TlogError> {
    KeyRing::parse(vkeys)?
        .open(note, what)
        .map(|(text, _)| text)
}

/// A checkpoint whose signature checked out.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedCheckpoint {
    /// Its origin line.
    pub origin: String,
    /// The number of records it covers.
    pub size: u64,
    /// The root of those records' tree.
    pub root: Hash,
    /// The key whose signature verified.
    pub key: PublishedKey,
}

/// Opens a signed checkpoint with the verifier key `vkey`: the signature
/// must be that key's, and the body a well-formed checkpoint.
pub fn open_checkpoint(note: &str, vkey: &str) -> Result<VerifiedCheckpoint, TlogError> {
    open_checkpoint_with(note, &KeyRing::parse(vkey)?)
}

/// Opens a signed checkpoint with whichever of `ring`'s keys signed it.
pub fn open_checkpoint_with(note: &str, ring: &KeyRing) -> Result<VerifiedCheckpoint, TlogError> {
    let (text, key) = ring.open(note, "checkpoint")?;
    let checkpoint = Checkpoint::from_bytes(text.as_bytes())
        .map_err(|e| TlogError(format!("the checkpoint's body is malformed: {e:?}")))?;
    Ok(VerifiedCheckpoint {
        origin: checkpoint.origin().to_owned(),
        size: checkpoint.size(),
        root: *checkpoint.hash(),
        key: key.clone(),
    })
}

/// A decision receipt ([`crate::receipt`]) signed with this deployment's key.
pub fn sign_receipt(
    key: &SigningKey,
    receipt: &crate::receipt::Receipt,
) -> Result<String, TlogError> {
    key.sign_text(receipt.text().as_bytes())
}

/// Opens a signed decision receipt with the verifier key `vkey`.
pub fn open_receipt(note: &str, vkey: &str) -> Result<crate::receipt::Receipt, TlogError> {
    open_receipt_naming(note, vkey).map(|(receipt, _)| receipt)
}

/// Opens a signed decision receipt with whichever of `vkeys` signed it,
/// and names that key.
pub fn open_receipt_naming(
    note: &str,
    vkeys: &str,
) -> Result<(crate::receipt::Receipt, PublishedKey), TlogError> {
    let ring = KeyRing::parse(vkeys)?;
    let (text, key) = ring.open(note, "receipt")?;
    let receipt = crate::receipt::Receipt::from_text(&text).map_err(TlogError)?;
    Ok((receipt, key.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaf(i: u8) -> Hash {
        tlog_tiles::record_hash(&[i])
    }

    #[test]
    fn roots_and_proofs_hold_for_every_size_and_index() {
        let mut tree = MemoryTree::default();
        for i in 0..40u8 {
            tree.push(leaf(i)).expect("push");
        }
        for size in 1..=40u64 {
            let root = tree.root_of(size).expect("root");
            for index in 0..size {
                let proof = inclusion_proof(size, index, &tree).expect("proof");
                assert!(check_inclusion(
                    &proof,
                    size,
                    root,
                    index,
                    leaf(index as u8)
                ));
                assert!(!check_inclusion(&proof, size, root, index, leaf(200)));
            }
            for old in 0..=size {
                let old_root = tree.root_of(old).expect("old root");
                let proof = consistency_proof(size, old, &tree).expect("consistency");
                assert!(
                    check_consistency(&proof, size, root, old, old_root),
                    "{old}->{size}"
                );
                if old > 0 && old < size {
                    assert!(!check_consistency(&proof, size, root, old, leaf(201)));
                }
            }
        }
    }

    /// A key of the deployment `lockbox.example` from a seed of `byte`s.
    fn test_key(byte: u8) -> SigningKey {
        SigningKey::from_seed_base64("lockbox.example", &BASE64_STANDARD.encode([byte; 32]))
            .expect("key")
    }

    #[test]
    fn a_checkpoint_verifies_with_its_key_and_no_other() {
        let (key, other) = (test_key(7), test_key(8));
        let root = leaf(1);
        let note = key
            .sign_checkpoint("lockbox.example/audit/t1", 5, root)
            .expect("sign");
        assert!(note.starts_with("lockbox.example/audit/t1\n5\n"));
        let opened = open_checkpoint(&note, &key.verifier_key()).expect("verifies");
        assert_eq!((opened.size, opened.root), (5, root));
        assert_eq!(opened.origin, "lockbox.example/audit/t1");
        assert!(open_checkpoint(&note, &other.verifier_key()).is_err());
        let forged = note.replacen("\n5\n", "\n6\n", 1);
        assert!(open_checkpoint(&forged, &key.verifier_key()).is_err());
        // A checkpoint is not a receipt, though the key is the same.
        assert!(open_receipt(&note, &key.verifier_key()).is_err());
    }

    #[test]
    fn a_key_ring_opens_each_note_with_the_key_that_signed_it_and_names_it() {
        let (old, new, stranger) = (test_key(3), test_key(4), test_key(5));
        let at_old = old
            .sign_checkpoint("lockbox.example/audit/t1", 1, leaf(1))
            .expect("sign");
        let at_new = new
            .sign_checkpoint("lockbox.example/audit/t1", 2, leaf(2))
            .expect("sign");
        let document = serde_json::to_string(&SigningKeys {
            audit: vec![
                PublishedKey {
                    key_id: new.key_id(),
                    key: new.verifier_key(),
                    valid_from: Some(1_800_000_000_000),
                    valid_until: None,
                },
                PublishedKey {
                    key_id: old.key_id(),
                    key: old.verifier_key(),
                    valid_from: Some(1_700_000_000_000),
                    valid_until: Some(1_800_000_000_000),
                },
            ],
            grant_tokens: vec![],
        })
        .expect("JSON");
        let lines = format!("{}\n{}\n", new.verifier_key(), old.verifier_key());
        for keys in [document.as_str(), lines.as_str()] {
            let ring = KeyRing::parse(keys).expect("a ring");
            let (_, key) = ring.open(&at_old, "checkpoint").expect("opens");
            assert_eq!(key.key_id, old.key_id());
            let (_, key) = ring.open(&at_new, "checkpoint").expect("opens");
            assert_eq!(key.key_id, new.key_id());
        }
        let ring = KeyRing::parse(&document).expect("a ring");
        let (_, key) = ring.open(&at_old, "checkpoint").expect("opens");
        assert_eq!(
            key.describe(),
            format!(
                "{}, in use from 2023-11-14 22:13 UTC until 2027-01-15 08:00 UTC",
                old.key_id()
            )
        );
        // A key id is the verifier key's first two parts, whatever its
        // base64 holds.
        assert!(old
            .verifier_key()
            .starts_with(&format!("{}+", old.key_id())));
        assert_eq!(
            PublishedKey::bare(&old.verifier_key())
                .expect("bare")
                .key_id,
            old.key_id()
        );
        // A note by a key not given names the key it needs.
        let foreign = stranger
            .sign_checkpoint("lockbox.example/audit/t1", 1, leaf(1))
            .expect("sign");
        let err = ring.open(&foreign, "checkpoint").expect_err("not ours");
        assert!(err.0.contains(&stranger.key_id()), "{err}");
        assert!(
            err.0.contains(&new.key_id()) && err.0.contains(&old.key_id()),
            "{err}"
        );
        // A changed note fails even though its key is known.
        let forged = at_old.replacen("\n1\n", "\n7\n", 1);
        assert!(ring.open(&forged, "checkpoint").is_err());
        // Files that are not keys are refused with a reason.
        assert!(KeyRing::parse("").is_err());
        assert!(KeyRing::parse("not a key").is_err());
        assert!(KeyRing::parse("{\"audit\": 1}").is_err());
        assert!(KeyRing::parse("{\"audit\": [], \"grant_tokens\": []}").is_err());
    }

    #[test]
    fn a_receipt_verifies_with_its_key_and_any_change_breaks_it() {
        use crate::receipt::*;
        let (key, other) = (test_key(7), test_key(8));
        let receipt = Receipt {
            kind: RECEIPT_TYPE.to_owned(),
            deployment: "lockbox.example".to_owned(),
            audience: "customer".to_owned(),
            issued_at: "2026-11-29T10:00:00.000Z".to_owned(),
            request: ReceiptRequest {
                id: "r1".to_owned(),
                tenant_id: "t1".to_owned(),
                service: "mail".to_owned(),
                ticket: "SR-1".to_owned(),
                reason: "Reading \"one\" folder\tnow".to_owned(),
                requester: "engineer1@provider.example".to_owned(),
                created_at: "2026-11-29T09:00:00.000Z".to_owned(),
                requested_minutes: 60,
                operations: Some(vec!["Get-Mailbox".to_owned(), "Get-Message".to_owned()]),
            },
            decisions: vec![ReceiptDecision {
                decision: "Approve".to_owned(),
                by: Some("approver1@contoso.example".to_owned()),
                at: "2026-11-29T09:30:00.000Z".to_owned(),
                comment: None,
                audit_seq: 42,
                audit_record_id: "r1/Approved".to_owned(),
            }],
            grant: Some(ReceiptGrant {
                starts_at: "2026-11-29T09:30:00.000Z".to_owned(),
                ends_at: "2026-11-29T10:30:00.000Z".to_owned(),
                operations: Some(vec!["Get-Mailbox".to_owned()]),
            }),
            state: "Approved".to_owned(),
        };
        let note = sign_receipt(&key, &receipt).expect("sign");
        assert_eq!(
            open_receipt(&note, &key.verifier_key()).expect("verifies"),
            receipt
        );
        assert!(open_receipt(&note, &other.verifier_key()).is_err());
        for (from, to) in [
            ("\"audit_seq\": 42", "\"audit_seq\": 41"),
            ("10:30:00.000Z", "11:30:00.000Z"),
            ("approver1@", "approver2@"),
            (
                "\"Get-Mailbox\"\n    ]\n  },",
                "\"Get-Mailbox\",\n      \"Get-Message\"\n    ]\n  },",
            ),
        ] {
            assert!(note.contains(from), "{from}");
            let forged = note.replacen(from, to, 1);
            assert!(open_receipt(&forged, &key.verifier_key()).is_err(), "{to}");
        }
        // A version 1 receipt (no operations) still verifies; one that
        // says version 1 but names operations is not a receipt.
        let v1 = Receipt {
            kind: RECEIPT_TYPE_V1.to_owned(),
            request: ReceiptRequest {
                operations: None,
                ..receipt.request.clone()
            },
            grant: receipt.grant.clone().map(|g| ReceiptGrant {
                operations: None,
                ..g
            }),
            ..receipt.clone()
        };
        let old = sign_receipt(&key, &v1).expect("sign");
        assert_eq!(open_receipt(&old, &key.verifier_key()).expect("v1"), v1);
        let mixed = Receipt {
            kind: RECEIPT_TYPE_V1.to_owned(),
            ..receipt.clone()
        };
        let mixed = sign_receipt(&key, &mixed).expect("sign");
        assert!(open_receipt(&mixed, &key.verifier_key()).is_err());
    }
}
