//! The audit log as files: RFC 4180 CSV (written by the `csv` crate) and
//! JSON lines. Plain functions over records, so they are tested natively.

use lockbox_shared::api::{AuditEntry, CSV_COLUMNS};
use lockbox_shared::audit::utc_ms;

use crate::store::audit::Exported;

/// The characters that make a spreadsheet read a cell as a formula (and
/// the quote that marks a neutralised cell, so that the change can be
/// undone exactly: strip one leading `'`).
const FORMULA_STARTS: [char; 7] = ['=', '+', '-', '@', '\t', '\r', '\''];

/// `cell`, with a `'` in front when a spreadsheet would run it as a formula.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(FORMULA_STARTS) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// The header line of the CSV export.
pub fn csv_header() -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    // Writing to memory cannot fail; an error would only lose the header.
    let _ = writer.write_record(CSV_COLUMNS);
    writer.into_inner().unwrap_or_default()
}

/// The CSV lines of `records`, one per record.
pub fn csv_rows(records: &[Exported]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::with_capacity(records.len() * 400));
    for e in records {
        let r = &e.record;
        // A map of strings always serialises.
        let details = serde_json::to_string(&r.record.details).unwrap_or_default();
        let seq = r.seq.to_string();
        let fields = [
            utc_ms(r.occurred_at),
            neutralise(&r.record.user).into_owned(),
            neutralise(r.record.activity.as_str()).into_owned(),
            neutralise(&r.record.item).into_owned(),
            neutralise(&r.record.ip).into_owned(),
            neutralise(&details).into_owned(),
            seq,
            // Base64 may start with `+`: a formula to a spreadsheet too.
            neutralise(&e.leaf_hash).into_owned(),
        ];
        let _ = writer.write_record(&fields);
    }
    writer.into_inner().unwrap_or_default()
}

/// The JSON lines of `records`, one per record.
pub fn jsonl_rows(records: &[Exported]) -> Vec<u8> {
    let mut out = Vec::with_capacity(records.len() * 400);
    for e in records {
        let line = AuditEntry {
            record: e.record.clone(),
            leaf_hash: e.leaf_hash.clone(),
        };
        if serde_json::to_writer(&mut out, &line).is_ok() {
            out.push(b'\n');
        }
    }
    out
}

/// A file name that says whose log and which range: e.g.
/// `lockbox-audit-contoso-20261122T0000Z-20261129T0000Z.csv`.
pub fn file_name(tenant_name: &str, start: Option<i64>, end: i64, extension: &str) -> String {
    let slug: String = tenant_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let slug = slug
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let stamp = |ms: i64| {
        chrono::DateTime::from_timestamp_millis(ms)
            .map(|t| t.format("%Y%m%dT%H%MZ").to_string())
            .unwrap_or_else(|| ms.to_string())
    };
    let from = start.map(stamp).unwrap_or_else(|| "start".to_owned());
    let tenant = if slug.is_empty() { "tenant" } else { &slug };
    format!("lockbox-audit-{tenant}-{from}-{}.{extension}", stamp(end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use lockbox_shared::audit::{Activity, AuditRecord, LockboxActivity, NewAuditRecord};
    use lockbox_shared::ids::TenantId;
    use std::collections::BTreeMap;

    fn record(user: &str, item: &str, detail: &str) -> Exported {
        let mut details = BTreeMap::new();
        details.insert("Comment".to_owned(), detail.to_owned());
        Exported {
            record: AuditRecord {
                id: "r1".into(),
                seq: 7,
                occurred_at: 1_800_000_000_123,
                record: NewAuditRecord {
                    tenant_id: TenantId::parse("7c0a8f4e-5a1b-4c3d-9e2f-000000000001")
                        .expect("valid"),
                    ip: "203.0.113.9".into(),
                    user: user.into(),
                    activity: Activity::Lockbox(LockboxActivity::NewRequest),
                    item: item.into(),
                    details,
                },
            },
            leaf_hash: "abc=".into(),
        }
    }

    #[test]
    fn cells_a_spreadsheet_would_run_are_neutralised_and_can_be_restored() {
        for (cell, shown) in [
            ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
            ("+1", "'+1"),
            ("-2", "'-2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("'quoted", "''quoted"),
            ("plain", "plain"),
            ("", ""),
        ] {
            assert_eq!(neutralise(cell), shown);
            let restored = shown
                .strip_prefix('\'')
                .filter(|_| shown != cell)
                .unwrap_or(shown);
            assert_eq!(restored, cell);
        }
    }

    #[test]
    fn csv_quotes_what_needs_quoting_and_parses_back() {
        let records = [record(
            "a@b.example",
            "=cmd|' /C calc'!A0",
            "line one\nline \"two\", three",
        )];
        let mut bytes = csv_header();
        bytes.extend(csv_rows(&records));
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        let headers: Vec<String> = reader
            .headers()
            .expect("headers")
            .iter()
            .map(str::to_owned)
            .collect();
        assert_eq!(headers, CSV_COLUMNS);
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
        assert_eq!(rows.len(), 1);
        let row = &rows[0];
        assert_eq!(&row[0], "2027-01-15T08:00:00.123Z");
        assert_eq!(&row[1], "a@b.example");
        assert_eq!(&row[2], "New-AccessToCustomerDataRequest");
        assert_eq!(&row[3], "'=cmd|' /C calc'!A0");
        let details: BTreeMap<String, String> = serde_json::from_str(&row[5]).expect("json");
        assert_eq!(details["Comment"], "line one\nline \"two\", three");
        assert_eq!(&row[6], "7");
        assert_eq!(&row[7], "abc=");
    }

    #[test]
    fn json_lines_round_trip() {
        let records = [
            record("a@b.example", "x", "y"),
            record("c@d.example", "z", "w"),
        ];
        let text = String::from_utf8(jsonl_rows(&records)).expect("utf-8");
        let lines: Vec<AuditEntry> = text
            .lines()
            .map(|l| serde_json::from_str(l).expect("line"))
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1].record, records[1].record);
        assert_eq!(lines[1].leaf_hash, "abc=");
    }

    #[test]
    fn file_names_say_whose_log_and_which_range() {
        assert_eq!(
            file_name(
                "Contoso Ltd.",
                Some(1_800_000_000_000),
                1_800_604_800_000,
                "csv"
            ),
            "lockbox-audit-contoso-ltd-20270115T0800Z-20270122T0800Z.csv"
        );
        assert_eq!(
            file_name("Ünïcode", None, 1_800_000_000_000, "jsonl"),
            "lockbox-audit-n-code-start-20270115T0800Z.jsonl"
        );
    }
}
