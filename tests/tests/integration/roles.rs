//! Customer role management and its audit trail.

use lockbox_tests::{audit_rows, sign_in, CONTOSO};
use serde_json::json;

fn holders(roles: &serde_json::Value, role: &str) -> Vec<String> {
    roles["roles"]
        .as_array()
        .expect("roles")
        .iter()
        .find(|r| r["role"] == role)
        .expect("the role is listed")["holders"]
        .as_array()
        .expect("holders")
        .iter()
        .map(|h| h["email"].as_str().unwrap_or_default().to_owned())
        .collect()
}

const MEMBER: &str = "user@contoso.example";

#[test]
fn a_global_admin_assigns_and_removes_a_role_and_both_are_audited() {
    let admin = sign_in("admin@contoso.example");
    let before = audit_rows(CONTOSO, MEMBER).len();

    let assigned = admin.post(
        "/api/v1/roles/assign",
        &json!({ "email": MEMBER, "role": "auditor" }),
    );
    assert_eq!(assigned.status, 200, "{}", assigned.body);
    assert!(holders(&assigned.json(), "auditor").contains(&MEMBER.to_owned()));
    let me = sign_in(MEMBER).get("/api/v1/me").json();
    assert_eq!(me["membership"]["roles"], json!(["auditor"]));

    // Assigning again changes nothing and writes no second record.
    let again = admin.post(
        "/api/v1/roles/assign",
        &json!({ "email": MEMBER, "role": "auditor" }),
    );
    assert_eq!(again.status, 200);

    let removed = admin.post(
        "/api/v1/roles/remove",
        &json!({ "email": MEMBER, "role": "auditor" }),
    );
    assert_eq!(removed.status, 200, "{}", removed.body);
    assert!(!holders(&removed.json(), "auditor").contains(&MEMBER.to_owned()));

    let rows = audit_rows(CONTOSO, MEMBER);
    let new: Vec<_> = rows[before..]
        .iter()
        .filter(|r| r["user"] == "admin@contoso.example")
        .collect();
    assert_eq!(new.len(), 2, "one record per change: {rows:?}");
    assert_eq!(new[0]["activity"], "Add-RoleMember");
    assert_eq!(new[1]["activity"], "Remove-RoleMember");
    let details = &new[0]["details"];
    assert_eq!(details["Outcome"], "Succeeded");
    assert_eq!(details["Role"], "Auditor");
}

fn refused_attempt(who: &str, expected_status: u16) {
    let target = "approver2@contoso.example";
    let before = audit_rows(CONTOSO, target)
        .iter()
        .filter(|r| r["user"] == who)
        .count();
    let answer = sign_in(who).post(
        "/api/v1/roles/remove",
        &json!({ "email": target, "role": "approver" }),
    );
    assert_eq!(answer.status, expected_status, "{who}: {}", answer.body);
    assert_eq!(answer.content_type, "application/problem+json");

    let mine: Vec<_> = audit_rows(CONTOSO, target)
        .into_iter()
        .filter(|r| r["user"] == who)
        .collect();
    assert_eq!(mine.len(), before + 1, "the refused attempt is audited");
    let details = &mine[mine.len() - 1]["details"];
    assert_eq!(details["Outcome"], "Refused");

    let roles = sign_in("admin@contoso.example").get("/api/v1/roles").json();
    assert!(
        holders(&roles, "approver").contains(&target.to_owned()),
        "nothing changed"
    );
}

#[test]
fn an_approver_cannot_change_roles_and_the_attempt_is_audited() {
    refused_attempt("approver1@contoso.example", 403);
}

#[test]
fn a_provider_manager_cannot_change_a_customers_roles_and_the_attempt_is_audited() {
    refused_attempt("manager@provider.example", 403);
}

#[test]
fn a_provider_engineer_cannot_change_a_customers_roles_either() {
    refused_attempt("engineer1@provider.example", 403);
}

#[test]
fn global_admins_are_not_assignable_through_lockbox() {
    let answer = sign_in("admin@contoso.example").post(
        "/api/v1/roles/assign",
        &json!({ "email": MEMBER, "role": "global_admin" }),
    );
    assert_eq!(answer.status, 400, "{}", answer.body);
}

#[test]
fn bad_role_input_is_a_clear_400() {
    let admin = sign_in("admin@contoso.example");
    for body in [
        json!({ "email": MEMBER, "role": "emperor" }),
        json!({ "email": "not-an-email", "role": "approver" }),
        json!({ "email": MEMBER }),
        json!([1, 2, 3]),
    ] {
        let answer = admin.post("/api/v1/roles/assign", &body);
        assert_eq!(answer.status, 400, "{body}: {}", answer.body);
        assert!(!answer.json()["detail"]
            .as_str()
            .unwrap_or_default()
            .is_empty());
    }
}

#[test]
fn assigning_a_person_who_does_not_exist_is_404() {
    let answer = sign_in("admin@contoso.example").post(
        "/api/v1/roles/assign",
        &json!({ "email": "ghost@contoso.example", "role": "approver" }),
    );
    assert_eq!(answer.status, 404, "{}", answer.body);
}
