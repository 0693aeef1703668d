//! Rotating every signing key of a running deployment: a `wrangler dev`
//! of its own signs a receipt, a checkpoint and a grant token with one
//! set of keys; it is stopped and started again on the same local storage
//! with new keys (the old grant-token key kept as the previous one, as
//! the runbook in the README says). Then what was signed before still
//! verifies, each artefact with the key that signed it, named; the keys
//! are published with the time each was in use; the old grant token is
//! still taken while it lives.

use std::path::PathBuf;

use base64::Engine as _;
use lockbox_shared::tlog::SigningKeys;
use lockbox_tests::service::{grant_token, register, ISSUER};
use lockbox_tests::{act, get, now_ms, open_request_for, preapprove, sign_in, wrangler, CONTOSO};
use serde_json::{json, Value};

fn seed(byte: u8) -> String {
    base64::engine::general_purpose::STANDARD.encode([byte; 32])
}

fn keys() -> SigningKeys {
    let answer = get("/api/v1/keys");
    assert_eq!(answer.status, 200, "{}", answer.body);
    serde_json::from_str(&answer.body).expect("the keys document")
}

fn text_of(path: &str, email: &str) -> String {
    let answer = sign_in(email).get(path);
    assert_eq!(answer.status, 200, "{path}: {}", answer.body);
    answer.body
}

fn kid_of(token: &str) -> String {
    let header = token.split('.').next().expect("a header");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header)
        .expect("base64url");
    let header: Value = serde_json::from_slice(&bytes).expect("JSON");
    header["kid"].as_str().expect("a kid").to_owned()
}

#[test]
fn every_key_rotates_and_what_the_old_keys_signed_still_verifies_with_them() {
    let dir: PathBuf = wrangler::fresh_dir("d1-rotation");
    wrangler::bash(
        r#"scripts/build.sh >&2; prepare_db "$1" >&2"#,
        &[dir.to_str().expect("a path")],
    );
    let (audit_a, grant_a, audit_b, grant_b) = (seed(31), seed(32), seed(33), seed(34));

    // Before: keys A.
    let server = wrangler::start(
        &dir,
        "before",
        &[
            format!("AUDIT_SIGNING_KEY={audit_a}"),
            format!("GRANT_SIGNING_KEY={grant_a}"),
        ],
        true,
    );
    let service = register("svc:test-rotation", 41, &["mail"]);
    let engineer = sign_in("engineer1@provider.example");
    let mut operations = lockbox_tests::operations_of("mail");
    operations.push("Read-Thing");
    let id = open_request_for(&engineer, CONTOSO, 60, &operations);
    assert_eq!(preapprove(&id).status, 200);
    let approved = act(&sign_in("approver1@contoso.example"), &id, "approve", None);
    assert_eq!(approved.status, 200, "{}", approved.body);
    let receipt_a = text_of(
        &format!("/api/v1/requests/{id}/receipt"),
        "approver1@contoso.example",
    );
    let checkpoint_a = text_of("/api/v1/audit/checkpoint", "admin@contoso.example");
    let token_a = grant_token(&engineer, &id).json()["token"]
        .as_str()
        .expect("a grant token")
        .to_owned();
    let before = keys();
    assert_eq!(before.audit.len(), 1, "{before:?}");
    assert_eq!(before.grant_tokens.len(), 1, "{before:?}");
    let (key_a, grant_key_a) = (before.audit[0].clone(), before.grant_tokens[0].clone());
    assert!(
        key_a.valid_from.is_some() && key_a.valid_until.is_none(),
        "{key_a:?}"
    );
    assert_eq!(kid_of(&token_a), grant_key_a.key_id);
    drop(server);

    // After: keys B, and A's grant-token key as the previous one.
    let rotated_at = now_ms();
    let _server = wrangler::start(
        &dir,
        "after",
        &[
            format!("AUDIT_SIGNING_KEY={audit_b}"),
            format!("GRANT_SIGNING_KEY={grant_b}"),
            format!("GRANT_SIGNING_KEY_PREVIOUS={grant_a}"),
        ],
        true,
    );
    let receipt_b = text_of(
        &format!("/api/v1/requests/{id}/receipt"),
        "approver1@contoso.example",
    );
    let checkpoint_b = text_of("/api/v1/audit/checkpoint", "admin@contoso.example");
    let token_b = grant_token(&engineer, &id).json()["token"]
        .as_str()
        .expect("a grant token")
        .to_owned();
    let after = keys();
    assert_eq!(after.audit.len(), 2, "{after:?}");
    assert_eq!(after.grant_tokens.len(), 2, "{after:?}");
    let key_b = after.audit[0].clone();
    assert_ne!(key_b.key_id, key_a.key_id);
    assert_eq!(
        after.audit[1].key_id, key_a.key_id,
        "the old key, after the new"
    );
    let b_from = key_b.valid_from.expect("the new key is noted");
    assert!(b_from >= rotated_at, "{key_b:?}");
    assert_eq!(key_b.valid_until, None);
    assert_eq!(after.audit[1].valid_from, key_a.valid_from);
    assert_eq!(
        after.audit[1].valid_until,
        Some(b_from),
        "the old key's time ends when the new one's begins"
    );
    assert_eq!(after.grant_tokens[1].key_id, grant_key_a.key_id);
    assert!(after.grant_tokens[1].valid_until.is_some());
    assert_eq!(kid_of(&token_b), after.grant_tokens[0].key_id);

    // Every audit key, newest first, in the plain list too.
    let listed = get("/api/v1/audit/public-key").body;
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines, [key_b.key.as_str(), key_a.key.as_str()]);
    let document = serde_json::to_string(&after).expect("JSON");

    // The old receipt verifies with the published keys, naming key A and
    // its time in use; the new one names key B; either file of keys.
    for keys in [document.as_str(), listed.as_str()] {
        let old = lockbox_cli::verify_receipt(&receipt_a, keys);
        assert!(old.ok(), "{old:?}");
        assert!(old.notes[0].contains(&key_a.key_id), "{:?}", old.notes);
        let new = lockbox_cli::verify_receipt(&receipt_b, keys);
        assert!(new.ok(), "{new:?}");
        assert!(new.notes[0].contains(&key_b.key_id), "{:?}", new.notes);
    }
    let old = lockbox_cli::verify_receipt(&receipt_a, &document);
    assert!(old.notes[0].contains("in use from"), "{:?}", old.notes);
    // Given only the new key, the old receipt fails, and says which key
    // it needs and where to find it.
    let only_new = lockbox_cli::verify_receipt(&receipt_a, &key_b.key);
    assert!(!only_new.ok());
    assert!(
        only_new.problems[0].contains(&key_a.key_id)
            && only_new.problems[0].contains("/api/v1/keys"),
        "{:?}",
        only_new.problems
    );

    // The log signed under A is extended by the log signed under B.
    let old = lockbox_shared::tlog::open_checkpoint(&checkpoint_a, &document).expect("A's");
    let new = lockbox_shared::tlog::open_checkpoint(&checkpoint_b, &document).expect("B's");
    assert_eq!(old.key.key_id, key_a.key_id);
    assert_eq!(new.key.key_id, key_b.key_id);
    let proof = sign_in("admin@contoso.example").get(&format!(
        "/api/v1/audit/consistency?from={}&to={}",
        old.size, new.size
    ));
    assert_eq!(proof.status, 200, "{}", proof.body);
    let consistent = lockbox_cli::consistency(&checkpoint_a, &checkpoint_b, &proof.body, &document);
    assert!(consistent.ok(), "{consistent:?}");
    assert!(
        consistent.notes[0].contains(&key_a.key_id) && consistent.notes[0].contains(&key_b.key_id),
        "{:?}",
        consistent.notes
    );

    // Grant tokens: the JWKS holds both keys while A's tokens may live;
    // a service records under the token A signed, and verifies both
    // offline with the SDK.
    let jwks = lockbox_provider::jwks::Jwks::parse(&get("/.well-known/jwks.json").body)
        .expect("a JWK Set");
    let verifier = lockbox_provider::grant::Verifier::new(jwks, ISSUER, &service.key.service);
    let now = now_ms() / 1000;
    for token in [&token_a, &token_b] {
        verifier.verify(token, now).expect("the SDK verifies");
    }
    let recorded = service.record(
        &token_a,
        &format!("rotation-{}", now_ms()),
        json!([{ "operation": "Get-Mailbox" }]),
    );
    assert_eq!(recorded.status, 201, "{}", recorded.body);
}
