//! Turning times and durations into words: plain functions, tested below.

use lockbox_shared::i18n::Lang;
use lockbox_shared::text;

pub use lockbox_shared::screen::duration;

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
    text::duration(lang, i64::from(total))
}

/// A size people read at a glance: "512 B", "4.2 KB", "1.5 MB" (1 KB =
/// 1024 bytes, one decimal below 10), with the reader's decimal point
/// ("4,2 KB" in Italian).
pub fn bytes(n: i64) -> String {
    bytes_in(crate::i18n::lang(), n)
}

/// [`bytes`] in `lang`.
pub fn bytes_in(lang: Lang, n: i64) -> String {
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
        let shown = format!("{value:.1}").replacen('.', text::decimal_point(lang), 1);
        format!("{shown} {}", UNITS[unit])
    } else {
        format!("{value:.0} {}", UNITS[unit])
    }
}

/// The countdown text for `deadline`: "2 h 10 min left", or `passed`.
pub fn countdown(deadline: i64, now: i64, passed: &str) -> String {
    lockbox_shared::screen::countdown(crate::i18n::lang(), deadline, now, passed)
}

/// What a request's deadline means for a person at `now`
/// ([`lockbox_shared::screen::deadline_text`] in the reader's language).
pub fn deadline_text(view: &lockbox_shared::api::RequestView, now: i64) -> Option<String> {
    lockbox_shared::screen::deadline_text(crate::i18n::lang(), view, now)
}

/// Why a delivery failed, in words a person acts on: the receiver's HTTP
/// answer, or what the connection did ("Network connection lost" is how
/// the Workers runtime reports a port nothing listens on). `None` when the
/// last attempt did not fail.
pub fn delivery_failure(error: Option<&str>, status: Option<i64>) -> Option<String> {
    delivery_failure_in(crate::i18n::lang(), error, status)
}

/// [`delivery_failure`] in `lang` (an error the runtime words otherwise
/// is shown as it came).
pub fn delivery_failure_in(lang: Lang, error: Option<&str>, status: Option<i64>) -> Option<String> {
    let error = error?;
    if let Some(status) = status.filter(|s| *s > 0) {
        return Some(text::delivery_http(lang, status));
    }
    let lower = error.to_ascii_lowercase();
    let words = if lower.contains("network connection lost") || lower.contains("refused") {
        text::delivery_refused(lang)
    } else if lower.contains("timed out") || lower.contains("timeout") {
        text::delivery_timeout(lang)
    } else if lower.contains("dns") || lower.contains("resolve") || lower.contains("not found") {
        text::delivery_dns(lang)
    } else if lower.contains("certificate") || lower.contains("tls") || lower.contains("ssl") {
        text::delivery_tls(lang)
    } else {
        error.trim_end_matches('.')
    };
    Some(words.to_owned())
}

/// A delivery's state (`delivered`, `pending`, `failed`, as stored) in
/// the reader's words; another value as it is.
pub fn delivery_status(status: &str) -> String {
    let lang = crate::i18n::lang();
    match status {
        "delivered" => text::delivery_delivered(lang),
        "pending" => text::delivery_pending(lang),
        "failed" => text::delivery_failed(lang),
        other => other,
    }
    .to_owned()
}

/// A request's audit record as a person reads it in its history: what
/// happened, in words ("Approved (1 of 2 approvals)"). The activity name
/// itself stays in the record, which the audit log shows unchanged.
pub fn history_label(record: &lockbox_shared::audit::NewAuditRecord) -> String {
    history_label_in(crate::i18n::lang(), record)
}

/// [`history_label`] in `lang`.
pub fn history_label_in(lang: Lang, record: &lockbox_shared::audit::NewAuditRecord) -> String {
    use lockbox_shared::audit::{Activity, LockboxActivity as A};
    let detail = |key: &str| record.details.get(key).map(String::as_str);
    let count = |key: &str| detail(key).and_then(|v| v.parse::<i64>().ok());
    let words = match record.activity {
        Activity::Lockbox(A::NewRequest) => text::history_requested(lang),
        Activity::Lockbox(A::PreapproveRequest) => {
            if detail("CustomerApprovalRequired") == Some("false") {
                text::history_preapproved_open(lang)
            } else {
                text::history_preapproved(lang)
            }
        }
        Activity::Lockbox(A::RejectRequest) => text::history_rejected(lang),
        Activity::Lockbox(A::CustomerDecision) => match detail("ApprovalDecision") {
            Some("Approve") => match (count("ApprovalsSoFar"), count("ApprovalsRequired")) {
                (Some(so_far), Some(required)) if required != 1 => {
                    return format!(
                        "{} ({})",
                        text::state_approved(lang),
                        text::approvals_progress(lang, so_far, required)
                    );
                }
                _ => text::state_approved(lang),
            },
            Some("Deny") => text::state_denied(lang),
            _ => text::history_decided(lang),
        },
        Activity::Lockbox(A::CancelRequest) => text::history_cancelled(lang),
        Activity::Lockbox(A::RevokeGrant) => text::history_revoked(lang),
        Activity::Lockbox(A::ExpireRequest) => text::history_expired(lang),
        Activity::Lockbox(A::CompleteGrant) => text::history_completed(lang),
        Activity::Lockbox(A::EndAccess) => text::history_access_ended(lang),
        Activity::Lockbox(A::ReviewEmergency) => text::history_reviewed(lang),
        // An activity without words of its own is shown by its name.
        _ => record.activity.as_str(),
    };
    words.to_owned()
}

/// A detail key of a request's record in words ("GrantEndsAt" → "Access
/// until"); keys without a plain name are shown as they are.
pub fn detail_label(key: &str) -> &str {
    detail_label_in(crate::i18n::lang(), key)
}

/// [`detail_label`] in `lang`.
pub fn detail_label_in(lang: Lang, key: &str) -> &str {
    match key {
        "ApprovalDecision" => text::detail_decision(lang),
        "Approver" => text::detail_approver(lang),
        "Comment" => text::fact_comment(lang),
        "ApprovalsSoFar" => text::detail_approvals_so_far(lang),
        "ApprovalsRequired" => text::detail_approvals_required(lang),
        "GrantedMinutes" => text::detail_minutes_granted(lang),
        "RequestedOperations" => text::operations_asked(lang),
        "GrantedOperations" => text::operations_allowed(lang),
        "DurationMinutes" => text::detail_minutes_asked(lang),
        "GrantStartsAt" => text::fact_access_from(lang),
        "GrantEndsAt" => text::fact_access_until(lang),
        "PendingExpiresAt" => text::fact_expires(lang),
        "EndedAt" => text::fact_ended(lang),
        "RevokedBy" => text::detail_revoked_by(lang),
        "Manager" => text::detail_manager(lang),
        "CustomerApprovalRequired" => text::detail_customer_approval(lang),
        "Note" => text::detail_note(lang),
        "Reason" => text::fact_reason(lang),
        "Engineer" => text::detail_engineer(lang),
        "Outcome" => text::detail_outcome(lang),
        "NewState" => text::detail_state_after(lang),
        "PreviousState" => text::detail_state_before(lang),
        "Extends" => text::detail_extends(lang),
        "Actions" => text::detail_actions(lang),
        "Verdict" => text::emergency_verdict(lang),
        "ReviewedBy" => text::detail_reviewed_by(lang),
        "EmergencyIncident" => text::emergency_incident(lang),
        "Managers" => text::emergency_managers(lang),
        "ManagersSoFar" => text::detail_managers_so_far(lang),
        "ManagersRequired" => text::detail_managers_required(lang),
        "RefusedAttempts" => text::detail_refused_attempts(lang),
        "MinutesUsed" => text::detail_minutes_used(lang),
        "ActionsDigest" => text::detail_actions_digest(lang),
        "Ended" => text::detail_ended(lang),
        other => other,
    }
}

/// A review's verdict in words (`Ratified`, `Disputed`, `Unreviewed`).
pub fn verdict(verdict: &str) -> String {
    let lang = crate::i18n::lang();
    match verdict {
        "Ratified" => text::verdict_ratified(lang),
        "Disputed" => text::verdict_disputed(lang),
        "Unreviewed" => text::verdict_unreviewed(lang),
        other => other,
    }
    .to_owned()
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
    fn an_italian_reader_gets_italian_words_and_the_stored_names_stay() {
        use lockbox_shared::audit::{Activity, LockboxActivity, NewAuditRecord};
        use lockbox_shared::ids::TenantId;
        let it = Lang::It;
        assert_eq!(minutes_in(it, 150), "2 ore 30 minuti");
        assert_eq!(minutes_in(it, 1), "1 minuto");
        assert_eq!(bytes_in(it, 4_300), "4,2 KB");
        assert_eq!(bytes_in(it, 20 * 1024), "20 KB");
        let approval = NewAuditRecord {
            tenant_id: TenantId::parse("7c0a8f4e-5a1b-4c3d-9e2f-000000000001")
                .expect("a tenant id"),
            ip: String::new(),
            user: "lockbox-service@example".to_owned(),
            activity: Activity::Lockbox(LockboxActivity::CustomerDecision),
            item: String::new(),
            details: [
                ("ApprovalDecision", "Approve"),
                ("ApprovalsSoFar", "1"),
                ("ApprovalsRequired", "2"),
            ]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        };
        assert_eq!(
            history_label_in(it, &approval),
            "Approvata (1 di 2 approvazioni)"
        );
        assert_eq!(detail_label_in(it, "GrantEndsAt"), "Accesso fino al");
        // A key without a plain name is the stored name, in every language.
        assert_eq!(detail_label_in(it, "SomethingNew"), "SomethingNew");
        assert_eq!(
            delivery_failure_in(it, Some("Network connection lost."), None).as_deref(),
            Some("connessione rifiutata: nessuno ha accettato una connessione a quell'indirizzo")
        );
        assert_eq!(
            delivery_failure_in(it, Some("HTTP 500"), Some(500)).as_deref(),
            Some("l'endpoint ha risposto HTTP 500")
        );
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
