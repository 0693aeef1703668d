//! Notices: who is told what when a request moves on or a tenant's
//! settings change, and the words they are told it in.
//!
//! One definition serves the Worker (which writes each notice to the
//! outbox with the change that causes it), the model test (which checks
//! that the outbox holds exactly the notices the changes call for) and the
//! pages. No message carries a link of any kind: every value that comes
//! from a person goes through [`defang`], and the fixed sentences name no
//! address.

use serde_json::{json, Value};

use crate::audit::utc;
use crate::i18n::Lang;
use crate::lifecycle::{AccessRequest, Approval, State, Verb};
use crate::named_enum;
use crate::policy::Action;
use crate::roles::CustomerRole;
use crate::text::mail as t;
use crate::validation::clean_text;

/// How long before a grant ends its requester is warned (15 minutes).
pub const GRANT_ENDING_NOTICE_MS: i64 = 15 * 60 * 1000;

/// Attempts at delivering one message before it is marked failed.
pub const MAX_ATTEMPTS: i64 = 10;

/// How long an attempt under way holds its message (epoch ms), so that a
/// second deliverer leaves it alone; a crashed attempt is retried after it.
pub const ATTEMPT_LEASE_MS: i64 = 2 * 60 * 1000;

/// The wait after the `attempts`-th failed attempt: 30 s, doubling, at
/// most an hour (10 attempts span about three hours).
pub fn retry_delay_ms(attempts: i64) -> i64 {
    let doublings = attempts.clamp(1, 20) - 1;
    (30_000_i64 << doublings).min(3_600_000)
}

/// The wait after the `attempts`-th failed attempt when the receiver asked
/// for one (`Retry-After`, in ms): never shorter than asked, nor than
/// [`retry_delay_ms`]; at most a day, whatever was asked.
pub fn next_attempt_delay_ms(attempts: i64, asked_ms: Option<i64>) -> i64 {
    retry_delay_ms(attempts).max(asked_ms.unwrap_or_default().clamp(0, 86_400_000))
}

named_enum! {
    /// What an e-mail tells its reader; stored in the outbox's `kind`.
    pub enum NoticeKind {
        /// A request awaits a support manager's pre-approval.
        AwaitingPreapproval => "awaiting-preapproval",
        /// A request awaits the customer's decision.
        PendingApproval => "pending-approval",
        /// The requester's request was pre-approved.
        Preapproved => "preapproved",
        /// The requester's request was rejected by the manager.
        Rejected => "rejected",
        /// The requester's request was approved by the customer.
        Approved => "approved",
        /// The requester's request was denied by the customer.
        Denied => "denied",
        /// The requester's request expired undecided.
        Expired => "expired",
        /// The requester's grant was revoked.
        Revoked => "revoked",
        /// The requester's grant ends in 15 minutes.
        GrantEnding => "grant-ending",
        /// The tenant's Lockbox switch was turned on or off.
        LockboxSwitched => "lockbox-switched",
        /// Someone was given a Lockbox role in the tenant.
        RoleAssigned => "role-assigned",
        /// Someone's Lockbox role in the tenant was removed.
        RoleRemoved => "role-removed",
        /// A grant ended: what was done under it, and its report's SHA-256
        /// (to the tenant's global admins and the people who decided).
        AccessReport => "access-report",
        /// Emergency access to the tenant's content started without its
        /// approval (to its global admins and approvers).
        EmergencyStarted => "emergency-started",
        /// An emergency access ended: its review is asked for (at once,
        /// then reminders after 24 hours and 6 days while none is given).
        ReviewNeeded => "review-needed",
        /// The customer disputed an emergency access (to the provider's
        /// support managers).
        EmergencyDisputed => "emergency-disputed",
    }
}

/// Who receives a notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Audience {
    /// The engineer who opened the request.
    Requester,
    /// Every support manager, except the requester.
    Managers,
    /// Every global admin and Lockbox access approver of the tenant, at
    /// the moment of the change.
    TenantApprovers,
    /// Every global admin of the tenant.
    TenantAdmins,
}

impl Audience {
    /// The action whose holders make up this audience: those told are the
    /// people who may act on it (`policy::Action::allowed`); the requester
    /// is one address instead.
    pub const fn holders_of(self) -> Option<Action> {
        match self {
            Audience::Requester => None,
            Audience::Managers => Some(Action::Preapprove),
            Audience::TenantApprovers => Some(Action::Approve),
            Audience::TenantAdmins => Some(Action::ChangeRoles),
        }
    }
}

impl NoticeKind {
    /// Who is told.
    pub const fn audience(self) -> Audience {
        match self {
            NoticeKind::AwaitingPreapproval => Audience::Managers,
            NoticeKind::PendingApproval => Audience::TenantApprovers,
            NoticeKind::Preapproved
            | NoticeKind::Rejected
            | NoticeKind::Approved
            | NoticeKind::Denied
            | NoticeKind::Expired
            | NoticeKind::Revoked
            | NoticeKind::GrantEnding => Audience::Requester,
            NoticeKind::LockboxSwitched
            | NoticeKind::RoleAssigned
            | NoticeKind::RoleRemoved
            | NoticeKind::AccessReport => Audience::TenantAdmins,
            NoticeKind::EmergencyStarted | NoticeKind::ReviewNeeded => Audience::TenantApprovers,
            NoticeKind::EmergencyDisputed => Audience::Managers,
        }
    }
}

named_enum! {
    /// What a tenant's webhook endpoint can subscribe to.
    pub enum WebhookEvent {
        /// A request awaits the tenant's decision.
        RequestPending => "request.pending",
        /// A person at the tenant approved or denied a request.
        RequestDecided => "request.decided",
        /// A request pending for the tenant expired undecided.
        RequestExpired => "request.expired",
        /// Access to the tenant's content started.
        GrantStarted => "grant.started",
        /// Access ended: ran its course or was revoked.
        GrantEnded => "grant.ended",
        /// An operation ran under a grant.
        OperatorAction => "operator.action",
        /// Emergency access started without the tenant's approval.
        EmergencyStarted => "emergency.started",
        /// The tenant's verdict on an ended emergency access (or its mark
        /// as unreviewed).
        EmergencyReviewed => "emergency.reviewed",
    }
}

/// The e-mails a new request calls for.
pub const ON_CREATE: [NoticeKind; 1] = [NoticeKind::AwaitingPreapproval];

/// The e-mails `verb`, having moved a request to `after`, calls for.
pub fn for_transition(verb: Verb, after: &AccessRequest) -> Vec<NoticeKind> {
    if after.emergency.is_some() {
        return match (verb, after.state()) {
            // The first manager's: nothing changed for anyone yet.
            (Verb::Preapprove, State::PendingManagerApproval) => Vec::new(),
            (Verb::Preapprove, _) => vec![NoticeKind::Preapproved, NoticeKind::EmergencyStarted],
            (Verb::Revoke, _) => vec![NoticeKind::Revoked, NoticeKind::ReviewNeeded],
            (Verb::Complete, _) => vec![NoticeKind::ReviewNeeded],
            (Verb::Dispute, _) => vec![NoticeKind::EmergencyDisputed],
            (Verb::Reject, _) => vec![NoticeKind::Rejected],
            (Verb::Expire, _) => vec![NoticeKind::Expired],
            _ => Vec::new(),
        };
    }
    match (verb, after.state()) {
        (Verb::Preapprove, State::PendingCustomerApproval) => {
            vec![NoticeKind::Preapproved, NoticeKind::PendingApproval]
        }
        (Verb::Preapprove, _) => vec![NoticeKind::Preapproved],
        (Verb::Reject, _) => vec![NoticeKind::Rejected],
        (Verb::Approve, State::Approved) => vec![NoticeKind::Approved],
        // One approval of several needed: nothing changed for the requester.
        (Verb::Approve, _) => Vec::new(),
        (Verb::Deny, _) => vec![NoticeKind::Denied],
        (Verb::Revoke, _) => vec![NoticeKind::Revoked],
        (Verb::Expire, _) => vec![NoticeKind::Expired],
        // The requester acted; a grant that ran its course was announced
        // 15 minutes before.
        (Verb::Cancel | Verb::Complete, _) => Vec::new(),
        // A review's notices depend on its verdict (`for_review`).
        (Verb::Ratify | Verb::Dispute | Verb::Lapse, _) => Vec::new(),
    }
}

/// The webhook events `verb` moving `before` to `after` raises in the
/// tenant's endpoints.
pub fn events_for_transition(
    verb: Verb,
    before: &AccessRequest,
    after: &AccessRequest,
) -> Vec<WebhookEvent> {
    match (verb, after.state()) {
        (Verb::Preapprove, State::PendingCustomerApproval) => vec![WebhookEvent::RequestPending],
        (Verb::Preapprove, State::Approved) if after.emergency.is_some() => {
            vec![WebhookEvent::GrantStarted, WebhookEvent::EmergencyStarted]
        }
        (Verb::Preapprove, State::Approved) => vec![WebhookEvent::GrantStarted],
        (Verb::Ratify | Verb::Dispute | Verb::Lapse, _) => vec![WebhookEvent::EmergencyReviewed],
        (Verb::Approve, State::Approved) => {
            vec![WebhookEvent::RequestDecided, WebhookEvent::GrantStarted]
        }
        (Verb::Deny, _) => vec![WebhookEvent::RequestDecided],
        (Verb::Revoke | Verb::Complete, _) => vec![WebhookEvent::GrantEnded],
        (Verb::Expire, _) if before.state() == State::PendingCustomerApproval => {
            vec![WebhookEvent::RequestExpired]
        }
        _ => Vec::new(),
    }
}

/// Whether `c` can stand in for a dot in a host name.
fn is_dot(c: char) -> bool {
    matches!(
        c,
        '.' | '\u{3002}' | '\u{FF0E}' | '\u{FF61}' | '\u{2024}' | '\u{FE52}'
    )
}

/// Text from a person, made safe to put in a message: control, bidi and
/// zero-width characters go, and nothing in it can become a link —
/// `https://evil.example` becomes `hxxps[:]//evil[.]example`, an address
/// `a[@]b[.]example`, `www.` `www[.]`.
pub fn defang(text: &str) -> String {
    let clean = clean_text(text, false);
    let chars: Vec<char> = clean.chars().collect();
    let mut out = String::with_capacity(clean.len() + 16);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1).copied();
        let word_start = !prev.is_some_and(char::is_alphanumeric);
        // `http` and `https` at the start of a word.
        if word_start
            && chars.len() >= i + 4
            && chars[i..i + 4]
                .iter()
                .collect::<String>()
                .eq_ignore_ascii_case("http")
        {
            out.push(chars[i]);
            out.push(if chars[i + 1].is_ascii_uppercase() {
                'X'
            } else {
                'x'
            });
            out.push(if chars[i + 2].is_ascii_uppercase() {
                'X'
            } else {
                'x'
            });
            out.push(chars[i + 3]);
            i += 4;
            continue;
        }
        match c {
            c if is_dot(c) && next.is_some_and(|n| !n.is_whitespace() && !is_dot(n)) => {
                out.push_str("[.]");
            }
            ':' | '\u{FF1A}' if next.is_some_and(|n| !n.is_whitespace()) => out.push_str("[:]"),
            '@' | '\u{FF20}' => out.push_str("[@]"),
            c => out.push(c),
        }
        i += 1;
    }
    out
}

/// An e-mail: subject and plain-text body (there is no HTML part).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    /// The subject line.
    pub subject: String,
    /// The body.
    pub body: String,
}

/// A time in a message: `2026-11-29 09:00 UTC` (the same in every
/// language: the reader's zone is unknown to an e-mail).
pub fn when(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| utc(ms))
}

fn facts(lines: &[(&str, String)]) -> String {
    let width = lines
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0)
        + 1;
    lines
        .iter()
        .map(|(label, value)| format!("{:<width$} {value}", format!("{label}:")))
        .collect::<Vec<_>>()
        .join("\n")
}

fn request_facts(
    lang: Lang,
    request: &AccessRequest,
    tenant_name: &str,
) -> Vec<(&'static str, String)> {
    let mut facts = vec![
        (t::organisation(lang), defang(tenant_name)),
        (t::service(lang), defang(request.service.as_str())),
        (t::ticket(lang), defang(request.ticket.as_str())),
        (t::reason(lang), defang(request.reason.as_str())),
        (
            t::asked(lang),
            crate::text::duration(lang, i64::from(request.duration.minutes())),
        ),
        (t::requested_by(lang), defang(&request.requester.email)),
        (t::requested_at(lang), when(request.created_at)),
    ];
    if let Some(asked) = &request.operations {
        // Those that read content are marked.
        let named: Vec<String> = asked
            .names()
            .iter()
            .map(|op| match request.reads_content.contains(op) {
                true => format!("{op} ({})", t::reads_content(lang)),
                false => op.clone(),
            })
            .collect();
        facts.push((t::operations_asked(lang), defang(&named.join(", "))));
        // Once granted, what the approvers allowed, when it is fewer.
        if let Some(allowed) = request
            .allowed_operations()
            .filter(|allowed| request.grant().is_some() && allowed.len() < asked.names().len())
        {
            facts.push((t::operations_allowed(lang), defang(&allowed.join(", "))));
        }
    }
    // An extension says what it continues, and from when.
    if let Some(extension) = &request.extends {
        facts.push((t::extends(lang), extension.of.as_str().to_owned()));
        facts.push((t::continues_from(lang), when(extension.continues_at)));
    }
    facts
}

fn comment_line(lang: Lang, lines: &mut Vec<(&'static str, String)>, comment: Option<&str>) {
    if let Some(comment) = comment.filter(|c| !c.trim().is_empty()) {
        lines.push((t::comment(lang), defang(comment)));
    }
}

/// An e-mail's body: the opening, the facts, the closing and the no-link
/// sentence.
fn body(lang: Lang, opening: &str, lines: &[(&str, String)], closing: &str) -> String {
    format!(
        "{opening}\n\n{}\n\n{closing}\n\n{}\n",
        facts(lines),
        t::no_links(lang)
    )
}

/// The e-mail of `kind` about `request` (of the tenant named
/// `tenant_name`) in `lang`, as it stands after the change. Customer
/// people are never named to the provider's staff.
pub fn request_email(
    lang: Lang,
    kind: NoticeKind,
    request: &AccessRequest,
    tenant_name: &str,
) -> Email {
    let tenant = &defang(tenant_name);
    let service = &defang(request.service.as_str());
    let ticket = &defang(request.ticket.as_str());
    let mut lines = request_facts(lang, request, tenant_name);
    let grant = request.grant().copied();
    let ending = request.ending();
    let (subject, opening, closing): (String, String, &str) = match kind {
        NoticeKind::AwaitingPreapproval => {
            if let Some(until) = request.pending_until() {
                lines.push((t::expires_at(lang), when(until)));
            }
            (
                t::awaiting_subject(lang, tenant, service, ticket),
                t::awaiting_opening(lang).to_owned(),
                t::awaiting_closing(lang),
            )
        }
        NoticeKind::PendingApproval => {
            if let Some(decision) = request.preapproval() {
                lines.push((t::preapproved_by(lang), defang(&decision.by.email)));
            }
            if let Some(until) = request.pending_until() {
                lines.push((t::expires_at(lang), when(until)));
            }
            (
                t::pending_subject(lang, tenant, service, ticket),
                t::pending_opening(lang, tenant),
                t::pending_closing(lang),
            )
        }
        NoticeKind::Preapproved => {
            let opening = match (request.state(), grant) {
                (State::Approved, Some(grant)) => {
                    lines.push((t::access_from(lang), when(grant.starts_at)));
                    lines.push((t::access_until(lang), when(grant.ends_at)));
                    t::preapproved_lockbox_off(lang, tenant)
                }
                _ => {
                    if let Some(until) = request.pending_until() {
                        lines.push((t::decide_by(lang), when(until)));
                    }
                    t::preapproved_waiting(lang, tenant)
                }
            };
            comment_line(
                lang,
                &mut lines,
                request
                    .preapproval()
                    .and_then(|d| d.comment.as_ref())
                    .map(|c| c.as_str()),
            );
            (
                t::preapproved_subject(lang, tenant, service, ticket),
                opening,
                t::follow_closing(lang),
            )
        }
        NoticeKind::Rejected => {
            comment_line(
                lang,
                &mut lines,
                ending.and_then(|e| e.comment).map(|c| c.as_str()),
            );
            (
                t::rejected_subject(lang, tenant, service, ticket),
                t::rejected_opening(lang).to_owned(),
                t::see_closing(lang),
            )
        }
        NoticeKind::Approved => {
            if let Some(grant) = grant {
                lines.push((t::access_from(lang), when(grant.starts_at)));
                lines.push((t::access_until(lang), when(grant.ends_at)));
            }
            comment_line(
                lang,
                &mut lines,
                request
                    .customer_decision()
                    .and_then(|d| d.comment.as_ref())
                    .map(|c| c.as_str()),
            );
            (
                t::approved_subject(lang, tenant, service, ticket),
                t::approved_opening(lang, tenant),
                t::approved_closing(lang),
            )
        }
        NoticeKind::Denied => {
            comment_line(
                lang,
                &mut lines,
                ending.and_then(|e| e.comment).map(|c| c.as_str()),
            );
            (
                t::denied_subject(lang, tenant, service, ticket),
                t::denied_opening(lang, tenant),
                t::see_closing(lang),
            )
        }
        NoticeKind::Expired => {
            if let Some(ending) = ending {
                lines.push((t::expired_at(lang), when(ending.at)));
            }
            let opening = if request.reached_customer() {
                t::expired_at_customer(lang, tenant)
            } else {
                t::expired_at_manager(lang).to_owned()
            };
            (
                t::expired_subject(lang, tenant, service, ticket),
                opening,
                t::new_request_closing(lang),
            )
        }
        NoticeKind::Revoked => {
            if let Some(ending) = ending {
                lines.push((t::revoked_at(lang), when(ending.at)));
            }
            comment_line(
                lang,
                &mut lines,
                ending.and_then(|e| e.comment).map(|c| c.as_str()),
            );
            (
                t::revoked_subject(lang, tenant, service, ticket),
                t::revoked_opening(lang, tenant),
                t::new_request_closing(lang),
            )
        }
        NoticeKind::GrantEnding => {
            if let Some(grant) = grant {
                lines.push((t::access_until(lang), when(grant.ends_at)));
            }
            let until = grant.map_or_else(String::new, |g| when(g.ends_at));
            (
                t::ending_subject(lang, tenant, service, &until, ticket),
                t::ending_opening(lang).to_owned(),
                t::ending_closing(lang),
            )
        }
        NoticeKind::EmergencyStarted => {
            let managers: Vec<String> = crate::emergency::managers(request)
                .map(|m| defang(&m.email))
                .collect();
            lines.push((t::managers(lang), managers.join(", ")));
            if let Some(e) = &request.emergency {
                lines.push((t::incident(lang), defang(e.incident.as_str())));
            }
            if let Some(grant) = grant {
                lines.push((t::access_from(lang), when(grant.starts_at)));
                lines.push((t::access_until(lang), when(grant.ends_at)));
            }
            (
                t::emergency_subject(lang, tenant, service, ticket),
                t::emergency_opening(lang, tenant),
                t::emergency_closing(lang),
            )
        }
        NoticeKind::ReviewNeeded => {
            if let Some(ending) = ending {
                lines.push((t::access_ended_at(lang), when(ending.at)));
            }
            if let Some(due) = crate::emergency::review_due_stored(request) {
                lines.push((t::review_by(lang), when(due)));
            }
            (
                t::review_subject(lang, tenant, service, ticket),
                t::review_opening(lang).to_owned(),
                t::review_closing(lang),
            )
        }
        NoticeKind::EmergencyDisputed => {
            if let Some(review) = request.emergency.as_ref().and_then(|e| e.review.as_ref()) {
                comment_line(
                    lang,
                    &mut lines,
                    review.comment.as_ref().map(|c| c.as_str()),
                );
            }
            (
                t::disputed_subject(lang, tenant, service, ticket),
                t::disputed_opening(lang, tenant),
                t::see_closing(lang),
            )
        }
        NoticeKind::LockboxSwitched
        | NoticeKind::RoleAssigned
        | NoticeKind::RoleRemoved
        | NoticeKind::AccessReport => (format!("Lockbox: {}", kind.as_str()), String::new(), ""),
    };
    lines.push((t::request_id(lang), request.id.as_str().to_owned()));
    Email {
        subject,
        body: body(lang, &opening, &lines, closing),
    }
}

/// What stands in an access report e-mail for its report's SHA-256 until
/// it is sent: the report quotes the end record's place in the log, known
/// only once the write that ends the grant has run, so the deliverer
/// writes the hash in.
pub const REPORT_SHA256: &str = "{report-sha256}";

/// The e-mail, in `lang`, to a tenant's global admins and the people who
/// decided on `request` when its grant ended: what was done under it.
/// Its body holds [`REPORT_SHA256`] for the deliverer to fill in.
pub fn access_report_email(
    lang: Lang,
    request: &AccessRequest,
    tenant_name: &str,
    summary: &crate::audit::EndSummary,
) -> Email {
    let tenant = &defang(tenant_name);
    let service = &defang(request.service.as_str());
    let ticket = &defang(request.ticket.as_str());
    let mut lines = request_facts(lang, request, tenant_name);
    lines.push((t::access_ended_at(lang), when(summary.ended_at)));
    lines.push((
        t::access_ended_how(lang),
        match summary.ended {
            State::Revoked => t::ended_revoked(lang),
            _ => t::ended_ran_out(lang),
        }
        .to_owned(),
    ));
    lines.push((
        t::minutes_used(lang),
        t::minutes_of(lang, summary.minutes_used, summary.minutes_granted),
    ));
    let succeeded: u32 = summary.totals.iter().map(|o| o.succeeded).sum();
    let refused: u32 = summary.totals.iter().map(|o| o.refused).sum();
    lines.push((t::actions_taken(lang), succeeded.to_string()));
    lines.push((t::refused_attempts(lang), refused.to_string()));
    lines.push((t::request_id(lang), request.id.as_str().to_owned()));
    lines.push((t::report_sha256(lang), REPORT_SHA256.to_owned()));
    let per_operation = if summary.totals.is_empty() {
        t::no_operations(lang).to_owned()
    } else {
        let rows: Vec<(String, String)> = summary
            .totals
            .iter()
            .map(|o| {
                (
                    defang(&o.operation),
                    t::operation_count(lang, o.succeeded, o.refused),
                )
            })
            .collect();
        let width = rows
            .iter()
            .map(|(n, _)| n.chars().count())
            .max()
            .unwrap_or(0)
            + 1;
        rows.iter()
            .map(|(name, count)| format!("  {:<width$} {count}", format!("{name}:")))
            .collect::<Vec<_>>()
            .join("\n")
    };
    Email {
        subject: t::report_subject(lang, tenant, service, ticket),
        body: format!(
            "{}\n\n{}\n\n{}\n{per_operation}\n\n{}\n\n{}\n",
            t::report_opening(lang, tenant),
            facts(&lines),
            t::per_operation(lang),
            t::report_closing(lang),
            t::no_links(lang)
        ),
    }
}

/// The e-mail, in `lang`, to a tenant's global admins when its Lockbox
/// switch changed.
pub fn lockbox_switched_email(
    lang: Lang,
    tenant_name: &str,
    enabled: bool,
    by: &str,
    at: i64,
) -> Email {
    let tenant = defang(tenant_name);
    let (state, meaning, subject) = if enabled {
        (
            t::on(lang),
            t::switched_on_meaning(lang),
            t::switched_on_subject(lang, &tenant),
        )
    } else {
        (
            t::off(lang),
            t::switched_off_meaning(lang),
            t::switched_off_subject(lang, &tenant),
        )
    };
    let lines = [
        (t::organisation(lang), tenant.clone()),
        (t::customer_lockbox(lang), state.to_owned()),
        (t::changed_by(lang), defang(by)),
        (t::changed_at(lang), when(at)),
    ];
    Email {
        subject,
        body: body(lang, meaning, &lines, t::settings_closing(lang)),
    }
}

/// The e-mail, in `lang`, to a tenant's global admins when a role changed.
pub fn role_email(
    lang: Lang,
    kind: NoticeKind,
    tenant_name: &str,
    role: CustomerRole,
    member: &str,
    by: &str,
    at: i64,
) -> Email {
    let tenant = &defang(tenant_name);
    let member = &defang(member);
    let role_name = crate::text::role_name(lang, role);
    let (subject, opening) = if kind == NoticeKind::RoleRemoved {
        (
            t::role_removed_subject(lang, member, role_name, tenant),
            t::role_removed_opening(lang, member, role_name, tenant),
        )
    } else {
        (
            t::role_added_subject(lang, member, role_name, tenant),
            t::role_added_opening(lang, member, role_name, tenant),
        )
    };
    let lines = [
        (t::organisation(lang), tenant.clone()),
        (t::person(lang), member.clone()),
        (t::role(lang), role_name.to_owned()),
        (t::changed_by(lang), defang(by)),
        (t::changed_at(lang), when(at)),
    ];
    Email {
        subject,
        body: body(lang, &opening, &lines, t::roles_closing(lang)),
    }
}

/// The sentence, in `lang`, a webhook of `event` about `request` (of the
/// tenant named `tenant_name`) carries beside its machine fields.
pub fn webhook_text(
    lang: Lang,
    event: WebhookEvent,
    request: &AccessRequest,
    tenant_name: &str,
) -> String {
    let service = &defang(request.service.as_str());
    let ticket = &defang(request.ticket.as_str());
    match event {
        WebhookEvent::RequestPending => {
            t::hook_pending(lang, service, ticket, &defang(tenant_name))
        }
        WebhookEvent::RequestDecided => {
            let by = request
                .customer_decision()
                .map_or_else(String::new, |d| defang(&d.by.email));
            if request.state() == State::Denied {
                t::hook_denied(lang, &by, service, ticket)
            } else {
                t::hook_approved(lang, &by, service, ticket)
            }
        }
        WebhookEvent::RequestExpired => t::hook_expired(lang, service, ticket),
        WebhookEvent::GrantStarted => t::hook_started(
            lang,
            service,
            ticket,
            &request
                .grant()
                .map_or_else(String::new, |g| when(g.ends_at)),
        ),
        WebhookEvent::GrantEnded => t::hook_ended(lang, service, ticket),
        WebhookEvent::OperatorAction => t::hook_action(lang, service, ticket),
        WebhookEvent::EmergencyStarted => t::hook_emergency(
            lang,
            service,
            ticket,
            &request
                .grant()
                .map_or_else(String::new, |g| when(g.ends_at)),
        ),
        WebhookEvent::EmergencyReviewed => t::hook_reviewed(
            lang,
            service,
            ticket,
            request
                .emergency
                .as_ref()
                .and_then(|e| e.review.as_ref())
                .map_or("", |r| r.verdict.as_str()),
        ),
    }
}

/// The facts of a request as a webhook's `data`, link-free like the
/// e-mails. Customer people are named (the payload goes to the customer's
/// own endpoints).
pub fn request_data(request: &AccessRequest, tenant_name: &str) -> Value {
    let grant = request.grant();
    let decision = request.customer_decision();
    json!({
        "request_id": request.id.as_str(),
        "tenant_id": request.tenant_id.as_str(),
        "tenant_name": defang(tenant_name),
        "service": request.service.as_str(),
        "ticket": defang(request.ticket.as_str()),
        "reason": defang(request.reason.as_str()),
        "duration_minutes": request.duration.minutes(),
        "requester": defang(&request.requester.email),
        "state": request.state().as_str(),
        "created_at": utc(request.created_at),
        "pending_until": request.pending_until().map(utc),
        "customer_approval_required": request.customer_approval_required(),
        "lockbox_off": matches!(request.approval(), Some(Approval::LockboxOff)),
        "decided_by": decision.map(|d| defang(&d.by.email)),
        "decision_comment": decision.and_then(|d| d.comment.as_ref()).map(|c| defang(c.as_str())),
        "grant_starts_at": grant.map(|g| utc(g.starts_at)),
        "grant_ends_at": grant.map(|g| utc(g.ends_at)),
        "ended_at": request.ending().map(|e| utc(e.at)),
        "emergency": request.emergency.as_ref().map(|e| json!({
            "incident": defang(e.incident.as_str()),
            "managers": crate::emergency::managers(request).map(|m| defang(&m.email)).collect::<Vec<_>>(),
            "verdict": e.review.as_ref().map(|r| r.verdict.as_str()),
            "review_comment": e.review.as_ref().and_then(|r| r.comment.as_ref()).map(|c| defang(c.as_str())),
        })),
    })
}

/// A webhook's body (the Standard Webhooks shape: `type`, `timestamp`,
/// `data`), with the event told in words for people: `text` in
/// `language` (the tenant's default).
pub fn webhook_body(
    event: WebhookEvent,
    at: i64,
    data: &Value,
    language: Lang,
    text: &str,
) -> String {
    json!({
        "type": event.as_str(),
        "timestamp": utc(at),
        "data": data,
        "language": language.as_str(),
        "text": text,
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_addresses_and_host_names_are_defanged() {
        assert_eq!(defang("https://evil.example"), "hxxps[:]//evil[.]example");
        assert_eq!(defang("HTTP://EVIL.EXAMPLE/x"), "HXXP[:]//EVIL[.]EXAMPLE/x");
        assert_eq!(defang("see www.evil.example."), "see www[.]evil[.]example.");
        assert_eq!(defang("mail a@b.example"), "mail a[@]b[.]example");
        assert_eq!(defang("javascript:alert(1)"), "javascript[:]alert(1)");
        assert_eq!(defang("Disk full. Again"), "Disk full. Again");
    }

    #[test]
    fn hidden_characters_cannot_smuggle_a_link_past_the_defanging() {
        assert_eq!(defang("ht\u{200B}tps://x.example"), "hxxps[:]//x[.]example");
        assert_eq!(defang("a\u{202E}b\u{0007}c"), "abc");
        assert_eq!(defang("evil\u{3002}example"), "evil[.]example");
    }

    /// Every link a mail client could make of `text`, schemes or not.
    fn links(text: &str) -> Vec<String> {
        let mut finder = linkify::LinkFinder::new();
        finder.url_must_have_scheme(false);
        finder.links(text).map(|l| l.as_str().to_owned()).collect()
    }

    fn hostile_request() -> AccessRequest {
        use crate::ids::{RequestId, TenantId, UserId};
        use crate::lifecycle::{create, preapprove, Actor, NewRequest};
        use crate::validation::{GrantDuration, Reason, ServiceName, TicketNumber};
        let engineer = Actor {
            user_id: UserId::parse("3f1c2d4e-0000-4000-8000-000000000001").expect("id"),
            email: "engineer1@provider.example".into(),
        };
        let manager = Actor {
            user_id: UserId::parse("3f1c2d4e-0000-4000-8000-000000000002").expect("id"),
            email: "manager@provider.example".into(),
        };
        let request = create(
            RequestId::parse("3f1c2d4e-0000-4000-8000-000000000003").expect("id"),
            NewRequest {
                tenant_id: TenantId::parse("3f1c2d4e-0000-4000-8000-000000000004").expect("id"),
                service: ServiceName::parse("mail").expect("service"),
                ticket: TicketNumber::parse("www.evil.example/SR-1").expect("ticket"),
                reason: Reason::parse(
                    "Open https://evil.example/login or <a href=\"http://x.example\">here</a>, \
                     javascript:alert(1), www.phish.example, mail help@evil.example, \
                     ht\u{200B}tps://hidden.example \u{202E}elpmaxe.live//:sptth",
                )
                .expect("reason"),
                duration: GrantDuration::from_minutes(90).expect("duration"),
                operations: None,
                reads_content: Vec::new(),
                emergency: None,
            },
            &engineer,
            1_764_000_000_000,
        );
        preapprove(&request, &manager, true, None, 1_764_000_060_000).expect("pre-approves")
    }

    /// Every e-mail Lockbox writes about `request`, in `lang`.
    fn every_email(lang: Lang, request: &AccessRequest) -> Vec<(String, Email)> {
        let mut emails: Vec<(String, Email)> = NoticeKind::ALL
            .iter()
            .filter(|kind| kind.audience() != Audience::TenantAdmins)
            .map(|kind| {
                (
                    kind.to_string(),
                    request_email(lang, *kind, request, "Contoso"),
                )
            })
            .collect();
        let hostile = "https://evil.example";
        for enabled in [true, false] {
            emails.push((
                format!("switched {enabled}"),
                lockbox_switched_email(lang, "www.evil.example", enabled, hostile, 0),
            ));
        }
        for kind in [NoticeKind::RoleAssigned, NoticeKind::RoleRemoved] {
            emails.push((
                kind.to_string(),
                role_email(
                    lang,
                    kind,
                    "evil.example",
                    CustomerRole::Approver,
                    hostile,
                    hostile,
                    0,
                ),
            ));
        }
        emails
    }

    #[test]
    fn no_e_mail_in_any_language_has_a_link_whatever_people_wrote() {
        let request = hostile_request();
        for lang in Lang::ALL.iter().copied() {
            for (what, email) in every_email(lang, &request) {
                assert_eq!(
                    links(&email.body),
                    Vec::<String>::new(),
                    "{lang} {what}: {}",
                    email.body
                );
                assert_eq!(
                    links(&email.subject),
                    Vec::<String>::new(),
                    "{lang} {what}: {}",
                    email.subject
                );
                assert!(
                    email.body.ends_with(&format!("{}\n", t::no_links(lang))),
                    "{lang} {what}"
                );
            }
            let email = request_email(lang, NoticeKind::PendingApproval, &request, "Contoso");
            assert!(
                email.body.contains("hxxps[:]//evil[.]example"),
                "{}",
                email.body
            );
            assert!(
                email.body.contains(&crate::text::duration(lang, 90)),
                "{}",
                email.body
            );
            for event in WebhookEvent::ALL.iter().copied() {
                let text = webhook_text(lang, event, &request, "www.evil.example");
                assert_eq!(links(&text), Vec::<String>::new(), "{lang} {event}: {text}");
            }
        }
        let data = request_data(&request, "Contoso");
        assert_eq!(links(&data.to_string()), Vec::<String>::new());
    }

    #[test]
    fn the_approvers_notice_lists_the_operations_asked_content_ones_marked() {
        let names = ["Get-Mailbox".to_owned(), "Get-Message".to_owned()];
        let request = AccessRequest {
            operations: Some(
                crate::validation::OperationSet::parse("operations", &names).expect("valid"),
            ),
            reads_content: vec!["Get-Message".to_owned()],
            ..hostile_request()
        };
        for (lang, line) in [
            (Lang::En, "Get-Mailbox, Get-Message (reads content)"),
            (Lang::It, "Get-Mailbox, Get-Message (legge il contenuto)"),
        ] {
            let email = request_email(lang, NoticeKind::PendingApproval, &request, "Contoso");
            assert!(email.body.contains(line), "{}", email.body);
        }
    }

    #[test]
    fn each_notice_is_written_in_the_readers_language() {
        let request = hostile_request();
        let english = request_email(Lang::En, NoticeKind::PendingApproval, &request, "Contoso");
        let italian = request_email(Lang::It, NoticeKind::PendingApproval, &request, "Contoso");
        assert!(
            english.subject.contains("asks for access"),
            "{}",
            english.subject
        );
        assert!(
            italian.subject.contains("chiede di accedere"),
            "{}",
            italian.subject
        );
        assert!(
            italian
                .body
                .contains("Supporto > Richieste di Customer Lockbox"),
            "{}",
            italian.body
        );
        assert!(italian.body.contains("1 ora 30 minuti"), "{}", italian.body);
        for (en, it) in every_email(Lang::En, &request)
            .iter()
            .zip(every_email(Lang::It, &request))
        {
            assert_ne!(en.1.subject, it.1.subject, "{}", en.0);
            assert_ne!(en.1.body, it.1.body, "{}", en.0);
        }
        // The facts' values line up in one column, whatever the labels.
        let facts = italian.body.split("\n\n").nth(1).expect("facts");
        let columns: std::collections::BTreeSet<usize> = facts
            .lines()
            .map(|line| {
                let label = line.chars().take_while(|c| *c != ':').count() + 1;
                label + line.chars().skip(label).take_while(|c| *c == ' ').count()
            })
            .collect();
        assert_eq!(columns.len(), 1, "{facts}");
    }

    #[test]
    fn an_extension_says_what_it_extends_in_every_e_mail() {
        use crate::ids::RequestId;
        use crate::lifecycle::Extension;
        let first = RequestId::parse("3f1c2d4e-0000-4000-8000-000000000009").expect("id");
        let request = AccessRequest {
            extends: Some(Extension {
                of: first.clone(),
                first_started_at: 1_764_000_000_000,
                continues_at: 1_764_003_600_000,
            }),
            ..hostile_request()
        };
        for kind in [NoticeKind::AwaitingPreapproval, NoticeKind::PendingApproval] {
            let body = request_email(Lang::En, kind, &request, "Contoso").body;
            assert!(body.contains(first.as_str()), "{kind}: {body}");
            assert!(body.contains(&when(1_764_003_600_000)), "{kind}: {body}");
        }
        let plain = request_email(
            Lang::En,
            NoticeKind::PendingApproval,
            &hostile_request(),
            "Contoso",
        );
        assert!(!plain.body.contains("Extends request"), "{}", plain.body);
    }

    #[test]
    fn every_kind_has_one_audience() {
        assert_eq!(
            NoticeKind::PendingApproval.audience(),
            Audience::TenantApprovers
        );
        assert_eq!(
            NoticeKind::AwaitingPreapproval.audience(),
            Audience::Managers
        );
        assert_eq!(NoticeKind::RoleRemoved.audience(), Audience::TenantAdmins);
        assert_eq!(NoticeKind::GrantEnding.audience(), Audience::Requester);
    }

    #[test]
    fn retries_back_off_from_half_a_minute_to_an_hour() {
        assert_eq!(retry_delay_ms(1), 30_000);
        assert_eq!(retry_delay_ms(2), 60_000);
        assert_eq!(retry_delay_ms(8), 3_600_000);
        assert_eq!(retry_delay_ms(50), 3_600_000);
        let total: i64 = (1..MAX_ATTEMPTS).map(retry_delay_ms).sum();
        assert!((2 * 3_600_000..4 * 3_600_000).contains(&total), "{total}");
    }

    #[test]
    fn a_receivers_retry_after_is_honoured_but_never_shortens_the_backoff() {
        assert_eq!(next_attempt_delay_ms(1, None), 30_000);
        assert_eq!(next_attempt_delay_ms(1, Some(120_000)), 120_000);
        assert_eq!(next_attempt_delay_ms(3, Some(1_000)), 120_000);
        assert_eq!(next_attempt_delay_ms(1, Some(-5)), 30_000);
        assert_eq!(next_attempt_delay_ms(1, Some(i64::MAX)), 86_400_000);
    }
}
