//! The end of a grant and its signed report.
//!
//! When a grant ends (ran out, revoked, frozen), the write that ends it
//! appends one more record, `End-CustomerDataAccess`: how many operator
//! records were written under the grant and a digest chained over their
//! leaf hashes, in the log's order ([`end_record`]). Nothing can be
//! recorded under the grant after it (the write that records an action
//! holds only while the grant is live, and the end's write holds only
//! while the count is as read).
//!
//! The report ([`AccessReport`]) quotes the request, its decisions, the
//! window, every operator record under the grant and the end record, each
//! of those with a C2SP `tlog-proof` against the signed checkpoint of the
//! log as the end record left it; it is signed as a note with the audit
//! log's key. Everything in it is fixed once the grant has ended, so the
//! same report is served every time, and its SHA-256 (quoted in the
//! summary e-mail) names it. [`verify`] checks one offline.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::audit::{
    ended_window, is_refused, minutes_used, totals, utc, utc_ms, Activity, AuditRecord,
    LockboxActivity, NewAuditRecord, OperationTotal,
};
use crate::lifecycle::{AccessRequest, Stage, State};
use crate::plan::Step;
use crate::receipt::ReceiptRequest;
use crate::tlog::{self, Hash};

/// The report's `type`, and the version of its fields.
pub const REPORT_TYPE: &str = "lockbox-access-report/v1";

/// The first line of a C2SP `tlog-proof`.
pub const PROOF_HEADER: &str = "c2sp.org/tlog-proof@v1";

/// The id of request `id`'s end record: one per request, so the primary
/// key itself forbids a second.
pub fn end_record_id(id: &str) -> String {
    format!("{id}/end-of-access")
}

/// The digest chained over the leaf hashes of a grant's operator records:
/// `d0 = SHA-256("lockbox-actions/v1" ‖ 0x00 ‖ request id)`, then
/// `d(i) = SHA-256(d(i-1) ‖ leaf(i))`; returns every link, the last being
/// the digest (`d0` alone for a grant with none).
pub fn digest_chain(request_id: &str, leaves: &[Hash]) -> Vec<[u8; 32]> {
    let mut start = Sha256::new();
    start.update(b"lockbox-actions/v1\0");
    start.update(request_id.as_bytes());
    let mut links: Vec<[u8; 32]> = vec![start.finalize().into()];
    for leaf in leaves {
        let mut next = Sha256::new();
        next.update(links[links.len() - 1]);
        next.update(leaf.0);
        links.push(next.finalize().into());
    }
    links
}

fn b64(bytes: &[u8]) -> String {
    use base64::prelude::{Engine, BASE64_STANDARD};
    BASE64_STANDARD.encode(bytes)
}

/// The digest of `actions` (as [`digest_chain`]), as text.
pub fn actions_digest(request_id: &str, actions: &[AuditRecord]) -> String {
    let leaves: Vec<Hash> = actions.iter().map(tlog::leaf_hash).collect();
    let chain = digest_chain(request_id, &leaves);
    b64(&chain[chain.len() - 1])
}

/// Whether `step` ends a grant: a stored grant that the step revokes or
/// completes.
pub fn ends_grant(step: &Step) -> bool {
    match step {
        Step::Move { before, after, .. } => {
            matches!(before.stage, Stage::Approved { .. })
                && matches!(after.state(), State::Revoked | State::Completed)
        }
        Step::Open { .. } => false,
    }
}

/// The record the write that ends a grant appends after the step's own:
/// `actions` are every operator record under the grant so far, in the
/// log's order (the write holds only while their count is as read). None
/// for a step that ends no grant.
pub fn end_record(step: &Step, actions: &[AuditRecord]) -> Option<NewAuditRecord> {
    if !ends_grant(step) {
        return None;
    }
    let after = step.after();
    let (starts_at, ends_at, at) = ended_window(after)?;
    let refused = actions.iter().filter(|a| is_refused(a)).count();
    let mut details = BTreeMap::new();
    let id = after.id.as_str();
    details.insert("RequestId".to_owned(), id.to_owned());
    details.insert("Service".to_owned(), after.service.as_str().to_owned());
    details.insert("Ticket".to_owned(), after.ticket.as_str().to_owned());
    details.insert("Requester".to_owned(), after.requester.email.clone());
    details.insert("Ended".to_owned(), after.state().as_str().to_owned());
    details.insert("GrantStartsAt".to_owned(), utc(starts_at));
    details.insert("GrantEndsAt".to_owned(), utc(ends_at));
    details.insert("EndedAt".to_owned(), utc(at));
    details.insert(
        "MinutesUsed".to_owned(),
        minutes_used(starts_at, at).to_string(),
    );
    details.insert("Actions".to_owned(), actions.len().to_string());
    details.insert("RefusedAttempts".to_owned(), refused.to_string());
    details.insert("ActionsDigest".to_owned(), actions_digest(id, actions));
    Some(NewAuditRecord {
        tenant_id: after.tenant_id.clone(),
        // Lockbox's own record: the step's user is the service account
        // for both ways a grant ends (a revocation shows the person in
        // its own record, never here, so provider staff see this whole).
        ip: String::new(),
        user: step.record().user.clone(),
        activity: LockboxActivity::EndAccess.into(),
        item: id.to_owned(),
        details,
    })
}

/// A record and the proof that it is in the tenant's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proven {
    #[serde(flatten)]
    pub record: AuditRecord,
    /// The digest chained up to and including this record (operator
    /// records only): a record dropped or added before it shows here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// A C2SP `tlog-proof` of the record's inclusion in the log's tree as
    /// the end record left it.
    pub proof: String,
}

/// The window, as it was granted and as it was used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportWindow {
    pub starts_at: String,
    pub planned_end: String,
    pub ended_at: String,
    /// `Completed` (ran out) or `Revoked` (ended early, a freeze included).
    pub ended: String,
    pub minutes_granted: i64,
    pub minutes_used: i64,
    /// What the grant allowed (absent for a request from before requests
    /// named operations: every operation of its service).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operations: Option<Vec<String>>,
}

/// The signed report of one ended grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessReport {
    /// Always [`REPORT_TYPE`].
    #[serde(rename = "type")]
    pub kind: String,
    pub deployment: String,
    /// `customer` or `provider`: provider staff's copy leaves out which
    /// customer person decided, as everywhere.
    pub audience: String,
    pub request: ReceiptRequest,
    /// The request's own records up to its end (asked, decided, ended), as
    /// the audience may see them.
    pub history: Vec<AuditRecord>,
    pub window: ReportWindow,
    pub totals: Vec<OperationTotal>,
    /// Every operator record under the grant, refused ones included, in
    /// the log's order.
    pub actions: Vec<Proven>,
    /// The end record.
    pub end: Proven,
}

impl AccessReport {
    /// The text that is signed: the report as indented JSON and a newline.
    pub fn text(&self) -> String {
        // Plain data of strings and numbers always serialises.
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// Why a report cannot be made (yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotReported(pub String);

/// The parts of a report the Worker reads; [`assemble`] checks them
/// against each other.
pub struct Parts<'a> {
    pub request: &'a AccessRequest,
    pub history: Vec<AuditRecord>,
    pub actions: Vec<AuditRecord>,
    pub end: AuditRecord,
    /// The signed checkpoint of the tree of `end.seq` records.
    pub checkpoint: String,
    /// The inclusion proof of each of `actions`, then of `end`, in that tree.
    pub proofs: Vec<Vec<Hash>>,
}

/// A C2SP `tlog-proof` of leaf `index` with `proof` against `checkpoint`.
pub fn proof_text(index: u64, proof: &[Hash], checkpoint: &str) -> String {
    let mut text = format!("{PROOF_HEADER}\nindex {index}\n");
    for hash in proof {
        text.push_str(&tlog::hash_text(hash));
        text.push('\n');
    }
    text.push('\n');
    text.push_str(checkpoint);
    text
}

/// A parsed `tlog-proof`: the index, the proof and the checkpoint note.
pub fn parse_proof(text: &str) -> Result<(u64, Vec<Hash>, &str), String> {
    let (head, checkpoint) = text
        .split_once("\n\n")
        .ok_or("it has no checkpoint after its proof lines")?;
    let mut lines = head.lines();
    if lines.next() != Some(PROOF_HEADER) {
        return Err(format!("it does not start with {PROOF_HEADER}"));
    }
    let mut line = lines.next().ok_or("it has no index line")?;
    if line.starts_with("extra ") {
        line = lines.next().ok_or("it has no index line")?;
    }
    let index = line
        .strip_prefix("index ")
        .and_then(|n| n.parse::<u64>().ok())
        .ok_or_else(|| format!("{line:?} is not an index line"))?;
    let proof = lines
        .map(|l| tlog::parse_hash(l).ok_or_else(|| format!("{l:?} is not a hash")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((index, proof, checkpoint))
}

/// The report of `parts`, for `audience`, by `deployment`.
pub fn assemble(
    parts: Parts<'_>,
    deployment: &str,
    audience: &str,
) -> Result<AccessReport, NotReported> {
    let Parts {
        request,
        history,
        actions,
        end,
        checkpoint,
        proofs,
    } = parts;
    let id = request.id.as_str();
    let (starts_at, planned_end, at) = ended_window(request).ok_or_else(|| {
        NotReported("This request was never granted: there is no access to report.".into())
    })?;
    let count = end.record.details.get("Actions").cloned();
    if count != Some(actions.len().to_string())
        || end.record.details.get("ActionsDigest") != Some(&actions_digest(id, &actions))
    {
        return Err(NotReported(format!(
            "The log's records under request {id} do not add up to its end record; \
             report this to the operators of Lockbox."
        )));
    }
    if proofs.len() != actions.len() + 1 {
        return Err(NotReported("a proof is missing".into()));
    }
    let leaves: Vec<Hash> = actions.iter().map(tlog::leaf_hash).collect();
    let chain = digest_chain(id, &leaves);
    let mut proofs = proofs.into_iter();
    let mut prove = |record: &AuditRecord| {
        let proof = proofs.next().unwrap_or_default();
        proof_text(record.seq as u64 - 1, &proof, &checkpoint)
    };
    let proven: Vec<Proven> = actions
        .iter()
        .enumerate()
        .map(|(i, record)| Proven {
            record: record.clone(),
            digest: Some(b64(&chain[i + 1])),
            proof: prove(record),
        })
        .collect();
    let end = Proven {
        proof: prove(&end),
        record: end,
        digest: None,
    };
    Ok(AccessReport {
        kind: REPORT_TYPE.to_owned(),
        deployment: deployment.to_owned(),
        audience: audience.to_owned(),
        request: ReceiptRequest::of(request),
        history,
        window: ReportWindow {
            starts_at: utc_ms(starts_at),
            planned_end: utc_ms(planned_end),
            ended_at: utc_ms(at),
            ended: request.state().as_str().to_owned(),
            minutes_granted: (planned_end - starts_at) / 60_000,
            minutes_used: minutes_used(starts_at, at),
            operations: request.allowed_operations(),
        },
        totals: totals(&actions),
        actions: proven,
        end,
    })
}

/// What a report that verified says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub report: AccessReport,
    /// The size of the checkpoint its proofs are against.
    pub tree_size: u64,
    /// The key whose signature verified.
    pub key: tlog::PublishedKey,
}

/// Checks a signed report with the verifier keys `vkeys` (one per line,
/// or the JSON of `GET /api/v1/keys`): the note's
/// signature; each record's inclusion against a checkpoint signed with
/// the same key for the report's tenant; the actions' count and digest
/// against the end record. Every problem found is named (a record by its
/// position in the log and its operation), not only the first.
pub fn verify(note: &str, vkeys: &str) -> Result<Verified, Vec<String>> {
    let mut problems = Vec::new();
    let ring = tlog::KeyRing::parse(vkeys).map_err(|e| vec![e.0])?;
    let mut signer = None;
    // The signature first; a report whose signature fails is still read,
    // so that what was changed can be named.
    let text = match ring.open(note, "report") {
        Ok((text, key)) => {
            signer = Some(key.clone());
            text
        }
        Err(err) => {
            problems.push(err.0);
            match note.split_once("\n\n") {
                Some((text, _)) => format!("{text}\n"),
                None => return Err(problems),
            }
        }
    };
    let report: AccessReport = match serde_json::from_str(&text) {
        Ok(report) => report,
        Err(err) => {
            problems.push(format!("the signed text is not an access report: {err}"));
            return Err(problems);
        }
    };
    if report.kind != REPORT_TYPE {
        problems.push(format!(
            "the signed text is a {:?}, not a {REPORT_TYPE}",
            report.kind
        ));
        return Err(problems);
    }
    let id = report.request.id.clone();
    let origin = tlog::origin(&report.deployment, &report.request.tenant_id);
    let mut size = None;
    let mut check = |what: &str, p: &Proven, problems: &mut Vec<String>| {
        let (index, proof, checkpoint) = match parse_proof(&p.proof) {
            Ok(parsed) => parsed,
            Err(why) => {
                problems.push(format!("the proof of {what} is not a tlog-proof: {why}"));
                return;
            }
        };
        let checkpoint = match tlog::open_checkpoint_with(checkpoint, &ring) {
            Ok(c) => c,
            Err(err) => {
                problems.push(format!("the checkpoint in the proof of {what}: {}", err.0));
                return;
            }
        };
        if checkpoint.origin != origin {
            problems.push(format!(
                "the proof of {what} is against the log {:?}, not this tenant's ({origin:?})",
                checkpoint.origin
            ));
        }
        if index + 1 != p.record.seq as u64 {
            problems.push(format!(
                "the proof of {what} is for record {} of the log, not {}",
                index + 1,
                p.record.seq
            ));
        }
        match size {
            None => size = Some(checkpoint.size),
            Some(s) if s != checkpoint.size => problems.push(format!(
                "the proof of {what} is against a log of {} records, the others against {s}",
                checkpoint.size
            )),
            Some(_) => {}
        }
        let leaf = tlog::leaf_hash(&p.record);
        if !tlog::check_inclusion(&proof, checkpoint.size, checkpoint.root, index, leaf) {
            problems.push(format!(
                "{what} is not in the log as signed: it was changed, or never logged"
            ));
        }
    };
    let name = |p: &Proven| {
        format!(
            "the action at record {} ({}, id {})",
            p.record.seq,
            p.record.record.activity.as_str(),
            p.record.id
        )
    };
    // Each action: in the log, under this request, in order, chained.
    let leaves: Vec<Hash> = report
        .actions
        .iter()
        .map(|p| tlog::leaf_hash(&p.record))
        .collect();
    let chain = digest_chain(&id, &leaves);
    let mut last_seq = 0;
    let mut chain_reported = false;
    for (i, p) in report.actions.iter().enumerate() {
        let what = name(p);
        check(&what, p, &mut problems);
        if p.record.record.details.get("RequestId") != Some(&id) {
            problems.push(format!("{what} is not under request {id}"));
        }
        if p.record.seq <= last_seq {
            problems.push(format!("{what} is out of the log's order"));
        }
        last_seq = p.record.seq;
        if !chain_reported && p.digest.as_deref() != Some(b64(&chain[i + 1]).as_str()) {
            chain_reported = true;
            problems.push(format!(
                "the actions' digest breaks at {what}: an action before it was dropped or \
                 added, or this one was"
            ));
        }
    }
    // The end record: in the log, after every action, and agreeing.
    let end = &report.end;
    check("the end record", end, &mut problems);
    let detail = |key: &str| end.record.record.details.get(key).cloned();
    if end.record.record.activity != Activity::Lockbox(LockboxActivity::EndAccess)
        || end.record.record.item != id
    {
        problems.push(format!(
            "the end record is not request {id}'s end of access"
        ));
    }
    if end.record.seq <= last_seq {
        problems.push("an action was recorded after the end record".to_owned());
    }
    if let Some(s) = size.filter(|s| *s != end.record.seq as u64) {
        problems.push(format!(
            "the proofs are against a log of {s} records, not the {} the end record left",
            end.record.seq
        ));
    }
    let listed = report.actions.len();
    match detail("Actions").and_then(|n| n.parse::<usize>().ok()) {
        Some(n) if n > listed => problems.push(format!(
            "the end record counts {n} actions and the report lists {listed}: {} dropped",
            n - listed
        )),
        Some(n) if n < listed => problems.push(format!(
            "the end record counts {n} actions and the report lists {listed}: {} added",
            listed - n
        )),
        Some(_) => {}
        None => problems.push("the end record has no count of actions".to_owned()),
    }
    if detail("ActionsDigest").as_deref() != Some(b64(&chain[chain.len() - 1]).as_str()) {
        problems.push("the actions listed do not give the digest the end record holds".to_owned());
    }
    let counted = totals(
        &report
            .actions
            .iter()
            .map(|p| p.record.clone())
            .collect::<Vec<_>>(),
    );
    if counted != report.totals {
        problems.push("the totals per operation do not add up to the actions listed".to_owned());
    }
    match signer {
        Some(key) if problems.is_empty() => Ok(Verified {
            report,
            tree_size: size.unwrap_or_default(),
            key,
        }),
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{RequestId, TenantId, UserId};
    use crate::lifecycle::{self, Actor, NewRequest, TenantSwitches, Verb};
    use crate::plan;
    use crate::tlog::{MemoryTree, SigningKey};
    use crate::validation::{
        ApprovalsRequired, GrantDuration, OperationSet, Reason, ServiceName, TicketNumber,
    };

    const TENANT: &str = "7c0a8f4e-5a1b-4c3d-9e2f-000000000001";
    const MINUTE: i64 = 60_000;

    fn key(seed: u8) -> SigningKey {
        use base64::prelude::{Engine, BASE64_STANDARD};
        SigningKey::from_seed_base64("lockbox.test", &BASE64_STANDARD.encode([seed; 32]))
            .expect("key")
    }

    fn person(n: u8) -> Actor {
        Actor {
            user_id: UserId::parse(&format!("00000000-0000-4000-8000-0000000000{n:02}"))
                .expect("valid"),
            email: format!("person{n}@example"),
        }
    }

    const OPEN: TenantSwitches = TenantSwitches {
        lockbox_enabled: true,
        frozen: false,
        approvals_required: ApprovalsRequired::ONE,
    };

    /// A grant of 60 minutes from minute 0.
    fn granted() -> AccessRequest {
        let names = vec!["Get-Mailbox".to_owned(), "Get-Message".to_owned()];
        let input = NewRequest {
            tenant_id: TenantId::parse(TENANT).expect("valid"),
            service: ServiceName::parse("mail").expect("valid"),
            ticket: TicketNumber::parse("SR-1").expect("valid"),
            reason: Reason::parse("Mailbox will not open").expect("valid"),
            duration: GrantDuration::from_minutes(60).expect("valid"),
            operations: Some(OperationSet::parse("operations", &names).expect("valid")),
            reads_content: vec!["Get-Message".to_owned()],
            emergency: None,
        };
        let id = RequestId::parse("1b4e28ba-2fa1-11d2-883f-0016d3cca427").expect("valid");
        let asked = lifecycle::create(id, input, &person(1), -MINUTE);
        let pending = lifecycle::apply(
            &asked,
            Verb::Preapprove,
            &person(2),
            OPEN,
            None,
            None,
            None,
            -MINUTE,
        )
        .expect("pending");
        lifecycle::apply(
            &pending,
            Verb::Approve,
            &person(3),
            OPEN,
            None,
            None,
            None,
            0,
        )
        .expect("granted")
    }

    /// A log with `n` records stored so far.
    struct Log {
        records: Vec<AuditRecord>,
        tree: MemoryTree,
    }

    impl Log {
        fn push(&mut self, id: &str, record: NewAuditRecord, at: i64) -> AuditRecord {
            let stored = AuditRecord {
                id: id.to_owned(),
                seq: self.records.len() as i64 + 1,
                occurred_at: at,
                record,
            };
            self.tree.push(tlog::leaf_hash(&stored)).expect("push");
            self.records.push(stored.clone());
            stored
        }
    }

    fn action(request: &AccessRequest, operation: &str, refused: bool) -> NewAuditRecord {
        let mut details = BTreeMap::new();
        details.insert("RequestId".to_owned(), request.id.as_str().to_owned());
        details.insert("Mailbox".to_owned(), "ceo@contoso.example".to_owned());
        let outcome = if refused { "Refused" } else { "Succeeded" };
        details.insert("Outcome".to_owned(), outcome.to_owned());
        NewAuditRecord {
            tenant_id: request.tenant_id.clone(),
            ip: "198.51.100.7".to_owned(),
            user: "Contoso Operator".to_owned(),
            activity: Activity::provider(operation),
            item: "ceo@contoso.example".to_owned(),
            details,
        }
    }

    fn other(request: &AccessRequest) -> NewAuditRecord {
        NewAuditRecord::lockbox_setting(request.tenant_id.clone(), "", "admin@example", true)
    }

    /// A grant with three operator records (one refused) among other
    /// records, revoked at minute 20, and its signed report.
    fn reported(signer: &SigningKey) -> (String, Log) {
        let request = granted();
        let mut log = Log {
            records: Vec::new(),
            tree: MemoryTree::default(),
        };
        log.push("a", other(&request), 0);
        log.push("b", action(&request, "Get-Mailbox", false), MINUTE);
        log.push("c", other(&request), 2 * MINUTE);
        log.push("d", action(&request, "Get-Message", true), 3 * MINUTE);
        log.push("e", action(&request, "Get-Mailbox", false), 4 * MINUTE);
        let chain: Vec<AccessRequest> = Vec::new();
        let reads = plan::Reads {
            request: &request,
            switches: OPEN,
            extended: None,
            chain: &chain,
        };
        let origin = plan::Origin {
            ip: "203.0.113.9",
            service_account: "lockbox-service@lockbox.test",
        };
        let step = plan::decision(
            reads,
            Verb::Revoke,
            &person(3),
            None,
            lifecycle::Terms::default(),
            None,
            20 * MINUTE,
            origin,
        )
        .expect("revoked")
        .steps
        .remove(0);
        let actions: Vec<AuditRecord> = log.records[..]
            .iter()
            .filter(|r| r.record.details.contains_key("RequestId"))
            .cloned()
            .collect();
        let end_new = end_record(&step, &actions).expect("ends a grant");
        assert_eq!(end_new.details["Actions"], "3");
        assert_eq!(end_new.details["RefusedAttempts"], "1");
        assert_eq!(end_new.details["MinutesUsed"], "20");
        assert_eq!(end_new.ip, "", "never the revoker's address");
        log.push(&step.record_id(), step.record().clone(), 20 * MINUTE);
        let end = log.push(&end_record_id(request.id.as_str()), end_new, 20 * MINUTE);
        // A refused attempt after the end is in the log, not in the report.
        log.push("f", action(&request, "Get-Mailbox", true), 21 * MINUTE);
        let size = end.seq as u64;
        let root = log.tree.root_of(size).expect("root");
        let checkpoint = signer
            .sign_checkpoint(&tlog::origin("lockbox.test", TENANT), size, root)
            .expect("checkpoint");
        let proofs = actions
            .iter()
            .chain(std::iter::once(&end))
            .map(|r| tlog::inclusion_proof(size, r.seq as u64 - 1, &log.tree).expect("proof"))
            .collect();
        let history = log
            .records
            .iter()
            .filter(|r| r.record.item == request.id.as_str() && r.seq <= end.seq)
            .cloned()
            .collect();
        let after = step.after().clone();
        let report = assemble(
            Parts {
                request: &after,
                history,
                actions,
                end,
                checkpoint,
                proofs,
            },
            "lockbox.test",
            "customer",
        )
        .expect("assembled");
        let note = signer.sign_text(report.text().as_bytes()).expect("signed");
        (note, log)
    }

    fn problems(note: &str) -> Vec<String> {
        verify(note, &key(1).verifier_key())
            .err()
            .unwrap_or_default()
    }

    fn resigned(note: &str, change: impl Fn(&mut AccessReport)) -> String {
        let text = tlog::open_note(note, &key(1).verifier_key(), "report").expect("opens");
        let mut report: AccessReport = serde_json::from_str(&text).expect("a report");
        change(&mut report);
        key(1).sign_text(report.text().as_bytes()).expect("signed")
    }

    #[test]
    fn a_report_verifies_and_says_what_was_done() {
        let (note, _) = reported(&key(1));
        let verified = verify(&note, &key(1).verifier_key()).expect("verifies");
        let report = verified.report;
        assert_eq!(report.actions.len(), 3);
        assert_eq!(report.window.ended, "Revoked");
        assert_eq!(report.window.minutes_used, 20);
        assert_eq!(report.window.minutes_granted, 60);
        assert_eq!(
            report.totals,
            vec![
                OperationTotal {
                    operation: "Get-Mailbox".into(),
                    succeeded: 2,
                    refused: 0
                },
                OperationTotal {
                    operation: "Get-Message".into(),
                    succeeded: 0,
                    refused: 1
                },
            ]
        );
        assert_eq!(verified.tree_size, 7);
        // The same parts give the same report, byte for byte.
        assert_eq!(reported(&key(1)).0, note);
        // Each proof is a C2SP tlog-proof.
        assert!(report
            .end
            .proof
            .starts_with("c2sp.org/tlog-proof@v1\nindex 6\n"));
    }

    #[test]
    fn one_changed_byte_is_named() {
        let (note, _) = reported(&key(1));
        let changed = note.replacen("ceo@contoso.example", "cfo@contoso.example", 1);
        let found = problems(&changed);
        assert!(found.iter().any(|p| p.contains("signature")), "{found:?}");
        assert!(
            found
                .iter()
                .any(|p| p.contains("record 2 (Get-Mailbox") && p.contains("not in the log")),
            "{found:?}"
        );
    }

    #[test]
    fn a_dropped_action_is_named_even_when_signed_again() {
        let (note, _) = reported(&key(1));
        let dropped = resigned(&note, |r| {
            r.actions.remove(1);
            r.totals = totals(
                &r.actions
                    .iter()
                    .map(|p| p.record.clone())
                    .collect::<Vec<_>>(),
            );
        });
        let found = problems(&dropped);
        assert!(
            found
                .iter()
                .any(|p| p.contains("counts 3 actions") && p.contains("1 dropped")),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .any(|p| p.contains("breaks at the action at record 5")),
            "{found:?}"
        );
    }

    #[test]
    fn an_added_action_is_named() {
        let (note, log) = reported(&key(1));
        let added = resigned(&note, |r| {
            let mut fake = r.actions[0].clone();
            fake.record.seq = 3;
            fake.record.id = "c".into();
            r.actions.insert(1, fake);
        });
        let found = problems(&added);
        assert!(
            found
                .iter()
                .any(|p| p.contains("record 3 (Get-Mailbox") && p.contains("not in the log")),
            "{found:?}"
        );
        assert!(found.iter().any(|p| p.contains("1 added")), "{found:?}");
        // A real record of the log that is not under the grant is named too.
        let borrowed = resigned(&note, |r| {
            let mut real = r.actions[0].clone();
            real.record = log.records[2].clone();
            r.actions.insert(1, real);
        });
        let found = problems(&borrowed);
        assert!(
            found
                .iter()
                .any(|p| p.contains("record 3") && p.contains("is not under request")),
            "{found:?}"
        );
    }

    #[test]
    fn a_report_signed_with_another_key_fails() {
        let (note, _) = reported(&key(2));
        let found = problems(&note);
        assert!(
            found
                .iter()
                .any(|p| p.contains("the report is signed by")
                    && p.contains("not among the keys given")),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .any(|p| p.contains("checkpoint in the proof of the end record")),
            "{found:?}"
        );
    }

    #[test]
    fn only_the_steps_that_end_a_grant_get_an_end_record() {
        let request = granted();
        let completed = plan::sweep(std::slice::from_ref(&request), 61 * MINUTE, "svc");
        let step = &completed.steps[0];
        let end = end_record(step, &[]).expect("a completed grant ends");
        assert_eq!(end.details["Ended"], "Completed");
        assert_eq!(end.details["MinutesUsed"], "60");
        assert_eq!(end.details["Actions"], "0");
        assert_eq!(end.user, "svc");
        assert_eq!(
            end.details["ActionsDigest"],
            actions_digest(request.id.as_str(), &[])
        );
        let opened = plan::open(
            request.clone(),
            plan::Origin {
                ip: "",
                service_account: "svc",
            },
        );
        assert!(end_record(&opened.steps[0], &[]).is_none());
    }

    #[test]
    fn the_digest_depends_on_every_leaf_and_its_order() {
        let a = tlog_tiles::record_hash(b"a");
        let b = tlog_tiles::record_hash(b"b");
        let ab = digest_chain("r", &[a, b]);
        assert_ne!(ab[2], digest_chain("r", &[b, a])[2]);
        assert_ne!(ab[2], digest_chain("r", &[a])[1]);
        assert_ne!(digest_chain("r", &[])[0], digest_chain("s", &[])[0]);
    }
}
