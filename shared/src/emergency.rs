//! Break-glass: emergency access with a verdict the customer gives.
//!
//! An engineer opens an emergency request with an incident id and a
//! justification (the request's reason). Two different support managers,
//! neither the requester, must pre-approve it within
//! [`PENDING_MS`]; the second one's pre-approval starts the grant without
//! the customer's step: at most [`MAX_MINUTES`], never extended, metadata
//! operations only unless the tenant allowed content ones for emergencies;
//! one live emergency grant per tenant at a time and at most
//! [`PER_WINDOW`] started in any [`WINDOW_MS`]. A tenant may turn
//! emergencies off; a freeze always wins.
//!
//! Once the grant has ended the customer reviews it: Ratified or Disputed
//! (a dispute says why) within [`REVIEW_MS`], else it is marked
//! Unreviewed. Every emergency grant ends in exactly one of the three.

use serde::{Deserialize, Serialize};

use crate::ids::RequestId;
use crate::lifecycle::{AccessRequest, Actor, State};
use crate::named_enum;
use crate::validation::{Comment, IncidentId};

const MINUTE: i64 = 60_000;
const DAY: i64 = 24 * 60 * MINUTE;

/// How long an emergency request waits for its two managers.
pub const PENDING_MS: i64 = 30 * MINUTE;
/// The longest emergency grant, in minutes.
pub const MAX_MINUTES: u32 = 60;
/// How many different managers must pre-approve an emergency.
pub const MANAGERS: u8 = 2;
/// How long the customer has to review an emergency grant once it ended.
pub const REVIEW_MS: i64 = 7 * DAY;
/// When, after the end, the customer is reminded of a review not given.
pub const REMINDERS_MS: [i64; 2] = [DAY, 6 * DAY];
/// How many emergency grants a tenant may have started in [`WINDOW_MS`].
pub const PER_WINDOW: usize = 3;
/// The window of [`PER_WINDOW`].
pub const WINDOW_MS: i64 = 30 * DAY;

named_enum! {
    /// How an emergency grant was reviewed by the customer.
    pub enum Verdict {
        /// The customer accepts what was done.
        Ratified => "Ratified",
        /// The customer disputes it (with why).
        Disputed => "Disputed",
        /// Nobody at the customer gave a verdict within [`REVIEW_MS`].
        Unreviewed => "Unreviewed",
    }
}

/// The customer's review of an ended emergency grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub verdict: Verdict,
    /// When it was given (or when the review lapsed).
    pub at: i64,
    /// Who gave it (nobody for [`Verdict::Unreviewed`]).
    pub by: Option<Actor>,
    /// Why (required for a dispute).
    pub comment: Option<Comment>,
}

/// What makes a request an emergency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Emergency {
    /// The provider's incident the access is for.
    pub incident: IncidentId,
    /// The customer's review, once given or lapsed.
    pub review: Option<Review>,
}

/// What a tenant chose about emergency access (its Security & Privacy
/// settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// Emergency access is allowed, with the customer's review afterwards
    /// (the default); off, no emergency request can be opened or granted.
    pub allowed: bool,
    /// Emergency grants may include operations that read content.
    pub content: bool,
    /// A dispute also freezes the tenant ("Revoke all access now").
    pub dispute_freezes: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            allowed: true,
            content: false,
            dispute_freezes: false,
        }
    }
}

/// The tenant's emergencies as read: what the limits are counted from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recent {
    /// Its live emergency grants.
    pub live: Vec<RequestId>,
    /// When each of its emergency grants of the last [`WINDOW_MS`] started.
    pub started: Vec<i64>,
}

/// Why an emergency cannot be opened or granted now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The tenant turned emergency access off.
    Off,
    /// The tenant is frozen.
    Frozen,
    /// Asked for more than [`MAX_MINUTES`].
    TooLong,
    /// Asked for an operation that reads content (`name`), which the
    /// tenant did not allow for emergencies.
    Content { name: String },
    /// The tenant already has a live emergency grant (`id`).
    OneAtATime { id: RequestId },
    /// [`PER_WINDOW`] emergency grants started in the last [`WINDOW_MS`];
    /// the next is possible at `next_at`.
    TooMany { next_at: i64 },
}

impl Refusal {
    /// A sentence for the person.
    pub fn message(&self) -> String {
        match self {
            Refusal::Off => "This organisation has turned emergency access off: open a normal \
                request, which its approvers decide on."
                .to_owned(),
            Refusal::Frozen => "Access to this organisation's content is frozen (\"Revoke all \
                access now\"): no emergency access either, until a global admin lifts the freeze."
                .to_owned(),
            Refusal::TooLong => format!(
                "Emergency access lasts at most {MAX_MINUTES} minutes and cannot be extended; ask \
                 for {MAX_MINUTES} or less."
            ),
            Refusal::Content { name } => format!(
                "{name} reads content, which this organisation allows only with its approval: \
                 emergency access is limited to operations that do not read content. Ask for \
                 those, or open a normal request."
            ),
            Refusal::OneAtATime { id } => format!(
                "This organisation already has a live emergency access (request {id}); only one \
                 at a time. Work under that one, or wait until it ends."
            ),
            Refusal::TooMany { next_at } => format!(
                "This organisation has had {PER_WINDOW} emergency accesses in the last 30 days, \
                 the most allowed; the next is possible from {}. Open a normal request.",
                crate::audit::utc(*next_at)
            ),
        }
    }
}

/// Whether an emergency for `operations` (of which `reads_content` read
/// content) lasting `minutes` may be opened, or granted, in a tenant with
/// `policy`, frozen or not, whose emergencies are `recent`, at `now`.
pub fn check(
    policy: Policy,
    frozen: bool,
    minutes: u32,
    reads_content: &[String],
    recent: &Recent,
    now: i64,
) -> Result<(), Refusal> {
    if frozen {
        return Err(Refusal::Frozen);
    }
    if !policy.allowed {
        return Err(Refusal::Off);
    }
    if minutes > MAX_MINUTES {
        return Err(Refusal::TooLong);
    }
    if let Some(name) = reads_content.first().filter(|_| !policy.content) {
        return Err(Refusal::Content { name: name.clone() });
    }
    if let Some(id) = recent.live.first() {
        return Err(Refusal::OneAtATime { id: id.clone() });
    }
    let mut started: Vec<i64> = recent
        .started
        .iter()
        .copied()
        .filter(|at| *at > now - WINDOW_MS)
        .collect();
    if started.len() >= PER_WINDOW {
        started.sort_unstable();
        let oldest_counted = started[started.len() - PER_WINDOW];
        return Err(Refusal::TooMany {
            next_at: oldest_counted + WINDOW_MS,
        });
    }
    Ok(())
}

/// When the customer's review of `request` is due: [`REVIEW_MS`] after
/// its emergency grant ended (in effect: a grant that ran out ended at its
/// end, swept or not). `None` for a request that is no emergency, whose
/// grant has not ended, or that is reviewed.
pub fn review_due(request: &AccessRequest, now: i64) -> Option<i64> {
    let emergency = request.emergency.as_ref()?;
    if emergency.review.is_some() {
        return None;
    }
    ended_at(request, now).map(|at| at + REVIEW_MS)
}

/// The `review_due_at` a request is stored with: when its review will be
/// due if nobody reviews it, counted from its grant's end (its planned end
/// while it is live). `None` for one that is no emergency, never granted,
/// or reviewed.
pub fn review_due_stored(request: &AccessRequest) -> Option<i64> {
    let emergency = request.emergency.as_ref()?;
    if emergency.review.is_some() {
        return None;
    }
    let (_, _, end) = crate::audit::ended_window(request)?;
    Some(end + REVIEW_MS)
}

/// The support managers who pre-approved an emergency, in order (two once
/// granted): its `approvals` are theirs.
pub fn managers(request: &AccessRequest) -> impl Iterator<Item = &Actor> {
    request
        .approvals
        .given
        .iter()
        .filter(|_| request.emergency.is_some())
        .map(|c| &c.decision.by)
}

/// When `request`'s grant ended, as of `now`.
pub fn ended_at(request: &AccessRequest, now: i64) -> Option<i64> {
    let grant = request.grant()?;
    match request.effective_state(now) {
        State::Revoked => request.ending().map(|e| e.at),
        State::Completed => Some(grant.ends_at),
        _ => None,
    }
}

/// Why a review cannot be given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewError {
    /// Only emergency access is reviewed.
    NotEmergency,
    /// The grant has not ended yet (or never started).
    NotEnded,
    /// It was reviewed already, or marked Unreviewed.
    Reviewed { verdict: Verdict },
    /// The [`REVIEW_MS`] to review it ran out at `at`.
    Lapsed { at: i64 },
    /// A dispute says why.
    CommentRequired,
}

impl ReviewError {
    /// A sentence for the person.
    pub fn message(&self) -> String {
        match self {
            ReviewError::NotEmergency => {
                "Only emergency access is reviewed; this request went through your approvers."
                    .to_owned()
            }
            ReviewError::NotEnded => "This emergency access has not ended yet: revoke it now if \
                it should end, and review it once it has."
                .to_owned(),
            ReviewError::Reviewed { verdict } => format!(
                "This emergency access has been reviewed already: {}. Nothing was changed.",
                verdict.as_str()
            ),
            ReviewError::Lapsed { at } => format!(
                "The 7 days to review this emergency access ran out at {}; it is marked \
                 Unreviewed.",
                crate::audit::utc(*at)
            ),
            ReviewError::CommentRequired => {
                "Say what you dispute: the provider's managers read it.".to_owned()
            }
        }
    }
}

/// `who`'s verdict (`Ratified` or `Disputed`, the latter with a comment)
/// on `request`'s ended emergency grant at `now`.
pub fn review(
    request: &AccessRequest,
    who: &Actor,
    disputed: bool,
    comment: Option<Comment>,
    now: i64,
) -> Result<AccessRequest, ReviewError> {
    let emergency = request
        .emergency
        .as_ref()
        .ok_or(ReviewError::NotEmergency)?;
    if let Some(review) = &emergency.review {
        return Err(ReviewError::Reviewed {
            verdict: review.verdict,
        });
    }
    let due = review_due(request, now).ok_or(ReviewError::NotEnded)?;
    if now >= due {
        return Err(ReviewError::Lapsed { at: due });
    }
    if disputed && comment.is_none() {
        return Err(ReviewError::CommentRequired);
    }
    let verdict = if disputed {
        Verdict::Disputed
    } else {
        Verdict::Ratified
    };
    Ok(reviewed(
        request,
        Review {
            verdict,
            at: now,
            by: Some(who.clone()),
            comment,
        },
    ))
}

/// The sweep's mark on an emergency grant nobody reviewed in time:
/// Unreviewed, as of when the review was due. `None` before then.
pub fn lapse(request: &AccessRequest, now: i64) -> Option<AccessRequest> {
    let due = review_due(request, now)?;
    (now >= due).then(|| {
        reviewed(
            request,
            Review {
                verdict: Verdict::Unreviewed,
                at: due,
                by: None,
                comment: None,
            },
        )
    })
}

fn reviewed(request: &AccessRequest, review: Review) -> AccessRequest {
    let mut after = request.clone();
    if let Some(emergency) = after.emergency.as_mut() {
        emergency.review = Some(review);
    }
    after
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{TenantId, UserId};
    use crate::lifecycle::{self, NewRequest, TenantSwitches, TransitionError, Verb};
    use crate::validation::{
        ApprovalsRequired, GrantDuration, OperationSet, Reason, ServiceName, TicketNumber,
    };

    fn person(n: u8) -> Actor {
        Actor {
            user_id: UserId::parse(&format!("00000000-0000-4000-8000-0000000000{n:02}"))
                .expect("valid"),
            email: format!("person{n}@example"),
        }
    }

    const ENGINEER: u8 = 1;
    const MANAGER: u8 = 2;
    const OTHER_MANAGER: u8 = 4;
    const APPROVER: u8 = 3;
    const OPEN: TenantSwitches = TenantSwitches {
        lockbox_enabled: true,
        frozen: false,
        approvals_required: ApprovalsRequired::ONE,
    };

    fn emergency(minutes: u32) -> AccessRequest {
        let names = vec!["Get-Mailbox".to_owned()];
        let input = NewRequest {
            tenant_id: TenantId::parse("7c0a8f4e-5a1b-4c3d-9e2f-000000000001").expect("valid"),
            service: ServiceName::parse("mail").expect("valid"),
            ticket: TicketNumber::parse("SR-9").expect("valid"),
            reason: Reason::parse("Mail flow is down for the whole tenant").expect("valid"),
            duration: GrantDuration::from_minutes(minutes).expect("valid"),
            operations: Some(OperationSet::parse("operations", &names).expect("valid")),
            reads_content: Vec::new(),
            emergency: Some(IncidentId::parse("INC-42").expect("valid")),
        };
        let id = RequestId::parse("1b4e28ba-2fa1-11d2-883f-0016d3cca427").expect("valid");
        lifecycle::create(id, input, &person(ENGINEER), 0)
    }

    fn preapprove(
        req: &AccessRequest,
        who: u8,
        now: i64,
    ) -> Result<AccessRequest, TransitionError> {
        lifecycle::apply(
            req,
            Verb::Preapprove,
            &person(who),
            OPEN,
            None,
            None,
            None,
            now,
        )
    }

    #[test]
    fn two_different_managers_neither_the_requester_start_the_grant_without_the_customer() {
        let asked = emergency(60);
        assert_eq!(asked.pending_until(), Some(PENDING_MS));
        assert_eq!(
            preapprove(&asked, ENGINEER, 1).err(),
            Some(TransitionError::SelfApproval)
        );
        let once = preapprove(&asked, MANAGER, 1_000).expect("first manager");
        assert_eq!(once.state(), State::PendingManagerApproval);
        assert_eq!(once.approvals.given.len(), 1);
        assert_eq!(
            preapprove(&once, MANAGER, 2_000).err(),
            Some(TransitionError::AlreadyApproved),
            "the same manager twice"
        );
        let granted = preapprove(&once, OTHER_MANAGER, 3_000).expect("second manager");
        assert_eq!(granted.state(), State::Approved);
        let grant = granted.grant().expect("a grant");
        assert_eq!(
            (grant.starts_at, grant.ends_at),
            (3_000, 3_000 + 60 * MINUTE)
        );
        assert_eq!(granted.customer_approval_required(), Some(false));
        assert_eq!(
            granted.manager_decision().map(|d| d.by.clone()),
            Some(person(MANAGER))
        );
        // Thirty minutes without two managers, and it expires.
        assert_eq!(once.effective_state(PENDING_MS), State::Expired);
        assert!(preapprove(&once, OTHER_MANAGER, PENDING_MS).is_err());
        // The customer may revoke it at once, like any grant.
        let revoked = lifecycle::revoke(&granted, &person(APPROVER), None, 4_000).expect("revoked");
        assert_eq!(revoked.state(), State::Revoked);
    }

    #[test]
    fn an_emergency_is_never_extended() {
        let granted = preapprove(
            &preapprove(&emergency(30), MANAGER, 0).expect("one"),
            OTHER_MANAGER,
            0,
        )
        .expect("granted");
        let more = lifecycle::extend(
            &granted,
            &[],
            RequestId::parse("2b4e28ba-2fa1-11d2-883f-0016d3cca427").expect("valid"),
            GrantDuration::from_minutes(15).expect("valid"),
            None,
            Reason::parse("more").expect("valid"),
            &person(ENGINEER),
            MINUTE,
        );
        assert_eq!(more.err(), Some(lifecycle::ExtendError::Emergency));
    }

    #[test]
    fn the_tenants_choice_the_freeze_and_the_limits_are_checked_in_that_order() {
        let policy = Policy::default();
        let none = Recent::default();
        let content = vec!["Get-Message".to_owned()];
        assert_eq!(check(policy, true, 60, &[], &none, 0), Err(Refusal::Frozen));
        let off = Policy {
            allowed: false,
            ..policy
        };
        assert_eq!(check(off, false, 60, &[], &none, 0), Err(Refusal::Off));
        assert_eq!(
            check(policy, false, 61, &[], &none, 0),
            Err(Refusal::TooLong)
        );
        assert_eq!(
            check(policy, false, 60, &content, &none, 0),
            Err(Refusal::Content {
                name: "Get-Message".into()
            })
        );
        let with_content = Policy {
            content: true,
            ..policy
        };
        assert_eq!(check(with_content, false, 60, &content, &none, 0), Ok(()));
        let id = RequestId::parse("1b4e28ba-2fa1-11d2-883f-0016d3cca427").expect("valid");
        let live = Recent {
            live: vec![id.clone()],
            started: vec![0],
        };
        assert_eq!(
            check(policy, false, 60, &[], &live, 1),
            Err(Refusal::OneAtATime { id })
        );
        // Three in 30 days: the fourth waits until the oldest is 30 days old.
        let now = 30 * DAY;
        let three = Recent {
            live: Vec::new(),
            started: vec![20 * DAY, 5 * DAY, 29 * DAY],
        };
        assert_eq!(
            check(policy, false, 60, &[], &three, now),
            Err(Refusal::TooMany {
                next_at: 5 * DAY + WINDOW_MS
            })
        );
        assert_eq!(check(policy, false, 60, &[], &three, 35 * DAY), Ok(()));
    }

    #[test]
    fn an_ended_emergency_is_reviewed_once_within_seven_days_else_marked_unreviewed() {
        let granted = preapprove(
            &preapprove(&emergency(60), MANAGER, 0).expect("one"),
            OTHER_MANAGER,
            0,
        )
        .expect("granted");
        let end = 60 * MINUTE;
        assert_eq!(
            review(&granted, &person(APPROVER), false, None, MINUTE).err(),
            Some(ReviewError::NotEnded)
        );
        assert_eq!(review_due_stored(&granted), Some(end + REVIEW_MS));
        assert_eq!(
            review_due(&granted, end),
            Some(end + REVIEW_MS),
            "ran out, swept or not"
        );
        assert_eq!(
            review(&granted, &person(APPROVER), true, None, end + 1).err(),
            Some(ReviewError::CommentRequired)
        );
        let why = Comment::parse("Read more than the incident needed").expect("valid");
        let disputed =
            review(&granted, &person(APPROVER), true, Some(why), end + 1).expect("disputed");
        let verdict = disputed
            .emergency
            .as_ref()
            .and_then(|e| e.review.as_ref())
            .map(|r| r.verdict);
        assert_eq!(verdict, Some(Verdict::Disputed));
        assert_eq!(review_due_stored(&disputed), None);
        assert_eq!(
            review(&disputed, &person(APPROVER), false, None, end + 2).err(),
            Some(ReviewError::Reviewed {
                verdict: Verdict::Disputed
            })
        );
        assert_eq!(
            lapse(&disputed, end + REVIEW_MS),
            None,
            "reviewed: never lapses"
        );
        // Nobody reviews: Unreviewed at the due time, and no verdict after.
        assert_eq!(lapse(&granted, end + REVIEW_MS - 1), None);
        let lapsed = lapse(&granted, end + REVIEW_MS + 5).expect("lapsed");
        let review_of = lapsed
            .emergency
            .as_ref()
            .and_then(|e| e.review.clone())
            .expect("marked");
        assert_eq!(
            (review_of.verdict, review_of.at, review_of.by),
            (Verdict::Unreviewed, end + REVIEW_MS, None)
        );
        assert_eq!(
            review(&granted, &person(APPROVER), false, None, end + REVIEW_MS).err(),
            Some(ReviewError::Lapsed {
                at: end + REVIEW_MS
            })
        );
        // A normal request is never reviewed.
        let mut normal = granted.clone();
        normal.emergency = None;
        assert_eq!(
            review(&normal, &person(APPROVER), false, None, end + 1).err(),
            Some(ReviewError::NotEmergency)
        );
    }
}
