//! Notices (SPEC §4a): who is told, in words with no link, delivered once
//! with retries; and the tenants' signed webhooks.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use lockbox_tests::{
    act, eventually, get, open_request, outbox_of, pending_contoso_request, post_json, preapprove,
    shift_request, sign_in, trigger_cron, CONTOSO,
};
use serde_json::{json, Value};

const ENGINEER: &str = "engineer1@provider.example";

/// The e-mails about request `id`, by kind: the recipients.
fn emails_of(id: &str) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in outbox_of(id) {
        if row["channel"] == "email" {
            out.entry(row["kind"].as_str().unwrap_or_default().to_owned())
                .or_default()
                .push(row["recipient"].as_str().unwrap_or_default().to_owned());
        }
    }
    for recipients in out.values_mut() {
        recipients.sort();
    }
    out
}

fn one(recipient: &str) -> Vec<String> {
    vec![recipient.to_owned()]
}

#[test]
fn a_preapproval_for_contoso_tells_each_contoso_admin_and_approver_once_and_nobody_else() {
    let id = pending_contoso_request(30);
    let emails = emails_of(&id);
    assert_eq!(
        emails.get("pending-approval"),
        Some(&vec![
            "admin@contoso.example".to_owned(),
            "approver1@contoso.example".to_owned(),
            "approver2@contoso.example".to_owned(),
        ]),
        "{emails:?}"
    );
    assert_eq!(emails.get("preapproved"), Some(&one(ENGINEER)));
    // The request's opening told the managers other than the requester.
    let managers = emails
        .get("awaiting-preapproval")
        .cloned()
        .unwrap_or_default();
    assert!(
        managers.contains(&"manager@provider.example".to_owned()),
        "{managers:?}"
    );
    assert!(!managers.contains(&ENGINEER.to_owned()), "{managers:?}");
    let everyone: Vec<&String> = emails.values().flatten().collect();
    assert!(
        everyone.iter().all(|r| !r.ends_with("@fabrikam.example")),
        "{everyone:?}"
    );
    let body = outbox_of(&id)
        .into_iter()
        .find(|r| r["kind"] == "pending-approval")
        .map(|r| r["body"].as_str().unwrap_or_default().to_owned())
        .unwrap_or_default();
    for fact in [
        &id as &str,
        "Contoso",
        "mail",
        "30 min",
        "manager[@]provider[.]example",
    ] {
        assert!(body.contains(fact), "{fact} missing from:\n{body}");
    }
    assert!(
        body.contains("Support > Customer Lockbox requests"),
        "{body}"
    );
}

#[test]
fn every_decision_expiry_and_revocation_tells_the_requester() {
    let manager = sign_in("manager@provider.example");
    let approver = sign_in("approver1@contoso.example");
    let engineer = sign_in(ENGINEER);

    let granted = pending_contoso_request(60);
    assert_eq!(
        act(&approver, &granted, "approve", Some("ok, be quick")).status,
        200
    );
    assert_eq!(act(&approver, &granted, "revoke", None).status, 200);
    let emails = emails_of(&granted);
    for kind in ["preapproved", "approved", "revoked"] {
        assert_eq!(emails.get(kind), Some(&one(ENGINEER)), "{kind}: {emails:?}");
    }
    // Provider staff learn the decision and its comment, never who decided.
    for row in outbox_of(&granted) {
        if row["recipient"] == ENGINEER {
            let body = row["body"].as_str().unwrap_or_default();
            assert!(!body.contains("approver1"), "{body}");
        }
    }
    let approved = outbox_of(&granted)
        .into_iter()
        .find(|r| r["kind"] == "approved")
        .unwrap_or_default();
    assert!(approved["body"]
        .as_str()
        .unwrap_or_default()
        .contains("ok, be quick"));

    let rejected = open_request(&engineer, CONTOSO, 30);
    assert_eq!(act(&manager, &rejected, "reject", None).status, 200);
    assert_eq!(emails_of(&rejected).get("rejected"), Some(&one(ENGINEER)));

    let denied = pending_contoso_request(30);
    assert_eq!(act(&approver, &denied, "deny", None).status, 200);
    assert_eq!(emails_of(&denied).get("denied"), Some(&one(ENGINEER)));

    let cancelled = open_request(&engineer, CONTOSO, 30);
    assert_eq!(act(&engineer, &cancelled, "cancel", None).status, 200);
    let told = emails_of(&cancelled);
    assert_eq!(
        told.keys().collect::<Vec<_>>(),
        ["awaiting-preapproval"],
        "{told:?}"
    );

    // Expiry is the scheduled job's: backdate the request past its 12 h.
    let _cron = lockbox_tests::cron_lock();
    let expired = pending_contoso_request(30);
    shift_request(&expired, 13 * 3_600_000);
    // A grant of 10 minutes is within its last 15 minutes from the start.
    let ending = pending_contoso_request(10);
    assert_eq!(act(&approver, &ending, "approve", None).status, 200);
    trigger_cron();
    assert_eq!(emails_of(&expired).get("expired"), Some(&one(ENGINEER)));
    assert_eq!(emails_of(&ending).get("grant-ending"), Some(&one(ENGINEER)));
    // Warned once, however often the job runs.
    trigger_cron();
    assert_eq!(emails_of(&ending).get("grant-ending"), Some(&one(ENGINEER)));
}

#[test]
fn the_scheduled_job_delivers_what_the_first_attempt_failed_and_never_twice() {
    let engineer = sign_in(ENGINEER);
    let id = open_request(&engineer, CONTOSO, 30);
    let failing = post_json(
        "/api/v1/dev/mail-sink/failures",
        &json!({ "request_id": id, "kind": "preapproved", "count": 1 }),
    );
    assert_eq!(failing.status, 204, "{}", failing.body);
    let answer = preapprove(&id);
    assert_eq!(answer.status, 200, "{}", answer.body);

    let notice = |id: &str| {
        outbox_of(id)
            .into_iter()
            .find(|r| r["kind"] == "preapproved")
            .unwrap_or_default()
    };
    // The attempt right after the answer failed, and will be retried.
    let failed = eventually(20, "the first attempt", || {
        let row = notice(&id);
        row["last_error"].is_string().then_some(row)
    });
    assert_eq!(failed["attempts"], 1, "{failed}");
    assert_eq!(failed["status"], "pending", "{failed}");
    assert!(
        failed["last_error"]
            .as_str()
            .unwrap_or_default()
            .contains("on purpose"),
        "{failed}"
    );
    assert_eq!(failed["sink_deliveries"], 0);
    assert!(failed["next_attempt_at"].as_i64() > failed["created_at"].as_i64());

    // Skip the backoff, then let the scheduled job deliver.
    let _cron = lockbox_tests::cron_lock();
    let due = post_json("/api/v1/dev/outbox/due", &json!({ "request_id": id }));
    assert_eq!(due.status, 200, "{}", due.body);
    trigger_cron();
    let delivered = eventually(20, "the retry", || {
        let row = notice(&id);
        (row["status"] == "delivered").then_some(row)
    });
    assert_eq!(delivered["attempts"], 2, "{delivered}");
    trigger_cron();
    // The e-mails (a webhook test running at the same time may have added
    // an endpoint for Contoso, whose rows go to the receiver, not the sink).
    for row in outbox_of(&id)
        .into_iter()
        .filter(|r| r["channel"] == "email")
    {
        assert_eq!(row["status"], "delivered", "{row}");
        assert_eq!(row["sink_deliveries"], 1, "sent once: {row}");
    }
}

#[test]
fn a_reason_full_of_links_gives_e_mails_with_none() {
    let engineer = sign_in(ENGINEER);
    let reason = "Log in at https://evil.example/login or http://192.0.2.1/x, \
                  <a href=\"https://phish.example\">here</a>, javascript:alert(document.cookie), \
                  www.evil.example, WWW.EVIL.EXAMPLE/path, mail support@evil.example, \
                  ht\u{200B}tps://hidden.example, \u{202E}moc.live//:sptth\u{202C} and evil\u{3002}example";
    let answer = engineer.post(
        "/api/v1/requests",
        &json!({
            "tenant_id": CONTOSO,
            "service": "mail",
            "ticket": "www.evil.example/SR-1",
            "reason": reason,
            "duration_minutes": 30,
            "operations": lockbox_tests::operations_of("mail"),
        }),
    );
    assert_eq!(answer.status, 201, "{}", answer.body);
    let id = answer.json()["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(preapprove(&id).status, 200);
    let mut finder = linkify::LinkFinder::new();
    finder.url_must_have_scheme(false);
    // The e-mails (a webhook another test has subscribed meanwhile names
    // its event, `request.pending`, which reads as a host name).
    let rows: Vec<_> = outbox_of(&id)
        .into_iter()
        .filter(|row| row["channel"] == "email")
        .collect();
    assert!(rows.len() >= 4, "{rows:?}");
    for row in rows {
        for field in ["subject", "body"] {
            let text = row[field].as_str().unwrap_or_default();
            let links: Vec<&str> = finder.links(text).map(|l| l.as_str()).collect();
            assert!(
                links.is_empty(),
                "{} {field} has links {links:?}:\n{text}",
                row["kind"]
            );
            assert!(
                !text.contains('\u{202E}') && !text.contains('\u{200B}'),
                "{text}"
            );
        }
        let body = row["body"].as_str().unwrap_or_default();
        assert!(body.contains("hxxps[:]//evil[.]example/login"), "{body}");
    }
}

/// One delivery the receiver got: its headers, body, and what it answered.
#[derive(Debug, Clone)]
struct Received {
    headers: ureq::http::HeaderMap,
    body: String,
    status: u16,
}

/// What the receiver got, shared with the test.
type Log = Arc<Mutex<Vec<Received>>>;

/// A webhook receiver on 127.0.0.1: answers 500 to the first `failures`
/// deliveries about `request` (and 200 to everything else), and keeps what
/// it got. Runs until the test ends.
fn receiver(failures: usize) -> (String, Log, Arc<Mutex<String>>) {
    let (server, port) = lockbox_tests::local_server();
    let got: Log = Arc::default();
    let watched: Arc<Mutex<String>> = Arc::default();
    let (log, request_id) = (got.clone(), watched.clone());
    std::thread::spawn(move || {
        let mut failed = 0;
        for mut request in server.incoming_requests() {
            let mut body = String::new();
            let _ = request.as_reader().read_to_string(&mut body);
            let mut headers = ureq::http::HeaderMap::new();
            for h in request.headers() {
                if let (Ok(name), Ok(value)) = (
                    ureq::http::HeaderName::from_bytes(h.field.as_str().as_str().as_bytes()),
                    ureq::http::HeaderValue::from_str(h.value.as_str()),
                ) {
                    headers.insert(name, value);
                }
            }
            let ours = {
                let id = request_id.lock().map(|s| s.clone()).unwrap_or_default();
                !id.is_empty() && body.contains(&id)
            };
            let status = if ours && failed < failures {
                failed += 1;
                500
            } else {
                200
            };
            if let Ok(mut log) = log.lock() {
                log.push(Received {
                    headers,
                    body,
                    status,
                });
            }
            let _ = request.respond(tiny_http::Response::empty(status));
        }
    });
    (
        format!("http://127.0.0.1:{port}/lockbox-hook"),
        got,
        watched,
    )
}

#[test]
fn webhooks_are_signed_delivered_once_each_and_survive_a_receiver_failing_twice() {
    let admin = sign_in("admin@contoso.example");
    let (url, got, watched) = receiver(2);

    // Only https in a deployment; the loopback http of this test only here.
    let refused = admin.post(
        "/api/v1/settings/notifications/webhooks",
        &json!({ "url": "http://hooks.example/x" }),
    );
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(refused.body.contains("https://"), "{}", refused.body);
    let unknown = admin.post(
        "/api/v1/settings/notifications/webhooks",
        &json!({ "url": url, "events": ["request.exploded"] }),
    );
    assert_eq!(unknown.status, 400, "{}", unknown.body);
    assert!(unknown.body.contains("request.pending"), "{}", unknown.body);

    let created = admin.post(
        "/api/v1/settings/notifications/webhooks",
        &json!({ "url": url }),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let created = created.json();
    let endpoint = created["endpoint"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let secret = created["secret"].as_str().unwrap_or_default().to_owned();
    assert!(secret.starts_with("whsec_"), "{created}");

    // A request through its whole life, with one operator action.
    let engineer = sign_in(ENGINEER);
    let id = open_request(&engineer, CONTOSO, 30);
    if let Ok(mut w) = watched.lock() {
        *w = id.clone();
    }
    assert_eq!(preapprove(&id).status, 200);
    let approver = sign_in("approver2@contoso.example");
    assert_eq!(act(&approver, &id, "approve", None).status, 200);
    let ran = engineer.post(
        &format!("/api/v1/tenants/{CONTOSO}/services/mail/operations/Get-Mailbox?request_id={id}"),
        &json!({}),
    );
    assert_eq!(ran.status, 200, "{}", ran.body);
    assert_eq!(act(&approver, &id, "revoke", None).status, 200);

    let expected: BTreeSet<&str> = [
        "request.pending",
        "request.decided",
        "grant.started",
        "operator.action",
        "grant.ended",
    ]
    .into();
    let accepted = |got: &Log| -> Vec<Received> {
        got.lock()
            .map(|g| {
                g.iter()
                    .filter(|r| r.status == 200 && r.body.contains(&id))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    };
    let _cron = lockbox_tests::cron_lock();
    eventually(60, "every event accepted", || {
        let types: BTreeSet<String> = accepted(&got)
            .iter()
            .filter_map(|r| serde_json::from_str::<Value>(&r.body).ok())
            .filter_map(|v| v["type"].as_str().map(str::to_owned))
            .collect();
        if types.iter().map(String::as_str).collect::<BTreeSet<_>>() == expected {
            return Some(());
        }
        // Retries wait out a backoff: make them due and run the job.
        post_json("/api/v1/dev/outbox/due", &json!({ "request_id": id }));
        trigger_cron();
        None
    });
    trigger_cron();

    let webhook = standardwebhooks::Webhook::new(&secret).expect("the secret is well-formed");
    let mut ids = BTreeSet::new();
    for r in accepted(&got) {
        webhook
            .verify(r.body.as_bytes(), &r.headers)
            .unwrap_or_else(|e| panic!("signature refused ({e:?}): {}", r.body));
        let message = r.headers.get("webhook-id").and_then(|v| v.to_str().ok());
        assert!(
            ids.insert(message.unwrap_or_default().to_owned()),
            "delivered twice: {}",
            r.body
        );
        let links: Vec<String> = linkify::LinkFinder::new()
            .links(&r.body)
            .map(|l| l.as_str().to_owned())
            .collect();
        assert!(links.is_empty(), "{links:?} in {}", r.body);
    }
    assert_eq!(ids.len(), expected.len(), "each event once");
    let refused_twice = got
        .lock()
        .map(|g| g.iter().filter(|r| r.status == 500).count())
        .unwrap_or_default();
    assert_eq!(refused_twice, 2);
    // A forged delivery is refused by the same library.
    let forged = accepted(&got)[0].clone();
    assert!(webhook
        .verify(
            forged.body.replacen('{', "{ ", 1).as_bytes(),
            &forged.headers
        )
        .is_err());

    // The delivery log shows the endpoint's deliveries; removing it is
    // audited like adding it. Other tests' requests in Contoso keep adding
    // events for this endpoint: its latest one may still wait for delivery
    // (after their answers, or the scheduled job, which is run here).
    let listed = eventually(30, "the endpoint's latest delivery succeeded", || {
        let settings = admin.get("/api/v1/settings/notifications");
        assert_eq!(settings.status, 200, "{}", settings.body);
        assert!(!settings.body.contains(&secret));
        let listed = settings.json()["endpoints"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .find(|e| e["id"] == endpoint.as_str())
            .unwrap_or_default();
        if listed["last_attempt_status"] == "delivered" {
            return Some(listed);
        }
        trigger_cron();
        None
    });
    assert!(listed["delivered"].as_i64() >= Some(5), "{listed}");
    let removed = admin.delete(&format!(
        "/api/v1/settings/notifications/webhooks/{endpoint}"
    ));
    assert_eq!(removed.status, 204, "{}", removed.body);
    let again = admin.delete(&format!(
        "/api/v1/settings/notifications/webhooks/{endpoint}"
    ));
    assert_eq!(again.status, 404, "{}", again.body);
    let log = lockbox_tests::audit_rows(CONTOSO, &endpoint);
    let activities: Vec<&str> = log.iter().filter_map(|r| r["activity"].as_str()).collect();
    assert_eq!(
        activities,
        [
            "New-LockboxWebhookEndpoint",
            "Remove-LockboxWebhookEndpoint"
        ],
        "{log:?}"
    );
    let _ = get("/api/v1/health");
}

#[test]
fn switching_lockbox_and_changing_roles_tell_the_tenants_global_admins() {
    let admin = sign_in("admin@contoso.example");
    // approver2 may already read the log: the extra role changes nothing
    // another test could see.
    let assigned = admin.post(
        "/api/v1/roles/assign",
        &json!({ "email": "approver2@contoso.example", "role": "auditor" }),
    );
    assert_eq!(assigned.status, 200, "{}", assigned.body);
    let removed = admin.post(
        "/api/v1/roles/remove",
        &json!({ "email": "approver2@contoso.example", "role": "auditor" }),
    );
    assert_eq!(removed.status, 200, "{}", removed.body);
    let recent = get("/api/v1/dev/outbox?limit=500").json()["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for kind in ["role-assigned", "role-removed"] {
        let rows: Vec<&Value> = recent
            .iter()
            .filter(|r| {
                r["kind"] == kind
                    && r["body"]
                        .as_str()
                        .unwrap_or_default()
                        .contains("approver2[@]contoso[.]example")
            })
            .collect();
        assert!(!rows.is_empty(), "no {kind} notice");
        assert!(
            rows.iter()
                .all(|r| r["recipient"] == "admin@contoso.example"),
            "{rows:?}"
        );
    }
    // The tenant's admins see the e-mails to their people in the log.
    let settings = admin.get("/api/v1/settings/notifications");
    assert_eq!(settings.status, 200, "{}", settings.body);
    assert!(settings.body.contains("role-removed"), "{}", settings.body);
    // Fabrikam's switch, off and on again: its admin is told each time.
    {
        let _switch = lockbox_tests::switch_lock();
        let fabrikam = sign_in("admin@fabrikam.example");
        let before = get("/api/v1/dev/outbox?limit=500").json()["items"]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter(|r| r["kind"] == "lockbox-switched")
                    .count()
            })
            .unwrap_or_default();
        let now = fabrikam.get("/api/v1/settings/lockbox").json()["enabled"] == true;
        for enabled in [!now, now] {
            let answer = fabrikam.post("/api/v1/settings/lockbox", &json!({ "enabled": enabled }));
            assert_eq!(answer.status, 200, "{}", answer.body);
        }
        let rows: Vec<Value> = get("/api/v1/dev/outbox?limit=500").json()["items"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|r| r["kind"] == "lockbox-switched")
            .collect();
        assert_eq!(rows.len(), before + 2, "{rows:?}");
        assert!(
            rows[..2]
                .iter()
                .all(|r| r["recipient"] == "admin@fabrikam.example"),
            "{rows:?}"
        );
    }
    // An approver may not manage notifications.
    let approver = sign_in("approver1@contoso.example").get("/api/v1/settings/notifications");
    assert_eq!(approver.status, 403, "{}", approver.body);
}

/// A receiver on 127.0.0.1 that answers every delivery with `status` and
/// `headers` after `delay`.
fn troubled_receiver(
    status: u16,
    headers: &'static [(&'static str, &'static str)],
    delay: std::time::Duration,
) -> String {
    let (server, port) = lockbox_tests::local_server();
    std::thread::spawn(move || {
        for request in server.incoming_requests() {
            std::thread::spawn(move || {
                std::thread::sleep(delay);
                let mut response = tiny_http::Response::empty(status);
                for (name, value) in headers {
                    if let Ok(header) = tiny_http::Header::from_bytes(*name, *value) {
                        response.add_header(header);
                    }
                }
                let _ = request.respond(response);
            });
        }
    });
    format!("http://127.0.0.1:{port}/lockbox-hook")
}

/// Endpoints that answer 429 with `Retry-After`, hang for 30 s, or are not
/// there: the change that caused the deliveries answers at once, each
/// failed attempt says why, and the next waits at least as long as the
/// receiver asked (and the backoff).
#[test]
fn slow_refusing_and_missing_endpoints_never_hold_a_change_and_are_retried_as_asked() {
    let admin = sign_in("admin@fabrikam.example");
    let at_once = std::time::Duration::ZERO;
    let endpoints = [
        (
            troubled_receiver(429, &[("Retry-After", "120")], at_once),
            "asked to wait 120 s",
        ),
        (
            troubled_receiver(200, &[], std::time::Duration::from_secs(30)),
            "did not answer within 10 s",
        ),
        // A port nobody listens on (taken, then let go).
        (
            {
                let free = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
                let port = free.local_addr().map(|a| a.port()).unwrap_or_default();
                drop(free);
                format!("http://127.0.0.1:{port}/gone")
            },
            "could not be reached",
        ),
    ];
    let mut ids = BTreeMap::new();
    for (url, why) in &endpoints {
        let created = admin.post(
            "/api/v1/settings/notifications/webhooks",
            // Whichever the tenant's switch makes the pre-approval send.
            &json!({ "url": url, "events": ["request.pending", "grant.started"] }),
        );
        assert_eq!(created.status, 201, "{}", created.body);
        let id = created.json()["endpoint"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        ids.insert(id, *why);
    }
    let engineer = sign_in(ENGINEER);
    let started = std::time::Instant::now();
    let request = open_request(&engineer, lockbox_tests::FABRIKAM, 30);
    assert_eq!(preapprove(&request).status, 200);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "the changes waited for the endpoints: {:?}",
        started.elapsed()
    );
    let rows = eventually(40, "each endpoint's first attempt failed", || {
        let mut rows: BTreeMap<String, Value> = BTreeMap::new();
        for row in outbox_of(&request) {
            let to = row["recipient"].as_str().unwrap_or_default().to_owned();
            if ids.contains_key(&to) && row["attempts"] == 1 && row["last_error"].is_string() {
                rows.insert(to, row);
            }
        }
        (rows.len() == ids.len()).then_some(rows.into_values().collect::<Vec<_>>())
    });
    for row in rows {
        let why = ids[row["recipient"].as_str().unwrap_or_default()];
        let error = row["last_error"].as_str().unwrap_or_default();
        assert!(error.contains(why), "{why:?} not in {row}");
        assert_eq!(row["status"], "pending", "{row}");
        if why.contains("120 s") {
            assert_eq!(row["last_status"], 429, "{row}");
            let wait = row["next_attempt_at"].as_i64().unwrap_or_default()
                - row["created_at"].as_i64().unwrap_or_default();
            assert!(wait >= 120_000, "the next attempt in {wait} ms: {row}");
        }
    }
    for id in ids.keys() {
        let removed = admin.delete(&format!("/api/v1/settings/notifications/webhooks/{id}"));
        assert_eq!(removed.status, 204, "{}", removed.body);
    }
}

#[test]
fn a_rotated_secret_signs_beside_the_old_one_for_a_day_and_each_signature_is_named() {
    let admin = sign_in("admin@contoso.example");
    let (url, got, watched) = receiver(0);
    let created = admin.post(
        "/api/v1/settings/notifications/webhooks",
        &json!({ "url": url, "events": ["request.pending"] }),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let created = created.json();
    let endpoint = created["endpoint"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let (old, old_id) = (
        created["secret"].as_str().unwrap_or_default().to_owned(),
        created["secret_id"].as_str().unwrap_or_default().to_owned(),
    );
    assert_eq!(old_id.len(), 8, "{created}");

    // Only the tenant's global admin, only its endpoints, only `{}`.
    let path = format!("/api/v1/settings/notifications/webhooks/{endpoint}/rotate-secret");
    let approver = sign_in("approver1@contoso.example");
    assert_eq!(approver.post(&path, &json!({})).status, 403);
    let other = sign_in(lockbox_tests::admin_of(lockbox_tests::FABRIKAM));
    let elsewhere = other.post(&path, &json!({}));
    assert_eq!(elsewhere.status, 404, "{}", elsewhere.body);
    let missing = admin.post(
        "/api/v1/settings/notifications/webhooks/no-such-endpoint/rotate-secret",
        &json!({}),
    );
    assert_eq!(missing.status, 404, "{}", missing.body);
    assert!(
        missing.body.contains("no-such-endpoint"),
        "{}",
        missing.body
    );
    let list = admin.post(&path, &json!([]));
    assert_eq!(list.status, 400, "{}", list.body);

    let before = lockbox_tests::now_ms();
    let rotated = admin.post(&path, &json!({}));
    assert_eq!(rotated.status, 200, "{}", rotated.body);
    let rotated = rotated.json();
    let (new, new_id) = (
        rotated["secret"].as_str().unwrap_or_default().to_owned(),
        rotated["secret_id"].as_str().unwrap_or_default().to_owned(),
    );
    assert!(new.starts_with("whsec_") && new != old, "{rotated}");
    assert_ne!(new_id, old_id);
    let until = rotated["previous_valid_until"].as_i64().unwrap_or_default();
    let day = 24 * 60 * 60 * 1000;
    assert!(
        (before + day..=lockbox_tests::now_ms() + day).contains(&until),
        "{rotated}"
    );
    let audited = lockbox_tests::audit_rows(CONTOSO, &endpoint);
    assert!(
        audited
            .iter()
            .any(|r| r["activity"] == "Reset-LockboxWebhookEndpointSecret"
                && r["user"] == "admin@contoso.example"),
        "{audited:?}"
    );

    // The next delivery: signed with both, each named; either secret alone
    // verifies it with the Standard Webhooks library.
    let id = open_request(&sign_in(ENGINEER), CONTOSO, 30);
    if let Ok(mut w) = watched.lock() {
        *w = id.clone();
    }
    assert_eq!(preapprove(&id).status, 200);
    let delivery = eventually(60, "the pending event delivered", || {
        got.lock()
            .ok()
            .and_then(|g| g.iter().find(|r| r.body.contains(&id)).cloned())
    });
    let header = |name: &str| {
        delivery
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(
        header("webhook-signature").split(' ').count(),
        2,
        "{:?}",
        delivery.headers
    );
    assert_eq!(
        header("lockbox-webhook-secret-ids"),
        format!("{new_id} {old_id}")
    );
    for secret in [&new, &old] {
        standardwebhooks::Webhook::new(secret)
            .expect("a secret")
            .verify(delivery.body.as_bytes(), &delivery.headers)
            .unwrap_or_else(|e| panic!("{secret} does not verify it: {e:?}"));
    }
    let stranger =
        standardwebhooks::Webhook::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").expect("a secret");
    assert!(stranger
        .verify(delivery.body.as_bytes(), &delivery.headers)
        .is_err());
    let removed = admin.delete(&format!(
        "/api/v1/settings/notifications/webhooks/{endpoint}"
    ));
    assert_eq!(removed.status, 204, "{}", removed.body);
}
