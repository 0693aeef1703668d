//! A change to one tenant's requests, planned here and written by the
//! store in one transaction: the rows that move (or the one that is new),
//! the audit record of each, and what must still hold when it is written.
//! Notices follow from each step (`notify::for_transition`), so a plan
//! names none of its own.
//!
//! Every writer of requests goes through a plan: a person's decision (a
//! revoke with the later members of its grant's chain, all or nothing), a
//! new request or extension, the freeze, and the sweep.

use crate::audit::NewAuditRecord;
use crate::ids::{RequestId, UserId};
use crate::lifecycle::{
    self, AccessRequest, Actor, ExtendError, State, TenantSwitches, TransitionError, Verb,
};
use crate::validation::{Comment, GrantDuration};

/// What one step of a plan does to a request.
// A call makes a handful of steps: their size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// A new request (an engineer's, or an extension).
    Open {
        request: AccessRequest,
        record: NewAuditRecord,
    },
    /// `verb` moves `before` (as read) to `after`.
    Move {
        verb: Verb,
        before: AccessRequest,
        after: AccessRequest,
        record: NewAuditRecord,
    },
}

impl Step {
    /// The request as the step leaves it.
    pub fn after(&self) -> &AccessRequest {
        match self {
            Step::Open { request, .. } => request,
            Step::Move { after, .. } => after,
        }
    }

    /// The step's audit record.
    pub fn record(&self) -> &NewAuditRecord {
        match self {
            Step::Open { record, .. } | Step::Move { record, .. } => record,
        }
    }

    /// The id of the step's audit record: a request enters each state at
    /// most once, and each person approves it at most once, so the
    /// primary key itself forbids a second record of the same change.
    pub fn record_id(&self) -> String {
        match self {
            Step::Open { request, .. } => entered(&request.id, request.state()),
            Step::Move {
                verb,
                before,
                after,
                ..
            } => match (verb, after.approvals.given.last()) {
                // An emergency's review: once.
                (Verb::Ratify | Verb::Dispute | Verb::Lapse, _) => {
                    format!("{}/review", after.id.as_str())
                }
                // An approval that leaves the state as it was: a customer
                // approver's of a quorum, or an emergency's first manager's.
                (Verb::Approve | Verb::Preapprove, Some(last))
                    if after.state() == before.state() =>
                {
                    format!(
                        "{}/approval/{}",
                        after.id.as_str(),
                        last.decision.by.user_id.as_str()
                    )
                }
                _ => entered(&after.id, after.state()),
            },
        }
    }
}

/// The id of the audit record of request `id` entering `state`.
pub fn entered(id: &RequestId, state: State) -> String {
    format!("{}/{}", id.as_str(), state.as_str())
}

/// What must hold, besides each moved row being as it was read, when a
/// plan is written; a change that lands between the read and the write
/// and breaks one of these wins, and the plan writes nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirement {
    /// The tenant is not frozen.
    NotFrozen,
    /// The tenant's Lockbox switch and approvals required are as read.
    Switches(TenantSwitches),
    /// Request `0` is a live grant (stored Approved, its end ahead).
    Live(RequestId),
    /// Request `0` has no open extension.
    NoOpenExtension(RequestId),
    /// The tenant has room for another emergency grant: emergencies
    /// allowed (with content operations, when `content`), not frozen, no
    /// live emergency grant, fewer than [`crate::emergency::PER_WINDOW`]
    /// started in the last [`crate::emergency::WINDOW_MS`].
    EmergencyRoom { content: bool },
}

/// Who moves the rows of a plan, which says what "as read" means for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mover {
    /// A person: each row is as read and its deadline still ahead.
    Person,
    /// The sweep: each row is as read and its deadline passed.
    Deadline,
}

/// Whether the steps of a plan stand or fall together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Atomicity {
    /// Every step, or none.
    AllOrNothing,
    /// Each step on its own (the sweep's and the freeze's, where one
    /// request that moved meanwhile must not hold back the others).
    EachOnItsOwn,
}

/// A person's Idempotency-Key, remembered with the decision it made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyUse {
    pub user_id: UserId,
    pub key: String,
    pub request_id: RequestId,
    pub verb: Verb,
}

/// A change to one tenant's requests.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub steps: Vec<Step>,
    pub requires: Vec<Requirement>,
    pub mover: Mover,
    pub atomicity: Atomicity,
    /// Remembered with the first step.
    pub key: Option<KeyUse>,
}

impl Plan {
    /// The request the plan is about (its first step's), as it leaves it.
    pub fn subject(&self) -> Option<&AccessRequest> {
        self.steps.first().map(Step::after)
    }

    fn of(steps: Vec<Step>, mover: Mover, atomicity: Atomicity) -> Self {
        Self {
            steps,
            requires: Vec::new(),
            mover,
            atomicity,
            key: None,
        }
    }
}

/// Where a change comes from, for its audit records: the caller's address
/// and the user the log shows for Lockbox.
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    pub ip: &'a str,
    pub service_account: &'a str,
}

fn moved(verb: Verb, before: &AccessRequest, after: AccessRequest, origin: Origin<'_>) -> Step {
    let record =
        NewAuditRecord::transition(verb, before, &after, origin.ip, origin.service_account);
    Step::Move {
        verb,
        before: before.clone(),
        after,
        record,
    }
}

/// A new request, as the engineer opened it.
pub fn open(request: AccessRequest, origin: Origin<'_>) -> Plan {
    let record = NewAuditRecord::request_created(&request, origin.ip);
    Plan::of(
        vec![Step::Open { request, record }],
        Mover::Person,
        Atomicity::AllOrNothing,
    )
}

/// An extension of grant `first` (whose extensions so far are
/// `extensions`): written only while the grant is live and nothing else
/// extends it.
#[allow(clippy::too_many_arguments)]
pub fn extension(
    first: &AccessRequest,
    extensions: &[AccessRequest],
    id: RequestId,
    minutes: GrantDuration,
    operations: Option<crate::validation::OperationSet>,
    reason: crate::validation::Reason,
    who: &Actor,
    now: i64,
    origin: Origin<'_>,
) -> Result<Plan, ExtendError> {
    let request = lifecycle::extend(first, extensions, id, minutes, operations, reason, who, now)?;
    let mut plan = open(request, origin);
    plan.requires = vec![
        Requirement::Live(first.id.clone()),
        Requirement::NoOpenExtension(first.id.clone()),
    ];
    Ok(plan)
}

/// What a person's decision is made from, as read.
#[derive(Debug, Clone, Copy)]
pub struct Reads<'a> {
    /// The request decided on.
    pub request: &'a AccessRequest,
    /// Its tenant's settings.
    pub switches: TenantSwitches,
    /// For an extension, the grant it continues.
    pub extended: Option<&'a AccessRequest>,
    /// For a revoke, every request of the target's chain.
    pub chain: &'a [AccessRequest],
}

/// A person's `verb` on a request (`lifecycle::apply`), with everything it
/// ends: a revoke also ends, in the same plan, every later member of the
/// grant's chain (`lifecycle::chain_after_revoke`), all or nothing.
#[allow(clippy::too_many_arguments)]
pub fn decision(
    reads: Reads<'_>,
    verb: Verb,
    who: &Actor,
    comment: Option<Comment>,
    terms: lifecycle::Terms,
    key: Option<&str>,
    now: i64,
    origin: Origin<'_>,
) -> Result<Plan, TransitionError> {
    let request = reads.request;
    let after = lifecycle::apply_terms(
        request,
        verb,
        who,
        reads.switches,
        reads.extended,
        comment.clone(),
        terms,
        now,
    )?;
    let mut steps = vec![moved(verb, request, after, origin)];
    if verb == Verb::Revoke {
        for (verb, before, after) in
            lifecycle::chain_after_revoke(request, reads.chain, who, comment, now)
        {
            steps.push(moved(verb, before, after, origin));
        }
    }
    let mut plan = Plan::of(steps, Mover::Person, Atomicity::AllOrNothing);
    if verb == Verb::Preapprove {
        plan.requires.push(Requirement::Switches(reads.switches));
    }
    if verb == Verb::Preapprove
        && request.emergency.is_some()
        && plan.subject().is_some_and(|after| after.grant().is_some())
    {
        // The second manager's pre-approval starts an emergency grant: a
        // change of the tenant's choice, or another emergency grant, that
        // lands between the read and the write wins.
        plan.requires.push(Requirement::EmergencyRoom {
            content: !request.reads_content.is_empty(),
        });
    }
    if matches!(verb, Verb::Preapprove | Verb::Approve) {
        // A freeze that lands between the read and the write wins; so does
        // the end or revocation of the grant an extension continues.
        plan.requires.push(Requirement::NotFrozen);
        if let Some(of) = &request.extends {
            plan.requires.push(Requirement::Live(of.of.clone()));
        }
    }
    plan.key = key.map(|key| KeyUse {
        user_id: who.user_id.clone(),
        key: key.to_owned(),
        request_id: request.id.clone(),
        verb,
    });
    Ok(plan)
}

/// What a freeze ends of `open` at `now`, by `who` with `reason`: a live
/// grant is revoked, a request waiting for the customer denied; each on
/// its own.
pub fn freeze(
    open: &[AccessRequest],
    who: &Actor,
    reason: &Comment,
    now: i64,
    origin: Origin<'_>,
) -> Plan {
    let steps = open
        .iter()
        .filter_map(|request| {
            let (verb, after) = match request.effective_state(now) {
                State::Approved => (
                    Verb::Revoke,
                    lifecycle::revoke(request, who, Some(reason.clone()), now),
                ),
                State::PendingCustomerApproval => (
                    Verb::Deny,
                    lifecycle::customer_decision(request, who, false, Some(reason.clone()), now),
                ),
                _ => return None,
            };
            Some(moved(verb, request, after.ok()?, origin))
        })
        .collect();
    Plan::of(steps, Mover::Person, Atomicity::EachOnItsOwn)
}

/// The sweep's moves of `due` at `now` (`lifecycle::sweep`): a pending
/// request expires, a grant completes; each on its own.
pub fn sweep(due: &[AccessRequest], now: i64, service_account: &str) -> Plan {
    let origin = Origin {
        ip: "",
        service_account,
    };
    let steps = due
        .iter()
        .filter_map(|before| {
            let (verb, after) = lifecycle::sweep(before, now).or_else(|| {
                crate::emergency::lapse(before, now).map(|after| (Verb::Lapse, after))
            })?;
            Some(moved(verb, before, after, origin))
        })
        .collect();
    Plan::of(steps, Mover::Deadline, Atomicity::EachOnItsOwn)
}
