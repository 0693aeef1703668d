//! The integration boundary (SPEC §5): registered services, grant tokens,
//! the action log that checks and records in one write, and the feed of
//! grants ended early — through the HTTP API, as a provider would.

use lockbox_provider::grant::{Target, Verifier};
use lockbox_provider::jwks::Jwks;
use lockbox_tests::service::{grant_token, register, TestService, INTEGRATIONS, ISSUER};
use lockbox_tests::{act, now_ms, open_request, preapprove, sign_in, Session, CONTOSO};
use serde_json::{json, Value};

/// A live Contoso mail grant of engineer1 for `minutes`, for the test
/// service's operations as well as the demo service's.
fn live_grant(minutes: u32) -> (Session, String) {
    // Its operations are offered once the test service is registered.
    mail_service();
    let engineer = sign_in("engineer1@provider.example");
    let mut operations = lockbox_tests::operations_of("mail");
    operations.push("Read-Thing");
    let id = lockbox_tests::open_request_for(&engineer, CONTOSO, minutes, &operations);
    assert_eq!(preapprove(&id).status, 200);
    let approved = act(&sign_in("approver1@contoso.example"), &id, "approve", None);
    assert_eq!(approved.status, 200, "{}", approved.body);
    (engineer, id)
}

fn token_of(engineer: &Session, id: &str) -> String {
    let answer = grant_token(engineer, id);
    assert_eq!(answer.status, 201, "{}", answer.body);
    answer.json()["token"].as_str().expect("a token").to_owned()
}

/// The records of request `id` that a service recorded (`BatchId` set),
/// as the tenant's global admin finds them.
fn recorded(id: &str) -> Vec<Value> {
    let answer =
        sign_in("admin@contoso.example").get(&format!("/api/v1/audit?request={id}&limit=500"));
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r["details"]["BatchId"].is_string())
        .collect()
}

fn jwks() -> Jwks {
    let answer = lockbox_tests::get("/.well-known/jwks.json");
    assert_eq!(answer.status, 200, "{}", answer.body);
    Jwks::parse(&answer.body).expect("a JWK Set")
}

fn mail_service() -> TestService {
    register("svc:test-mail", 11, &["mail"])
}

#[test]
fn a_grant_token_never_outlives_its_grant_and_verifies_offline_with_the_sdk() {
    let service = mail_service();
    let (engineer, id) = live_grant(60);
    let token = token_of(&engineer, &id);
    let now = now_ms() / 1000;
    let verifier = Verifier::new(jwks(), ISSUER, &service.key.service);
    let grant = verifier
        .verify(&token, now)
        .expect("the SDK accepts Lockbox's token");
    assert!(grant.claims.exp <= now + 300 + 5, "at most five minutes");
    assert_eq!(grant.claims.gid, id);
    assert_eq!(grant.claims.tid, CONTOSO);
    assert_eq!(grant.claims.sub, "engineer1@provider.example");
    assert!(grant.claims.aud.contains(&"svc:test-mail".to_owned()));
    grant
        .require(&Target {
            tenant: CONTOSO,
            service: "mail",
            operation: "Read-Thing",
            engineer: "engineer1@provider.example",
        })
        .expect("covers its own tenant, service and operation");

    // Two minutes left on the grant: the token ends with it.
    lockbox_tests::shift_request(&id, 58 * 60_000);
    let detail = engineer.get(&format!("/api/v1/requests/{id}")).json();
    let ends = detail["grant_ends_at"].as_i64().expect("a grant end");
    let short = grant_token(&engineer, &id).json();
    assert!(
        short["expires_at"].as_i64().expect("expiry") <= ends,
        "{short} ends after {ends}"
    );

    // Only the requester; only a live grant.
    let other = grant_token(&sign_in("engineer2@provider.example"), &id);
    assert_eq!(other.status, 403, "{}", other.body);
    let unapproved = open_request(&engineer, CONTOSO, 30);
    let refused = grant_token(&engineer, &unapproved);
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert_eq!(refused.json()["reason"], "not-approved");
    let manager = grant_token(&sign_in("manager@provider.example"), &id);
    assert_eq!(manager.status, 403, "{}", manager.body);
}

#[test]
fn a_batch_is_recorded_whole_once_and_a_retry_gets_the_first_answer() {
    let service = mail_service();
    let (engineer, id) = live_grant(60);
    let token = token_of(&engineer, &id);
    let batch = format!("b-{}", now_ms());
    let actions = json!([
        { "operation": "Get-Mailbox" },
        { "operation": "Read-Thing", "item": "thing-1", "parameters": { "Identity": "a@contoso.example" } },
        { "operation": "Get-Mailbox", "count": 10000,
          "digest": lockbox_provider::actions::digest_of(["a", "b"]) }
    ]);
    let first = service.record(&token, &batch, actions.clone());
    assert_eq!(first.status, 201, "{}", first.body);
    let seqs: Vec<i64> = first.json()["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| r["seq"].as_i64().expect("seq"))
        .collect();
    assert_eq!(seqs.len(), 3);
    assert!(
        seqs.windows(2).all(|w| w[1] == w[0] + 1),
        "one batch, consecutive: {seqs:?}"
    );

    let again = service.record(&token, &batch, actions.clone());
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.header("lockbox-replayed"), Some("true"));
    assert_eq!(again.json(), first.json(), "the same answer");
    // By request id instead of the token: still the same batch.
    assert_eq!(service.record(&id, &batch, actions).json(), first.json());
    let reused = service.record(&token, &batch, json!([{ "operation": "Read-Thing" }]));
    assert_eq!(reused.status, 422, "{}", reused.body);

    // A checkpoint seals the tenant's new records into its tree.
    let admin = sign_in("admin@contoso.example");
    assert_eq!(admin.get("/api/v1/audit/checkpoint").status, 200);
    let records = recorded(&id);
    assert_eq!(records.len(), 3, "one set of records: {records:?}");
    let bulk = records
        .iter()
        .find(|r| r["details"]["Count"] == "10000")
        .expect("the bulk record");
    assert_eq!(bulk["user"], "Provider Operator");
    assert_eq!(bulk["activity"], "Get-Mailbox");
    assert_eq!(bulk["details"]["Service"], "svc:test-mail");
    assert_eq!(bulk["details"]["Engineer"], "engineer1@provider.example");
    assert!(bulk["details"]["Digest"]
        .as_str()
        .is_some_and(|d| d.starts_with("sha256:")));
    let thing = records
        .iter()
        .find(|r| r["activity"] == "Read-Thing")
        .expect("the content read");
    assert_eq!(thing["item"], "thing-1");
    assert_eq!(thing["details"]["Identity"], "a@contoso.example");
    // The leaf hash answered is the one the log serves.
    let leaf = first.json()["records"][1]["leaf_hash"].clone();
    assert_eq!(thing["leaf_hash"], leaf, "{thing}");
}

#[test]
fn after_a_revoke_a_batch_records_nothing_and_the_feed_lists_the_grant() {
    let service = mail_service();
    let (engineer, id) = live_grant(60);
    let token = token_of(&engineer, &id);
    let since = now_ms();
    let revoked = act(
        &sign_in("approver2@contoso.example"),
        &id,
        "revoke",
        Some("done"),
    );
    assert_eq!(revoked.status, 200, "{}", revoked.body);
    let refused = service.record(
        &token,
        &format!("r-{}", now_ms()),
        json!([{ "operation": "Read-Thing" }]),
    );
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert_eq!(refused.json()["reason"], "revoked");
    assert!(recorded(&id).is_empty(), "no record after the revoke");
    let again = grant_token(&engineer, &id);
    assert_eq!(again.status, 409, "{}", again.body);

    let feed = service.get(&format!("/api/v1/provider/revocations?since={since}"));
    assert_eq!(feed.status, 200, "{}", feed.body);
    let feed: lockbox_provider::revocations::RevocationFeed =
        serde_json::from_str(&feed.body).expect("a feed");
    assert!(feed.items.iter().any(|e| e.request_id == id), "{feed:?}");
    let mut view = lockbox_provider::revocations::RevocationView::default();
    view.apply(&feed, now_ms() / 1000);
    let verifier = Verifier::new(jwks(), ISSUER, &service.key.service);
    assert_eq!(
        verifier
            .verify_live(&token, &view, now_ms() / 1000, 60)
            .map(|_| ()),
        Err(lockbox_provider::grant::Refusal::Revoked),
        "the offline verifier learns of the revoke from the feed"
    );
}

#[test]
fn a_grant_token_or_batch_outside_the_grant_is_refused_and_records_nothing() {
    let mail = mail_service();
    let files = register("svc:test-files", 12, &["files"]);
    let (engineer, id) = live_grant(60);
    let token = token_of(&engineer, &id);
    let stamp = now_ms();
    // A service the token is not for (it serves files, the grant is mail).
    let other = files.record(
        &token,
        &format!("x1-{stamp}"),
        json!([{ "operation": "Get-Mailbox" }]),
    );
    assert_eq!(other.status, 403, "{}", other.body);
    let by_id = files.record(
        &id,
        &format!("x2-{stamp}"),
        json!([{ "operation": "Get-Mailbox" }]),
    );
    assert_eq!(by_id.status, 403, "{}", by_id.body);
    // An operation the service never registered.
    let unknown = mail.record(
        &token,
        &format!("x3-{stamp}"),
        json!([{ "operation": "Delete-Everything" }]),
    );
    assert_eq!(unknown.status, 403, "{}", unknown.body);
    // Forged tokens: alg none, another key, an unknown kid, another type.
    use base64::Engine as _;
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    let body = token.split('.').nth(1).expect("payload").to_owned();
    let forged_key = lockbox_provider::jose::sign(
        &serde_json::from_slice::<Value>(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(&body)
                .expect("b64"),
        )
        .expect("json"),
        lockbox_provider::grant::TYP,
        jwks().keys[0].kid.as_str(),
        &lockbox_provider::SigningKey::from_bytes(&[99; 32]),
    )
    .expect("signs");
    for (n, forged) in [
        format!(
            "{}.{body}.",
            b64(r#"{"alg":"none","typ":"lockbox-grant+jwt","kid":"x"}"#)
        ),
        format!(
            "{}.{body}.c2ln",
            b64(r#"{"alg":"HS256","typ":"lockbox-grant+jwt","kid":"x"}"#)
        ),
        format!(
            "{}.{body}.c2ln",
            b64(r#"{"alg":"EdDSA","typ":"lockbox-grant+jwt","kid":"unknown"}"#)
        ),
        format!(
            "{}.{body}.c2ln",
            b64(r#"{"alg":"EdDSA","typ":"JWT","kid":"x"}"#)
        ),
        forged_key,
    ]
    .iter()
    .enumerate()
    {
        let answer = mail.record(
            forged,
            &format!("f{n}-{stamp}"),
            json!([{ "operation": "Get-Mailbox" }]),
        );
        assert_eq!(answer.status, 403, "forgery {n}: {}", answer.body);
    }
    assert!(recorded(&id).is_empty(), "nothing recorded");
}

#[test]
fn services_sign_in_only_with_their_own_fresh_assertions() {
    let service = mail_service();
    let feed = "/api/v1/provider/revocations";
    assert_eq!(service.get(feed).status, 200);
    // A replayed assertion.
    let assertion = service.assertion();
    let with = |bearer: &str, path: &str| {
        lockbox_tests::read(
            lockbox_tests::client()
                .get(lockbox_tests::url(path))
                .header("Authorization", &format!("Bearer {bearer}"))
                .call(),
        )
    };
    assert_eq!(with(&assertion, feed).status, 200);
    assert_eq!(with(&assertion, feed).status, 401, "a replay");
    // Another deployment's, an expired one, an unregistered service's.
    let key = &service.key;
    let now = now_ms() / 1000;
    let jti = lockbox_tests::service::jti;
    assert_eq!(
        with(&key.assert("https://other.example", now, 60, &jti()), feed).status,
        401
    );
    assert_eq!(
        with(&key.assert(ISSUER, now - 600, 60, &jti()), feed).status,
        401
    );
    let stranger = lockbox_provider::assertion::ServiceKey {
        service: "svc:nobody".into(),
        ..key.clone()
    };
    assert_eq!(
        with(&stranger.assert(ISSUER, now, 60, &jti()), feed).status,
        401
    );
    // Every person on the service routes, a service on a person's route.
    for who in [
        "admin@contoso.example",
        "approver1@contoso.example",
        "auditor@contoso.example",
        "user@contoso.example",
        "admin@fabrikam.example",
        "engineer1@provider.example",
        "manager@provider.example",
        "lead@provider.example",
        INTEGRATIONS,
    ] {
        let person = sign_in(who);
        assert_eq!(person.get(feed).status, 401, "{who} on the feed");
        let batch =
            json!({ "grant": "x", "batch_id": "p", "actions": [{ "operation": "Get-Mailbox" }] });
        assert_eq!(
            person.post("/api/v1/provider/actions", &batch).status,
            401,
            "{who} on the action log"
        );
    }
    let me = with(&service.assertion(), "/api/v1/me");
    assert_eq!(me.status, 401, "{}", me.body);
    // The refusals are counted for the integration admins, not explained.
    let list = sign_in(INTEGRATIONS)
        .get("/api/v1/provider/services")
        .json();
    let reasons: Vec<&str> = list["refused_calls"]
        .as_array()
        .expect("counts")
        .iter()
        .filter_map(|r| r["reason"].as_str())
        .collect();
    for reason in ["replay", "audience", "time", "unknown-service"] {
        assert!(reasons.contains(&reason), "{reason} in {reasons:?}");
    }
}

/// An assertion is good for one call to the action log, whatever the call
/// does: the batch's own write remembers it (one round trip to write, for
/// a tenant in D1), a refused call spends it too, and a replay writes
/// nothing and is told it is one, before anything else.
#[test]
fn an_assertion_records_one_batch_and_a_replay_records_nothing() {
    let service = mail_service();
    let (_, id) = live_grant(60);
    let post = |assertion: &str, body: &Value| {
        lockbox_tests::read(
            lockbox_tests::client()
                .post(lockbox_tests::url("/api/v1/provider/actions"))
                .header("Authorization", &format!("Bearer {assertion}"))
                .send_json(body),
        )
    };
    let batch = |batch_id: &str| json!({ "grant": id, "batch_id": batch_id, "actions": [{ "operation": "Get-Mailbox" }] });
    let stamp = now_ms();
    let assertion = service.assertion();
    let first = post(&assertion, &batch(&format!("r1-{stamp}")));
    assert_eq!(first.status, 201, "{}", first.body);
    let timing = first.header("server-timing").unwrap_or_default();
    assert!(
        timing.starts_with("db;desc=\"2 calls\""),
        "one read and one write: {timing}"
    );
    // The same assertion: another batch, the same batch again, a bad body.
    for body in [
        batch(&format!("r2-{stamp}")),
        batch(&format!("r1-{stamp}")),
        json!({ "grant": id }),
    ] {
        let again = post(&assertion, &body);
        assert_eq!(again.status, 401, "{body}: {}", again.body);
    }
    // Spent by a refused call: an unknown grant, then a bad body.
    for refused in [
        json!({ "grant": "7c0a8f4e-5a1b-4c3d-9e2f-00000000abcd", "batch_id": format!("r3-{stamp}"), "actions": [{ "operation": "Get-Mailbox" }] }),
        json!({ "grant": id }),
    ] {
        let once = service.assertion();
        assert_ne!(post(&once, &refused).status, 401, "{refused}");
        let replayed = post(&once, &batch(&format!("r4-{stamp}")));
        assert_eq!(replayed.status, 401, "{refused}: {}", replayed.body);
    }
    let ids: Vec<String> = recorded(&id)
        .iter()
        .filter_map(|r| r["details"]["BatchId"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(ids, vec![format!("r1-{stamp}")], "one batch recorded");
}

#[test]
fn an_access_service_token_signs_a_registered_service_in() {
    let (_, mut body) = lockbox_tests::service::registration("svc:test-access", 13, &["mail"]);
    body["access_common_name"] = json!("test-access.access");
    let admin = sign_in(INTEGRATIONS);
    let registered = admin.post("/api/v1/provider/services", &body);
    assert!(
        matches!(registered.status, 200 | 201),
        "{}",
        registered.body
    );
    let mut claims = lockbox_tests::dev_claims("x@provider.example");
    claims.as_object_mut().expect("claims").remove("email");
    claims["common_name"] = json!("test-access.access");
    let token = lockbox_tests::mint(&claims, lockbox_tests::DEV_KID);
    let answer = lockbox_tests::get_with_token("/api/v1/provider/revocations", &token);
    assert_eq!(answer.status, 200, "{}", answer.body);
    claims["common_name"] = json!("unknown.access");
    let unknown = lockbox_tests::get_with_token(
        "/api/v1/provider/revocations",
        &lockbox_tests::mint(&claims, lockbox_tests::DEV_KID),
    );
    assert_eq!(unknown.status, 401, "{}", unknown.body);
}

#[test]
fn only_integration_admins_register_services_and_every_change_is_in_the_provider_log() {
    let (_, body) = lockbox_tests::service::registration("svc:test-log", 14, &["mail"]);
    for who in [
        "engineer1@provider.example",
        "manager@provider.example",
        "admin@contoso.example",
        "approver1@contoso.example",
    ] {
        let session = sign_in(who);
        assert_eq!(
            session.post("/api/v1/provider/services", &body).status,
            403,
            "{who}"
        );
        assert_eq!(
            session.get("/api/v1/provider/services").status,
            403,
            "{who}"
        );
        assert_eq!(session.get("/api/v1/provider/log").status, 403, "{who}");
        assert_eq!(
            session
                .delete("/api/v1/provider/services/svc:test-log")
                .status,
            403,
            "{who}"
        );
    }
    let admin = sign_in(INTEGRATIONS);
    let _ = admin.delete("/api/v1/provider/services/svc:test-log");
    assert_eq!(admin.post("/api/v1/provider/services", &body).status, 201);
    // A rotation: a second key, then the first one dropped.
    let (_, rotated) = lockbox_tests::service::registration("svc:test-log", 15, &["mail"]);
    let mut both = body.clone();
    both["keys"]
        .as_array_mut()
        .expect("keys")
        .push(rotated["keys"][0].clone());
    assert_eq!(admin.post("/api/v1/provider/services", &both).status, 200);
    assert_eq!(
        admin.post("/api/v1/provider/services", &rotated).status,
        200
    );
    let one = admin.get("/api/v1/provider/services/svc:test-log");
    assert_eq!(one.status, 200, "{}", one.body);
    assert_eq!(one.json()["keys"].as_array().map(Vec::len), Some(1));
    // Refusals name the field.
    let mut bad = body.clone();
    bad["operations"][0]["name"] = json!("Set-AccessToCustomerDataRequest");
    let refused = admin.post("/api/v1/provider/services", &bad);
    assert_eq!(
        (refused.status, refused.json()["field"].clone()),
        (400, json!("operations")),
        "{}",
        refused.body
    );
    bad = body.clone();
    bad["keys"][0]["x"] = json!("AAAA");
    assert_eq!(
        admin.post("/api/v1/provider/services", &bad).json()["field"],
        "keys"
    );
    bad = body.clone();
    bad["serves"] = json!(["printers"]);
    assert_eq!(
        admin.post("/api/v1/provider/services", &bad).json()["field"],
        "serves"
    );
    assert_eq!(
        admin
            .delete("/api/v1/provider/services/svc:test-log")
            .status,
        204
    );
    assert_eq!(
        admin.get("/api/v1/provider/services/svc:test-log").status,
        404
    );

    let log = admin.get("/api/v1/provider/log").json();
    let mine: Vec<&str> = log["items"]
        .as_array()
        .expect("log")
        .iter()
        .filter(|e| e["item"] == "svc:test-log")
        .filter_map(|e| e["activity"].as_str())
        .collect();
    assert_eq!(
        &mine[..4],
        [
            "Remove-LockboxService",
            "Set-LockboxServiceKey",
            "Set-LockboxServiceKey",
            "Register-LockboxService"
        ],
        "{mine:?}"
    );
}

#[test]
fn a_revoke_racing_two_hundred_batches_leaves_each_whole_or_absent_and_none_after_it() {
    let service = mail_service();
    let (engineer, id) = live_grant(60);
    let token = token_of(&engineer, &id);
    let stamp = now_ms();
    let workers: Vec<_> = (0..4)
        .map(|w| {
            let (service, token) = (service.clone(), token.clone());
            std::thread::spawn(move || {
                (0..50)
                    .map(|i| {
                        let batch = format!("race-{stamp}-{w}-{i}");
                        let answer = service.record(&token, &batch, json!([{ "operation": "Get-Mailbox" }, { "operation": "Read-Thing", "item": batch }]));
                        assert!(matches!(answer.status, 201 | 409), "{}", answer.body);
                        (batch, answer.status)
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(400));
    let revoked = act(&sign_in("approver1@contoso.example"), &id, "revoke", None);
    assert_eq!(revoked.status, 200, "{}", revoked.body);
    let answers: Vec<(String, u16)> = workers
        .into_iter()
        .flat_map(|w| w.join().expect("a worker"))
        .collect();
    assert_eq!(answers.len(), 200);
    let records = recorded(&id);
    let revoke_seq = lockbox_tests::request_audit(CONTOSO, &id)
        .iter()
        .find(|r| r["activity"] == "Revoke-AccessToCustomerDataRequest")
        .and_then(|r| r["seq"].as_i64())
        .expect("the revoke's record");
    for (batch, status) in &answers {
        let of: Vec<&Value> = records
            .iter()
            .filter(|r| r["details"]["BatchId"] == batch.as_str())
            .collect();
        assert_eq!(
            of.len(),
            if *status == 201 { 2 } else { 0 },
            "{batch} answered {status}"
        );
    }
    assert!(
        records
            .iter()
            .all(|r| r["seq"].as_i64().expect("seq") < revoke_seq),
        "a record after the revoke"
    );
    let refused = answers.iter().filter(|(_, s)| *s == 409).count();
    println!(
        "race: {} recorded, {refused} refused after the revoke",
        200 - refused
    );
}

/// An approver allows some of the operations asked for: the grant allows
/// those alone. Its token names them; the service's batch and the operator
/// route refuse any other (403, one refused record in the customer's log);
/// an extension can ask for fewer, never more.
#[test]
fn a_grant_allows_only_the_operations_its_approver_allowed() {
    let service = mail_service();
    let engineer = sign_in("engineer2@provider.example");
    let opened = engineer.post(
        "/api/v1/requests",
        &json!({
            "tenant_id": CONTOSO,
            "service": "mail",
            "ticket": format!("SR-OPS-{}", now_ms()),
            "reason": "Statistics of one mailbox are wrong; need to compare them.",
            "duration_minutes": 60,
            "operations": ["Get-MailboxStatistics", "Read-Thing", "Get-Mailbox"],
        }),
    );
    assert_eq!(opened.status, 201, "{}", opened.body);
    let id = opened.json()["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(
        opened.json()["operations"],
        json!(["Get-Mailbox", "Get-MailboxStatistics", "Read-Thing"])
    );
    assert_eq!(preapprove(&id).status, 200);
    let approver = sign_in("approver1@contoso.example");
    let path = format!("/api/v1/requests/{id}/approve");
    // Not asked for: named. None at all: deny instead.
    let not_asked = approver.post(&path, &json!({"operations": ["Get-Message"]}));
    assert_eq!(not_asked.status, 400, "{}", not_asked.body);
    assert_eq!(not_asked.json()["type"], "/problems/operation-not-asked");
    assert!(not_asked.body.contains("Get-Message"), "{}", not_asked.body);
    let none = approver.post(&path, &json!({"operations": []}));
    assert_eq!(none.status, 400, "{}", none.body);
    assert!(none.body.contains("deny"), "{}", none.body);
    let approved = approver.post(
        &path,
        &json!({"operations": ["Get-Mailbox", "Get-MailboxStatistics"]}),
    );
    assert_eq!(approved.status, 200, "{}", approved.body);
    let allowed = json!(["Get-Mailbox", "Get-MailboxStatistics"]);
    assert_eq!(approved.json()["allowed_operations"], allowed);
    // The token names what is allowed, and no more.
    let token = grant_token(&engineer, &id);
    assert_eq!(token.status, 201, "{}", token.body);
    assert_eq!(token.json()["operations"], allowed);
    // The service's batch: an allowed operation is recorded, another
    // refused and its attempt logged.
    let grant = id.as_str();
    let ok = service.record(
        grant,
        &format!("ok-{}", now_ms()),
        json!([{"operation": "Get-Mailbox"}]),
    );
    assert_eq!(ok.status, 201, "{}", ok.body);
    let refused = service.record(
        grant,
        &format!("no-{}", now_ms()),
        json!([{"operation": "Read-Thing", "item": "ceo@contoso.example"}]),
    );
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert_eq!(refused.json()["type"], "/problems/operation-not-granted");
    // The operator route: the same rule.
    let run = |op: &str, params: Value| {
        engineer.post(
            &format!("/api/v1/tenants/{CONTOSO}/services/mail/operations/{op}?request_id={id}"),
            &params,
        )
    };
    let statistics = run(
        "Get-MailboxStatistics",
        json!({"Identity": "ceo@contoso.example"}),
    );
    assert_eq!(statistics.status, 200, "{}", statistics.body);
    let message = run("Get-Message", json!({"Identity": "ceo@contoso.example"}));
    assert_eq!(message.status, 403, "{}", message.body);
    assert_eq!(message.json()["type"], "/problems/operation-not-granted");
    let history = sign_in("admin@contoso.example")
        .get(&format!("/api/v1/requests/{id}"))
        .json()["actions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let refusals: Vec<&Value> = history
        .iter()
        .filter(|r| r["details"]["Outcome"] == "Refused")
        .collect();
    let refused_ops: Vec<&str> = refusals
        .iter()
        .filter_map(|r| r["activity"].as_str())
        .collect();
    assert!(
        refused_ops.contains(&"Read-Thing") && refused_ops.contains(&"Get-Message"),
        "{refusals:?}"
    );
    // An extension asks for fewer, never for more.
    let extend = |ops: Value| {
        engineer.post(
            &format!("/api/v1/requests/{id}/extend"),
            &json!({"minutes": 30, "reason": "Not done yet", "operations": ops}),
        )
    };
    let wider = extend(json!(["Get-Mailbox", "Read-Thing"]));
    assert_eq!(wider.status, 400, "{}", wider.body);
    assert_eq!(wider.json()["type"], "/problems/operation-not-granted");
    let narrower = extend(json!(["Get-Mailbox"]));
    assert_eq!(narrower.status, 201, "{}", narrower.body);
    assert_eq!(narrower.json()["operations"], json!(["Get-Mailbox"]));
}
