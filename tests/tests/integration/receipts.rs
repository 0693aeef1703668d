//! Signed decision receipts: `GET /api/v1/requests/{id}/receipt`, checked
//! offline with the CLI's own verifier against the audit log's public key.

use lockbox_tests::{
    act, get, open_request, pending_contoso_request, preapprove, request_audit, sign_in,
    switch_lock, CONTOSO, FABRIKAM,
};

fn public_key() -> String {
    let answer = get("/api/v1/audit/public-key");
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.body
}

fn receipt_of(email: &str, id: &str) -> lockbox_tests::Answer {
    sign_in(email).get(&format!("/api/v1/requests/{id}/receipt"))
}

#[test]
fn an_approval_gives_a_receipt_both_sides_verify_and_a_changed_one_fails() {
    let id = pending_contoso_request(45);
    // Nothing decided yet: no receipt, and the answer says why.
    let early = receipt_of("approver1@contoso.example", &id);
    assert_eq!(early.status, 409, "{}", early.body);
    assert!(early.body.contains("approved or denied"), "{}", early.body);

    let answer = act(
        &sign_in("approver1@contoso.example"),
        &id,
        "approve",
        Some("For ticket work only"),
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    let key = public_key();
    let decision_seq = request_audit(CONTOSO, &id)
        .iter()
        .find(|r| r["activity"] == "Set-AccessToCustomerDataRequest")
        .and_then(|r| r["seq"].as_i64())
        .expect("the approval's audit record");

    // The customer's receipt names who approved.
    let customer = receipt_of("approver1@contoso.example", &id);
    assert_eq!(customer.status, 200, "{}", customer.body);
    assert!(customer
        .header("content-disposition")
        .is_some_and(|d| d.contains("attachment")));
    let report = lockbox_cli::verify_receipt(&customer.body, &key);
    assert!(report.ok(), "{report:?}");
    let opened = lockbox_shared::tlog::open_receipt(&customer.body, &key).expect("opens");
    assert_eq!(opened.request.id, id);
    assert_eq!(opened.request.tenant_id, CONTOSO);
    assert_eq!(opened.request.requested_minutes, 45);
    // Version 2: the operations asked for, and those the grant allows.
    assert_eq!(opened.kind, lockbox_shared::receipt::RECEIPT_TYPE);
    let mail: Vec<String> = lockbox_tests::operations_of("mail")
        .into_iter()
        .map(str::to_owned)
        .collect();
    let mut asked = mail.clone();
    asked.sort();
    assert_eq!(opened.request.operations.as_ref(), Some(&asked));
    assert_eq!(
        opened.grant.as_ref().and_then(|g| g.operations.as_ref()),
        Some(&asked)
    );
    assert!(report
        .notes
        .iter()
        .any(|n| n.starts_with("The grant allows only these operations")));
    assert_eq!(opened.audience, "customer");
    assert_eq!(opened.state, "Approved");
    assert_eq!(opened.decisions.len(), 1, "{opened:?}");
    let decision = &opened.decisions[0];
    assert_eq!(decision.decision, "Approve");
    assert_eq!(decision.by.as_deref(), Some("approver1@contoso.example"));
    assert_eq!(decision.comment.as_deref(), Some("For ticket work only"));
    assert_eq!(decision.audit_seq, decision_seq);
    let grant = opened.grant.as_ref().expect("the window");
    assert!(grant.starts_at < grant.ends_at, "{grant:?}");

    // The engineer's receipt proves the approval without naming the person.
    let engineer = receipt_of("engineer1@provider.example", &id);
    assert_eq!(engineer.status, 200, "{}", engineer.body);
    let theirs = lockbox_shared::tlog::open_receipt(&engineer.body, &key).expect("opens");
    assert_eq!(theirs.audience, "provider");
    assert_eq!(theirs.decisions[0].by, None);
    assert!(!engineer.body.contains("approver1@"), "{}", engineer.body);
    assert_eq!(theirs.decisions[0].audit_seq, decision_seq);
    assert_eq!(theirs.grant, opened.grant);

    // Any change to the text, or another key, and it no longer verifies.
    for (from, to) in [
        (grant.ends_at.as_str(), "2099-01-01T00:00:00.000Z"),
        ("\"Approve\"", "\"Deny\""),
        ("approver1@contoso.example", "approver2@contoso.example"),
    ] {
        let forged = customer.body.replacen(from, to, 1);
        assert_ne!(forged, customer.body, "{from}");
        let report = lockbox_cli::verify_receipt(&forged, &key);
        assert!(!report.ok(), "a receipt with {to} verified");
    }
    let other_key = key.replacen('+', "-x+", 1);
    assert!(!lockbox_cli::verify_receipt(&customer.body, &other_key).ok());

    // A revocation is a decision too: the receipt now has both.
    let answer = act(&sign_in("admin@contoso.example"), &id, "revoke", None);
    assert_eq!(answer.status, 200, "{}", answer.body);
    let after = receipt_of("admin@contoso.example", &id);
    let opened = lockbox_shared::tlog::open_receipt(&after.body, &key).expect("opens");
    let kinds: Vec<&str> = opened
        .decisions
        .iter()
        .map(|d| d.decision.as_str())
        .collect();
    assert_eq!(kinds, ["Approve", "Revoke"]);
    assert_eq!(
        opened.decisions[1].by.as_deref(),
        Some("admin@contoso.example")
    );
    assert_eq!(opened.state, "Revoked");
}

#[test]
fn a_denial_gives_a_receipt_and_strangers_get_none() {
    let id = pending_contoso_request(30);
    let answer = act(
        &sign_in("approver2@contoso.example"),
        &id,
        "deny",
        Some("Not now"),
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    let receipt = receipt_of("auditor@contoso.example", &id);
    assert_eq!(receipt.status, 200, "{}", receipt.body);
    let opened = lockbox_shared::tlog::open_receipt(&receipt.body, &public_key()).expect("opens");
    assert_eq!(opened.decisions[0].decision, "Deny");
    assert_eq!(opened.grant, None);
    assert_eq!(opened.state, "Denied");
    // Whoever may not read the request may not have its receipt.
    assert_eq!(receipt_of("admin@fabrikam.example", &id).status, 404);
    assert_eq!(receipt_of("engineer2@provider.example", &id).status, 404);
    assert_eq!(receipt_of("user@contoso.example", &id).status, 403);
    let unknown = receipt_of(
        "admin@contoso.example",
        "00000000-0000-4000-8000-000000000000",
    );
    assert_eq!(unknown.status, 404, "{}", unknown.body);
}

#[test]
fn a_grant_without_customer_approval_has_no_receipt_and_says_why() {
    let _switch = switch_lock();
    let admin = sign_in("admin@fabrikam.example");
    let off = admin.post(
        "/api/v1/settings/lockbox",
        &serde_json::json!({ "enabled": false }),
    );
    assert_eq!(off.status, 200, "{}", off.body);
    let id = open_request(&sign_in("engineer1@provider.example"), FABRIKAM, 15);
    let answer = preapprove(&id);
    let on = admin.post(
        "/api/v1/settings/lockbox",
        &serde_json::json!({ "enabled": true }),
    );
    assert_eq!(on.status, 200, "{}", on.body);
    assert_eq!(answer.status, 200, "{}", answer.body);
    let receipt = receipt_of("engineer1@provider.example", &id);
    assert_eq!(receipt.status, 409, "{}", receipt.body);
    assert!(
        receipt.body.contains("Customer Lockbox was off"),
        "{}",
        receipt.body
    );
}
