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
use crate::lifecycle::{AccessRequest, Approval, State, Verb};
use crate::named_enum;
use crate::policy::Action;
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
            NoticeKind::LockboxSwitched | NoticeKind::RoleAssigned | NoticeKind::RoleRemoved => {
                Audience::TenantAdmins
            }
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
    }
}

/// The e-mails a new request calls for.
pub const ON_CREATE: [NoticeKind; 1] = [NoticeKind::AwaitingPreapproval];

/// The e-mails `verb`, having moved a request to `after`, calls for.
pub fn for_transition(verb: Verb, after: &AccessRequest) -> Vec<NoticeKind> {
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
        (Verb::Preapprove, State::Approved) => vec![WebhookEvent::GrantStarted],
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

/// The sentence every e-mail ends with.
pub const NO_LINKS: &str = "Lockbox never puts links in its messages. Sign in to the pages you \
    always use, by typing their address yourself or from your own bookmark; treat any message \
    that claims to come from Lockbox and carries a link as phishing.";

/// Minutes as people say them: `90` → `1 h 30 min`.
pub fn minutes_text(minutes: i64) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// A time in a message: `2026-11-29 09:00 UTC`.
pub fn when(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| utc(ms))
}

fn facts(lines: &[(&str, String)]) -> String {
    let width = lines.iter().map(|(l, _)| l.len()).max().unwrap_or(0) + 1;
    lines
        .iter()
        .map(|(label, value)| format!("{:<width$} {value}", format!("{label}:")))
        .collect::<Vec<_>>()
        .join("\n")
}

fn request_facts(request: &AccessRequest, tenant_name: &str) -> Vec<(&'static str, String)> {
    let mut facts = vec![
        ("Organisation", defang(tenant_name)),
        ("Service", defang(request.service.as_str())),
        ("Ticket number", defang(request.ticket.as_str())),
        ("Reason", defang(request.reason.as_str())),
        (
            "Access asked for",
            minutes_text(i64::from(request.duration.minutes())),
        ),
        ("Requested by", defang(&request.requester.email)),
        ("Requested at", when(request.created_at)),
    ];
    // An extension says what it continues, and from when.
    if let Some(extension) = &request.extends {
        facts.push(("Extends request", extension.of.as_str().to_owned()));
        facts.push(("Continues from", when(extension.continues_at)));
    }
    facts
}

fn comment_line(lines: &mut Vec<(&'static str, String)>, comment: Option<&str>) {
    if let Some(comment) = comment.filter(|c| !c.trim().is_empty()) {
        lines.push(("Comment", defang(comment)));
    }
}

/// The e-mail of `kind` about `request` (of the tenant named
/// `tenant_name`), as it stands after the change. Customer people are
/// never named to the provider's staff.
pub fn request_email(kind: NoticeKind, request: &AccessRequest, tenant_name: &str) -> Email {
    let tenant = defang(tenant_name);
    let service = defang(request.service.as_str());
    let ticket = defang(request.ticket.as_str());
    let mut lines = request_facts(request, tenant_name);
    let grant = request.grant().copied();
    let ending = request.ending();
    let (subject, opening, closing) = match kind {
        NoticeKind::AwaitingPreapproval => {
            if let Some(until) = request.pending_until() {
                lines.push(("Expires at", when(until)));
            }
            (
                format!(
                    "Lockbox: request for {tenant} {service} awaits pre-approval (ticket {ticket})"
                ),
                "A support engineer asks for access to a customer's content. It needs a support \
                 manager's pre-approval; you cannot pre-approve a request you opened yourself."
                    .to_owned(),
                "To decide, sign in to the provider console and open Pre-approvals.".to_owned(),
            )
        }
        NoticeKind::PendingApproval => {
            if let Some(decision) = request.preapproval() {
                lines.push(("Pre-approved by", defang(&decision.by.email)));
            }
            if let Some(until) = request.pending_until() {
                lines.push(("Expires at", when(until)));
            }
            (
                format!("Lockbox: a support engineer asks for access to {tenant} {service} (ticket {ticket})"),
                format!(
                    "A support engineer asks for access to your organisation's content. Nothing \
                     is opened unless a person at {tenant} approves. If nobody decides before it \
                     expires, nothing is granted."
                ),
                "To approve or deny, sign in to your organisation's admin pages yourself and \
                 open Support > Customer Lockbox requests."
                    .to_owned(),
            )
        }
        NoticeKind::Preapproved => {
            let opening = match (request.state(), grant) {
                (State::Approved, Some(grant)) => {
                    lines.push(("Access from", when(grant.starts_at)));
                    lines.push(("Access until", when(grant.ends_at)));
                    format!(
                        "Your request was pre-approved. {tenant} has Customer Lockbox off, so \
                         access started at once, without the customer's approval; it is recorded \
                         in their audit log."
                    )
                }
                _ => {
                    if let Some(until) = request.pending_until() {
                        lines.push(("Customer must decide by", when(until)));
                    }
                    format!("Your request was pre-approved and now awaits a decision at {tenant}.")
                }
            };
            comment_line(
                &mut lines,
                request
                    .preapproval()
                    .and_then(|d| d.comment.as_ref())
                    .map(|c| c.as_str()),
            );
            (
                format!("Lockbox: your request for {tenant} {service} was pre-approved (ticket {ticket})"),
                opening,
                "Sign in to the provider console to follow it.".to_owned(),
            )
        }
        NoticeKind::Rejected => {
            comment_line(
                &mut lines,
                ending.and_then(|e| e.comment).map(|c| c.as_str()),
            );
            (
                format!(
                    "Lockbox: your request for {tenant} {service} was rejected (ticket {ticket})"
                ),
                "A support manager rejected your request. Nothing was granted.".to_owned(),
                "Sign in to the provider console to see it.".to_owned(),
            )
        }
        NoticeKind::Approved => {
            if let Some(grant) = grant {
                lines.push(("Access from", when(grant.starts_at)));
                lines.push(("Access until", when(grant.ends_at)));
            }
            comment_line(
                &mut lines,
                request
                    .customer_decision()
                    .and_then(|d| d.comment.as_ref())
                    .map(|c| c.as_str()),
            );
            (
                format!("Lockbox: {tenant} approved your request for {service} (ticket {ticket})"),
                format!(
                    "{tenant} approved your request. Access is live until it ends or is revoked."
                ),
                "Sign in to the provider console and open the grant to work.".to_owned(),
            )
        }
        NoticeKind::Denied => {
            comment_line(
                &mut lines,
                ending.and_then(|e| e.comment).map(|c| c.as_str()),
            );
            (
                format!("Lockbox: {tenant} denied your request for {service} (ticket {ticket})"),
                format!("{tenant} denied your request. Nothing was granted."),
                "Sign in to the provider console to see it.".to_owned(),
            )
        }
        NoticeKind::Expired => {
            if let Some(ending) = ending {
                lines.push(("Expired at", when(ending.at)));
            }
            let who = if request.reached_customer() {
                format!("nobody at {tenant}")
            } else {
                "no support manager".to_owned()
            };
            (
                format!("Lockbox: your request for {tenant} {service} expired (ticket {ticket})"),
                format!("Your request expired: {who} decided in time. Nothing was granted."),
                "Open a new request if access is still needed.".to_owned(),
            )
        }
        NoticeKind::Revoked => {
            if let Some(ending) = ending {
                lines.push(("Revoked at", when(ending.at)));
            }
            comment_line(
                &mut lines,
                ending.and_then(|e| e.comment).map(|c| c.as_str()),
            );
            (
                format!("Lockbox: {tenant} revoked your access to {service} (ticket {ticket})"),
                format!("{tenant} ended your access early. Operations are refused from now on."),
                "Open a new request if access is still needed.".to_owned(),
            )
        }
        NoticeKind::GrantEnding => {
            if let Some(grant) = grant {
                lines.push(("Access until", when(grant.ends_at)));
            }
            (
                format!(
                    "Lockbox: your access to {tenant} {service} ends at {} (ticket {ticket})",
                    grant.map_or_else(String::new, |g| when(g.ends_at))
                ),
                "Your access ends soon; it cannot be extended in place.".to_owned(),
                "Finish your work, or open a new request if you need more time.".to_owned(),
            )
        }
        NoticeKind::LockboxSwitched | NoticeKind::RoleAssigned | NoticeKind::RoleRemoved => (
            format!("Lockbox: {}", kind.as_str()),
            String::new(),
            String::new(),
        ),
    };
    lines.push(("Request id", request.id.as_str().to_owned()));
    Email {
        subject,
        body: format!(
            "{opening}\n\n{}\n\n{closing}\n\n{NO_LINKS}\n",
            facts(&lines)
        ),
    }
}

/// The e-mail to a tenant's global admins when its Lockbox switch changed.
pub fn lockbox_switched_email(tenant_name: &str, enabled: bool, by: &str, at: i64) -> Email {
    let tenant = defang(tenant_name);
    let (state, meaning) = if enabled {
        ("on", "From now on, every access request needs the approval of a person at your organisation.")
    } else {
        ("off", "From now on, access requests pre-approved by the provider's support manager start at once, without your approval; each is still time-boxed and recorded in your audit log.")
    };
    let lines = [
        ("Organisation", tenant.clone()),
        ("Customer Lockbox", state.to_owned()),
        ("Changed by", defang(by)),
        ("Changed at", when(at)),
    ];
    Email {
        subject: format!("Lockbox: Customer Lockbox was turned {state} for {tenant}"),
        body: format!(
            "{meaning}\n\n{}\n\nIf you did not expect this change, sign in to your organisation's admin pages yourself and open Settings > Org settings > Security & Privacy.\n\n{NO_LINKS}\n",
            facts(&lines)
        ),
    }
}

/// The e-mail to a tenant's global admins when a role changed.
pub fn role_email(
    kind: NoticeKind,
    tenant_name: &str,
    role: &str,
    member: &str,
    by: &str,
    at: i64,
) -> Email {
    let tenant = defang(tenant_name);
    let member = defang(member);
    let (verb, subject) = if kind == NoticeKind::RoleRemoved {
        (
            "no longer holds",
            format!("Lockbox: {member} is no longer {role} at {tenant}"),
        )
    } else {
        (
            "now holds",
            format!("Lockbox: {member} is now {role} at {tenant}"),
        )
    };
    let lines = [
        ("Organisation", tenant.clone()),
        ("Person", member.clone()),
        ("Role", role.to_owned()),
        ("Changed by", defang(by)),
        ("Changed at", when(at)),
    ];
    Email {
        subject,
        body: format!(
            "{member} {verb} the Lockbox role {role} at {tenant}.\n\n{}\n\nIf you did not expect this change, sign in to your organisation's admin pages yourself and open Roles.\n\n{NO_LINKS}\n",
            facts(&lines)
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
    })
}

/// A webhook's body (the Standard Webhooks shape: `type`, `timestamp`,
/// `data`).
pub fn webhook_body(event: WebhookEvent, at: i64, data: Value) -> String {
    json!({
        "type": event.as_str(),
        "timestamp": utc(at),
        "data": data,
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
            },
            &engineer,
            1_764_000_000_000,
        );
        preapprove(&request, &manager, true, None, 1_764_000_060_000).expect("pre-approves")
    }

    #[test]
    fn the_approvers_e_mail_has_no_link_whatever_the_engineer_wrote() {
        let request = hostile_request();
        let email = request_email(NoticeKind::PendingApproval, &request, "Contoso");
        println!("{}\n\n{}", email.subject, email.body);
        assert_eq!(links(&email.body), Vec::<String>::new(), "{}", email.body);
        assert_eq!(
            links(&email.subject),
            Vec::<String>::new(),
            "{}",
            email.subject
        );
        assert!(
            email.body.contains("hxxps[:]//evil[.]example"),
            "{}",
            email.body
        );
        assert!(email.body.contains("1 h 30 min"), "{}", email.body);
        for kind in NoticeKind::ALL {
            if kind.audience() != Audience::TenantAdmins {
                let email = request_email(*kind, &request, "Contoso");
                assert_eq!(
                    links(&email.body),
                    Vec::<String>::new(),
                    "{kind}: {}",
                    email.body
                );
            }
        }
        let data = request_data(&request, "Contoso");
        assert_eq!(links(&data.to_string()), Vec::<String>::new());
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
            let body = request_email(kind, &request, "Contoso").body;
            assert!(body.contains(first.as_str()), "{kind}: {body}");
            assert!(body.contains(&when(1_764_003_600_000)), "{kind}: {body}");
        }
        let plain = request_email(NoticeKind::PendingApproval, &hostile_request(), "Contoso");
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
    fn minutes_read_as_hours_and_minutes() {
        assert_eq!(minutes_text(45), "45 min");
        assert_eq!(minutes_text(120), "2 h");
        assert_eq!(minutes_text(90), "1 h 30 min");
    }
}
