//! Break-glass (issue 27, part 2), as far as it is built: an emergency
//! request needs two different support managers, neither the requester,
//! and then starts without the customer's step; at most 60 minutes, never
//! extended, metadata only unless the tenant allowed content, one live per
//! tenant.

use lockbox_tests::{
    act, cron_lock, eventually, now_ms, outbox_of, request_audit, shift_request, sign_in,
    trigger_cron, Session, CONTOSO,
};
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

    // Its start was told to every Contoso global admin and approver.
    let started: Vec<Value> = outbox_of(&id)
        .into_iter()
        .filter(|m| m["kind"] == "emergency-started")
        .collect();
    let mut told: Vec<&str> = started
        .iter()
        .filter_map(|m| m["recipient"].as_str())
        .collect();
    told.sort();
    assert_eq!(
        told,
        [
            "admin@contoso.example",
            "approver1@contoso.example",
            "approver2@contoso.example"
        ],
        "{started:?}"
    );

    // The customer ends it at once, like any grant; its end is recorded,
    // and its review asked for, with two reminders to come.
    let approver = sign_in("approver1@contoso.example");
    let revoked = act(&approver, &id, "revoke", Some("Not without us"));
    assert_eq!(revoked.status, 200, "{}", revoked.body);
    assert!(request_audit(CONTOSO, &id)
        .iter()
        .any(|r| r["activity"] == "End-CustomerDataAccess"));
    let asked = |id: &str| -> Vec<Value> {
        outbox_of(id)
            .into_iter()
            .filter(|m| m["kind"] == "review-needed")
            .collect()
    };
    let review_mail = asked(&id);
    assert_eq!(
        review_mail.len(),
        9,
        "now and two reminders, to three people: {review_mail:?}"
    );
    // The first three go out after the answer (the notices queue's
    // consumer sends them within about a second).
    eventually(20, "the review's first e-mails sent", || {
        let sent = asked(&id)
            .into_iter()
            .filter(|m| m["status"] == "delivered")
            .count();
        (sent == 3).then_some(())
    });
    let detail = approver.get(&format!("/api/v1/requests/{id}")).json();
    assert!(detail["emergency"]["review_due_at"].is_i64(), "{detail}");
    assert!(detail["emergency"]["verdict"].is_null(), "{detail}");

    // Only the tenant's approvers review; a dispute says why.
    let auditor = act(&sign_in("auditor@contoso.example"), &id, "ratify", None);
    assert_eq!(auditor.status, 403, "{}", auditor.body);
    let manager = act(&sign_in("manager@provider.example"), &id, "ratify", None);
    assert_eq!(manager.status, 403, "{}", manager.body);
    let silent = act(&approver, &id, "dispute", None);
    assert_eq!(silent.status, 400, "{}", silent.body);
    assert_eq!(silent.json()["field"], "comment", "{}", silent.body);
    let ratified = act(&approver, &id, "ratify", Some("Needed for the outage"));
    assert_eq!(ratified.status, 200, "{}", ratified.body);
    assert_eq!(
        ratified.json()["emergency"]["verdict"],
        "Ratified",
        "{}",
        ratified.body
    );
    let twice = act(
        &sign_in("admin@contoso.example"),
        &id,
        "dispute",
        Some("No"),
    );
    assert_eq!(twice.status, 409, "{}", twice.body);
    assert_eq!(twice.json()["type"], "/problems/review-refused");
    // The reminders not sent are gone; the verdict is audited and in the
    // receipt, naming who gave it to the customer only.
    let left = asked(&id);
    assert_eq!(left.len(), 3, "{left:?}");
    let review = request_audit(CONTOSO, &id)
        .into_iter()
        .find(|r| r["id"] == format!("{id}/review"))
        .expect("the review's record");
    assert_eq!(review["activity"], "Set-EmergencyAccessReview");
    assert_eq!(review["details"]["Verdict"], "Ratified");
    assert_eq!(review["details"]["ReviewedBy"], "approver1@contoso.example");
    let receipt = approver.get(&format!("/api/v1/requests/{id}/receipt"));
    assert_eq!(receipt.status, 200, "{}", receipt.body);
    assert!(receipt.body.contains("\"Ratify\""), "{}", receipt.body);
    let theirs = engineer.get(&format!("/api/v1/requests/{id}"));
    assert!(
        theirs.json()["emergency"]["reviewed_by"].is_null(),
        "{}",
        theirs.body
    );
    unreviewed_disputed_and_the_fourth(&sign_in("engineer2@provider.example"));
}

/// After the first (the limits count all three): an emergency nobody
/// reviews in seven days is marked Unreviewed; a dispute tells the
/// provider's managers; a fourth in 30 days is refused with when.
fn unreviewed_disputed_and_the_fourth(engineer: &Session) {
    let _cron = cron_lock();
    let opened = open(engineer, 30, &["Get-Mailbox"]);
    assert_eq!(opened.status, 201, "{}", opened.body);
    let id = opened.json()["id"].as_str().unwrap_or_default().to_owned();
    for manager in ["manager@provider.example", "lead@provider.example"] {
        let answer = act(&sign_in(manager), &id, "preapprove", None);
        assert_eq!(answer.status, 200, "{}", answer.body);
    }
    let approver = sign_in("approver2@contoso.example");
    assert_eq!(act(&approver, &id, "revoke", None).status, 200);
    // Eight days later nobody has reviewed it: the sweep marks it.
    shift_request(&id, 8 * 24 * 60 * 60 * 1000);
    trigger_cron();
    let marked = eventually(20, "the sweep marks the review lapsed", || {
        request_audit(CONTOSO, &id)
            .into_iter()
            .find(|r| r["id"] == format!("{id}/review"))
    });
    assert_eq!(marked["details"]["Verdict"], "Unreviewed", "{marked}");
    let view = approver.get(&format!("/api/v1/requests/{id}")).json();
    assert_eq!(view["emergency"]["verdict"], "Unreviewed", "{view}");
    let late = act(&approver, &id, "dispute", Some("Too late?"));
    assert_eq!(late.status, 409, "{}", late.body);
    assert!(late.body.contains("Unreviewed"), "{}", late.body);

    // Another, disputed: the provider's managers are told, with why.
    let second = open(engineer, 15, &["Get-Mailbox"]);
    assert_eq!(second.status, 201, "{}", second.body);
    let second = second.json()["id"].as_str().unwrap_or_default().to_owned();
    for manager in ["manager@provider.example", "lead@provider.example"] {
        assert_eq!(
            act(&sign_in(manager), &second, "preapprove", None).status,
            200
        );
    }
    assert_eq!(act(&approver, &second, "revoke", None).status, 200);
    let disputed = act(
        &approver,
        &second,
        "dispute",
        Some("Mailboxes of the board were read"),
    );
    assert_eq!(disputed.status, 200, "{}", disputed.body);
    let told: Vec<Value> = outbox_of(&second)
        .into_iter()
        .filter(|m| m["kind"] == "emergency-disputed")
        .collect();
    let mut to: Vec<&str> = told
        .iter()
        .filter_map(|m| m["recipient"].as_str())
        .collect();
    to.sort();
    assert_eq!(
        to,
        ["lead@provider.example", "manager@provider.example"],
        "{told:?}"
    );
    assert!(told
        .iter()
        .all(|m| m["body"].as_str().is_some_and(|b| b.contains("board"))));
    // A 4th emergency within 30 days: refused, with when the next is possible.
    let fourth = open(engineer, 15, &["Get-Mailbox"]);
    assert_eq!(fourth.status, 429, "{}", fourth.body);
    assert!(
        fourth.json()["next_possible_at"].is_string(),
        "{}",
        fourth.body
    );
    assert!(fourth.header("retry-after").is_some());
}
