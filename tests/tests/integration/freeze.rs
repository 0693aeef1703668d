//! "Revoke all access now": the freeze of a tenant, on Tailspin Toys, which
//! no other test opens requests for.

use lockbox_tests::{act, open_request, outbox_of, preapprove, sign_in, Session};
use serde_json::json;

const TAILSPIN: &str = "7c0a8f4e-5a1b-4c3d-9e2f-000000000003";
const ADMIN: &str = "admin@tailspin.example";

fn state(session: &Session, id: &str) -> serde_json::Value {
    let answer = session.get(&format!("/api/v1/requests/{id}"));
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()
}

fn get_mailbox(engineer: &Session) -> lockbox_tests::Answer {
    engineer.post(
        &format!("/api/v1/tenants/{TAILSPIN}/services/mail/operations/Get-Mailbox"),
        &json!({}),
    )
}

#[test]
fn a_freeze_revokes_denies_and_blocks_until_it_is_lifted() {
    let admin = sign_in(ADMIN);
    let engineer = sign_in("engineer1@provider.example");
    // A run that failed half-way may have left it frozen.
    let lifted = admin.post("/api/v1/settings/freeze", &json!({ "frozen": false }));
    assert_eq!(lifted.status, 200, "{}", lifted.body);

    // A live grant, a request pending for Tailspin, one still with the manager.
    let live = open_request(&engineer, TAILSPIN, 60);
    assert_eq!(preapprove(&live).status, 200);
    let approved = act(&admin, &live, "approve", None);
    assert_eq!(approved.status, 200, "{}", approved.body);
    assert_eq!(
        get_mailbox(&engineer).status,
        200,
        "the grant opens the content"
    );
    let pending = open_request(&engineer, TAILSPIN, 30);
    assert_eq!(preapprove(&pending).status, 200);
    let waiting = open_request(&engineer, TAILSPIN, 30);

    // A freeze needs a reason, and a global admin.
    let no_reason = admin.post("/api/v1/settings/freeze", &json!({ "frozen": true }));
    assert_eq!(no_reason.status, 400, "{}", no_reason.body);
    assert_eq!(no_reason.json()["field"], "reason");
    let auditor = sign_in("auditor@tailspin.example").post(
        "/api/v1/settings/freeze",
        &json!({ "frozen": true, "reason": "x" }),
    );
    assert_eq!(auditor.status, 403, "{}", auditor.body);
    assert_eq!(
        state(&admin, &live)["state"],
        "Approved",
        "nothing changed yet"
    );

    let frozen = admin.post(
        "/api/v1/settings/freeze",
        &json!({ "frozen": true, "reason": "Suspected account compromise" }),
    );
    assert_eq!(frozen.status, 200, "{}", frozen.body);
    let answer = frozen.json();
    assert_eq!(answer["frozen"], true);
    assert_eq!(answer["frozen_by"], ADMIN);
    assert_eq!(answer["reason"], "Suspected account compromise");
    assert_eq!(
        (answer["revoked"].as_u64(), answer["denied"].as_u64()),
        (Some(1), Some(1)),
        "{answer}"
    );

    let revoked = state(&admin, &live);
    assert_eq!(revoked["state"], "Revoked");
    assert_eq!(revoked["end_comment"], "Suspected account compromise");
    assert_eq!(state(&admin, &pending)["state"], "Denied");
    let manager_stage = state(&engineer, &waiting);
    assert_eq!(
        manager_stage["state"], "PendingManagerApproval",
        "the provider's step stays"
    );

    // Nothing opens the content, and nothing moves on toward access.
    let refused = get_mailbox(&engineer);
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(refused.body.contains("frozen"), "{}", refused.body);
    // A provider service recording under the revoked grant: refused, nothing written.
    let service = lockbox_tests::service::register("svc:test-freeze", 16, &["mail"]);
    let batch = format!("freeze-{}", lockbox_tests::now_ms());
    let recorded = service.record(&live, &batch, json!([{ "operation": "Get-Mailbox" }]));
    assert_eq!(recorded.status, 409, "{}", recorded.body);
    assert_eq!(recorded.json()["reason"], "frozen");
    let check = engineer.get(&format!(
        "/api/v1/access/check?tenant={TAILSPIN}&service=mail"
    ));
    assert_eq!(check.json()["access"], false, "{}", check.body);
    let blocked = preapprove(&waiting);
    // The same status as the operation above: one refusal, one answer.
    assert_eq!(blocked.status, 403, "{}", blocked.body);
    assert!(blocked.body.contains("frozen"), "{}", blocked.body);

    // One record for the freeze, one per request it ended; each requester told.
    let config_records = || lockbox_tests::config_records(&admin);
    let freezes: Vec<_> = config_records()
        .into_iter()
        .filter(|r| r["details"]["CustomerLockboxFrozen"] == "True")
        .collect();
    assert!(!freezes.is_empty(), "the freeze's record");
    // Newest first: the freeze just made.
    let record = freezes.first().expect("one");
    assert_eq!(record["user"], ADMIN);
    assert_eq!(record["details"]["Reason"], "Suspected account compromise");
    let of = |id: &str| -> Vec<String> {
        let answer = admin.get(&format!("/api/v1/audit?item={id}&limit=500"));
        assert_eq!(answer.status, 200, "{}", answer.body);
        answer.json()["items"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|r| r["activity"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    assert!(
        of(&live).contains(&"Revoke-AccessToCustomerDataRequest".to_owned()),
        "{:?}",
        of(&live)
    );
    assert_eq!(
        of(&pending)
            .iter()
            .filter(|a| *a == "Set-AccessToCustomerDataRequest")
            .count(),
        1
    );
    assert!(outbox_of(&live).iter().any(|m| m["kind"] == "revoked"));
    assert!(outbox_of(&pending).iter().any(|m| m["kind"] == "denied"));

    // Freezing again ends nothing more and writes no second record.
    let again = admin.post(
        "/api/v1/settings/freeze",
        &json!({ "frozen": true, "reason": "Still investigating" }),
    );
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(
        (
            again.json()["revoked"].as_u64(),
            again.json()["denied"].as_u64()
        ),
        (Some(0), Some(0))
    );
    assert_eq!(
        again.json()["reason"],
        "Suspected account compromise",
        "the first freeze stands"
    );

    // Lifted: requests move on again; the log says who lifted it.
    let lift = admin.post("/api/v1/settings/freeze", &json!({ "frozen": false }));
    assert_eq!(lift.status, 200, "{}", lift.body);
    assert_eq!(lift.json()["frozen"], false);
    assert!(config_records()
        .iter()
        .any(|r| r["details"]["CustomerLockboxFrozen"] == "False"));
    let moved = preapprove(&waiting);
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(moved.json()["state"], "PendingCustomerApproval");
}
