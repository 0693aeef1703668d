//! The request lifecycle through HTTP, as the demo identities.

use std::thread;

use lockbox_tests::{
    act, client, get, now_ms, open_request, pending_contoso_request, read, request_audit,
    shift_request, sign_in, trigger_cron, url, CONTOSO, FABRIKAM,
};
use serde_json::json;

fn details(row: &serde_json::Value) -> serde_json::Value {
    row["details"].clone()
}

/// Whether `id` is in `session`'s request list (its first page, newest first).
fn listed(session: &lockbox_tests::Session, id: &str) -> bool {
    let page = session.get("/api/v1/requests?limit=200");
    assert_eq!(page.status, 200, "{}", page.body);
    page.json()["items"]
        .as_array()
        .is_some_and(|items| items.iter().any(|r| r["id"] == id))
}

#[test]
fn a_request_rejected_or_cancelled_before_preapproval_never_reaches_the_customer() {
    let engineer = sign_in("engineer1@provider.example");
    let manager = sign_in("manager@provider.example");
    let approver = sign_in("approver1@contoso.example");
    let rejected = open_request(&engineer, CONTOSO, 30);
    assert_eq!(act(&manager, &rejected, "reject", Some("No")).status, 200);
    let cancelled = open_request(&engineer, CONTOSO, 30);
    assert_eq!(act(&engineer, &cancelled, "cancel", None).status, 200);
    for id in [&rejected, &cancelled] {
        assert!(!listed(&approver, id), "{id} listed to the customer");
        assert_eq!(approver.get(&format!("/api/v1/requests/{id}")).status, 404);
        assert!(
            listed(&engineer, id),
            "{id} missing from the engineer's list"
        );
    }
    assert!(
        listed(&manager, &rejected),
        "the manager's rejection is not in their list"
    );
}

#[test]
fn the_whole_lifecycle_with_lockbox_on() {
    let engineer = sign_in("engineer1@provider.example");
    let id = open_request(&engineer, CONTOSO, 60);

    // Not yet pre-approved: still the provider's; the customer neither
    // sees it nor can decide it.
    let approver = sign_in("approver1@contoso.example");
    let early = act(&approver, &id, "approve", None);
    assert_eq!(early.status, 404, "{}", early.body);
    assert_eq!(approver.get(&format!("/api/v1/requests/{id}")).status, 404);
    assert!(
        !listed(&approver, &id),
        "listed to the customer before pre-approval"
    );

    let manager = sign_in("manager@provider.example");
    let preapproved = act(&manager, &id, "preapprove", Some("Ticket checked")).json();
    assert!(
        listed(&approver, &id),
        "not listed to the customer once pending"
    );
    assert_eq!(approver.get(&format!("/api/v1/requests/{id}")).status, 200);
    // The manager's own list holds what they decided.
    assert!(
        listed(&manager, &id),
        "not in the list of the manager who decided it"
    );
    assert_eq!(preapproved["effective_state"], "PendingCustomerApproval");
    let expires = preapproved["pending_expires_at"].as_i64().expect("expiry");
    let now = now_ms();
    assert!(
        (expires - now - 12 * 3_600_000).abs() < 60_000,
        "expires 12 h after pre-approval"
    );

    // The customer sees it in their list, filtered by status.
    let listed = approver
        .get("/api/v1/requests?status=PendingCustomerApproval")
        .json();
    assert!(listed["items"]
        .as_array()
        .expect("items")
        .iter()
        .any(|r| r["id"] == id));

    let check = |s: &lockbox_tests::Session| {
        s.get(&format!(
            "/api/v1/access/check?tenant={CONTOSO}&service=mail"
        ))
        .json()
    };
    let before = check(&engineer);
    assert!(
        before["request_id"] != json!(id),
        "no access before approval"
    );

    let approved = act(&approver, &id, "approve", Some("Go ahead")).json();
    assert_eq!(approved["effective_state"], "Approved");
    let starts = approved["grant_starts_at"].as_i64().expect("start");
    let ends = approved["grant_ends_at"].as_i64().expect("end");
    assert_eq!(ends - starts, 60 * 60_000);

    let live = check(&engineer);
    assert_eq!(live["access"], true, "{live}");
    assert_eq!(live["request_id"], id.as_str());
    // The other engineer holds nothing through this request.
    let other = check(&sign_in("engineer2@provider.example"));
    assert_ne!(other["request_id"], id.as_str());

    let revoked = act(
        &sign_in("approver2@contoso.example"),
        &id,
        "revoke",
        Some("Done early"),
    );
    assert_eq!(revoked.status, 200, "{}", revoked.body);
    assert_eq!(revoked.json()["effective_state"], "Revoked");
    let detail = approver.get(&format!("/api/v1/requests/{id}")).json();
    let history = detail["history"].as_array().expect("history");
    let activities: Vec<&str> = history
        .iter()
        .map(|h| h["activity"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        activities,
        [
            "New-AccessToCustomerDataRequest",
            "PreApprove-AccessToCustomerDataRequest",
            "Set-AccessToCustomerDataRequest",
            "Revoke-AccessToCustomerDataRequest",
            // The end of the grant, written with the revocation.
            "End-CustomerDataAccess"
        ]
    );
    // The customer decision: service account as user, approver in details.
    let decision = &history[2];
    assert_eq!(decision["user"], "lockbox-service@lockbox.example");
    assert_eq!(decision["item"], id);
    assert_eq!(decision["details"]["ApprovalDecision"], "Approve");
    assert_eq!(decision["details"]["Approver"], "approver1@contoso.example");
    assert_eq!(decision["details"]["Comment"], "Go ahead");

    // Terminal states never change again.
    assert_eq!(act(&approver, &id, "approve", None).status, 409);
    assert_eq!(act(&engineer, &id, "cancel", None).status, 409);
}

/// A decision on a tenant in D1 waits for two database round trips (its
/// Server-Timing counts them): one read (the caller, the provider's index,
/// the request and its tenant) and one write (the decision with its
/// records, notices and the index's copy).
#[test]
fn a_decision_takes_one_read_and_one_write_of_the_database() {
    let id = pending_contoso_request(30);
    let approved = act(&sign_in("approver1@contoso.example"), &id, "approve", None);
    assert_eq!(approved.status, 200, "{}", approved.body);
    let timing = approved.header("server-timing").unwrap_or_default();
    assert!(timing.starts_with("db;desc=\"2 calls\";dur="), "{timing}");
}

#[test]
fn a_deny_with_a_comment_is_recorded_as_the_customer_decision() {
    let id = pending_contoso_request(30);
    let denied = act(
        &sign_in("admin@contoso.example"),
        &id,
        "deny",
        Some("Not during quarter close"),
    );
    assert_eq!(denied.status, 200, "{}", denied.body);
    assert_eq!(denied.json()["effective_state"], "Denied");
    let rows = request_audit(CONTOSO, &id);
    let decision = rows
        .iter()
        .find(|r| r["activity"] == "Set-AccessToCustomerDataRequest")
        .expect("decision");
    let d = details(decision);
    assert_eq!(d["ApprovalDecision"], "Deny");
    assert_eq!(d["Comment"], "Not during quarter close");
    assert_eq!(d["Approver"], "admin@contoso.example");
}

#[test]
fn with_lockbox_off_the_grant_starts_at_preapproval_and_the_log_says_so() {
    let _switch = lockbox_tests::switch_lock();
    let id = open_request(&sign_in("engineer2@provider.example"), FABRIKAM, 15);
    let preapproved = act(
        &sign_in("manager@provider.example"),
        &id,
        "preapprove",
        None,
    );
    assert_eq!(preapproved.status, 200, "{}", preapproved.body);
    let body = preapproved.json();
    assert_eq!(body["effective_state"], "Approved");
    assert_eq!(body["lockbox_required"], false);
    let rows = request_audit(FABRIKAM, &id);
    let d = details(
        rows.iter()
            .find(|r| r["activity"] == "PreApprove-AccessToCustomerDataRequest")
            .expect("row"),
    );
    assert_eq!(d["CustomerApprovalRequired"], "False");
    assert!(
        d["Note"]
            .as_str()
            .unwrap_or_default()
            .contains("Lockbox is off"),
        "{d}"
    );
    let check = sign_in("engineer2@provider.example")
        .get(&format!(
            "/api/v1/access/check?tenant={FABRIKAM}&service=mail"
        ))
        .json();
    assert_eq!(check["access"], true);
}

#[test]
fn nobody_decides_their_own_request_even_holding_both_provider_roles() {
    // lead@ is both engineer and manager: they may pre-approve others'
    // requests, never their own.
    let lead = sign_in("lead@provider.example");
    let own = open_request(&lead, CONTOSO, 30);
    for verb in ["preapprove", "reject"] {
        let answer = act(&lead, &own, verb, None);
        assert_eq!(answer.status, 403, "{verb} of own request: {}", answer.body);
        assert!(answer.json()["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("another person"));
    }
    let by_manager = act(
        &sign_in("manager@provider.example"),
        &own,
        "preapprove",
        None,
    );
    assert_eq!(by_manager.status, 200, "{}", by_manager.body);
    let others = open_request(&sign_in("engineer1@provider.example"), CONTOSO, 30);
    let by_lead = act(&lead, &others, "preapprove", None);
    assert_eq!(by_lead.status, 200, "{}", by_lead.body);
}

#[test]
fn engineers_cannot_preapprove_and_managers_cannot_open_requests() {
    let id = open_request(&sign_in("engineer1@provider.example"), CONTOSO, 30);
    let by_engineer = act(
        &sign_in("engineer1@provider.example"),
        &id,
        "preapprove",
        None,
    );
    assert_eq!(by_engineer.status, 403, "{}", by_engineer.body);
    let by_manager_create = sign_in("manager@provider.example").post(
        "/api/v1/requests",
        &json!({"tenant_id": CONTOSO, "service": "mail", "ticket": "SR-1", "reason": "x", "duration_minutes": 5, "operations": ["Get-Mailbox"]}),
    );
    assert_eq!(by_manager_create.status, 403);
}

#[test]
fn a_stale_decision_gets_409_with_the_current_state() {
    let id = pending_contoso_request(30);
    assert_eq!(
        act(&sign_in("approver1@contoso.example"), &id, "approve", None).status,
        200
    );
    let stale = act(&sign_in("approver2@contoso.example"), &id, "deny", None);
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert_eq!(stale.content_type, "application/problem+json");
    let problem = stale.json();
    assert_eq!(problem["current_state"], "Approved");
    assert!(problem["detail"]
        .as_str()
        .unwrap_or_default()
        .contains("already"));
}

#[test]
fn fifty_concurrent_approvals_give_one_200_and_one_audit_record() {
    let id = pending_contoso_request(30);
    let approvers = [
        sign_in("approver1@contoso.example"),
        sign_in("approver2@contoso.example"),
        sign_in("admin@contoso.example"),
    ];
    let handles: Vec<_> = (0..50)
        .map(|i| {
            let session = approvers[i % approvers.len()].clone();
            let id = id.clone();
            thread::spawn(move || act(&session, &id, "approve", None).status)
        })
        .collect();
    let statuses: Vec<u16> = handles
        .into_iter()
        .map(|h| h.join().expect("thread"))
        .collect();
    let ok = statuses.iter().filter(|s| **s == 200).count();
    let conflicts = statuses.iter().filter(|s| **s == 409).count();
    assert_eq!((ok, conflicts), (1, 49), "{statuses:?}");
    let decisions = request_audit(CONTOSO, &id)
        .into_iter()
        .filter(|r| r["activity"] == "Set-AccessToCustomerDataRequest")
        .count();
    assert_eq!(decisions, 1);
}

#[test]
fn the_same_idempotency_key_twice_has_one_effect_and_the_same_answer() {
    let id = pending_contoso_request(30);
    let approver = sign_in("approver1@contoso.example");
    let key = format!("tap-{}", now_ms());
    let send = || {
        read(
            client()
                .post(url(&format!("/api/v1/requests/{id}/approve")))
                .header("Cookie", &approver.cookie)
                .header("Idempotency-Key", &key)
                .send_json(json!({ "comment": "double tap" })),
        )
    };
    let first = send();
    let second = send();
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(second.status, 200, "{}", second.body);
    assert_eq!(
        first.json()["grant_ends_at"],
        second.json()["grant_ends_at"]
    );
    let decisions = request_audit(CONTOSO, &id)
        .into_iter()
        .filter(|r| r["activity"] == "Set-AccessToCustomerDataRequest")
        .count();
    assert_eq!(decisions, 1);

    // The same key on another request is refused, not replayed.
    let other = pending_contoso_request(30);
    let reused = read(
        client()
            .post(url(&format!("/api/v1/requests/{other}/approve")))
            .header("Cookie", &approver.cookie)
            .header("Idempotency-Key", &key)
            .send_json(json!({})),
    );
    assert_eq!(reused.status, 422, "{}", reused.body);
}

#[test]
fn a_request_created_twice_with_one_idempotency_key_is_made_once() {
    let engineer = sign_in("engineer1@provider.example");
    let key = format!("create-{}", now_ms());
    let body = json!({
        "tenant_id": CONTOSO,
        "service": "mail",
        "ticket": format!("SR-KEY-{}", now_ms()),
        "reason": "A lost answer, sent again.",
        "duration_minutes": 30,
        "operations": lockbox_tests::operations_of("mail"),
    });
    let send = |body: &serde_json::Value| {
        read(
            client()
                .post(url("/api/v1/requests"))
                .header("Cookie", &engineer.cookie)
                .header("Idempotency-Key", &key)
                .send_json(body),
        )
    };
    let first = send(&body);
    assert_eq!(first.status, 201, "{}", first.body);
    let second = send(&body);
    assert_eq!(second.status, 200, "{}", second.body);
    assert_eq!(second.header("lockbox-replayed"), Some("true"));
    assert_eq!(first.json()["id"], second.json()["id"], "the same request");
    // The same ask, written with other spaces, is still the same ask.
    let mut spaced = body.clone();
    spaced["reason"] = json!("  A lost answer, sent again.\r\n");
    let third = send(&spaced);
    assert_eq!(third.status, 200, "{}", third.body);
    assert_eq!(third.json()["id"], first.json()["id"]);
    let id = first.json()["id"].as_str().unwrap_or_default().to_owned();
    let created = lockbox_tests::audit_rows(CONTOSO, &id)
        .into_iter()
        .filter(|r| r["activity"] == "New-AccessToCustomerDataRequest")
        .count();
    assert_eq!(created, 1, "one creation in the log");
    // The same key for another ask is refused; another person's same key
    // is theirs alone.
    let mut other = body.clone();
    other["duration_minutes"] = json!(45);
    let reused = send(&other);
    assert_eq!(reused.status, 422, "{}", reused.body);
    let colleague = read(
        client()
            .post(url("/api/v1/requests"))
            .header("Cookie", &sign_in("engineer2@provider.example").cookie)
            .header("Idempotency-Key", &key)
            .send_json(&body),
    );
    assert_eq!(colleague.status, 201, "{}", colleague.body);
    assert_ne!(colleague.json()["id"], first.json()["id"]);
}

#[test]
fn the_requester_cancels_and_nobody_else_can() {
    let id = pending_contoso_request(30);
    // Another engineer may not see the request at all: the same 404 as for
    // a request that does not exist.
    let by_other = act(&sign_in("engineer2@provider.example"), &id, "cancel", None);
    assert_eq!(by_other.status, 404, "{}", by_other.body);
    let missing = act(
        &sign_in("engineer2@provider.example"),
        "00000000-0000-4000-8000-000000000000",
        "cancel",
        None,
    );
    assert_eq!(missing.status, 404);
    assert_eq!(
        by_other.json()["detail"]
            .as_str()
            .map(|d| d.replace(&id, "ID")),
        missing.json()["detail"]
            .as_str()
            .map(|d| d.replace("00000000-0000-4000-8000-000000000000", "ID")),
        "the two 404s must not be told apart"
    );
    let cancelled = act(
        &sign_in("engineer1@provider.example"),
        &id,
        "cancel",
        Some("Solved without access"),
    );
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);
    assert_eq!(cancelled.json()["effective_state"], "Cancelled");
    let rows = request_audit(CONTOSO, &id);
    let record = rows
        .iter()
        .find(|r| r["activity"] == "Cancel-AccessToCustomerDataRequest")
        .expect("the cancellation is audited");
    assert_eq!(record["user"], "engineer1@provider.example");
    assert_eq!(record["details"]["Comment"], "Solved without access");
}

#[test]
fn a_backdated_grant_is_refused_by_the_access_check_before_the_sweep_runs() {
    let _cron = lockbox_tests::cron_lock();
    let engineer = sign_in("engineer2@provider.example");
    let id = open_request(&engineer, CONTOSO, 10);
    assert_eq!(
        act(
            &sign_in("manager@provider.example"),
            &id,
            "preapprove",
            None
        )
        .status,
        200
    );
    assert_eq!(
        act(&sign_in("approver1@contoso.example"), &id, "approve", None).status,
        200
    );
    let check = || {
        engineer
            .get(&format!(
                "/api/v1/access/check?tenant={CONTOSO}&service=mail"
            ))
            .json()
    };
    assert_eq!(check()["request_id"], id);

    // Time travel: everything happened 10 minutes and 1 ms earlier, so the
    // 10-minute grant ended a millisecond ago; no sweep has run.
    let shifted = shift_request(&id, 10 * 60_000 + 1);
    assert!(shifted["grant_ends_at"].as_i64().expect("end") < now_ms());
    let after = check();
    assert_ne!(
        after["request_id"], id,
        "an ended grant still opened content: {after}"
    );
    let view = sign_in("approver1@contoso.example")
        .get(&format!("/api/v1/requests/{id}"))
        .json();
    assert_eq!(view["state"], "Approved", "the sweep had not run");
    assert_eq!(view["effective_state"], "Completed");
    assert_eq!(
        act(&sign_in("approver1@contoso.example"), &id, "revoke", None).status,
        409
    );

    // The sweep then writes it, once, however often it runs.
    trigger_cron();
    trigger_cron();
    let rows: Vec<_> = request_audit(CONTOSO, &id)
        .into_iter()
        .filter(|r| r["activity"] == "Complete-AccessToCustomerDataRequest")
        .collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["user"], "lockbox-service@lockbox.example");
}

#[test]
fn an_overdue_pending_request_expires_and_the_sweep_twice_writes_one_record() {
    let _cron = lockbox_tests::cron_lock();
    let id = pending_contoso_request(30);
    shift_request(&id, 12 * 3_600_000 + 1);
    let approver = sign_in("approver1@contoso.example");
    let late = act(&approver, &id, "approve", None);
    assert_eq!(late.status, 409, "{}", late.body);
    assert_eq!(late.json()["current_state"], "Expired");
    trigger_cron();
    trigger_cron();
    let expired: Vec<_> = request_audit(CONTOSO, &id)
        .into_iter()
        .filter(|r| r["activity"] == "Expire-AccessToCustomerDataRequest")
        .collect();
    assert_eq!(expired.len(), 1);
    let stored = approver.get(&format!("/api/v1/requests/{id}")).json();
    assert_eq!(stored["state"], "Expired");
}

#[test]
fn bad_input_gets_a_400_and_unknown_references_a_404_naming_the_field() {
    let engineer = sign_in("engineer1@provider.example");
    let base = json!({"tenant_id": CONTOSO, "service": "mail", "ticket": "SR-9", "reason": "Needed", "duration_minutes": 60, "operations": ["Get-Mailbox", "Get-Message"]});
    for (field, value) in [
        ("duration_minutes", json!(241)),
        ("duration_minutes", json!(0)),
        ("reason", json!("   ")),
        ("ticket", json!("SR 1; DROP TABLE")),
        ("tenant_id", json!("no-such-tenant")),
        ("operations", json!([])),
        ("operations", json!(["Get Mailbox"])),
    ] {
        let mut body = base.clone();
        body[field] = value.clone();
        let answer = engineer.post("/api/v1/requests", &body);
        assert_eq!(answer.status, 400, "{field}={value}: {}", answer.body);
        assert_eq!(answer.json()["field"], field, "{}", answer.body);
    }
    // Well formed, but naming what does not exist: 404, naming the field.
    for (field, value) in [
        ("service", json!("payroll")),
        ("tenant_id", json!("00000000-0000-4000-8000-00000000dead")),
        // An operation of another service.
        ("operations", json!(["Get-Mailbox", "Get-SiteFile"])),
    ] {
        let mut body = base.clone();
        body[field] = value.clone();
        let answer = engineer.post("/api/v1/requests", &body);
        assert_eq!(answer.status, 404, "{field}={value}: {}", answer.body);
        assert_eq!(answer.json()["field"], field, "{}", answer.body);
    }
    let missing = engineer.post("/api/v1/requests", &json!({"tenant_id": CONTOSO}));
    assert_eq!(missing.status, 400);
    let mut without = base.clone();
    without.as_object_mut().map(|o| o.remove("operations"));
    let unnamed = engineer.post("/api/v1/requests", &without);
    assert_eq!(unnamed.status, 400, "{}", unnamed.body);
    assert!(unnamed.body.contains("operations"), "{}", unnamed.body);
    let not_uuid = act(
        &sign_in("approver1@contoso.example"),
        "not-a-uuid",
        "approve",
        None,
    );
    assert_eq!(not_uuid.status, 400);
    let long = "x".repeat(1001);
    let id = pending_contoso_request(5);
    let too_long = act(
        &sign_in("approver1@contoso.example"),
        &id,
        "deny",
        Some(&long),
    );
    assert_eq!(too_long.status, 400, "{}", too_long.body);
    for query in [
        "status=Bogus",
        "limit=0",
        "limit=201",
        "created_after=yesterday",
        "cursor=zzz",
    ] {
        let answer = sign_in("approver1@contoso.example").get(&format!("/api/v1/requests?{query}"));
        assert_eq!(answer.status, 400, "{query}: {}", answer.body);
    }
    assert_eq!(engineer.get("/api/v1/access/check?tenant=x").status, 400);
}

#[test]
fn lists_are_paginated_with_a_cursor_and_filter_by_created_after() {
    let engineer = sign_in("engineer1@provider.example");
    let start = now_ms();
    let ids: Vec<String> = (0..3)
        .map(|_| open_request(&engineer, CONTOSO, 5))
        .collect();
    // The engineer's own list: the customer sees these only once
    // pre-approved.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!(
                "/api/v1/requests?created_after={}&limit=2&cursor={c}",
                start - 1
            ),
            None => format!("/api/v1/requests?created_after={}&limit=2", start - 1),
        };
        let page = engineer.get(&path).json();
        for item in page["items"].as_array().expect("items") {
            seen.push(item["id"].as_str().unwrap_or_default().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    for id in &ids {
        assert_eq!(
            seen.iter().filter(|s| *s == id).count(),
            1,
            "{id} exactly once in {seen:?}"
        );
    }
    // Fabrikam's people never see Contoso's requests.
    let theirs = sign_in("approver@fabrikam.example")
        .get("/api/v1/requests?limit=200")
        .json();
    assert!(theirs["items"]
        .as_array()
        .expect("items")
        .iter()
        .all(|r| r["tenant_id"] == FABRIKAM));
    let hidden = sign_in("approver@fabrikam.example").get(&format!("/api/v1/requests/{}", ids[0]));
    assert_eq!(hidden.status, 404);
}

#[test]
fn a_list_without_a_limit_is_a_page_of_fifty_and_reads_on_with_its_cursor() {
    let engineer = sign_in("lead@provider.example");
    let start = now_ms();
    let ids: Vec<String> = (0..55)
        .map(|_| open_request(&engineer, CONTOSO, 5))
        .collect();
    let first = engineer
        .get(&format!("/api/v1/requests?created_after={}", start - 1))
        .json();
    let items = first["items"].as_array().expect("items");
    assert_eq!(items.len(), 50, "the default page");
    let cursor = first["next_cursor"].as_str().expect("a next page");
    let rest = engineer
        .get(&format!(
            "/api/v1/requests?created_after={}&cursor={cursor}",
            start - 1
        ))
        .json();
    let seen: Vec<&str> = items
        .iter()
        .chain(rest["items"].as_array().expect("items"))
        .filter_map(|r| r["id"].as_str())
        .collect();
    for id in &ids {
        assert_eq!(seen.iter().filter(|s| **s == id).count(), 1, "{id} once");
    }
    // Asked for, a page holds up to 200.
    let all = engineer
        .get(&format!(
            "/api/v1/requests?created_after={}&limit=200",
            start - 1
        ))
        .json();
    assert!(all["items"].as_array().expect("items").len() >= 55);
}

#[test]
fn the_lockbox_switch_is_read_and_set_and_each_change_audited() {
    let _switch = lockbox_tests::switch_lock();
    let admin = sign_in("admin@fabrikam.example");
    let setting = admin.get("/api/v1/settings/lockbox").json();
    assert_eq!(setting["tenant_name"], "Fabrikam");
    // Read by activity: other tests fill Fabrikam's log meanwhile, and the
    // newest 500 of everything would move under the count.
    let count = || {
        lockbox_tests::config_records(&admin)
            .iter()
            .filter(|r| r["details"]["CustomerLockboxEnabled"].is_string())
            .count()
    };
    let before = count();
    // Fabrikam stays off for the other tests: on, then off again.
    let on = admin
        .post("/api/v1/settings/lockbox", &json!({ "enabled": true }))
        .json();
    assert_eq!(on["enabled"], true);
    assert_eq!(on["changed_by"], "admin@fabrikam.example");
    let off = admin
        .post("/api/v1/settings/lockbox", &json!({ "enabled": false }))
        .json();
    assert_eq!(off["enabled"], false);
    let unchanged = admin.post("/api/v1/settings/lockbox", &json!({ "enabled": false }));
    assert_eq!(unchanged.status, 200);
    let after = count();
    assert_eq!(after - before, 2, "one record per change, none for a no-op");
    let refused = sign_in("manager@provider.example")
        .post("/api/v1/settings/lockbox", &json!({ "enabled": false }));
    assert_eq!(refused.status, 403);
}

#[test]
fn the_openapi_document_is_served() {
    let answer = get("/api/v1/openapi.json");
    assert_eq!(answer.status, 200);
    let doc = answer.json();
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["paths"]["/api/v1/requests/{id}/approve"]["post"].is_object());
}

#[test]
fn an_approver_may_grant_less_than_was_asked_and_never_more() {
    let id = pending_contoso_request(90);
    let approver = sign_in("approver1@contoso.example");
    let decide = |verb: &str, body: serde_json::Value| {
        approver.post(&format!("/api/v1/requests/{id}/{verb}"), &body)
    };
    for (verb, minutes) in [("approve", 91), ("approve", 0), ("deny", 30)] {
        let answer = decide(verb, json!({ "duration_minutes": minutes }));
        assert_eq!(answer.status, 400, "{verb} {minutes}: {}", answer.body);
        assert_eq!(
            answer.json()["field"],
            "duration_minutes",
            "{}",
            answer.body
        );
    }
    let unchanged = approver.get(&format!("/api/v1/requests/{id}"));
    assert_eq!(unchanged.json()["state"], "PendingCustomerApproval");

    let answer = decide(
        "approve",
        json!({ "duration_minutes": 30, "comment": "Half an hour is enough" }),
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    let view = answer.json();
    assert_eq!(
        view["duration_minutes"], 90,
        "what was asked stays on record"
    );
    let starts = view["grant_starts_at"].as_i64().expect("start");
    let ends = view["grant_ends_at"].as_i64().expect("end");
    assert_eq!(ends - starts, 30 * 60_000);
    let record = request_audit(CONTOSO, &id)
        .into_iter()
        .find(|r| r["activity"] == "Set-AccessToCustomerDataRequest")
        .expect("the approval's record");
    assert_eq!(record["details"]["GrantedMinutes"], "30", "{record}");
    assert_eq!(record["details"]["DurationMinutes"], "90", "{record}");
    // The engineer holds access now, until the shortened end.
    let check = sign_in("engineer1@provider.example").get(&format!(
        "/api/v1/access/check?tenant={CONTOSO}&service=mail"
    ));
    assert_eq!(check.json()["access"], true, "{}", check.body);
    let receipt = approver.get(&format!("/api/v1/requests/{id}/receipt"));
    let public_key = lockbox_tests::get("/api/v1/audit/public-key").body;
    let receipt = lockbox_shared::tlog::open_receipt(&receipt.body, &public_key).expect("opens");
    assert_eq!(receipt.request.requested_minutes, 90);
    let grant = receipt.grant.expect("the window");
    assert_eq!(
        (grant.starts_at, grant.ends_at),
        (
            lockbox_shared::audit::utc_ms(starts),
            lockbox_shared::audit::utc_ms(ends)
        )
    );
}
