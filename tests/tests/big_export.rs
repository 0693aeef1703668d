//! A 100 000-record export, complete, through the Worker's stream. A test
//! binary of its own: cargo runs test binaries one after another, so this
//! load does not share the server with the other integration tests.

use lockbox_tests::{client, sign_in, url, Session};
use serde_json::json;

const TAILSPIN: &str = "7c0a8f4e-5a1b-4c3d-9e2f-000000000003";

#[test]
fn an_export_of_100_000_records_is_complete() {
    let auditor = sign_in("auditor@tailspin.example");
    // The made-up records are dated 2025; the range selects exactly them.
    let range = "start=2025-01-01T00:00:00Z&end=2026-01-01T00:00:00Z";
    let before = count_lines(&auditor, &format!("/api/v1/audit/export.jsonl?{range}"));
    let needed = 100_000 - before as i64;
    if needed > 0 {
        let seeded = lockbox_tests::post_json(
            "/api/v1/dev/seed-audit",
            &json!({ "tenant_id": TAILSPIN, "count": needed }),
        );
        assert_eq!(seeded.status, 200, "{}", seeded.body);
    }
    let csv_rows = count_lines(&auditor, &format!("/api/v1/audit/export.csv?{range}"));
    // The header, then one line per record (these records hold no newline).
    assert_eq!(csv_rows, 100_001);
    let lines = count_lines(&auditor, &format!("/api/v1/audit/export.jsonl?{range}"));
    assert_eq!(lines, 100_000);
    // One more is past what one export holds: a 400 that says to narrow.
    let more = lockbox_tests::post_json(
        "/api/v1/dev/seed-audit",
        &json!({ "tenant_id": TAILSPIN, "count": 1 }),
    );
    assert_eq!(more.status, 200);
    let too_many = auditor.get(&format!("/api/v1/audit/export.csv?{range}"));
    assert_eq!(too_many.status, 400, "{}", too_many.body);
    assert!(
        too_many.body.contains("Narrow the time range"),
        "{}",
        too_many.body
    );
}

/// The lines of a (large) export, read as a stream.
fn count_lines(who: &Session, path: &str) -> usize {
    use std::io::{BufRead, BufReader};
    let response = client()
        .get(url(path))
        .header("Cookie", &who.cookie)
        .call()
        .unwrap_or_else(|err| panic!("{path}: {err}"));
    assert_eq!(response.status().as_u16(), 200, "{path}");
    let reader = BufReader::new(response.into_body().into_reader());
    let mut n = 0;
    for line in reader.lines() {
        line.unwrap_or_else(|err| panic!("{path}: the export broke off: {err}"));
        n += 1;
    }
    n
}
