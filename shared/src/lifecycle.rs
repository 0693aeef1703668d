//! The access-request lifecycle (SPEC §2): states, their deadlines, and the
//! transitions as pure functions of (request, actor, now).
//!
//! Role checks ("is this person a manager / an approver of this tenant?")
//! live in [`crate::policy`]; the rules here are those that relate the actor
//! to the request (nobody decides their own request, only the requester
//! cancels) and those of state and time.

use crate::ids::{RequestId, TenantId, UserId};
use crate::named_enum;
use crate::validation::{
    ApprovalsRequired, Comment, GrantDuration, IncidentId, Invalid, OperationSet, Reason,
    ServiceName, TicketNumber,
};
use serde::{Deserialize, Serialize};

/// How long a request waits for the manager, and then for the customer,
/// before it expires.
pub const PENDING_LIFETIME_MS: i64 = 12 * 60 * 60 * 1000;
/// [`PENDING_LIFETIME_MS`] in hours, for sentences.
pub const PENDING_LIFETIME_HOURS: i64 = PENDING_LIFETIME_MS / 3_600_000;
/// How long a grant and the extensions that continue it may last in all,
/// counted from the first grant's start.
pub const MAX_EXTENDED_MS: i64 = 8 * 60 * 60 * 1000;
/// The states in which a request is still open: waiting for a decision,
/// or approved with its grant not over. A grant has at most one extension
/// open ([`AccessRequest::is_open_at`]; the store's guard is built from
/// the same list).
pub const OPEN_STATES: [State; 3] = [
    State::PendingManagerApproval,
    State::PendingCustomerApproval,
    State::Approved,
];

/// [`MAX_EXTENDED_MS`] in hours, for sentences.
pub const MAX_EXTENDED_HOURS: i64 = MAX_EXTENDED_MS / 3_600_000;

named_enum! {
    /// Where a request stands.
    pub enum State {
        /// Waiting for a support manager to pre-approve or reject (at most 12 h).
        PendingManagerApproval => "PendingManagerApproval",
        /// Waiting for the customer to approve or deny (at most 12 h).
        PendingCustomerApproval => "PendingCustomerApproval",
        /// Granted: access is live until the grant ends.
        Approved => "Approved",
        /// Denied by the customer.
        Denied => "Denied",
        /// Rejected by the support manager.
        Rejected => "Rejected",
        /// Nobody decided within 12 h.
        Expired => "Expired",
        /// Cancelled by the engineer who asked.
        Cancelled => "Cancelled",
        /// The grant was ended early by an approver.
        Revoked => "Revoked",
        /// The grant ran its course.
        Completed => "Completed",
    }
}

impl State {
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

    /// The rule by which this state ends on its own, if it does.
    pub fn deadline_rule(self) -> Option<&'static DeadlineRule> {
        DEADLINES.iter().find(|rule| rule.state == self)
    }
}

/// Which stored time a state's deadline is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Deadline {
    /// When a pending request (manager's or customer's step) expires.
    PendingExpiry,
    /// When a live grant ends.
    GrantEnd,
}

/// A state that ends by itself: at or after its deadline it is, in effect,
/// `becomes`, whether or not the scheduled job has written that yet; the
/// job writes it with `verb`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeadlineRule {
    /// The state that ends by itself.
    pub state: State,
    /// The stored time at which it ends.
    pub deadline: Deadline,
    /// What it becomes then.
    pub becomes: State,
    /// The scheduled job's move that writes it.
    pub verb: Verb,
}

/// Every state that ends by itself. The single definition of the
/// "effective state" rule: [`effective_state`], the database's guards,
/// list filters, access check and the sweep are all built from this table.
pub const DEADLINES: [DeadlineRule; 3] = [
    DeadlineRule {
        state: State::PendingManagerApproval,
        deadline: Deadline::PendingExpiry,
        becomes: State::Expired,
        verb: Verb::Expire,
    },
    DeadlineRule {
        state: State::PendingCustomerApproval,
        deadline: Deadline::PendingExpiry,
        becomes: State::Expired,
        verb: Verb::Expire,
    },
    DeadlineRule {
        state: State::Approved,
        deadline: Deadline::GrantEnd,
        becomes: State::Completed,
        verb: Verb::Complete,
    },
];

/// The state as of `now` of a request stored in `stored` whose deadline
/// (for a state that has one) is `deadline_at`: at or past its deadline a
/// state is what its [`DeadlineRule`] makes it.
pub fn effective_state(stored: State, deadline_at: Option<i64>, now: i64) -> State {
    match (stored.deadline_rule(), deadline_at) {
        (Some(rule), Some(at)) if now >= at => rule.becomes,
        _ => stored,
    }
}

named_enum! {
    /// The named transitions: the six a person makes through the API, and
    /// the two the scheduled job makes when a deadline passes.
    pub enum Verb {
        /// Manager pre-approves.
        Preapprove => "preapprove",
        /// Manager rejects.
        Reject => "reject",
        /// Customer approves.
        Approve => "approve",
        /// Customer denies.
        Deny => "deny",
        /// Requester cancels.
        Cancel => "cancel",
        /// Customer ends a live grant early.
        Revoke => "revoke",
        /// The sweep: a pending request ran out of time.
        Expire => "expire",
        /// The sweep: a grant ran its course.
        Complete => "complete",
        /// The customer accepts what was done under an emergency grant.
        Ratify => "ratify",
        /// The customer disputes it, saying why.
        Dispute => "dispute",
        /// The sweep: nobody reviewed an emergency grant in time.
        Lapse => "lapse",
    }
}

impl Verb {
    /// The verbs a person can use through the API (`/requests/{id}/<verb>`).
    pub const BY_PEOPLE: [Verb; 8] = [
        Verb::Preapprove,
        Verb::Reject,
        Verb::Approve,
        Verb::Deny,
        Verb::Cancel,
        Verb::Revoke,
        Verb::Ratify,
        Verb::Dispute,
    ];

    /// The states a request must be in (as of now) for this verb.
    pub const fn from_states(self) -> &'static [State] {
        match self {
            Verb::Preapprove | Verb::Reject => &[State::PendingManagerApproval],
            Verb::Approve | Verb::Deny => &[State::PendingCustomerApproval],
            Verb::Cancel | Verb::Expire => &[
                State::PendingManagerApproval,
                State::PendingCustomerApproval,
            ],
            Verb::Revoke | Verb::Complete => &[State::Approved],
            Verb::Ratify | Verb::Dispute | Verb::Lapse => &[State::Completed, State::Revoked],
        }
    }
}

/// Someone who acts on a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// Their user id.
    pub user_id: UserId,
    /// Their e-mail.
    pub email: String,
}

/// A person's decision on a request: who, when, and their optional comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Who decided.
    pub by: Actor,
    /// When (epoch ms, UTC).
    pub at: i64,
    /// Why, in their words.
    pub comment: Option<Comment>,
}

/// One customer person's approval: their decision, and what they granted
/// when it was less than was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    /// Who approved, when, and why.
    pub decision: Decision,
    /// What they granted, when less than asked.
    pub granted: Option<GrantDuration>,
    /// The operations they allowed, when fewer than were asked.
    pub operations: Option<OperationSet>,
}

/// The customer's approvals of a request: how many distinct people must
/// approve (the tenant's setting when the request became pending for the
/// customer) and those who have, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approvals {
    /// How many are needed.
    pub required: ApprovalsRequired,
    /// Those given so far (all of them, once approved).
    pub given: Vec<Consent>,
}

impl Approvals {
    /// None given yet; one needed until a pre-approval says otherwise.
    pub const fn none() -> Self {
        Self {
            required: ApprovalsRequired::ONE,
            given: Vec::new(),
        }
    }

    /// What the approvals grant of `asked`: the shortest any approver gave.
    pub fn granted(&self, asked: GrantDuration) -> GrantDuration {
        self.given
            .iter()
            .filter_map(|c| c.granted)
            .fold(asked, |shortest, g| g.min_of(shortest))
    }

    /// Whether `who` has approved already.
    pub fn includes(&self, who: &Actor) -> bool {
        self.given
            .iter()
            .any(|c| c.decision.by.user_id == who.user_id)
    }
}

/// What an extension continues: the grant of another request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extension {
    /// The request whose grant it extends.
    pub of: RequestId,
    /// When the first grant of the chain (the request extended, or the
    /// first of the requests it in turn extends) started.
    pub first_started_at: i64,
    /// When the grant it extends ends: approved before then, the extension
    /// starts there, so that access continues without a gap.
    pub continues_at: i64,
}

impl Extension {
    /// The latest time access may last to, the whole chain counted:
    /// [`MAX_EXTENDED_MS`] after the first start.
    pub const fn limit(&self) -> i64 {
        self.first_started_at + MAX_EXTENDED_MS
    }
}

/// How a grant came about after the manager's pre-approval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Approval {
    /// The tenant had Lockbox off: the grant started at pre-approval.
    LockboxOff,
    /// A person at the customer approved before `asked_until`.
    Customer {
        /// Their decision.
        decision: Decision,
        /// When the customer's step would have expired.
        asked_until: i64,
    },
    /// Emergency access: a second manager pre-approved after the first
    /// (the stage's `preapproval`); the customer reviews it afterwards.
    Emergency {
        /// The second manager's pre-approval.
        second: Decision,
    },
}

/// A grant's window: usable while `starts_at <= now < ends_at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant {
    /// When access starts (epoch ms).
    pub starts_at: i64,
    /// When access ends (set when it starts; never recomputed).
    pub ends_at: i64,
}

impl Grant {
    /// Its length in whole minutes (what was granted).
    pub const fn minutes(&self) -> i64 {
        (self.ends_at - self.starts_at) / 60_000
    }
}

/// Where a request stands, with the facts and deadline of that stage: a
/// pending request always has its expiry, a grant always has its window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    /// Waiting for a manager until `expires_at`.
    PendingManagerApproval {
        /// When it expires if nobody pre-approves.
        expires_at: i64,
    },
    /// Pre-approved; waiting for the customer until `expires_at`.
    PendingCustomerApproval {
        /// The manager's pre-approval.
        preapproval: Decision,
        /// When it expires if nobody at the customer decides.
        expires_at: i64,
    },
    /// Access is granted for `grant`.
    Approved {
        /// The manager's pre-approval.
        preapproval: Decision,
        /// How the customer's step was passed.
        approval: Approval,
        /// The window.
        grant: Grant,
    },
    /// The manager rejected it.
    Rejected {
        /// The rejection.
        rejection: Decision,
        /// When the manager's step would have expired.
        pending_until: i64,
    },
    /// The customer denied it.
    Denied {
        /// The manager's pre-approval.
        preapproval: Decision,
        /// The customer's denial.
        denial: Decision,
        /// When the customer's step would have expired.
        asked_until: i64,
    },
    /// Nobody decided in time (the manager when `preapproval` is `None`,
    /// else the customer).
    Expired {
        /// The pre-approval, when the customer's step was reached.
        preapproval: Option<Decision>,
        /// The deadline that passed.
        expired_at: i64,
    },
    /// The requester withdrew it before any grant.
    Cancelled {
        /// The pre-approval, when it had one.
        preapproval: Option<Decision>,
        /// The requester's cancellation.
        cancellation: Decision,
        /// When the pending step would have expired.
        pending_until: i64,
    },
    /// An approver ended the grant early.
    Revoked {
        /// The manager's pre-approval.
        preapproval: Decision,
        /// How the customer's step was passed.
        approval: Approval,
        /// The window as granted.
        grant: Grant,
        /// The revocation.
        revocation: Decision,
    },
    /// The grant ran its course.
    Completed {
        /// The manager's pre-approval.
        preapproval: Decision,
        /// How the customer's step was passed.
        approval: Approval,
        /// The window.
        grant: Grant,
    },
}

/// An access request: its facts and its stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessRequest {
    /// Its id.
    pub id: RequestId,
    /// The tenant whose content it opens.
    pub tenant_id: TenantId,
    /// The service whose content it opens.
    pub service: ServiceName,
    /// The provider's support ticket.
    pub ticket: TicketNumber,
    /// Why access is needed.
    pub reason: Reason,
    /// How long the grant lasts once it starts.
    pub duration: GrantDuration,
    /// The operations asked for; `None` for a request from before requests
    /// named them, whose grant allows every operation of its service.
    pub operations: Option<OperationSet>,
    /// Of `operations`, those that read content (a message's body, a
    /// file's bytes), as the services registered them when it was asked.
    pub reads_content: Vec<String>,
    /// Who asked (an engineer).
    pub requester: Actor,
    /// When it was created (epoch ms, UTC).
    pub created_at: i64,
    /// Where it stands.
    pub stage: Stage,
    /// The customer's approvals, needed and given.
    pub approvals: Approvals,
    /// The grant it extends, when it is an extension.
    pub extends: Option<Extension>,
    /// What makes it an emergency (break-glass), when it is one: its
    /// managers' pre-approvals are its `approvals`, and its customer's
    /// review comes after its end.
    pub emergency: Option<crate::emergency::Emergency>,
}

/// How a request ended: when, by whom (a person, or nobody when time ran
/// out), and their comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ending<'a> {
    /// When it reached its terminal state.
    pub at: i64,
    /// The person who ended it, if a person did.
    pub by: Option<&'a Actor>,
    /// Their comment.
    pub comment: Option<&'a Comment>,
}

impl AccessRequest {
    /// The stored state.
    pub fn state(&self) -> State {
        match self.stage {
            Stage::PendingManagerApproval { .. } => State::PendingManagerApproval,
            Stage::PendingCustomerApproval { .. } => State::PendingCustomerApproval,
            Stage::Approved { .. } => State::Approved,
            Stage::Rejected { .. } => State::Rejected,
            Stage::Denied { .. } => State::Denied,
            Stage::Expired { .. } => State::Expired,
            Stage::Cancelled { .. } => State::Cancelled,
            Stage::Revoked { .. } => State::Revoked,
            Stage::Completed { .. } => State::Completed,
        }
    }

    /// How far the request has come: every change of a request makes it
    /// larger (a request only moves forward through its states, and within
    /// one state only gains approvals), so of two copies of a request the
    /// one with the larger number is the later (the provider's index keeps
    /// that one, whatever order the copies arrive in).
    pub fn progress(&self) -> i64 {
        let rank = match self.state() {
            State::PendingManagerApproval => 0,
            State::PendingCustomerApproval => 1,
            State::Approved => 2,
            State::Rejected
            | State::Denied
            | State::Expired
            | State::Cancelled
            | State::Revoked
            | State::Completed => 3,
        };
        rank * 8 + self.approvals.given.len() as i64
    }

    /// The deadline of the stored state, if it has one (see [`DEADLINES`]).
    pub fn deadline(&self) -> Option<i64> {
        match &self.stage {
            Stage::PendingManagerApproval { expires_at }
            | Stage::PendingCustomerApproval { expires_at, .. } => Some(*expires_at),
            Stage::Approved { grant, .. } => Some(grant.ends_at),
            _ => None,
        }
    }

    /// The state as of `now` (see [`effective_state`]).
    pub fn effective_state(&self, now: i64) -> State {
        effective_state(self.state(), self.deadline(), now)
    }

    /// Whether it is still open at `now`: waiting for a decision, or
    /// approved with its grant not over (started or not). An extension
    /// that is open keeps a second one from being asked for.
    pub fn is_open_at(&self, now: i64) -> bool {
        OPEN_STATES.contains(&self.effective_state(now))
    }

    /// Whether the grant opens the content at `now`:
    /// `starts_at <= now < ends_at` of a stored Approved request.
    /// Whether its grant allows operation `name` (of its service): asked
    /// for, and allowed by every approver. (A request from before requests
    /// named operations allows each.)
    pub fn allows_operation(&self, name: &str) -> bool {
        match &self.operations {
            None => true,
            Some(asked) => {
                asked.contains(name)
                    && self.approvals.given.iter().all(|consent| {
                        consent
                            .operations
                            .as_ref()
                            .is_none_or(|allowed| allowed.contains(name))
                    })
            }
        }
    }

    /// The operations its grant allows, in name order; `None` for every
    /// operation of its service (see [`AccessRequest::operations`]).
    pub fn allowed_operations(&self) -> Option<Vec<String>> {
        self.operations.as_ref().map(|asked| {
            asked
                .names()
                .iter()
                .filter(|name| self.allows_operation(name))
                .cloned()
                .collect()
        })
    }

    pub fn grants_access(&self, now: i64) -> bool {
        matches!(&self.stage, Stage::Approved { grant, .. } if grant.starts_at <= now)
            && self.effective_state(now) == State::Approved
    }

    /// Whether the customer sees it: from the manager's pre-approval on
    /// (pending for the customer, or granted at once with Lockbox off).
    /// Requests still with the manager, or rejected, expired or cancelled
    /// there, stay on the provider's side.
    pub fn reached_customer(&self) -> bool {
        self.preapproval().is_some()
    }

    /// The manager's pre-approval, if it was given.
    pub fn preapproval(&self) -> Option<&Decision> {
        match &self.stage {
            Stage::PendingCustomerApproval { preapproval, .. }
            | Stage::Approved { preapproval, .. }
            | Stage::Denied { preapproval, .. }
            | Stage::Revoked { preapproval, .. }
            | Stage::Completed { preapproval, .. } => Some(preapproval),
            Stage::Expired { preapproval, .. } | Stage::Cancelled { preapproval, .. } => {
                preapproval.as_ref()
            }
            Stage::PendingManagerApproval { .. } | Stage::Rejected { .. } => None,
        }
    }

    /// The manager's decision, pre-approval or rejection.
    pub fn manager_decision(&self) -> Option<&Decision> {
        match &self.stage {
            Stage::Rejected { rejection, .. } => Some(rejection),
            _ => self.preapproval(),
        }
    }

    /// How the customer's step was passed, once access was granted.
    pub fn approval(&self) -> Option<&Approval> {
        match &self.stage {
            Stage::Approved { approval, .. }
            | Stage::Revoked { approval, .. }
            | Stage::Completed { approval, .. } => Some(approval),
            _ => None,
        }
    }

    /// Whether the customer had to approve: `Some(false)` with Lockbox off,
    /// `None` before the manager pre-approved.
    pub fn customer_approval_required(&self) -> Option<bool> {
        match &self.stage {
            Stage::PendingManagerApproval { .. } | Stage::Rejected { .. } => None,
            Stage::Expired {
                preapproval: None, ..
            }
            | Stage::Cancelled {
                preapproval: None, ..
            } => None,
            _ => Some(!matches!(
                self.approval(),
                Some(Approval::LockboxOff | Approval::Emergency { .. })
            )),
        }
    }

    /// The customer's decision (approval or denial), if one was made.
    pub fn customer_decision(&self) -> Option<&Decision> {
        match (&self.stage, self.approval()) {
            (Stage::Denied { denial, .. }, _) => Some(denial),
            (_, Some(Approval::Customer { decision, .. })) => Some(decision),
            _ => None,
        }
    }

    /// When the pending step (the manager's, then the customer's) expires or
    /// would have expired; `None` once Lockbox-off access was granted.
    pub fn pending_until(&self) -> Option<i64> {
        match &self.stage {
            Stage::PendingManagerApproval { expires_at }
            | Stage::PendingCustomerApproval { expires_at, .. } => Some(*expires_at),
            Stage::Rejected { pending_until, .. } | Stage::Cancelled { pending_until, .. } => {
                Some(*pending_until)
            }
            Stage::Denied { asked_until, .. } => Some(*asked_until),
            Stage::Expired { expired_at, .. } => Some(*expired_at),
            Stage::Approved { approval, .. }
            | Stage::Revoked { approval, .. }
            | Stage::Completed { approval, .. } => match approval {
                Approval::Customer { asked_until, .. } => Some(*asked_until),
                Approval::LockboxOff | Approval::Emergency { .. } => None,
            },
        }
    }

    /// The grant's window, once access was granted.
    pub fn grant(&self) -> Option<&Grant> {
        match &self.stage {
            Stage::Approved { grant, .. }
            | Stage::Revoked { grant, .. }
            | Stage::Completed { grant, .. } => Some(grant),
            _ => None,
        }
    }

    /// How it ended, once it is in a terminal state.
    pub fn ending(&self) -> Option<Ending<'_>> {
        fn by_person(d: &Decision) -> (i64, Option<&Actor>, Option<&Comment>) {
            (d.at, Some(&d.by), d.comment.as_ref())
        }
        let (at, by, comment) = match &self.stage {
            Stage::Rejected { rejection: d, .. }
            | Stage::Denied { denial: d, .. }
            | Stage::Cancelled {
                cancellation: d, ..
            }
            | Stage::Revoked { revocation: d, .. } => by_person(d),
            Stage::Expired { expired_at, .. } => (*expired_at, None, None),
            Stage::Completed { grant, .. } => (grant.ends_at, None, None),
            Stage::PendingManagerApproval { .. }
            | Stage::PendingCustomerApproval { .. }
            | Stage::Approved { .. } => return None,
        };
        Some(Ending { at, by, comment })
    }

    /// The decision `verb` made in reaching this request, if a person's.
    pub fn decision_by(&self, verb: Verb) -> Option<&Decision> {
        match verb {
            // An emergency's managers each pre-approve: the latest one.
            Verb::Preapprove if self.emergency.is_some() => {
                self.approvals.given.last().map(|c| &c.decision)
            }
            Verb::Preapprove => self.preapproval(),
            Verb::Reject | Verb::Deny | Verb::Cancel | Verb::Revoke => match &self.stage {
                Stage::Rejected { rejection: d, .. }
                | Stage::Denied { denial: d, .. }
                | Stage::Cancelled {
                    cancellation: d, ..
                }
                | Stage::Revoked { revocation: d, .. } => Some(d),
                _ => None,
            },
            // Before the last approval needed, the latest one.
            Verb::Approve => self
                .customer_decision()
                .or_else(|| self.approvals.given.last().map(|c| &c.decision)),
            // A review is the emergency's, not a decision of the stage.
            Verb::Expire | Verb::Complete | Verb::Ratify | Verb::Dispute | Verb::Lapse => None,
        }
    }
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
    /// Which operations (`None` only where a grant from before requests
    /// named them is extended).
    pub operations: Option<OperationSet>,
    /// Of them, those that read content.
    pub reads_content: Vec<String>,
    /// For an emergency, the incident it is for.
    pub emergency: Option<IncidentId>,
}

/// A request created by `requester` at `now` with id `id`: it waits for a
/// manager for [`PENDING_LIFETIME_MS`]; an emergency waits for two
/// different managers for [`crate::emergency::PENDING_MS`].
pub fn create(id: RequestId, input: NewRequest, requester: &Actor, now: i64) -> AccessRequest {
    let (lifetime, approvals) = match &input.emergency {
        Some(_) => (
            crate::emergency::PENDING_MS,
            Approvals {
                required: ApprovalsRequired::parse(i64::from(crate::emergency::MANAGERS))
                    .unwrap_or(ApprovalsRequired::ONE),
                given: Vec::new(),
            },
        ),
        None => (PENDING_LIFETIME_MS, Approvals::none()),
    };
    AccessRequest {
        id,
        tenant_id: input.tenant_id,
        service: input.service,
        ticket: input.ticket,
        reason: input.reason,
        duration: input.duration,
        operations: input.operations,
        reads_content: input.reads_content,
        requester: requester.clone(),
        created_at: now,
        stage: Stage::PendingManagerApproval {
            expires_at: now + lifetime,
        },
        approvals,
        extends: None,
        emergency: input.emergency.map(|incident| crate::emergency::Emergency {
            incident,
            review: None,
        }),
    }
}

/// Why an extension cannot be asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExtendError {
    /// The grant is not one that can be extended (not the caller's, or no
    /// longer live).
    Transition(TransitionError),
    /// The minutes asked for are more than the chain has left.
    Invalid(Invalid),
    /// The extension asks for an operation (`name`) the grant it continues
    /// does not allow: an extension never widens a grant.
    Widens { name: String },
    /// Emergency access is never extended.
    Emergency,
}

/// The requester of `first`, a grant that has not ended, asks for `minutes`
/// more: a new request `id` (through the same approvals as any) that
/// extends it. All together, the grants of a chain end at most
/// [`MAX_EXTENDED_MS`] after the first one started.
///
/// `extensions` are the requests that already extend `first`: while one of
/// them is open (waiting, or approved and not over) no second is made
/// ([`TransitionError::ExtensionOpen`]); the chain goes on from that one.
///
/// It asks for `operations`, all of them allowed by `first` (absent: what
/// `first` allows).
#[allow(clippy::too_many_arguments)]
pub fn extend(
    first: &AccessRequest,
    extensions: &[AccessRequest],
    id: RequestId,
    minutes: GrantDuration,
    operations: Option<OperationSet>,
    reason: Reason,
    who: &Actor,
    now: i64,
) -> Result<AccessRequest, ExtendError> {
    if who.user_id != first.requester.user_id {
        return Err(ExtendError::Transition(TransitionError::NotTheRequester));
    }
    if first.emergency.is_some() {
        return Err(ExtendError::Emergency);
    }
    let grant = match (first.effective_state(now), first.grant()) {
        (State::Approved, Some(grant)) => *grant,
        (state, _) => {
            return Err(ExtendError::Transition(TransitionError::AlreadyDecided {
                state,
            }))
        }
    };
    if let Some(open) = extensions.iter().find(|e| e.is_open_at(now)) {
        return Err(ExtendError::Transition(TransitionError::ExtensionOpen {
            id: open.id.clone(),
        }));
    }
    let extension = Extension {
        of: first.id.clone(),
        first_started_at: first
            .extends
            .as_ref()
            .map_or(grant.starts_at, |e| e.first_started_at),
        continues_at: grant.ends_at,
    };
    let room = (extension.limit() - grant.ends_at) / 60_000;
    if room < 1 {
        return Err(ExtendError::Transition(TransitionError::BeyondLimit {
            at: extension.limit(),
        }));
    }
    if i64::from(minutes.minutes()) > room {
        return Err(ExtendError::Invalid(Invalid {
            field: "minutes",
            message: format!(
                "A grant and its extensions can last at most {MAX_EXTENDED_HOURS} hours from the first start: ask for {room} minutes or fewer."
            ),
        }));
    }
    let operations = match (operations, first.allowed_operations()) {
        (Some(asked), Some(_)) => {
            if let Some(name) = asked.names().iter().find(|n| !first.allows_operation(n)) {
                return Err(ExtendError::Widens { name: name.clone() });
            }
            Some(asked)
        }
        (Some(asked), None) => Some(asked),
        (None, Some(allowed)) => {
            Some(OperationSet::parse("operations", &allowed).map_err(ExtendError::Invalid)?)
        }
        (None, None) => None,
    };
    let reads_content = first
        .reads_content
        .iter()
        .filter(|op| operations.as_ref().is_some_and(|ops| ops.contains(op)))
        .cloned()
        .collect();
    let input = NewRequest {
        tenant_id: first.tenant_id.clone(),
        service: first.service.clone(),
        ticket: first.ticket.clone(),
        reason,
        duration: minutes,
        operations,
        reads_content,
        emergency: None,
    };
    Ok(AccessRequest {
        extends: Some(extension),
        ..create(id, input, who, now)
    })
}

/// What revoking `target` by `who` at `now` means for the rest of its
/// chain (`chain`: every request of it, as read with the target): every
/// later member — what extends the target, and what extends those — ends
/// in the same write as the target. One that is approved (started or not)
/// is revoked; one waiting for the customer is denied; one still with the
/// provider's manager stays, since an extension of a grant that is over
/// is never approved. Earlier members are not touched: revoking an
/// extension that has not started leaves the grant before it to run to its
/// end. Each is returned as (verb, before, after), in chain order.
pub fn chain_after_revoke<'a>(
    target: &AccessRequest,
    chain: &'a [AccessRequest],
    who: &Actor,
    comment: Option<Comment>,
    now: i64,
) -> Vec<(Verb, &'a AccessRequest, AccessRequest)> {
    later_in_chain(&target.id, chain, |m| {
        (&m.id, m.extends.as_ref().map(|e| &e.of))
    })
    .into_iter()
    .filter_map(|member| {
        let verb = ended_by_revoke(member.effective_state(now))?;
        let after = match verb {
            Verb::Revoke => revoke(member, who, comment.clone(), now),
            _ => customer_decision(member, who, false, comment.clone(), now),
        };
        Some((verb, member, after.ok()?))
    })
    .collect()
}

/// How a later member of a revoked grant's chain in `state` ends: an
/// approved one is revoked, one waiting for the customer denied; others
/// stay as they are (`None`).
pub const fn ended_by_revoke(state: State) -> Option<Verb> {
    match state {
        State::Approved => Some(Verb::Revoke),
        State::PendingCustomerApproval => Some(Verb::Deny),
        _ => None,
    }
}

/// The members of `chain` after `target` — what extends it, and what
/// extends those — in chain order; `link` gives a member's id and the id it
/// extends. The same walk serves the domain's requests and the pages' views.
pub fn later_in_chain<'a, T>(
    target: &RequestId,
    chain: &'a [T],
    link: impl Fn(&'a T) -> (&'a RequestId, Option<&'a RequestId>),
) -> Vec<&'a T> {
    let mut seen: Vec<&RequestId> = vec![target];
    let mut later = Vec::new();
    // The chain as read is oldest first, so a member comes after what it
    // extends; a few passes cover any order.
    let mut changed = true;
    while changed {
        changed = false;
        for member in chain {
            let (id, of) = link(member);
            match of {
                Some(of) if seen.contains(&of) && !seen.contains(&id) => {
                    seen.push(id);
                    later.push(member);
                    changed = true;
                }
                _ => {}
            }
        }
    }
    later
}

/// The window of a grant of `length` that starts at `now`: an extension
/// approved before the grant it extends ends starts at that end, and no
/// grant of a chain runs past its limit.
fn window(req: &AccessRequest, length: GrantDuration, now: i64) -> Result<Grant, TransitionError> {
    let Some(extension) = &req.extends else {
        return Ok(Grant {
            starts_at: now,
            ends_at: now + length.millis(),
        });
    };
    let starts_at = now.max(extension.continues_at);
    let ends_at = (starts_at + length.millis()).min(extension.limit());
    if ends_at - starts_at < 60_000 {
        return Err(TransitionError::BeyondLimit {
            at: extension.limit(),
        });
    }
    Ok(Grant { starts_at, ends_at })
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
    /// The tenant is frozen: nothing is pre-approved or approved.
    TenantFrozen,
    /// This person has approved the request already; another must.
    AlreadyApproved,
    /// The chain of grants this extension continues has reached its limit
    /// (at `at`, [`MAX_EXTENDED_MS`] after the first start).
    BeyondLimit { at: i64 },
    /// The grant already has an extension that is waiting or approved and
    /// not yet over (`id`): a grant has at most one open extension.
    ExtensionOpen { id: RequestId },
    /// The grant this extension continues (`of`) is no longer live (it is
    /// `state`): an extension of an ended or revoked grant is never
    /// approved.
    ExtendedGrantOver { of: RequestId, state: State },
    /// An approval allowed an operation (`name`) the request did not ask
    /// for.
    OperationNotAsked { name: String },
    /// With this approval no operation asked for would be allowed by every
    /// approver: nothing would be granted.
    NothingAllowed,
    /// A review of emergency access that cannot be given.
    Review(crate::emergency::ReviewError),
}

impl TransitionError {
    /// A sentence for the person.
    pub fn message(&self) -> String {
        match self {
            TransitionError::AlreadyDecided { state } => format!(
                "This request has already been dealt with: it is now {}. Nothing was changed.",
                state.label()
            ),
            TransitionError::Expired { .. } => format!(
                "This request expired because nobody decided within {PENDING_LIFETIME_HOURS} hours. Nothing was granted; the engineer can open a new request."
            ),
            TransitionError::GrantEnded { .. } => {
                "This access has already ended; there is nothing to revoke.".to_owned()
            }
            TransitionError::SelfApproval => {
                "You cannot decide on a request you opened yourself: another person must.".to_owned()
            }
            TransitionError::NotTheRequester => {
                "Only the engineer who opened this request can cancel it.".to_owned()
            }
            TransitionError::TenantFrozen => {
                "Access to this organisation's content is frozen (\"Revoke all access now\"): no \
                 request can be pre-approved or approved until a global admin lifts the freeze."
                    .to_owned()
            }
            TransitionError::AlreadyApproved => {
                "You have approved this request already: it needs the approval of another person at your organisation."
                    .to_owned()
            }
            TransitionError::BeyondLimit { .. } => format!(
                "A grant and its extensions can last at most {MAX_EXTENDED_HOURS} hours from the first start, and no time is left. Nothing was granted; open a new request."
            ),
            TransitionError::ExtensionOpen { id } => format!(
                "This grant already has an extension that is waiting or approved: request {id}. \
                 A grant has one open extension at a time: once that one is approved, ask it for \
                 more time, or cancel it first."
            ),
            TransitionError::ExtendedGrantOver { of, state } => format!(
                "The grant this request extends (request {of}) is {}: an extension of it can no \
                 longer be approved. Nothing was granted; the engineer can open a new request.",
                state.label()
            ),
            TransitionError::OperationNotAsked { name } => format!(
                "The engineer did not ask for {name}: you can allow only operations the request names. Nothing was changed."
            ),
            TransitionError::NothingAllowed => {
                "No operation asked for would be allowed by every approver: with the operations the others allowed, yours leave none. Nothing was changed; allow one they allowed too, or deny the request."
                    .to_owned()
            }
            TransitionError::Review(err) => err.message(),
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

fn require_state(req: &AccessRequest, verb: Verb, now: i64) -> Result<(), TransitionError> {
    let effective = req.effective_state(now);
    if verb.from_states().contains(&effective) {
        return Ok(());
    }
    let at = req.deadline();
    Err(match (effective, req.state(), at) {
        (State::Expired, stored, Some(at)) if stored != State::Expired => {
            TransitionError::Expired { at }
        }
        (State::Completed, State::Approved, Some(at)) if verb == Verb::Revoke => {
            TransitionError::GrantEnded { at }
        }
        (state, _, _) => TransitionError::AlreadyDecided { state },
    })
}

fn not_the_requester(req: &AccessRequest, who: &Actor) -> Result<(), TransitionError> {
    if who.user_id == req.requester.user_id {
        return Err(TransitionError::SelfApproval);
    }
    Ok(())
}

fn with_stage(req: &AccessRequest, stage: Stage) -> AccessRequest {
    AccessRequest {
        stage,
        ..req.clone()
    }
}

fn decision(by: &Actor, comment: Option<Comment>, now: i64) -> Decision {
    Decision {
        by: by.clone(),
        at: now,
        comment,
    }
}

/// A manager pre-approves. With Lockbox on the request waits for the
/// customer for [`PENDING_LIFETIME_MS`]; with it off the grant starts now.
pub fn preapprove(
    req: &AccessRequest,
    manager: &Actor,
    lockbox_enabled: bool,
    comment: Option<Comment>,
    now: i64,
) -> Result<AccessRequest, TransitionError> {
    preapprove_needing(
        req,
        manager,
        lockbox_enabled.then_some(ApprovalsRequired::ONE),
        comment,
        now,
    )
}

/// [`preapprove`], `customer` being how many approvals the tenant requires
/// now (`None` with Lockbox off): the request keeps that number while it
/// waits.
fn preapprove_needing(
    req: &AccessRequest,
    manager: &Actor,
    customer: Option<ApprovalsRequired>,
    comment: Option<Comment>,
    now: i64,
) -> Result<AccessRequest, TransitionError> {
    require_state(req, Verb::Preapprove, now)?;
    not_the_requester(req, manager)?;
    if req.emergency.is_some() {
        return emergency_preapproval(req, manager, comment, now);
    }
    let preapproval = decision(manager, comment, now);
    let stage = match customer {
        Some(_) => Stage::PendingCustomerApproval {
            preapproval,
            expires_at: now + PENDING_LIFETIME_MS,
        },
        None => Stage::Approved {
            preapproval,
            approval: Approval::LockboxOff,
            grant: window(req, req.duration, now)?,
        },
    };
    Ok(AccessRequest {
        stage,
        approvals: Approvals {
            required: customer.unwrap_or(ApprovalsRequired::ONE),
            given: Vec::new(),
        },
        ..req.clone()
    })
}

/// One manager's pre-approval of an emergency: the first is kept (it
/// stays with the managers, its deadline unchanged); the second, from
/// another manager, starts the grant at once, without the customer's step.
fn emergency_preapproval(
    req: &AccessRequest,
    manager: &Actor,
    comment: Option<Comment>,
    now: i64,
) -> Result<AccessRequest, TransitionError> {
    if req.approvals.includes(manager) {
        return Err(TransitionError::AlreadyApproved);
    }
    let mut approvals = req.approvals.clone();
    approvals.given.push(Consent {
        decision: decision(manager, comment, now),
        granted: None,
        operations: None,
    });
    if approvals.given.len() < approvals.required.count() {
        return Ok(AccessRequest {
            approvals,
            ..req.clone()
        });
    }
    let (Some(first), Some(second)) = (approvals.given.first(), approvals.given.last()) else {
        return Err(TransitionError::AlreadyDecided { state: req.state() });
    };
    let stage = Stage::Approved {
        preapproval: first.decision.clone(),
        approval: Approval::Emergency {
            second: second.decision.clone(),
        },
        grant: window(req, req.duration, now)?,
    };
    Ok(AccessRequest {
        stage,
        approvals,
        ..req.clone()
    })
}

/// A manager rejects.
pub fn reject(
    req: &AccessRequest,
    manager: &Actor,
    comment: Option<Comment>,
    now: i64,
) -> Result<AccessRequest, TransitionError> {
    require_state(req, Verb::Reject, now)?;
    not_the_requester(req, manager)?;
    let Stage::PendingManagerApproval { expires_at } = req.stage else {
        return Err(TransitionError::AlreadyDecided { state: req.state() });
    };
    Ok(with_stage(
        req,
        Stage::Rejected {
            rejection: decision(manager, comment, now),
            pending_until: expires_at,
        },
    ))
}

/// A person at the customer approves (`approve = true`) for the duration
/// asked, or denies.
pub fn customer_decision(
    req: &AccessRequest,
    approver: &Actor,
    approve: bool,
    comment: Option<Comment>,
    now: i64,
) -> Result<AccessRequest, TransitionError> {
    decide(req, approver, approve, comment, Terms::default(), now)
}

/// [`customer_decision`]; an approval grants `granted` when given (never
/// more than was asked: see [`GrantDuration::granting`]).
fn decide(
    req: &AccessRequest,
    approver: &Actor,
    approve: bool,
    comment: Option<Comment>,
    terms: Terms,
    now: i64,
) -> Result<AccessRequest, TransitionError> {
    require_state(req, if approve { Verb::Approve } else { Verb::Deny }, now)?;
    not_the_requester(req, approver)?;
    let Stage::PendingCustomerApproval {
        preapproval,
        expires_at,
    } = &req.stage
    else {
        return Err(TransitionError::AlreadyDecided { state: req.state() });
    };
    let made = decision(approver, comment, now);
    if !approve {
        return Ok(with_stage(
            req,
            Stage::Denied {
                preapproval: preapproval.clone(),
                denial: made,
                asked_until: *expires_at,
            },
        ));
    }
    if req.approvals.includes(approver) {
        return Err(TransitionError::AlreadyApproved);
    }
    let operations = match (terms.operations, &req.operations) {
        (None, _) => None,
        (Some(allowed), Some(asked)) => {
            if let Some(name) = allowed.first_outside(asked) {
                return Err(TransitionError::OperationNotAsked {
                    name: name.to_owned(),
                });
            }
            (allowed != *asked).then_some(allowed)
        }
        (Some(allowed), None) => {
            return Err(TransitionError::OperationNotAsked {
                name: allowed.names().first().cloned().unwrap_or_default(),
            })
        }
    };
    let mut approvals = req.approvals.clone();
    approvals.given.push(Consent {
        decision: made.clone(),
        granted: terms.duration.map(|g| g.min_of(req.duration)),
        operations,
    });
    let with_it = AccessRequest {
        approvals: approvals.clone(),
        ..req.clone()
    };
    if with_it
        .allowed_operations()
        .is_some_and(|left| left.is_empty())
    {
        return Err(TransitionError::NothingAllowed);
    }
    let stage = if approvals.given.len() < approvals.required.count() {
        // Not yet enough people: it keeps waiting, with the same deadline.
        req.stage.clone()
    } else {
        Stage::Approved {
            preapproval: preapproval.clone(),
            approval: Approval::Customer {
                decision: made,
                asked_until: *expires_at,
            },
            grant: window(req, approvals.granted(req.duration), now)?,
        }
    };
    Ok(AccessRequest {
        stage,
        approvals,
        ..req.clone()
    })
}

/// The requester cancels before any grant, optionally saying why.
pub fn cancel(
    req: &AccessRequest,
    requester: &Actor,
    comment: Option<Comment>,
    now: i64,
) -> Result<AccessRequest, TransitionError> {
    if requester.user_id != req.requester.user_id {
        return Err(TransitionError::NotTheRequester);
    }
    require_state(req, Verb::Cancel, now)?;
    let (preapproval, pending_until) = match &req.stage {
        Stage::PendingManagerApproval { expires_at } => (None, *expires_at),
        Stage::PendingCustomerApproval {
            preapproval,
            expires_at,
        } => (Some(preapproval.clone()), *expires_at),
        _ => return Err(TransitionError::AlreadyDecided { state: req.state() }),
    };
    Ok(with_stage(
        req,
        Stage::Cancelled {
            preapproval,
            cancellation: decision(requester, comment, now),
            pending_until,
        },
    ))
}

/// An approver ends a live grant early.
pub fn revoke(
    req: &AccessRequest,
    approver: &Actor,
    comment: Option<Comment>,
    now: i64,
) -> Result<AccessRequest, TransitionError> {
    require_state(req, Verb::Revoke, now)?;
    let Stage::Approved {
        preapproval,
        approval,
        grant,
    } = &req.stage
    else {
        return Err(TransitionError::AlreadyDecided { state: req.state() });
    };
    Ok(with_stage(
        req,
        Stage::Revoked {
            preapproval: preapproval.clone(),
            approval: approval.clone(),
            grant: *grant,
            revocation: decision(approver, comment, now),
        },
    ))
}

/// The scheduled job's move for this request at `now`, if its deadline has
/// passed: a pending request expires, a grant completes.
pub fn sweep(req: &AccessRequest, now: i64) -> Option<(Verb, AccessRequest)> {
    let rule = req.state().deadline_rule()?;
    if req.effective_state(now) != rule.becomes {
        return None;
    }
    let stage = match &req.stage {
        Stage::PendingManagerApproval { expires_at } => Stage::Expired {
            preapproval: None,
            expired_at: *expires_at,
        },
        Stage::PendingCustomerApproval {
            preapproval,
            expires_at,
        } => Stage::Expired {
            preapproval: Some(preapproval.clone()),
            expired_at: *expires_at,
        },
        Stage::Approved {
            preapproval,
            approval,
            grant,
        } => Stage::Completed {
            preapproval: preapproval.clone(),
            approval: approval.clone(),
            grant: *grant,
        },
        _ => return None,
    };
    Some((rule.verb, with_stage(req, stage)))
}

/// What of its tenant's settings a request's transition depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TenantSwitches {
    /// Customer Lockbox: with it off, pre-approval grants access at once.
    pub lockbox_enabled: bool,
    /// "Revoke all access now": nothing is pre-approved or approved.
    pub frozen: bool,
    /// How many people must approve a request that becomes pending now.
    pub approvals_required: ApprovalsRequired,
}

/// Applies a person's `verb` (the transition functions above, by name);
/// an approval grants `granted` when given, else what was asked. For an
/// extension, `extended` is the request whose grant it continues, as read
/// with it: a pre-approval or an approval of an extension whose grant is
/// no longer live is refused. While the tenant is
/// frozen, what would pre-approve or approve is refused (after every other
/// rule). The scheduled job's verbs are not a person's: they are refused.
#[allow(clippy::too_many_arguments)]
pub fn apply(
    req: &AccessRequest,
    verb: Verb,
    who: &Actor,
    tenant: TenantSwitches,
    extended: Option<&AccessRequest>,
    comment: Option<Comment>,
    granted: Option<GrantDuration>,
    now: i64,
) -> Result<AccessRequest, TransitionError> {
    let terms = Terms {
        duration: granted,
        operations: None,
    };
    apply_terms(req, verb, who, tenant, extended, comment, terms, now)
}

/// What one approver grants, when less than was asked: a shorter time,
/// fewer operations.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Terms {
    pub duration: Option<GrantDuration>,
    pub operations: Option<OperationSet>,
}

/// [`apply`], with an approval's `terms` whole: its operations must all
/// have been asked for ([`TransitionError::OperationNotAsked`]), and
/// with the earlier approvers' at least one must be left
/// ([`TransitionError::NothingAllowed`]). Other verbs ignore the terms.
#[allow(clippy::too_many_arguments)]
pub fn apply_terms(
    req: &AccessRequest,
    verb: Verb,
    who: &Actor,
    tenant: TenantSwitches,
    extended: Option<&AccessRequest>,
    comment: Option<Comment>,
    terms: Terms,
    now: i64,
) -> Result<AccessRequest, TransitionError> {
    // What is refused whatever the operations chosen comes first: the
    // request's state, the grant an extension continues, the freeze; the
    // operations' own refusals after those.
    let chosen = terms.operations.clone();
    let after = apply_unfrozen(
        req,
        verb,
        who,
        tenant,
        comment.clone(),
        Terms {
            operations: None,
            ..terms.clone()
        },
        now,
    )?;
    // A pre-approval too: one that does not grant at once would only ask
    // the customer about what can never be approved.
    let approves = matches!(verb, Verb::Approve | Verb::Preapprove);
    if let (true, Some(of)) = (approves, &req.extends) {
        let state = extended
            .filter(|e| e.id == of.of)
            .map_or(State::Expired, |e| e.effective_state(now));
        if state != State::Approved {
            return Err(TransitionError::ExtendedGrantOver {
                of: of.of.clone(),
                state,
            });
        }
    }
    if tenant.frozen && matches!(verb, Verb::Preapprove | Verb::Approve) {
        return Err(TransitionError::TenantFrozen);
    }
    match chosen {
        None => Ok(after),
        Some(_) => apply_unfrozen(req, verb, who, tenant, comment, terms, now),
    }
}

fn apply_unfrozen(
    req: &AccessRequest,
    verb: Verb,
    who: &Actor,
    tenant: TenantSwitches,
    comment: Option<Comment>,
    terms: Terms,
    now: i64,
) -> Result<AccessRequest, TransitionError> {
    match verb {
        Verb::Preapprove => preapprove_needing(
            req,
            who,
            tenant.lockbox_enabled.then_some(tenant.approvals_required),
            comment,
            now,
        ),
        Verb::Reject => reject(req, who, comment, now),
        Verb::Approve => decide(req, who, true, comment, terms, now),
        Verb::Deny => customer_decision(req, who, false, comment, now),
        Verb::Cancel => cancel(req, who, comment, now),
        Verb::Revoke => revoke(req, who, comment, now),
        Verb::Ratify | Verb::Dispute => {
            if req.emergency.is_none() {
                return Err(TransitionError::Review(
                    crate::emergency::ReviewError::NotEmergency,
                ));
            }
            require_state(req, verb, now)?;
            crate::emergency::review(req, who, verb == Verb::Dispute, comment, now)
                .map_err(TransitionError::Review)
        }
        Verb::Expire | Verb::Complete | Verb::Lapse => Err(TransitionError::AlreadyDecided {
            state: req.effective_state(now),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 60 * 60 * 1000;

    fn actor(n: u8) -> Actor {
        Actor {
            user_id: UserId::parse(&format!("00000000-0000-4000-8000-0000000000{n:02}"))
                .expect("valid"),
            email: format!("person{n}@example"),
        }
    }

    const OPEN: TenantSwitches = TenantSwitches {
        lockbox_enabled: true,
        frozen: false,
        approvals_required: ApprovalsRequired::ONE,
    };

    const ENGINEER: u8 = 1;
    const MANAGER: u8 = 2;
    const APPROVER: u8 = 3;

    fn new_request(minutes: u32) -> AccessRequest {
        let input = NewRequest {
            tenant_id: TenantId::parse("7c0a8f4e-5a1b-4c3d-9e2f-000000000001").expect("valid"),
            service: ServiceName::parse("mail").expect("valid"),
            ticket: TicketNumber::parse("SR-1").expect("valid"),
            reason: Reason::parse("Mailbox will not open").expect("valid"),
            duration: GrantDuration::from_minutes(minutes).expect("valid"),
            operations: Some(ops(&[
                "Get-Mailbox",
                "Get-Message",
                "Get-MailboxStatistics",
            ])),
            reads_content: vec!["Get-Message".to_owned()],
            emergency: None,
        };
        let id = RequestId::parse("1b4e28ba-2fa1-11d2-883f-0016d3cca427").expect("valid");
        create(id, input, &actor(ENGINEER), 0)
    }

    fn ops(names: &[&str]) -> OperationSet {
        let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        OperationSet::parse("operations", &names).expect("valid")
    }

    fn approve_allowing(
        req: &AccessRequest,
        who: u8,
        allowed: &[&str],
    ) -> Result<AccessRequest, TransitionError> {
        let terms = Terms {
            duration: None,
            operations: Some(ops(allowed)),
        };
        let quorum = TenantSwitches {
            approvals_required: ApprovalsRequired::parse(2).expect("valid"),
            ..OPEN
        };
        apply_terms(
            req,
            Verb::Approve,
            &actor(who),
            quorum,
            None,
            None,
            terms,
            HOUR,
        )
    }

    #[test]
    fn each_approver_allows_some_of_the_operations_asked_and_the_grant_allows_what_all_allowed() {
        let quorum = TenantSwitches {
            approvals_required: ApprovalsRequired::parse(2).expect("valid"),
            ..OPEN
        };
        let asked = preapprove_needing(
            &new_request(60),
            &actor(MANAGER),
            Some(quorum.approvals_required),
            None,
            0,
        )
        .expect("pending");
        // An operation not asked for is named.
        assert_eq!(
            approve_allowing(&asked, APPROVER, &["Get-Mailbox", "Remove-Mailbox"]),
            Err(TransitionError::OperationNotAsked {
                name: "Remove-Mailbox".to_owned()
            })
        );
        let first =
            approve_allowing(&asked, APPROVER, &["Get-Mailbox", "Get-Message"]).expect("first");
        assert_eq!(first.state(), State::PendingCustomerApproval);
        // One that would leave nothing changes nothing.
        assert_eq!(
            approve_allowing(&first, APPROVER + 1, &["Get-MailboxStatistics"]),
            Err(TransitionError::NothingAllowed)
        );
        let granted = approve_allowing(
            &first,
            APPROVER + 1,
            &["Get-Message", "Get-MailboxStatistics"],
        )
        .expect("second");
        assert_eq!(granted.state(), State::Approved);
        assert_eq!(
            granted.allowed_operations(),
            Some(vec!["Get-Message".to_owned()])
        );
        assert!(granted.allows_operation("Get-Message"));
        assert!(!granted.allows_operation("Get-Mailbox"));
        assert!(!granted.allows_operation("Remove-Mailbox"));
        // Allowing all that was asked stores nothing less.
        let all = approve_allowing(
            &asked,
            APPROVER,
            &["Get-Mailbox", "Get-Message", "Get-MailboxStatistics"],
        )
        .expect("all");
        assert_eq!(all.approvals.given[0].operations, None);
        // Without a choice, and with Lockbox off, the grant allows all asked.
        let plain =
            customer_decision(&pending(60), &actor(APPROVER), true, None, HOUR).expect("approved");
        assert_eq!(plain.allowed_operations().map(|o| o.len()), Some(3));
        let off = preapprove(&new_request(60), &actor(MANAGER), false, None, 1).expect("granted");
        assert_eq!(off.allowed_operations().map(|o| o.len()), Some(3));
        // A request from before requests named operations allows each, and
        // an approval cannot name any.
        let legacy = AccessRequest {
            operations: None,
            ..pending(60)
        };
        assert!(legacy.allows_operation("Anything-At-All"));
        assert_eq!(legacy.allowed_operations(), None);
        assert!(matches!(
            approve_allowing(&legacy, APPROVER, &["Get-Mailbox"]),
            Err(TransitionError::OperationNotAsked { .. })
        ));
    }

    #[test]
    fn an_extension_asks_for_what_its_grant_allows_and_never_more() {
        let granted = apply_terms(
            &pending(60),
            Verb::Approve,
            &actor(APPROVER),
            OPEN,
            None,
            None,
            Terms {
                duration: None,
                operations: Some(ops(&["Get-Mailbox", "Get-Message"])),
            },
            HOUR,
        )
        .expect("approved");
        let more = |operations: Option<OperationSet>| {
            extend(
                &granted,
                &[],
                RequestId::parse("2b4e28ba-2fa1-11d2-883f-0016d3cca427").expect("valid"),
                GrantDuration::from_minutes(30).expect("valid"),
                operations,
                Reason::parse("Not done yet").expect("valid"),
                &actor(ENGINEER),
                HOUR + 1,
            )
        };
        let same = more(None).expect("extension");
        assert_eq!(same.operations, Some(ops(&["Get-Mailbox", "Get-Message"])));
        let fewer = more(Some(ops(&["Get-Message"]))).expect("extension");
        assert_eq!(fewer.operations, Some(ops(&["Get-Message"])));
        assert_eq!(
            more(Some(ops(&["Get-Message", "Get-MailboxStatistics"]))),
            Err(ExtendError::Widens {
                name: "Get-MailboxStatistics".to_owned()
            })
        );
    }

    fn pending(minutes: u32) -> AccessRequest {
        preapprove(&new_request(minutes), &actor(MANAGER), true, None, 0).expect("preapproved")
    }

    fn comment(s: &str) -> Option<Comment> {
        Some(Comment::parse(s).expect("valid"))
    }

    #[test]
    fn the_customer_sees_a_request_from_its_preapproval_on() {
        let engineer = actor(ENGINEER);
        let manager = actor(MANAGER);
        let fresh = new_request(60);
        let hidden = [
            fresh.clone(),
            reject(&fresh, &manager, None, 1).expect("rejected"),
            cancel(&fresh, &engineer, None, 1).expect("cancelled"),
            sweep(&fresh, 13 * HOUR).expect("due").1,
        ];
        for req in hidden {
            assert!(!req.reached_customer(), "{:?}", req.state());
        }
        let asked = pending(60);
        let granted_at_once = preapprove(&fresh, &manager, false, None, 1).expect("granted");
        let shown = [
            asked.clone(),
            granted_at_once,
            customer_decision(&asked, &actor(APPROVER), true, None, 1).expect("approved"),
            customer_decision(&asked, &actor(APPROVER), false, None, 1).expect("denied"),
            cancel(&asked, &engineer, None, 1).expect("cancelled"),
            sweep(&asked, 13 * HOUR).expect("due").1,
        ];
        for req in shown {
            assert!(req.reached_customer(), "{:?}", req.state());
        }
    }

    #[test]
    fn a_manager_cannot_preapprove_their_own_request() {
        let req = new_request(60);
        assert_eq!(
            preapprove(&req, &actor(ENGINEER), true, None, 0),
            Err(TransitionError::SelfApproval)
        );
        assert_eq!(
            reject(&req, &actor(ENGINEER), None, 0),
            Err(TransitionError::SelfApproval)
        );
    }

    #[test]
    fn a_request_nobody_preapproves_expires_after_twelve_hours() {
        let req = new_request(60);
        assert_eq!(req.deadline(), Some(12 * HOUR));
        assert_eq!(
            preapprove(&req, &actor(MANAGER), true, None, 12 * HOUR),
            Err(TransitionError::Expired { at: 12 * HOUR })
        );
        let (verb, expired) = sweep(&req, 12 * HOUR).expect("due");
        assert_eq!((verb, expired.state()), (Verb::Expire, State::Expired));
        assert_eq!(expired.preapproval(), None);
        assert!(preapprove(&req, &actor(MANAGER), true, None, 12 * HOUR - 1).is_ok());
    }

    #[test]
    fn with_lockbox_on_preapproval_waits_twelve_hours_for_the_customer() {
        let req = pending(60);
        assert_eq!(req.state(), State::PendingCustomerApproval);
        assert_eq!(req.deadline(), Some(12 * HOUR));
        assert_eq!(req.customer_approval_required(), Some(true));
        assert!(!req.grants_access(1));
    }

    #[test]
    fn with_lockbox_off_the_grant_starts_at_preapproval() {
        let req = preapprove(&new_request(30), &actor(MANAGER), false, None, 5).expect("ok");
        assert_eq!(req.state(), State::Approved);
        assert_eq!(req.customer_approval_required(), Some(false));
        assert_eq!(req.grant().map(|g| g.ends_at), Some(5 + 30 * 60_000));
        assert!(req.grants_access(5));
    }

    #[test]
    fn access_ends_exactly_at_grant_end_even_before_the_sweep() {
        let req =
            customer_decision(&pending(60), &actor(APPROVER), true, None, HOUR).expect("approved");
        assert!(req.grants_access(2 * HOUR - 1));
        assert!(!req.grants_access(2 * HOUR));
        assert!(!req.grants_access(HOUR - 1), "not before the grant starts");
        assert_eq!(req.effective_state(2 * HOUR), State::Completed);
    }

    #[test]
    fn an_approver_may_grant_less_than_asked_never_more() {
        let asked = GrantDuration::from_minutes(90).expect("valid");
        assert!(asked.granting(0).is_err());
        assert!(asked.granting(91).is_err());
        let granted = asked.granting(30).expect("shorter");
        let req = apply(
            &pending(90),
            Verb::Approve,
            &actor(APPROVER),
            OPEN,
            None,
            None,
            Some(granted),
            HOUR,
        )
        .expect("approved");
        let grant = req.grant().copied().expect("a window");
        assert_eq!((grant.starts_at, grant.ends_at), (HOUR, HOUR + 30 * 60_000));
        assert_eq!(grant.minutes(), 30);
        assert!(req.grants_access(HOUR + 30 * 60_000 - 1));
        assert!(!req.grants_access(HOUR + 30 * 60_000));
        // Asked for, when nothing shorter is given; never more than asked.
        let full = apply(
            &pending(90),
            Verb::Approve,
            &actor(APPROVER),
            OPEN,
            None,
            None,
            None,
            0,
        )
        .expect("approved");
        assert_eq!(full.grant().map(Grant::minutes), Some(90));
        let longer = GrantDuration::from_minutes(120).expect("valid");
        let capped = apply(
            &pending(90),
            Verb::Approve,
            &actor(APPROVER),
            OPEN,
            None,
            None,
            Some(longer),
            0,
        )
        .expect("approved");
        assert_eq!(capped.grant().map(Grant::minutes), Some(90));
    }

    #[test]
    fn a_frozen_tenant_has_nothing_preapproved_or_approved_but_may_end_things() {
        let frozen = TenantSwitches {
            frozen: true,
            ..OPEN
        };
        let approver = actor(APPROVER);
        for (req, verb, who) in [
            (new_request(60), Verb::Preapprove, actor(MANAGER)),
            (pending(60), Verb::Approve, approver.clone()),
        ] {
            assert_eq!(
                apply(&req, verb, &who, frozen, None, None, None, 1),
                Err(TransitionError::TenantFrozen),
                "{verb}"
            );
        }
        // Every other rule comes first.
        assert_eq!(
            apply(
                &new_request(60),
                Verb::Preapprove,
                &actor(ENGINEER),
                frozen,
                None,
                None,
                None,
                1
            ),
            Err(TransitionError::SelfApproval)
        );
        // Denying, rejecting, cancelling and revoking still work.
        assert!(apply(
            &pending(60),
            Verb::Deny,
            &approver,
            frozen,
            None,
            None,
            None,
            1
        )
        .is_ok());
        assert!(apply(
            &new_request(60),
            Verb::Reject,
            &actor(MANAGER),
            frozen,
            None,
            None,
            None,
            1
        )
        .is_ok());
        assert!(apply(
            &pending(60),
            Verb::Cancel,
            &actor(ENGINEER),
            frozen,
            None,
            None,
            None,
            1
        )
        .is_ok());
        let live = apply(
            &pending(60),
            Verb::Approve,
            &approver,
            OPEN,
            None,
            None,
            None,
            1,
        )
        .expect("ok");
        assert!(apply(&live, Verb::Revoke, &approver, frozen, None, None, None, 2).is_ok());
    }

    #[test]
    fn approver_cannot_approve_an_expired_request() {
        let req = pending(60);
        assert_eq!(
            customer_decision(&req, &actor(APPROVER), true, None, 12 * HOUR),
            Err(TransitionError::Expired { at: 12 * HOUR })
        );
        assert!(customer_decision(&req, &actor(APPROVER), true, None, 12 * HOUR - 1).is_ok());
    }

    #[test]
    fn the_requester_cannot_approve_their_own_request_at_the_customer_step() {
        assert_eq!(
            customer_decision(&pending(60), &actor(ENGINEER), true, None, 1),
            Err(TransitionError::SelfApproval)
        );
    }

    #[test]
    fn a_decided_request_cannot_be_decided_again() {
        let denied = customer_decision(&pending(60), &actor(APPROVER), false, comment("no"), 1)
            .expect("denied");
        assert_eq!(
            denied.customer_decision().and_then(|d| d.comment.as_ref()),
            comment("no").as_ref()
        );
        assert_eq!(
            customer_decision(&denied, &actor(4), true, None, 2),
            Err(TransitionError::AlreadyDecided {
                state: State::Denied
            })
        );
    }

    #[test]
    fn each_decision_keeps_its_own_comment() {
        let pre = preapprove(
            &new_request(60),
            &actor(MANAGER),
            true,
            comment("ticket checked"),
            1,
        )
        .expect("ok");
        let approved = customer_decision(&pre, &actor(APPROVER), true, comment("library only"), 2)
            .expect("ok");
        assert_eq!(
            approved.preapproval().and_then(|d| d.comment.clone()),
            comment("ticket checked")
        );
        assert_eq!(
            approved.customer_decision().and_then(|d| d.comment.clone()),
            comment("library only")
        );
    }

    #[test]
    fn only_the_requester_cancels_and_only_before_a_decision() {
        let req = pending(60);
        assert_eq!(
            cancel(&req, &actor(9), None, 1),
            Err(TransitionError::NotTheRequester)
        );
        let cancelled =
            cancel(&req, &actor(ENGINEER), comment("Fixed another way"), 1).expect("ok");
        assert_eq!(cancelled.state(), State::Cancelled);
        assert_eq!(
            cancelled.ending().and_then(|e| e.comment.cloned()),
            comment("Fixed another way")
        );
        let approved = customer_decision(&req, &actor(APPROVER), true, None, 1).expect("ok");
        assert!(cancel(&approved, &actor(ENGINEER), None, 2).is_err());
    }

    #[test]
    fn revoking_an_ended_grant_says_it_already_ended() {
        let approved =
            customer_decision(&pending(60), &actor(APPROVER), true, None, 0).expect("ok");
        assert_eq!(
            revoke(&approved, &actor(APPROVER), None, HOUR),
            Err(TransitionError::GrantEnded { at: HOUR })
        );
        let revoked = revoke(&approved, &actor(APPROVER), None, HOUR - 1).expect("ok");
        assert_eq!(revoked.state(), State::Revoked);
        assert_eq!(revoked.ending().map(|e| e.at), Some(HOUR - 1));
    }

    #[test]
    fn the_sweep_expires_and_completes_only_what_is_due() {
        let req = pending(60);
        assert_eq!(sweep(&req, 12 * HOUR - 1), None);
        let (verb, expired) = sweep(&req, 12 * HOUR).expect("due");
        assert_eq!(
            (verb, expired.state(), expired.ending().map(|e| e.at)),
            (Verb::Expire, State::Expired, Some(12 * HOUR))
        );
        assert_eq!(
            sweep(&expired, 100 * HOUR),
            None,
            "terminal states never change"
        );
        let approved = customer_decision(&req, &actor(APPROVER), true, None, HOUR).expect("ok");
        let (verb, done) = sweep(&approved, 2 * HOUR).expect("due");
        assert_eq!((verb, done.state()), (Verb::Complete, State::Completed));
    }

    #[test]
    fn the_deadline_table_covers_exactly_the_non_terminal_states() {
        for state in State::ALL.iter().copied() {
            assert_eq!(
                state.deadline_rule().is_some(),
                !state.is_terminal(),
                "{state}"
            );
        }
        for rule in DEADLINES {
            assert!(rule.becomes.is_terminal());
            assert!(rule.verb.from_states().contains(&rule.state));
        }
    }

    #[test]
    fn terminal_states_are_exactly_the_six_ends() {
        let terminal = State::ALL.iter().filter(|s| s.is_terminal()).count();
        assert_eq!(terminal, 6);
    }

    fn needing(n: i64) -> TenantSwitches {
        TenantSwitches {
            approvals_required: ApprovalsRequired::parse(n).expect("valid"),
            ..OPEN
        }
    }

    fn approve_by(req: &AccessRequest, who: u8, minutes: Option<u32>, now: i64) -> AccessRequest {
        let granted = minutes.map(|m| GrantDuration::from_minutes(m).expect("valid"));
        apply(
            req,
            Verb::Approve,
            &actor(who),
            OPEN,
            None,
            None,
            granted,
            now,
        )
        .expect("approved")
    }

    /// Every change makes a request's progress larger: the provider's
    /// index keeps the copy with the larger one, whatever the order.
    #[test]
    fn every_change_moves_a_request_forward() {
        let asked = apply(
            &new_request(120),
            Verb::Preapprove,
            &actor(MANAGER),
            needing(3),
            None,
            None,
            None,
            0,
        )
        .expect("pending");
        let one = approve_by(&asked, 3, None, 10);
        let two = approve_by(&one, 4, None, 20);
        let three = approve_by(&two, 5, None, 30);
        let revoked = revoke(&three, &actor(5), None, 40).expect("revoked");
        let path = [new_request(120), asked.clone(), one, two, three, revoked];
        for pair in path.windows(2) {
            if let [before, after] = pair {
                assert!(
                    after.progress() > before.progress(),
                    "{:?} -> {:?}",
                    before.state(),
                    after.state()
                );
            }
        }
        let (_, expired) = sweep(&asked, 13 * HOUR).expect("expires");
        assert!(expired.progress() > asked.progress());
        let cancelled = cancel(&asked, &actor(ENGINEER), None, 5).expect("cancelled");
        assert!(cancelled.progress() > asked.progress());
    }

    #[test]
    fn a_quorum_needs_that_many_distinct_people_and_the_shortest_grant_wins() {
        let asked = apply(
            &new_request(120),
            Verb::Preapprove,
            &actor(MANAGER),
            needing(3),
            None,
            None,
            None,
            0,
        )
        .expect("pending");
        assert_eq!(asked.approvals.required.count(), 3);
        let one = approve_by(&asked, 3, Some(90), 10);
        assert_eq!(one.state(), State::PendingCustomerApproval);
        assert_eq!(
            one.deadline(),
            asked.deadline(),
            "the 12 hours do not restart"
        );
        assert_eq!(
            one.decision_by(Verb::Approve).map(|d| d.by.clone()),
            Some(actor(3))
        );
        assert_eq!(
            apply(&one, Verb::Approve, &actor(3), OPEN, None, None, None, 20),
            Err(TransitionError::AlreadyApproved)
        );
        let two = approve_by(&one, 4, Some(30), 20);
        assert_eq!(two.approvals.given.len(), 2);
        assert_eq!(two.state(), State::PendingCustomerApproval);
        let three = approve_by(&two, 5, None, 30);
        assert_eq!(three.state(), State::Approved);
        assert_eq!(
            three.grant(),
            Some(&Grant {
                starts_at: 30,
                ends_at: 30 + 30 * 60_000
            })
        );
        // Any deny denies, whoever approved before.
        let denied =
            apply(&two, Verb::Deny, &actor(3), OPEN, None, None, None, 30).expect("denied");
        assert_eq!(denied.state(), State::Denied);
        assert_eq!(denied.approvals.given.len(), 2);
        // The setting in force is the one at pre-approval.
        let still = apply(
            &one,
            Verb::Approve,
            &actor(4),
            needing(1),
            None,
            None,
            None,
            20,
        )
        .expect("ok");
        assert_eq!(still.state(), State::PendingCustomerApproval);
    }

    fn granted_for(minutes: u32, at: i64) -> AccessRequest {
        let asked = apply(
            &new_request(minutes),
            Verb::Preapprove,
            &actor(MANAGER),
            OPEN,
            None,
            None,
            None,
            at,
        )
        .expect("pending");
        approve_by(&asked, APPROVER, None, at)
    }

    fn extension_of(
        first: &AccessRequest,
        minutes: u32,
        now: i64,
    ) -> Result<AccessRequest, ExtendError> {
        extend(
            first,
            &[],
            RequestId::parse("2b4e28ba-2fa1-11d2-883f-0016d3cca427").expect("valid"),
            GrantDuration::from_minutes(minutes).expect("valid"),
            None,
            Reason::parse("Not done yet").expect("valid"),
            &actor(ENGINEER),
            now,
        )
    }

    /// `ext`, an extension of `parent`, pre-approved and approved at `now`
    /// (each decision reads the parent, as the service does).
    fn approve_extension(
        parent: &AccessRequest,
        ext: &AccessRequest,
        now: i64,
    ) -> Result<AccessRequest, TransitionError> {
        let asked = apply(
            ext,
            Verb::Preapprove,
            &actor(MANAGER),
            OPEN,
            Some(parent),
            None,
            None,
            now,
        )?;
        apply(
            &asked,
            Verb::Approve,
            &actor(APPROVER),
            OPEN,
            Some(parent),
            None,
            None,
            now,
        )
    }

    fn granted_after(parent: &AccessRequest, ext: &AccessRequest, now: i64) -> AccessRequest {
        approve_extension(parent, ext, now).expect("approved")
    }

    #[test]
    fn an_extension_approved_in_time_continues_without_a_gap() {
        let first = granted_for(60, 0);
        let ext = extension_of(&first, 60, 30 * 60_000).expect("asked");
        let extension = ext.extends.clone().expect("an extension");
        assert_eq!(extension.of, first.id);
        assert_eq!(extension.continues_at, HOUR);
        assert_eq!(ext.state(), State::PendingManagerApproval);
        let granted = granted_after(&first, &ext, 40 * 60_000);
        assert_eq!(
            granted.grant(),
            Some(&Grant {
                starts_at: HOUR,
                ends_at: 2 * HOUR
            })
        );
        assert!(
            !granted.grants_access(HOUR - 1),
            "the first grant still runs"
        );
        assert!(first.grants_access(HOUR - 1) && !first.grants_access(HOUR));
        assert!(granted.grants_access(HOUR));
    }

    #[test]
    fn an_extension_of_a_grant_that_ended_or_was_revoked_is_never_approved() {
        let first = granted_for(60, 0);
        let ext = extension_of(&first, 60, 30 * 60_000).expect("asked");
        // Its grant ran out before anyone approved it.
        assert_eq!(
            approve_extension(&first, &ext, 3 * HOUR / 2),
            Err(TransitionError::ExtendedGrantOver {
                of: first.id.clone(),
                state: State::Completed
            })
        );
        // Its grant was revoked while it waited.
        let revoked = apply(
            &first,
            Verb::Revoke,
            &actor(APPROVER),
            OPEN,
            None,
            None,
            None,
            40 * 60_000,
        )
        .expect("revoked");
        assert_eq!(
            approve_extension(&revoked, &ext, 45 * 60_000),
            Err(TransitionError::ExtendedGrantOver {
                of: first.id.clone(),
                state: State::Revoked
            })
        );
        // Read without its grant, it is refused too (it fails closed).
        let asked = apply(
            &ext,
            Verb::Preapprove,
            &actor(MANAGER),
            OPEN,
            Some(&first),
            None,
            None,
            40 * 60_000,
        )
        .expect("pending");
        assert!(apply(
            &asked,
            Verb::Approve,
            &actor(APPROVER),
            OPEN,
            None,
            None,
            None,
            40 * 60_000
        )
        .is_err());
    }

    #[test]
    fn revoking_a_grant_ends_every_later_extension_and_never_an_earlier_one() {
        let first = granted_for(240, 0);
        let one = granted_after(
            &first,
            &extension_of(&first, 60, HOUR).expect("asked"),
            HOUR,
        );
        let two_asked = extend(
            &one,
            &[],
            RequestId::parse("3b4e28ba-2fa1-11d2-883f-0016d3cca427").expect("valid"),
            GrantDuration::from_minutes(60).expect("valid"),
            None,
            Reason::parse("Still more").expect("valid"),
            &actor(ENGINEER),
            HOUR,
        )
        .expect("asked");
        let two = apply(
            &two_asked,
            Verb::Preapprove,
            &actor(MANAGER),
            OPEN,
            Some(&one),
            None,
            None,
            HOUR,
        )
        .expect("waits for the customer");
        let chain = [first.clone(), one.clone(), two.clone()];
        let who = actor(APPROVER);
        // The first: both later members end, the approved one revoked, the
        // waiting one denied.
        let ended = chain_after_revoke(&first, &chain, &who, comment("Done"), 2 * HOUR);
        let moves: Vec<(Verb, &RequestId, State)> = ended
            .iter()
            .map(|(verb, before, after)| (*verb, &before.id, after.state()))
            .collect();
        assert_eq!(
            moves,
            [
                (Verb::Revoke, &one.id, State::Revoked),
                (Verb::Deny, &two.id, State::Denied)
            ]
        );
        // The extension that has not started: only what comes after it.
        let ended = chain_after_revoke(&one, &chain, &who, None, 2 * HOUR);
        assert_eq!(ended.len(), 1);
        assert_eq!(ended[0].1.id, two.id);
        // The last: nothing else.
        assert!(chain_after_revoke(&two, &chain, &who, None, 2 * HOUR).is_empty());
    }

    #[test]
    fn a_grant_has_one_open_extension_at_a_time() {
        let first = granted_for(240, 0);
        let one = extension_of(&first, 60, HOUR).expect("asked");
        let second = |extensions: &[AccessRequest], now| {
            extend(
                &first,
                extensions,
                RequestId::parse("3b4e28ba-2fa1-11d2-883f-0016d3cca427").expect("valid"),
                GrantDuration::from_minutes(60).expect("valid"),
                None,
                Reason::parse("More").expect("valid"),
                &actor(ENGINEER),
                now,
            )
        };
        let open = Err(ExtendError::Transition(TransitionError::ExtensionOpen {
            id: one.id.clone(),
        }));
        // Waiting, and approved but not started: the open one is named.
        assert_eq!(second(std::slice::from_ref(&one), HOUR), open);
        let approved = granted_after(&first, &one, HOUR);
        assert_eq!(second(std::slice::from_ref(&approved), 2 * HOUR), open);
        // Once it is over (here: its engineer cancelled it), a new one may
        // be asked.
        let cancelled = cancel(&one, &actor(ENGINEER), None, HOUR).expect("cancelled");
        assert!(second(std::slice::from_ref(&cancelled), HOUR).is_ok());
    }

    #[test]
    fn a_chain_of_grants_never_runs_past_eight_hours_from_the_first_start() {
        let first = granted_for(240, 0);
        assert_eq!(
            extension_of(&first, 240, 0).map(|e| e.duration.minutes()),
            Ok(240)
        );
        let second = granted_after(
            &first,
            &extension_of(&first, 240, HOUR).expect("asked"),
            HOUR,
        );
        assert_eq!(
            second.grant().map(|g| (g.starts_at, g.ends_at)),
            Some((4 * HOUR, 8 * HOUR))
        );
        match extension_of(&second, 1, 5 * HOUR) {
            Err(ExtendError::Transition(TransitionError::BeyondLimit { at })) => {
                assert_eq!(at, 8 * HOUR)
            }
            other => panic!("{other:?}"),
        }
        // Too many minutes: a field error that says how many are left.
        let half = granted_for(240, 0);
        let long = extension_of(
            &granted_after(&half, &extension_of(&half, 120, 0).expect("asked"), 0),
            180,
            0,
        );
        match long {
            Err(ExtendError::Invalid(invalid)) => {
                assert_eq!(invalid.field, "minutes");
                assert!(
                    invalid.message.contains("120 minutes"),
                    "{}",
                    invalid.message
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn only_the_requester_extends_and_only_a_grant_that_has_not_ended() {
        let first = granted_for(60, 0);
        let by_other = extend(
            &first,
            &[],
            RequestId::parse("2b4e28ba-2fa1-11d2-883f-0016d3cca427").expect("valid"),
            GrantDuration::from_minutes(30).expect("valid"),
            None,
            Reason::parse("Mine now").expect("valid"),
            &actor(MANAGER),
            0,
        );
        assert_eq!(
            by_other,
            Err(ExtendError::Transition(TransitionError::NotTheRequester))
        );
        assert_eq!(
            extension_of(&first, 30, HOUR),
            Err(ExtendError::Transition(TransitionError::AlreadyDecided {
                state: State::Completed
            }))
        );
        assert!(matches!(
            extension_of(&pending(60), 30, 0),
            Err(ExtendError::Transition(
                TransitionError::AlreadyDecided { .. }
            ))
        ));
    }
}
