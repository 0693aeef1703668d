//! A tenant exported whole as signed JSON lines and restored into an empty
//! deployment, where its audit log has the same size and root: once on
//! SQLite (the service's own export, a change anywhere named by the
//! verifier), once end to end (the running server's export route, the
//! CLI's SQL applied with `wrangler d1 execute` to a fresh local D1, and a
//! `wrangler dev` on it answering the tenant's checkpoint).

use std::path::{Path, PathBuf};

use futures::executor::block_on;
use lockbox_backend::service::tenant_export;
use lockbox_backend::service::tree;
use lockbox_backend::store::sqlite::Sqlite;
use lockbox_backend::store::{audit, Database, Global, Tenant};
use lockbox_shared::ids::TenantId;
use lockbox_shared::tlog::SigningKey;
use lockbox_tests::{sign_in, wrangler, FABRIKAM};

const NOW: i64 = 1_800_000_000_000;

fn migrations() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations")
}

fn key() -> SigningKey {
    SigningKey::from_seed_base64(
        "lockbox.test",
        "ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICA=",
    )
    .expect("a key")
}

/// How many rows of each of the tenant's tables `db` holds.
fn counts(db: &Sqlite, tenant: &str) -> Vec<(String, i64)> {
    let mut tables: Vec<(&str, &str)> = lockbox_backend::service::relocate::tenant_tables();
    tables.extend([
        ("tenant_services", "tenant_id = ?"),
        ("request_index", "tenant_id = ?"),
    ]);
    tables
        .into_iter()
        .map(|(name, rows)| {
            let n: i64 = db
                .conn
                .query_row(
                    &format!("SELECT COUNT(*) FROM {name} WHERE {rows}"),
                    [tenant],
                    |r| r.get(0),
                )
                .expect("a count");
            (name.to_owned(), n)
        })
        .collect()
}

#[test]
fn an_export_restores_into_an_empty_database_with_the_same_rows_and_root_and_a_change_is_named() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let source = Sqlite::with_migrations(&migrations()).expect("migrations");
    source
        .execute_script(&std::fs::read_to_string(root.join("seed/demo.sql")).expect("seed"))
        .expect("seed");
    let service = lockbox_provider::assertion::ServiceKey {
        service: "svc:sample".to_owned(),
        kid: "restore".to_owned(),
        key: lockbox_provider::SigningKey::from_bytes(&[13; 32]),
    };
    block_on(lockbox_backend::demo::seed_with_service(
        &source,
        Some(&service),
        NOW,
        "lockbox@restore.test",
    ))
    .expect("demo");
    let tenant = TenantId::parse(lockbox_tests::CONTOSO).expect("an id");
    // More records than two pages of the export, none sealed yet (fewer
    // than one checkpoint seals).
    block_on(source.batch(vec![audit::bulk(&tenant, 4_500)])).expect("records");

    let export = block_on(tenant_export::whole(
        &Tenant::new(&source, tenant.clone()),
        &Global::new(&source),
        &key(),
        "lockbox.test",
        NOW,
    ))
    .expect("an export");
    let keys = key().verifier_key();
    let verified = lockbox_cli::verify_tenant(&export, &keys);
    assert!(verified.ok(), "{verified:?}");
    assert!(verified.notes[0].contains(&key().key_id()), "{verified:?}");

    // Into an empty database, through the SQL the CLI writes.
    let sql = lockbox_cli::import_tenant(&export, &keys).expect("the SQL");
    let restored = Sqlite::with_migrations(&migrations()).expect("migrations");
    restored.execute_script(&sql).expect("the SQL applies");
    assert_eq!(
        counts(&restored, tenant.as_str()),
        counts(&source, tenant.as_str()),
        "every row of every table"
    );
    let before = block_on(tree::sealed_root(&source, &tenant)).expect("a root");
    let after = block_on(tree::sealed_root(&restored, &tenant)).expect("a root");
    assert_eq!(after, before, "the same sealed size and root");
    assert!(before.0 > 4_500, "every record sealed: {}", before.0);
    let home: String = restored
        .conn
        .query_row(
            "SELECT home FROM tenants WHERE id = ?",
            [tenant.as_str()],
            |r| r.get(0),
        )
        .expect("the tenant");
    assert_eq!(home, "database");

    // A changed record, a dropped line, a cut-off file, another key: each
    // refused, and said why.
    let lines: Vec<&str> = export.lines().collect();
    let record = lines
        .iter()
        .position(|l| l.contains("\"table\":\"audit_log\""))
        .expect("an audit record line");
    let mut changed = lines.clone();
    let altered = changed[record].replacen("\"ip\":\"", "\"ip\":\"9", 1);
    changed[record] = &altered;
    let problems = lockbox_cli::verify_tenant(&changed.join("\n"), &keys).problems;
    assert!(
        problems
            .iter()
            .any(|p| p.contains("do not hash to what the end line says"))
            && problems
                .iter()
                .any(|p| p.contains("do not hash to its root")),
        "{problems:?}"
    );
    let mut dropped = lines.clone();
    dropped.remove(record);
    let problems = lockbox_cli::verify_tenant(&dropped.join("\n"), &keys).problems;
    assert!(
        problems.iter().any(|p| p.contains("rows per table")),
        "{problems:?}"
    );
    let cut = lines[..lines.len() - 1].join("\n");
    let problems = lockbox_cli::verify_tenant(&cut, &keys).problems;
    assert!(
        problems.iter().any(|p| p.contains("cut short")),
        "{problems:?}"
    );
    let other = SigningKey::from_seed_base64(
        "lockbox.test",
        "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=",
    )
    .expect("a key");
    let problems = lockbox_cli::verify_tenant(&export, &other.verifier_key()).problems;
    assert!(
        problems.iter().any(|p| p.contains(&key().key_id())),
        "names the key it needs: {problems:?}"
    );
    assert!(lockbox_cli::import_tenant(&changed.join("\n"), &keys).is_err());
    // A row of a table no tenant export holds, or another tenant's row,
    // is named even before the digest fails.
    let mut foreign = lines.clone();
    let role = r#"{"table":"provider_roles","row":{"user_id":"x","role":"support_manager"}}"#;
    foreign.insert(2, role);
    let problems = lockbox_cli::verify_tenant(&foreign.join("\n"), &keys).problems;
    assert!(
        problems.iter().any(|p| p.contains("never holds")),
        "{problems:?}"
    );
    let other_tenant = lines[record].replace(lockbox_tests::CONTOSO, FABRIKAM);
    let mut moved = lines.clone();
    moved[record] = &other_tenant;
    let problems = lockbox_cli::verify_tenant(&moved.join("\n"), &keys).problems;
    assert!(
        problems.iter().any(|p| p.contains("another tenant's")),
        "{problems:?}"
    );
}

#[test]
fn a_tenant_exported_from_the_running_server_and_restored_into_an_empty_deployment_signs_the_same_root(
) {
    // A request of Fabrikam's that its admin sees (Lockbox is off there:
    // the pre-approval grants it), so the lists compared below hold one.
    let engineer = sign_in("engineer1@provider.example");
    let made = lockbox_tests::open_request(&engineer, FABRIKAM, 30);
    assert_eq!(lockbox_tests::preapprove(&made).status, 200);
    // From the server under test: the integration admin exports Fabrikam.
    let admin = sign_in("integrations@provider.example");
    let path = format!("/api/v1/provider/tenants/{FABRIKAM}/export");
    let answer = admin.get(&path);
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(answer
        .header("content-type")
        .is_some_and(|t| t.starts_with("application/jsonl")));
    let export = answer.body;
    let keys = lockbox_tests::get("/api/v1/keys").body;
    let verified = lockbox_shared::tenant_export::verify(&export, &keys)
        .unwrap_or_else(|problems| panic!("{problems:?}"));
    let original_list = list_of_fabrikam();
    // Nobody else may export; an unknown tenant is named.
    let auditor = sign_in("admin@fabrikam.example").get(&path);
    assert_eq!(auditor.status, 403, "{}", auditor.body);
    let unknown = admin.get("/api/v1/provider/tenants/7c0a8f4e-5a1b-4c3d-9e2f-0000000000ff/export");
    assert_eq!(unknown.status, 404, "{}", unknown.body);
    assert!(unknown.body.contains("0000000000ff"), "{}", unknown.body);

    // Into an empty deployment: the CLI's SQL through wrangler.
    let sql = lockbox_cli::import_tenant(&export, &keys).expect("the SQL");
    let dir = wrangler::fresh_dir("d1-restored");
    let file = dir.with_extension("sql");
    std::fs::write(&file, sql).expect("the SQL file");
    wrangler::bash(
        r#"scripts/build.sh >&2; migrate_db "$1" >&2
           CI=true wrangler d1 execute lockbox --local --persist-to "$1" --file "$2" >&2"#,
        &[
            dir.to_str().expect("a path"),
            file.to_str().expect("a path"),
        ],
    );
    let _server = wrangler::start(&dir, "restored", &[], false);
    let checkpoint = sign_in("admin@fabrikam.example").get("/api/v1/audit/checkpoint");
    assert_eq!(checkpoint.status, 200, "{}", checkpoint.body);
    let restored_keys = lockbox_tests::get("/api/v1/keys").body;
    let opened = lockbox_shared::tlog::open_checkpoint(&checkpoint.body, &restored_keys)
        .expect("the restored deployment's checkpoint");
    assert_eq!(
        (opened.size, opened.root),
        (verified.sealed, verified.root),
        "the same log, as the export's signed checkpoint has it"
    );
    // The tenant's admin sees the same list of requests there as here.
    let restored_list = list_of_fabrikam();
    assert_eq!(
        restored_list, original_list,
        "the same requests, newest first"
    );
    assert!(restored_list.contains(&made), "{made} in {restored_list:?}");
}

/// The ids of Fabrikam's requests its global admin sees, newest first.
fn list_of_fabrikam() -> Vec<String> {
    let listed = sign_in("admin@fabrikam.example")
        .get(&format!("/api/v1/requests?tenant={FABRIKAM}&limit=200"));
    assert_eq!(listed.status, 200, "{}", listed.body);
    listed.json()["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|r| r["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}
