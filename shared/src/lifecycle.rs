//! The access-request lifecycle (SPEC §2): states, validated inputs, and the
//! transitions as pure functions of (request, actor, now).
//!
//! Role checks ("is this person a manager / an approver of this tenant?")
//! live in [`crate::policy`]; the rules here are those that relate the actor
//! to the request (nobody decides their own request, only the requester
//! cancels) and those of state and time.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::ids::{TenantId, UserId};

/// How long a request waits for the customer before it expires.
pub const PENDING_LIFETIME_MS: i64 = 12 * 60 * 60 * 1000;
/// The longest grant that can be asked for, in minutes (4 hours).
pub const MAX_GRANT_MINUTES: u32 = 4 * 60;
/// Longest reason accepted, in characters.
pub const MAX_REASON_CHARS: usize = 1000;
/// Longest decision comment accepted, in characters.
pub const MAX_COMMENT_CHARS: usize = 1000;

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum State {
    /// Waiting for a support manager to pre-approve or reject.
    PendingManagerApproval,
    /// Waiting for the customer to approve or deny (at most 12 h).
    PendingCustomerApproval,
    /// Granted: access is live until the grant ends.
    Approved,
    /// Denied by the customer.
    Denied,
    /// Rejected by the support manager.
    Rejected,
    /// Nobody at the customer answered within 12 h.
    Expired,
    /// Cancelled by the engineer who asked.
    Cancelled,
    /// The grant was ended early by an approver.
    Revoked,
    /// The grant ran its course.
    Completed,
}

impl State {
    /// Every state.
    pub const ALL: [State; 9] = [
        State::PendingManagerApproval,
        State::PendingCustomerApproval,
        State::Approved,
        State::Denied,
        State::Rejected,
        State::Expired,
        State::Cancelled,
        State::Revoked,
        State::Completed,
    ];

    /// The stored and API name.
    pub const fn as_str(self) -> &'static str {
        match self {
            State::PendingManagerApproval => "PendingManagerApproval",
            State::PendingCustomerApproval => "PendingCustomerApproval",
            State::Approved => "Approved",
            State::Denied => "Denied",
            State::Rejected => "Rejected",
            State::Expired => "Expired",
            State::Cancelled => "Cancelled",
            State::Revoked => "Revoked",
            State::Completed => "Completed",
        }
    }

    /// Parses the stored / API name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Terminal states never change again.
    pub const fn is_terminal(self) -> bool {
        !matches!(
            self,
            State::PendingManagerApproval | State::PendingCustomerApproval | State::Approved
        )
    }

    /// The name people see.
    pub const fn label(self) -> &'static str {
        match self {
            State::PendingManagerApproval => "Awaiting manager",
            State::PendingCustomerApproval => "Pending",
            State::Approved => "Approved",
            State::Denied => "Denied",
            State::Rejected => "Rejected by manager",
            State::Expired => "Expired",
            State::Cancelled => "Cancelled",
            State::Revoked => "Revoked",
            State::Completed => "Completed",
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An input that failed validation: which field and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// The field, as named in the API.
    pub field: &'static str,
    /// A sentence saying what is accepted.
    pub message: String,
}

fn invalid(field: &'static str, message: impl Into<String>) -> Invalid {
    Invalid {
        field,
        message: message.into(),
    }
}

/// How long the grant lasts: more than zero, at most 4 hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct GrantDuration(u32);

impl GrantDuration {
    /// Parses minutes, refusing 0 and anything over 4 hours.
    pub fn from_minutes(minutes: u32) -> Result<Self, Invalid> {
        if minutes == 0 || minutes > MAX_GRANT_MINUTES {
            return Err(invalid(
                "duration_minutes",
                format!(
                    "Access can be asked for between 1 and {MAX_GRANT_MINUTES} minutes (4 hours)."
                ),
            ));
        }
        Ok(Self(minutes))
    }

    /// The duration in minutes.
    pub const fn minutes(self) -> u32 {
        self.0
    }

    /// The duration in milliseconds.
    pub const fn millis(self) -> i64 {
        self.0 as i64 * 60_000
    }
}

impl TryFrom<u32> for GrantDuration {
    type Error = String;
    fn try_from(minutes: u32) -> Result<Self, String> {
        Self::from_minutes(minutes).map_err(|e| e.message)
    }
}

impl From<GrantDuration> for u32 {
    fn from(d: GrantDuration) -> u32 {
        d.0
    }
}

/// The provider's support ticket the request is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketNumber(String);

impl TicketNumber {
    /// 1–64 characters: letters, digits and `- _ # . /`.
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let s = s.trim();
        let ok_char = |c: char| c.is_ascii_alphanumeric() || "-_#./".contains(c);
        if s.is_empty() || s.chars().count() > 64 || !s.chars().all(ok_char) {
            return Err(invalid(
                "ticket",
                "The ticket number must be 1 to 64 letters, digits or - _ # . / characters.",
            ));
        }
        Ok(Self(s.to_owned()))
    }

    /// The ticket number.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why the engineer needs access: required, bounded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason(String);

impl Reason {
    /// 1 to [`MAX_REASON_CHARS`] characters after trimming.
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let s = s.trim();
        if s.is_empty() {
            return Err(invalid(
                "reason",
                "Say why access to the customer's content is needed.",
            ));
        }
        if s.chars().count() > MAX_REASON_CHARS {
            return Err(invalid(
                "reason",
                format!("The reason can be at most {MAX_REASON_CHARS} characters."),
            ));
        }
        Ok(Self(s.to_owned()))
    }

    /// The reason.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An optional comment on a decision, bounded.
pub fn parse_comment(s: Option<&str>) -> Result<Option<String>, Invalid> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) if s.chars().count() > MAX_COMMENT_CHARS => Err(invalid(
            "comment",
            format!("The comment can be at most {MAX_COMMENT_CHARS} characters."),
        )),
        Some(s) => Ok(Some(s.to_owned())),
    }
}

/// A service whose content a grant opens (`mail`, `sites`, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceName(String);

impl ServiceName {
    /// 1–32 lower-case letters, digits or dashes.
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let s = s.trim();
        let ok = !s.is_empty()
            && s.len() <= 32
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !ok {
            return Err(invalid(
                "service",
                "The service must be one of the tenant's services, such as mail, sites or files.",
            ));
        }
        Ok(Self(s.to_owned()))
    }

    /// The service name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The id of an access request: a UUID.
pub fn parse_request_id(s: &str) -> Result<String, Invalid> {
    uuid::Uuid::parse_str(s)
        .map(|u| u.hyphenated().to_string())
        .map_err(|_| {
            invalid(
                "id",
                "A request id is a UUID such as 1b4e28ba-2fa1-11d2-883f-0016d3cca427.",
            )
        })
}

/// Someone who acts on a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// Their user id.
    pub user_id: UserId,
    /// Their e-mail.
    pub email: String,
}

/// An access request as stored and as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessRequest {
    /// Its id (UUID).
    pub id: String,
    /// The tenant whose content it opens.
    pub tenant_id: TenantId,
    /// The service whose content it opens.
    pub service: String,
    /// The provider's support ticket.
    pub ticket: String,
    /// Why access is needed.
    pub reason: String,
    /// How long the grant lasts once it starts.
    pub duration_minutes: u32,
    /// Who asked (an engineer).
    pub requester_id: UserId,
    /// Their e-mail.
    pub requester_email: String,
    /// Where it stands, as stored. See [`AccessRequest::effective_state`].
    pub state: State,
    /// When it was created (epoch ms, UTC).
    pub created_at: i64,
    /// Who pre-approved or rejected it (a manager).
    pub manager_id: Option<UserId>,
    /// Their e-mail.
    pub manager_email: Option<String>,
    /// When the manager decided.
    pub manager_decided_at: Option<i64>,
    /// Whether customer approval was required (the tenant's Lockbox switch
    /// when the manager pre-approved).
    #[serde(default, deserialize_with = "bool_or_bit")]
    pub lockbox_required: Option<bool>,
    /// When a pending request expires (set when it becomes pending).
    pub pending_expires_at: Option<i64>,
    /// Who at the customer approved or denied.
    pub customer_id: Option<UserId>,
    /// Their e-mail.
    pub customer_email: Option<String>,
    /// When the customer decided.
    pub customer_decided_at: Option<i64>,
    /// The comment given with the last decision (manager or customer).
    pub decision_comment: Option<String>,
    /// When the grant started.
    pub grant_starts_at: Option<i64>,
    /// When the grant ends (set when it starts; never recomputed).
    pub grant_ends_at: Option<i64>,
    /// When it reached a terminal state.
    pub ended_at: Option<i64>,
    /// Who ended it, if a person did (cancel, revoke).
    pub ended_by: Option<String>,
}

impl AccessRequest {
    /// The state as of `now`: a pending request past its deadline is
    /// Expired and a grant past its end is Completed, whether or not the
    /// scheduled job has written that yet.
    pub fn effective_state(&self, now: i64) -> State {
        match self.state {
            State::PendingCustomerApproval if self.pending_expires_at.is_some_and(|t| now >= t) => {
                State::Expired
            }
            State::Approved if self.grant_ends_at.is_some_and(|t| now >= t) => State::Completed,
            state => state,
        }
    }

    /// Whether the grant opens the content at `now`: `now < grant_ends_at`.
    pub fn grants_access(&self, now: i64) -> bool {
        self.state == State::Approved
            && self.grant_starts_at.is_some_and(|t| t <= now)
            && self.grant_ends_at.is_some_and(|t| now < t)
    }

    fn duration_ms(&self) -> i64 {
        i64::from(self.duration_minutes) * 60_000
    }
}

/// Reads `true`/`false`, or `1`/`0` as databases without booleans store it.
fn bool_or_bit<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum BoolOrBit {
        Bool(bool),
        Bit(i64),
    }
    Ok(Option::<BoolOrBit>::deserialize(d)?.map(|v| match v {
        BoolOrBit::Bool(b) => b,
        BoolOrBit::Bit(n) => n != 0,
    }))
}

/// The facts of a new request, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRequest {
    /// The tenant.
    pub tenant_id: TenantId,
    /// The service.
    pub service: ServiceName,
    /// The ticket.
    pub ticket: TicketNumber,
    /// Why.
    pub reason: Reason,
    /// How long.
    pub duration: GrantDuration,
}

/// A request created by `requester` at `now` with id `id`.
pub fn create(id: String, input: NewRequest, requester: &Actor, now: i64) -> AccessRequest {
    AccessRequest {
        id,
        tenant_id: input.tenant_id,
        service: input.service.0,
        ticket: input.ticket.0,
        reason: input.reason.0,
        duration_minutes: input.duration.minutes(),
        requester_id: requester.user_id.clone(),
        requester_email: requester.email.clone(),
        state: State::PendingManagerApproval,
        created_at: now,
        manager_id: None,
        manager_email: None,
        manager_decided_at: None,
        lockbox_required: None,
        pending_expires_at: None,
        customer_id: None,
        customer_email: None,
        customer_decided_at: None,
        decision_comment: None,
        grant_starts_at: None,
        grant_ends_at: None,
        ended_at: None,
        ended_by: None,
    }
}

/// Why a transition cannot happen. Each variant carries what the UI needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransitionError {
    /// Someone already moved the request on; it is now in `state`.
    AlreadyDecided { state: State },
    /// The request waited too long and expired at `at`.
    Expired { at: i64 },
    /// The grant already ended at `at`.
    GrantEnded { at: i64 },
    /// Nobody decides on a request they opened themselves.
    SelfApproval,
    /// Only the engineer who opened a request may cancel it.
    NotTheRequester,
}

impl TransitionError {
    /// The HTTP status that fits.
    pub const fn status(&self) -> u16 {
        match self {
            TransitionError::AlreadyDecided { .. }
            | TransitionError::Expired { .. }
            | TransitionError::GrantEnded { .. } => 409,
            TransitionError::SelfApproval | TransitionError::NotTheRequester => 403,
        }
    }

    /// A sentence for the person.
    pub fn message(&self) -> String {
        match self {
            TransitionError::AlreadyDecided { state } => format!(
                "This request has already been dealt with: it is now {}. Nothing was changed.",
                state.label()
            ),
            TransitionError::Expired { .. } => {
                "This request expired because nobody decided within 12 hours. Nothing was granted; the engineer can open a new request.".to_owned()
            }
            TransitionError::GrantEnded { .. } => {
                "This access has already ended; there is nothing to revoke.".to_owned()
            }
            TransitionError::SelfApproval => {
                "You cannot decide on a request you opened yourself: another person must.".to_owned()
            }
            TransitionError::NotTheRequester => {
                "Only the engineer who opened this request can cancel it.".to_owned()
            }
        }
    }

    /// The request's state as of the failed attempt, when known.
    pub fn current_state(&self) -> Option<State> {
        match self {
            TransitionError::AlreadyDecided { state } => Some(*state),
            TransitionError::Expired { .. } => Some(State::Expired),
            TransitionError::GrantEnded { .. } => Some(State::Completed),
            _ => None,
        }
    }
}

/// The named transitions, as the API and the audit log name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verb {
    /// Manager pre-approves.
    Preapprove,
    /// Manager rejects.
    Reject,
    /// Customer approves.
    Approve,
    /// Customer denies.
    Deny,
    /// Requester cancels.
    Cancel,
    /// Customer ends a live grant early.
    Revoke,
    /// The sweep: a pending request ran out of time.
    Expire,
    /// The sweep: a grant ran its course.
    Complete,
}

impl Verb {
    /// The verbs a person can use through the API.
    pub const BY_PEOPLE: [Verb; 6] = [
        Verb::Preapprove,
        Verb::Reject,
        Verb::Approve,
        Verb::Deny,
        Verb::Cancel,
        Verb::Revoke,
    ];

    /// The path segment (`/requests/{id}/<verb>`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Verb::Preapprove => "preapprove",
            Verb::Reject => "reject",
            Verb::Approve => "approve",
            Verb::Deny => "deny",
            Verb::Cancel => "cancel",
            Verb::Revoke => "revoke",
            Verb::Expire => "expire",
            Verb::Complete => "complete",
        }
    }

    /// The states a request must be in (as of now) for this verb.
    pub const fn from_states(self) -> &'static [State] {
        match self {
            Verb::Preapprove | Verb::Reject => &[State::PendingManagerApproval],
            Verb::Approve | Verb::Deny | Verb::Expire => &[State::PendingCustomerApproval],
            Verb::Cancel => &[
                State::PendingManagerApproval,
                State::PendingCustomerApproval,
            ],
            Verb::Revoke | Verb::Complete => &[State::Approved],
        }
    }
}

fn require_state(req: &AccessRequest, verb: Verb, now: i64) -> Result<(), TransitionError> {
    let effective = req.effective_state(now);
    if verb.from_states().contains(&effective) {
        return Ok(());
    }
    Err(match (effective, req.state) {
        (State::Expired, State::PendingCustomerApproval) => TransitionError::Expired {
            at: req.pending_expires_at.unwrap_or(now),
        },
        (State::Completed, State::Approved) if verb == Verb::Revoke => {
            TransitionError::GrantEnded {
                at: req.grant_ends_at.unwrap_or(now),
            }
        }
        (state, _) => TransitionError::AlreadyDecided { state },
    })
}

/// A manager pre-approves. With Lockbox on the request waits for the
/// customer (12 h); with it off the grant starts now.
pub fn preapprove(
    req: &AccessRequest,
    manager: &Actor,
    lockbox_enabled: bool,
    comment: Option<String>,
    now: i64,
) -> Result<AccessRequest, TransitionError> {
    require_state(req, Verb::Preapprove, now)?;
    if manager.user_id == req.requester_id {
        return Err(TransitionError::SelfApproval);
    }
    let mut next = req.clone();
    next.manager_id = Some(manager.user_id.clone());
    next.manager_email = Some(manager.email.clone());
    next.manager_decided_at = Some(now);
    next.lockbox_required = Some(lockbox_enabled);
    next.decision_comment = comment;
    if lockbox_enabled {
        next.state = State::PendingCustomerApproval;
        next.pending_expires_at = Some(now + PENDING_LIFETIME_MS);
    } else {
        next.state = State::Approved;
        next.grant_starts_at = Some(now);
        next.grant_ends_at = Some(now + req.duration_ms());
    }
    Ok(next)
}

/// A manager rejects.
pub fn reject(
    req: &AccessRequest,
    manager: &Actor,
    comment: Option<String>,
    now: i64,
) -> Result<AccessRequest, TransitionError> {
    require_state(req, Verb::Reject, now)?;
    if manager.user_id == req.requester_id {
        return Err(TransitionError::SelfApproval);
    }
    let mut next = req.clone();
    next.state = State::Rejected;
    next.manager_id = Some(manager.user_id.clone());
    next.manager_email = Some(manager.email.clone());
    next.manager_decided_at = Some(now);
    next.decision_comment = comment;
    next.ended_at = Some(now);
    Ok(next)
}

/// The customer approves (`approve = true`) or denies.
pub fn decide(
    req: &AccessRequest,
    approver: &Actor,
    approve: bool,
    comment: Option<String>,
    now: i64,
) -> Result<AccessRequest, TransitionError> {
    require_state(req, if approve { Verb::Approve } else { Verb::Deny }, now)?;
    if approver.user_id == req.requester_id {
        return Err(TransitionError::SelfApproval);
    }
    let mut next = req.clone();
    next.customer_id = Some(approver.user_id.clone());
    next.customer_email = Some(approver.email.clone());
    next.customer_decided_at = Some(now);
    next.decision_comment = comment;
    if approve {
        next.state = State::Approved;
        next.grant_starts_at = Some(now);
        next.grant_ends_at = Some(now + req.duration_ms());
    } else {
        next.state = State::Denied;
        next.ended_at = Some(now);
    }
    Ok(next)
}

/// The requester cancels before a decision, optionally saying why.
pub fn cancel(
    req: &AccessRequest,
    requester: &Actor,
    comment: Option<String>,
    now: i64,
) -> Result<AccessRequest, TransitionError> {
    if requester.user_id != req.requester_id {
        return Err(TransitionError::NotTheRequester);
    }
    require_state(req, Verb::Cancel, now)?;
    let mut next = req.clone();
    next.state = State::Cancelled;
    next.ended_at = Some(now);
    next.ended_by = Some(requester.email.clone());
    next.decision_comment = comment.or(next.decision_comment);
    Ok(next)
}

/// An approver ends a live grant early.
pub fn revoke(
    req: &AccessRequest,
    approver: &Actor,
    comment: Option<String>,
    now: i64,
) -> Result<AccessRequest, TransitionError> {
    require_state(req, Verb::Revoke, now)?;
    let mut next = req.clone();
    next.state = State::Revoked;
    next.ended_at = Some(now);
    next.ended_by = Some(approver.email.clone());
    next.decision_comment = comment.or(next.decision_comment);
    Ok(next)
}

/// The sweep's move for this request at `now`, if it is due one.
pub fn sweep(req: &AccessRequest, now: i64) -> Option<(Verb, AccessRequest)> {
    let mut next = req.clone();
    match (req.state, req.effective_state(now)) {
        (State::PendingCustomerApproval, State::Expired) => {
            next.state = State::Expired;
            next.ended_at = req.pending_expires_at;
            Some((Verb::Expire, next))
        }
        (State::Approved, State::Completed) => {
            next.state = State::Completed;
            next.ended_at = req.grant_ends_at;
            Some((Verb::Complete, next))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 60 * 60 * 1000;

    fn actor(id: &str) -> Actor {
        Actor {
            user_id: UserId(id.into()),
            email: format!("{id}@example"),
        }
    }

    fn new_request(minutes: u32) -> AccessRequest {
        let input = NewRequest {
            tenant_id: TenantId("t".into()),
            service: ServiceName::parse("mail").expect("valid"),
            ticket: TicketNumber::parse("SR-1").expect("valid"),
            reason: Reason::parse("Mailbox will not open").expect("valid"),
            duration: GrantDuration::from_minutes(minutes).expect("valid"),
        };
        create("r".into(), input, &actor("engineer"), 0)
    }

    fn pending(minutes: u32) -> AccessRequest {
        preapprove(&new_request(minutes), &actor("manager"), true, None, 0).expect("preapproved")
    }

    #[test]
    fn a_grant_can_be_at_most_four_hours_and_not_zero() {
        assert!(GrantDuration::from_minutes(240).is_ok());
        assert!(GrantDuration::from_minutes(241).is_err());
        assert!(GrantDuration::from_minutes(0).is_err());
        assert!(serde_json::from_str::<GrantDuration>("300").is_err());
    }

    #[test]
    fn inputs_are_validated_with_a_field_and_a_sentence() {
        assert_eq!(Reason::parse("  ").expect_err("empty").field, "reason");
        assert!(Reason::parse(&"x".repeat(MAX_REASON_CHARS + 1)).is_err());
        assert!(TicketNumber::parse("SR 1; DROP").is_err());
        assert!(ServiceName::parse("Mail").is_err());
        assert!(parse_request_id("nope").is_err());
        assert_eq!(parse_comment(Some("  ")).expect("ok"), None);
    }

    #[test]
    fn a_manager_cannot_preapprove_their_own_request() {
        let req = new_request(60);
        assert_eq!(
            preapprove(&req, &actor("engineer"), true, None, 0),
            Err(TransitionError::SelfApproval)
        );
        assert_eq!(
            reject(&req, &actor("engineer"), None, 0),
            Err(TransitionError::SelfApproval)
        );
    }

    #[test]
    fn with_lockbox_on_preapproval_waits_twelve_hours_for_the_customer() {
        let req = pending(60);
        assert_eq!(req.state, State::PendingCustomerApproval);
        assert_eq!(req.pending_expires_at, Some(12 * HOUR));
        assert!(!req.grants_access(1));
    }

    #[test]
    fn with_lockbox_off_the_grant_starts_at_preapproval() {
        let req = preapprove(&new_request(30), &actor("manager"), false, None, 5).expect("ok");
        assert_eq!(req.state, State::Approved);
        assert_eq!(req.lockbox_required, Some(false));
        assert_eq!(req.grant_ends_at, Some(5 + 30 * 60_000));
        assert!(req.grants_access(5));
    }

    #[test]
    fn access_ends_exactly_at_grant_end_even_before_the_sweep() {
        let req = decide(&pending(60), &actor("approver"), true, None, HOUR).expect("approved");
        assert!(req.grants_access(2 * HOUR - 1));
        assert!(!req.grants_access(2 * HOUR));
        assert_eq!(req.effective_state(2 * HOUR), State::Completed);
    }

    #[test]
    fn approver_cannot_approve_an_expired_request() {
        let req = pending(60);
        assert_eq!(
            decide(&req, &actor("approver"), true, None, 12 * HOUR),
            Err(TransitionError::Expired { at: 12 * HOUR })
        );
        assert!(decide(&req, &actor("approver"), true, None, 12 * HOUR - 1).is_ok());
    }

    #[test]
    fn a_decided_request_cannot_be_decided_again() {
        let denied =
            decide(&pending(60), &actor("a"), false, Some("no".into()), 1).expect("denied");
        assert_eq!(
            decide(&denied, &actor("b"), true, None, 2),
            Err(TransitionError::AlreadyDecided {
                state: State::Denied
            })
        );
    }

    #[test]
    fn only_the_requester_cancels_and_only_before_a_decision() {
        let req = pending(60);
        assert_eq!(
            cancel(&req, &actor("someone"), None, 1),
            Err(TransitionError::NotTheRequester)
        );
        let cancelled = cancel(
            &req,
            &actor("engineer"),
            Some("Fixed another way".into()),
            1,
        )
        .expect("ok");
        assert_eq!(cancelled.state, State::Cancelled);
        assert_eq!(
            cancelled.decision_comment.as_deref(),
            Some("Fixed another way")
        );
        let approved = decide(&req, &actor("a"), true, None, 1).expect("ok");
        assert!(cancel(&approved, &actor("engineer"), None, 2).is_err());
    }

    #[test]
    fn revoking_an_ended_grant_says_it_already_ended() {
        let approved = decide(&pending(60), &actor("a"), true, None, 0).expect("ok");
        assert_eq!(
            revoke(&approved, &actor("a"), None, HOUR),
            Err(TransitionError::GrantEnded { at: HOUR })
        );
        assert_eq!(
            revoke(&approved, &actor("a"), None, HOUR - 1)
                .expect("ok")
                .state,
            State::Revoked
        );
    }

    #[test]
    fn the_sweep_expires_and_completes_only_what_is_due() {
        let req = pending(60);
        assert_eq!(sweep(&req, 12 * HOUR - 1), None);
        let (verb, expired) = sweep(&req, 12 * HOUR).expect("due");
        assert_eq!(
            (verb, expired.state, expired.ended_at),
            (Verb::Expire, State::Expired, Some(12 * HOUR))
        );
        assert_eq!(
            sweep(&expired, 100 * HOUR),
            None,
            "terminal states never change"
        );
    }

    #[test]
    fn a_stored_bit_reads_as_a_boolean() {
        let mut json = serde_json::to_value(pending(60)).expect("json");
        json["lockbox_required"] = serde_json::json!(1);
        let back: AccessRequest = serde_json::from_value(json.clone()).expect("reads 1");
        assert_eq!(back.lockbox_required, Some(true));
        json["lockbox_required"] = serde_json::Value::Null;
        let back: AccessRequest = serde_json::from_value(json).expect("reads null");
        assert_eq!(back.lockbox_required, None);
    }

    #[test]
    fn terminal_states_are_exactly_the_six_ends() {
        let terminal: Vec<State> = State::ALL.into_iter().filter(|s| s.is_terminal()).collect();
        assert_eq!(terminal.len(), 6);
        for s in State::ALL {
            assert_eq!(State::parse(s.as_str()), Some(s));
        }
    }
}
