//! Moving an existing deployment's tenants out of the one database that
//! holds them all into a database each (`service::relocate`), on SQLite:
//! several tenants, one with 100 000 audit records, moves cut short at
//! random steps and started again from where they stood or from further
//! back, then checked: the same rows, and the same sealed tree and root.

use std::path::{Path, PathBuf};

use futures::executor::block_on;
use lockbox_backend::service::relocate::{self, Progress};
use lockbox_backend::service::tree;
use lockbox_backend::store::sqlite::Sqlite;
use lockbox_backend::store::{audit, Database, Tenant};
use lockbox_shared::ids::TenantId;

const START: i64 = 1_800_000_000_000;
const BIG: i64 = 100_000;

fn migrations() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations")
}

/// The single-database layout, seeded with the demo tenants, their
/// requests, and `BIG` more records in the first tenant's log.
fn single_database() -> (Sqlite, Vec<TenantId>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let db = Sqlite::with_migrations(&migrations()).expect("migrations");
    db.execute_script(&std::fs::read_to_string(root.join("seed/demo.sql")).expect("seed"))
        .expect("seed");
    let key = lockbox_provider::assertion::ServiceKey {
        service: "svc:sample".to_owned(),
        kid: "move-service".to_owned(),
        key: lockbox_provider::SigningKey::from_bytes(&[12; 32]),
    };
    block_on(lockbox_backend::demo::seed_with_service(
        &db,
        Some(&key),
        START,
        "lockbox@move.test",
    ))
    .expect("demo");
    let tenants: Vec<TenantId> = {
        let mut stmt = db
            .conn
            .prepare("SELECT id FROM tenants ORDER BY id")
            .expect("prepare");
        stmt.query_map([], |r| r.get::<_, String>(0))
            .expect("tenants")
            .map(|r| TenantId::parse(&r.expect("id")).expect("a tenant id"))
            .collect()
    };
    assert!(tenants.len() >= 3, "several tenants to move");
    let big = tenants.first().expect("a tenant");
    block_on(db.batch(vec![audit::bulk(big, BIG)])).expect("bulk records");
    (db, tenants)
}

/// A small deterministic generator, so a failure can be run again.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
}

/// Moves `tenant` from `from` into `to`, cut short `crashes` times: each
/// time the move starts again from where it stood or from an earlier
/// place it had reached (its progress saved late), as a command run
/// again after a crash would. Returns the steps taken.
fn move_with_crashes(
    from: &Tenant<'_, Sqlite>,
    to: &Tenant<'_, Sqlite>,
    crashes: u32,
    rng: &mut Lcg,
) -> u64 {
    let mut saved: Vec<Progress> = vec![Progress::default()];
    let mut progress = Progress::default();
    let mut steps = 0u64;
    let mut left = crashes;
    loop {
        if left > 0 && rng.below(40) == 0 {
            left -= 1;
            let back = rng.below(saved.len() as u64) as usize;
            progress = saved.get(back).cloned().unwrap_or_default();
            continue;
        }
        match block_on(relocate::step(from, to, &progress)).expect("a step") {
            Some(next) => {
                steps += 1;
                saved.push(next.clone());
                progress = next;
            }
            None => return steps,
        }
    }
}

#[test]
fn every_tenant_moves_into_its_own_database_with_the_same_rows_and_root() {
    let started = std::time::Instant::now();
    let (single, tenants) = single_database();
    // The big tenant's log sealed to a point, and records after it that
    // are not: the move keeps both as they are.
    let big = tenants.first().expect("a tenant").clone();
    let sealed =
        block_on(tree::seal(&Tenant::new(&single, big.clone()), &big, 150)).expect("sealed");
    assert!(
        sealed > 0 && sealed < BIG as u64,
        "sealed {sealed} of {BIG}"
    );
    println!(
        "seeded {} tenants, {BIG} more records in one, {sealed} sealed: {:.1?}",
        tenants.len(),
        started.elapsed()
    );
    let mut rng = Lcg(0x10c_b0c5);
    for tenant in &tenants {
        let t0 = std::time::Instant::now();
        let from = Tenant::new(&single, tenant.clone());
        let (size, root) = block_on(tree::sealed_root(&from, tenant)).expect("root before");
        let own = Sqlite::with_migrations(&migrations()).expect("migrations");
        let to = Tenant::new(&own, tenant.clone());
        let steps = move_with_crashes(&from, &to, 3, &mut rng);
        // Run again from the start after it finished: nothing changes (the
        // big tenant's crashes already copied pages twice).
        let again = if *tenant == big {
            0
        } else {
            move_with_crashes(&from, &to, 0, &mut rng)
        };
        let moved = block_on(relocate::verify(&from, &to)).expect("the move checks out");
        assert_eq!(moved.sealed, size, "sealed size of {tenant}");
        assert_eq!(
            moved.root,
            lockbox_shared::tlog::hash_text(&root),
            "root of {tenant}"
        );
        // Sealing the rest gives the same tree on both sides.
        let rest_from = block_on(tree::seal(&from, tenant, 1_000)).expect("seal before");
        let rest_to = block_on(tree::seal(&to, tenant, 1_000)).expect("seal after");
        assert_eq!(rest_from, rest_to, "{tenant}: sealed sizes");
        assert_eq!(
            block_on(tree::sealed_root(&from, tenant)).expect("root").1,
            block_on(tree::sealed_root(&to, tenant)).expect("root").1,
            "{tenant}: roots once every record is sealed"
        );
        // The moved database holds no other tenant's rows.
        let others: i64 = own
            .conn
            .query_row(
                "SELECT (SELECT COUNT(*) FROM access_requests WHERE tenant_id <> ?1) \
                      + (SELECT COUNT(*) FROM audit_log WHERE tenant_id <> ?1) \
                      + (SELECT COUNT(*) FROM tenants WHERE id <> ?1)",
                [tenant.as_str()],
                |r| r.get(0),
            )
            .expect("count");
        assert_eq!(others, 0, "rows of other tenants moved with {tenant}");
        let rows: u64 = moved.rows.iter().map(|(_, n)| n).sum();
        println!(
            "moved {tenant}: {rows} rows in {steps} steps (3 crashes), again in {again}, \
             {} sealed, root {}: {:.1?}",
            moved.sealed,
            moved.root,
            t0.elapsed()
        );
    }
}

#[test]
fn a_move_that_finds_a_difference_says_which_table() {
    let (single, tenants) = single_database();
    let tenant = tenants.get(1).expect("a second tenant").clone();
    let from = Tenant::new(&single, tenant.clone());
    let own = Sqlite::with_migrations(&migrations()).expect("migrations");
    let to = Tenant::new(&own, tenant.clone());
    move_with_crashes(&from, &to, 0, &mut Lcg(7));
    // A record written to the source after its rows were copied (the
    // tenant was not kept still): the check refuses the move.
    block_on(single.batch(vec![audit::bulk(&tenant, 1)])).expect("a late record");
    let err = block_on(relocate::verify(&from, &to)).expect_err("a difference");
    let detail = format!("{err:?}");
    assert!(
        detail.contains("audit_log"),
        "the error names the table: {detail}"
    );
}

#[test]
fn a_move_marks_the_tenant_waits_out_the_grace_copies_checks_and_then_stays_moved() {
    let (single, tenants) = single_database();
    let tenant = tenants.get(1).expect("a second tenant").clone();
    let global = lockbox_backend::store::Global::new(&single);
    let from = Tenant::new(&single, tenant.clone());
    let own = Sqlite::with_migrations(&migrations()).expect("migrations");
    let to = Tenant::new(&own, tenant.clone());
    let advance = |now: i64, steps: u32| {
        block_on(relocate::advance(
            &global,
            &from,
            &to,
            now,
            steps,
            "admin@provider.example",
        ))
        .expect("a move step")
    };
    let home = || -> String {
        single
            .conn
            .query_row(
                "SELECT home FROM tenants WHERE id = ?",
                [tenant.as_str()],
                |r| r.get(0),
            )
            .expect("home")
    };
    let (size, root) = block_on(tree::sealed_root(&from, &tenant)).expect("root");
    let other = tenants.first().expect("a first tenant").clone();
    let others_records = |db: &Sqlite| -> i64 {
        db.conn
            .query_row(
                "SELECT COUNT(*) FROM audit_log WHERE tenant_id = ?",
                [other.as_str()],
                |r| r.get(0),
            )
            .expect("count")
    };
    let others_before = others_records(&single);
    let first = advance(START, 3);
    assert_eq!((first.home.as_str(), first.copied), ("moving", 0));
    assert_eq!(first.copying_from, Some(START + relocate::MOVE_GRACE_MS));
    assert_eq!(home(), "moving");
    // Within the grace nothing is copied.
    let early = advance(START + relocate::MOVE_GRACE_MS - 1, 3);
    assert_eq!(early.copied, 0);
    assert_eq!(count(&own, "tenants"), 0);
    // Then three steps a call, until it is there.
    let mut now = START + relocate::MOVE_GRACE_MS;
    let mut calls = 0;
    let last = loop {
        let state = advance(now, 3);
        calls += 1;
        if state.home == "object" && !state.clearing {
            break state;
        }
        if state.home != "object" {
            assert_eq!(home(), "moving");
        }
        now += 1_000;
        assert!(calls < 100, "the move never ended");
    };
    assert_eq!(home(), "object");
    assert_eq!(
        block_on(tree::sealed_root(&to, &tenant)).expect("root"),
        (size, root)
    );
    // Nothing of the tenant's own is left where every tenant's is, but its
    // directory row; the other tenants' logs are whole, and stay
    // append-only there.
    for (table, rows) in lockbox_backend::store::handles::TENANT_TABLES {
        let Some(rows) = rows else { continue };
        let left: i64 = single
            .conn
            .query_row(
                &format!("SELECT COUNT(*) FROM {table} WHERE {rows}"),
                [tenant.as_str()],
                |r| r.get(0),
            )
            .expect("count");
        assert_eq!(left, 0, "{table} rows of the moved tenant left behind");
    }
    assert_eq!(count(&single, "tenants"), tenants.len() as i64);
    assert_eq!(others_records(&single), others_before);
    let refused = single.conn.execute(
        "DELETE FROM audit_log WHERE tenant_id = ?",
        [other.as_str()],
    );
    assert!(
        refused.is_err_and(|e| e.to_string().contains("append-only")),
        "a tenant at home here keeps its log"
    );
    assert_eq!(last.sealed, Some(size));
    assert_eq!(
        last.root.as_deref(),
        Some(lockbox_shared::tlog::hash_text(&root).as_str())
    );
    let logged: i64 = single
        .conn
        .query_row(
            "SELECT COUNT(*) FROM provider_log WHERE activity = 'Move-LockboxTenant' AND item = ?",
            [tenant.as_str()],
            |r| r.get(0),
        )
        .expect("log");
    assert_eq!(logged, 1, "the move is in the provider log");
    // Calling again changes nothing.
    let again = advance(now + 60_000, 3);
    assert_eq!(again, last);
    assert_eq!(logged, 1);
}

fn count(db: &Sqlite, table: &str) -> i64 {
    db.conn
        .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
        .expect("count")
}
