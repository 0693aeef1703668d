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

/// Litware: the tenant whose data this test moves into its own object.
const LITWARE: &str = "7c0a8f4e-5a1b-4c3d-9e2f-000000000006";

/// A signed checkpoint's size and root (its second and third lines).
fn checkpoint(admin: &lockbox_tests::Session) -> (u64, String) {
    let answer = admin.get("/api/v1/audit/checkpoint");
    assert_eq!(answer.status, 200, "{}", answer.body);
    let mut lines = answer.body.lines().skip(1);
    let size = lines
        .next()
        .and_then(|l| l.parse().ok())
        .unwrap_or_else(|| panic!("no size in {}", answer.body));
    let root = lines.next().unwrap_or_default().to_owned();
    (size, root)
}

/// A Litware request opened, pre-approved and approved: a live grant.
fn litware_grant() -> String {
    let id = lockbox_tests::open_request(
        &lockbox_tests::sign_in("engineer1@provider.example"),
        LITWARE,
        60,
    );
    assert_eq!(lockbox_tests::preapprove(&id).status, 200);
    let approved = lockbox_tests::act(
        &lockbox_tests::sign_in("approver@litware.example"),
        &id,
        "approve",
        None,
    );
    assert_eq!(approved.status, 200, "{}", approved.body);
    id
}

/// A deployment that began with every tenant in D1 moves one into its own
/// Durable Object with `POST /api/v1/provider/tenants/{id}/move`: its calls
/// wait while it moves, its signed checkpoint has the same size and root
/// after, and from then on its decisions and audit records are written in
/// its object.
#[test]
fn a_tenant_moves_into_its_object_with_the_same_checkpoint_and_works_there() {
    let admin = lockbox_tests::sign_in("admin@litware.example");
    let before_grant = litware_grant();
    let (size, root) = checkpoint(&admin);
    assert!(size >= 3, "the request's records are sealed: {size}");
    let mover = lockbox_tests::sign_in("integrations@provider.example");
    let path = format!("/api/v1/provider/tenants/{LITWARE}/move");
    // Only integration admins move tenants.
    let refused = admin.post(&path, &serde_json::json!({}));
    assert_eq!(refused.status, 403, "{}", refused.body);
    let marked = mover.post(&path, &serde_json::json!({}));
    assert_eq!(marked.status, 202, "{}", marked.body);
    assert_eq!(marked.json()["home"], "moving");
    let copying_from = marked.json()["copying_from"]
        .as_i64()
        .expect("when copying starts");
    // While it moves, the tenant's calls wait and say so.
    let waiting = admin.get("/api/v1/settings/lockbox");
    assert_eq!(waiting.status, 503, "{}", waiting.body);
    assert_eq!(waiting.json()["type"], "/problems/tenant-moving");
    assert_eq!(waiting.header("retry-after"), Some("60"));
    let wait = copying_from - lockbox_tests::now_ms();
    if wait > 0 {
        std::thread::sleep(std::time::Duration::from_millis(wait as u64 + 200));
    }
    let mut calls = 0;
    let moved = loop {
        let answer = mover.post(&path, &serde_json::json!({}));
        calls += 1;
        match answer.status {
            200 => break answer.json(),
            202 => assert!(calls < 50, "the move never ended: {}", answer.body),
            _ => panic!("moving: {}", answer.body),
        }
    };
    assert_eq!(moved["home"], "object");
    assert_eq!(moved["sealed"].as_u64(), Some(size), "{moved}");
    assert_eq!(moved["root"].as_str(), Some(root.as_str()), "{moved}");
    // The same checkpoint after the move, now read from the object.
    assert_eq!(checkpoint(&admin), (size, root.clone()));
    let object = status(&format!("/api/v1/dev/tenant-objects/{LITWARE}"));
    assert!(
        object.requests >= 1 && object.audit_records >= size,
        "{object:?}"
    );
    // Calling again changes nothing.
    let again = mover.post(&path, &serde_json::json!({}));
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.json(), moved);
    // Decisions go on in the object: a new grant, and the first revoked.
    let after_grant = litware_grant();
    let revoked = lockbox_tests::act(&admin, &before_grant, "revoke", Some("Moved"));
    assert_eq!(revoked.status, 200, "{}", revoked.body);
    let check = lockbox_tests::sign_in("engineer1@provider.example").get(&format!(
        "/api/v1/access/check?tenant={LITWARE}&service=mail"
    ));
    assert_eq!(check.status, 200, "{}", check.body);
    assert_eq!(check.json()["request_id"], after_grant.as_str());
    // An operator call under the grant is answered in the object too: its
    // record is in the object's log, sealed by the time it answers.
    let before_call = status(&format!("/api/v1/dev/tenant-objects/{LITWARE}"));
    let listed = lockbox_tests::sign_in("engineer1@provider.example").post(
        &format!("/api/v1/tenants/{LITWARE}/services/mail/operations/Get-Mailbox"),
        &serde_json::json!({}),
    );
    assert_eq!(listed.status, 200, "{}", listed.body);
    let after_call = status(&format!("/api/v1/dev/tenant-objects/{LITWARE}"));
    assert_eq!(after_call.audit_records, before_call.audit_records + 1);
    assert_eq!(
        after_call.sealed, after_call.audit_records,
        "{after_call:?}"
    );
    let object_after = status(&format!("/api/v1/dev/tenant-objects/{LITWARE}"));
    assert_eq!(
        object_after.requests,
        object.requests + 1,
        "{object_after:?}"
    );
    // Each write's records joined the tree before it answered.
    assert_eq!(
        object_after.sealed, object_after.audit_records,
        "{object_after:?}"
    );
    let (grown, _) = checkpoint(&admin);
    assert!(
        grown >= size + 4,
        "the new records are the object's: {grown} after {size}"
    );
    assert_eq!(object_after.audit_records, grown);
    // The provider's lists and the tenant's own list read them.
    let list = admin.get("/api/v1/requests");
    assert_eq!(list.status, 200, "{}", list.body);
    let listed = list.json();
    let ids: Vec<&str> = listed["items"]
        .as_array()
        .map(|items| items.iter().filter_map(|i| i["id"].as_str()).collect())
        .unwrap_or_default();
    assert!(ids.contains(&after_grant.as_str()) && ids.contains(&before_grant.as_str()));
    // A role given at Litware: its record is in the object's log, the
    // role in the roles list (the directory's copy).
    let given = admin.post(
        "/api/v1/roles/assign",
        &serde_json::json!({"email": "approver@litware.example", "role": "auditor"}),
    );
    assert_eq!(given.status, 200, "{}", given.body);
    assert!(given.body.contains("auditor"), "{}", given.body);
    let with_role = status(&format!("/api/v1/dev/tenant-objects/{LITWARE}"));
    assert_eq!(
        with_role.audit_records,
        object_after.audit_records + 1,
        "{with_role:?}"
    );
    assert_eq!(with_role.sealed, with_role.audit_records, "{with_role:?}");
    // Every call on Litware's data is answered in its object, streams too:
    // the export holds each record of the object's log (and its header).
    let export = admin.get("/api/v1/audit/export.csv");
    assert_eq!(export.status, 200, "{}", export.body);
    assert!(
        export
            .header("content-type")
            .is_some_and(|t| t.starts_with("text/csv")),
        "{:?}",
        export.header("content-type")
    );
    assert_eq!(
        export.body.lines().count() as u64,
        with_role.audit_records + 1,
        "{}",
        export.body
    );
    let italian = admin.post(
        "/api/v1/settings/language",
        &serde_json::json!({"language": "it"}),
    );
    assert_eq!(italian.status, 200, "{}", italian.body);
    assert_eq!(
        admin.get("/api/v1/settings/language").json()["language"],
        "it"
    );
    let back = admin.post(
        "/api/v1/settings/language",
        &serde_json::json!({"language": "en"}),
    );
    assert_eq!(back.status, 200, "{}", back.body);
    let settled = status(&format!("/api/v1/dev/tenant-objects/{LITWARE}"));
    assert_eq!(settled.audit_records, with_role.audit_records + 2);
    assert_eq!(settled.sealed, settled.audit_records, "{settled:?}");
    // The object's alarm, not the scheduled job (held off here), completes
    // a grant whose end has passed.
    let _cron = lockbox_tests::cron_lock();
    lockbox_tests::shift_request(&after_grant, 2 * 3_600_000);
    let started = std::time::Instant::now();
    let state = loop {
        let read = admin.get(&format!("/api/v1/requests/{after_grant}"));
        assert_eq!(read.status, 200, "{}", read.body);
        let state = read.json()["state"].as_str().unwrap_or_default().to_owned();
        if state == "Completed" || started.elapsed() > std::time::Duration::from_secs(20) {
            break state;
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
    };
    assert_eq!(
        state, "Completed",
        "the object's alarm completed the ended grant"
    );
    println!(
        "the alarm completed the grant {:.1?} after its end was moved into the past",
        started.elapsed()
    );
    // Approvers racing on one request: the object lets one approval in,
    // with one record; the others learn it was decided.
    let raced = lockbox_tests::open_request(
        &lockbox_tests::sign_in("engineer1@provider.example"),
        LITWARE,
        30,
    );
    assert_eq!(lockbox_tests::preapprove(&raced).status, 200);
    let approvers = [
        lockbox_tests::sign_in("approver@litware.example"),
        admin.clone(),
    ];
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let racers: Vec<_> = (0..30)
            .map(|i| {
                let (session, raced) = (&approvers[i % approvers.len()], &raced);
                scope.spawn(move || lockbox_tests::act(session, raced, "approve", None).status)
            })
            .collect();
        racers
            .into_iter()
            .map(|racer| racer.join().expect("a racer"))
            .collect()
    });
    let ok = statuses.iter().filter(|s| **s == 200).count();
    let conflicts = statuses.iter().filter(|s| **s == 409).count();
    assert_eq!((ok, conflicts), (1, 29), "{statuses:?}");
    let read = admin.get(&format!("/api/v1/requests/{raced}"));
    assert_eq!(read.status, 200, "{}", read.body);
    let history = read.json()["history"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let approvals = history
        .iter()
        .filter(|r| {
            r["activity"] == "Set-AccessToCustomerDataRequest"
                && r["details"]["ApprovalDecision"] == "Approve"
        })
        .count();
    assert_eq!(approvals, 1, "{history:?}");
}
