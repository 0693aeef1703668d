//! The audit log's tamper evidence end to end: a customer's auditor takes a
//! signed checkpoint and the key, someone changes the log directly in the
//! local D1 database (as a provider with database access could), and
//! `lockbox audit verify` (the `lockbox-cli` library) names the record.
//!
//! Woodgrove Bank's log is used by these tests alone. The changes are made
//! with the append-only triggers dropped, and undone before the next case.
//! This is a test binary of its own: cargo runs test binaries one after
//! another, so no other test reaches the server while the file is written
//! from outside (workerd would meet a locked database and answer 500).

use std::path::PathBuf;
use std::sync::Mutex;

use lockbox_tests::{sign_in, Session};
use rusqlite::Connection;
use serde_json::json;

const WOODGROVE: &str = "7c0a8f4e-5a1b-4c3d-9e2f-000000000004";

/// One tamper case at a time.
static DATABASE: Mutex<()> = Mutex::new(());

/// The local D1 database file of the server under test: of the local D1
/// files (the sample provider service keeps its own there too), the one
/// that holds the audit log.
fn database() -> Connection {
    let out = std::env::var("LOCKBOX_TEST_OUTPUT").expect("LOCKBOX_TEST_OUTPUT (set by make test)");
    let dir = PathBuf::from(out).join("d1/v3/d1/miniflare-D1DatabaseObject");
    std::fs::read_dir(&dir)
        .unwrap_or_else(|err| panic!("{}: {err}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "sqlite")
                && p.file_name().is_none_or(|n| n != "metadata.sqlite")
        })
        .find_map(|file| {
            let conn = Connection::open(file).expect("open");
            let lockbox: bool = conn
                .query_row(
                    "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'audit_log')",
                    [],
                    |r| r.get(0),
                )
                .expect("schema");
            lockbox.then_some(conn)
        })
        .inspect(|conn| {
            conn.busy_timeout(std::time::Duration::from_secs(10))
                .expect("timeout");
        })
        .expect("Lockbox's D1 database file")
}

/// Runs `sql` with the audit log's triggers off (a tamperer's first step).
fn behind_lockboxs_back(conn: &Connection, sql: &str) {
    let triggers: Vec<(String, String)> = {
        let mut stmt = conn
            .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'")
            .expect("prepare");
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("query")
            .map(|r| r.expect("row"))
            .collect()
    };
    for (name, _) in &triggers {
        conn.execute_batch(&format!("DROP TRIGGER {name}"))
            .expect("drop");
    }
    conn.execute_batch(sql).expect(sql);
    for (_, create) in &triggers {
        conn.execute_batch(create).expect("recreate");
    }
}

fn text(who: &Session, path: &str) -> String {
    let answer = who.get(path);
    assert_eq!(answer.status, 200, "{path}: {}", answer.body);
    answer.body
}

fn verify(auditor: &Session, checkpoint: &str, key: &str) -> lockbox_cli::Report {
    let export = text(auditor, "/api/v1/audit/export.jsonl");
    lockbox_cli::verify(&export, checkpoint, key)
}

#[test]
fn verify_names_each_altered_removed_inserted_or_reordered_record() {
    let _one = DATABASE.lock().unwrap_or_else(|p| p.into_inner());
    let auditor = sign_in("auditor@woodgrove.example");
    let seeded = lockbox_tests::post_json(
        "/api/v1/dev/seed-audit",
        &json!({ "tenant_id": WOODGROVE, "count": 30 }),
    );
    assert_eq!(seeded.status, 200, "{}", seeded.body);
    // The key comes from anywhere but the log: here the public route.
    let key = text(&auditor, "/api/v1/audit/public-key");
    let checkpoint = text(&auditor, "/api/v1/audit/checkpoint");
    let size: i64 = checkpoint
        .lines()
        .nth(1)
        .and_then(|l| l.parse().ok())
        .expect("a size line");
    assert!(size >= 30, "{checkpoint}");

    let clean = verify(&auditor, &checkpoint, &key);
    assert!(clean.ok(), "an untouched log: {clean:?}");

    let conn = database();
    // No sealing while the log is out of shape.
    let _cron = lockbox_tests::cron_lock();
    let k = size - 20; // a record well inside the checkpoint
    let swap = format!(
        "UPDATE audit_log SET seq = -1 WHERE tenant_id = '{WOODGROVE}' AND seq = {k}; \
         UPDATE audit_log SET seq = {k} WHERE tenant_id = '{WOODGROVE}' AND seq = {later}; \
         UPDATE audit_log SET seq = {later} WHERE tenant_id = '{WOODGROVE}' AND seq = -1",
        later = k + 5
    );
    let cases: [(&str, String, String, String); 4] = [
        (
            "altered",
            format!(
                "CREATE TEMP TABLE original AS SELECT details FROM audit_log WHERE tenant_id = '{WOODGROVE}' AND seq = {k}; \
                 UPDATE audit_log SET details = json_set(details, '$.Note', 'edited') WHERE tenant_id = '{WOODGROVE}' AND seq = {k}"
            ),
            format!(
                "UPDATE audit_log SET details = (SELECT details FROM original) WHERE tenant_id = '{WOODGROVE}' AND seq = {k}; \
                 DROP TABLE original"
            ),
            format!("Record {k} was altered"),
        ),
        (
            "removed",
            format!("CREATE TEMP TABLE kept AS SELECT * FROM audit_log WHERE tenant_id = '{WOODGROVE}' AND seq = {k}; DELETE FROM audit_log WHERE tenant_id = '{WOODGROVE}' AND seq = {k}"),
            "INSERT INTO audit_log SELECT * FROM kept; DROP TABLE kept".to_owned(),
            format!("Record {k} was removed"),
        ),
        (
            "inserted",
            format!(
                "UPDATE audit_log SET seq = -seq - 1 WHERE tenant_id = '{WOODGROVE}' AND seq >= {k}; \
                 UPDATE audit_log SET seq = -seq WHERE tenant_id = '{WOODGROVE}' AND seq < 0; \
                 INSERT INTO audit_log (id, tenant_id, seq, occurred_at, ip, user, activity, item, details) \
                 VALUES ('forged', '{WOODGROVE}', {k}, 1735689600000, '127.0.0.1', 'nobody@woodgrove.example', 'Get-Mailbox', '', '{{}}')"
            ),
            format!(
                "DELETE FROM audit_log WHERE id = 'forged'; \
                 UPDATE audit_log SET seq = -seq + 1 WHERE tenant_id = '{WOODGROVE}' AND seq > {k}; \
                 UPDATE audit_log SET seq = -seq WHERE tenant_id = '{WOODGROVE}' AND seq < 0"
            ),
            format!("Record {} was record {k} before: a record was inserted", k + 1),
        ),
        // Swapping two records is its own undo.
        ("reordered", swap.clone(), swap, format!("Record {k} holds what was sealed as record {}", k + 5)),
    ];
    for (what, change, undo, named) in cases {
        behind_lockboxs_back(&conn, &change);
        let report = verify(&auditor, &checkpoint, &key);
        behind_lockboxs_back(&conn, &undo);
        assert!(!report.ok(), "{what}: not detected");
        assert!(
            report.problems.iter().any(|p| p.starts_with(&named)),
            "{what}: expected \"{named}…\" in {:?}",
            report.problems
        );
        let again = verify(&auditor, &checkpoint, &key);
        assert!(
            again.ok(),
            "{what}: the undo did not restore the log: {again:?}"
        );
    }

    // A checkpoint signed by another key does not verify.
    let other_key = lockbox_shared::tlog::SigningKey::from_seed_base64(
        "lockbox.example",
        "ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICA=",
    )
    .expect("key")
    .verifier_key();
    let wrong = verify(&auditor, &checkpoint, &other_key);
    assert!(!wrong.ok());
}

#[test]
fn a_later_checkpoint_is_proved_to_extend_an_earlier_one() {
    let _one = DATABASE.lock().unwrap_or_else(|p| p.into_inner());
    let auditor = sign_in("auditor@woodgrove.example");
    let key = text(&auditor, "/api/v1/audit/public-key");
    let seed = |count: i64| {
        let seeded = lockbox_tests::post_json(
            "/api/v1/dev/seed-audit",
            &json!({ "tenant_id": WOODGROVE, "count": count }),
        );
        assert_eq!(seeded.status, 200, "{}", seeded.body);
    };
    seed(3);
    let old = text(&auditor, "/api/v1/audit/checkpoint");
    seed(7);
    let new = text(&auditor, "/api/v1/audit/checkpoint");
    let size = |note: &str| -> u64 {
        note.lines()
            .nth(1)
            .and_then(|l| l.parse().ok())
            .expect("size")
    };
    let proof = text(
        &auditor,
        &format!(
            "/api/v1/audit/consistency?from={}&to={}",
            size(&old),
            size(&new)
        ),
    );
    let report = lockbox_cli::consistency(&old, &new, &proof, &key);
    assert!(report.ok(), "{report:?}");
    // An inclusion proof of a record checks against the newer root.
    let answer = auditor.get(&format!(
        "/api/v1/audit/records/1/proof?size={}",
        size(&new)
    ));
    assert_eq!(answer.status, 200, "{}", answer.body);
    let p: lockbox_shared::api::InclusionProof = serde_json::from_str(&answer.body).expect("proof");
    let opened = lockbox_shared::tlog::open_checkpoint(&new, &key).expect("checkpoint");
    let hashes: Vec<_> = p
        .proof
        .iter()
        .map(|h| lockbox_shared::tlog::parse_hash(h).expect("hash"))
        .collect();
    let leaf = lockbox_shared::tlog::parse_hash(&p.leaf_hash).expect("leaf");
    assert!(lockbox_shared::tlog::check_inclusion(
        &hashes,
        opened.size,
        opened.root,
        p.leaf_index,
        leaf
    ));
    // Who may ask: the tenant's auditors, admins and approvers; no one else.
    assert_eq!(
        sign_in("user@contoso.example")
            .get("/api/v1/audit/checkpoint")
            .status,
        403
    );
    assert_eq!(
        sign_in("engineer1@provider.example")
            .get("/api/v1/audit/checkpoint")
            .status,
        403
    );
}

/// Endpoint `id`'s stored secret, from whichever local database holds it
/// (D1, or a tenant's object).
fn stored_secret(id: &str) -> String {
    let out = std::env::var("LOCKBOX_TEST_OUTPUT").expect("LOCKBOX_TEST_OUTPUT (set by make test)");
    let mut files = Vec::new();
    let mut dirs = vec![PathBuf::from(out).join("d1/v3")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|x| x == "sqlite") {
                files.push(path);
            }
        }
    }
    files
        .iter()
        .find_map(|file| {
            let conn =
                Connection::open_with_flags(file, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                    .ok()?;
            conn.query_row(
                "SELECT secret FROM webhook_endpoints WHERE id = ?",
                [id],
                |r| r.get(0),
            )
            .ok()
        })
        .unwrap_or_else(|| panic!("no local database holds endpoint {id}"))
}

/// A copy of the database alone signs no delivery: an endpoint's secret is
/// stored sealed (WebCrypto's AES-GCM in the Worker), and opens only with
/// the Worker secret and only as its own endpoint's (the Rust side opens
/// what WebCrypto sealed: one format).
#[test]
fn a_webhook_secret_is_stored_sealed_and_opens_only_with_the_key_for_its_endpoint() {
    let _one = DATABASE.lock().unwrap_or_else(|p| p.into_inner());
    // Contoso's data may be in D1 or in its own object by now: the row is
    // looked for in every local database file.
    let admin = sign_in("admin@contoso.example");
    let (_server, port) = lockbox_tests::local_server();
    let mut created = Vec::new();
    for n in 0..2 {
        let answer = admin.post(
            "/api/v1/settings/notifications/webhooks",
            &json!({ "url": format!("http://127.0.0.1:{port}/sealed-{n}"), "events": ["request.pending"] }),
        );
        assert_eq!(answer.status, 201, "{}", answer.body);
        let body = answer.json();
        created.push((
            body["endpoint"]["id"].as_str().expect("an id").to_owned(),
            body["secret"].as_str().expect("a secret").to_owned(),
        ));
    }
    let stored = |id: &str| -> String { stored_secret(id) };
    let key = std::env::var("LOCKBOX_WEBHOOK_SECRETS_KEY").expect("the local sealing key");
    let sealer = lockbox_backend::sealing::Sealer::from_seeds(&key, None).expect("a sealer");
    let open = |sealed: &str, id: &str| {
        futures::executor::block_on(sealer.open(sealed, id)).map(|o| o.secret)
    };
    for (id, secret) in &created {
        let sealed = stored(id);
        let key_part = secret.trim_start_matches("whsec_");
        assert!(sealed.starts_with("sealed.v1."), "{sealed}");
        assert!(!sealed.contains(key_part), "the secret is in the clear");
        assert_eq!(open(&sealed, id).as_ref(), Ok(secret));
    }
    // Moved onto the other endpoint's row, it does not open.
    let (first, second) = (&created[0].0, &created[1].0);
    assert!(open(&stored(first), second).is_err());
    // Another key does not open it either.
    let other = lockbox_backend::sealing::Sealer::from_seeds(
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        None,
    )
    .expect("a sealer");
    assert!(futures::executor::block_on(other.open(&stored(first), first)).is_err());
    // Even named as the other key's, its bytes do not open with it.
    let forged = stored(first).replacen(sealer.key_id(), other.key_id(), 1);
    let refused = futures::executor::block_on(other.open(&forged, first));
    assert!(refused.is_err_and(|why| why.contains("does not open")));
    for (id, _) in &created {
        let removed = admin.delete(&format!("/api/v1/settings/notifications/webhooks/{id}"));
        assert_eq!(removed.status, 204, "{}", removed.body);
    }
}
