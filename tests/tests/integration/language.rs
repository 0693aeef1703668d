//! Italian and English (issue 25): a person's own language, their
//! organisation's default, and the notices each recipient reads in theirs.
//! The default is changed on Northwind Traders alone, under its lock.

use lockbox_tests::{
    config_records, northwind_lock, open_request, outbox_of, preapprove, sign_in, NORTHWIND,
};
use serde_json::json;

#[test]
fn a_person_chooses_their_language_and_an_unknown_one_is_refused_with_its_field() {
    let auditor = sign_in("auditor@contoso.example");
    let chosen = auditor.post("/api/v1/me/language", &json!({ "language": "it" }));
    assert_eq!(chosen.status, 200, "{}", chosen.body);
    assert_eq!(chosen.json()["language"], "it");
    assert_eq!(chosen.json()["email"], "auditor@contoso.example");
    let me = auditor.get("/api/v1/me").json();
    assert_eq!(me["language"], "it");
    assert_eq!(me["tenant_language"], "en");

    for bad in [
        json!({ "language": "de" }),
        json!({ "language": 3 }),
        json!({}),
    ] {
        let refused = auditor.post("/api/v1/me/language", &bad);
        assert_eq!(refused.status, 400, "{bad}: {}", refused.body);
        assert!(
            refused.body.contains("language"),
            "{bad}: the problem names the field: {}",
            refused.body
        );
    }
    assert_eq!(
        auditor.get("/api/v1/me").json()["language"],
        "it",
        "nothing lost"
    );

    let cleared = auditor.post("/api/v1/me/language", &json!({ "language": null }));
    assert_eq!(cleared.status, 200, "{}", cleared.body);
    assert!(cleared.json()["language"].is_null());
    // Provider staff have no organisation, so no default.
    let engineer = sign_in("engineer2@provider.example")
        .get("/api/v1/me")
        .json();
    assert!(engineer["tenant_language"].is_null(), "{engineer}");
}

#[test]
fn each_approver_reads_the_same_notice_in_their_own_language() {
    let _northwind = northwind_lock();
    let admin = sign_in("admin@northwind.example");
    let refused = admin.post("/api/v1/settings/language", &json!({ "language": "fr" }));
    assert_eq!(refused.status, 400, "{}", refused.body);
    let set = admin.post("/api/v1/settings/language", &json!({ "language": "it" }));
    assert_eq!(set.status, 200, "{}", set.body);
    assert_eq!(set.json()["language"], "it");
    assert_eq!(set.json()["tenant_id"], NORTHWIND);
    let record = config_records(&admin)
        .into_iter()
        .find(|r| r["details"]["DefaultLanguage"] == "it")
        .expect("the change is in the audit log");
    assert_eq!(record["user"], "admin@northwind.example");
    // One approver keeps English for themself; the others follow Northwind's Italian.
    let english = sign_in("approver1@northwind.example");
    assert_eq!(
        english
            .post("/api/v1/me/language", &json!({ "language": "en" }))
            .status,
        200
    );

    let engineer = sign_in("engineer1@provider.example");
    let id = open_request(&engineer, NORTHWIND, 45);
    let answer = preapprove(&id);
    assert_eq!(answer.status, 200, "{}", answer.body);
    let rows = outbox_of(&id);
    let pending = |who: &str| {
        rows.iter()
            .find(|r| r["kind"] == "pending-approval" && r["recipient"] == who)
            .unwrap_or_else(|| panic!("{who} was told: {rows:?}"))
            .clone()
    };
    let en = pending("approver1@northwind.example");
    let it = pending("approver2@northwind.example");
    assert!(
        en["subject"]
            .as_str()
            .unwrap_or_default()
            .contains("asks for access"),
        "{en}"
    );
    assert!(
        it["subject"]
            .as_str()
            .unwrap_or_default()
            .contains("chiede di accedere"),
        "{it}"
    );
    let body = it["body"].as_str().unwrap_or_default();
    assert!(
        body.contains("Supporto > Richieste di Customer Lockbox"),
        "{body}"
    );
    assert!(body.contains("45 minuti"), "{body}");
    assert!(!body.contains("http"), "{body}");

    // Back to how the other tests expect Northwind.
    english.post("/api/v1/me/language", &json!({ "language": null }));
    let reset = admin.post("/api/v1/settings/language", &json!({ "language": "en" }));
    assert_eq!(reset.status, 200, "{}", reset.body);
}
