//! Model-based property test of the request lifecycle.
//!
//! Random sequences of operations — create, pre-approve, reject, approve,
//! deny, cancel, revoke, racing decisions, clock jumps across the 4 h and
//! 12 h edges, the sweep run 0, 1 or 2 times, access checks, the Lockbox
//! switch — run through the Worker's own code (`lockbox_backend::requests`,
//! its SQL builders and guards) on a real SQLite database with the real
//! migrations, and are compared after every step with a plain in-memory
//! model of the rules.
//!
//! `LOCKBOX_MODEL_CASES` (default 100) × 100 steps; raise it for a long run.

use std::cell::Cell;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::executor::block_on;
use lockbox_backend::requests::{self, Ctx};
use lockbox_backend::store::sql::{Database, DbError, Statement, Value};
use lockbox_backend::store::{self};
use lockbox_shared::api::CreateAccessRequest;
use lockbox_shared::lifecycle::{State, Verb, MAX_GRANT_MINUTES, PENDING_LIFETIME_MS};
use lockbox_shared::roles::Principal;
use proptest::prelude::*;
use rusqlite::Connection;

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const START: i64 = 1_800_000_000_000;
const SERVICE_ACCOUNT: &str = "lockbox-service@model.test";
const CONTOSO: &str = "7c0a8f4e-5a1b-4c3d-9e2f-000000000001";
const FABRIKAM: &str = "7c0a8f4e-5a1b-4c3d-9e2f-000000000002";
const TENANTS: [&str; 2] = [CONTOSO, FABRIKAM];
const SERVICES: [&str; 2] = ["mail", "files"];

/// SQLite behind the lifecycle's `Database` trait. Every batch yields once
/// before it writes, so two decisions joined together both read the row
/// before either writes: a real race, decided by the guards.
struct Sqlite {
    conn: Connection,
    batches: Cell<u64>,
}

struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

fn bind(args: &[Value]) -> Vec<rusqlite::types::Value> {
    args.iter()
        .map(|v| match v {
            Value::Null => rusqlite::types::Value::Null,
            Value::Int(n) => rusqlite::types::Value::Integer(*n),
            Value::Text(s) => rusqlite::types::Value::Text(s.clone()),
        })
        .collect()
}

fn db_error(err: rusqlite::Error) -> DbError {
    DbError::from_message(err.to_string())
}

impl Database for Sqlite {
    async fn batch(&self, statements: Vec<Statement>) -> Result<Vec<usize>, DbError> {
        YieldOnce(false).await;
        self.batches.set(self.batches.get() + 1);
        let tx = self.conn.unchecked_transaction().map_err(db_error)?;
        let mut changes = Vec::new();
        for s in &statements {
            let n = tx
                .execute(&s.sql, rusqlite::params_from_iter(bind(&s.args)))
                .map_err(db_error)?;
            changes.push(n);
        }
        tx.commit().map_err(db_error)?;
        Ok(changes)
    }

    async fn query<T: serde::de::DeserializeOwned>(
        &self,
        statement: Statement,
    ) -> Result<Vec<T>, DbError> {
        let mut stmt = self.conn.prepare(&statement.sql).map_err(db_error)?;
        let names: Vec<String> = stmt.column_names().iter().map(|s| s.to_string()).collect();
        let mut rows = stmt
            .query(rusqlite::params_from_iter(bind(&statement.args)))
            .map_err(db_error)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(db_error)? {
            let mut map = serde_json::Map::new();
            for (i, name) in names.iter().enumerate() {
                let value = match row.get_ref(i).map_err(db_error)? {
                    rusqlite::types::ValueRef::Null => serde_json::Value::Null,
                    rusqlite::types::ValueRef::Integer(n) => n.into(),
                    rusqlite::types::ValueRef::Real(f) => f.into(),
                    rusqlite::types::ValueRef::Text(t) => {
                        String::from_utf8_lossy(t).into_owned().into()
                    }
                    rusqlite::types::ValueRef::Blob(_) => serde_json::Value::Null,
                };
                map.insert(name.clone(), value);
            }
            out.push(
                serde_json::from_value(serde_json::Value::Object(map))
                    .map_err(|e| DbError::Other(e.to_string()))?,
            );
        }
        Ok(out)
    }
}

fn open_database() -> Sqlite {
    let conn = Connection::open_in_memory().expect("sqlite");
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let mut migrations: Vec<_> = std::fs::read_dir(format!("{root}/migrations"))
        .expect("migrations folder")
        .map(|e| e.expect("entry").path())
        .collect();
    migrations.sort();
    for path in migrations {
        conn.execute_batch(&std::fs::read_to_string(&path).expect("migration"))
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    conn.execute_batch(&std::fs::read_to_string(format!("{root}/seed/demo.sql")).expect("seed"))
        .expect("seed");
    Sqlite {
        conn,
        batches: Cell::new(0),
    }
}

/// The people of the demo world, in the order operations pick them.
const PEOPLE: [&str; 9] = [
    "engineer1@provider.example",
    "engineer2@provider.example",
    "manager@provider.example",
    "approver1@contoso.example",
    "approver2@contoso.example",
    "admin@contoso.example",
    "auditor@contoso.example",
    "approver@fabrikam.example",
    "admin@fabrikam.example",
];

fn is_manager(p: usize) -> bool {
    p == 2
}
/// The tenant whose requests person `p` may decide on, if any.
fn approver_of(p: usize) -> Option<usize> {
    match p {
        3..=5 => Some(0),
        7 | 8 => Some(1),
        _ => None,
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
    },
    Race {
        request: usize,
        first: (Verb, usize),
        second: (Verb, usize),
    },
    Advance {
        ms: i64,
    },
    Sweep {
        times: u8,
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
}

fn verb() -> impl Strategy<Value = Verb> {
    prop::sample::select(Verb::BY_PEOPLE.to_vec())
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
        3 => (0..2usize, 0..2usize, 0..2usize, minutes)
            .prop_map(|(engineer, tenant, service, minutes)| Op::Create { engineer, tenant, service, minutes }),
        8 => (verb(), 0..8usize, 0..PEOPLE.len())
            .prop_map(|(verb, request, person)| Op::Act { verb, request, person }),
        2 => (0..8usize, verb(), 0..PEOPLE.len(), verb(), 0..PEOPLE.len())
            .prop_map(|(request, v1, p1, v2, p2)| Op::Race { request, first: (v1, p1), second: (v2, p2) }),
        3 => jump.prop_map(|ms| Op::Advance { ms }),
        2 => (0..=2u8).prop_map(|times| Op::Sweep { times }),
        2 => (0..2usize, 0..2usize, 0..2usize)
            .prop_map(|(engineer, tenant, service)| Op::Check { engineer, tenant, service }),
        1 => (0..2usize, any::<bool>()).prop_map(|(tenant, on)| Op::Switch { tenant, on }),
    ]
}

/// The plain model: the rules of SPEC §2, written as simply as possible.
#[derive(Debug, Clone)]
struct ModelRequest {
    id: String,
    tenant: usize,
    service: usize,
    requester: usize,
    duration_ms: i64,
    state: State,
    pending_expires_at: Option<i64>,
    grant_ends_at: Option<i64>,
    changes: usize,
}

impl ModelRequest {
    fn effective(&self, now: i64) -> State {
        match self.state {
            State::PendingCustomerApproval
                if now >= self.pending_expires_at.unwrap_or(i64::MAX) =>
            {
                State::Expired
            }
            State::Approved if now >= self.grant_ends_at.unwrap_or(i64::MAX) => State::Completed,
            s => s,
        }
    }

    /// Applies `verb` by `person` at `now`; returns whether it is allowed.
    fn apply(&mut self, verb: Verb, person: usize, lockbox_on: bool, now: i64) -> bool {
        let state = self.effective(now);
        let ok = match verb {
            Verb::Preapprove | Verb::Reject => {
                is_manager(person)
                    && person != self.requester
                    && state == State::PendingManagerApproval
            }
            Verb::Approve | Verb::Deny => {
                approver_of(person) == Some(self.tenant) && state == State::PendingCustomerApproval
            }
            Verb::Cancel => {
                person == self.requester
                    && matches!(
                        state,
                        State::PendingManagerApproval | State::PendingCustomerApproval
                    )
            }
            Verb::Revoke => approver_of(person) == Some(self.tenant) && state == State::Approved,
            Verb::Expire | Verb::Complete => false,
        };
        if !ok {
            return false;
        }
        self.state = match verb {
            Verb::Preapprove if lockbox_on => {
                self.pending_expires_at = Some(now + PENDING_LIFETIME_MS);
                State::PendingCustomerApproval
            }
            Verb::Preapprove | Verb::Approve => {
                self.grant_ends_at = Some(now + self.duration_ms);
                State::Approved
            }
            Verb::Reject => State::Rejected,
            Verb::Deny => State::Denied,
            Verb::Cancel => State::Cancelled,
            _ => State::Revoked,
        };
        self.changes += 1;
        true
    }

    fn sweep(&mut self, now: i64) {
        let effective = self.effective(now);
        if effective != self.state {
            self.state = effective;
            self.changes += 1;
        }
    }
}

struct World {
    db: Sqlite,
    people: Vec<Principal>,
    model: Vec<ModelRequest>,
    lockbox: [bool; 2],
    now: i64,
    steps: usize,
}

impl World {
    fn new() -> Self {
        let db = open_database();
        let people = PEOPLE
            .iter()
            .map(|email| {
                block_on(store::principal(&db, email))
                    .expect("query")
                    .unwrap_or_else(|| panic!("{email} is seeded"))
            })
            .collect();
        Self {
            db,
            people,
            model: Vec::new(),
            lockbox: [true, false],
            now: START,
            steps: 0,
        }
    }

    fn ctx(&self) -> Ctx<'static> {
        Ctx {
            now: self.now,
            ip: "203.0.113.7",
            service_account: SERVICE_ACCOUNT,
        }
    }

    fn act(&self, verb: Verb, request: usize, person: usize) -> impl Future<Output = bool> + '_ {
        let id = self.model[request].id.clone();
        let principal = &self.people[person];
        let ctx = self.ctx();
        async move {
            requests::act(&self.db, principal, &id, verb, None, None, &ctx)
                .await
                .is_ok()
        }
    }

    fn step(&mut self, op: &Op) {
        self.steps += 1;
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
                    ticket: format!("SR-{}", self.steps),
                    reason: "Model test".to_owned(),
                    duration_minutes: minutes,
                };
                let view = block_on(requests::create(
                    &self.db,
                    &self.people[engineer],
                    &input,
                    &self.ctx(),
                ))
                .expect("an engineer can always open a valid request");
                self.model.push(ModelRequest {
                    id: view.request.id,
                    tenant,
                    service,
                    requester: engineer,
                    duration_ms: i64::from(minutes) * MINUTE,
                    state: State::PendingManagerApproval,
                    pending_expires_at: None,
                    grant_ends_at: None,
                    changes: 1,
                });
            }
            Op::Act {
                verb,
                request,
                person,
            } => {
                if request >= self.model.len() {
                    return;
                }
                let lockbox_on = self.lockbox[self.model[request].tenant];
                let expected = self.model[request].apply(verb, person, lockbox_on, self.now);
                let actual = block_on(self.act(verb, request, person));
                assert_eq!(
                    actual, expected,
                    "{verb:?} by {} on {:?}",
                    PEOPLE[person], self.model[request]
                );
            }
            Op::Race {
                request,
                first,
                second,
            } => {
                if request >= self.model.len() {
                    return;
                }
                let lockbox_on = self.lockbox[self.model[request].tenant];
                // Both calls read the row before either writes, and the
                // first writes first: the second can only succeed when the
                // first did not change the row.
                let expect_first =
                    self.model[request].apply(first.0, first.1, lockbox_on, self.now);
                let expect_second = !expect_first
                    && self.model[request].apply(second.0, second.1, lockbox_on, self.now);
                let (a, b) = block_on(async {
                    futures::join!(
                        self.act(first.0, request, first.1),
                        self.act(second.0, request, second.1)
                    )
                });
                assert_eq!(a, expect_first, "first of race {first:?}");
                assert_eq!(b, expect_second, "second of race {second:?}");
            }
            Op::Advance { ms } => self.now += ms,
            Op::Sweep { times } => {
                for _ in 0..times {
                    block_on(requests::sweep(&self.db, self.now, SERVICE_ACCOUNT)).expect("sweep");
                    for r in &mut self.model {
                        r.sweep(self.now);
                    }
                }
            }
            Op::Check {
                engineer,
                tenant,
                service,
            } => {
                let check = block_on(requests::check_access(
                    &self.db,
                    &self.people[engineer],
                    TENANTS[tenant],
                    SERVICES[service],
                    self.now,
                ))
                .expect("an engineer may check");
                let expected = self.model.iter().any(|r| {
                    r.requester == engineer
                        && r.tenant == tenant
                        && r.service == service
                        && r.effective(self.now) == State::Approved
                });
                assert_eq!(check.access, expected, "access check at {}", self.now);
                if let Some(ends) = check.ends_at {
                    assert!(self.now < ends, "access at or after grant_ends_at");
                }
            }
            Op::Switch { tenant, on } => {
                let admin = if tenant == 0 { 5 } else { 8 };
                block_on(requests::set_lockbox(
                    &self.db,
                    &self.people[admin],
                    on,
                    &self.ctx(),
                ))
                .expect("a global admin may switch");
                self.lockbox[tenant] = on;
            }
        }
        self.check_invariants();
    }

    fn check_invariants(&self) {
        let audit_counts: HashMap<String, usize> = {
            let mut stmt = self
                .db
                .conn
                .prepare("SELECT item, COUNT(*) FROM audit_log WHERE activity LIKE '%AccessToCustomerDataRequest' GROUP BY item")
                .expect("prepare");
            stmt.query_map([], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)? as usize))
            })
            .expect("query")
            .map(|r| r.expect("row"))
            .collect()
        };
        for m in &self.model {
            let row = block_on(requests::load(&self.db, &m.id))
                .expect("load")
                .expect("row exists");
            assert_eq!(
                row.effective_state(self.now),
                m.effective(self.now),
                "state of {}",
                m.id
            );
            if row.grants_access(self.now) {
                assert!(
                    self.now < row.grant_ends_at.expect("an end"),
                    "access at or after grant_ends_at"
                );
            }
            if let (Some(start), Some(end)) = (row.grant_starts_at, row.grant_ends_at) {
                assert!(
                    end - start <= 4 * HOUR && end > start,
                    "grant longer than 4 h"
                );
            }
            if let Some(decided) = row.customer_decided_at {
                assert!(
                    decided < row.pending_expires_at.expect("was pending"),
                    "approved after 12 h"
                );
            }
            assert_ne!(
                row.manager_id.as_ref(),
                Some(&row.requester_id),
                "self-preapproval"
            );
            assert_ne!(
                row.customer_id.as_ref(),
                Some(&row.requester_id),
                "self-approval"
            );
            assert_eq!(
                audit_counts.get(&m.id).copied().unwrap_or(0),
                m.changes,
                "audit rows of {}",
                m.id
            );
            let decisions: i64 = self
                .db
                .conn
                .query_row(
                    "SELECT COUNT(*) FROM audit_log WHERE item = ? AND activity = 'Set-AccessToCustomerDataRequest'",
                    [&m.id],
                    |r| r.get(0),
                )
                .expect("count");
            assert!(
                decisions <= 1,
                "more than one customer decision on {}",
                m.id
            );
        }
        let bad_seq: i64 = self
            .db
            .conn
            .query_row(
                "SELECT COUNT(*) FROM (SELECT tenant_id, COUNT(*) AS n, MAX(seq) AS top FROM audit_log GROUP BY tenant_id) WHERE n <> top",
                [],
                |r| r.get(0),
            )
            .expect("count");
        assert_eq!(bad_seq, 0, "audit sequence numbers have gaps or repeats");
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
    let steps = Cell::new(0usize);
    let batches = Cell::new(0u64);
    let started = std::time::Instant::now();
    let result = runner.run(&prop::collection::vec(op(), STEPS_PER_CASE), |ops| {
        let mut world = World::new();
        for op in &ops {
            world.step(op);
        }
        steps.set(steps.get() + world.steps);
        batches.set(batches.get() + world.db.batches.get());
        Ok(())
    });
    println!(
        "model test: {} steps ({} cases x {STEPS_PER_CASE}), {} write batches, in {:.1?}",
        steps.get(),
        cases(),
        batches.get(),
        started.elapsed()
    );
    if let Err(failure) = result {
        panic!("{failure}");
    }
    assert!(steps.get() >= cases() as usize * STEPS_PER_CASE);
}

#[test]
fn the_sweep_is_bounded_per_run_and_clears_a_100k_backlog_over_runs() {
    let db = open_database();
    let due = 100_000;
    let now = START + 48 * HOUR;
    // The demo data may hold due rows of its own.
    let already_due: i64 = db
        .conn
        .query_row(
            &format!(
                "SELECT COUNT(*) FROM access_requests WHERE (state = 'PendingCustomerApproval' AND pending_expires_at <= {now}) \
                 OR (state = 'Approved' AND grant_ends_at <= {now})"
            ),
            [],
            |r| r.get(0),
        )
        .expect("count");
    // Half overdue pending requests, half ended grants, across both tenants.
    db.conn
        .execute_batch(&format!(
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
    let sweep_records = |db: &Sqlite| -> i64 {
        db.conn
            .query_row(
                "SELECT COUNT(*) FROM audit_log WHERE activity IN \
                 ('Expire-AccessToCustomerDataRequest', 'Complete-AccessToCustomerDataRequest')",
                [],
                |r| r.get(0),
            )
            .expect("count")
    };
    let records_before = sweep_records(&db);
    let per_run = requests::SWEEP_BATCH * i64::from(requests::SWEEP_ROUNDS);
    let started = std::time::Instant::now();
    let mut runs = 0;
    let mut moved = 0;
    loop {
        let outcome = block_on(requests::sweep(&db, now, SERVICE_ACCOUNT)).expect("sweep");
        runs += 1;
        assert!(outcome.expired as i64 <= per_run && outcome.completed as i64 <= per_run);
        moved += outcome.expired + outcome.completed;
        if !outcome.more_due {
            break;
        }
        assert!(runs < 50, "the backlog does not shrink");
    }
    let elapsed = started.elapsed();
    assert_eq!(moved, (due + already_due) as u64);
    let again = block_on(requests::sweep(&db, now, SERVICE_ACCOUNT)).expect("sweep");
    assert_eq!(
        (again.expired, again.completed),
        (0, 0),
        "a further run changes nothing"
    );
    let count = |sql: &str| -> i64 { db.conn.query_row(sql, [], |r| r.get(0)).expect("count") };
    assert_eq!(
        sweep_records(&db) - records_before,
        due + already_due,
        "one audit record per moved request"
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM (SELECT tenant_id, COUNT(*) AS n, MAX(seq) AS top FROM audit_log GROUP BY tenant_id) WHERE n <> top"),
        0,
        "sequence numbers stay gapless"
    );
    println!(
        "sweep: {due} due rows cleared in {runs} runs (at most {per_run} of each kind per run, {} batches per run), {elapsed:.1?} in all",
        2 * requests::SWEEP_ROUNDS
    );
}
