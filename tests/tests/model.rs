//! Model-based property test of the request lifecycle.
//!
//! Random sequences of operations — create, pre-approve, reject, approve,
//! deny, cancel, revoke, racing decisions, clock jumps across the 4 h and
//! 12 h edges, approvals for fewer minutes than asked, the sweep run 0, 1
//! or 2 times, access checks, the Lockbox switch, freezing a tenant and
//! lifting it, quorums of 1 to 3 approvers, extensions of grants, a provider
//! service's batches of operator actions (alone, retried, and racing
//! decisions, freezes and the sweep) — run through the Worker's own code (`lockbox_backend::requests`,
//! its SQL builders and guards) on a real SQLite database with the real
//! migrations, and are compared after every step with a plain in-memory
//! model of the rules.
//!
//! `LOCKBOX_MODEL_CASES` (default 100) × 100 steps; raise it for a long run.

use std::cell::Cell;
use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use futures::executor::block_on;
use lockbox_backend::cron;
use lockbox_backend::error::AppError;
use lockbox_backend::service::integration::{self, Boundary, GrantKeys};
use lockbox_backend::service::operations;
use lockbox_backend::service::requests;
use lockbox_backend::service::settings;
use lockbox_backend::service::Stamp;
use lockbox_backend::store::requests as store;
use lockbox_backend::store::sqlite::{Split, Sqlite};
use lockbox_backend::store::Stores;
use lockbox_backend::store::{
    people, provider_index, Condition, Database, Global, Statement, Tenant,
};
use lockbox_provider::actions::{Action as ServiceAction, ActionBatch, RecordedBatch};
use lockbox_shared::api::CreateAccessRequest;
use lockbox_shared::ids::{RequestId, TenantId};
use lockbox_shared::integration::RegisteredService;
use lockbox_shared::lifecycle::{
    self, AccessRequest, Actor, State, Verb, DEADLINES, PENDING_LIFETIME_MS,
};
use lockbox_shared::roles::Principal;
use lockbox_shared::validation::{Comment, MAX_GRANT_MINUTES};
use proptest::prelude::*;

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const START: i64 = 1_800_000_000_000;
const SERVICE_ACCOUNT: &str = "lockbox-service@model.test";
const OPERATOR: &str = "Model Operator";
/// The user the log shows for actions a provider service records.
const PROVIDER_OPERATOR: &str = "Model Provider Operator";
const ISSUER: &str = "https://lockbox.model.test";
const CONTOSO: &str = "7c0a8f4e-5a1b-4c3d-9e2f-000000000001";
const FABRIKAM: &str = "7c0a8f4e-5a1b-4c3d-9e2f-000000000002";
const TENANTS: [&str; 2] = [CONTOSO, FABRIKAM];
const SERVICES: [&str; 2] = ["mail", "files"];

/// What the model's requests ask for: every operation the demo service
/// offers for `service`.
fn asked(service: &str) -> Vec<String> {
    lockbox_tests::operations_of(service)
        .into_iter()
        .map(str::to_owned)
        .collect()
}

/// The one database every test but the lifecycle's runs on, seeded.
/// The ids of the services' assertions the model's calls carry.
static ASSERTIONS: AtomicU64 = AtomicU64::new(0);

fn open_database() -> Sqlite {
    open_database_as(|db| db)
}

/// [`open_database`], with `shape` applied before the demo data goes in.
fn open_database_as(shape: impl FnOnce(Sqlite) -> Sqlite) -> Sqlite {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let db = shape(Sqlite::with_migrations(&root.join("migrations")).expect("migrations"));
    db.execute_script(&std::fs::read_to_string(root.join("seed/demo.sql")).expect("seed"))
        .expect("seed");
    seed_demo_requests(&db);
    db
}

/// The demo service registered and the demo requests made (as `make dev`
/// does).
fn seed_demo_requests<S: lockbox_backend::store::Stores>(db: &S) {
    block_on(lockbox_backend::demo::seed_with_service(
        db,
        Some(&demo_service_key()),
        START,
        SERVICE_ACCOUNT,
    ))
    .expect("demo requests");
}

/// The demo service's key in the model's world.
fn demo_service_key() -> lockbox_provider::assertion::ServiceKey {
    lockbox_provider::assertion::ServiceKey {
        service: "svc:sample".to_owned(),
        kid: "model-service".to_owned(),
        key: lockbox_provider::SigningKey::from_bytes(&[11; 32]),
    }
}

/// The split layout (a global database and one per tenant), seeded as
/// [`open_database`] is: people, tenants and services in the global one,
/// each tenant's own rows in its own, the demo requests through the
/// services.
fn open_split() -> Split {
    static SPLITS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let migrations = root.join("migrations");
    let name = format!(
        "model-{}-{}",
        std::process::id(),
        SPLITS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let global = Sqlite::shared(&name, &migrations).expect("migrations");
    global
        .execute_script(&std::fs::read_to_string(root.join("seed/demo.sql")).expect("seed"))
        .expect("seed");
    let tenants: Vec<TenantId> = TENANTS
        .iter()
        .map(|t| TenantId::parse(t).expect("valid"))
        .collect();
    let db = Split::new(&name, global, &tenants, &migrations).expect("split");
    seed_demo_requests(&db);
    db
}

/// Copies into the provider's index the requests a test wrote straight
/// into `access_requests` (as the migration that made the index did).
fn index_rows_written_directly(db: &Sqlite) {
    let columns = store::COLUMNS;
    db.execute_script(&format!(
        "INSERT INTO request_index ({columns}, progress) SELECT {columns}, 0 FROM access_requests \
         WHERE id NOT IN (SELECT id FROM request_index);"
    ))
    .expect("indexed");
}

/// How many requests the provider's index lacks or holds otherwise than
/// their tenant does (every column compared).
fn index_mismatches(db: &Sqlite) -> i64 {
    let differs: Vec<String> = store::COLUMNS
        .split(", ")
        .map(|c| format!("a.{c} IS NOT i.{c}"))
        .collect();
    db.conn
        .query_row(
            &format!(
                "SELECT COUNT(*) FROM access_requests a LEFT JOIN request_index i ON i.id = a.id \
                 WHERE i.id IS NULL OR {}",
                differs.join(" OR ")
            ),
            [],
            |r| r.get(0),
        )
        .expect("index")
}

/// A seeded person of `db`.
fn seeded(db: &Sqlite, email: &str) -> Principal {
    block_on(people::principal(db, email))
        .expect("query")
        .unwrap_or_else(|| panic!("{email} is seeded"))
}

/// A call's stamp at `now`, from one address.
fn stamp_at(now: i64) -> Stamp<'static> {
    Stamp {
        now,
        ip: "203.0.113.7",
        service_account: SERVICE_ACCOUNT,
    }
}

/// A Contoso request of `service` with `ticket`, opened by engineer1,
/// pre-approved by the manager and approved by approver1 at `now`.
fn granted_request(db: &Sqlite, service: &str, ticket: &str, now: i64) -> RequestId {
    let input = CreateAccessRequest {
        tenant_id: CONTOSO.to_owned(),
        service: service.to_owned(),
        ticket: ticket.to_owned(),
        reason: "Work under a grant".to_owned(),
        duration_minutes: 60,
        operations: asked(service),
        emergency: None,
    };
    let engineer = seeded(db, "engineer1@provider.example");
    let view = block_on(requests::create(db, &engineer, &input, &stamp_at(now))).expect("create");
    for (person, verb) in [
        ("manager@provider.example", Verb::Preapprove),
        ("approver1@contoso.example", Verb::Approve),
    ] {
        block_on(requests::act(
            db,
            &seeded(db, person),
            &view.id,
            verb,
            None,
            requests::Granting::default(),
            None,
            &stamp_at(now),
            None,
        ))
        .unwrap_or_else(|e| panic!("{verb}: {e:?}"));
    }
    view.id
}

/// The people, in the order operations pick them.
const PEOPLE: [&str; 10] = [
    "engineer1@provider.example",
    "engineer2@provider.example",
    "manager@provider.example",
    "approver1@contoso.example",
    "approver2@contoso.example",
    "admin@contoso.example",
    "auditor@contoso.example",
    "approver@fabrikam.example",
    "admin@fabrikam.example",
    // Both engineer and manager: the two-person rule can trip.
    "lead@provider.example",
];

fn is_engineer(p: usize) -> bool {
    matches!(p, 0 | 1 | 9)
}
fn is_manager(p: usize) -> bool {
    matches!(p, 2 | 9)
}
fn is_provider(p: usize) -> bool {
    matches!(p, 0 | 1 | 2 | 9)
}
/// The tenant person `p` belongs to, if a customer.
fn tenant_of(p: usize) -> Option<usize> {
    match p {
        3..=6 => Some(0),
        7 | 8 => Some(1),
        _ => None,
    }
}
/// Whether customer `p` may approve, deny and revoke in their tenant.
fn is_approver(p: usize) -> bool {
    matches!(p, 3 | 4 | 5 | 7 | 8)
}
/// Whether customer `p` is a global admin of their tenant.
fn is_admin(p: usize) -> bool {
    matches!(p, 5 | 8)
}

/// How a call ended, by HTTP status: what a client can tell apart.
fn kind(result: &Result<(), AppError>) -> u16 {
    match result {
        Ok(()) => 200,
        Err(err) => err.problem().status,
    }
}

#[derive(Debug, Clone)]
enum Op {
    Create {
        engineer: usize,
        tenant: usize,
        service: usize,
        minutes: u32,
    },
    Act {
        verb: Verb,
        request: usize,
        person: usize,
        comment: bool,
        /// For an approval: grant this many minutes instead of what was
        /// asked (more than asked is refused).
        granted: Option<u32>,
    },
    /// An approver of its tenant approves a request pending for the
    /// customer (one of them, by `pick`), possibly for less than asked.
    ApprovePending {
        pick: usize,
        approver: usize,
        granted: Option<u32>,
        /// Allow only the operations asked for whose bit is set (by their
        /// order); `None`: all of them.
        allow: Option<u8>,
    },
    /// The same call twice with one Idempotency-Key.
    Repeat {
        verb: Verb,
        request: usize,
        person: usize,
    },
    Race {
        request: usize,
        first: (Verb, usize),
        second: (Verb, usize),
    },
    /// A decision and the sweep at the same time.
    RaceSweep {
        request: usize,
        verb: Verb,
        person: usize,
    },
    Advance {
        ms: i64,
    },
    /// The sweep, `times` times, as of `back` ms before now (a late or
    /// replayed run).
    Sweep {
        times: u8,
        back: i64,
    },
    Check {
        engineer: usize,
        tenant: usize,
        service: usize,
    },
    Switch {
        tenant: usize,
        on: bool,
    },
    /// `person` asks to extend request `request`'s grant by `minutes`.
    Extend {
        request: usize,
        person: usize,
        minutes: u32,
    },
    /// The requester of a live grant (one of them, by `pick`) asks for
    /// `minutes` more, the manager and the tenant's approvers approve it,
    /// and then, when `revoke`, an approver revokes the first grant.
    ExtendLive {
        pick: usize,
        minutes: u32,
        revoke: bool,
    },
    /// The requester of a live grant asks for more time twice at once (a
    /// double tap, two tabs): at most one extension comes of it.
    ExtendTwice {
        pick: usize,
        minutes: u32,
    },
    /// A global admin sets how many approvals the tenant requires.
    Quorum {
        tenant: usize,
        n: usize,
    },
    /// A global admin freezes the tenant ("Revoke all access now") or
    /// lifts its freeze.
    Freeze {
        tenant: usize,
        on: bool,
    },
    /// The provider service records a batch of `actions` operator actions
    /// under request `request`'s grant, naming it by a grant token the
    /// requester just got (`token`) or by its id, and sends the batch a
    /// second time when `retry`.
    Record {
        request: usize,
        actions: usize,
        token: bool,
        retry: bool,
    },
    /// A batch recorded earlier is sent again (a retry after a lost
    /// answer, perhaps after the grant ended).
    Resend {
        pick: usize,
    },
    /// A batch and something that may end its grant at the same time:
    /// the batch's calls first or second.
    RaceRecord {
        request: usize,
        with: Rival,
        record_first: bool,
    },
}

/// What races a batch.
#[derive(Debug, Clone, Copy)]
enum Rival {
    Decision(Verb, usize),
    Freeze,
    Sweep,
}

fn verb() -> impl Strategy<Value = Verb> {
    prop::sample::select(Verb::BY_PEOPLE.to_vec())
}

/// Someone who holds the role `verb` needs (the decision may still be
/// refused by state, tenant or the two-person rule).
fn plausible(verb: Verb) -> Vec<usize> {
    match verb {
        Verb::Preapprove | Verb::Reject => vec![2, 9],
        Verb::Approve | Verb::Deny | Verb::Revoke | Verb::Ratify | Verb::Dispute => {
            vec![3, 4, 5, 7, 8]
        }
        _ => vec![0, 1, 9],
    }
}

/// A verb and who tries it: half the time anyone, half the time someone
/// who holds the role, so that decisions (and races between them) succeed
/// often enough to matter.
fn attempt() -> impl Strategy<Value = (Verb, usize)> {
    verb().prop_flat_map(|verb| {
        prop_oneof![
            (Just(verb), 0..PEOPLE.len()),
            (Just(verb), prop::sample::select(plausible(verb))),
        ]
    })
}

fn engineer() -> impl Strategy<Value = usize> {
    prop::sample::select(vec![0usize, 1, 9])
}

fn op() -> impl Strategy<Value = Op> {
    let minutes = prop_oneof![
        Just(1u32),
        Just(60),
        Just(MAX_GRANT_MINUTES - 1),
        Just(MAX_GRANT_MINUTES),
        1..=MAX_GRANT_MINUTES,
    ];
    // Jumps that land on and around the 4 h and 12 h edges.
    let jump = prop_oneof![
        Just(1i64),
        Just(MINUTE),
        Just(HOUR),
        Just(4 * HOUR - 1),
        Just(4 * HOUR),
        Just(4 * HOUR + 1),
        Just(PENDING_LIFETIME_MS - 1),
        Just(PENDING_LIFETIME_MS),
        Just(PENDING_LIFETIME_MS + 1),
        Just(24 * HOUR),
        1..(13 * HOUR),
    ];
    prop_oneof![
        3 => (engineer(), 0..2usize, 0..2usize, minutes)
            .prop_map(|(engineer, tenant, service, minutes)| Op::Create { engineer, tenant, service, minutes }),
        8 => (attempt(), 0..64usize, any::<bool>(), prop_oneof![Just(None), prop_oneof![Just(1u32), Just(15), Just(30), 1..=MAX_GRANT_MINUTES].prop_map(Some)])
            .prop_map(|((verb, person), request, comment, granted)| Op::Act {
                verb, request, person, comment,
                granted: granted.filter(|_| verb == Verb::Approve),
            }),
        2 => (0..64usize, 0..6usize, prop_oneof![Just(None), prop_oneof![Just(1u32), Just(30), 1..=MAX_GRANT_MINUTES].prop_map(Some)], prop_oneof![Just(None), (1u8..16).prop_map(Some)])
            .prop_map(|(pick, approver, granted, allow)| Op::ApprovePending { pick, approver, granted, allow }),
        1 => (attempt(), 0..64usize)
            .prop_map(|((verb, person), request)| Op::Repeat { verb, request, person }),
        2 => (0..64usize, attempt(), attempt())
            .prop_map(|(request, first, second)| Op::Race { request, first, second }),
        1 => (0..64usize, attempt())
            .prop_map(|(request, (verb, person))| Op::RaceSweep { request, verb, person }),
        3 => jump.prop_map(|ms| Op::Advance { ms }),
        2 => (0..=2u8, prop_oneof![Just(0i64), Just(HOUR), 0..(13 * HOUR)])
            .prop_map(|(times, back)| Op::Sweep { times, back }),
        2 => (engineer(), 0..2usize, 0..2usize)
            .prop_map(|(engineer, tenant, service)| Op::Check { engineer, tenant, service }),
        1 => (0..2usize, any::<bool>()).prop_map(|(tenant, on)| Op::Switch { tenant, on }),
        2 => (0..2usize, 1..=3usize).prop_map(|(tenant, n)| Op::Quorum { tenant, n }),
        3 => (any::<usize>(), 1..=240u32, any::<bool>())
            .prop_map(|(pick, minutes, revoke)| Op::ExtendLive { pick, minutes, revoke }),
        1 => (any::<usize>(), 1..=240u32)
            .prop_map(|(pick, minutes)| Op::ExtendTwice { pick, minutes }),
        // Mostly the requester of a grant; sometimes someone else, or a
        // length out of range.
        5 => (0..64usize, prop_oneof![6 => Just(None), 1 => (0..PEOPLE.len()).prop_map(Some)], prop_oneof![8 => 1..=240u32, 1 => Just(0u32), 1 => 241..400u32])
            .prop_map(|(request, person, minutes)| Op::Extend { request, person: person.unwrap_or(usize::MAX), minutes }),
        1 => (0..2usize, prop_oneof![1 => Just(true), 2 => Just(false)]).prop_map(|(tenant, on)| Op::Freeze { tenant, on }),
        4 => (0..64usize, 1..=4usize, any::<bool>(), prop_oneof![3 => Just(false), 1 => Just(true)])
            .prop_map(|(request, actions, token, retry)| Op::Record { request, actions, token, retry }),
        1 => any::<usize>().prop_map(|pick| Op::Resend { pick }),
        4 => (0..64usize, prop_oneof![
                4 => prop_oneof![Just(3usize), Just(4), Just(5), Just(7), Just(8)]
                    .prop_map(|person| Rival::Decision(Verb::Revoke, person)),
                2 => attempt().prop_map(|(verb, person)| Rival::Decision(verb, person)),
                1 => Just(Rival::Freeze),
                1 => Just(Rival::Sweep),
            ], any::<bool>())
            .prop_map(|(request, with, record_first)| Op::RaceRecord { request, with, record_first }),
    ]
}

/// The plain model: the rules of SPEC §1 and §2, written as simply as
/// possible, independently of `lockbox_shared`.
#[derive(Debug, Clone)]
struct ModelRequest {
    id: RequestId,
    tenant: usize,
    service: usize,
    requester: usize,
    duration_ms: i64,
    state: State,
    /// The deadline of the current state (pending expiry or grant end).
    deadline: i64,
    changes: usize,
    /// Whether a manager pre-approved it: from then on the customer sees it.
    preapproved: bool,
    /// The e-mails its changes called for: kind → how many recipients.
    notices: BTreeMap<&'static str, usize>,
    /// How many approvals it needs (its tenant's setting at pre-approval).
    required: usize,
    /// Who approved it so far, and the shortest grant any of them gave.
    approvers: Vec<usize>,
    shortest: Option<u32>,
    /// When its grant starts (an extension's may start in the future).
    starts: i64,
    /// For an extension: when the chain's first grant started, and when
    /// the grant it extends ends.
    chain: Option<(i64, i64)>,
    /// For an extension: the model request it extends.
    parent: Option<usize>,
    /// For an extension: whether the grant it extends is over (ended or
    /// revoked) as of the step being run; then it is never approved.
    parent_over: bool,
    /// The operations it asks for (every one of its service; for an
    /// extension, what its parent allowed), and those its grant allows:
    /// what every approver so far allowed of them.
    asked: Vec<String>,
    allowed: Vec<String>,
}

/// How many people of the model's world an e-mail of `kind` about a
/// request of `tenant` by `requester` goes to (SPEC §4a): managers other
/// than the requester; the tenant's global admins and approvers; or the
/// requester alone.
fn recipients(kind: &str, tenant: usize, requester: usize) -> usize {
    match kind {
        "awaiting-preapproval" => (0..PEOPLE.len())
            .filter(|&p| is_manager(p) && p != requester)
            .count(),
        "pending-approval" => (0..PEOPLE.len())
            .filter(|&p| is_approver(p) && tenant_of(p) == Some(tenant))
            .count(),
        _ => 1,
    }
}

impl ModelRequest {
    /// A request `(tenant, service, requester)` opened at `now` for
    /// `minutes`: it waits for a manager, who is told.
    fn new(
        id: RequestId,
        (tenant, service, requester): (usize, usize, usize),
        minutes: u32,
        now: i64,
    ) -> Self {
        let mut new = ModelRequest {
            id,
            tenant,
            service,
            requester,
            duration_ms: i64::from(minutes) * MINUTE,
            state: State::PendingManagerApproval,
            deadline: now + PENDING_LIFETIME_MS,
            changes: 1,
            preapproved: false,
            notices: BTreeMap::new(),
            required: 1,
            approvers: Vec::new(),
            shortest: None,
            starts: 0,
            chain: None,
            parent: None,
            parent_over: false,
            asked: asked(SERVICES[service]),
            allowed: asked(SERVICES[service]),
        };
        new.asked.sort();
        new.allowed.sort();
        new.tell(&["awaiting-preapproval"]);
        new
    }

    /// Whether its grant opens the content at `now`.
    fn live(&self, now: i64) -> bool {
        self.effective(now) == State::Approved && self.starts <= now
    }

    /// The window a grant of `length` ms that starts at `now` gets: an
    /// extension starts no earlier than the grant it extends ends, and
    /// ends no later than 8 h after the chain's first start; `None` when
    /// less than a minute is left.
    fn window(&self, length: i64, now: i64) -> Option<(i64, i64)> {
        match self.chain {
            None => Some((now, now + length)),
            Some((first, continues)) => {
                let starts = now.max(continues);
                let ends = (starts + length).min(first + 8 * HOUR);
                (ends - starts >= MINUTE).then_some((starts, ends))
            }
        }
    }

    fn effective(&self, now: i64) -> State {
        match self.state {
            State::PendingManagerApproval | State::PendingCustomerApproval
                if now >= self.deadline =>
            {
                State::Expired
            }
            State::Approved if now >= self.deadline => State::Completed,
            s => s,
        }
    }

    /// The HTTP status `verb` by `person` at `now` gets (200 when it is
    /// allowed), and the change it makes.
    fn apply(
        &mut self,
        verb: Verb,
        person: usize,
        (lockbox_on, frozen, required): (bool, bool, usize),
        granted: Option<u32>,
        now: i64,
    ) -> u16 {
        let status = self.expect(verb, person, (lockbox_on, frozen), granted, now);
        if status != 200 {
            return status;
        }
        if verb == Verb::Approve {
            self.approvers.push(person);
            self.shortest = match (self.shortest, granted) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            if self.approvers.len() < self.required {
                // Its own record; still waiting, with the same deadline.
                self.changes += 1;
                return 200;
            }
        }
        self.state = match verb {
            Verb::Preapprove if lockbox_on => {
                self.preapproved = true;
                self.required = required;
                self.deadline = now + PENDING_LIFETIME_MS;
                State::PendingCustomerApproval
            }
            Verb::Preapprove | Verb::Approve => {
                self.preapproved = true;
                // An approver may grant less than was asked; with a quorum
                // the shortest grant wins.
                let minutes = if verb == Verb::Approve {
                    self.shortest
                } else {
                    None
                };
                let length = minutes.map_or(self.duration_ms, |m| i64::from(m) * MINUTE);
                let (starts, ends) = self.window(length, now).expect("checked by expect");
                self.starts = starts;
                self.deadline = ends;
                State::Approved
            }
            Verb::Reject => State::Rejected,
            Verb::Deny => State::Denied,
            Verb::Cancel => State::Cancelled,
            _ => State::Revoked,
        };
        self.changes += 1;
        if verb == Verb::Revoke {
            self.end_grant(Some(person));
        }
        let told: &[&'static str] = match verb {
            Verb::Preapprove if lockbox_on => &["preapproved", "pending-approval"],
            Verb::Preapprove => &["preapproved"],
            Verb::Reject => &["rejected"],
            Verb::Approve => &["approved"],
            Verb::Deny => &["denied"],
            Verb::Revoke => &["revoked"],
            _ => &[],
        };
        self.tell(told);
        200
    }

    /// Its grant ends (revoked by `by`, or ran out): one more record (what
    /// was done under it), and the e-mail that says so to the tenant's
    /// global admins and the people who decided, once each.
    fn end_grant(&mut self, by: Option<usize>) {
        self.changes += 1;
        let mut told: std::collections::BTreeSet<usize> = (0..PEOPLE.len())
            .filter(|&p| is_admin(p) && tenant_of(p) == Some(self.tenant))
            .collect();
        told.extend(self.approvers.iter().copied());
        told.extend(by);
        *self.notices.entry("access-report").or_default() += told.len();
    }

    fn tell(&mut self, kinds: &[&'static str]) {
        for kind in kinds {
            *self.notices.entry(kind).or_default() += recipients(kind, self.tenant, self.requester);
        }
    }

    fn expect(
        &self,
        verb: Verb,
        person: usize,
        (lockbox_on, frozen): (bool, bool),
        granted: Option<u32>,
        now: i64,
    ) -> u16 {
        // A grant that would start now: an extension past its chain's
        // limit gets none.
        let grants_now = match verb {
            Verb::Preapprove => !lockbox_on,
            Verb::Approve => self.approvers.len() + 1 >= self.required,
            _ => false,
        };
        let too_late = grants_now && self.window(self.duration_ms, now).is_none();
        let state = self.effective(now);
        // The caller's side and role, checked before anything is read.
        let has_role = match verb {
            Verb::Preapprove | Verb::Reject => is_manager(person),
            Verb::Approve | Verb::Deny | Verb::Revoke => is_approver(person),
            Verb::Ratify | Verb::Dispute => is_approver(person),
            Verb::Cancel => is_engineer(person),
            Verb::Expire | Verb::Complete | Verb::Lapse => false,
        };
        if !has_role {
            return 403;
        }
        // Other tenants' requests, and other engineers' for an engineer
        // who is not a manager, do not exist for the caller.
        if let Some(t) = tenant_of(person) {
            // Nor do requests the manager has not pre-approved.
            if t != self.tenant || !self.preapproved {
                return 404;
            }
        }
        if is_provider(person) && person != self.requester && !is_manager(person) {
            return 404;
        }
        // Minutes granted: 1 up to what was asked, on an approval only.
        if let Some(minutes) = granted {
            if verb != Verb::Approve
                || minutes == 0
                || i64::from(minutes) * MINUTE > self.duration_ms
            {
                return 400;
            }
        }
        match verb {
            Verb::Preapprove | Verb::Reject => {
                if state != State::PendingManagerApproval {
                    409
                } else if person == self.requester {
                    403
                } else if too_late && verb == Verb::Preapprove {
                    409
                } else if verb == Verb::Preapprove && self.parent_over {
                    // An extension of a grant that is over moves on no
                    // further: it could never be approved.
                    409
                } else if frozen && verb == Verb::Preapprove {
                    // Nothing is pre-approved while the tenant is frozen:
                    // 403, as an operation on its content is.
                    403
                } else {
                    200
                }
            }
            Verb::Approve | Verb::Deny => {
                if state != State::PendingCustomerApproval
                    // The same person cannot approve twice.
                    || (verb == Verb::Approve && self.approvers.contains(&person))
                    || (verb == Verb::Approve && too_late)
                    // An extension of a grant that is over is never approved.
                    || (verb == Verb::Approve && self.parent_over)
                {
                    409
                } else if frozen && verb == Verb::Approve {
                    // Checked after every other rule, and answered as an
                    // operation on a frozen tenant's content is.
                    403
                } else {
                    200
                }
            }
            Verb::Cancel => {
                if person != self.requester {
                    403
                } else if matches!(
                    state,
                    State::PendingManagerApproval | State::PendingCustomerApproval
                ) {
                    200
                } else {
                    409
                }
            }
            Verb::Revoke => {
                if state == State::Approved {
                    200
                } else {
                    409
                }
            }
            // The model's requests are no emergencies: nothing to review.
            Verb::Ratify | Verb::Dispute => 409,
            Verb::Expire | Verb::Complete | Verb::Lapse => 404,
        }
    }

    fn sweep(&mut self, now: i64) {
        let effective = self.effective(now);
        if effective != self.state {
            if effective == State::Expired {
                self.tell(&["expired"]);
            }
            if effective == State::Completed {
                self.end_grant(None);
            }
            self.state = effective;
            self.changes += 1;
        }
    }
}

struct World {
    /// The global database and one per tenant, as the Worker runs them.
    db: Split,
    people: Vec<Principal>,
    model: Vec<ModelRequest>,
    lockbox: [bool; 2],
    frozen: [bool; 2],
    /// How many approvals each tenant requires.
    required: [usize; 2],
    now: i64,
    executed: usize,
    keys: Cell<u64>,
    /// Approvals that granted less than was asked.
    shortened: usize,
    /// Model requests a freeze revoked or denied.
    frozen_out: usize,
    /// The largest quorum a grant was given under.
    quorum_grants: Cell<usize>,
    /// Extensions asked for; those granted right where the grant they
    /// extend ends.
    extensions: usize,
    extended: std::cell::RefCell<std::collections::HashSet<String>>,
    /// Extensions revoked with the grant they extend.
    cascaded: usize,
    /// Double taps on "Ask for more time" that made one extension.
    doubled: usize,
    /// The provider service that records batches, and the boundary's keys.
    service: RegisteredService,
    grant_keys: Result<GrantKeys, String>,
    /// Batches recorded, with their first answers.
    recorded: Vec<(ActionBatch, RecordedBatch)>,
    /// Batches sent (their ids are numbered), refused, and sent by a token.
    batches_sent: usize,
    batches_refused: usize,
    batches_by_token: usize,
    /// Races of a batch and a change that ended its grant, by who won.
    races_won: usize,
    races_lost: usize,
    /// Approvals that allowed some of the operations asked for, and
    /// operations refused under a live grant that does not allow them.
    operations_chosen: usize,
    outside_refused: usize,
    /// Approvals refused because with them no operation would be left.
    nothing_left: usize,
}

impl World {
    fn new() -> Self {
        let db = open_split();
        let people = PEOPLE
            .iter()
            .map(|email| {
                block_on(people::principal(&db.global(), email))
                    .expect("query")
                    .unwrap_or_else(|| panic!("{email} is seeded"))
            })
            .collect();
        let service_key = demo_service_key();
        block_on(lockbox_backend::demo::register_service(
            &db.global(),
            &service_key,
            START,
            SERVICE_ACCOUNT,
        ))
        .expect("the demo service registers");
        let service = block_on(lockbox_backend::store::services::by_id(
            &db.global(),
            &service_key.service,
        ))
        .expect("read")
        .expect("registered");
        let grant_keys = grant_keys();
        // The demo requests are the sweep's concern, and the audit counts'.
        Self {
            service,
            grant_keys,
            recorded: Vec::new(),
            batches_sent: 0,
            batches_refused: 0,
            batches_by_token: 0,
            races_won: 0,
            races_lost: 0,
            operations_chosen: 0,
            outside_refused: 0,
            nothing_left: 0,
            db,
            people,
            model: Vec::new(),
            lockbox: [true, false],
            frozen: [false, false],
            required: [1, 1],
            now: START,
            executed: 0,
            keys: Cell::new(0),
            shortened: 0,
            frozen_out: 0,
            quorum_grants: Cell::new(0),
            extensions: 0,
            extended: Default::default(),
            cascaded: 0,
            doubled: 0,
        }
    }

    fn stamp(&self) -> Stamp<'static> {
        Stamp {
            now: self.now,
            ip: "203.0.113.7",
            service_account: SERVICE_ACCOUNT,
        }
    }

    fn request(&self, pick: usize) -> Option<usize> {
        (!self.model.is_empty()).then(|| pick % self.model.len())
    }

    /// Most of the time a request whose grant is live, if any is.
    fn batch_request(&self, pick: usize) -> Option<usize> {
        let live: Vec<usize> = (0..self.model.len())
            .filter(|&i| self.grant_live(i))
            .collect();
        match live.get((pick / 4) % live.len().max(1)) {
            Some(&i) if !pick.is_multiple_of(4) => Some(i),
            _ => self.request(pick),
        }
    }

    /// Applies `verb` by `person` to the model's `request` now; returns the
    /// status the API must answer.
    fn apply_to_model(
        &mut self,
        request: usize,
        verb: Verb,
        person: usize,
        granted: Option<u32>,
    ) -> u16 {
        let tenant = self.model[request].tenant;
        let switches = (
            self.lockbox[tenant],
            self.frozen[tenant],
            self.required[tenant],
        );
        self.see_parent(request);
        let status = self.model[request].apply(verb, person, switches, granted, self.now);
        if verb == Verb::Revoke && status == 200 {
            self.revoke_extensions(request, person);
        }
        status
    }

    /// What an extension's decision reads of the grant it extends: whether
    /// that grant is over now.
    fn see_parent(&mut self, request: usize) {
        let now = self.now;
        let over = self.model[request]
            .parent
            .is_some_and(|p| self.model[p].effective(now) != State::Approved);
        self.model[request].parent_over = over;
    }

    /// Whether `request` has an open extension now (waiting, or approved
    /// and not over): then no second one is made.
    fn has_open_extension(&self, request: usize) -> bool {
        self.model.iter().any(|m| {
            m.parent == Some(request)
                && matches!(
                    m.effective(self.now),
                    State::PendingManagerApproval
                        | State::PendingCustomerApproval
                        | State::Approved
                )
        })
    }

    /// A revocation of `request` ends every later member of its chain in
    /// the same write: an approved one is revoked, one waiting for the
    /// customer denied; one with the manager stays (it can never be
    /// approved now).
    fn revoke_extensions(&mut self, request: usize, by: usize) {
        let now = self.now;
        let mut follow = vec![request];
        while let Some(i) = follow.pop() {
            for j in 0..self.model.len() {
                if self.model[j].parent != Some(i) {
                    continue;
                }
                follow.push(j);
                let m = &mut self.model[j];
                let (ended, told) = match m.effective(now) {
                    State::Approved => (State::Revoked, "revoked"),
                    State::PendingCustomerApproval => (State::Denied, "denied"),
                    _ => continue,
                };
                m.state = ended;
                m.changes += 1;
                m.tell(&[told]);
                if ended == State::Revoked {
                    m.end_grant(Some(by));
                }
                self.cascaded += 1;
            }
        }
    }

    fn act<'a>(
        &'a self,
        verb: Verb,
        request: usize,
        person: usize,
        comment: Option<&'a str>,
        granted: Option<u32>,
        key: Option<String>,
    ) -> impl Future<Output = Result<(), AppError>> + 'a {
        let id = self.model[request].id.clone();
        let principal = &self.people[person];
        let stamp = self.stamp();
        // Every other decision reads the request and its tenant in the
        // round trip that finds the caller, as the Worker does.
        let fused = self.executed.is_multiple_of(2);
        async move {
            let comment = comment.map(|c| Comment::parse(c).expect("valid comment"));
            let located = if fused {
                let (found, rows) = people::principal_and(
                    &self.db.global(),
                    &principal.email,
                    provider_index::locate_statement(&id),
                )
                .await
                .expect("reads");
                assert_eq!(found.as_ref(), Some(principal));
                let rows: Vec<provider_index::Located> = rows;
                Some(rows.into_iter().next())
            } else {
                None
            };
            requests::act(
                &self.db,
                principal,
                &id,
                verb,
                comment,
                requests::Granting {
                    minutes: granted,
                    operations: None,
                },
                key.as_deref(),
                &stamp,
                located,
            )
            .await
            .map(|_| ())
        }
    }

    /// `person` approves `request` allowing only the operations asked for
    /// whose bit in `mask` is set (the first, if none is): what every
    /// approver allowed is what the grant allows, and an approval that
    /// would leave nothing is refused (409) and changes nothing. Once the
    /// grant is live, an operation it does not allow is refused (403) and
    /// leaves no record of an action.
    fn approve_some(&mut self, request: usize, person: usize, granted: Option<u32>, mask: u8) {
        let asked = asked(SERVICES[self.model[request].service]);
        let mut chosen: Vec<String> = asked
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, op)| op.clone())
            .collect();
        if chosen.is_empty() {
            chosen.push(asked[0].clone());
        }
        // Often, after another approver allowed fewer: only what they did
        // not allow (which leaves nothing).
        let m = &self.model[request];
        let others: Vec<String> = m
            .asked
            .iter()
            .filter(|op| !m.allowed.contains(op))
            .cloned()
            .collect();
        if mask & 8 != 0 && !m.approvers.is_empty() && !others.is_empty() {
            chosen = others;
        }
        let tenant = self.model[request].tenant;
        self.see_parent(request);
        let as_read = self.model[request].expect(
            Verb::Approve,
            person,
            (self.lockbox[tenant], self.frozen[tenant]),
            granted,
            self.now,
        );
        let model = &self.model[request];
        let left: Vec<String> = model
            .allowed
            .iter()
            .filter(|op| chosen.contains(op))
            .cloned()
            .collect();
        let not_asked = chosen.iter().any(|op| !model.asked.contains(op));
        let expected = match (as_read, not_asked, left.is_empty()) {
            (200, true, _) => 400,
            (200, false, true) => {
                self.nothing_left += 1;
                409
            }
            (200, false, false) => {
                let status = self.apply_to_model(request, Verb::Approve, person, granted);
                self.model[request].allowed = left;
                status
            }
            (other, _, _) => other,
        };
        let granting = requests::Granting {
            minutes: granted,
            operations: Some(chosen),
        };
        let actual = block_on(self.act_granting(Verb::Approve, request, person, granting));
        assert_eq!(
            kind(&actual),
            expected,
            "approving some operations of {:?}: {actual:?}",
            self.model[request]
        );
        if expected != 200 {
            return;
        }
        self.operations_chosen += 1;
        let stored = block_on(store::load(
            &self
                .db
                .tenant(TenantId::parse(TENANTS[tenant]).expect("valid")),
            &self.model[request].id,
        ))
        .expect("read")
        .expect("stored");
        let mut allowed = self.model[request].allowed.clone();
        allowed.sort();
        assert_eq!(stored.allowed_operations(), Some(allowed.clone()));
        // Under the live grant, an operation it does not allow is refused.
        if self.grant_live(request) {
            if let Some(outside) = asked.iter().find(|op| !allowed.contains(op)) {
                let mut batch = self.prepare_batch(request, 1, false);
                batch.actions[0].operation = outside.clone();
                let refused = block_on(self.record_call(&batch));
                let status = refused.as_ref().err().map(|e| e.problem().status);
                assert_eq!(
                    status,
                    Some(403),
                    "{outside} outside the grant: {refused:?}"
                );
                self.outside_refused += 1;
            }
        }
    }

    fn act_granting<'a>(
        &'a self,
        verb: Verb,
        request: usize,
        person: usize,
        granting: requests::Granting,
    ) -> impl Future<Output = Result<(), AppError>> + 'a {
        let id = self.model[request].id.clone();
        let principal = &self.people[person];
        let stamp = self.stamp();
        async move {
            requests::act(
                &self.db, principal, &id, verb, None, granting, None, &stamp, None,
            )
            .await
            .map(|_| ())
        }
    }

    fn fresh_key(&self) -> String {
        self.keys.set(self.keys.get() + 1);
        format!("key-{}", self.keys.get())
    }

    fn sweep_both(&mut self, at: i64) {
        block_on(cron::sweep(&self.db, at, SERVICE_ACCOUNT)).expect("sweep");
        for r in &mut self.model {
            r.sweep(at);
        }
    }

    fn last_comment(&self, id: &RequestId) -> Option<String> {
        self.db
            .all
            .conn
            .query_row(
                "SELECT json_extract(details, '$.Comment') FROM audit_log WHERE item = ? AND activity <> 'End-CustomerDataAccess' ORDER BY seq DESC LIMIT 1",
                [id.as_str()],
                |r| r.get::<_, Option<String>>(0),
            )
            .expect("query")
    }

    fn step(&mut self, op: &Op) {
        match *op {
            Op::Create {
                engineer,
                tenant,
                service,
                minutes,
            } => {
                let input = CreateAccessRequest {
                    tenant_id: TENANTS[tenant].to_owned(),
                    service: SERVICES[service].to_owned(),
                    ticket: format!("SR-{}", self.executed),
                    reason: "Model test".to_owned(),
                    duration_minutes: minutes,
                    operations: asked(SERVICES[service]),
                    emergency: None,
                };
                let view = block_on(requests::create(
                    &self.db,
                    &self.people[engineer],
                    &input,
                    &self.stamp(),
                ))
                .expect("an engineer can always open a valid request");
                let new =
                    ModelRequest::new(view.id, (tenant, service, engineer), minutes, self.now);
                self.model.push(new);
            }
            Op::ApprovePending {
                pick,
                approver,
                granted,
                allow,
            } => {
                let now = self.now;
                let in_state = |world: &Self, state: State| -> Vec<usize> {
                    (0..world.model.len())
                        .filter(|&i| world.model[i].effective(now) == state)
                        .collect()
                };
                let pending = in_state(self, State::PendingCustomerApproval);
                let request = if let Some(&i) = pending.get(pick % pending.len().max(1)) {
                    i
                } else {
                    // None waits for the customer: the manager moves one on
                    // (a new one, if none waits for a manager either).
                    let waiting = in_state(self, State::PendingManagerApproval);
                    let request = match waiting.get(pick % waiting.len().max(1)) {
                        Some(&i) => i,
                        None => {
                            self.step(&Op::Create {
                                engineer: 0,
                                tenant: pick % 2,
                                service: (pick / 2) % 2,
                                minutes: 30 + (pick as u32 * 7) % 200,
                            });
                            self.model.len() - 1
                        }
                    };
                    self.step(&Op::Act {
                        verb: Verb::Preapprove,
                        request,
                        person: 2,
                        comment: false,
                        granted: None,
                    });
                    if self.model[request].effective(self.now) != State::PendingCustomerApproval {
                        return;
                    }
                    request
                };
                let approvers: Vec<usize> = (0..PEOPLE.len())
                    .filter(|&p| is_approver(p) && tenant_of(p) == Some(self.model[request].tenant))
                    .collect();
                let person = approvers[approver % approvers.len()];
                match allow {
                    None => self.step(&Op::Act {
                        verb: Verb::Approve,
                        request,
                        person,
                        comment: false,
                        granted,
                    }),
                    Some(mask) => self.approve_some(request, person, granted, mask),
                }
                return;
            }
            Op::Act {
                verb,
                request,
                person,
                comment,
                granted,
            } => {
                let Some(request) = self.request(request) else {
                    return;
                };
                let expected = self.apply_to_model(request, verb, person, granted);
                let text = comment.then(|| format!("Comment {}", self.executed));
                let actual =
                    block_on(self.act(verb, request, person, text.as_deref(), granted, None));
                if expected == 200 && granted.is_some() {
                    self.shortened += 1;
                }
                assert_eq!(
                    kind(&actual),
                    expected,
                    "{verb:?} by {} on {:?}: {actual:?}",
                    PEOPLE[person],
                    self.model[request]
                );
                if expected == 200 && text.is_some() {
                    assert_eq!(self.last_comment(&self.model[request].id), text);
                }
            }
            Op::Repeat {
                verb,
                request,
                person,
            } => {
                let Some(request) = self.request(request) else {
                    return;
                };
                let expected = self.apply_to_model(request, verb, person, None);
                let key = self.fresh_key();
                let first =
                    block_on(self.act(verb, request, person, None, None, Some(key.clone())));
                let second = block_on(self.act(verb, request, person, None, None, Some(key)));
                assert_eq!(kind(&first), expected, "first of a repeat: {first:?}");
                // A repeat with the same key answers as the first did and
                // changes nothing more.
                assert_eq!(kind(&second), expected, "second of a repeat: {second:?}");
            }
            Op::Race {
                request,
                first,
                second,
            } => {
                let Some(request) = self.request(request) else {
                    return;
                };
                let tenant = self.model[request].tenant;
                let switches = (
                    self.lockbox[tenant],
                    self.frozen[tenant],
                    self.required[tenant],
                );
                // Both calls read the row before either writes, and the
                // first writes first. The second fails at once on what it
                // read when that refuses it; otherwise its write finds the
                // row changed (if the first changed it), and it reads again
                // and decides again: as if it came after the first.
                self.see_parent(request);
                let before = self.model[request].clone();
                let expect_first =
                    self.model[request].apply(first.0, first.1, switches, None, self.now);
                if first.0 == Verb::Revoke && expect_first == 200 {
                    self.revoke_extensions(request, first.1);
                }
                let as_read =
                    before.expect(second.0, second.1, (switches.0, switches.1), None, self.now);
                let expect_second = if as_read == 200 {
                    self.model[request].apply(second.0, second.1, switches, None, self.now)
                } else {
                    as_read
                };
                if second.0 == Verb::Revoke && expect_second == 200 {
                    self.revoke_extensions(request, second.1);
                }
                let (a, b) = block_on(async {
                    futures::join!(
                        self.act(first.0, request, first.1, None, None, None),
                        self.act(second.0, request, second.1, None, None, None)
                    )
                });
                assert_eq!(kind(&a), expect_first, "first of race {first:?}: {a:?}");
                assert_eq!(kind(&b), expect_second, "second of race {second:?}: {b:?}");
            }
            Op::RaceSweep {
                request,
                verb,
                person,
            } => {
                let Some(request) = self.request(request) else {
                    return;
                };
                let expected = self.apply_to_model(request, verb, person, None);
                let (decision, swept) = block_on(async {
                    futures::join!(
                        self.act(verb, request, person, None, None, None),
                        cron::sweep(&self.db, self.now, SERVICE_ACCOUNT)
                    )
                });
                swept.expect("sweep");
                assert_eq!(kind(&decision), expected, "{verb:?} racing the sweep");
                let now = self.now;
                for r in &mut self.model {
                    r.sweep(now);
                }
            }
            Op::Advance { ms } => self.now += ms,
            Op::Sweep { times, back } => {
                for _ in 0..times {
                    self.sweep_both(self.now - back);
                }
            }
            Op::Check {
                engineer,
                tenant,
                service,
            } => {
                let tenant_id = TenantId::parse(TENANTS[tenant]).expect("valid");
                let check = block_on(requests::check_access(
                    &self.db,
                    &self.people[engineer],
                    &tenant_id,
                    SERVICES[service],
                    self.now,
                ))
                .expect("an engineer may check");
                let expected = !self.frozen[tenant]
                    && self.model.iter().any(|r| {
                        r.requester == engineer
                            && r.tenant == tenant
                            && r.service == service
                            && r.live(self.now)
                    });
                assert_eq!(check.access, expected, "access check at {}", self.now);
                if let Some(ends) = check.ends_at {
                    assert!(self.now < ends, "access at or after grant_ends_at");
                }
            }
            Op::Switch { tenant, on } => {
                let admin = if tenant == 0 { 5 } else { 8 };
                block_on(settings::set_lockbox(
                    &self.db,
                    &self.people[admin],
                    on,
                    &self.stamp(),
                ))
                .expect("a global admin may switch");
                self.lockbox[tenant] = on;
            }
            Op::Extend {
                request,
                person,
                minutes,
            } => {
                let Some(request) = self.request(request) else {
                    return;
                };
                let parent = self.model[request].clone();
                let person = if person == usize::MAX {
                    parent.requester
                } else {
                    person
                };
                let first_start = parent.chain.map_or(parent.starts, |(first, _)| first);
                let room = (first_start + 8 * HOUR - parent.deadline) / MINUTE;
                let visible =
                    !is_provider(person) || person == parent.requester || is_manager(person);
                let expected = if !is_engineer(person) {
                    403
                } else if !visible {
                    404
                } else if minutes == 0 || minutes > MAX_GRANT_MINUTES {
                    400
                } else if person != parent.requester {
                    403
                } else if parent.effective(self.now) != State::Approved
                    || self.has_open_extension(request)
                    || room < 1
                {
                    // Over, already extended by an open one, or no time left.
                    409
                } else if i64::from(minutes) > room {
                    400
                } else {
                    200
                };
                let body = lockbox_shared::api::ExtendBody {
                    minutes,
                    reason: "Model extension".to_owned(),
                    operations: None,
                };
                let answer = block_on(requests::extend(
                    &self.db,
                    &self.people[person],
                    &parent.id,
                    &body,
                    &self.stamp(),
                ));
                let status = match &answer {
                    Ok(_) => 200,
                    Err(err) => err.problem().status,
                };
                assert_eq!(
                    status, expected,
                    "extending {:?} by {minutes} as {}: {answer:?}",
                    parent, PEOPLE[person]
                );
                if let Ok(view) = answer {
                    assert_eq!(view.extends.as_ref(), Some(&parent.id));
                    self.extensions += 1;
                    let who = (parent.tenant, parent.service, parent.requester);
                    self.model.push(ModelRequest {
                        chain: Some((first_start, parent.deadline)),
                        parent: Some(request),
                        // It asks for what the grant it extends allows.
                        asked: parent.allowed.clone(),
                        allowed: parent.allowed.clone(),
                        ..ModelRequest::new(view.id, who, minutes, self.now)
                    });
                }
            }
            Op::ExtendTwice { pick, minutes } => {
                let now = self.now;
                let live: Vec<usize> = (0..self.model.len())
                    .filter(|&i| self.model[i].effective(now) == State::Approved)
                    .collect();
                let Some(&first) = live.get(pick % live.len().max(1)) else {
                    return;
                };
                let parent = self.model[first].clone();
                let body = lockbox_shared::api::ExtendBody {
                    minutes,
                    reason: "Model double tap".to_owned(),
                    operations: None,
                };
                let engineer = &self.people[parent.requester];
                let stamp = self.stamp();
                // Both read before either writes (the driver yields at
                // every call); the insert's guard lets one through.
                let (a, b) = block_on(futures::future::join(
                    requests::extend(&self.db, engineer, &parent.id, &body, &stamp),
                    requests::extend(&self.db, engineer, &parent.id, &body, &stamp),
                ));
                let made: Vec<_> = [&a, &b]
                    .into_iter()
                    .filter_map(|r| r.as_ref().ok())
                    .collect();
                assert!(
                    made.len() <= 1,
                    "two extensions of one grant at once: {a:?} {b:?}"
                );
                if let Some(view) = made.first() {
                    let other = if a.is_ok() { &b } else { &a };
                    let status = other.as_ref().err().map(|e| e.problem().status);
                    assert_eq!(status, Some(409), "the second of a double tap: {other:?}");
                    self.extensions += 1;
                    let first_start = parent.chain.map_or(parent.starts, |(first, _)| first);
                    let who = (parent.tenant, parent.service, parent.requester);
                    self.model.push(ModelRequest {
                        chain: Some((first_start, parent.deadline)),
                        parent: Some(first),
                        asked: parent.allowed.clone(),
                        allowed: parent.allowed.clone(),
                        ..ModelRequest::new(view.id.clone(), who, minutes, now)
                    });
                    self.doubled += 1;
                } else {
                    // Neither: the same answer a single ask gets.
                    let before = self.model.len();
                    self.step(&Op::Extend {
                        request: first,
                        person: usize::MAX,
                        minutes,
                    });
                    assert_eq!(self.model.len(), before, "one ask made what two could not");
                }
            }
            Op::ExtendLive {
                pick,
                minutes,
                revoke,
            } => {
                let now = self.now;
                let live: Vec<usize> = (0..self.model.len())
                    .filter(|&i| self.model[i].effective(now) == State::Approved)
                    .collect();
                let Some(&first) = live.get(pick % live.len().max(1)) else {
                    return;
                };
                let before = self.model.len();
                self.step(&Op::Extend {
                    request: first,
                    person: usize::MAX,
                    minutes,
                });
                if self.model.len() == before {
                    return;
                }
                let extension = before;
                self.step(&Op::Act {
                    verb: Verb::Preapprove,
                    request: extension,
                    person: 2,
                    comment: false,
                    granted: None,
                });
                let tenant = self.model[extension].tenant;
                let approvers: Vec<usize> = (0..PEOPLE.len())
                    .filter(|&p| is_approver(p) && tenant_of(p) == Some(tenant))
                    .collect();
                for person in approvers {
                    if self.model[extension].effective(self.now) != State::PendingCustomerApproval {
                        break;
                    }
                    self.step(&Op::Act {
                        verb: Verb::Approve,
                        request: extension,
                        person,
                        comment: false,
                        granted: None,
                    });
                }
                if revoke {
                    let approver = if tenant == 0 { 3 } else { 7 };
                    self.step(&Op::Act {
                        verb: Verb::Revoke,
                        request: first,
                        person: approver,
                        comment: false,
                        granted: None,
                    });
                }
                return;
            }
            Op::Quorum { tenant, n } => {
                let admin = if tenant == 0 { 5 } else { 8 };
                let answer = block_on(settings::set_approvals_required(
                    &self.db,
                    &self.people[admin],
                    n as i64,
                    &self.stamp(),
                ));
                // More than the people who may approve could never be
                // given: refused, and the setting stays.
                let able = (0..PEOPLE.len())
                    .filter(|&p| is_approver(p) && tenant_of(p) == Some(tenant))
                    .count();
                if n > able {
                    let err = answer.expect_err("more than can approve");
                    assert_eq!(err.problem().status, 400, "{err:?}");
                } else {
                    let answer = answer.expect("a global admin may set it");
                    assert_eq!(answer.required.count(), n);
                    assert_eq!(answer.able_to_approve as usize, able);
                    self.required[tenant] = n;
                }
            }
            Op::Record {
                request,
                actions,
                token,
                retry,
            } => {
                let Some(request) = self.batch_request(request) else {
                    // No request yet: one is opened instead.
                    return self.step(&Op::Create {
                        engineer: 0,
                        tenant: request % 2,
                        service: (request / 2) % 2,
                        minutes: 60,
                    });
                };
                let live = self.grant_live(request);
                let batch = self.prepare_batch(request, actions, token);
                let first = block_on(self.record_call(&batch));
                self.take_answer(&batch, first, live, live);
                if retry {
                    self.resend(self.recorded.len().saturating_sub(1), &batch);
                }
            }
            Op::Resend { pick } => {
                if self.recorded.is_empty() {
                    // Nothing to send again yet: a batch sent twice.
                    return self.step(&Op::Record {
                        request: pick,
                        actions: 1,
                        token: false,
                        retry: true,
                    });
                }
                let pick = pick % self.recorded.len();
                let batch = self.recorded[pick].0.clone();
                self.resend(pick, &batch);
            }
            Op::RaceRecord {
                request,
                with,
                record_first,
            } => {
                let Some(request) = self.batch_request(request) else {
                    // No request yet: one is opened instead.
                    return self.step(&Op::Create {
                        engineer: 0,
                        tenant: request % 2,
                        service: (request / 2) % 2,
                        minutes: 60,
                    });
                };
                let before = self.grant_live(request);
                let batch = self.prepare_batch(request, 2, self.executed.is_multiple_of(3));
                let recorded = match with {
                    Rival::Decision(verb, person) => {
                        let expected = self.apply_to_model(request, verb, person, None);
                        let (recorded, decision) = block_on(async {
                            if record_first {
                                futures::join!(
                                    self.record_call(&batch),
                                    self.act(verb, request, person, None, None, None)
                                )
                            } else {
                                let (d, r) = futures::join!(
                                    self.act(verb, request, person, None, None, None),
                                    self.record_call(&batch)
                                );
                                (r, d)
                            }
                        });
                        assert_eq!(
                            kind(&decision),
                            expected,
                            "{verb:?} by {} racing a batch: {decision:?}",
                            PEOPLE[person]
                        );
                        recorded
                    }
                    Rival::Sweep => {
                        let (recorded, swept) = block_on(async {
                            futures::join!(
                                self.record_call(&batch),
                                cron::sweep(&self.db, self.now, SERVICE_ACCOUNT)
                            )
                        });
                        swept.expect("sweep");
                        let now = self.now;
                        for r in &mut self.model {
                            r.sweep(now);
                        }
                        recorded
                    }
                    Rival::Freeze => {
                        let tenant = self.model[request].tenant;
                        self.freeze(tenant, true, Some((&batch, record_first)))
                            .expect("the batch ran")
                    }
                };
                let after = self.grant_live(request);
                self.take_answer(&batch, recorded, before, after);
            }
            Op::Freeze { tenant, on } => {
                self.freeze(tenant, on, None);
            }
        }
        self.executed += 1;
        self.check_invariants();
    }

    /// Whether the grant of model request `request` is live now: approved,
    /// started, not over, its tenant not frozen.
    fn grant_live(&self, request: usize) -> bool {
        let m = &self.model[request];
        !self.frozen[m.tenant] && m.live(self.now)
    }

    /// A batch of `actions` actions under `request`'s grant, named by a
    /// grant token when `token` and one can be had, else by its id.
    fn prepare_batch(&mut self, request: usize, actions: usize, token: bool) -> ActionBatch {
        self.batches_sent += 1;
        let m = &self.model[request];
        let mut grant = m.id.to_string();
        if token {
            let boundary = self.boundary();
            let issued = block_on(integration::grant_token(
                &self.db,
                &self.people[m.requester],
                &m.id,
                &boundary,
                self.now,
            ));
            match issued {
                Ok(token) => {
                    assert!(self.grant_live(request), "a token for a grant not live");
                    assert!(
                        token.expires_at <= m.deadline,
                        "a token outliving its grant"
                    );
                    grant = token.token;
                    self.batches_by_token += 1;
                }
                Err(err) => {
                    assert!(
                        !self.grant_live(request),
                        "no token for a live grant: {err:?}"
                    );
                    assert_eq!(err.problem().status, 409, "{err:?}");
                }
            }
        }
        let usual = ["Get-Mailbox", "Get-DriveItemList"][m.service];
        // One the grant allows (the approvers may have allowed fewer).
        let operation = if m.allowed.iter().any(|op| op == usual) {
            usual.to_owned()
        } else {
            m.allowed
                .first()
                .cloned()
                .unwrap_or_else(|| usual.to_owned())
        };
        ActionBatch {
            grant,
            batch_id: format!("batch-{}", self.batches_sent),
            actions: (0..actions)
                .map(|i| ServiceAction {
                    operation: operation.clone(),
                    item: Some(format!("item-{i}")),
                    parameters: Default::default(),
                    count: (i == 1).then_some(10_000),
                    digest: (i == 1).then(|| format!("sha256:{}", "ab".repeat(32))),
                })
                .collect(),
        }
    }

    fn boundary(&self) -> Boundary<'_> {
        Boundary {
            keys: &self.grant_keys,
            issuer: ISSUER,
            operator: PROVIDER_OPERATOR,
        }
    }

    /// The provider service's call that records `batch`, with a fresh
    /// assertion.
    fn record_call<'a>(
        &'a self,
        batch: &'a ActionBatch,
    ) -> impl Future<Output = Result<RecordedBatch, AppError>> + 'a {
        let stamp = self.stamp();
        async move {
            let boundary = self.boundary();
            // As the Worker calls it: the grant read with the caller, the
            // assertion's id remembered in the batch's own write.
            let ahead = self
                .db
                .global()
                .query_batch(integration::grant_reads(&batch.grant))
                .await
                .map_err(AppError::from)?;
            let named =
                integration::grant_of(&self.db, &batch.grant, &boundary, stamp.now, ahead).await;
            let unspent = integration::Unspent {
                service: self.service.registration.id.clone(),
                jti: format!("jti-{}", ASSERTIONS.fetch_add(1, Ordering::Relaxed)),
                expires_at: stamp.now + 60_000,
            };
            integration::record(
                &self.db,
                &self.service,
                Some(unspent),
                batch,
                named,
                &boundary,
                &stamp,
            )
            .await
            .map(|(answer, _)| answer)
        }
    }

    /// Checks the answer to a new batch whose grant was live (`before`)
    /// when it was sent and (`after`) once whatever raced it was done: a
    /// grant live throughout records it, one never live refuses it with
    /// 409, and one that changed may do either.
    fn take_answer(
        &mut self,
        batch: &ActionBatch,
        answer: Result<RecordedBatch, AppError>,
        before: bool,
        after: bool,
    ) {
        match answer {
            Ok(answer) => {
                assert!(before || after, "a batch recorded under no live grant");
                assert_eq!(answer.records.len(), batch.actions.len());
                assert_eq!(answer.batch_id, batch.batch_id);
                if before && !after {
                    self.races_won += 1;
                }
                self.recorded.push((batch.clone(), answer));
            }
            Err(err) => {
                assert!(
                    !(before && after),
                    "a batch refused under a live grant: {err:?}"
                );
                assert_eq!(err.problem().status, 409, "{err:?}");
                if before {
                    self.races_lost += 1;
                }
                self.batches_refused += 1;
            }
        }
    }

    /// Sends recorded batch `pick` again: the first answer, nothing new.
    fn resend(&mut self, pick: usize, batch: &ActionBatch) {
        let Some((_, first)) = self.recorded.get(pick) else {
            return;
        };
        if first.batch_id != batch.batch_id {
            return;
        }
        let again = block_on(self.record_call(batch)).expect("a retry of a recorded batch");
        assert_eq!(&again, first, "a retry answered differently");
    }

    /// Freezes `tenant` (or lifts its freeze), alongside `batch` when one
    /// is given (its calls first or second); returns the batch's answer.
    fn freeze(
        &mut self,
        tenant: usize,
        on: bool,
        batch: Option<(&ActionBatch, bool)>,
    ) -> Option<Result<RecordedBatch, AppError>> {
        let admin = if tenant == 0 { 5 } else { 8 };
        // The demo requests (not in the model) are ended too.
        let tenant_id = TenantId::parse(TENANTS[tenant]).expect("valid");
        let (mut revoked, mut denied) = (0, 0);
        if on {
            let open = block_on(store::select(
                &self.db.tenant(tenant_id.clone()),
                store::open_for_freeze(&tenant_id, self.now, 10_000),
            ))
            .expect("open requests");
            for r in open
                .iter()
                .filter(|r| !self.model.iter().any(|m| m.id == r.id))
            {
                match r.effective_state(self.now) {
                    State::Approved => revoked += 1,
                    State::PendingCustomerApproval => denied += 1,
                    _ => {}
                }
            }
        }
        let stamp = self.stamp();
        let freezing = settings::set_freeze(
            &self.db,
            &self.people[admin],
            on,
            Some("Model freeze"),
            &stamp,
        );
        let (answer, recorded) = block_on(async {
            match batch {
                None => (freezing.await, None),
                Some((batch, true)) => {
                    let (r, a) = futures::join!(self.record_call(batch), freezing);
                    (a, Some(r))
                }
                Some((batch, false)) => {
                    let (a, r) = futures::join!(freezing, self.record_call(batch));
                    (a, Some(r))
                }
            }
        });
        let answer = answer.expect("a global admin may freeze");
        assert_eq!(answer.frozen, on);
        if on {
            let now = self.now;
            for m in self.model.iter_mut().filter(|m| m.tenant == tenant) {
                let (ended, kind) = match m.effective(now) {
                    State::Approved => (State::Revoked, "revoked"),
                    State::PendingCustomerApproval => (State::Denied, "denied"),
                    _ => continue,
                };
                m.state = ended;
                m.changes += 1;
                self.frozen_out += 1;
                m.tell(&[kind]);
                if ended == State::Revoked {
                    m.end_grant(Some(admin));
                }
                if ended == State::Revoked {
                    revoked += 1;
                } else {
                    denied += 1;
                }
            }
        }
        assert_eq!(
            (answer.revoked, answer.denied),
            (revoked, denied),
            "what the freeze ended"
        );
        self.frozen[tenant] = on;
        recorded
    }

    /// A grant that ended has exactly one end record, written with the
    /// change that ended it: it counts and digests every operator record
    /// under the grant before it, and no action succeeded after it. A
    /// request whose grant has not ended has none.
    fn check_end_of_access(&self, row: &lockbox_shared::lifecycle::AccessRequest) {
        use lockbox_backend::store::audit;
        use lockbox_shared::report;
        let tenant = self.db.tenant(row.tenant_id.clone());
        let id = row.id.as_str();
        let ends = block_on(audit::select(
            &tenant,
            audit::by_id(&row.tenant_id, &report::end_record_id(id)),
        ))
        .expect("end record");
        let ended =
            row.grant().is_some() && matches!(row.state(), State::Revoked | State::Completed);
        if !ended {
            assert!(
                ends.is_empty(),
                "an end record of {id}, whose grant has not ended"
            );
            return;
        }
        let end = ends
            .first()
            .unwrap_or_else(|| panic!("no end record of {id}"));
        let changed =
            block_on(audit::select(&tenant, audit::history(&row.tenant_id, id))).expect("history");
        let ending = changed
            .iter()
            .find(|r| r.id == lockbox_shared::plan::entered(&row.id, row.state()))
            .unwrap_or_else(|| panic!("no record of {id} ending"));
        assert_eq!(
            end.seq,
            ending.seq + 1,
            "the end of {id} is not written with its change"
        );
        let before = block_on(audit::select(
            &tenant,
            audit::actions_before(&row.tenant_id, id, end.seq),
        ))
        .expect("actions");
        let details = &end.record.details;
        assert_eq!(
            details["Actions"],
            before.len().to_string(),
            "actions counted for {id}"
        );
        assert_eq!(
            details["ActionsDigest"],
            report::actions_digest(id, &before),
            "digest of {id}"
        );
        let all = block_on(audit::select(
            &tenant,
            audit::actions_of(&row.tenant_id, id, 100_000),
        ))
        .expect("actions");
        assert!(
            all.iter()
                .filter(|r| r.seq > end.seq)
                .all(lockbox_shared::audit::is_refused),
            "an action of {id} succeeded after its end"
        );
    }

    fn check_invariants(&self) {
        // A chain never grants access past a revoke: no request extending a
        // revoked one (directly or in turn) is approved, or waits for the
        // customer, after it.
        let after_revoke: i64 = self
            .db
            .all
            .conn
            .query_row(
                "WITH RECURSIVE later(id) AS ( \
                     SELECT e.id FROM access_requests e JOIN access_requests r ON e.extends = r.id \
                     WHERE r.state = 'Revoked' \
                     UNION SELECT e.id FROM access_requests e JOIN later l ON e.extends = l.id) \
                 SELECT COUNT(*) FROM access_requests WHERE id IN (SELECT id FROM later) \
                 AND state IN ('Approved', 'PendingCustomerApproval')",
                [],
                |r| r.get(0),
            )
            .expect("chains");
        assert_eq!(
            after_revoke, 0,
            "an extension open after a revoke before it"
        );
        // A grant has at most one open extension.
        let doubled: i64 = self
            .db
            .all
            .conn
            .query_row(
                "SELECT COUNT(*) FROM (SELECT extends FROM access_requests \
                 WHERE extends IS NOT NULL AND state IN ('PendingManagerApproval', \
                 'PendingCustomerApproval') AND pending_expires_at > ?1 \
                 GROUP BY extends HAVING COUNT(*) > 1)",
                [self.now],
                |r| r.get(0),
            )
            .expect("open extensions");
        assert_eq!(doubled, 0, "two extensions of one grant waiting at once");
        // Each tenant's rows are in its own database, none in the global
        // one nor in another tenant's.
        for (table, _) in lockbox_backend::store::handles::TENANT_TABLES {
            let global: i64 = self
                .db
                .all
                .conn
                .query_row(&format!("SELECT COUNT(*) FROM main.{table}"), [], |r| {
                    r.get(0)
                })
                .expect("global rows");
            assert_eq!(global, 0, "{table} rows in the global database");
        }
        for (i, tenant) in TENANTS.iter().enumerate() {
            for table in ["access_requests", "audit_log", "outbox"] {
                let others: i64 = self
                    .db
                    .all
                    .conn
                    .query_row(
                        &format!("SELECT COUNT(*) FROM t{i}.{table} WHERE tenant_id <> ?1"),
                        [tenant],
                        |r| r.get(0),
                    )
                    .expect("tenant rows");
                assert_eq!(
                    others, 0,
                    "another tenant's {table} rows in {tenant}'s database"
                );
            }
        }
        // The provider's index holds every request as its tenant does (each
        // change's call wrote its copy).
        let stale = index_mismatches(&self.db.all);
        assert_eq!(stale, 0, "requests the provider's index holds otherwise");
        let audit_counts: HashMap<String, usize> = {
            let mut stmt = self
                .db
                .all
                .conn
                .prepare("SELECT item, COUNT(*) FROM audit_log WHERE activity LIKE '%AccessToCustomerDataRequest' OR activity = 'End-CustomerDataAccess' GROUP BY item")
                .expect("prepare");
            stmt.query_map([], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)? as usize))
            })
            .expect("query")
            .map(|r| r.expect("row"))
            .collect()
        };
        for m in &self.model {
            let tenant = TenantId::parse(TENANTS[m.tenant]).expect("valid");
            let row = block_on(store::load(&self.db.tenant(tenant), &m.id))
                .expect("every stored request reads back")
                .expect("row exists");
            assert_eq!(
                row.effective_state(self.now),
                m.effective(self.now),
                "state of {}",
                m.id
            );
            if row.grants_access(self.now) {
                assert!(
                    row.grant().is_some_and(|g| self.now < g.ends_at),
                    "access at or after grant_ends_at"
                );
            }
            self.check_end_of_access(&row);
            if let Some(grant) = row.grant() {
                assert!(
                    grant.ends_at - grant.starts_at <= 4 * HOUR && grant.ends_at > grant.starts_at,
                    "grant longer than 4 h"
                );
                assert!(
                    grant.minutes() <= i64::from(row.duration.minutes()),
                    "granted more than was asked"
                );
            }
            if m.state == State::Approved {
                // As the approver chose: what was asked, or less; an
                // extension from where the grant it extends ends.
                assert_eq!(
                    row.grant().map(|g| (g.starts_at, g.ends_at)),
                    Some((m.starts, m.deadline)),
                    "grant of {}",
                    m.id
                );
            }
            if let (Some(extension), Some(grant)) = (&row.extends, row.grant()) {
                // No chain of grants runs past 8 h from its first start,
                // and none starts before the grant it extends ends.
                assert!(
                    grant.ends_at <= extension.first_started_at + 8 * HOUR,
                    "a chain longer than 8 h: {}",
                    m.id
                );
                assert!(
                    grant.starts_at >= extension.continues_at,
                    "an extension started early"
                );
                if grant.starts_at == extension.continues_at {
                    self.extended.borrow_mut().insert(m.id.to_string());
                }
            }
            if let (Some(decided), Some(until)) =
                (row.customer_decision().map(|d| d.at), row.pending_until())
            {
                assert!(decided < until, "customer decision after 12 h");
            }
            if let Some(pre) = row.manager_decision() {
                assert_ne!(pre.by.user_id, row.requester.user_id, "self-preapproval");
                assert!(
                    pre.at < row.created_at + PENDING_LIFETIME_MS,
                    "pre-approved after 12 h"
                );
            }
            if let Some(decision) = row.customer_decision() {
                assert_ne!(decision.by.user_id, row.requester.user_id, "self-approval");
            }
            assert_eq!(
                audit_counts.get(m.id.as_str()).copied().unwrap_or(0),
                m.changes,
                "audit rows of {}",
                m.id
            );
            let told: BTreeMap<&'static str, usize> = {
                let mut stmt = self
                    .db
                    .all
                    .conn
                    .prepare("SELECT kind, COUNT(*) FROM outbox WHERE request_id = ? AND channel = 'email' GROUP BY kind")
                    .expect("prepare");
                stmt.query_map([m.id.as_str()], |row| {
                    let kind: String = row.get(0)?;
                    Ok((kind, row.get::<_, i64>(1)? as usize))
                })
                .expect("query")
                .map(|r| r.expect("row"))
                .map(|(kind, n)| {
                    let known = m.notices.keys().find(|k| **k == kind).copied();
                    (
                        known.unwrap_or_else(|| panic!("unexpected notice {kind} of {}", m.id)),
                        n,
                    )
                })
                .collect()
            };
            assert_eq!(told, m.notices, "notices of {}", m.id);
            let decisions: i64 = self
                .db
                .all
                .conn
                .query_row(
                    "SELECT COUNT(*) FROM audit_log WHERE item = ? AND activity = 'Set-AccessToCustomerDataRequest'",
                    [m.id.as_str()],
                    |r| r.get(0),
                )
                .expect("count");
            // One record per approval and at most one denial.
            let denial = usize::from(row.state() == State::Denied);
            assert_eq!(
                decisions as usize,
                row.approvals.given.len() + denial,
                "customer decisions on {}",
                m.id
            );
            assert_eq!(
                row.approvals.given.len(),
                m.approvers.len(),
                "approvals of {}",
                m.id
            );
            // Approved only after as many distinct people as required.
            let mut who: Vec<_> = row
                .approvals
                .given
                .iter()
                .map(|c| &c.decision.by.user_id)
                .collect();
            who.sort();
            who.dedup();
            assert_eq!(
                who.len(),
                row.approvals.given.len(),
                "someone approved twice: {}",
                m.id
            );
            assert!(!who.contains(&&row.requester.user_id), "self-approval");
            if matches!(row.approval(), Some(lifecycle::Approval::Customer { .. })) {
                assert_eq!(
                    row.approvals.given.len(),
                    row.approvals.required.count(),
                    "granted without the approvals required: {}",
                    m.id
                );
                self.quorum_grants
                    .set(self.quorum_grants.get().max(row.approvals.required.count()));
            }
        }
        let bad_seq: i64 = self
            .db
            .all
            .conn
            .query_row(
                "SELECT COUNT(*) FROM (SELECT tenant_id, COUNT(*) AS n, MAX(seq) AS top FROM audit_log GROUP BY tenant_id) WHERE n <> top",
                [],
                |r| r.get(0),
            )
            .expect("count");
        assert_eq!(bad_seq, 0, "audit sequence numbers have gaps or repeats");
        self.check_batches();
        self.check_customer_lists();
    }

    /// Every batch is whole or absent, none under a grant not live when it
    /// was written: none outside its grant's window, none after the record
    /// of its grant's revocation (sequence numbers prove it).
    fn check_batches(&self) {
        let mut stmt = self
            .db
            .all
            .conn
            .prepare(
                "SELECT json_extract(details, '$.BatchId'), COUNT(*) FROM audit_log \
                 WHERE user = ? GROUP BY 1",
            )
            .expect("prepare");
        let found: BTreeMap<String, usize> = stmt
            .query_map([PROVIDER_OPERATOR], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)? as usize))
            })
            .expect("query")
            .map(|r| r.expect("row"))
            .collect();
        let expected: BTreeMap<String, usize> = self
            .recorded
            .iter()
            .map(|(batch, _)| (batch.batch_id.clone(), batch.actions.len()))
            .collect();
        assert_eq!(found, expected, "batches in the log");
        let outside: Vec<(String, i64)> = {
            let mut stmt = self
                .db
                .all
                .conn
                .prepare(
                    "SELECT a.id, a.seq FROM audit_log a \
                     JOIN access_requests r ON r.id = json_extract(a.details, '$.RequestId') \
                     WHERE a.user = ?1 AND (r.grant_ends_at IS NULL \
                       OR a.occurred_at < r.grant_starts_at OR a.occurred_at >= r.grant_ends_at \
                       OR (r.state = 'Revoked' AND a.seq > (SELECT MAX(d.seq) FROM audit_log d \
                           WHERE d.tenant_id = a.tenant_id AND d.item = r.id \
                           AND d.activity LIKE '%AccessToCustomerDataRequest')))",
                )
                .expect("prepare");
            stmt.query_map([PROVIDER_OPERATOR], |row| Ok((row.get(0)?, row.get(1)?)))
                .expect("query")
                .map(|r| r.expect("row"))
                .collect()
        };
        assert!(
            outside.is_empty(),
            "operator actions recorded outside a live grant: {outside:?}"
        );
        // What each batch answered is what the log holds.
        for (_, answer) in &self.recorded {
            for record in &answer.records {
                let seq: i64 = self
                    .db
                    .all
                    .conn
                    .query_row(
                        "SELECT seq FROM audit_log WHERE id = ?",
                        [record.id.as_str()],
                        |r| r.get(0),
                    )
                    .expect("an answered record exists");
                assert_eq!(seq, record.seq, "the sequence number answered");
            }
        }
    }

    /// Each tenant's list shows exactly the requests that reached the
    /// customer (the SQL scope agrees with `AccessRequest::reached_customer`).
    fn check_customer_lists(&self) {
        // An approver of Contoso and the admin of Fabrikam.
        for viewer in [3, 8] {
            let principal = &self.people[viewer];
            let tenant = principal.tenant().expect("a customer");
            let query = requests::ListQuery {
                limit: Some(lockbox_shared::api::MAX_REQUESTS_PAGE),
                ..Default::default()
            };
            let page = block_on(requests::list(&self.db, principal, &query, self.now))
                .expect("the customer's list");
            assert!(page.next_cursor.is_none(), "more than one page");
            let mut listed: Vec<String> = page.items.iter().map(|r| r.id.to_string()).collect();
            let mut expected: Vec<String> = self
                .all_requests()
                .into_iter()
                .filter(|r| r.tenant_id == *tenant && r.reached_customer())
                .map(|r| r.id.to_string())
                .collect();
            listed.sort();
            expected.sort();
            assert_eq!(listed, expected, "{}'s list", PEOPLE[viewer]);
        }
    }

    /// Every stored request, the demo ones included.
    fn all_requests(&self) -> Vec<AccessRequest> {
        let statement = Statement::new(
            format!("SELECT {} FROM access_requests", store::COLUMNS),
            vec![],
        );
        block_on(store::select_from(&self.db.all, statement)).expect("every request reads back")
    }
}

fn cases() -> u32 {
    std::env::var("LOCKBOX_MODEL_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100)
}

const STEPS_PER_CASE: usize = 100;

#[test]
fn the_lifecycle_on_sqlite_matches_the_model() {
    let config = ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let mut runner = proptest::test_runner::TestRunner::new(config);
    let executed = Cell::new(0usize);
    let shortened = Cell::new(0usize);
    let frozen_out = Cell::new(0usize);
    let quorum_grants = Cell::new(0usize);
    let extensions = Cell::new(0usize);
    let extended = Cell::new(0usize);
    let cascaded = Cell::new(0usize);
    let doubled = Cell::new(0usize);
    let batches = Cell::new(0u64);
    let recorded = Cell::new(0usize);
    let refused = Cell::new(0usize);
    let by_token = Cell::new(0usize);
    let races_won = Cell::new(0usize);
    let races_lost = Cell::new(0usize);
    let chosen = Cell::new(0usize);
    let outside = Cell::new(0usize);
    let nothing_left = Cell::new(0usize);
    let started = std::time::Instant::now();
    let result = runner.run(&prop::collection::vec(op(), STEPS_PER_CASE), |ops| {
        let mut world = World::new();
        for op in &ops {
            world.step(op);
        }
        executed.set(executed.get() + world.executed);
        shortened.set(shortened.get() + world.shortened);
        frozen_out.set(frozen_out.get() + world.frozen_out);
        extensions.set(extensions.get() + world.extensions);
        extended.set(extended.get() + world.extended.borrow().len());
        cascaded.set(cascaded.get() + world.cascaded);
        doubled.set(doubled.get() + world.doubled);
        if world.quorum_grants.get() > 1 {
            quorum_grants.set(quorum_grants.get() + 1);
        }
        batches.set(batches.get() + world.db.batches());
        recorded.set(recorded.get() + world.recorded.len());
        refused.set(refused.get() + world.batches_refused);
        by_token.set(by_token.get() + world.batches_by_token);
        races_won.set(races_won.get() + world.races_won);
        races_lost.set(races_lost.get() + world.races_lost);
        chosen.set(chosen.get() + world.operations_chosen);
        outside.set(outside.get() + world.outside_refused);
        nothing_left.set(nothing_left.get() + world.nothing_left);
        Ok(())
    });
    println!(
        "model test: {} steps executed of {} generated ({} cases x {STEPS_PER_CASE}), {} approvals for less than asked, {} requests ended by a freeze, {} cases with a grant under a quorum of 2 or 3, {} extensions asked for ({} granted without a gap, {} ended with a revoked member before them, {} double taps that made one), {} action batches recorded ({} by a grant token) and {} refused, {} races of a batch and the end of its grant won by the batch and {} lost, {} approvals that chose operations ({} refused as leaving none, {} operations refused outside a live grant), {} write batches, in {:.1?}",
        executed.get(),
        cases() as usize * STEPS_PER_CASE,
        cases(),
        shortened.get(),
        frozen_out.get(),
        quorum_grants.get(),
        extensions.get(),
        extended.get(),
        cascaded.get(),
        doubled.get(),
        recorded.get(),
        by_token.get(),
        refused.get(),
        races_won.get(),
        races_lost.get(),
        chosen.get(),
        nothing_left.get(),
        outside.get(),
        batches.get(),
        started.elapsed()
    );
    if let Err(failure) = result {
        panic!("{failure}");
    }
    // Steps that find no request do nothing; most must have run.
    assert!(executed.get() * 10 >= cases() as usize * STEPS_PER_CASE * 9);
    assert!(
        shortened.get() > 0,
        "no approval granted less than was asked"
    );
    assert!(frozen_out.get() > 0, "no freeze ended a request");
    assert!(
        quorum_grants.get() > 0,
        "no grant needed more than one approval"
    );
    assert!(extended.get() > 0, "no extension continued a grant");
    assert!(cascaded.get() > 0, "no revocation ended an extension");
    assert!(doubled.get() > 0, "no double tap on Ask for more time");
    assert!(by_token.get() > 0, "no batch named its grant by a token");
    assert!(chosen.get() > 0, "no approval chose operations");
    assert!(
        outside.get() > 0,
        "no operation was refused outside its grant"
    );

    assert!(refused.get() > 0, "no batch was refused");
    assert!(
        races_won.get() > 0 && races_lost.get() > 0,
        "a batch racing the end of its grant did not both win and lose"
    );
}

/// Requests in every state, with deadlines around `base`.
fn requests_in_every_state(base: i64) -> Vec<AccessRequest> {
    let engineer = Actor {
        user_id: lockbox_shared::ids::UserId::parse("0b5e2d1c-0000-4000-8000-000000000301")
            .expect("valid"),
        email: "engineer1@provider.example".into(),
    };
    let manager = Actor {
        user_id: lockbox_shared::ids::UserId::parse("0b5e2d1c-0000-4000-8000-000000000303")
            .expect("valid"),
        email: "manager@provider.example".into(),
    };
    let approver = Actor {
        user_id: lockbox_shared::ids::UserId::parse("0b5e2d1c-0000-4000-8000-000000000102")
            .expect("valid"),
        email: "approver1@contoso.example".into(),
    };
    let mut out = Vec::new();
    for (i, offset) in [-2 * HOUR, -1, 0, 1, 2 * HOUR].into_iter().enumerate() {
        let t = base - PENDING_LIFETIME_MS + offset;
        let new = lifecycle::NewRequest {
            tenant_id: TenantId::parse(CONTOSO).expect("valid"),
            service: lockbox_shared::validation::ServiceName::parse("mail").expect("valid"),
            ticket: lockbox_shared::validation::TicketNumber::parse("SR-1").expect("valid"),
            reason: lockbox_shared::validation::Reason::parse("Drift").expect("valid"),
            duration: lockbox_shared::validation::GrantDuration::from_minutes(60).expect("valid"),
            operations: None,
            reads_content: Vec::new(),
            emergency: None,
        };
        let id = |n: usize| {
            RequestId::parse(&format!("d0000000-0000-4000-8000-{:012}", i * 100 + n))
                .expect("valid")
        };
        let created = lifecycle::create(id(0), new.clone(), &engineer, t);
        let pending = lifecycle::preapprove(
            &lifecycle::create(id(1), new.clone(), &engineer, t - 1),
            &manager,
            true,
            None,
            t,
        )
        .expect("ok");
        let off = lifecycle::preapprove(
            &lifecycle::create(id(2), new.clone(), &engineer, t),
            &manager,
            false,
            None,
            base - HOUR + offset,
        )
        .expect("ok");
        let pending2 = lifecycle::preapprove(
            &lifecycle::create(id(3), new.clone(), &engineer, t - 2),
            &manager,
            true,
            None,
            t - 1,
        )
        .expect("ok");
        let approved = lifecycle::customer_decision(&pending2, &approver, true, None, t)
            .expect("ok")
            .clone();
        let approved = lockbox_shared::lifecycle::AccessRequest {
            id: id(3),
            ..approved
        };
        let denied = lifecycle::customer_decision(
            &AccessRequest {
                id: id(4),
                ..pending.clone()
            },
            &approver,
            false,
            None,
            t,
        )
        .expect("ok");
        out.extend([created, pending, off, approved, denied]);
    }
    out
}

fn ids_where<D: Database>(db: &D, condition: &Condition) -> Vec<String> {
    #[derive(serde::Deserialize)]
    struct Row {
        id: String,
    }
    let rows: Vec<Row> = block_on(db.query(Statement::new(
        format!(
            "SELECT id FROM access_requests WHERE id LIKE 'd0000000-%' AND ({}) ORDER BY id",
            condition.sql
        ),
        condition.args.clone(),
    )))
    .expect("query");
    rows.into_iter().map(|r| r.id).collect()
}

#[test]
fn the_sql_time_rules_agree_with_the_rust_rule_at_every_edge() {
    let db = open_database();
    let base = START + 100 * HOUR;
    let requests = requests_in_every_state(base);
    block_on(db.batch(requests.iter().map(|r| store::insert_if(r, None)).collect()))
        .expect("insert");
    let mut checked = 0;
    for now in [
        base - HOUR - 1,
        base - HOUR,
        base - 1,
        base,
        base + 1,
        base + HOUR,
    ] {
        for state in State::ALL.iter().copied() {
            let mut expected: Vec<String> = requests
                .iter()
                .filter(|r| r.effective_state(now) == state)
                .map(|r| r.id.to_string())
                .collect();
            expected.sort();
            assert_eq!(
                ids_where(&db, &store::effectively(state, now)),
                expected,
                "effectively {state} at {now}"
            );
            checked += 1;
        }
        for rule in &DEADLINES {
            let mut expected: Vec<String> = requests
                .iter()
                .filter(|r| r.state() == rule.state && lifecycle::sweep(r, now).is_some())
                .map(|r| r.id.to_string())
                .collect();
            expected.sort();
            assert_eq!(
                ids_where(&db, &store::past_deadline(rule, now)),
                expected,
                "due for {:?} at {now}",
                rule.state
            );
        }
        for r in &requests {
            let live = block_on(store::select(
                &Tenant::new(&db, r.tenant_id.clone()),
                store::live_grant(
                    store::Requester::Id(&r.requester.user_id),
                    &r.tenant_id,
                    "mail",
                    now,
                ),
            ))
            .expect("query");
            let expected = requests.iter().any(|x| x.grants_access(now));
            assert_eq!(!live.is_empty(), expected, "live grant at {now}");
        }
    }
    assert!(checked >= 54);
}

#[test]
fn the_sweep_is_bounded_per_run_and_clears_a_backlog_over_runs() {
    let db = open_database();
    let due = 20_000;
    let now = START + 48 * HOUR;
    let count = |sql: &str| -> i64 { db.conn.query_row(sql, [], |r| r.get(0)).expect("count") };
    // Half overdue pending requests, half ended grants, across both tenants.
    db.execute_script(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {due})
         INSERT INTO access_requests (id, tenant_id, service, ticket, reason, duration_minutes,
             requester_id, requester_email, state, created_at, manager_id, manager_email,
             manager_decided_at, lockbox_required, pending_expires_at, customer_id,
             customer_email, customer_decided_at, grant_starts_at, grant_ends_at)
         SELECT printf('%08x-0000-4000-8000-%012x', i, i),
                CASE i % 3 WHEN 0 THEN '{FABRIKAM}' ELSE '{CONTOSO}' END, 'mail', 'SR-' || i, 'Backlog', 60,
                '0b5e2d1c-0000-4000-8000-000000000301', 'engineer1@provider.example',
                CASE i % 2 WHEN 0 THEN 'PendingCustomerApproval' ELSE 'Approved' END,
                {START}, '0b5e2d1c-0000-4000-8000-000000000303', 'manager@provider.example', {START}, 1,
                {START} + {PENDING_LIFETIME_MS} + (i % 1000),
                CASE i % 2 WHEN 0 THEN NULL ELSE '0b5e2d1c-0000-4000-8000-000000000102' END,
                CASE i % 2 WHEN 0 THEN NULL ELSE 'approver1@contoso.example' END,
                CASE i % 2 WHEN 0 THEN NULL ELSE {START} END,
                CASE i % 2 WHEN 0 THEN NULL ELSE {START} END,
                CASE i % 2 WHEN 0 THEN NULL ELSE {START} + {HOUR} + (i % 1000) END
         FROM n;"
    ))
    .expect("backlog");
    index_rows_written_directly(&db);
    let already_due = count(&format!(
        "SELECT COUNT(*) FROM access_requests WHERE (state IN ('PendingManagerApproval', 'PendingCustomerApproval') \
         AND pending_expires_at <= {now}) OR (state = 'Approved' AND grant_ends_at <= {now})"
    )) - due;
    let sweep_records = || -> i64 {
        count(
            "SELECT COUNT(*) FROM audit_log WHERE activity IN \
             ('Expire-AccessToCustomerDataRequest', 'Complete-AccessToCustomerDataRequest')",
        )
    };
    let records_before = sweep_records();
    let started = std::time::Instant::now();
    let mut runs = 0;
    let mut moved = 0;
    let batches_before = db.batches();
    loop {
        let outcome = block_on(cron::sweep(&db, now, SERVICE_ACCOUNT)).expect("sweep");
        runs += 1;
        moved += outcome.expired + outcome.completed;
        if !outcome.more_due {
            break;
        }
        assert!(runs < 100, "the backlog does not shrink");
    }
    let elapsed = started.elapsed();
    assert!(
        (db.batches() - batches_before) <= runs * u64::from(cron::SWEEP_CALL_BUDGET),
        "a run makes at most {} calls",
        cron::SWEEP_CALL_BUDGET
    );
    assert_eq!(moved, (due + already_due) as u64);
    let again = block_on(cron::sweep(&db, now, SERVICE_ACCOUNT)).expect("sweep");
    assert_eq!(
        (again.expired, again.completed),
        (0, 0),
        "a further run changes nothing"
    );
    assert_eq!(
        sweep_records() - records_before,
        due + already_due,
        "one audit record per moved request"
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM (SELECT tenant_id, COUNT(*) AS n, MAX(seq) AS top FROM audit_log GROUP BY tenant_id) WHERE n <> top"),
        0,
        "sequence numbers stay gapless"
    );
    println!(
        "sweep: {due} due rows cleared in {runs} runs (at most {} database calls per run), {elapsed:.1?} in all",
        cron::SWEEP_CALL_BUDGET
    );
}

#[test]
fn the_sweep_expires_the_due_requests_of_300_tenants() {
    // D1 binds at most 100 parameters a statement, and so does this
    // driver: tenant names read for a run's rows once took one per tenant.
    let db = open_database();
    let tenants = 300;
    let now = START + 48 * HOUR;
    db.execute_script(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {tenants})
         INSERT INTO tenants (id, name, domain, lockbox_enabled, created_at)
         SELECT printf('5e000000-0000-4000-8000-%012x', i), 'Tenant ' || i, 'tenant' || i || '.example', 1, {START}
         FROM n;
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {tenants})
         INSERT INTO access_requests (id, tenant_id, service, ticket, reason, duration_minutes,
             requester_id, requester_email, state, created_at, manager_id, manager_email,
             manager_decided_at, lockbox_required, pending_expires_at)
         SELECT printf('5e000001-0000-4000-8000-%012x', i), printf('5e000000-0000-4000-8000-%012x', i),
                'mail', 'SR-T' || i, 'Due in many tenants', 60,
                '0b5e2d1c-0000-4000-8000-000000000301', 'engineer1@provider.example',
                'PendingCustomerApproval', {START}, '0b5e2d1c-0000-4000-8000-000000000303',
                'manager@provider.example', {START}, 1, {START} + {PENDING_LIFETIME_MS}
         FROM n;"
    ))
    .expect("300 tenants with a due request each");
    index_rows_written_directly(&db);
    // The index names the tenants with something due, 50 at a time (their
    // names in one statement); each run sweeps as many of them as its
    // budget of database calls allows (a read and a batch each, and one
    // update of the index per scan); the runs after it take the rest.
    let first = block_on(cron::sweep(&db, now, SERVICE_ACCOUNT)).expect("the first run");
    assert!(first.expired > 0 && first.more_due, "{first:?}");
    let mut runs = 1;
    let mut expired = first.expired;
    loop {
        let outcome = block_on(cron::sweep(&db, now, SERVICE_ACCOUNT)).expect("sweep");
        runs += 1;
        expired += outcome.expired;
        if !outcome.more_due {
            break;
        }
        assert!(runs < 50, "the backlog does not shrink");
    }
    assert!(expired >= tenants, "{expired} in {runs} runs");
    println!(
        "sweep of {tenants} tenants: {} moved by the first run, all in {runs} runs",
        first.expired
    );
    let count = |sql: &str| -> u64 { db.conn.query_row(sql, [], |r| r.get(0)).expect("count") };
    assert_eq!(
        count(
            "SELECT COUNT(*) FROM access_requests WHERE id LIKE '5e000001-%' AND state = 'Expired'"
        ),
        tenants
    );
    assert_eq!(
        count(
            "SELECT COUNT(DISTINCT tenant_id) FROM audit_log \
             WHERE activity = 'Expire-AccessToCustomerDataRequest' AND tenant_id LIKE '5e000000-%'"
        ),
        tenants,
        "each tenant's log has its expiry"
    );
}

#[test]
fn a_freeze_is_lifted_only_once_every_grant_it_ends_has_ended() {
    let db = open_database();
    let who = |email: &str| seeded(&db, email);
    let admin = who("admin@fabrikam.example");
    let stamp = stamp_at(START);
    // `n` live Fabrikam grants (Lockbox off: granted at pre-approval), ids
    // starting with `prefix`.
    let add_live = |prefix: &str, n: usize| {
        db.execute_script(&format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n})
             INSERT INTO access_requests (id, tenant_id, service, ticket, reason, duration_minutes,
                 requester_id, requester_email, state, created_at, manager_id, manager_email,
                 manager_decided_at, lockbox_required, pending_expires_at, grant_starts_at, grant_ends_at)
             SELECT printf('{prefix}-0000-4000-8000-%012x', i), '{FABRIKAM}', 'mail', 'SR-{prefix}-' || i,
                    'Live when frozen', 60, '0b5e2d1c-0000-4000-8000-000000000301',
                    'engineer1@provider.example', 'Approved', {START} - {MINUTE},
                    '0b5e2d1c-0000-4000-8000-000000000303', 'manager@provider.example',
                    {START} - {MINUTE}, 0, NULL, {START} - {MINUTE}, {START} + {HOUR}
             FROM n;"
        ))
        .expect("live grants");
    };
    // More live grants than one call of the freeze ends.
    add_live("f0000000", settings::FREEZE_ENDS_PER_CALL + 50);
    let live = || -> usize {
        db.conn
            .query_row(
                "SELECT COUNT(*) FROM access_requests WHERE id LIKE 'f0000000-%' AND state = 'Approved'",
                [],
                |r| r.get(0),
            )
            .expect("count")
    };
    let frozen = block_on(settings::set_freeze(
        &db,
        &admin,
        true,
        Some("Breach"),
        &stamp,
    ))
    .expect("frozen");
    assert_eq!(frozen.revoked as usize, settings::FREEZE_ENDS_PER_CALL);
    assert_eq!(live(), 50);
    // Lifting now would let 50 grants open the content again: it ends
    // them first, then lifts.
    let lifted = block_on(settings::set_freeze(&db, &admin, false, None, &stamp)).expect("lifted");
    assert!(!lifted.frozen);
    assert_eq!((lifted.revoked, live()), (50, 0));

    // With more left than one call ends, it stays frozen and says how many.
    add_live("f0000001", settings::FREEZE_ENDS_PER_CALL * 2 + 10);
    block_on(settings::set_freeze(
        &db,
        &admin,
        true,
        Some("Again"),
        &stamp,
    ))
    .expect("frozen");
    let refused = block_on(settings::set_freeze(&db, &admin, false, None, &stamp))
        .expect_err("more than one call ends");
    let problem = refused.problem();
    assert_eq!(problem.status, 409, "{problem:?}");
    assert!(
        problem.detail.contains("10 grants and requests"),
        "{}",
        problem.detail
    );
    let setting = block_on(settings::freeze_setting(&db, &admin)).expect("setting");
    assert!(setting.frozen, "still frozen");
    let lifted = block_on(settings::set_freeze(&db, &admin, false, None, &stamp)).expect("lifted");
    assert!(!lifted.frozen);
    assert_eq!(lifted.revoked, 10);
}

#[test]
fn a_corrupt_approvals_setting_is_refused_not_read_as_a_default() {
    let db = open_database();
    let admin = seeded(&db, "admin@contoso.example");
    db.execute_script(&format!(
        "UPDATE tenants SET approvals_required = 7 WHERE id = '{CONTOSO}'"
    ))
    .expect("corrupt it");
    let err = block_on(settings::approvals_setting(&db, &admin)).expect_err("corrupt row");
    assert_eq!(err.problem().status, 500, "{err:?}");
    assert!(
        format!("{err:?}").contains("approvals_required 7"),
        "{err:?}"
    );
}

#[test]
fn the_test_driver_refuses_a_statement_with_more_than_100_parameters_as_d1_does() {
    let db = open_database();
    let marks = vec!["?"; 101].join(", ");
    let args = (0..101).map(lockbox_backend::store::Value::Int).collect();
    let too_many = Statement::new(format!("SELECT 1 WHERE 1 IN ({marks})"), args);
    let err = block_on(db.query::<serde_json::Value>(too_many)).expect_err("refused");
    assert!(
        format!("{err:?}").contains("too many SQL variables"),
        "{err:?}"
    );
}

/// The Worker's sealing, run in steps on SQLite, builds exactly the tree
/// that hashing every record at once builds; its checkpoint, inclusion and
/// consistency proofs check against that tree.
#[test]
fn sealing_in_steps_builds_the_tree_of_every_record() {
    use lockbox_backend::service::tree;
    use lockbox_backend::store::audit;
    use lockbox_shared::tlog::{self, MemoryTree, SigningKey};

    let db = open_database();
    let tenant = TenantId::parse(CONTOSO).expect("valid");
    block_on(db.batch(vec![audit::bulk(&tenant, 1_234)])).expect("bulk records");
    let auditor = block_on(people::principal(&db, "auditor@contoso.example"))
        .expect("query")
        .expect("seeded");
    // A first step, then the rest: steps must join up.
    let (first, more) = block_on(tree::seal_step(&db, &tenant)).expect("a step");
    assert!(more && first == tree::SEAL_STEP as u64, "{first} {more}");
    let size = block_on(tree::seal(&db, &tenant, 100)).expect("seal");
    let records = block_on(audit::select(&db, audit::after(&tenant, 0, 100_000))).expect("records");
    assert_eq!(size as usize, records.len());
    let mut truth = MemoryTree::default();
    for r in &records {
        truth.push(tlog::leaf_hash(r)).expect("push");
    }

    let key =
        SigningKey::from_seed_base64("model.test", "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=")
            .expect("key");
    let note = block_on(tree::checkpoint(&db, &auditor, &key, "model.test")).expect("checkpoint");
    let opened = tlog::open_checkpoint(&note, &key.verifier_key()).expect("verifies");
    assert_eq!(opened.size, size);
    assert_eq!(opened.root, truth.root_of(size).expect("root"));

    for seq in [1, 2, 500, 501, 777, size as i64] {
        let p = block_on(tree::inclusion(&db, &auditor, seq, None)).expect("proof");
        let proof: Vec<_> = p
            .proof
            .iter()
            .map(|h| tlog::parse_hash(h).expect("hash"))
            .collect();
        assert!(
            tlog::check_inclusion(
                &proof,
                size,
                opened.root,
                p.leaf_index,
                tlog::leaf_hash(&records[seq as usize - 1])
            ),
            "record {seq}"
        );
    }
    for from in [0, 1, 499, 500, 1_000] {
        let c = block_on(tree::consistency(&db, &auditor, from, None)).expect("consistency");
        let proof: Vec<_> = c
            .proof
            .iter()
            .map(|h| tlog::parse_hash(h).expect("hash"))
            .collect();
        let old_root = truth.root_of(from).expect("old root");
        assert_eq!(c.from_root, tlog::hash_text(&old_root));
        assert!(
            tlog::check_consistency(&proof, size, opened.root, from, old_root),
            "{from}"
        );
    }
    // Sealing again changes nothing; the leaf hashes are stored per record.
    assert_eq!(block_on(tree::seal(&db, &tenant, 10)).expect("seal"), size);
    let stored: i64 = db
        .conn
        .query_row(
            "SELECT COUNT(*) FROM audit_leaves WHERE tenant_id = ?",
            [CONTOSO],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(stored as u64, size);
}

/// A mailer that records what it sends and fails each message of `flaky`
/// on its first attempt.
struct RecordingMailer {
    sent: std::cell::RefCell<Vec<String>>,
    tried: std::cell::RefCell<Vec<String>>,
    flaky: std::collections::BTreeSet<String>,
}

impl lockbox_backend::service::notify::Mailer for RecordingMailer {
    async fn send(
        &self,
        mail: lockbox_backend::service::notify::Mail<'_>,
    ) -> Result<String, String> {
        let id = mail.row.id.clone();
        let first = !self.tried.borrow().contains(&id);
        self.tried.borrow_mut().push(id.clone());
        if first && self.flaky.contains(&id) {
            return Err("the mail provider is down".to_owned());
        }
        self.sent.borrow_mut().push(id.clone());
        Ok(format!("provider-{id}"))
    }
}

/// A webhook receiver that must not be called (no endpoints here).
struct NoPoster;

impl lockbox_backend::service::notify::Poster for NoPoster {
    async fn post(
        &self,
        url: &str,
        _headers: &[(&str, String)],
        _body: &str,
    ) -> lockbox_backend::service::notify::PostResult {
        panic!("no endpoint exists, yet {url} was called")
    }
}

#[test]
fn two_delivery_passes_at_once_send_each_message_once_and_a_failed_one_is_retried_later() {
    use lockbox_backend::service::notify::deliver_due;
    use lockbox_backend::store::outbox;
    let db = open_database();
    let pending: Vec<outbox::OutboxRow> =
        block_on(db.query(outbox::dev_list(None, 1_000))).expect("the outbox reads");
    assert!(
        pending.len() >= 10,
        "the demo requests wrote notices: {}",
        pending.len()
    );
    let flaky: std::collections::BTreeSet<String> =
        pending.iter().take(3).map(|r| r.id.clone()).collect();
    let mailer = RecordingMailer {
        sent: Default::default(),
        tried: Default::default(),
        flaky: flaky.clone(),
    };
    let now = START + HOUR;
    // Two passes interleaved on one database (each statement yields).
    let (a, b) = block_on(futures::future::join(
        deliver_due(&db, &mailer, &NoPoster, None, None, now, 1_000),
        deliver_due(&db, &mailer, &NoPoster, None, None, now, 1_000),
    ));
    let (a, b) = (a.expect("first pass"), b.expect("second pass"));
    assert_eq!(a.delivered + b.delivered, (pending.len() - 3) as u64);
    assert_eq!(a.retrying + b.retrying, 3);
    // Not yet due again: the backoff is 30 s.
    let early = block_on(deliver_due(
        &db,
        &mailer,
        &NoPoster,
        None,
        None,
        now + 1_000,
        1_000,
    ))
    .expect("pass");
    assert_eq!(early.delivered + early.retrying, 0);
    let later = block_on(deliver_due(
        &db,
        &mailer,
        &NoPoster,
        None,
        None,
        now + 31_000,
        1_000,
    ))
    .expect("pass");
    assert_eq!(later.delivered, 3);
    let mut sent = mailer.sent.borrow().clone();
    let total = sent.len();
    sent.sort();
    sent.dedup();
    assert_eq!(sent.len(), total, "a message was sent twice");
    assert_eq!(total, pending.len());
    let rows: Vec<outbox::OutboxRow> =
        block_on(db.query(outbox::dev_list(None, 1_000))).expect("reads");
    for row in &rows {
        assert_eq!(row.status, "delivered", "{row:?}");
        let expected = if flaky.contains(&row.id) { 2 } else { 1 };
        assert_eq!(row.attempts, expected, "{row:?}");
        assert_eq!(
            row.provider_message_id.as_deref(),
            Some(format!("provider-{}", row.id).as_str())
        );
    }
    // The admins' views read on the real schema.
    let tenant = TenantId::parse(CONTOSO).expect("id");
    let log: Vec<outbox::OutboxRow> =
        block_on(db.query(outbox::tenant_deliveries(&tenant, 50))).expect("reads");
    assert!(
        log.iter()
            .all(|r| r.kind == "pending-approval" || r.channel == "webhook"),
        "{log:?}"
    );
    let endpoints: Vec<outbox::EndpointSummaryRow> =
        block_on(db.query(outbox::tenant_endpoints(&tenant))).expect("reads");
    assert!(endpoints.is_empty());
    // Delivered messages go when they are older than the cut-off, not before.
    block_on(db.batch(vec![outbox::prune(START - 365 * 24 * HOUR, 1_000)])).expect("prunes");
    let kept: Vec<outbox::OutboxRow> =
        block_on(db.query(outbox::dev_list(None, 1_000))).expect("reads");
    assert_eq!(kept.len(), rows.len());
    block_on(db.batch(vec![outbox::prune(now, 1_000)])).expect("prunes");
    let left: Vec<outbox::OutboxRow> =
        block_on(db.query(outbox::dev_list(None, 1_000))).expect("reads");
    assert!(left.is_empty(), "{left:?}");
}

/// Every operation under a live grant: an item that exists is read and
/// recorded once; one that does not is 404 and records nothing. The
/// condition that guards the record and the query that reads the item come
/// from one definition (`store::content::plan`); this holds them to it.
fn query_plan(db: &Sqlite, statement: &Statement) -> String {
    use lockbox_backend::store::Value;
    let args: Vec<rusqlite::types::Value> = statement
        .args
        .iter()
        .map(|v| match v {
            Value::Null => rusqlite::types::Value::Null,
            Value::Int(n) => rusqlite::types::Value::Integer(*n),
            Value::Text(s) => rusqlite::types::Value::Text(s.clone()),
        })
        .collect();
    let mut plan = db
        .conn
        .prepare(&format!("EXPLAIN QUERY PLAN {}", statement.sql))
        .expect("plan");
    let rows = plan
        .query_map(rusqlite::params_from_iter(args), |r| r.get::<_, String>(3))
        .expect("plan rows");
    rows.map(|r| r.expect("plan row"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The sample service, registered in `db` as `make dev` registers it.
fn sample_service(db: &Sqlite) -> RegisteredService {
    block_on(lockbox_backend::demo::register_service(
        db,
        &demo_service_key(),
        START,
        SERVICE_ACCOUNT,
    ))
    .expect("registered");
    block_on(lockbox_backend::store::services::by_id(db, "svc:sample"))
        .expect("read")
        .expect("registered")
}

/// The grant-token keys of the tests that record actions.
fn grant_keys() -> Result<GrantKeys, String> {
    GrantKeys::from_seeds(
        &base64::Engine::encode(&base64::engine::general_purpose::STANDARD, [12u8; 32]),
        None,
    )
}

#[test]
fn a_requests_actions_are_read_by_its_id_refused_ones_too_through_their_indexes() {
    use lockbox_backend::store::audit::{self, AuditFilter};
    let db = open_database();
    let who = |email: &str| seeded(&db, email);
    let engineer = who("engineer1@provider.example");
    let stamp = stamp_at;
    let id = granted_request(&db, "mail", "SR-ACTIONS-1", START);
    // The sample service records a read under the grant; after the
    // grant's end the engineer's call, naming the request, is refused by
    // Lockbox before it reaches any service, and recorded with it.
    let service = sample_service(&db);
    let keys = grant_keys();
    let boundary = Boundary {
        keys: &keys,
        issuer: ISSUER,
        operator: OPERATOR,
    };
    let batch = ActionBatch {
        grant: id.to_string(),
        batch_id: "actions-1".to_owned(),
        actions: vec![ServiceAction {
            operation: "Get-Mailbox".to_owned(),
            item: None,
            parameters: Default::default(),
            count: None,
            digest: None,
        }],
    };
    let named = block_on(integration::grant_of(
        &db,
        &batch.grant,
        &boundary,
        START + MINUTE,
        Vec::new(),
    ));
    block_on(integration::record(
        &db,
        &service,
        None,
        &batch,
        named,
        &boundary,
        &stamp(START + MINUTE),
    ))
    .expect("recorded under the grant");
    let err = block_on(operations::prepare(
        &db,
        &engineer,
        (CONTOSO, "mail", "Get-Mailbox"),
        &serde_json::Map::new(),
        Some(&id),
        &boundary,
        &["svc:sample"],
        &stamp(START + 2 * HOUR),
        None,
    ))
    .err()
    .expect("the grant has ended");
    assert_eq!(err.problem().status, 403);

    let tenant = TenantId::parse(CONTOSO).expect("tenant");
    let actions = block_on(audit::select(
        &db,
        audit::actions_of(&tenant, id.as_str(), 200),
    ))
    .expect("actions");
    let outcomes: Vec<(&str, &str)> = actions
        .iter()
        .map(|a| {
            (
                a.record.activity.as_str(),
                a.record.details.get("Outcome").map_or("", String::as_str),
            )
        })
        .collect();
    // Newest first; the request's own changes are not among them.
    assert_eq!(
        outcomes,
        [("Get-Mailbox", "Refused"), ("Get-Mailbox", "Succeeded")]
    );
    assert_eq!(
        actions[0].record.details.get("Ticket").map(String::as_str),
        Some("SR-ACTIONS-1")
    );

    // Narrowed to the request or its ticket, the search has its changes
    // and its actions.
    let by_request = AuditFilter {
        request: Some(id.as_str().to_owned()),
        ..AuditFilter::default()
    };
    let by_ticket = AuditFilter {
        ticket: Some("SR-ACTIONS-1".to_owned()),
        ..AuditFilter::default()
    };
    for filter in [&by_request, &by_ticket] {
        let found = block_on(audit::select_exported(
            &db,
            audit::search(&tenant, filter, 50),
        ))
        .expect("search");
        assert_eq!(
            found.len(),
            5,
            "{filter:?}: created, pre-approved, approved, two calls"
        );
    }

    // Each read goes through the index on its own expression (SQLite uses
    // an expression index only for the very same expression).
    for (statement, index) in [
        (
            audit::actions_of(&tenant, id.as_str(), 200),
            "audit_log_tenant_request",
        ),
        (
            audit::search(&tenant, &by_request, 50),
            "audit_log_tenant_request",
        ),
        (
            audit::search(&tenant, &by_ticket, 50),
            "audit_log_tenant_ticket",
        ),
    ] {
        let plan = query_plan(&db, &statement);
        assert!(plan.contains(index), "{}:\n{plan}", statement.sql);
    }
}

/// The outbox rows of `kind` about `request`, by recipient.
fn notices(db: &Sqlite, request: &RequestId, kind: &str) -> BTreeMap<String, (String, String)> {
    use lockbox_backend::store::outbox;
    let rows: Vec<outbox::OutboxRow> =
        block_on(db.query(outbox::dev_list(None, 1_000))).expect("the outbox reads");
    rows.into_iter()
        .filter(|r| r.request_id.as_deref() == Some(request.as_str()) && r.kind == kind)
        .map(|r| (r.recipient, (r.subject, r.body)))
        .collect()
}

/// A Contoso request opened by engineer1 and pre-approved by the manager
/// at `now`: it awaits Contoso's approvers.
fn pending_request(db: &Sqlite, ticket: &str, now: i64) -> RequestId {
    let input = CreateAccessRequest {
        tenant_id: CONTOSO.to_owned(),
        service: "mail".to_owned(),
        ticket: ticket.to_owned(),
        reason: "Mailbox will not sync".to_owned(),
        duration_minutes: 90,
        operations: asked("mail"),
        emergency: None,
    };
    let engineer = seeded(db, "engineer1@provider.example");
    let view = block_on(requests::create(db, &engineer, &input, &stamp_at(now))).expect("create");
    block_on(requests::act(
        db,
        &seeded(db, "manager@provider.example"),
        &view.id,
        Verb::Preapprove,
        None,
        requests::Granting::default(),
        None,
        &stamp_at(now),
        None,
    ))
    .expect("pre-approves");
    view.id
}

#[test]
fn each_person_gets_notices_in_their_language_and_webhooks_the_tenants() {
    use lockbox_shared::i18n::Lang;
    use lockbox_shared::text::mail;
    let db = open_database();
    let italian = seeded(&db, "approver1@contoso.example");
    block_on(people::set_language(&db, &italian.user_id, Some(Lang::It))).expect("chooses");
    db.execute_script(&format!(
        "INSERT INTO webhook_endpoints (id, tenant_id, url, events, secret, created_by, created_at) \
         VALUES ('5e1f0000-0000-4000-8000-000000000001', '{CONTOSO}', 'https://hooks.contoso.example/lockbox', \
         'request.pending', 'whsec_x', 'admin@contoso.example', {START})"
    ))
    .expect("an endpoint");

    // The same event: the colleague who chose Italian reads Italian, the
    // one who chose nothing reads Contoso's default, English.
    let first = pending_request(&db, "SR-LANG-1", START + HOUR);
    let told = notices(&db, &first, "pending-approval");
    let (it_subject, it_body) = &told["approver1@contoso.example"];
    let (en_subject, en_body) = &told["approver2@contoso.example"];
    assert!(it_subject.contains("chiede di accedere"), "{it_subject}");
    assert!(it_body.contains("1 ora 30 minuti"), "{it_body}");
    assert!(
        it_body.ends_with(&format!("{}\n", mail::no_links(Lang::It))),
        "{it_body}"
    );
    assert!(en_subject.contains("asks for access"), "{en_subject}");
    assert!(
        en_body.ends_with(&format!("{}\n", mail::no_links(Lang::En))),
        "{en_body}"
    );
    let hook = &notices(&db, &first, "request.pending")["5e1f0000-0000-4000-8000-000000000001"].1;
    let hook: serde_json::Value = serde_json::from_str(hook).expect("JSON");
    assert_eq!(hook["language"], "en");
    assert_eq!(hook["data"]["ticket"], "SR-LANG-1");
    assert!(
        hook["text"]
            .as_str()
            .is_some_and(|t| t.contains("asks for access")),
        "{hook}"
    );
    // The engineer (provider staff, no choice) reads English.
    let engineer = &notices(&db, &first, "preapproved")["engineer1@provider.example"].0;
    assert!(engineer.contains("was pre-approved"), "{engineer}");

    // Contoso's default becomes Italian: who chose nothing follows it, in
    // e-mails and webhook text alike; provider staff do not.
    let admin = seeded(&db, "admin@contoso.example");
    block_on(settings::set_default_language(
        &db,
        &admin,
        Lang::It,
        &stamp_at(START + HOUR),
    ))
    .expect("sets the default");
    let second = pending_request(&db, "SR-LANG-2", START + 2 * HOUR);
    let told = notices(&db, &second, "pending-approval");
    assert!(told["approver2@contoso.example"]
        .0
        .contains("chiede di accedere"));
    let hook = &notices(&db, &second, "request.pending")["5e1f0000-0000-4000-8000-000000000001"].1;
    let hook: serde_json::Value = serde_json::from_str(hook).expect("JSON");
    assert_eq!(hook["language"], "it");
    assert_eq!(hook["type"], "request.pending");
    assert!(
        hook["text"]
            .as_str()
            .is_some_and(|t| t.contains("chiede di accedere")),
        "{hook}"
    );
    let engineer = &notices(&db, &second, "preapproved")["engineer1@provider.example"].0;
    assert!(engineer.contains("was pre-approved"), "{engineer}");
    // The engineer's own choice reaches their address too.
    let engineer = seeded(&db, "engineer1@provider.example");
    block_on(people::set_language(&db, &engineer.user_id, Some(Lang::It))).expect("chooses");
    let third = pending_request(&db, "SR-LANG-3", START + 3 * HOUR);
    let told = &notices(&db, &third, "preapproved")["engineer1@provider.example"].0;
    assert!(told.contains("è stata pre-approvata"), "{told}");
}

#[test]
fn the_languages_the_database_accepts_are_those_lockbox_speaks() {
    use lockbox_shared::i18n::Lang;
    let db = open_database();
    for lang in Lang::ALL {
        db.execute_script(&format!(
            "UPDATE users SET language = '{lang}' WHERE email = 'admin@contoso.example'; \
             UPDATE tenants SET default_language = '{lang}' WHERE id = '{CONTOSO}';"
        ))
        .unwrap_or_else(|e| panic!("{lang} refused: {e:?}"));
    }
    for other in ["de", "EN", "", "it-IT"] {
        assert!(
            db.execute_script(&format!(
                "UPDATE users SET language = '{other}' WHERE email = 'admin@contoso.example'"
            ))
            .is_err(),
            "{other:?} accepted for a person"
        );
        assert!(
            db.execute_script(&format!(
                "UPDATE tenants SET default_language = '{other}' WHERE id = '{CONTOSO}'"
            ))
            .is_err(),
            "{other:?} accepted for a tenant"
        );
    }
}

/// Commits `plan` (Contoso's) as of `now`.
fn commit_plan(db: &Sqlite, plan: &lockbox_shared::plan::Plan, now: i64) -> Vec<bool> {
    use lockbox_backend::store::plan;
    let contoso = TenantId::parse(CONTOSO).expect("valid");
    let readers = block_on(plan::readers_for(&Global::new(db), plan)).expect("readers");
    block_on(plan::commit(
        &Tenant::new(db, contoso),
        "Contoso",
        &readers,
        plan,
        now,
    ))
    .expect("commit")
    .written
}

fn count(db: &Sqlite, table: &str) -> i64 {
    db.conn
        .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |row| {
            row.get(0)
        })
        .expect("count")
}

/// Runs `plan`, read before `stale` ran, and expects it to write nothing
/// at all; then runs `heal`, which undoes `stale`, and expects the same
/// plan to be written: what refused it is the guard that `stale` broke.
fn refused_while_stale(
    db: &Sqlite,
    plan: &lockbox_shared::plan::Plan,
    now: i64,
    stale: &str,
    heal: &str,
) {
    let tables = ["audit_log", "outbox", "idempotency_keys", "access_requests"];
    let before: Vec<i64> = tables.iter().map(|t| count(db, t)).collect();
    let rows_before: Vec<AccessRequest> = plan
        .steps
        .iter()
        .filter_map(|s| {
            block_on(store::load(
                &Tenant::new(db, s.after().tenant_id.clone()),
                &s.after().id,
            ))
            .expect("load")
        })
        .collect();
    db.conn.execute_batch(stale).expect("stale");
    let written = commit_plan(db, plan, now);
    assert!(written.iter().all(|w| !w), "{stale}: written {written:?}");
    db.conn.execute_batch(heal).expect("heal");
    let after: Vec<i64> = tables.iter().map(|t| count(db, t)).collect();
    assert_eq!(before, after, "{stale}: something was written");
    let rows_after: Vec<AccessRequest> = plan
        .steps
        .iter()
        .filter_map(|s| {
            block_on(store::load(
                &Tenant::new(db, s.after().tenant_id.clone()),
                &s.after().id,
            ))
            .expect("load")
        })
        .collect();
    assert_eq!(rows_before, rows_after, "{stale}: a row moved");
    let written = commit_plan(db, plan, now);
    assert!(written.iter().all(|&w| w), "{heal}: written {written:?}");
    assert_eq!(count(db, "plan_gates"), 0, "gates are removed");
}

/// Each guard of a plan on its own: a plan made from a read that went
/// stale in exactly one way writes nothing (no row, record, notice or
/// key), and the same plan is written once that one thing is as read
/// again. Removing any guard or requirement fails this test.
#[test]
fn each_guard_of_a_plan_refuses_a_read_gone_stale() {
    use lockbox_shared::api::ExtendBody;
    use lockbox_shared::plan::{self, Origin, Reads};
    let db = open_database();
    let now = START + HOUR;
    let origin = Origin {
        ip: "203.0.113.7",
        service_account: SERVICE_ACCOUNT,
    };
    let contoso = TenantId::parse(CONTOSO).expect("valid");
    let switches = || {
        block_on(lockbox_backend::store::settings::tenant(&db, &contoso))
            .expect("tenant")
            .expect("Contoso")
            .switches()
            .expect("switches")
    };
    let load = |id: &RequestId| {
        block_on(store::load(&Tenant::new(&db, contoso.clone()), id))
            .expect("load")
            .expect("exists")
    };
    let who = |email: &str| lockbox_backend::service::actor(&seeded(&db, email));
    let keys = Cell::new(0);
    let decide = |request: &AccessRequest,
                  verb: Verb,
                  person: &str,
                  chain: &[AccessRequest],
                  extended: Option<&AccessRequest>| {
        keys.set(keys.get() + 1);
        let key = format!("key-{}", keys.get());
        let reads = Reads {
            request,
            switches: switches(),
            extended,
            chain,
        };
        plan::decision(
            reads,
            verb,
            &who(person),
            None,
            lockbox_shared::lifecycle::Terms::default(),
            Some(&key),
            now,
            origin,
        )
        .expect("allowed as read")
    };
    let sql = |template: &str, id: &RequestId| template.replace("{id}", id.as_str());

    // The row as read (here: its state).
    let pending = pending_request(&db, "SR-STALE-1", now);
    let approve = decide(
        &load(&pending),
        Verb::Approve,
        "approver1@contoso.example",
        &[],
        None,
    );
    refused_while_stale(
        &db,
        &approve,
        now,
        &sql(
            "UPDATE access_requests SET state = 'Denied' WHERE id = '{id}'",
            &pending,
        ),
        &sql(
            "UPDATE access_requests SET state = 'PendingCustomerApproval' WHERE id = '{id}'",
            &pending,
        ),
    );

    // The tenant not frozen.
    let pending = pending_request(&db, "SR-STALE-2", now);
    let approve = decide(
        &load(&pending),
        Verb::Approve,
        "approver1@contoso.example",
        &[],
        None,
    );
    refused_while_stale(
        &db,
        &approve,
        now,
        &format!("UPDATE tenants SET frozen_at = 1, frozen_by = 'x', freeze_reason = 'y' WHERE id = '{CONTOSO}'"),
        &format!("UPDATE tenants SET frozen_at = NULL, frozen_by = NULL, freeze_reason = NULL WHERE id = '{CONTOSO}'"),
    );

    // The tenant's settings as read, for a pre-approval.
    let input = CreateAccessRequest {
        tenant_id: CONTOSO.to_owned(),
        service: "mail".to_owned(),
        ticket: "SR-STALE-3".to_owned(),
        reason: "Mailbox will not sync".to_owned(),
        duration_minutes: 60,
        operations: asked("mail"),
        emergency: None,
    };
    let engineer = seeded(&db, "engineer1@provider.example");
    let created =
        block_on(requests::create(&db, &engineer, &input, &stamp_at(now))).expect("create");
    let preapprove = decide(
        &load(&created.id),
        Verb::Preapprove,
        "manager@provider.example",
        &[],
        None,
    );
    refused_while_stale(
        &db,
        &preapprove,
        now,
        &format!("UPDATE tenants SET approvals_required = 2 WHERE id = '{CONTOSO}'"),
        &format!("UPDATE tenants SET approvals_required = 1 WHERE id = '{CONTOSO}'"),
    );

    // An extension's grant still live, for its approval.
    let first = granted_request(&db, "mail", "SR-STALE-4", now);
    let body = ExtendBody {
        minutes: 30,
        reason: "Not done yet".to_owned(),
        operations: None,
    };
    let extension = block_on(requests::extend(
        &db,
        &engineer,
        &first,
        &body,
        &stamp_at(now),
    ))
    .expect("extend");
    block_on(requests::act(
        &db,
        &seeded(&db, "manager@provider.example"),
        &extension.id,
        Verb::Preapprove,
        None,
        requests::Granting::default(),
        None,
        &stamp_at(now),
        None,
    ))
    .expect("pre-approve");
    let grant = load(&first);
    let approve = decide(
        &load(&extension.id),
        Verb::Approve,
        "approver1@contoso.example",
        &[],
        Some(&grant),
    );
    refused_while_stale(
        &db,
        &approve,
        now,
        &sql("UPDATE access_requests SET grant_starts_at = grant_starts_at - 86400000, grant_ends_at = grant_ends_at - 86400000 WHERE id = '{id}'", &first),
        &sql("UPDATE access_requests SET grant_starts_at = grant_starts_at + 86400000, grant_ends_at = grant_ends_at + 86400000 WHERE id = '{id}'", &first),
    );

    // No other open extension, for a new one.
    let first = granted_request(&db, "files", "SR-STALE-5", now);
    let grant = load(&first);
    let other = pending_request(&db, "SR-STALE-6", now);
    let extend = plan::extension(
        &grant,
        &[],
        RequestId::parse("5d6e7f80-0000-4000-8000-00000000ee01").expect("valid"),
        lockbox_shared::validation::GrantDuration::from_minutes(30).expect("valid"),
        None,
        lockbox_shared::validation::Reason::parse("More time").expect("valid"),
        &who("engineer1@provider.example"),
        now,
        origin,
    )
    .expect("extends");
    refused_while_stale(
        &db,
        &extend,
        now,
        &format!(
            "UPDATE access_requests SET extends = '{}' WHERE id = '{}'",
            first.as_str(),
            other.as_str()
        ),
        &format!(
            "UPDATE access_requests SET extends = NULL WHERE id = '{}'",
            other.as_str()
        ),
    );

    // A revoke ends the grant and its extensions together, or neither.
    let first = granted_request(&db, "mail", "SR-STALE-7", now);
    let extension = block_on(requests::extend(
        &db,
        &engineer,
        &first,
        &body,
        &stamp_at(now),
    ))
    .expect("extend");
    for (person, verb) in [
        ("manager@provider.example", Verb::Preapprove),
        ("approver1@contoso.example", Verb::Approve),
    ] {
        block_on(requests::act(
            &db,
            &seeded(&db, person),
            &extension.id,
            verb,
            None,
            requests::Granting::default(),
            None,
            &stamp_at(now),
            None,
        ))
        .expect("decides");
    }
    let tenant = Tenant::new(&db, TenantId::parse(CONTOSO).expect("valid"));
    let chain = block_on(store::select(&tenant, store::chain_of(&first))).expect("chain");
    let revoke = decide(
        &load(&first),
        Verb::Revoke,
        "approver1@contoso.example",
        &chain,
        None,
    );
    assert_eq!(revoke.steps.len(), 2, "the grant and its extension");
    refused_while_stale(
        &db,
        &revoke,
        now,
        &sql("UPDATE access_requests SET grant_starts_at = grant_starts_at - 86400000, grant_ends_at = grant_ends_at - 86400000 WHERE id = '{id}'", &extension.id),
        &sql("UPDATE access_requests SET grant_starts_at = grant_starts_at + 86400000, grant_ends_at = grant_ends_at + 86400000 WHERE id = '{id}'", &extension.id),
    );
    assert_eq!(load(&first).state(), State::Revoked);
    assert_eq!(load(&extension.id).state(), State::Revoked);

    // The sweep: the deadline passed, as read.
    let pending = pending_request(&db, "SR-STALE-8", now);
    let later = now + PENDING_LIFETIME_MS + MINUTE;
    let sweep = plan::sweep(&[load(&pending)], later, SERVICE_ACCOUNT);
    assert_eq!(sweep.steps.len(), 1);
    refused_while_stale(
        &db,
        &sweep,
        later,
        &sql("UPDATE access_requests SET pending_expires_at = pending_expires_at + 86400000 WHERE id = '{id}'", &pending),
        &sql("UPDATE access_requests SET pending_expires_at = pending_expires_at - 86400000 WHERE id = '{id}'", &pending),
    );
    assert_eq!(load(&pending).state(), State::Expired);
}

/// The provider's index is a copy kept in step from each tenant's
/// `index_outbox`: after a crash that lost every write the calls made to
/// the index, the tenants' copies applied in any order, each more than
/// once, give back exactly the tenants' rows; so does the scheduled job's
/// catch-up alone, which then marks what it applied and forgets it a day
/// later.
/// Where the tenant's data and the provider's index share a database (D1),
/// a change writes the index's copy in its own batch: one write for a
/// decision, no copy left waiting, the index in step at once.
#[test]
fn one_database_writes_the_index_in_the_changes_own_batch() {
    let db = open_database();
    let now = START + HOUR;
    let pending = pending_request(&db, "SR-IDX-ONE", now);
    let before = db.batches();
    block_on(requests::act(
        &db,
        &seeded(&db, "approver1@contoso.example"),
        &pending,
        Verb::Approve,
        None,
        requests::Granting::default(),
        None,
        &stamp_at(now),
        None,
    ))
    .expect("approves");
    assert_eq!(db.batches() - before, 1, "one write batch for the decision");
    assert_eq!(index_mismatches(&db), 0, "the index is in step");
    let copies: Vec<provider_index::Copy> =
        block_on(db.query(provider_index::unapplied(i64::MAX, 10_000))).expect("copies");
    assert!(copies.is_empty(), "no copy waits: {copies:?}");
}

#[test]
fn the_index_converges_from_the_tenants_copies_in_any_order_after_a_crash() {
    use lockbox_shared::api::ExtendBody;
    let db = open_database_as(Sqlite::index_through_outbox);
    let now = START + HOUR;
    // Changes of every kind: new, pre-approved, approved, revoked with an
    // extension, frozen, expired by the sweep.
    let engineer = seeded(&db, "engineer1@provider.example");
    let first = granted_request(&db, "mail", "SR-IDX-1", now);
    let body = ExtendBody {
        minutes: 30,
        reason: "Not done yet".to_owned(),
        operations: None,
    };
    let extension = block_on(requests::extend(
        &db,
        &engineer,
        &first,
        &body,
        &stamp_at(now),
    ))
    .expect("extend");
    for (person, verb) in [
        ("manager@provider.example", Verb::Preapprove),
        ("approver1@contoso.example", Verb::Approve),
    ] {
        block_on(requests::act(
            &db,
            &seeded(&db, person),
            &extension.id,
            verb,
            None,
            requests::Granting::default(),
            None,
            &stamp_at(now),
            None,
        ))
        .expect("decides");
    }
    block_on(requests::act(
        &db,
        &seeded(&db, "approver2@contoso.example"),
        &first,
        Verb::Revoke,
        None,
        requests::Granting::default(),
        None,
        &stamp_at(now + MINUTE),
        None,
    ))
    .expect("revokes");
    for i in 0..4 {
        pending_request(&db, &format!("SR-IDX-P{i}"), now);
    }
    granted_request(&db, "files", "SR-IDX-2", now);
    block_on(cron::sweep(
        &db,
        now + PENDING_LIFETIME_MS + HOUR,
        SERVICE_ACCOUNT,
    ))
    .expect("sweep");
    assert_eq!(index_mismatches(&db), 0, "the calls kept the index in step");

    let copies: Vec<provider_index::Copy> =
        block_on(db.query(provider_index::unapplied(i64::MAX, 10_000))).expect("copies");
    let requests: i64 = db
        .conn
        .query_row("SELECT COUNT(*) FROM access_requests", [], |r| r.get(0))
        .expect("count");
    assert!(
        copies.len() as i64 > requests,
        "several copies of most requests"
    );
    // Shuffled, each copy twice, written in chunks: 20 orders.
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..20 {
        db.conn
            .execute("DELETE FROM request_index", [])
            .expect("crash");
        let mut order: Vec<&provider_index::Copy> = copies.iter().chain(copies.iter()).collect();
        for i in (1..order.len()).rev() {
            order.swap(i, (next() % (i as u64 + 1)) as usize);
        }
        for chunk in order.chunks(1 + (next() % 7) as usize) {
            let chunk: Vec<provider_index::Copy> = chunk.iter().map(|c| (*c).clone()).collect();
            block_on(provider_index::apply_copies(&Global::new(&db), &chunk)).expect("apply");
        }
        assert_eq!(
            index_mismatches(&db),
            0,
            "the index converges whatever the order"
        );
    }

    // The scheduled job alone, after the calls' writes were lost.
    db.conn
        .execute("DELETE FROM request_index", [])
        .expect("crash");
    let later = now + PENDING_LIFETIME_MS + 2 * HOUR;
    let mut runs = 0;
    while block_on(cron::catch_up_index(&db, later)).expect("catch up") > 0 {
        runs += 1;
        assert!(runs < 100, "the catch-up ends");
    }
    assert_eq!(
        index_mismatches(&db),
        0,
        "the catch-up alone rebuilds the index"
    );
    let left: Vec<provider_index::Copy> =
        block_on(db.query(provider_index::unapplied(i64::MAX, 10))).expect("copies");
    assert!(left.is_empty(), "every copy is marked applied");
    let day_later = later + provider_index::APPLIED_RETENTION_MS + MINUTE;
    block_on(cron::catch_up_index(&db, day_later)).expect("catch up");
    let kept: i64 = db
        .conn
        .query_row("SELECT COUNT(*) FROM index_outbox", [], |r| r.get(0))
        .expect("count");
    assert_eq!(kept, 0, "applied copies are forgotten a day later");

    // Nothing decides from the index: a copy that says a pending request
    // was cancelled does not keep its approver from approving it.
    let pending = pending_request(&db, "SR-IDX-3", later);
    db.conn
        .execute(
            "UPDATE request_index SET state = 'Cancelled' WHERE id = ?1",
            [pending.as_str()],
        )
        .expect("tamper");
    block_on(requests::act(
        &db,
        &seeded(&db, "approver1@contoso.example"),
        &pending,
        Verb::Approve,
        None,
        requests::Granting::default(),
        None,
        &stamp_at(later),
        None,
    ))
    .expect("the tenant's row decides");
    assert_eq!(
        index_mismatches(&db),
        0,
        "and the approval's copy mends the index"
    );
}

/// A change delivers its own tenant's messages after its answer: the
/// lease its batch takes ([`outbox::claim_due_of`]) holds no message of
/// another tenant.
#[test]
fn a_tenants_write_leases_only_that_tenants_messages() {
    use lockbox_backend::store::outbox;
    let db = open_database();
    let now = START + HOUR;
    let engineer = seeded(&db, "engineer1@provider.example");
    for (tenant, ticket) in [(CONTOSO, "SR-LEASE-1"), (FABRIKAM, "SR-LEASE-2")] {
        let input = CreateAccessRequest {
            tenant_id: tenant.to_owned(),
            service: "mail".to_owned(),
            ticket: ticket.to_owned(),
            reason: "Mailbox will not sync".to_owned(),
            duration_minutes: 60,
            operations: asked("mail"),
            emergency: None,
        };
        block_on(requests::create(&db, &engineer, &input, &stamp_at(now))).expect("create");
    }
    let contoso = TenantId::parse(CONTOSO).expect("valid");
    let leased: Vec<outbox::OutboxRow> =
        block_on(db.query(outbox::claim_due_of(&contoso, now, 1_000))).expect("lease");
    assert!(!leased.is_empty(), "Contoso's messages are leased");
    assert!(
        leased
            .iter()
            .all(|r| r.tenant_id.as_deref() == Some(CONTOSO)),
        "only Contoso's"
    );
    let fabrikam_leased: i64 = db
        .conn
        .query_row(
            "SELECT COUNT(*) FROM outbox WHERE tenant_id = ?1 AND leased_until IS NOT NULL",
            [FABRIKAM],
            |r| r.get(0),
        )
        .expect("count");
    let fabrikam_due: i64 = db
        .conn
        .query_row(
            "SELECT COUNT(*) FROM outbox WHERE tenant_id = ?1 AND status = 'pending'",
            [FABRIKAM],
            |r| r.get(0),
        )
        .expect("count");
    assert!(fabrikam_due > 0, "Fabrikam has messages due");
    assert_eq!(fabrikam_leased, 0, "none of them leased by Contoso's write");
}

/// Every table the migrations make is on one side (a tenant's, the
/// global one's, or both, by tenant), so that the split layout and the
/// move of a tenant's data know where each row lives.
#[test]
fn every_table_belongs_to_one_side() {
    use lockbox_backend::store::handles::{BOTH_TABLES, GLOBAL_TABLES, TENANT_TABLES};
    let db = Sqlite::with_migrations(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations"))
        .expect("migrations");
    let mut stmt = db
        .conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND name NOT LIKE '_cf_%' ORDER BY name",
        )
        .expect("prepare");
    let tables: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .expect("tables")
        .map(|r| r.expect("name"))
        .collect();
    let mut sided: Vec<String> = TENANT_TABLES
        .iter()
        .map(|(t, _)| t)
        .chain(GLOBAL_TABLES.iter())
        .chain(BOTH_TABLES.iter().map(|(t, _)| t))
        .map(|t| t.to_string())
        .collect();
    sided.sort();
    let before = sided.len();
    sided.dedup();
    assert_eq!(sided.len(), before, "a table is on two sides");
    assert_eq!(sided, tables, "the tables and their sides");
}

/// With two approvals required, the grant allows what both approvers
/// allowed of what was asked; an approval naming an operation not asked
/// for is refused naming it, and one that would leave nothing allowed is
/// refused and writes nothing.
#[test]
fn a_quorum_grants_what_every_approver_allowed_and_never_nothing() {
    let db = open_database();
    db.execute_script(&format!(
        "UPDATE tenants SET approvals_required = 2 WHERE id = '{CONTOSO}'"
    ))
    .expect("quorum");
    let now = START + 60 * MINUTE;
    let id = pending_request(&db, "SR-OPS-1", now);
    let approve = |who: &str, ops: &[&str]| {
        block_on(requests::act(
            &db,
            &seeded(&db, who),
            &id,
            Verb::Approve,
            None,
            requests::Granting {
                minutes: None,
                operations: Some(ops.iter().map(|op| (*op).to_owned()).collect()),
            },
            None,
            &stamp_at(now),
            None,
        ))
    };
    let records = || -> i64 {
        db.conn
            .query_row("SELECT COUNT(*) FROM audit_log", [], |r| r.get(0))
            .expect("count")
    };
    let not_asked = approve(
        "approver1@contoso.example",
        &["Get-Mailbox", "Get-SiteFile"],
    )
    .expect_err("an operation not asked for");
    assert_eq!(not_asked.problem().status, 400);
    assert!(not_asked.problem().detail.contains("Get-SiteFile"));
    approve("approver1@contoso.example", &["Get-Mailbox", "Get-Message"]).expect("first");
    let before = records();
    let none_left =
        approve("approver2@contoso.example", &["Get-MailboxStatistics"]).expect_err("nothing left");
    assert_eq!(none_left.problem().status, 409);
    assert_eq!(records(), before, "a refused approval writes nothing");
    let granted = approve(
        "approver2@contoso.example",
        &["Get-Message", "Get-MailboxStatistics"],
    )
    .expect("second");
    assert_eq!(granted.state, State::Approved);
    assert_eq!(
        granted.allowed_operations,
        Some(vec!["Get-Message".to_owned()])
    );
    let (asked, allowed): (String, String) = db
        .conn
        .query_row(
            "SELECT json_extract(details, '$.RequestedOperations'), \
             json_extract(details, '$.GrantedOperations') FROM audit_log \
             WHERE item = ? ORDER BY seq DESC LIMIT 1",
            [id.as_str()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("the approval's record");
    assert_eq!(
        asked,
        "Get-Mailbox, Get-MailboxFolderStatistics, Get-MailboxStatistics, Get-Message"
    );
    assert_eq!(allowed, "Get-Message");
}

/// One step of the emergency property test.
#[derive(Debug, Clone)]
enum EmergencyOp {
    /// An engineer (by `PEOPLE` index, anyone) opens an emergency.
    Open {
        person: usize,
        tenant: usize,
        minutes: u32,
        content: bool,
    },
    /// Someone pre-approves the `pick`-th emergency opened.
    Preapprove { pick: usize, person: usize },
    /// Someone revokes it.
    Revoke { pick: usize, person: usize },
    /// Both support managers pre-approve it, one after the other.
    BothManagers { pick: usize },
    /// Someone ratifies or disputes it (with a reason or without).
    Review {
        pick: usize,
        person: usize,
        dispute: bool,
        reason: bool,
    },
    /// The tenant's global admin sets its emergency choices.
    Policy {
        tenant: usize,
        allowed: bool,
        content: bool,
    },
    /// The tenant's global admin freezes it or lifts the freeze.
    Freeze { tenant: usize, on: bool },
    /// Time passes (up to 3 days).
    Advance { ms: i64 },
    /// The scheduled job runs.
    Sweep,
}

fn emergency_op() -> impl Strategy<Value = EmergencyOp> {
    let person = 0..PEOPLE.len();
    prop_oneof![
        3 => (prop::sample::select(vec![0usize, 1, 0, 1, 9, 3]), 0..2usize, 1..=90u32, prop::bool::weighted(0.2))
            .prop_map(|(person, tenant, minutes, content)| EmergencyOp::Open { person, tenant, minutes, content }),
        5 => (0..8usize, prop::sample::select(vec![2usize, 9, 2, 9, 0, 3]))
            .prop_map(|(pick, person)| EmergencyOp::Preapprove { pick, person }),
        4 => (0..8usize).prop_map(|pick| EmergencyOp::BothManagers { pick }),
        2 => (0..8usize, prop::sample::select(vec![3usize, 4, 5, 7, 8, 2]))
            .prop_map(|(pick, person)| EmergencyOp::Revoke { pick, person }),
        4 => (0..8usize, prop_oneof![3 => prop::sample::select(vec![3usize, 4, 5, 7, 8]), 1 => person.clone()], any::<bool>(), prop::bool::weighted(0.8))
            .prop_map(|(pick, person, dispute, reason)| EmergencyOp::Review { pick, person, dispute, reason }),
        1 => (0..2usize, prop::bool::weighted(0.8), any::<bool>())
            .prop_map(|(tenant, allowed, content)| EmergencyOp::Policy { tenant, allowed, content }),
        1 => (0..2usize, prop::bool::weighted(0.15)).prop_map(|(tenant, on)| EmergencyOp::Freeze { tenant, on }),
        3 => prop::sample::select(vec![5 * MINUTE, 5 * MINUTE, 40 * MINUTE, 2 * HOUR, 26 * HOUR, 3 * 24 * HOUR])
            .prop_map(|ms| EmergencyOp::Advance { ms }),
        2 => Just(EmergencyOp::Sweep),
    ]
}

/// Every emergency of the database, as stored.
fn emergencies(db: &Sqlite) -> Vec<lockbox_shared::lifecycle::AccessRequest> {
    block_on(store::select_from(
        db,
        Statement::new(
            format!(
                "SELECT {} FROM access_requests WHERE emergency IS NOT NULL",
                store::COLUMNS
            ),
            vec![],
        ),
    ))
    .expect("emergencies")
}

/// Break-glass under random steps: whatever people, time, the tenant's
/// choices and the freeze do, an emergency grant starts only with two
/// distinct managers (neither the requester), never while the tenant is
/// frozen or has emergencies off, lasts at most 60 minutes, one live per
/// tenant and at most 3 started in 30 days; only the tenant's approvers
/// review it, once; and every emergency grant ends in exactly one of
/// Ratified, Disputed, Unreviewed.
#[test]
fn emergency_access_keeps_its_rules_under_any_steps() {
    use lockbox_shared::emergency::{Verdict, MAX_MINUTES, PER_WINDOW, REVIEW_MS, WINDOW_MS};
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
    // What the cases did, so a run shows the rules were exercised.
    static GRANTED: AtomicUsize = AtomicUsize::new(0);
    static REVIEWED: AtomicUsize = AtomicUsize::new(0);
    static LAPSED: AtomicUsize = AtomicUsize::new(0);
    static REFUSED: AtomicUsize = AtomicUsize::new(0);
    let config = ProptestConfig {
        cases: cases(),
        ..ProptestConfig::default()
    };
    proptest!(config, |(ops in prop::collection::vec(emergency_op(), 10..60))| {
        let db = open_database();
        let people: Vec<Principal> = PEOPLE.iter().map(|e| seeded(&db, e)).collect();
        let mut now: i64 = 1_800_000_000_000;
        let mut opened: Vec<RequestId> = Vec::new();
        // What the test set, to judge each grant by: (allowed, content), frozen.
        let mut policy = [(true, false); 2];
        let mut frozen = [false; 2];
        // Every grant's start, by tenant; every verdict seen, by request.
        let mut starts: [Vec<i64>; 2] = [Vec::new(), Vec::new()];
        let mut verdicts: HashMap<String, Verdict> = HashMap::new();
        let tenant_index = |id: &TenantId| TENANTS.iter().position(|t| *t == id.as_str()).unwrap_or(0);
        for op in &ops {
            let stamp = stamp_at(now);
            match op {
                EmergencyOp::Open { person, tenant, minutes, content } => {
                    let mut operations = vec!["Get-Mailbox".to_owned()];
                    if *content {
                        operations.push("Get-Message".to_owned());
                    }
                    let input = CreateAccessRequest {
                        tenant_id: TENANTS[*tenant].to_owned(),
                        service: "mail".to_owned(),
                        ticket: "INC-MODEL".to_owned(),
                        reason: "Outage".to_owned(),
                        duration_minutes: *minutes,
                        operations,
                        emergency: Some(lockbox_shared::api::EmergencyAsk { incident: "INC-1".to_owned() }),
                    };
                    let made = block_on(requests::create(&db, &people[*person], &input, &stamp));
                    if made.is_err() {
                        REFUSED.fetch_add(1, Relaxed);
                    }
                    if let Ok(view) = made {
                        prop_assert!(is_engineer(*person), "{} opened an emergency", PEOPLE[*person]);
                        prop_assert!(*minutes <= MAX_MINUTES, "an emergency of {minutes} minutes opened");
                        prop_assert!(policy[*tenant].0 && !frozen[*tenant], "opened while off or frozen");
                        prop_assert!(!*content || policy[*tenant].1, "content opened without the tenant's leave");
                        opened.push(view.id);
                    }
                }
                EmergencyOp::Preapprove { .. } | EmergencyOp::Revoke { .. } | EmergencyOp::BothManagers { .. } => {
                    let (pick, persons, verb) = match op {
                        EmergencyOp::Preapprove { pick, person } => (*pick, vec![*person], Verb::Preapprove),
                        EmergencyOp::BothManagers { pick } => (*pick, vec![2, 9], Verb::Preapprove),
                        EmergencyOp::Revoke { pick, person } => (*pick, vec![*person], Verb::Revoke),
                        _ => continue,
                    };
                    let Some(id) = opened.get(pick % opened.len().max(1)).cloned() else { continue };
                    for person in persons {
                    let person = &person;
                    let answer = block_on(requests::act(
                        &db, &people[*person], &id, verb, None,
                        requests::Granting::default(), None, &stamp, None,
                    ));
                    if let (Ok(view), Verb::Preapprove) = (&answer, verb) {
                        prop_assert!(is_manager(*person), "{} pre-approved", PEOPLE[*person]);
                        if let Some(starts_at) = view.grant_starts_at {
                            let t = tenant_index(&view.tenant_id);
                            prop_assert!(policy[t].0 && !frozen[t], "granted while off or frozen");
                            prop_assert!(view.content_operations.is_empty() || policy[t].1, "content granted without leave");
                            starts[t].push(starts_at);
                            GRANTED.fetch_add(1, Relaxed);
                        }
                    }
                    if answer.is_ok() && verb == Verb::Revoke {
                        prop_assert!(is_approver(*person), "{} revoked", PEOPLE[*person]);
                    }
                    }
                }
                EmergencyOp::Review { pick, person, dispute, reason } => {
                    let Some(id) = opened.get(pick % opened.len().max(1)).cloned() else { continue };
                    let verb = if *dispute { Verb::Dispute } else { Verb::Ratify };
                    let comment = reason.then(|| Comment::parse("What was read").expect("valid"));
                    let answer = block_on(requests::act(
                        &db, &people[*person], &id, verb, comment,
                        requests::Granting::default(), None, &stamp, None,
                    ));
                    if let Ok(view) = answer {
                        let t = tenant_index(&view.tenant_id);
                        prop_assert!(is_approver(*person) && tenant_of(*person) == Some(t), "{} reviewed", PEOPLE[*person]);
                        prop_assert!(!*dispute || *reason, "a dispute without a reason");
                        let e = view.emergency.expect("an emergency");
                        prop_assert!(e.verdict.is_some());
                        REVIEWED.fetch_add(1, Relaxed);
                        // A dispute may freeze the tenant, when it chose so (not here).
                    }
                }
                EmergencyOp::Policy { tenant, allowed, content } => {
                    let admin = if *tenant == 0 { 5 } else { 8 };
                    let wanted = lockbox_shared::api::SetEmergency { allowed: *allowed, content: *content, dispute_freezes: false };
                    block_on(settings::set_emergency(&db, &people[admin], &wanted, &stamp)).expect("the admin sets it");
                    policy[*tenant] = (*allowed, *content);
                }
                EmergencyOp::Freeze { tenant, on } => {
                    let admin = if *tenant == 0 { 5 } else { 8 };
                    if block_on(settings::set_freeze(&db, &people[admin], *on, Some("Model"), &stamp)).is_ok() {
                        frozen[*tenant] = *on;
                    }
                }
                EmergencyOp::Advance { ms } => now += ms,
                EmergencyOp::Sweep => {
                    block_on(cron::sweep(&db, now, SERVICE_ACCOUNT)).expect("sweep");
                }
            }
            // What holds after every step.
            for r in emergencies(&db) {
                let t = tenant_index(&r.tenant_id);
                if let Some(grant) = r.grant() {
                    let managers: Vec<&Actor> = r.approvals.given.iter().map(|c| &c.decision.by).collect();
                    prop_assert_eq!(managers.len(), 2, "managers of {}", r.id);
                    prop_assert!(managers[0].user_id != managers[1].user_id, "one manager twice");
                    prop_assert!(managers.iter().all(|m| m.user_id != r.requester.user_id), "the requester approved");
                    prop_assert!(grant.ends_at - grant.starts_at <= i64::from(MAX_MINUTES) * MINUTE, "longer than 60 minutes");
                }
                let review = r.emergency.as_ref().and_then(|e| e.review.clone());
                if let Some(review) = &review {
                    prop_assert!(r.grant().is_some() && matches!(r.state(), State::Completed | State::Revoked), "reviewed before it ended");
                    if let Some(seen) = verdicts.get(r.id.as_str()) {
                        prop_assert_eq!(*seen, review.verdict, "a verdict changed");
                    }
                    verdicts.insert(r.id.as_str().to_owned(), review.verdict);
                    match &review.by {
                        Some(by) => prop_assert!(people.iter().position(|p| p.user_id == by.user_id)
                            .is_some_and(|p| is_approver(p) && tenant_of(p) == Some(t)), "reviewed by someone else"),
                        None => prop_assert_eq!(review.verdict, Verdict::Unreviewed),
                    }
                }
                let live = emergencies(&db).iter()
                    .filter(|o| o.tenant_id == r.tenant_id && o.effective_state(now) == State::Approved)
                    .count();
                prop_assert!(live <= 1, "{live} live emergencies in one tenant");
            }
            for starts in &starts {
                for (i, a) in starts.iter().enumerate() {
                    let within = starts[i..].iter().filter(|b| **b - a < WINDOW_MS).count();
                    prop_assert!(within <= PER_WINDOW, "{within} emergencies started in 30 days");
                }
            }
        }
        // Eight days on, every emergency grant ends in exactly one verdict.
        now += REVIEW_MS + 24 * HOUR;
        for _ in 0..3 {
            block_on(cron::sweep(&db, now, SERVICE_ACCOUNT)).expect("sweep");
        }
        for r in emergencies(&db) {
            if r.grant().is_none() {
                continue;
            }
            prop_assert!(matches!(r.state(), State::Completed | State::Revoked), "{} never ended", r.id);
            let verdict = r.emergency.as_ref().and_then(|e| e.review.as_ref()).map(|v| v.verdict);
            prop_assert!(verdict.is_some(), "{} has no verdict", r.id);
            if verdict == Some(Verdict::Unreviewed) {
                LAPSED.fetch_add(1, Relaxed);
            }
            let records = block_on(lockbox_backend::store::audit::select(
                &db,
                lockbox_backend::store::audit::by_id(&r.tenant_id, &format!("{}/review", r.id)),
            ))
            .expect("review record");
            prop_assert_eq!(records.len(), 1, "review records of {}", r.id);
        }
    });
    eprintln!(
        "emergency model: {} grants started, {} verdicts given, {} left unreviewed, {} openings refused",
        GRANTED.load(Relaxed),
        REVIEWED.load(Relaxed),
        LAPSED.load(Relaxed),
        REFUSED.load(Relaxed)
    );
    assert!(
        GRANTED.load(Relaxed) > 0 && REVIEWED.load(Relaxed) > 0,
        "the cases never got that far"
    );
}

/// A dispute freezes the tenant when, and only when, it chose so: the
/// freeze's reason names the request and what was disputed.
#[test]
fn a_dispute_freezes_the_tenant_only_when_it_chose_so() {
    let db = open_database();
    let person = |email: &str| seeded(&db, email);
    let now = 1_800_000_000_000;
    let disputed = |choose: bool, at: i64| {
        let stamp = stamp_at(at);
        let wanted = lockbox_shared::api::SetEmergency {
            allowed: true,
            content: false,
            dispute_freezes: choose,
        };
        block_on(settings::set_emergency(
            &db,
            &person("admin@contoso.example"),
            &wanted,
            &stamp,
        ))
        .expect("the admin chooses");
        let input = CreateAccessRequest {
            tenant_id: CONTOSO.to_owned(),
            service: "mail".to_owned(),
            ticket: "INC-9".to_owned(),
            reason: "Outage".to_owned(),
            duration_minutes: 30,
            operations: vec!["Get-Mailbox".to_owned()],
            emergency: Some(lockbox_shared::api::EmergencyAsk {
                incident: "INC-9".to_owned(),
            }),
        };
        let view = block_on(requests::create(
            &db,
            &person("engineer1@provider.example"),
            &input,
            &stamp,
        ))
        .expect("opened");
        let step = |who: &str, verb: Verb, comment: Option<&str>| {
            block_on(requests::act(
                &db,
                &person(who),
                &view.id,
                verb,
                comment.map(|c| Comment::parse(c).expect("valid")),
                requests::Granting::default(),
                None,
                &stamp,
                None,
            ))
            .unwrap_or_else(|e| panic!("{verb}: {e:?}"))
        };
        step("manager@provider.example", Verb::Preapprove, None);
        step("lead@provider.example", Verb::Preapprove, None);
        step("approver1@contoso.example", Verb::Revoke, None);
        step(
            "approver1@contoso.example",
            Verb::Dispute,
            Some("The board's mail was read"),
        );
        block_on(settings::freeze_setting(
            &db,
            &person("admin@contoso.example"),
        ))
        .expect("read")
    };
    let not_chosen = disputed(false, now);
    assert!(!not_chosen.frozen, "frozen without the tenant's choice");
    let chosen = disputed(true, now + 31 * MINUTE);
    assert!(
        chosen.frozen,
        "a dispute the tenant chose to freeze on did not"
    );
    let reason = chosen.reason.unwrap_or_default();
    assert!(
        reason.contains("disputed") && reason.contains("board"),
        "{reason}"
    );
}

/// A grant a person has begun to revoke records nothing more (the operator
/// route finds no live grant, a batch's guard fails), so the revocation's
/// write, guarded on the count of its records, is never outrun; the revoke
/// then ends it with its end record.
#[test]
fn a_grant_being_revoked_records_nothing_more() {
    let db = open_database();
    let now = 1_800_000_000_000;
    let id = granted_request(&db, "mail", "SR-CLOSE", now);
    let engineer = seeded(&db, "engineer1@provider.example");
    let tenant = TenantId::parse(CONTOSO).expect("valid");
    let live = |at: i64| {
        block_on(store::select_from(
            &db,
            store::live_grant(store::Requester::Id(&engineer.user_id), &tenant, "mail", at),
        ))
        .expect("read")
        .into_iter()
        .any(|g| g.id == id)
    };
    assert!(live(now + MINUTE), "granted");
    block_on(db.batch(vec![store::close_for_revoke(&[id.as_str()], now + MINUTE)])).expect("mark");
    assert!(!live(now + MINUTE), "still live while being revoked");
    let revoked = block_on(requests::act(
        &db,
        &seeded(&db, "approver1@contoso.example"),
        &id,
        Verb::Revoke,
        None,
        requests::Granting::default(),
        None,
        &stamp_at(now + 2 * MINUTE),
        None,
    ))
    .expect("revoked");
    assert_eq!(revoked.state, State::Revoked);
    let end = block_on(lockbox_backend::store::audit::select(
        &db,
        lockbox_backend::store::audit::by_id(&tenant, &format!("{id}/end-of-access")),
    ))
    .expect("read");
    assert_eq!(end.len(), 1, "the end record");
}

/// Where an injected fault hits a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// The call fails before the batch runs.
    Before,
    /// The batch commits and its answer is lost (a timeout after commit).
    AfterCommit,
    /// The `at`-th read fails (what the Worker retries, and gives up on
    /// after three tries).
    Read,
}

/// A database whose `at`-th write batch fails as `fault` says; every
/// other call goes through. What a D1 call can do to a change.
struct Faulty<'a> {
    db: &'a Sqlite,
    at: u32,
    fault: Fault,
    writes: Cell<u32>,
}

impl Faulty<'_> {
    /// Whether this read is the one to fail.
    fn read_fails(&self) -> Result<(), lockbox_backend::store::DbError> {
        if self.fault != Fault::Read {
            return Ok(());
        }
        let n = self.writes.get() + 1;
        self.writes.set(n);
        if n == self.at {
            return Err(lockbox_backend::store::DbError::Other(
                "injected: the read failed".to_owned(),
            ));
        }
        Ok(())
    }
}

impl Database for Faulty<'_> {
    async fn query<T: serde::de::DeserializeOwned>(
        &self,
        statement: Statement,
    ) -> Result<Vec<T>, lockbox_backend::store::DbError> {
        self.read_fails()?;
        self.db.query(statement).await
    }

    async fn query_batch(
        &self,
        statements: Vec<Statement>,
    ) -> Result<Vec<Vec<serde_json::Value>>, lockbox_backend::store::DbError> {
        self.read_fails()?;
        self.db.query_batch(statements).await
    }

    async fn batch_rows(
        &self,
        statements: Vec<Statement>,
    ) -> Result<Vec<(usize, Vec<serde_json::Value>)>, lockbox_backend::store::DbError> {
        if self.fault == Fault::Read {
            return self.db.batch_rows(statements).await;
        }
        let n = self.writes.get() + 1;
        self.writes.set(n);
        let injected =
            |what: &str| lockbox_backend::store::DbError::Other(format!("injected: {what}"));
        match (n == self.at).then_some(self.fault) {
            Some(Fault::Before) => Err(injected("the call failed before the batch ran")),
            Some(Fault::AfterCommit) => {
                self.db.batch_rows(statements).await?;
                Err(injected("the answer was lost after the batch committed"))
            }
            Some(Fault::Read) | None => self.db.batch_rows(statements).await,
        }
    }

    async fn holds_index(
        &self,
        tenant: &TenantId,
    ) -> Result<bool, lockbox_backend::store::DbError> {
        self.db.holds_index(tenant).await
    }
}

impl<'a> Stores for Faulty<'a> {
    type Global = Faulty<'a>;
    type Tenant = Faulty<'a>;
    fn global(&self) -> Global<'_, Faulty<'a>> {
        Global::new(self)
    }
    fn tenant(&self, id: TenantId) -> Tenant<'_, Faulty<'a>> {
        Tenant::new(self, id)
    }
}

/// The records of request `id` with `activity`.
fn records_of(db: &Sqlite, id: &RequestId, activity: &str) -> i64 {
    db.conn
        .query_row(
            "SELECT COUNT(*) FROM audit_log WHERE activity = ? AND json_extract(details, '$.RequestId') = ?",
            [activity, id.as_str()],
            |row| row.get(0),
        )
        .expect("count")
}

/// Whether every tenant's audit sequence runs 1..n without a gap.
fn audit_without_gaps(db: &Sqlite) -> bool {
    let gaps: i64 = db
        .conn
        .query_row(
            "SELECT COUNT(*) FROM (SELECT tenant_id, COUNT(*) AS n, MAX(seq) AS top FROM audit_log \
             GROUP BY tenant_id) WHERE n <> top",
            [],
            |row| row.get(0),
        )
        .expect("gaps");
    gaps == 0
}

/// A decision whose write fails, before it ran or after it committed with
/// the answer lost: the request and the log hold all of it or none of it,
/// the sequence has no gap, the caller is told the change may have been
/// saved (never that nothing changed), and the same call again with the
/// same Idempotency-Key ends with exactly one decision.
#[test]
fn a_decision_whose_write_fails_is_whole_or_absent_and_a_retry_with_its_key_converges() {
    for fault in [Fault::Before, Fault::AfterCommit] {
        let db = open_database();
        let now = START + HOUR;
        let id = pending_request(&db, &format!("SR-FAULT-{fault:?}"), now);
        let approver = seeded(&db, "approver1@contoso.example");
        let decide = |stores: &Faulty<'_>| {
            block_on(requests::act(
                stores,
                &approver,
                &id,
                Verb::Approve,
                None,
                requests::Granting::default(),
                Some("the-same-key"),
                &stamp_at(now),
                None,
            ))
        };
        let faulty = Faulty {
            db: &db,
            at: 1,
            fault,
            writes: Cell::new(0),
        };
        let err = decide(&faulty).expect_err("the write fails");
        let told = err.on_change().problem();
        assert_eq!(told.status, 500, "{fault:?}: {told:?}");
        assert!(
            told.detail.contains("possibly after your change was saved"),
            "{fault:?}: {}",
            told.detail
        );
        let decided = records_of(&db, &id, "Set-AccessToCustomerDataRequest");
        let contoso = TenantId::parse(CONTOSO).expect("valid");
        let state = block_on(store::load(&Tenant::new(&db, contoso), &id))
            .expect("load")
            .expect("the request")
            .state();
        match fault {
            Fault::Before => {
                assert_eq!(decided, 0, "nothing of it was written");
                assert_eq!(state, State::PendingCustomerApproval);
            }
            Fault::AfterCommit => {
                assert_eq!(decided, 1, "all of it was written");
                assert_ne!(state, State::PendingCustomerApproval);
            }
            Fault::Read => {}
        }
        assert!(audit_without_gaps(&db), "{fault:?}: a gap in the sequence");
        assert_eq!(index_mismatches(&db), 0, "{fault:?}: the index is in step");
        // The caller sends it again, as the answer told them to.
        let healthy = Faulty {
            db: &db,
            at: 0,
            fault,
            writes: Cell::new(0),
        };
        let again = decide(&healthy).expect("the retry answers");
        assert_ne!(again.state, State::PendingCustomerApproval, "{fault:?}");
        assert_eq!(
            records_of(&db, &id, "Set-AccessToCustomerDataRequest"),
            1,
            "{fault:?}: exactly one decision"
        );
        assert!(audit_without_gaps(&db), "{fault:?}: a gap after the retry");
    }
}

/// A service's batch whose write fails: all of its records or none, no
/// gap, and the same `batch_id` again records it exactly once.
#[test]
fn a_batch_of_actions_whose_write_fails_is_whole_or_absent_and_its_retry_records_it_once() {
    for fault in [Fault::Before, Fault::AfterCommit] {
        let db = open_database();
        let now = START + HOUR;
        let id = granted_request(&db, "mail", &format!("SR-FAULT-B-{fault:?}"), now);
        let service = sample_service(&db);
        let keys = grant_keys();
        let boundary = Boundary {
            keys: &keys,
            issuer: ISSUER,
            operator: OPERATOR,
        };
        let batch = ActionBatch {
            grant: id.as_str().to_owned(),
            batch_id: format!("fault-{fault:?}"),
            actions: vec![ServiceAction {
                operation: "Get-Mailbox".to_owned(),
                item: Some("ceo@contoso.example".to_owned()),
                parameters: Default::default(),
                count: None,
                digest: None,
            }],
        };
        let record = |stores: &Faulty<'_>| {
            let named = block_on(integration::grant_of(
                stores,
                &batch.grant,
                &boundary,
                now + MINUTE,
                Vec::new(),
            ));
            block_on(integration::record(
                stores,
                &service,
                None,
                &batch,
                named,
                &boundary,
                &stamp_at(now + MINUTE),
            ))
        };
        let before = records_of(&db, &id, "Get-Mailbox");
        let faulty = Faulty {
            db: &db,
            at: 1,
            fault,
            writes: Cell::new(0),
        };
        record(&faulty).expect_err("the write fails");
        let written = records_of(&db, &id, "Get-Mailbox") - before;
        assert_eq!(
            written,
            i64::from(fault == Fault::AfterCommit),
            "{fault:?}: all or nothing"
        );
        assert!(audit_without_gaps(&db), "{fault:?}");
        let healthy = Faulty {
            db: &db,
            at: 0,
            fault,
            writes: Cell::new(0),
        };
        let (answer, _) = record(&healthy).expect("the retry answers");
        assert_eq!(answer.records.len(), 1);
        assert_eq!(
            records_of(&db, &id, "Get-Mailbox") - before,
            1,
            "{fault:?}: recorded once"
        );
        assert!(audit_without_gaps(&db), "{fault:?}");
    }
}

/// A step of [`faults_anywhere_leave_no_half_change_and_retries_converge`].
#[derive(Debug, Clone, Copy)]
enum FaultStep {
    /// An engineer opens a request (with an Idempotency-Key).
    Create,
    /// A person decides on the `n`-th request opened (mod their number).
    Decide(Verb, usize),
    /// The sample service records an action under it.
    Record(usize),
    /// The scheduled job runs.
    Sweep,
}

fn fault_step() -> impl Strategy<Value = FaultStep> {
    prop_oneof![
        3 => Just(FaultStep::Create),
        2 => (0..3usize).prop_map(|n| FaultStep::Decide(Verb::Preapprove, n)),
        2 => (0..3usize).prop_map(|n| FaultStep::Decide(Verb::Approve, n)),
        1 => (0..3usize).prop_map(|n| FaultStep::Decide(Verb::Deny, n)),
        1 => (0..3usize).prop_map(|n| FaultStep::Decide(Verb::Revoke, n)),
        1 => (0..3usize).prop_map(|n| FaultStep::Decide(Verb::Cancel, n)),
        3 => (0..3usize).prop_map(FaultStep::Record),
        1 => Just(FaultStep::Sweep),
    ]
}

/// Where a step's fault hits, if anywhere: which of its reads or writes.
fn fault_at() -> impl Strategy<Value = Option<(Fault, u32)>> {
    prop_oneof![
        2 => Just(None),
        1 => (1..3u32).prop_map(|n| Some((Fault::Before, n))),
        2 => (1..3u32).prop_map(|n| Some((Fault::AfterCommit, n))),
        1 => (1..5u32).prop_map(|n| Some((Fault::Read, n))),
    ]
}

/// Runs `step` (the `i`-th) on `stores`; the answer's status, or the
/// error.
fn run_fault_step(
    stores: &Faulty<'_>,
    step: FaultStep,
    i: usize,
    opened: &[RequestId],
    service: &RegisteredService,
) -> Result<u16, AppError> {
    let now = START + HOUR + i as i64 * 7 * MINUTE;
    let stamp = stamp_at(now);
    let person = |email: &str| seeded(stores.db, email);
    // The newest requests most: a step after a create is likely on it.
    let pick = |n: usize| opened.iter().rev().nth(n % opened.len().max(1)).cloned();
    match step {
        FaultStep::Create => {
            let input = CreateAccessRequest {
                tenant_id: CONTOSO.to_owned(),
                service: "mail".to_owned(),
                ticket: format!("SR-RANDOM-{i}"),
                reason: "Faults anywhere".to_owned(),
                duration_minutes: 30,
                operations: asked("mail"),
                emergency: None,
            };
            let (_, made) = block_on(requests::create_keyed(
                stores,
                &person("engineer1@provider.example"),
                &input,
                Some(&format!("create-{i}")),
                &stamp,
            ))?;
            Ok(if made { 201 } else { 200 })
        }
        FaultStep::Decide(verb, n) => {
            let Some(id) = pick(n) else { return Ok(0) };
            let who = match verb {
                Verb::Preapprove => "manager@provider.example",
                Verb::Cancel => "engineer1@provider.example",
                _ => "approver1@contoso.example",
            };
            block_on(requests::act(
                stores,
                &person(who),
                &id,
                verb,
                None,
                requests::Granting::default(),
                Some(&format!("decide-{i}")),
                &stamp,
                None,
            ))
            .map(|_| 200)
        }
        FaultStep::Record(n) => {
            let Some(id) = pick(n) else { return Ok(0) };
            let keys = grant_keys();
            let boundary = Boundary {
                keys: &keys,
                issuer: ISSUER,
                operator: OPERATOR,
            };
            let batch = ActionBatch {
                grant: id.as_str().to_owned(),
                batch_id: format!("batch-{i}"),
                actions: vec![ServiceAction {
                    operation: "Get-Mailbox".to_owned(),
                    item: Some("ceo@contoso.example".to_owned()),
                    parameters: Default::default(),
                    count: None,
                    digest: None,
                }],
            };
            let named = block_on(integration::grant_of(
                stores,
                &batch.grant,
                &boundary,
                now,
                Vec::new(),
            ));
            block_on(integration::record(
                stores, service, None, &batch, named, &boundary, &stamp,
            ))
            .map(|_| 201)
        }
        FaultStep::Sweep => block_on(cron::sweep(stores, now, "lockbox@model.test"))
            .map(|_| 200)
            .map_err(AppError::from),
    }
}

/// What a database holds that the steps change, without ids and times the
/// runs cannot share: each request's state, and the records of each
/// activity of each request.
fn fault_fingerprint(db: &Sqlite) -> Vec<String> {
    let mut rows: Vec<String> = Vec::new();
    let mut stmt = db
        .conn
        .prepare(
            "SELECT 'request ' || ticket || ' ' || state FROM access_requests \
             UNION ALL SELECT 'records ' || COALESCE(json_extract(details, '$.RequestId'), item) \
             || ' ' || activity || ' ' || COUNT(*) FROM audit_log \
             GROUP BY COALESCE(json_extract(details, '$.RequestId'), item), activity \
             UNION ALL SELECT 'log ' || tenant_id || ' ' || COUNT(*) FROM audit_log GROUP BY tenant_id",
        )
        .expect("prepare");
    for row in stmt.query_map([], |r| r.get::<_, String>(0)).expect("rows") {
        rows.push(row.expect("a row"));
    }
    rows.sort();
    rows
}

/// Random steps, each with a fault injected at random (a read that fails,
/// a write that fails before it runs, a write whose answer is lost after
/// it committed), each retried with its Idempotency-Key or `batch_id`
/// until it answers, as the error told the caller to: nothing is ever
/// half-applied (the log has no gap, the provider's index is in step
/// after every step), each step's final answer is what it is without
/// faults, and the database ends as a run without faults ends.
#[test]
fn faults_anywhere_leave_no_half_change_and_retries_converge() {
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
    static INJECTED: AtomicUsize = AtomicUsize::new(0);
    static COMMITTED_THEN_LOST: AtomicUsize = AtomicUsize::new(0);
    static RECORDED: AtomicUsize = AtomicUsize::new(0);
    static DECIDED: AtomicUsize = AtomicUsize::new(0);
    let config = ProptestConfig {
        cases: cases().min(60),
        ..ProptestConfig::default()
    };
    proptest!(config, |(steps in prop::collection::vec((fault_step(), fault_at()), 6..18))| {
        let (faulty_db, clean_db) = (open_database(), open_database());
        let (service, clean_service) = (sample_service(&faulty_db), sample_service(&clean_db));
        let healthy = |db| Faulty { db, at: 0, fault: Fault::Before, writes: Cell::new(0) };
        let (mut opened, mut clean_opened): (Vec<RequestId>, Vec<RequestId>) = (vec![], vec![]);
        for (i, (step, fault)) in steps.iter().copied().enumerate() {
            let expected = run_fault_step(&healthy(&clean_db), step, i, &clean_opened, &clean_service)
                .map_err(|e| e.problem().status);
            let before = fault_fingerprint(&faulty_db);
            let mut answer = match fault {
                Some((fault, at)) => {
                    let stores = Faulty { db: &faulty_db, at, fault, writes: Cell::new(0) };
                    run_fault_step(&stores, step, i, &opened, &service)
                }
                None => run_fault_step(&healthy(&faulty_db), step, i, &opened, &service),
            };
            if answer.as_ref().is_err_and(|err| format!("{err:?}").contains("injected")) {
                if let Err(err) = answer {
                    INJECTED.fetch_add(1, Relaxed);
                    let after = fault_fingerprint(&faulty_db);
                    if after != before {
                        COMMITTED_THEN_LOST.fetch_add(1, Relaxed);
                    }
                    // A change's failure never claims nothing changed.
                    let told = match step {
                        FaultStep::Sweep => None,
                        _ => Some(err.on_change().problem().detail),
                    };
                    if let Some(told) = told {
                        prop_assert!(
                            !told.contains("nothing was changed") || after == before,
                            "step {i} {step:?} said nothing changed, and it did"
                        );
                    }
                    prop_assert!(audit_without_gaps(&faulty_db), "step {i} {step:?}: a gap");
                    prop_assert_eq!(index_mismatches(&faulty_db), 0, "step {} {:?}: the index", i, step);
                    // Sent again as the answer says, with the same key.
                    answer = run_fault_step(&healthy(&faulty_db), step, i, &opened, &service);
                }
            }
            let answer = answer.map_err(|e| e.problem().status);
            // A create answered 200 (made by the first try) is a 201.
            let same = match (&answer, &expected) {
                (Ok(200), Ok(201)) => true,
                (a, b) => a == b,
            };
            prop_assert!(same, "step {} {:?} with {:?}: {:?}, without faults {:?}", i, step, fault, answer, expected);
            match (step, &answer) {
                (FaultStep::Record(_), Ok(201)) => RECORDED.fetch_add(1, Relaxed),
                (FaultStep::Decide(..), Ok(200)) => DECIDED.fetch_add(1, Relaxed),
                _ => 0,
            };
            prop_assert!(audit_without_gaps(&faulty_db));
            prop_assert_eq!(index_mismatches(&faulty_db), 0);
            if matches!(step, FaultStep::Create) && answer.is_ok() {
                let key_of = |db: &Sqlite| -> RequestId {
                    let id: String = db.conn.query_row(
                        "SELECT id FROM access_requests WHERE ticket = ?",
                        [format!("SR-RANDOM-{i}")],
                        |r| r.get(0),
                    ).expect("the request");
                    RequestId::parse(&id).expect("an id")
                };
                opened.push(key_of(&faulty_db));
                clean_opened.push(key_of(&clean_db));
            }
        }
        prop_assert_eq!(fault_fingerprint(&faulty_db), fault_fingerprint(&clean_db), "the two runs end alike");
    });
    let (injected, lost) = (INJECTED.load(Relaxed), COMMITTED_THEN_LOST.load(Relaxed));
    let (decided, recorded) = (DECIDED.load(Relaxed), RECORDED.load(Relaxed));
    println!(
        "faults injected: {injected}, of which committed with the answer lost: {lost}; \
         decisions made: {decided}, batches recorded: {recorded}"
    );
    assert!(injected > 0 && lost > 0, "the faults were exercised");
    assert!(decided > 0 && recorded > 0, "the steps did something");
}

/// A tenant with 10 000 requests, made through the service as an engineer
/// would: the customer's list pages through every one of them once,
/// newest first; the provider's list does the same from its index; and
/// when they all lapse, the scheduled job expires every one in bounded
/// runs (each run says whether more are due), one record each, no gap.
#[test]
fn a_tenant_with_ten_thousand_requests_lists_each_once_and_its_sweeps_expire_them_all() {
    const REQUESTS: usize = 10_000;
    let db = open_database();
    let engineer = seeded(&db, "engineer1@provider.example");
    let manager = seeded(&db, "manager@provider.example");
    let before: i64 = db
        .conn
        .query_row("SELECT COUNT(*) FROM access_requests", [], |r| r.get(0))
        .expect("a count");
    let mut made = std::collections::BTreeSet::new();
    let mut preapproved = std::collections::BTreeSet::new();
    for i in 0..REQUESTS {
        let input = CreateAccessRequest {
            tenant_id: CONTOSO.to_owned(),
            service: "mail".to_owned(),
            ticket: format!("SR-TEN-THOUSAND-{i}"),
            reason: "A tenant with many requests".to_owned(),
            duration_minutes: 30,
            operations: asked("mail"),
            emergency: None,
        };
        let view = block_on(requests::create(
            &db,
            &engineer,
            &input,
            &stamp_at(START + i as i64),
        ))
        .expect("created");
        made.insert(view.id.to_string());
        // Every tenth reaches the customer (pre-approved).
        if i % 10 == 0 {
            preapproved.insert(view.id.to_string());
            block_on(requests::act(
                &db,
                &manager,
                &view.id,
                Verb::Preapprove,
                None,
                requests::Granting::default(),
                None,
                &stamp_at(START + i as i64),
                None,
            ))
            .expect("pre-approved");
        }
    }
    let now = START + REQUESTS as i64 + MINUTE;
    let pages = |principal: &Principal| -> (Vec<String>, usize) {
        let (mut ids, mut pages, mut cursor) = (Vec::new(), 0, None);
        loop {
            let query = requests::ListQuery {
                limit: Some(lockbox_shared::api::MAX_REQUESTS_PAGE),
                filter: store::ListFilter {
                    cursor: cursor
                        .as_deref()
                        .map(requests::decode_cursor)
                        .transpose()
                        .expect("a cursor"),
                    ..Default::default()
                },
            };
            let page = block_on(requests::list(&db, principal, &query, now)).expect("a page");
            pages += 1;
            ids.extend(page.items.iter().map(|r| r.id.to_string()));
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => return (ids, pages),
            }
        }
    };
    // The engineer's own: every one, once, newest first, 200 a page.
    let (mine, pages_mine) = pages(&engineer);
    let unique: std::collections::BTreeSet<&String> = mine.iter().collect();
    assert_eq!(unique.len(), mine.len(), "none twice");
    assert!(
        made.iter().all(|id| unique.contains(id)),
        "every one listed"
    );
    assert_eq!(pages_mine, mine.len().div_ceil(200));
    // The customer's approver: the thousand that reached them.
    let (theirs, _) = pages(&seeded(&db, "approver1@contoso.example"));
    let distinct: std::collections::BTreeSet<&String> = theirs.iter().collect();
    assert_eq!(distinct.len(), theirs.len(), "none twice");
    let reached: std::collections::BTreeSet<String> = theirs
        .iter()
        .filter(|id| made.contains(*id))
        .cloned()
        .collect();
    assert_eq!(reached, preapproved, "each pre-approved one, and no other");

    // Twelve hours later every one has lapsed; runs until none is due.
    let later = START + 13 * HOUR;
    let (mut runs, mut expired) = (0, 0);
    loop {
        let outcome = block_on(cron::sweep(&db, later, "lockbox@model.test")).expect("a run");
        runs += 1;
        expired += outcome.expired;
        if !outcome.more_due {
            break;
        }
        assert!(runs < 200, "the runs end");
    }
    let pending: i64 = db
        .conn
        .query_row(
            "SELECT COUNT(*) FROM access_requests WHERE state IN ('PendingManagerApproval', 'PendingCustomerApproval')",
            [],
            |r| r.get(0),
        )
        .expect("a count");
    assert_eq!(pending, 0, "none left pending after {runs} runs");
    assert!(expired as usize >= REQUESTS, "{expired} expired");
    assert!(audit_without_gaps(&db));
    assert_eq!(index_mismatches(&db), 0);
    let total: i64 = db
        .conn
        .query_row("SELECT COUNT(*) FROM access_requests", [], |r| r.get(0))
        .expect("a count");
    assert_eq!(total - before, REQUESTS as i64);
    println!("10 000 requests: {pages_mine} pages for the engineer; expired in {runs} runs of the scheduled job");
}
