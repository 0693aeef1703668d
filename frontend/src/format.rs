//! Turning times and durations into words: plain functions, tested below.

use lockbox_shared::i18n::Lang;
use lockbox_shared::text;

/// A span of time people read at a glance: "3 h 05 min", "12 min 04 s",
/// "45 s". Negative spans read as "0 s".
pub fn duration(ms: i64) -> String {
    let total = (ms.max(0) + 999) / 1000;
    let (h, m, s) = (total / 3600, (total % 3600) / 60, total % 60);
    if h > 0 {
        format!("{h} h {m:02} min")
    } else if m > 0 {
        format!("{m} min {s:02} s")
    } else {
        format!("{s} s")
    }
}

/// What an approver may pick as a grant's length: what was `asked`, or
/// one of the usual shorter ones (the API takes any 1 up to asked).
pub fn grant_choices(asked: u32) -> Vec<u32> {
    let mut choices: Vec<u32> = [15, 30, 60, 120]
        .into_iter()
        .filter(|&m| m < asked)
        .collect();
    choices.push(asked);
    choices.reverse();
    choices
}

/// A requested duration in minutes, in words, in the reader's language:
/// "4 hours", "1 hour 30 minutes", "45 minutes" ("2 ore 30 minuti").
pub fn minutes(total: u32) -> String {
    minutes_in(crate::i18n::lang(), total)
}

/// [`minutes`] in `lang`.
pub fn minutes_in(lang: Lang, total: u32) -> String {
    let (h, m) = (i64::from(total / 60), i64::from(total % 60));
    match (h, m) {
        (0, m) => text::minutes(lang, m),
        (h, 0) => text::hours(lang, h),
        (h, m) => format!("{} {}", text::hours(lang, h), text::minutes(lang, m)),
    }
}

/// A size people read at a glance: "512 B", "4.2 KB", "1.5 MB" (1 KB =
/// 1024 bytes, one decimal below 10).
pub fn bytes(n: i64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if n < 1024 {
        return format!("{} B", n.max(0));
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if value < 10.0 {
        format!("{value:.1} {}", UNITS[unit])
    } else {
        format!("{value:.0} {}", UNITS[unit])
    }
}

/// What is left until `deadline` at `now`, for a countdown: `None` once it
/// has passed (the deadline itself counts as passed, as on the server).
pub fn remaining(deadline: i64, now: i64) -> Option<i64> {
    (now < deadline).then_some(deadline - now)
}

/// The countdown text for `deadline`: "2 h 10 min left", or `passed`.
pub fn countdown(deadline: i64, now: i64, passed: &str) -> String {
    match remaining(deadline, now) {
        Some(ms) => text::time_left(crate::i18n::lang(), &duration(ms)),
        None => passed.to_owned(),
    }
}

/// What a request's deadline means for a person at `now`: how long until a
/// pending request expires, or how much of a grant is left. `None` when its
/// state (as of `now`) has no deadline.
pub fn deadline_text(view: &lockbox_shared::api::RequestView, now: i64) -> Option<String> {
    use lockbox_shared::lifecycle::State;
    let deadline = view.deadline()?;
    match view.effective_state_at(now) {
        State::PendingManagerApproval | State::PendingCustomerApproval => Some(text::expires_in(
            crate::i18n::lang(),
            &duration(deadline - now),
        )),
        State::Approved => {
            let lang = crate::i18n::lang();
            Some(text::access_left(
                lang,
                &countdown(deadline, now, text::ended(lang)),
            ))
        }
        _ => None,
    }
}

/// Why a delivery failed, in words a person acts on: the receiver's HTTP
/// answer, or what the connection did ("Network connection lost" is how
/// the Workers runtime reports a port nothing listens on). `None` when the
/// last attempt did not fail.
pub fn delivery_failure(error: Option<&str>, status: Option<i64>) -> Option<String> {
    let error = error?;
    if let Some(status) = status.filter(|s| *s > 0) {
        return Some(format!("the endpoint answered HTTP {status}"));
    }
    let lower = error.to_lowercase();
    let words = if lower.contains("network connection lost") || lower.contains("refused") {
        "connection refused: nothing accepted a connection at that address".to_owned()
    } else if lower.contains("timed out") || lower.contains("timeout") {
        "no answer in time".to_owned()
    } else if lower.contains("dns") || lower.contains("resolve") || lower.contains("not found") {
        "the host name could not be found".to_owned()
    } else if lower.contains("certificate") || lower.contains("tls") || lower.contains("ssl") {
        "the endpoint's TLS certificate was not accepted".to_owned()
    } else {
        error.trim_end_matches('.').to_owned()
    };
    Some(words)
}

/// A request's audit record as a person reads it in its history: what
/// happened, in words ("Approved (1 of 2 approvals)"). The activity name
/// itself stays in the record, which the audit log shows unchanged.
pub fn history_label(record: &lockbox_shared::audit::NewAuditRecord) -> String {
    use lockbox_shared::audit::{Activity, LockboxActivity as A};
    let detail = |key: &str| record.details.get(key).map(String::as_str);
    match record.activity {
        Activity::Lockbox(A::NewRequest) => "Requested by the engineer".to_owned(),
        Activity::Lockbox(A::PreapproveRequest) => {
            if detail("CustomerApprovalRequired") == Some("false") {
                "Pre-approved by a support manager; access granted (Customer Lockbox is off)"
                    .to_owned()
            } else {
                "Pre-approved by a support manager".to_owned()
            }
        }
        Activity::Lockbox(A::RejectRequest) => "Rejected by a support manager".to_owned(),
        Activity::Lockbox(A::CustomerDecision) => match detail("ApprovalDecision") {
            Some("Approve") => match (detail("ApprovalsSoFar"), detail("ApprovalsRequired")) {
                (Some(so_far), Some(required)) if required != "1" => {
                    format!("Approved ({so_far} of {required} approvals)")
                }
                _ => "Approved".to_owned(),
            },
            Some("Deny") => "Denied".to_owned(),
            _ => "Decided".to_owned(),
        },
        Activity::Lockbox(A::CancelRequest) => "Cancelled by the engineer".to_owned(),
        Activity::Lockbox(A::RevokeGrant) => "Access revoked".to_owned(),
        Activity::Lockbox(A::ExpireRequest) => "Expired: nobody decided in time".to_owned(),
        Activity::Lockbox(A::CompleteGrant) => "Access ended: its time ran out".to_owned(),
        _ => record.activity.as_str().to_owned(),
    }
}

/// A detail key of a request's record in words ("GrantEndsAt" → "Access
/// until"); keys without a plain name are shown as they are.
pub fn detail_label(key: &str) -> &str {
    match key {
        "ApprovalDecision" => "Decision",
        "Approver" => "Approver",
        "Comment" => "Comment",
        "ApprovalsSoFar" => "Approvals so far",
        "ApprovalsRequired" => "Approvals required",
        "GrantedMinutes" => "Minutes granted",
        "DurationMinutes" => "Minutes asked",
        "GrantStartsAt" => "Access from",
        "GrantEndsAt" => "Access until",
        "PendingExpiresAt" => "Expires",
        "EndedAt" => "Ended",
        "RevokedBy" => "Revoked by",
        "Manager" => "Manager",
        "CustomerApprovalRequired" => "Customer approval required",
        "Note" => "Note",
        "Reason" => "Reason",
        "Engineer" => "Engineer",
        "Outcome" => "Outcome",
        "NewState" => "State after",
        "PreviousState" => "State before",
        "Extends" => "Extends",
        other => other,
    }
}

/// Whether a detail's value is a time (UTC, RFC 3339), to be shown in the
/// viewer's zone: the keys that end in `At`.
pub fn is_time_detail(key: &str) -> bool {
    key.ends_with("At")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_approver_picks_what_was_asked_or_a_shorter_usual_length() {
        assert_eq!(grant_choices(90), [90, 60, 30, 15]);
        assert_eq!(grant_choices(240), [240, 120, 60, 30, 15]);
        assert_eq!(grant_choices(15), [15]);
        assert_eq!(grant_choices(1), [1]);
        assert_eq!(grant_choices(60), [60, 30, 15]);
    }

    #[test]
    fn durations_read_at_a_glance() {
        assert_eq!(duration(4 * 3_600_000), "4 h 00 min");
        assert_eq!(duration(3 * 3_600_000 + 5 * 60_000 + 30_000), "3 h 05 min");
        assert_eq!(duration(12 * 60_000 + 4_000), "12 min 04 s");
        assert_eq!(duration(45_000), "45 s");
        assert_eq!(duration(-5), "0 s");
    }

    #[test]
    fn a_countdown_rounds_up_so_it_never_shows_zero_while_time_is_left() {
        assert_eq!(duration(1), "1 s");
        assert_eq!(countdown(10_001, 10_000, "ended"), "1 s left");
    }

    #[test]
    fn a_deadline_counts_as_passed_at_the_deadline_itself() {
        assert_eq!(remaining(1_000, 999), Some(1));
        assert_eq!(remaining(1_000, 1_000), None);
        assert_eq!(countdown(1_000, 1_000, "Expired"), "Expired");
    }

    #[test]
    fn sizes_read_at_a_glance() {
        assert_eq!(bytes(0), "0 B");
        assert_eq!(bytes(1023), "1023 B");
        assert_eq!(bytes(1024), "1.0 KB");
        assert_eq!(bytes(4_300), "4.2 KB");
        assert_eq!(bytes(20 * 1024), "20 KB");
        assert_eq!(bytes(1_572_864), "1.5 MB");
        assert_eq!(bytes(-3), "0 B");
    }

    #[test]
    fn requested_minutes_read_as_words() {
        assert_eq!(minutes(240), "4 hours");
        assert_eq!(minutes(90), "1 hour 30 minutes");
        assert_eq!(minutes(60), "1 hour");
        assert_eq!(minutes(45), "45 minutes");
        assert_eq!(minutes(1), "1 minute");
    }

    #[test]
    fn a_history_record_reads_as_what_happened() {
        use lockbox_shared::audit::{Activity, LockboxActivity, NewAuditRecord};
        use lockbox_shared::ids::TenantId;
        let record = |activity: LockboxActivity, details: &[(&str, &str)]| NewAuditRecord {
            tenant_id: TenantId::parse("7c0a8f4e-5a1b-4c3d-9e2f-000000000001")
                .expect("a tenant id"),
            ip: String::new(),
            user: "lockbox-service@example".to_owned(),
            activity: Activity::Lockbox(activity),
            item: String::new(),
            details: details
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        };
        let approve = |so_far, required| {
            record(
                LockboxActivity::CustomerDecision,
                &[
                    ("ApprovalDecision", "Approve"),
                    ("ApprovalsSoFar", so_far),
                    ("ApprovalsRequired", required),
                ],
            )
        };
        assert_eq!(history_label(&approve("1", "1")), "Approved");
        assert_eq!(
            history_label(&approve("1", "2")),
            "Approved (1 of 2 approvals)"
        );
        let deny = record(
            LockboxActivity::CustomerDecision,
            &[("ApprovalDecision", "Deny")],
        );
        assert_eq!(history_label(&deny), "Denied");
        let off = record(
            LockboxActivity::PreapproveRequest,
            &[("CustomerApprovalRequired", "false")],
        );
        assert!(history_label(&off).contains("Customer Lockbox is off"));
        assert_eq!(detail_label("GrantEndsAt"), "Access until");
        assert_eq!(detail_label("SomethingNew"), "SomethingNew");
        assert!(is_time_detail("PendingExpiresAt") && !is_time_detail("Comment"));
    }

    #[test]
    fn a_failed_delivery_says_why_in_words() {
        assert_eq!(delivery_failure(None, None), None);
        assert_eq!(
            delivery_failure(Some("Network connection lost."), None).as_deref(),
            Some("connection refused: nothing accepted a connection at that address")
        );
        assert_eq!(
            delivery_failure(Some("HTTP 500"), Some(500)).as_deref(),
            Some("the endpoint answered HTTP 500")
        );
        assert_eq!(
            delivery_failure(Some("The endpoint was removed."), None).as_deref(),
            Some("The endpoint was removed")
        );
    }
}
