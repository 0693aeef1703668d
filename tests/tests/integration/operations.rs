//! The operator API on `wrangler dev`: operations run only under a live
//! grant of the caller's own, for its tenant and service; each call that
//! runs leaves exactly one operator record; content never crosses tenants.
//!
//! The engineer here is lead@provider.example, whom no other test gives a
//! grant, so "no grant" means what it says; the tests hold the switch lock
//! (Fabrikam's grants need its Lockbox off) and so run one at a time.

use std::collections::HashMap;

use lockbox_tests::{act, shift_request, sign_in, Answer, Session, CONTOSO, FABRIKAM};
use serde_json::{json, Value};

const ENGINEER: &str = "lead@provider.example";

/// Every operation with parameters that name an object of `tenant`
/// (`domain` is the tenant's mail domain, `slug` its lower-case name).
fn calls(service: &str, domain: &str, slug: &str) -> Vec<(&'static str, Value)> {
    match service {
        "mail" => vec![
            ("Get-Mailbox", json!({})),
            (
                "Get-MailboxStatistics",
                json!({ "Identity": format!("ceo@{domain}") }),
            ),
            (
                "Get-MailboxFolderStatistics",
                json!({ "Identity": format!("finance@{domain}") }),
            ),
            (
                "Get-Message",
                json!({ "Identity": format!("helpdesk@{domain}") }),
            ),
            (
                "Get-Message",
                json!({ "Identity": format!("ceo@{domain}"), "MessageId": 3 }),
            ),
        ],
        "sites" => vec![
            ("Get-Site", json!({})),
            ("Get-SiteFileList", json!({ "Site": "/sites/support" })),
            (
                "Get-SiteFile",
                json!({ "Site": "/sites/projects", "Path": format!("/Shared Documents/{slug}-projects-02.txt") }),
            ),
        ],
        _ => vec![
            ("Get-DriveItemList", json!({})),
            ("Get-DriveItemList", json!({ "Path": "/Reports" })),
            (
                "Get-DriveItem",
                json!({ "Path": format!("/Documents/{slug}-file-03.txt") }),
            ),
        ],
    }
}

fn run(session: &Session, tenant: &str, service: &str, op: &str, params: &Value) -> Answer {
    session.post(
        &format!("/api/v1/tenants/{tenant}/services/{service}/operations/{op}"),
        params,
    )
}

fn detail(answer: &Answer) -> String {
    answer.json()["detail"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Opens a request of `ENGINEER` for `tenant` and `service` and has it
/// granted: pre-approved and, for Contoso (Lockbox on), approved.
fn grant(engineer: &Session, tenant: &str, service: &str, minutes: u32) -> String {
    let answer = engineer.post(
        "/api/v1/requests",
        &json!({
            "tenant_id": tenant,
            "service": service,
            "ticket": format!("SR-OP-{}", lockbox_tests::now_ms()),
            "reason": "The customer reports a problem with this content; need to look at it.",
            "duration_minutes": minutes,
            "operations": lockbox_tests::operations_of(service),
        }),
    );
    assert_eq!(answer.status, 201, "opening a request: {}", answer.body);
    let id = answer.json()["id"].as_str().unwrap_or_default().to_owned();
    let pre = act(
        &sign_in("manager@provider.example"),
        &id,
        "preapprove",
        None,
    );
    assert_eq!(pre.status, 200, "pre-approving: {}", pre.body);
    if tenant == CONTOSO {
        let ok = act(&sign_in("approver1@contoso.example"), &id, "approve", None);
        assert_eq!(ok.status, 200, "approving: {}", ok.body);
    }
    assert_eq!(
        sign_in(ENGINEER)
            .get(&format!(
                "/api/v1/access/check?tenant={tenant}&service={service}"
            ))
            .json()["access"],
        true
    );
    id
}

fn fabrikam_lockbox(on: bool) {
    let answer = sign_in("admin@fabrikam.example")
        .post("/api/v1/settings/lockbox", &json!({ "enabled": on }));
    assert_eq!(answer.status, 200, "{}", answer.body);
}

/// The operator records of `tenant`'s log, by audit id.
fn operator_records(tenant: &str) -> HashMap<String, Value> {
    let admin = sign_in(lockbox_tests::admin_of(tenant));
    let answer = admin.get("/api/v1/audit?user=Provider%20Operator&limit=500");
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|r| (r["id"].as_str().unwrap_or_default().to_owned(), r))
        .collect()
}

/// Runs every operation of `service` under a live grant: 200, content of
/// `tenant` only, one operator record each. Returns the audit ids.
fn run_all_granted(
    engineer: &Session,
    tenant: &str,
    service: &str,
    request_id: &str,
) -> Vec<String> {
    let (domain, slug, other) = if tenant == CONTOSO {
        ("contoso.example", "contoso", "fabrikam")
    } else {
        ("fabrikam.example", "fabrikam", "contoso")
    };
    let mut ids = Vec::new();
    for (op, params) in calls(service, domain, slug) {
        let answer = run(engineer, tenant, service, op, &params);
        assert_eq!(
            answer.status, 200,
            "{op} {params} under a live grant: {}",
            answer.body
        );
        let body = answer.json();
        assert_eq!(body["request_id"], request_id, "{op}");
        assert_eq!(body["tenant_id"], tenant, "{op}");
        assert!(
            !answer.body.to_lowercase().contains(other),
            "{op} on {slug} returned content of {other}: {}",
            answer.body
        );
        ids.push(body["audit_id"].as_str().unwrap_or_default().to_owned());
    }
    let records = operator_records(tenant);
    let ticket_of = |id: &str| records.get(id).map(|r| r["details"].clone());
    for (id, (op, _)) in ids.iter().zip(calls(service, domain, slug)) {
        let details = ticket_of(id).unwrap_or_else(|| panic!("no operator record {id} for {op}"));
        assert_eq!(details["RequestId"], request_id);
        assert_eq!(details["Engineer"], ENGINEER);
        // The registered service that recorded it, in the batch it sent.
        assert_eq!(details["Service"], "svc:sample");
        assert!(details["BatchId"].as_str().is_some_and(|b| !b.is_empty()));
        assert_eq!(details["Outcome"], "Succeeded");
        assert!(details["Ticket"]
            .as_str()
            .is_some_and(|t| t.starts_with("SR-OP-")));
        assert_eq!(records[id.as_str()]["activity"], op);
    }
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "one record per call");
    ids
}

/// The operator records of `tenant` that name `request_id`.
fn records_of_request(tenant: &str, request_id: &str) -> usize {
    operator_records(tenant)
        .values()
        .filter(|r| r["details"]["RequestId"] == request_id)
        .count()
}

#[test]
fn every_operation_is_refused_without_a_live_grant_and_runs_audited_once_under_one() {
    let _switch = lockbox_tests::switch_lock();
    let engineer = sign_in(ENGINEER);
    for service in ["mail", "sites", "files"] {
        for (op, params) in calls(service, "contoso.example", "contoso") {
            let answer = run(&engineer, CONTOSO, service, op, &params);
            assert_eq!(answer.status, 403, "{op} without a grant: {}", answer.body);
            assert_eq!(answer.json()["title"], "No live grant", "{}", answer.body);
        }
    }

    let mail = grant(&engineer, CONTOSO, "mail", 60);
    let ids = run_all_granted(&engineer, CONTOSO, "mail", &mail);
    assert_eq!(records_of_request(CONTOSO, &mail), ids.len());

    // The grant is for mail only, for its engineer only.
    let other_service = run(&engineer, CONTOSO, "files", "Get-DriveItemList", &json!({}));
    assert_eq!(other_service.status, 403, "{}", other_service.body);
    assert!(
        detail(&other_service).contains("is for mail"),
        "{}",
        other_service.body
    );
    for person in [
        "engineer2@provider.example",
        "manager@provider.example",
        "admin@contoso.example",
    ] {
        let answer = run(&sign_in(person), CONTOSO, "mail", "Get-Mailbox", &json!({}));
        assert_eq!(answer.status, 403, "{person}: {}", answer.body);
    }

    let revoked = act(&sign_in("approver1@contoso.example"), &mail, "revoke", None);
    assert_eq!(revoked.status, 200, "{}", revoked.body);
    for (op, params) in calls("mail", "contoso.example", "contoso") {
        let answer = run(&engineer, CONTOSO, "mail", op, &params);
        assert_eq!(answer.status, 403, "{op} after revoke: {}", answer.body);
        assert!(detail(&answer).contains("revoked"), "{}", answer.body);
    }
    assert_eq!(
        records_of_request(CONTOSO, &mail),
        ids.len(),
        "refused calls leave no operator record"
    );

    for service in ["sites", "files"] {
        let id = grant(&engineer, CONTOSO, service, 30);
        let ids = run_all_granted(&engineer, CONTOSO, service, &id);
        assert_eq!(records_of_request(CONTOSO, &id), ids.len());
        if service == "files" {
            // What a value means is the service's to check, under a grant:
            // a path that climbs is refused, by field, and not recorded.
            let climbing = run(
                &engineer,
                CONTOSO,
                "files",
                "Get-DriveItem",
                &json!({ "Path": "/../x" }),
            );
            assert_eq!(climbing.status, 400, "{}", climbing.body);
            assert_eq!(climbing.json()["field"], "Path");
            let missing = run(
                &engineer,
                CONTOSO,
                "files",
                "Get-DriveItem",
                &json!({ "Path": "/Documents/none.txt" }),
            );
            assert_eq!(missing.status, 404, "{}", missing.body);
            assert_eq!(
                records_of_request(CONTOSO, &id),
                ids.len(),
                "a refused value or a missing item is not recorded"
            );
        }
        let answer = act(&sign_in("approver1@contoso.example"), &id, "revoke", None);
        assert_eq!(answer.status, 200, "{}", answer.body);
    }
}

#[test]
fn a_grant_that_ended_is_refused_before_the_scheduled_job_has_run() {
    let _switch = lockbox_tests::switch_lock();
    // The sweep must not complete the grant first: this is about read time.
    let _cron = lockbox_tests::cron_lock();
    fabrikam_lockbox(false);
    let engineer = sign_in(ENGINEER);
    let id = grant(&engineer, FABRIKAM, "files", 15);
    run_all_granted(&engineer, FABRIKAM, "files", &id);

    shift_request(&id, 16 * 60_000);
    for (op, params) in calls("files", "fabrikam.example", "fabrikam") {
        let answer = run(&engineer, FABRIKAM, "files", op, &params);
        assert_eq!(
            answer.status, 403,
            "{op} after the grant's end: {}",
            answer.body
        );
        assert!(detail(&answer).contains("ended at"), "{}", answer.body);
    }
}

#[test]
fn a_fabrikam_grant_never_returns_contoso_content_nor_the_reverse() {
    let _switch = lockbox_tests::switch_lock();
    fabrikam_lockbox(false);
    let engineer = sign_in(ENGINEER);
    let fabrikam = grant(&engineer, FABRIKAM, "mail", 15);
    run_all_granted(&engineer, FABRIKAM, "mail", &fabrikam);
    // Contoso's mailboxes, named under Fabrikam's grant: not there.
    let contoso_box = run(
        &engineer,
        FABRIKAM,
        "mail",
        "Get-MailboxStatistics",
        &json!({ "Identity": "ceo@contoso.example" }),
    );
    assert_eq!(contoso_box.status, 404, "{}", contoso_box.body);
    // Contoso itself, with only Fabrikam's grant: refused.
    let contoso = run(&engineer, CONTOSO, "mail", "Get-Mailbox", &json!({}));
    assert_eq!(contoso.status, 403, "{}", contoso.body);
    let answer = act(
        &sign_in("admin@fabrikam.example"),
        &fabrikam,
        "revoke",
        None,
    );
    assert_eq!(answer.status, 200, "{}", answer.body);

    let contoso = grant(&engineer, CONTOSO, "mail", 15);
    run_all_granted(&engineer, CONTOSO, "mail", &contoso);
    let fabrikam_call = run(&engineer, FABRIKAM, "mail", "Get-Mailbox", &json!({}));
    assert_eq!(fabrikam_call.status, 403, "{}", fabrikam_call.body);
    let answer = act(
        &sign_in("approver1@contoso.example"),
        &contoso,
        "revoke",
        None,
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
}

#[test]
fn unknown_tenants_services_and_operations_are_404_and_bad_parameters_400() {
    let engineer = sign_in(ENGINEER);
    let cases = [
        (
            "/api/v1/tenants/00000000-0000-4000-8000-000000000000/services/mail/operations/Get-Mailbox",
            404,
        ),
        (&*format!("/api/v1/tenants/{CONTOSO}/services/payroll/operations/Get-Mailbox"), 404),
        (&*format!("/api/v1/tenants/{CONTOSO}/services/mail/operations/Get-Site"), 404),
        (&*format!("/api/v1/tenants/{CONTOSO}/services/mail/operations/Remove-Mailbox"), 404),
    ];
    for (path, status) in cases {
        let answer = engineer.post(path, &json!({}));
        assert_eq!(answer.status, status, "{path}: {}", answer.body);
    }
    let missing = run(
        &engineer,
        CONTOSO,
        "mail",
        "Get-MailboxStatistics",
        &json!({}),
    );
    assert_eq!(missing.status, 400, "{}", missing.body);
    assert_eq!(missing.json()["field"], "Identity");
    let unknown = run(
        &engineer,
        CONTOSO,
        "mail",
        "Get-Mailbox",
        &json!({ "Path": "/" }),
    );
    assert_eq!(unknown.status, 400, "{}", unknown.body);
}

#[test]
fn provider_staff_list_the_operations_of_a_service_with_their_parameters() {
    let answer = sign_in("manager@provider.example").get("/api/v1/operations?service=mail");
    assert_eq!(answer.status, 200, "{}", answer.body);
    let items = answer.json()["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    // The sample service's (the provider tests register services of
    // their own, which are listed too).
    let items: Vec<Value> = items
        .into_iter()
        .filter(|i| i["provider_service"] == "svc:sample")
        .collect();
    let names: Vec<&str> = items.iter().filter_map(|i| i["name"].as_str()).collect();
    assert_eq!(
        names,
        [
            "Get-Mailbox",
            "Get-MailboxStatistics",
            "Get-MailboxFolderStatistics",
            "Get-Message"
        ]
    );
    assert!(
        items.iter().all(|i| i["forwarded"] == true),
        "the console reaches the sample service"
    );
    assert_eq!(items[1]["parameters"][0]["name"], "Identity");
    assert_eq!(items[1]["parameters"][0]["required"], true);
    let all = sign_in("engineer1@provider.example").get("/api/v1/operations");
    let sample = all.json()["items"].as_array().map(|items| {
        items
            .iter()
            .filter(|i| i["provider_service"] == "svc:sample")
            .count()
    });
    assert_eq!(sample, Some(9));
    let customer = sign_in("admin@contoso.example").get("/api/v1/operations?service=mail");
    assert_eq!(customer.status, 403, "{}", customer.body);
}

#[test]
fn with_two_live_grants_the_named_request_is_the_one_used_and_cited() {
    // One at a time with the other tests of the lead's grants.
    let _switch = lockbox_tests::switch_lock();
    let engineer = sign_in(ENGINEER);
    let approver = sign_in("approver1@contoso.example");
    let first = grant(&engineer, CONTOSO, "mail", 30);
    let second = grant(&engineer, CONTOSO, "mail", 60);
    let path = |id: &str| {
        format!("/api/v1/tenants/{CONTOSO}/services/mail/operations/Get-Mailbox?request_id={id}")
    };
    let cited = |answer: &Answer| {
        let audit_id = answer.json()["audit_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        operator_records(CONTOSO)[&audit_id]["details"]["RequestId"].clone()
    };

    let under_first = engineer.post(&path(&first), &json!({}));
    assert_eq!(under_first.status, 200, "{}", under_first.body);
    assert_eq!(under_first.json()["request_id"], first.as_str());
    assert_eq!(cited(&under_first), first.as_str());

    assert_eq!(act(&approver, &first, "revoke", None).status, 200);
    let refused = engineer.post(&path(&first), &json!({}));
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(detail(&refused).contains("revoked"), "{}", refused.body);

    // Without a name, the live grant that is left.
    let unnamed = run(&engineer, CONTOSO, "mail", "Get-Mailbox", &json!({}));
    assert_eq!(unnamed.status, 200, "{}", unnamed.body);
    assert_eq!(cited(&unnamed), second.as_str());

    // Another engineer's request, or none at all, names no grant.
    let other = engineer.post(&path("00000000-0000-4000-8000-000000000000"), &json!({}));
    assert_eq!(other.status, 403, "{}", other.body);
    let bad = engineer.post(&path("not-a-uuid"), &json!({}));
    assert_eq!(bad.status, 400, "{}", bad.body);

    assert_eq!(act(&approver, &second, "revoke", None).status, 200);
}
