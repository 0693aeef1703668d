use lockbox_shared::api::TenantObjectStatus;
use lockbox_tests::{get, CONTOSO};

fn status(path: &str) -> TenantObjectStatus {
    let answer = get(path);
    assert_eq!(answer.status, 200, "{}", answer.body);
    serde_json::from_value(answer.json()).expect("a tenant object's status")
}

/// Each tenant has its own Durable Object under `wrangler dev`: on its
/// first use it applies every migration to its own SQLite, and only then.
#[test]
fn a_tenants_object_applies_the_migrations_once_to_its_own_database() {
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../migrations"))
        .expect("migrations")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "sql"))
        .count() as u32;
    let path = format!("/api/v1/dev/tenant-objects/{CONTOSO}");
    let first = status(&path);
    let again = status(&path);
    assert_eq!(first.tenant_id, CONTOSO);
    assert_eq!(first.migrations, files, "the object holds every migration");
    assert!(
        first.applied_now == files || first.applied_now == 0,
        "all at its first use (or none, if an earlier call made it): {first:?}"
    );
    assert_eq!(again.applied_now, 0, "never twice");
    assert!(again.database_bytes > 0);
    let unknown = get("/api/v1/dev/tenant-objects/7c0a8f4e-5a1b-4c3d-9e2f-0000000000ff");
    assert_eq!(unknown.status, 404, "{}", unknown.body);
}
