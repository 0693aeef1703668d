//! The end of a grant and its signed report: `End-CustomerDataAccess`
//! written with the change that ends a grant, `GET
//! /api/v1/requests/{id}/report` checked offline with the CLI's verifier,
//! and the summary e-mail that quotes the report's SHA-256.

use lockbox_tests::service::{register, TestService};
use lockbox_tests::{
    act, cron_lock, eventually, get, now_ms, outbox_of, preapprove, request_audit, shift_request,
    sign_in, trigger_cron, Session, CONTOSO,
};
use serde_json::{json, Value};

fn public_key() -> String {
    let answer = get("/api/v1/audit/public-key");
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.body
}

fn report_of(session: &Session, id: &str) -> lockbox_tests::Answer {
    session.get(&format!("/api/v1/requests/{id}/report"))
}

/// A live Contoso mail grant of engineer2 that asked for `Get-Mailbox`
/// and `Read-Thing` (content) and allows only `Get-Mailbox`.
fn grant_allowing_get_mailbox() -> (TestService, String) {
    let service = register("svc:test-mail", 11, &["mail"]);
    let engineer = sign_in("engineer2@provider.example");
    let id =
        lockbox_tests::open_request_for(&engineer, CONTOSO, 60, &["Get-Mailbox", "Read-Thing"]);
    assert_eq!(preapprove(&id).status, 200);
    let approved = sign_in("approver1@contoso.example").post(
        &format!("/api/v1/requests/{id}/approve"),
        &json!({"operations": ["Get-Mailbox"]}),
    );
    assert_eq!(approved.status, 200, "{}", approved.body);
    (service, id)
}

fn end_record(id: &str) -> Value {
    request_audit(CONTOSO, id)
        .into_iter()
        .find(|r| r["activity"] == "End-CustomerDataAccess")
        .unwrap_or_else(|| panic!("no end record of {id}"))
}

#[test]
fn a_revoked_grant_has_one_signed_report_of_every_action_that_verifies_offline() {
    let (service, id) = grant_allowing_get_mailbox();
    let admin = sign_in("admin@contoso.example");
    let engineer = sign_in("engineer2@provider.example");
    // Live: no report yet, and the answer says until when.
    let early = report_of(&admin, &id);
    assert_eq!(early.status, 409, "{}", early.body);
    assert_eq!(early.json()["type"], "/problems/not-ended");
    assert!(early.body.contains("live until"), "{}", early.body);

    // Two actions in one batch, and a refused attempt.
    let ok = service.record(
        &id,
        &format!("report-ok-{}", now_ms()),
        json!([{"operation": "Get-Mailbox", "item": "ceo@contoso.example"},
               {"operation": "Get-Mailbox", "item": "cfo@contoso.example"}]),
    );
    assert_eq!(ok.status, 201, "{}", ok.body);
    let refused = service.record(
        &id,
        &format!("report-no-{}", now_ms()),
        json!([{"operation": "Read-Thing", "item": "ceo@contoso.example"}]),
    );
    assert_eq!(refused.status, 403, "{}", refused.body);

    let revoked = act(
        &sign_in("approver1@contoso.example"),
        &id,
        "revoke",
        Some("Done"),
    );
    assert_eq!(revoked.status, 200, "{}", revoked.body);
    // The end is written with the revocation, right after its record.
    let log = request_audit(CONTOSO, &id);
    let revoke_seq = log
        .iter()
        .find(|r| r["activity"] == "Revoke-AccessToCustomerDataRequest")
        .and_then(|r| r["seq"].as_i64())
        .expect("the revocation");
    let end = end_record(&id);
    assert_eq!(end["seq"].as_i64(), Some(revoke_seq + 1), "{end}");
    // Refused attempts are recorded up to a rate cap per engineer, which
    // other tests may have used up: the end counts what the log holds.
    let actions = admin.get(&format!("/api/v1/requests/{id}")).json()["actions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let refused = actions
        .iter()
        .filter(|a| a["details"]["Outcome"] == "Refused")
        .count();
    assert_eq!(actions.len() - refused, 2, "{actions:?}");
    assert_eq!(
        end["details"]["Actions"],
        actions.len().to_string(),
        "{end}"
    );
    assert_eq!(
        end["details"]["RefusedAttempts"],
        refused.to_string(),
        "{end}"
    );
    assert_eq!(end["details"]["Ended"], "Revoked", "{end}");
    assert_eq!(end["ip"], "", "{end}");

    // The customer's report verifies with the log's key and says it all.
    let key = public_key();
    let customer = report_of(&admin, &id);
    assert_eq!(customer.status, 200, "{}", customer.body);
    assert!(customer
        .header("content-disposition")
        .is_some_and(|d| d.contains(&format!("lockbox-report-{id}.txt"))));
    let checked = lockbox_cli::verify_report(&customer.body, &key);
    assert!(checked.ok(), "{checked:?}");
    assert!(
        checked
            .notes
            .iter()
            .any(|n| n == "Get-Mailbox: 2 run, 0 refused."),
        "{checked:?}"
    );
    assert!(
        refused == 0
            || checked
                .notes
                .iter()
                .any(|n| n == "Read-Thing: 0 run, 1 refused."),
        "{checked:?}"
    );
    let report = lockbox_shared::report::verify(&customer.body, &key)
        .expect("verifies")
        .report;
    assert_eq!(report.actions.len(), actions.len());
    assert_eq!(report.window.ended, "Revoked");
    assert_eq!(
        report.window.operations,
        Some(vec!["Get-Mailbox".to_owned()])
    );
    assert!(report
        .history
        .iter()
        .any(|r| r.record.details.get("Approver").map(String::as_str)
            == Some("approver1@contoso.example")));
    // The same report every time, byte for byte.
    assert_eq!(report_of(&admin, &id).body, customer.body);

    // An attempt after the end is logged as refused, and changes nothing.
    let late = service.record(
        &id,
        &format!("report-late-{}", now_ms()),
        json!([{"operation": "Get-Mailbox"}]),
    );
    assert!(matches!(late.status, 403 | 409), "{}", late.body);
    assert_eq!(report_of(&admin, &id).body, customer.body);

    // Provider staff get it without the customer persons; it verifies.
    let theirs = report_of(&engineer, &id);
    assert_eq!(theirs.status, 200, "{}", theirs.body);
    assert!(lockbox_cli::verify_report(&theirs.body, &key).ok());
    assert!(!theirs.body.contains("approver1@"), "{}", theirs.body);
    // Another tenant's people see nothing.
    let other = report_of(&sign_in("admin@fabrikam.example"), &id);
    assert_eq!(other.status, 404, "{}", other.body);

    // Tampered: a changed byte, a dropped action, another key: each named.
    let changed = customer
        .body
        .replacen("cfo@contoso.example", "cfx@contoso.example", 1);
    let found = lockbox_cli::verify_report(&changed, &key).problems;
    assert!(
        found
            .iter()
            .any(|p| p.contains("Get-Mailbox") && p.contains("not in the log")),
        "{found:?}"
    );
    let (text, signature) = customer.body.split_once("\n\n").expect("a signed note");
    let mut json: Value = serde_json::from_str(text).expect("JSON");
    json["actions"].as_array_mut().expect("actions").remove(0);
    let dropped = format!(
        "{}\n\n{signature}",
        serde_json::to_string_pretty(&json).expect("JSON")
    );
    let found = lockbox_cli::verify_report(&dropped, &key).problems;
    assert!(found.iter().any(|p| p.contains("1 dropped")), "{found:?}");
    let other_key = key.replacen('+', "-x+", 1);
    assert!(!lockbox_cli::verify_report(&customer.body, &other_key).ok());

    // The summary e-mail: once to the global admin and once to the
    // approver who approved and revoked, with the report's SHA-256.
    let sha = lockbox_backend::service::report::sha256(&customer.body);
    let mails = eventually(20, "the summary e-mails are delivered", || {
        let rows: Vec<Value> = outbox_of(&id)
            .into_iter()
            .filter(|r| r["kind"] == "access-report")
            .collect();
        (rows.len() == 2 && rows.iter().all(|r| r["status"] == "delivered")).then_some(rows)
    });
    let mut to: Vec<&str> = mails
        .iter()
        .map(|r| r["recipient"].as_str().unwrap_or_default())
        .collect();
    to.sort();
    assert_eq!(to, ["admin@contoso.example", "approver1@contoso.example"]);
    for mail in &mails {
        let body = mail["body"].as_str().unwrap_or_default();
        assert!(body.contains(&sha), "{body}");
        assert!(body.contains("Get-Mailbox: 2 run"), "{body}");
        assert!(
            refused == 0 || body.contains("Read-Thing:  0 run, 1 refused"),
            "{body}"
        );
        assert!(!body.contains("http"), "{body}");
    }
}

#[test]
fn a_grant_that_ran_out_is_ended_by_the_sweep_and_reported() {
    let _cron = cron_lock();
    let (_, id) = grant_allowing_get_mailbox();
    // As if it had been granted two hours ago: it ran out an hour ago.
    shift_request(&id, 2 * 60 * 60 * 1000);
    let admin = sign_in("admin@contoso.example");
    trigger_cron();
    let end = eventually(20, "the sweep ends the grant", || {
        request_audit(CONTOSO, &id)
            .into_iter()
            .find(|r| r["activity"] == "End-CustomerDataAccess")
    });
    assert_eq!(end["details"]["Ended"], "Completed", "{end}");
    assert_eq!(end["details"]["Actions"], "0", "{end}");
    assert_eq!(end["details"]["MinutesUsed"], "60", "{end}");
    let report = report_of(&admin, &id);
    assert_eq!(report.status, 200, "{}", report.body);
    let verified = lockbox_shared::report::verify(&report.body, &public_key()).expect("verifies");
    assert_eq!(verified.report.window.ended, "Completed");
    assert!(verified.report.actions.is_empty());
}
