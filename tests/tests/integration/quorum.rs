//! Quorum: a tenant may require two or three distinct approvers. On
//! Northwind Traders, whose tests hold one lock (they change its setting).

use std::sync::Barrier;

use lockbox_tests::{act, northwind_lock, open_request, preapprove, sign_in, Session, NORTHWIND};
use serde_json::json;

const ADMIN: &str = "admin@northwind.example";
const APPROVERS: [&str; 3] = [
    "approver1@northwind.example",
    "approver2@northwind.example",
    "approver3@northwind.example",
];

fn require(admin: &Session, n: i64) -> lockbox_tests::Answer {
    admin.post("/api/v1/settings/approvals", &json!({ "required": n }))
}

fn pending(engineer: &Session, minutes: u32) -> String {
    let id = open_request(engineer, NORTHWIND, minutes);
    let answer = preapprove(&id);
    assert_eq!(answer.status, 200, "{}", answer.body);
    id
}

fn approve(who: &str, id: &str, minutes: Option<u32>) -> lockbox_tests::Answer {
    let mut body = json!({ "comment": format!("ok from {who}") });
    if let Some(minutes) = minutes {
        body["duration_minutes"] = json!(minutes);
    }
    sign_in(who).post(&format!("/api/v1/requests/{id}/approve"), &body)
}

/// The request's customer decision records (approvals and denials), oldest first.
fn decisions(admin: &Session, id: &str) -> Vec<serde_json::Value> {
    let answer = admin.get(&format!("/api/v1/requests/{id}"));
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()["history"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r["activity"] == "Set-AccessToCustomerDataRequest")
        .collect()
}

#[test]
fn a_request_needs_the_approvals_required_when_it_became_pending_from_distinct_people() {
    let _northwind = northwind_lock();
    let admin = sign_in(ADMIN);
    let engineer = sign_in("engineer1@provider.example");

    // Only a global admin sets it, 1 to 3; it is audited.
    let by_approver =
        sign_in(APPROVERS[0]).post("/api/v1/settings/approvals", &json!({ "required": 2 }));
    assert_eq!(by_approver.status, 403, "{}", by_approver.body);
    for bad in [0, 4] {
        let refused = require(&admin, bad);
        assert_eq!(refused.status, 400, "{}", refused.body);
        assert_eq!(refused.json()["field"], "required");
    }
    let set = require(&admin, 2);
    assert_eq!(set.status, 200, "{}", set.body);
    assert_eq!(set.json()["required"], 2);
    assert_eq!(
        sign_in(APPROVERS[0])
            .get("/api/v1/settings/approvals")
            .json()["required"],
        2
    );
    let newest = lockbox_tests::config_records(&admin)[0].clone();
    assert_eq!(
        newest["details"]["CustomerLockboxApprovalsRequired"], "2",
        "{newest}"
    );
    assert_eq!(newest["user"], ADMIN);

    let id = pending(&engineer, 60);
    // Changing the setting does not move a request already waiting.
    assert_eq!(require(&admin, 3).status, 200);
    let first = approve(APPROVERS[0], &id, Some(30));
    assert_eq!(first.status, 200, "{}", first.body);
    let view = first.json();
    assert_eq!(view["state"], "PendingCustomerApproval", "1 of 2: {view}");
    assert_eq!(view["approvals_required"], 2);
    assert_eq!(view["approvals"][0]["email"], APPROVERS[0]);
    assert_eq!(view["approvals"][0]["granted_minutes"], 30);

    // The same person twice: 409, nothing changes.
    let again = approve(APPROVERS[0], &id, None);
    assert_eq!(again.status, 409, "{}", again.body);
    assert_eq!(again.json()["title"], "Already approved");
    // Provider staff see that one approved, not who.
    let seen = engineer.get(&format!("/api/v1/requests/{id}")).json();
    assert_eq!(seen["approvals"].as_array().map(Vec::len), Some(1));
    assert_eq!(seen["approvals"][0]["email"], serde_json::Value::Null);

    let second = approve(APPROVERS[1], &id, None);
    assert_eq!(second.status, 200, "{}", second.body);
    let granted = second.json();
    assert_eq!(granted["state"], "Approved");
    let minutes = (granted["grant_ends_at"].as_i64().unwrap_or(0)
        - granted["grant_starts_at"].as_i64().unwrap_or(0))
        / 60_000;
    assert_eq!(minutes, 30, "the shortest grant given wins");

    // Each approval is its own record, with how many so far of how many.
    let records = decisions(&admin, &id);
    let approvals: Vec<_> = records
        .iter()
        .filter(|r| r["details"]["ApprovalDecision"] == "Approve")
        .collect();
    assert_eq!(approvals.len(), 2, "{records:?}");
    for (n, record) in approvals.iter().enumerate() {
        assert_eq!(record["details"]["Approver"], APPROVERS[n]);
        assert_eq!(record["details"]["ApprovalsSoFar"], (n + 1).to_string());
        assert_eq!(record["details"]["ApprovalsRequired"], "2");
    }
    assert_eq!(
        approvals[0]["details"]["NewState"],
        "PendingCustomerApproval"
    );
    assert_eq!(approvals[1]["details"]["NewState"], "Approved");

    // Now 3 are required; any deny denies, after approvals too.
    let later = pending(&engineer, 60);
    assert_eq!(
        approve(APPROVERS[0], &later, None).json()["approvals_required"],
        3
    );
    assert_eq!(
        approve(APPROVERS[1], &later, None).json()["state"],
        "PendingCustomerApproval"
    );
    let denied = act(
        &sign_in(APPROVERS[2]),
        &later,
        "deny",
        Some("Not this week"),
    );
    assert_eq!(denied.status, 200, "{}", denied.body);
    assert_eq!(denied.json()["state"], "Denied");
    let late = approve(APPROVERS[2], &later, None);
    assert_eq!(late.status, 409, "{}", late.body);

    assert_eq!(require(&admin, 1).status, 200);
}

#[test]
fn two_of_three_approving_at_once_make_exactly_one_transition() {
    let _northwind = northwind_lock();
    let admin = sign_in(ADMIN);
    let engineer = sign_in("engineer1@provider.example");
    assert_eq!(require(&admin, 2).status, 200);
    for round in 0..3 {
        let id = pending(&engineer, 60);
        let sessions: Vec<Session> = APPROVERS.iter().map(|a| sign_in(a)).collect();
        let barrier = Barrier::new(APPROVERS.len());
        let statuses: Vec<u16> = std::thread::scope(|scope| {
            let calls: Vec<_> = sessions
                .iter()
                .map(|session| {
                    let (barrier, id) = (&barrier, &id);
                    scope.spawn(move || {
                        barrier.wait();
                        act(session, id, "approve", None).status
                    })
                })
                .collect();
            calls.into_iter().map(|c| c.join().unwrap_or(0)).collect()
        });
        let mut sorted = statuses.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, [200, 200, 409], "round {round}: {statuses:?}");
        let records = decisions(&admin, &id);
        let approvals = records
            .iter()
            .filter(|r| r["details"]["ApprovalDecision"] == "Approve")
            .count();
        let transitions = records
            .iter()
            .filter(|r| r["details"]["NewState"] == "Approved")
            .count();
        assert_eq!(
            (approvals, transitions),
            (2, 1),
            "round {round}: {records:?}"
        );
        let now = admin.get(&format!("/api/v1/requests/{id}")).json();
        assert_eq!(now["state"], "Approved");
        assert_eq!(now["approvals"].as_array().map(Vec::len), Some(2));
    }
    assert_eq!(require(&admin, 1).status, 200);
}

#[test]
fn more_approvals_than_people_who_can_approve_are_refused_with_the_count() {
    // Fabrikam has a global admin and one approver: two people.
    let admin = sign_in("admin@fabrikam.example");
    let setting = admin.get("/api/v1/settings/approvals");
    assert_eq!(setting.status, 200, "{}", setting.body);
    assert_eq!(setting.json()["able_to_approve"], 2, "{}", setting.body);
    let refused = admin.post("/api/v1/settings/approvals", &json!({ "required": 3 }));
    assert_eq!(refused.status, 400, "{}", refused.body);
    let problem = refused.json();
    assert_eq!(problem["field"], "required", "{}", refused.body);
    let detail = problem["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("Only 2 people"), "{detail}");
    assert!(detail.contains("choose at most 2"), "{detail}");
    // Nothing changed.
    assert_eq!(
        admin.get("/api/v1/settings/approvals").json()["required"],
        1
    );
}
