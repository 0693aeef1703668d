//! Extensions: the engineer holding a grant asks for more time, as a new
//! request linked to the first, through the same approvals. On Northwind
//! (one approval required), with an engineer no other Northwind test uses,
//! so that the access check sees only these grants.

use lockbox_tests::{
    act, northwind_lock, open_request, preapprove, shift_request, sign_in, Session, NORTHWIND,
};
use serde_json::json;

const APPROVER: &str = "approver1@northwind.example";
const ENGINEER: &str = "engineer2@provider.example";

fn one_approval() {
    let set = sign_in("admin@northwind.example")
        .post("/api/v1/settings/approvals", &json!({ "required": 1 }));
    assert_eq!(set.status, 200, "{}", set.body);
}

fn granted(engineer: &Session, minutes: u32) -> serde_json::Value {
    let id = open_request(engineer, NORTHWIND, minutes);
    assert_eq!(preapprove(&id).status, 200);
    let answer = act(&sign_in(APPROVER), &id, "approve", None);
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()
}

fn extend(engineer: &Session, id: &str, minutes: u32) -> lockbox_tests::Answer {
    engineer.post(
        &format!("/api/v1/requests/{id}/extend"),
        &json!({ "minutes": minutes, "reason": "The mailbox repair needs another pass." }),
    )
}

fn approve_all(id: &str) -> serde_json::Value {
    let pre = preapprove(id);
    assert_eq!(pre.status, 200, "{}", pre.body);
    let answer = act(&sign_in(APPROVER), id, "approve", None);
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()
}

fn field(v: &serde_json::Value, name: &str) -> i64 {
    v[name].as_i64().unwrap_or_else(|| panic!("{name} in {v}"))
}

#[test]
fn an_extension_approved_before_the_grant_ends_continues_it_without_a_gap() {
    let _northwind = northwind_lock();
    one_approval();
    let engineer = sign_in(ENGINEER);
    let first = granted(&engineer, 60);
    let first_id = first["id"].as_str().unwrap_or_default().to_owned();

    // Only the engineer holding it, with a reason and a valid length.
    let other = extend(&sign_in("engineer1@provider.example"), &first_id, 30);
    assert_eq!(other.status, 404, "{}", other.body);
    let manager = extend(&sign_in("manager@provider.example"), &first_id, 30);
    assert_eq!(manager.status, 403, "{}", manager.body);
    let zero = extend(&engineer, &first_id, 0);
    assert_eq!(zero.status, 400, "{}", zero.body);
    assert_eq!(zero.json()["field"], "minutes");
    let no_reason = engineer.post(
        &format!("/api/v1/requests/{first_id}/extend"),
        &json!({ "minutes": 30, "reason": " " }),
    );
    assert_eq!(no_reason.status, 400, "{}", no_reason.body);
    assert_eq!(no_reason.json()["field"], "reason");

    let asked = extend(&engineer, &first_id, 30);
    assert_eq!(asked.status, 201, "{}", asked.body);
    let ext = asked.json();
    let ext_id = ext["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(ext["extends"], first_id.as_str());
    assert_eq!(ext["state"], "PendingManagerApproval");
    assert_eq!(ext["ticket"], first["ticket"]);
    assert_eq!(field(&ext, "continues_at"), field(&first, "grant_ends_at"));
    // Both show the link (the customer sees the extension once a manager
    // has pre-approved it, as any request).
    let first_now = engineer.get(&format!("/api/v1/requests/{first_id}")).json();
    assert_eq!(first_now["extensions"], json!([ext_id]));
    let customer_view = || {
        sign_in(APPROVER)
            .get(&format!("/api/v1/requests/{first_id}"))
            .json()
    };
    assert_eq!(customer_view()["extensions"], json!([]));
    let created = engineer.get(&format!("/api/v1/requests/{ext_id}")).json();
    assert_eq!(
        created["history"][0]["details"]["Extends"],
        first_id.as_str()
    );

    let approved = approve_all(&ext_id);
    assert_eq!(approved["state"], "Approved");
    assert_eq!(customer_view()["extensions"], json!([ext_id]));
    assert_eq!(
        field(&approved, "grant_starts_at"),
        field(&first, "grant_ends_at"),
        "no gap, no overlap"
    );
    assert_eq!(
        field(&approved, "grant_ends_at") - field(&approved, "grant_starts_at"),
        30 * 60_000
    );
    // Until the first ends, access is the first's.
    let check = || {
        engineer
            .get(&format!(
                "/api/v1/access/check?tenant={NORTHWIND}&service=mail"
            ))
            .json()
    };
    assert_eq!(check()["request_id"], first_id.as_str());
    // Ten minutes before the first grant's end (both moved into the past),
    // its requester is not told that access ends: the extension goes on.
    {
        let _cron = lockbox_tests::cron_lock();
        shift_request(&first_id, 50 * 60_000);
        shift_request(&ext_id, 50 * 60_000);
        lockbox_tests::trigger_cron();
        let kinds: Vec<String> = lockbox_tests::outbox_of(&first_id)
            .iter()
            .filter_map(|row| row["kind"].as_str().map(str::to_owned))
            .collect();
        assert!(!kinds.iter().any(|k| k == "grant-ending"), "{kinds:?}");
    }
    // An hour later, the extension holds it.
    shift_request(&first_id, 11 * 60_000);
    shift_request(&ext_id, 11 * 60_000);
    let later = check();
    assert_eq!(later["access"], true, "{later}");
    assert_eq!(later["request_id"], ext_id.as_str());
    // A grant that has ended cannot be extended.
    let ended = extend(&engineer, &first_id, 30);
    assert_eq!(ended.status, 409, "{}", ended.body);
    let revoked = act(&sign_in(APPROVER), &ext_id, "revoke", Some("test over"));
    assert_eq!(revoked.status, 200, "{}", revoked.body);
}

#[test]
fn an_extension_of_a_grant_that_is_over_is_never_approved_and_a_grant_has_one_open_extension() {
    let _northwind = northwind_lock();
    one_approval();
    let engineer = sign_in(ENGINEER);
    // Its grant ran out before anyone approved it: refused, nothing granted.
    let first = granted(&engineer, 30);
    let first_id = first["id"].as_str().unwrap_or_default().to_owned();
    let asked = extend(&engineer, &first_id, 30);
    assert_eq!(asked.status, 201, "{}", asked.body);
    let ext_id = asked.json()["id"].as_str().unwrap_or_default().to_owned();
    // A second while the first waits: 409, naming it.
    let second = extend(&engineer, &first_id, 15);
    assert_eq!(second.status, 409, "{}", second.body);
    assert_eq!(second.json()["title"], "Extension already open");
    assert!(second.body.contains(&ext_id), "{}", second.body);
    shift_request(&first_id, 31 * 60_000);
    shift_request(&ext_id, 31 * 60_000);
    let late = preapprove(&ext_id);
    assert_eq!(late.status, 409, "{}", late.body);
    assert_eq!(late.json()["title"], "Extended grant over");
    // Its grant was revoked while it waited: refused too.
    let live = granted(&engineer, 60);
    let live_id = live["id"].as_str().unwrap_or_default().to_owned();
    let waiting = extend(&engineer, &live_id, 30);
    assert_eq!(waiting.status, 201, "{}", waiting.body);
    let waiting_id = waiting.json()["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(preapprove(&waiting_id).status, 200);
    let revoked = act(&sign_in(APPROVER), &live_id, "revoke", Some("Enough"));
    assert_eq!(revoked.status, 200, "{}", revoked.body);
    let after_revoke = act(&sign_in(APPROVER), &waiting_id, "approve", None);
    assert_eq!(after_revoke.status, 409, "{}", after_revoke.body);
    assert_eq!(
        after_revoke.json()["current_state"],
        "Denied",
        "{}",
        after_revoke.body
    );

    // 4 h + 4 h: the whole 8 hours; then nothing is left.
    let long = granted(&engineer, 240);
    let long_id = long["id"].as_str().unwrap_or_default().to_owned();
    let too_much = extend(&engineer, &long_id, 241);
    assert_eq!(too_much.status, 400, "{}", too_much.body);
    let second = extend(&engineer, &long_id, 240);
    assert_eq!(second.status, 201, "{}", second.body);
    let second_id = second.json()["id"].as_str().unwrap_or_default().to_owned();
    let second = approve_all(&second_id);
    assert_eq!(
        field(&second, "grant_ends_at") - field(&long, "grant_starts_at"),
        8 * 60 * 60_000
    );
    let beyond = extend(&engineer, &second_id, 15);
    assert_eq!(beyond.status, 409, "{}", beyond.body);
    assert_eq!(beyond.json()["title"], "Extension limit reached");
    // Revoking the first grant ends its approved extension too (it would
    // open the content again at 4 h), as a revocation of its own.
    let revoked = act(&sign_in(APPROVER), &long_id, "revoke", Some("Done here"));
    assert_eq!(revoked.status, 200, "{}", revoked.body);
    let after = sign_in(APPROVER)
        .get(&format!("/api/v1/requests/{second_id}"))
        .json();
    assert_eq!(after["state"], "Revoked", "{after}");
    assert_eq!(after["end_comment"], "Done here");
    // The extension refused above never reached the customer: for its
    // approvers it does not exist.
    let never = act(&sign_in(APPROVER), &ext_id, "revoke", Some("test over"));
    assert_eq!(never.status, 404, "{}", never.body);
}

#[test]
fn revoking_a_member_of_a_chain_ends_every_later_one_in_the_same_write_and_none_before_it() {
    let _northwind = northwind_lock();
    one_approval();
    let engineer = sign_in(ENGINEER);
    let first = granted(&engineer, 60);
    let first_id = first["id"].as_str().unwrap_or_default().to_owned();
    let one = extend(&engineer, &first_id, 60);
    assert_eq!(one.status, 201, "{}", one.body);
    let one_id = one.json()["id"].as_str().unwrap_or_default().to_owned();
    approve_all(&one_id);
    // The chain goes on from the approved extension, not from the first.
    let again = extend(&engineer, &first_id, 30);
    assert_eq!(again.status, 409, "{}", again.body);
    let two = extend(&engineer, &one_id, 60);
    assert_eq!(two.status, 201, "{}", two.body);
    let two_id = two.json()["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(preapprove(&two_id).status, 200);

    // Every member shows the chain with each one's state and window.
    let approver = sign_in(APPROVER);
    let detail = approver.get(&format!("/api/v1/requests/{one_id}")).json();
    let states: Vec<(String, String)> = detail["chain"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|m| {
            (
                m["id"].as_str().unwrap_or_default().to_owned(),
                m["effective_state"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        states,
        [
            (first_id.clone(), "Approved".to_owned()),
            (one_id.clone(), "Approved".to_owned()),
            (two_id.clone(), "PendingCustomerApproval".to_owned()),
        ]
    );

    // Revoking the extension that has not started: it and the one after it
    // end; the first grant runs on.
    let revoked = act(&approver, &one_id, "revoke", Some("One hour is enough"));
    assert_eq!(revoked.status, 200, "{}", revoked.body);
    let state_of = |id: &str| {
        approver.get(&format!("/api/v1/requests/{id}")).json()["state"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(state_of(&first_id), "Approved");
    assert_eq!(state_of(&one_id), "Revoked");
    assert_eq!(state_of(&two_id), "Denied");
    let denied = approver.get(&format!("/api/v1/requests/{two_id}")).json();
    assert_eq!(denied["customer_comment"], "One hour is enough");
    // The first is still the engineer's access.
    let check = engineer
        .get(&format!(
            "/api/v1/access/check?tenant={NORTHWIND}&service=mail"
        ))
        .json();
    assert_eq!(check["request_id"], first_id.as_str(), "{check}");
    let done = act(&approver, &first_id, "revoke", Some("test over"));
    assert_eq!(done.status, 200, "{}", done.body);
}
