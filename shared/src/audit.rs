//! Audit records (SPEC §4): append-only, one per state change, role or
//! setting change, refused attempt and operator action.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::ids::TenantId;
use crate::lifecycle::{AccessRequest, Verb};
use crate::roles::CustomerRole;

/// The user shown for the Lockbox service itself: customer decisions and the
/// scheduled sweep (SPEC §4).
pub fn service_account(deployment: &str) -> String {
    format!("lockbox-service@{deployment}")
}

/// A time as people read it in the log: RFC 3339, UTC, to the second.
pub fn utc(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|| ms.to_string())
}

/// The activity a transition is recorded under.
pub const fn activity_of(verb: Verb) -> Activity {
    match verb {
        Verb::Preapprove => Activity::PreapproveRequest,
        Verb::Reject => Activity::RejectRequest,
        Verb::Approve | Verb::Deny => Activity::CustomerDecision,
        Verb::Cancel => Activity::CancelRequest,
        Verb::Revoke => Activity::RevokeGrant,
        Verb::Expire => Activity::ExpireRequest,
        Verb::Complete => Activity::CompleteGrant,
    }
}

/// What happened. The names are those administrators already search for in
/// the large clouds' audit logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Activity {
    /// An engineer opened an access request.
    #[serde(rename = "New-AccessToCustomerDataRequest")]
    NewRequest,
    /// A support manager pre-approved a request.
    #[serde(rename = "PreApprove-AccessToCustomerDataRequest")]
    PreapproveRequest,
    /// A support manager rejected a request.
    #[serde(rename = "Reject-AccessToCustomerDataRequest")]
    RejectRequest,
    /// The customer approved or denied (details: `ApprovalDecision`).
    #[serde(rename = "Set-AccessToCustomerDataRequest")]
    CustomerDecision,
    /// The engineer cancelled their request.
    #[serde(rename = "Cancel-AccessToCustomerDataRequest")]
    CancelRequest,
    /// An approver ended a live grant early.
    #[serde(rename = "Revoke-AccessToCustomerDataRequest")]
    RevokeGrant,
    /// Nobody decided within 12 hours.
    #[serde(rename = "Expire-AccessToCustomerDataRequest")]
    ExpireRequest,
    /// A grant ran its course.
    #[serde(rename = "Complete-AccessToCustomerDataRequest")]
    CompleteGrant,
    /// The tenant's Customer Lockbox switch changed.
    #[serde(rename = "Set-OrganizationConfig")]
    SetOrganizationConfig,
    /// A member was added to a customer role (or an attempt was refused).
    #[serde(rename = "Add-RoleMember")]
    AddRoleMember,
    /// A member was removed from a customer role (or an attempt was refused).
    #[serde(rename = "Remove-RoleMember")]
    RemoveRoleMember,
}

impl Activity {
    /// Every activity, in display order.
    pub const ALL: [Activity; 11] = [
        Activity::NewRequest,
        Activity::PreapproveRequest,
        Activity::RejectRequest,
        Activity::CustomerDecision,
        Activity::CancelRequest,
        Activity::RevokeGrant,
        Activity::ExpireRequest,
        Activity::CompleteGrant,
        Activity::SetOrganizationConfig,
        Activity::AddRoleMember,
        Activity::RemoveRoleMember,
    ];

    /// The name stored and searched for.
    pub const fn as_str(self) -> &'static str {
        match self {
            Activity::NewRequest => "New-AccessToCustomerDataRequest",
            Activity::PreapproveRequest => "PreApprove-AccessToCustomerDataRequest",
            Activity::RejectRequest => "Reject-AccessToCustomerDataRequest",
            Activity::CustomerDecision => "Set-AccessToCustomerDataRequest",
            Activity::CancelRequest => "Cancel-AccessToCustomerDataRequest",
            Activity::RevokeGrant => "Revoke-AccessToCustomerDataRequest",
            Activity::ExpireRequest => "Expire-AccessToCustomerDataRequest",
            Activity::CompleteGrant => "Complete-AccessToCustomerDataRequest",
            Activity::SetOrganizationConfig => "Set-OrganizationConfig",
            Activity::AddRoleMember => "Add-RoleMember",
            Activity::RemoveRoleMember => "Remove-RoleMember",
        }
    }
}

/// Whether the recorded attempt took effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    /// It took effect.
    Succeeded,
    /// It was refused; the record's details say why.
    Refused,
}

impl Outcome {
    /// The name stored in the details.
    pub const fn as_str(self) -> &'static str {
        match self {
            Outcome::Succeeded => "Succeeded",
            Outcome::Refused => "Refused",
        }
    }
}

/// A record about to be written; the store adds id, sequence number and time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAuditRecord {
    /// Whose log the record belongs to.
    pub tenant_id: TenantId,
    /// The address the action came from.
    pub ip: String,
    /// The user shown in the log (a person's e-mail, the Lockbox service
    /// account, or `<Provider> Operator`).
    pub user: String,
    /// What happened.
    pub activity: Activity,
    /// The object touched (a request's UUID, a person's e-mail), or empty.
    pub item: String,
    /// Key/value parameters.
    pub details: BTreeMap<String, String>,
}

/// A change to who holds a customer role, or a refused attempt at one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleChange<'a> {
    /// Adding or removing.
    pub activity: Activity,
    /// Which role.
    pub role: CustomerRole,
    /// Whose membership.
    pub member_email: &'a str,
    /// Whether it took effect.
    pub outcome: Outcome,
    /// Why it was refused, when it was.
    pub reason: Option<&'a str>,
}

impl NewAuditRecord {
    /// The record of a role change (or refused attempt) by `actor_email`.
    pub fn role_change(
        tenant_id: TenantId,
        ip: &str,
        actor_email: &str,
        change: &RoleChange,
    ) -> Self {
        let mut details = BTreeMap::new();
        details.insert("Role".to_owned(), change.role.label().to_owned());
        details.insert("Member".to_owned(), change.member_email.to_owned());
        details.insert("Outcome".to_owned(), change.outcome.as_str().to_owned());
        if let Some(reason) = change.reason {
            details.insert("Reason".to_owned(), reason.to_owned());
        }
        Self {
            tenant_id,
            ip: ip.to_owned(),
            user: actor_email.to_owned(),
            activity: change.activity,
            item: change.member_email.to_owned(),
            details,
        }
    }
}

impl NewAuditRecord {
    /// The record of a new request, by the engineer who opened it.
    pub fn request_created(req: &AccessRequest, ip: &str) -> Self {
        let mut details = request_facts(req);
        details.insert("NewState".to_owned(), req.state.as_str().to_owned());
        details.insert("Reason".to_owned(), req.reason.clone());
        details.insert(
            "DurationMinutes".to_owned(),
            req.duration_minutes.to_string(),
        );
        Self {
            tenant_id: req.tenant_id.clone(),
            ip: ip.to_owned(),
            user: req.requester_email.clone(),
            activity: Activity::NewRequest,
            item: req.id.clone(),
            details,
        }
    }

    /// The record of one transition from `before` to `after` by `actor_email`
    /// (the person; customer decisions show the service account as user and
    /// the approver in the details, as the large clouds' logs do).
    pub fn transition(
        verb: Verb,
        before: &AccessRequest,
        after: &AccessRequest,
        actor_email: &str,
        ip: &str,
        service_account: &str,
    ) -> Self {
        let mut details = request_facts(after);
        details.insert("PreviousState".to_owned(), before.state.as_str().to_owned());
        details.insert("NewState".to_owned(), after.state.as_str().to_owned());
        if let Some(comment) = &after.decision_comment {
            if before.decision_comment.as_ref() != Some(comment) {
                details.insert("Comment".to_owned(), comment.clone());
            }
        }
        let mut user = actor_email.to_owned();
        match verb {
            Verb::Approve | Verb::Deny => {
                user = service_account.to_owned();
                let decision = if verb == Verb::Approve {
                    "Approve"
                } else {
                    "Deny"
                };
                details.insert("ApprovalDecision".to_owned(), decision.to_owned());
                details.insert("Approver".to_owned(), actor_email.to_owned());
                details.entry("Comment".to_owned()).or_default();
            }
            Verb::Preapprove => {
                details.insert("Manager".to_owned(), actor_email.to_owned());
                let required = after.lockbox_required.unwrap_or(true);
                details.insert(
                    "CustomerApprovalRequired".to_owned(),
                    if required { "True" } else { "False" }.to_owned(),
                );
                if !required {
                    details.insert(
                        "Note".to_owned(),
                        "Granted without customer approval because Customer Lockbox is off for this tenant.".to_owned(),
                    );
                }
                if let Some(at) = after.pending_expires_at {
                    details.insert("PendingExpiresAt".to_owned(), utc(at));
                }
            }
            Verb::Expire | Verb::Complete => user = service_account.to_owned(),
            Verb::Reject | Verb::Cancel | Verb::Revoke => {}
        }
        if let (Some(start), Some(end)) = (after.grant_starts_at, after.grant_ends_at) {
            if before.grant_starts_at.is_none() {
                details.insert("GrantStartsAt".to_owned(), utc(start));
                details.insert("GrantEndsAt".to_owned(), utc(end));
            }
        }
        if let Some(ended) = after.ended_at {
            details.insert("EndedAt".to_owned(), utc(ended));
        }
        Self {
            tenant_id: after.tenant_id.clone(),
            ip: ip.to_owned(),
            user,
            activity: activity_of(verb),
            item: after.id.clone(),
            details,
        }
    }

    /// The record of the Customer Lockbox switch being set.
    pub fn lockbox_setting(
        tenant_id: TenantId,
        ip: &str,
        actor_email: &str,
        enabled: bool,
    ) -> Self {
        let mut details = BTreeMap::new();
        details.insert(
            "CustomerLockboxEnabled".to_owned(),
            if enabled { "True" } else { "False" }.to_owned(),
        );
        Self {
            tenant_id,
            ip: ip.to_owned(),
            user: actor_email.to_owned(),
            activity: Activity::SetOrganizationConfig,
            item: String::new(),
            details,
        }
    }
}

fn request_facts(req: &AccessRequest) -> BTreeMap<String, String> {
    let mut details = BTreeMap::new();
    details.insert("RequestId".to_owned(), req.id.clone());
    details.insert("Service".to_owned(), req.service.clone());
    details.insert("Ticket".to_owned(), req.ticket.clone());
    details.insert("Requester".to_owned(), req.requester_email.clone());
    details
}

/// A stored audit record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// Its id (UUID).
    pub id: String,
    /// Position in the tenant's log, from 1, without gaps.
    pub seq: i64,
    /// When it happened (epoch ms, UTC).
    pub occurred_at: i64,
    /// The record's contents.
    #[serde(flatten)]
    pub record: NewAuditRecord,
}
