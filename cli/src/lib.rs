//! Offline verification of an exported audit log: every record's leaf is
//! recomputed from its contents with the Worker's own code
//! (`lockbox_shared::tlog`), the tree of the records the checkpoint covers
//! is rebuilt, and its root is compared with the checkpoint's, whose
//! signature is checked with the deployment's public key. Nothing the
//! provider says is taken on trust but the key.

use std::collections::{BTreeMap, HashMap};

use lockbox_shared::api::AuditEntry;
use lockbox_shared::tlog::{self, Hash, MemoryTree};

/// What a verification found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    /// What is wrong, each naming the record (by sequence number).
    pub problems: Vec<String>,
    /// What is fine, for the person reading.
    pub notes: Vec<String>,
}

impl Report {
    /// Whether everything verified.
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Reads an export in JSON lines.
fn read_export(text: &str, report: &mut Report) -> Vec<AuditEntry> {
    let mut entries = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<AuditEntry>(line) {
            Ok(entry) => entries.push(entry),
            Err(err) => report
                .problems
                .push(format!("line {} is not an audit record: {err}", n + 1)),
        }
    }
    entries
}

/// Verifies `export` (JSON lines of a whole, unfiltered export) against
/// the signed `checkpoint` and the verifier keys `key` (one per line, or
/// the JSON of `GET /api/v1/keys`); the notes name the key that signed.
pub fn verify(export: &str, checkpoint: &str, key: &str) -> Report {
    let mut report = Report::default();
    let checkpoint = match tlog::open_checkpoint(checkpoint, key) {
        Ok(c) => c,
        Err(err) => {
            report.problems.push(err.to_string());
            return report;
        }
    };
    report.notes.push(format!(
        "The checkpoint is signed by key {}: {} records of {}.",
        checkpoint.key.describe(),
        checkpoint.size,
        checkpoint.origin
    ));
    let entries = read_export(export, &mut report);
    if let Some(first) = entries.first() {
        let tenant = first.record.record.tenant_id.as_str();
        if !checkpoint.origin.ends_with(&format!("/audit/{tenant}")) {
            report.problems.push(format!(
                "The export is the log of tenant {tenant}, the checkpoint that of {}.",
                checkpoint.origin
            ));
            return report;
        }
    }
    // What the log sealed for each position, as the export states it.
    let sealed: BTreeMap<i64, String> = entries
        .iter()
        .filter(|e| !e.leaf_hash.is_empty())
        .map(|e| (e.record.seq, e.leaf_hash.clone()))
        .collect();
    let leaf_as = |entry: &AuditEntry, seq: i64| {
        let mut moved = entry.record.clone();
        moved.seq = seq;
        tlog::hash_text(&tlog::leaf_hash(&moved))
    };

    let mut tree = MemoryTree::default();
    let mut expected: i64 = 1;
    let mut seen: HashMap<i64, usize> = HashMap::new();
    for entry in &entries {
        let seq = entry.record.seq;
        if let Some(count) = seen.get_mut(&seq) {
            *count += 1;
            report.problems.push(format!(
                "Record {seq} appears more than once: one of them was inserted."
            ));
            continue;
        }
        seen.insert(seq, 1);
        if seq < expected {
            report.problems.push(format!(
                "Record {seq} comes after record {}: the log was reordered.",
                expected - 1
            ));
            continue;
        }
        if seq > expected {
            let gap = if seq - expected == 1 {
                format!("Record {expected} was removed")
            } else {
                format!("Records {expected} to {} were removed", seq - 1)
            };
            report.problems.push(format!(
                "{gap}: the export goes from {} to {seq}.",
                expected - 1
            ));
            // The tree cannot be rebuilt past a hole; the records after
            // it are still checked against what was sealed for them.
        }
        let leaf = tlog::leaf_hash(&entry.record);
        let text = tlog::hash_text(&leaf);
        if !entry.leaf_hash.is_empty() && entry.leaf_hash != text {
            report.problems.push(diagnose(entry, &sealed, &leaf_as));
        }
        if tree.size() == (seq - 1) as u64 {
            // Errors here would mean a broken tree library; report them.
            if let Err(err) = tree.push(leaf) {
                report.problems.push(format!("Record {seq}: {err}"));
            }
        }
        expected = seq + 1;
    }

    let covered = checkpoint.size;
    let have = entries.len() as u64;
    if (expected - 1) < covered as i64 {
        report.problems.push(format!(
            "The checkpoint covers {covered} records but the export ends at record {}: records {} to {covered} were removed.",
            expected - 1,
            expected
        ));
    } else if tree.size() >= covered {
        match tree.root_of(covered) {
            Ok(root) if root == checkpoint.root => report.notes.push(format!(
                "Records 1 to {covered} hash to the checkpoint's root: none was altered, removed, inserted or reordered."
            )),
            Ok(_) => report.problems.push(format!(
                "Records 1 to {covered} do not hash to the checkpoint's root{}.",
                if report.problems.is_empty() {
                    ": the log was changed after it was sealed, and the leaf hashes were changed with it"
                } else {
                    " (see above)"
                }
            )),
            Err(err) => report.problems.push(format!("The tree could not be rebuilt: {err}")),
        }
    }
    if have > covered && report.problems.is_empty() {
        report.notes.push(format!(
            "Records {} to {have} are newer than the checkpoint: fetch a newer checkpoint to verify them.",
            covered + 1
        ));
    }
    report
}

/// Why a record's contents do not hash to what was sealed at its place:
/// moved from another place (reordered, or shifted by an insertion or a
/// removal with renumbering), or altered.
fn diagnose(
    entry: &AuditEntry,
    sealed: &BTreeMap<i64, String>,
    leaf_as: &impl Fn(&AuditEntry, i64) -> String,
) -> String {
    let seq = entry.record.seq;
    if sealed.get(&(seq - 1)) == Some(&leaf_as(entry, seq - 1)) {
        return format!(
            "Record {seq} was record {} before: a record was inserted before it.",
            seq - 1
        );
    }
    if sealed.get(&(seq + 1)) == Some(&leaf_as(entry, seq + 1)) {
        return format!(
            "Record {seq} was record {} before: a record before it was removed and the rest renumbered.",
            seq + 1
        );
    }
    for (other, hash) in sealed {
        if *other != seq && *hash == leaf_as(entry, *other) {
            return format!(
                "Record {seq} holds what was sealed as record {other}: the two were reordered."
            );
        }
    }
    format!(
        "Record {seq} was altered: its contents hash to {}, but {} was sealed.",
        leaf_as(entry, seq),
        entry.leaf_hash
    )
}

/// Verifies that `new` (a checkpoint) extends `old` with `proof` (the
/// JSON of `GET /api/v1/audit/consistency`), both signed by `key`.
pub fn consistency(old: &str, new: &str, proof: &str, key: &str) -> Report {
    let mut report = Report::default();
    let (old, new) = match (
        tlog::open_checkpoint(old, key),
        tlog::open_checkpoint(new, key),
    ) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(e), _) => {
            report.problems.push(format!("The older checkpoint: {e}"));
            return report;
        }
        (_, Err(e)) => {
            report.problems.push(format!("The newer checkpoint: {e}"));
            return report;
        }
    };
    report.notes.push(format!(
        "The older checkpoint is signed by key {}; the newer by key {}.",
        old.key.describe(),
        new.key.describe()
    ));
    if old.origin != new.origin {
        report.problems.push(format!(
            "The checkpoints are of different logs: {} and {}.",
            old.origin, new.origin
        ));
        return report;
    }
    let parsed: Result<lockbox_shared::api::ConsistencyProof, _> = serde_json::from_str(proof);
    let hashes: Option<Vec<Hash>> = parsed
        .as_ref()
        .ok()
        .and_then(|p| p.proof.iter().map(|h| tlog::parse_hash(h)).collect());
    let Some(hashes) = hashes else {
        report
            .problems
            .push("The proof is not a consistency proof of the Lockbox API.".to_owned());
        return report;
    };
    if tlog::check_consistency(&hashes, new.size, new.root, old.size, old.root) {
        report.notes.push(format!(
            "The log of {} records extends the log of {} records: nothing of the older one was changed.",
            new.size, old.size
        ));
    } else {
        report.problems.push(format!(
            "The log of {} records does not extend the log of {} records: records up to {} were changed, or the proof is not for these checkpoints.",
            new.size, old.size, old.size
        ));
    }
    report
}

/// Verifies a decision receipt (`GET /api/v1/requests/{id}/receipt`)
/// against the verifier key `key`: the signature must be that key's and
/// the text a receipt; the notes then say what it proves.
pub fn verify_receipt(note: &str, key: &str) -> Report {
    let mut report = Report::default();
    let (receipt, signer) = match tlog::open_receipt_naming(note, key) {
        Ok(r) => r,
        Err(err) => {
            report.problems.push(err.to_string());
            return report;
        }
    };
    let r = &receipt.request;
    report.notes.push(format!(
        "The receipt is signed by key {} ({}), issued {} to the {}.",
        signer.describe(),
        receipt.deployment,
        receipt.issued_at,
        receipt.audience
    ));
    report.notes.push(format!(
        "Request {} of tenant {}: {} for {} minutes on {} (ticket {}), opened {}.",
        r.id, r.tenant_id, r.requester, r.requested_minutes, r.service, r.ticket, r.created_at
    ));
    if let Some(ops) = &r.operations {
        report
            .notes
            .push(format!("Operations asked for: {}.", ops.join(", ")));
    }
    for d in &receipt.decisions {
        let by = d.by.as_deref().unwrap_or("a person at the customer");
        report.notes.push(format!(
            "{} by {by} at {} (audit record {} of the tenant's log{}).",
            d.decision,
            d.at,
            d.audit_seq,
            d.comment
                .as_deref()
                .map(|c| format!(", comment {c:?}"))
                .unwrap_or_default()
        ));
    }
    if let Some(g) = &receipt.grant {
        report.notes.push(format!(
            "Access granted from {} until {}.",
            g.starts_at, g.ends_at
        ));
        if let Some(ops) = &g.operations {
            report.notes.push(format!(
                "The grant allows only these operations: {}.",
                ops.join(", ")
            ));
        }
    }
    report.notes.push(format!(
        "State when issued: {}. The audit records named above are in the \
         tenant's log; `lockbox audit verify` proves the log itself.",
        receipt.state
    ));
    report
}

/// Verifies a tenant export (`GET /api/v1/provider/tenants/{id}/export`)
/// against the verifier keys `key`: the lines' digest and the signature
/// over it, the rows of each table, and that the audit records hash to the
/// signed checkpoint's root.
pub fn verify_tenant(file: &str, key: &str) -> Report {
    let mut report = Report::default();
    match lockbox_shared::tenant_export::verify(file, key) {
        Ok(v) => {
            report.notes.push(format!(
                "The export of tenant {} from {} is signed by key {}: {} rows, none changed, added or removed.",
                v.header.tenant_id,
                v.header.deployment,
                v.key.describe(),
                v.rows.len()
            ));
            report.notes.push(format!(
                "Its {} audit records hash to the root of the signed checkpoint ({}).",
                v.sealed,
                tlog::hash_text(&v.root)
            ));
        }
        Err(problems) => report.problems = problems,
    }
    report
}

/// The SQL that restores a verified tenant export into an empty
/// deployment's D1, or what is wrong with the export.
pub fn import_tenant(file: &str, key: &str) -> Result<String, Report> {
    let verified = lockbox_shared::tenant_export::verify(file, key).map_err(|problems| Report {
        problems,
        notes: Vec::new(),
    })?;
    lockbox_shared::tenant_export::to_sql(&verified).map_err(|why| Report {
        problems: vec![why],
        notes: Vec::new(),
    })
}

/// Verifies an access report (`GET /api/v1/requests/{id}/report`) against
/// the verifier key `key`: its signature, each record's inclusion in the
/// tenant's log, the actions' count and digest against the end record.
/// Every problem is named; the notes then say what it proves.
pub fn verify_report(note: &str, key: &str) -> Report {
    let mut report = Report::default();
    let verified = match lockbox_shared::report::verify(note, key) {
        Ok(verified) => verified,
        Err(problems) => {
            report.problems = problems;
            return report;
        }
    };
    let r = &verified.report;
    let w = &r.window;
    report.notes.push(format!(
        "The report is signed by key {} ({}), for the {}.",
        verified.key.describe(),
        r.deployment,
        r.audience
    ));
    report.notes.push(format!(
        "Request {} of tenant {}: {} on {} (ticket {}).",
        r.request.id, r.request.tenant_id, r.request.requester, r.request.service, r.request.ticket
    ));
    report.notes.push(format!(
        "Access from {} (planned until {}) ended {} ({}): {} of {} minutes used.",
        w.starts_at, w.planned_end, w.ended_at, w.ended, w.minutes_used, w.minutes_granted
    ));
    for total in &r.totals {
        report.notes.push(format!(
            "{}: {} run, {} refused.",
            total.operation, total.succeeded, total.refused
        ));
    }
    report.notes.push(format!(
        "All {} operator records and the end record (record {}) are in the tenant's log as \
         signed at {} records; their count and digest match the end record.",
        r.actions.len(),
        r.end.record.seq,
        verified.tree_size
    ));
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use lockbox_shared::audit::{Activity, AuditRecord, LockboxActivity, NewAuditRecord};
    use lockbox_shared::ids::TenantId;
    use lockbox_shared::tlog::SigningKey;

    const TENANT: &str = "7c0a8f4e-5a1b-4c3d-9e2f-000000000001";

    fn key() -> SigningKey {
        // A fixed seed: these are tests.
        SigningKey::from_seed_base64(
            "lockbox.test",
            "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=",
        )
        .expect("key")
    }

    fn record(seq: i64) -> AuditRecord {
        let mut details = BTreeMap::new();
        details.insert("Comment".to_owned(), format!("record {seq}"));
        AuditRecord {
            id: format!("00000000-0000-4000-8000-{seq:012}"),
            seq,
            occurred_at: 1_800_000_000_000 + seq * 1000,
            record: NewAuditRecord {
                tenant_id: TenantId::parse(TENANT).expect("valid"),
                ip: "203.0.113.1".into(),
                user: "a@contoso.example".into(),
                activity: Activity::Lockbox(LockboxActivity::NewRequest),
                item: format!("item-{seq}"),
                details,
            },
        }
    }

    /// A log of `n` records as sealed, its export, and a checkpoint of it.
    fn sealed(n: i64) -> (Vec<AuditEntry>, String) {
        let mut tree = MemoryTree::default();
        let entries: Vec<AuditEntry> = (1..=n)
            .map(|seq| {
                let r = record(seq);
                let leaf = tlog::leaf_hash(&r);
                tree.push(leaf).expect("push");
                AuditEntry {
                    record: r,
                    leaf_hash: tlog::hash_text(&leaf),
                }
            })
            .collect();
        let root = tree.root_of(n as u64).expect("root");
        let note = key()
            .sign_checkpoint(&tlog::origin("lockbox.test", TENANT), n as u64, root)
            .expect("sign");
        (entries, note)
    }

    fn export(entries: &[AuditEntry]) -> String {
        entries
            .iter()
            .map(|e| serde_json::to_string(e).expect("json") + "\n")
            .collect()
    }

    fn problems(entries: &[AuditEntry], note: &str) -> Vec<String> {
        verify(&export(entries), note, &key().verifier_key()).problems
    }

    #[test]
    fn an_untouched_log_verifies_and_newer_records_are_noted() {
        let (entries, note) = sealed(10);
        assert_eq!(problems(&entries, &note), Vec::<String>::new());
        let (mut longer, _) = sealed(12);
        longer.truncate(12);
        let report = verify(&export(&longer), &note, &key().verifier_key());
        assert!(report.ok(), "{report:?}");
        assert!(report
            .notes
            .iter()
            .any(|n| n.contains("Records 11 to 12 are newer")));
    }

    #[test]
    fn an_altered_detail_is_named() {
        let (mut entries, note) = sealed(10);
        entries[6]
            .record
            .record
            .details
            .insert("Comment".into(), "changed".into());
        let found = problems(&entries, &note);
        assert!(found[0].starts_with("Record 7 was altered"), "{found:?}");
    }

    #[test]
    fn a_removed_record_is_named() {
        let (mut entries, note) = sealed(10);
        entries.remove(3);
        let found = problems(&entries, &note);
        assert!(found[0].starts_with("Record 4 was removed"), "{found:?}");
    }

    #[test]
    fn an_inserted_record_is_named() {
        let (entries, note) = sealed(10);
        // Record 5 inserted, the rest renumbered: the insertion shifts them.
        let mut tampered: Vec<AuditEntry> = entries[..4].to_vec();
        let mut extra = entries[4].clone();
        extra.record.id = "inserted".into();
        extra.record.record.item = "forged".into();
        tampered.push(extra);
        for e in &entries[4..] {
            let mut moved = e.clone();
            moved.record.seq += 1;
            // The sealed leaf hashes stay where they were.
            tampered.push(moved);
        }
        for (i, e) in tampered.iter_mut().enumerate().take(10) {
            e.leaf_hash = entries[i].leaf_hash.clone();
        }
        tampered[10].leaf_hash = String::new();
        let found = problems(&tampered, &note);
        assert!(found[0].starts_with("Record 5 was altered"), "{found:?}");
        assert!(
            found[1].starts_with("Record 6 was record 5 before: a record was inserted"),
            "{found:?}"
        );
    }

    #[test]
    fn two_reordered_records_are_named() {
        let (entries, note) = sealed(10);
        let mut tampered = entries.clone();
        // Records 3 and 8 swap places; the sealed hashes stay in place.
        tampered[2].record = entries[7].record.clone();
        tampered[2].record.seq = 3;
        tampered[7].record = entries[2].record.clone();
        tampered[7].record.seq = 8;
        let found = problems(&tampered, &note);
        assert!(
            found[0].contains("Record 3 holds what was sealed as record 8"),
            "{found:?}"
        );
        assert!(
            found[1].contains("Record 8 holds what was sealed as record 3"),
            "{found:?}"
        );
    }

    #[test]
    fn a_log_changed_with_its_leaf_hashes_fails_on_the_root() {
        let (mut entries, note) = sealed(10);
        entries[1].record.record.user = "someone@else.example".into();
        entries[1].leaf_hash = tlog::hash_text(&tlog::leaf_hash(&entries[1].record));
        let found = problems(&entries, &note);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].contains("do not hash to the checkpoint's root"),
            "{found:?}"
        );
    }

    #[test]
    fn a_checkpoint_signed_by_another_key_fails() {
        let (entries, note) = sealed(5);
        let other = SigningKey::from_seed_base64(
            "lockbox.test",
            "ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICA=",
        )
        .expect("key");
        let report = verify(&export(&entries), &note, &other.verifier_key());
        assert!(!report.ok());
        assert!(
            report.problems[0].contains(&key().key_id())
                && report.problems[0].contains("not among the keys given"),
            "{report:?}"
        );
    }

    #[test]
    fn a_consistency_proof_shows_a_later_log_extends_an_earlier_one() {
        let (entries, old_note) = sealed(6);
        let mut tree = MemoryTree::default();
        for e in &entries {
            tree.push(tlog::leaf_hash(&e.record)).expect("push");
        }
        for seq in 7..=11 {
            tree.push(tlog::leaf_hash(&record(seq))).expect("push");
        }
        let new_root = tree.root_of(11).expect("root");
        let new_note = key()
            .sign_checkpoint(&tlog::origin("lockbox.test", TENANT), 11, new_root)
            .expect("sign");
        let proof = tlog::consistency_proof(11, 6, &tree).expect("proof");
        let json = serde_json::to_string(&lockbox_shared::api::ConsistencyProof {
            from: 6,
            to: 11,
            from_root: String::new(),
            to_root: String::new(),
            proof: proof.iter().map(tlog::hash_text).collect(),
        })
        .expect("json");
        let vkey = key().verifier_key();
        assert!(consistency(&old_note, &new_note, &json, &vkey).ok());
        // A forked log: record 3 differs.
        let mut forked = MemoryTree::default();
        for seq in 1..=11 {
            let mut r = record(seq);
            if seq == 3 {
                r.record.item = "forked".into();
            }
            forked.push(tlog::leaf_hash(&r)).expect("push");
        }
        let fork_note = key()
            .sign_checkpoint(
                &tlog::origin("lockbox.test", TENANT),
                11,
                forked.root_of(11).expect("root"),
            )
            .expect("sign");
        let fork_proof = tlog::consistency_proof(11, 6, &forked).expect("proof");
        let fork_json = serde_json::to_string(&lockbox_shared::api::ConsistencyProof {
            from: 6,
            to: 11,
            from_root: String::new(),
            to_root: String::new(),
            proof: fork_proof.iter().map(tlog::hash_text).collect(),
        })
        .expect("json");
        assert!(!consistency(&old_note, &fork_note, &fork_json, &vkey).ok());
    }
}
