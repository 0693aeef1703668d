//! Break-glass (issue 27, part 2), as far as it is built: an emergency
//! request needs two different support managers, neither the requester,
//! and then starts without the customer's step; at most 60 minutes, never
//! extended, metadata only unless the tenant allowed content, one live per
//! tenant.

use lockbox_tests::{act, now_ms, request_audit, sign_in, Session, CONTOSO};
use serde_json::{json, Value};

fn open(engineer: &Session, minutes: u32, operations: &[&str]) -> lockbox_tests::Answer {
    engineer.post(
        "/api/v1/requests",
        &json!({
            "tenant_id": CONTOSO,
            "service": "mail",
            "ticket": format!("SR-EM-{}", now_ms()),
            "reason": "Mail flow is down for the whole tenant; need the mailbox statistics now.",
            "duration_minutes": minutes,
            "operations": operations,
            "emergency": {"incident": format!("INC-{}", now_ms())},
        }),
    )
}

#[test]
fn two_managers_start_an_emergency_grant_that_the_customer_can_end_and_nothing_stretches_it() {
    let engineer = sign_in("engineer1@provider.example");
    // Too long, or an operation that reads content: refused, saying why.
    let long = open(&engineer, 61, &["Get-Mailbox"]);
    assert_eq!(long.status, 400, "{}", long.body);
    assert_eq!(long.json()["field"], "duration_minutes", "{}", long.body);
    let content = open(&engineer, 30, &["Get-Mailbox", "Get-Message"]);
    assert_eq!(content.status, 403, "{}", content.body);
    assert_eq!(content.json()["type"], "/problems/emergency-not-allowed");
    assert!(content.body.contains("Get-Message"), "{}", content.body);

    let opened = open(&engineer, 60, &["Get-Mailbox", "Get-MailboxStatistics"]);
    assert_eq!(opened.status, 201, "{}", opened.body);
    let id = opened.json()["id"].as_str().unwrap_or_default().to_owned();
    // Thirty minutes for the managers, not twelve hours.
    let view = opened.json();
    let waits = view["pending_expires_at"].as_i64().unwrap_or_default()
        - view["created_at"].as_i64().unwrap_or_default();
    assert_eq!(waits, 30 * 60 * 1000, "{view}");

    // The requester never pre-approves; one manager is not enough, and
    // cannot count twice.
    let own = act(&sign_in("lead@provider.example"), &id, "preapprove", None);
    assert_eq!(own.status, 200, "{}", own.body);
    assert_eq!(
        own.json()["state"],
        "PendingManagerApproval",
        "{}",
        own.body
    );
    let again = act(&sign_in("lead@provider.example"), &id, "preapprove", None);
    assert_eq!(again.status, 409, "{}", again.body);
    assert_eq!(
        again.json()["type"],
        "/problems/already-approved",
        "{}",
        again.body
    );
    let second = act(
        &sign_in("manager@provider.example"),
        &id,
        "preapprove",
        Some("Confirmed the outage"),
    );
    assert_eq!(second.status, 200, "{}", second.body);
    let granted = second.json();
    assert_eq!(granted["state"], "Approved", "{granted}");
    let length = granted["grant_ends_at"].as_i64().unwrap_or_default()
        - granted["grant_starts_at"].as_i64().unwrap_or_default();
    assert_eq!(length, 60 * 60 * 1000, "{granted}");
    let check = engineer.get(&format!(
        "/api/v1/access/check?tenant={CONTOSO}&service=mail"
    ));
    assert_eq!(check.json()["access"], true, "{}", check.body);

    // The record of its start names both managers, the incident and why.
    let log = request_audit(CONTOSO, &id);
    let start: &Value = log
        .iter()
        .find(|r| r["id"] == format!("{id}/Approved"))
        .expect("the record of the grant's start");
    let details = &start["details"];
    assert_eq!(
        details["Managers"], "lead@provider.example, manager@provider.example",
        "{start}"
    );
    assert!(
        details["EmergencyIncident"]
            .as_str()
            .is_some_and(|i| i.starts_with("INC-")),
        "{start}"
    );
    assert!(
        details["Reason"]
            .as_str()
            .is_some_and(|r| r.starts_with("Mail flow")),
        "{start}"
    );
    assert_eq!(details["CustomerApprovalRequired"], "False", "{start}");
    assert!(log
        .iter()
        .any(|r| r["id"].as_str().is_some_and(|i| i.contains("/approval/"))));

    // One live emergency per tenant; never extended.
    let another = open(&sign_in("engineer2@provider.example"), 15, &["Get-Mailbox"]);
    assert_eq!(another.status, 409, "{}", another.body);
    assert_eq!(another.json()["type"], "/problems/emergency-limit");
    let longer = engineer.post(
        &format!("/api/v1/requests/{id}/extend"),
        &json!({"minutes": 15, "reason": "Not done yet"}),
    );
    assert_eq!(longer.status, 400, "{}", longer.body);
    assert!(longer.body.contains("never extended"), "{}", longer.body);

    // The customer ends it at once, like any grant; its end is recorded.
    let revoked = act(
        &sign_in("approver1@contoso.example"),
        &id,
        "revoke",
        Some("Not without us"),
    );
    assert_eq!(revoked.status, 200, "{}", revoked.body);
    assert!(request_audit(CONTOSO, &id)
        .iter()
        .any(|r| r["activity"] == "End-CustomerDataAccess"));
}
