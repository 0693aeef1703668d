//! Audit records (SPEC §4): append-only, one per state change, role or
//! setting change, refused attempt and operator action.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::ids::TenantId;
use crate::lifecycle::{AccessRequest, State, Verb, PENDING_LIFETIME_HOURS};
use crate::named_enum;
use crate::roles::CustomerRole;
use crate::validation::ApprovalsRequired;

/// The user shown for the Lockbox service itself: customer decisions and the
/// scheduled sweep (SPEC §4).
pub fn service_account(deployment: &str) -> String {
    format!("lockbox-service@{deployment}")
}

/// The user shown for operations an engineer runs under a grant (SPEC §4):
/// `<Provider> Operator`, the provider's name being configuration.
pub fn operator(provider_name: &str) -> String {
    format!("{} Operator", provider_name.trim())
}

/// A time as people read it in the log: RFC 3339, UTC, to the second.
pub fn utc(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|| ms.to_string())
}

/// `ms` as ISO 8601 UTC with milliseconds, e.g. `2026-11-29T09:00:00.123Z`.
pub fn utc_ms(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_else(|| ms.to_string())
}

/// The activity a transition is recorded under.
pub const fn activity_of(verb: Verb) -> LockboxActivity {
    match verb {
        Verb::Preapprove => LockboxActivity::PreapproveRequest,
        Verb::Reject => LockboxActivity::RejectRequest,
        Verb::Approve | Verb::Deny => LockboxActivity::CustomerDecision,
        Verb::Cancel => LockboxActivity::CancelRequest,
        Verb::Revoke => LockboxActivity::RevokeGrant,
        Verb::Expire => LockboxActivity::ExpireRequest,
        Verb::Complete => LockboxActivity::CompleteGrant,
        Verb::Ratify | Verb::Dispute | Verb::Lapse => LockboxActivity::ReviewEmergency,
    }
}

named_enum! {
    /// What happened. The names are those administrators already search for
    /// in the large clouds' audit logs.
    pub enum LockboxActivity {
        /// An engineer opened an access request.
        NewRequest => "New-AccessToCustomerDataRequest",
        /// A support manager pre-approved a request.
        PreapproveRequest => "PreApprove-AccessToCustomerDataRequest",
        /// A support manager rejected a request.
        RejectRequest => "Reject-AccessToCustomerDataRequest",
        /// The customer approved or denied (details: `ApprovalDecision`).
        CustomerDecision => "Set-AccessToCustomerDataRequest",
        /// The engineer cancelled their request.
        CancelRequest => "Cancel-AccessToCustomerDataRequest",
        /// An approver ended a live grant early.
        RevokeGrant => "Revoke-AccessToCustomerDataRequest",
        /// Nobody decided within 12 hours.
        ExpireRequest => "Expire-AccessToCustomerDataRequest",
        /// A grant ran its course.
        CompleteGrant => "Complete-AccessToCustomerDataRequest",
        /// A grant ended (ran out, revoked, frozen): how many operator
        /// records were written under it, and their digest. Written by the
        /// same write that ends the grant; nothing is recorded under it after.
        EndAccess => "End-CustomerDataAccess",
        /// The customer's verdict on an ended emergency access (Ratified,
        /// Disputed), or its mark when nobody gave one in time
        /// (Unreviewed).
        ReviewEmergency => "Set-EmergencyAccessReview",
        /// The tenant's Customer Lockbox switch changed.
        SetOrganizationConfig => "Set-OrganizationConfig",
        /// A member was added to a customer role (or an attempt was refused).
        AddRoleMember => "Add-RoleMember",
        /// A member was removed from a customer role (or an attempt was refused).
        RemoveRoleMember => "Remove-RoleMember",
        /// A webhook endpoint was added to the tenant's notifications.
        AddWebhookEndpoint => "New-LockboxWebhookEndpoint",
        /// A webhook endpoint was removed from the tenant's notifications.
        RemoveWebhookEndpoint => "Remove-LockboxWebhookEndpoint",
        /// A webhook endpoint's signing secret was replaced.
        RotateWebhookSecret => "Reset-LockboxWebhookEndpointSecret",
    }
}

/// What an audit record is filed under: a step of Lockbox itself, or an
/// operation run under a grant (whose name is the activity).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Activity {
    /// A request, role or setting change.
    Lockbox(LockboxActivity),
    /// An operation a registered provider service recorded before running
    /// it: the name the service registered (checked when it was recorded).
    Provider(String),
}

impl From<LockboxActivity> for Activity {
    fn from(a: LockboxActivity) -> Self {
        Activity::Lockbox(a)
    }
}

impl Activity {
    /// The activity's one name, as stored and searched for.
    pub fn as_str(&self) -> &str {
        match self {
            Activity::Lockbox(a) => a.as_str(),
            Activity::Provider(name) => name,
        }
    }

    /// The activity of a provider service's operation `name`.
    pub fn provider(name: &str) -> Self {
        Activity::Provider(name.to_owned())
    }

    /// The names of Lockbox's own activities (the services' operations are
    /// whatever they registered).
    pub fn names() -> impl Iterator<Item = &'static str> {
        LockboxActivity::ALL.iter().map(|a| a.as_str())
    }

    /// The activity with this name: Lockbox's own, else an operation's
    /// (any other non-empty name is a provider service's operation).
    pub fn parse(s: &str) -> Option<Self> {
        if s.trim().is_empty() {
            return None;
        }
        Some(
            LockboxActivity::parse(s)
                .map(Activity::Lockbox)
                .unwrap_or_else(|| Activity::provider(s)),
        )
    }
}

impl std::fmt::Display for Activity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Activity {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Activity {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Activity::parse(&s).ok_or_else(|| {
            serde::de::Error::invalid_value(serde::de::Unexpected::Str(&s), &"an activity name")
        })
    }
}

impl Activity {
    /// Whether a person at the customer took this action: provider staff
    /// see its decision, time and comment, never who or from where.
    pub const fn is_customer_decision(&self) -> bool {
        matches!(
            self,
            Activity::Lockbox(
                LockboxActivity::CustomerDecision
                    | LockboxActivity::RevokeGrant
                    | LockboxActivity::ReviewEmergency
            )
        )
    }
}

named_enum! {
    /// Whether the recorded attempt took effect.
    pub enum Outcome {
        /// It took effect.
        Succeeded => "Succeeded",
        /// It was refused; the record's details say why.
        Refused => "Refused",
    }
}

/// Detail keys that name a person of the customer.
pub const CUSTOMER_PERSON_KEYS: [&str; 3] = ["Approver", "RevokedBy", "ReviewedBy"];

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
    pub activity: LockboxActivity,
    /// Which role.
    pub role: CustomerRole,
    /// Whose membership.
    pub member_email: &'a str,
    /// Whether it took effect.
    pub outcome: Outcome,
    /// Why it was refused, when it was.
    pub reason: Option<&'a str>,
}

fn true_false(b: bool) -> String {
    if b { "True" } else { "False" }.to_owned()
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
            activity: change.activity.into(),
            item: change.member_email.to_owned(),
            details,
        }
    }

    /// The record of a new request, by the engineer who opened it.
    pub fn request_created(req: &AccessRequest, ip: &str) -> Self {
        let mut details = request_facts(req);
        if let Some(extension) = &req.extends {
            details.insert("Extends".to_owned(), extension.of.as_str().to_owned());
        }
        details.insert("NewState".to_owned(), req.state().as_str().to_owned());
        details.insert("Reason".to_owned(), req.reason.as_str().to_owned());
        details.insert(
            "DurationMinutes".to_owned(),
            req.duration.minutes().to_string(),
        );
        if let Some(at) = req.deadline() {
            details.insert("PendingExpiresAt".to_owned(), utc(at));
        }
        if let Some(asked) = &req.operations {
            details.insert("RequestedOperations".to_owned(), asked.joined());
        }
        Self {
            tenant_id: req.tenant_id.clone(),
            ip: ip.to_owned(),
            user: req.requester.email.clone(),
            activity: LockboxActivity::NewRequest.into(),
            item: req.id.as_str().to_owned(),
            details,
        }
    }

    /// The record of one transition `verb` from `before` to `after`: by the
    /// person whose decision it was, or by the Lockbox service when a
    /// deadline passed. Customer decisions show the service account as user
    /// and the approver in the details, as the large clouds' logs do.
    pub fn transition(
        verb: Verb,
        before: &AccessRequest,
        after: &AccessRequest,
        ip: &str,
        service_account: &str,
    ) -> Self {
        let mut details = request_facts(after);
        details.insert(
            "PreviousState".to_owned(),
            before.state().as_str().to_owned(),
        );
        details.insert("NewState".to_owned(), after.state().as_str().to_owned());
        let decision = after.decision_by(verb);
        if let Some(comment) = decision.and_then(|d| d.comment.as_ref()) {
            details.insert("Comment".to_owned(), comment.as_str().to_owned());
        }
        let actor_email = decision.map(|d| d.by.email.clone());
        let mut user = actor_email
            .clone()
            .unwrap_or_else(|| service_account.to_owned());
        match verb {
            Verb::Approve | Verb::Deny => {
                user = service_account.to_owned();
                let decision = if verb == Verb::Approve {
                    "Approve"
                } else {
                    "Deny"
                };
                details.insert("ApprovalDecision".to_owned(), decision.to_owned());
                details.insert("Approver".to_owned(), actor_email.unwrap_or_default());
                details.entry("Comment".to_owned()).or_default();
                if verb == Verb::Approve {
                    // Each person's approval is its own record; the last
                    // one needed moves the request to Approved.
                    let approvals = &after.approvals;
                    details.insert(
                        "ApprovalsSoFar".to_owned(),
                        approvals.given.len().to_string(),
                    );
                    details.insert(
                        "ApprovalsRequired".to_owned(),
                        approvals.required.count().to_string(),
                    );
                    if let Some(minutes) = approvals.given.last().and_then(|c| c.granted) {
                        details.insert("GrantedMinutes".to_owned(), minutes.minutes().to_string());
                    }
                    operations_granted(&mut details, after);
                }
            }
            Verb::Revoke => {
                user = service_account.to_owned();
                details.insert("RevokedBy".to_owned(), actor_email.unwrap_or_default());
            }
            Verb::Preapprove if after.emergency.is_some() => {
                // Emergency access: two managers, then the grant at once.
                let managers: Vec<&str> = crate::emergency::managers(after)
                    .map(|m| m.email.as_str())
                    .collect();
                details.insert("Manager".to_owned(), actor_email.unwrap_or_default());
                details.insert("ManagersSoFar".to_owned(), managers.len().to_string());
                details.insert(
                    "ManagersRequired".to_owned(),
                    after.approvals.required.count().to_string(),
                );
                details.insert("CustomerApprovalRequired".to_owned(), true_false(false));
                details.insert("Reason".to_owned(), after.reason.as_str().to_owned());
                if after.grant().is_some() {
                    details.insert("Managers".to_owned(), managers.join(", "));
                    operations_granted(&mut details, after);
                    details.insert(
                        "Note".to_owned(),
                        "Emergency access: granted by two support managers without the customer's \
                         approval; the customer reviews it once it ends."
                            .to_owned(),
                    );
                }
            }
            Verb::Preapprove => {
                details.insert("Manager".to_owned(), actor_email.unwrap_or_default());
                let required = after.customer_approval_required().unwrap_or(true);
                details.insert("CustomerApprovalRequired".to_owned(), true_false(required));
                if !required {
                    operations_granted(&mut details, after);
                    details.insert(
                        "Note".to_owned(),
                        "Granted without customer approval because Customer Lockbox is off for this tenant.".to_owned(),
                    );
                }
                if let Some(at) = after.pending_until().filter(|_| required) {
                    details.insert("PendingExpiresAt".to_owned(), utc(at));
                }
            }
            Verb::Expire => {
                let step = if before.preapproval().is_some() {
                    "the customer"
                } else {
                    "a support manager"
                };
                details.insert(
                    "Note".to_owned(),
                    format!("Nobody at {step} decided within {PENDING_LIFETIME_HOURS} hours."),
                );
            }
            Verb::Ratify | Verb::Dispute | Verb::Lapse => {
                user = service_account.to_owned();
                if let Some(review) = after.emergency.as_ref().and_then(|e| e.review.as_ref()) {
                    details.insert("Verdict".to_owned(), review.verdict.as_str().to_owned());
                    if let Some(by) = &review.by {
                        details.insert("ReviewedBy".to_owned(), by.email.clone());
                    }
                    if let Some(comment) = &review.comment {
                        details.insert("Comment".to_owned(), comment.as_str().to_owned());
                    }
                    if verb == Verb::Lapse {
                        details.insert(
                            "Note".to_owned(),
                            "Nobody at the customer reviewed this emergency access within 7 days \
                             of its end."
                                .to_owned(),
                        );
                    }
                }
            }
            Verb::Reject | Verb::Cancel | Verb::Complete => {}
        }
        if let (Some(grant), None) = (after.grant(), before.grant()) {
            details.insert("GrantStartsAt".to_owned(), utc(grant.starts_at));
            details.insert("GrantEndsAt".to_owned(), utc(grant.ends_at));
            // What was granted, which an approver may make shorter than
            // what was asked.
            details.insert("GrantedMinutes".to_owned(), grant.minutes().to_string());
            details.insert(
                "DurationMinutes".to_owned(),
                after.duration.minutes().to_string(),
            );
        }
        if let Some(ending) = after.ending() {
            details.insert("EndedAt".to_owned(), utc(ending.at));
        }
        Self {
            tenant_id: after.tenant_id.clone(),
            ip: ip.to_owned(),
            user,
            activity: activity_of(verb).into(),
            item: after.id.as_str().to_owned(),
            details,
        }
    }

    /// The record of a refused call of an operation: by the person who
    /// tried (no grant stands behind it), with why it was refused. When the
    /// call named a request of the caller's (the grant page names its
    /// own), `RequestId` and `Ticket` tie the refusal to it, so it shows
    /// with that request's actions.
    pub fn operation_refused(
        tenant_id: TenantId,
        call: (&str, &str, BTreeMap<String, String>),
        service: &str,
        caller: &str,
        ip: &str,
        reason: &str,
        named: Option<&AccessRequest>,
    ) -> Self {
        let (operation, item, mut details) = call;
        if let Some(request) = named {
            details.insert("RequestId".to_owned(), request.id.as_str().to_owned());
            details.insert("Ticket".to_owned(), request.ticket.as_str().to_owned());
        }
        details.insert("Engineer".to_owned(), caller.to_owned());
        details.insert("Service".to_owned(), service.to_owned());
        details.insert("Outcome".to_owned(), Outcome::Refused.as_str().to_owned());
        details.insert("Reason".to_owned(), reason.to_owned());
        Self {
            tenant_id,
            ip: ip.to_owned(),
            user: caller.to_owned(),
            activity: Activity::provider(operation),
            item: item.to_owned(),
            details,
        }
    }

    /// The record of a webhook endpoint added or removed (`activity`).
    pub fn webhook_endpoint(
        tenant_id: TenantId,
        ip: &str,
        actor_email: &str,
        activity: LockboxActivity,
        endpoint: (&str, &str, &str),
    ) -> Self {
        let (id, url, events) = endpoint;
        let mut details = BTreeMap::new();
        details.insert("EndpointId".to_owned(), id.to_owned());
        details.insert("Url".to_owned(), url.to_owned());
        details.insert("Events".to_owned(), events.to_owned());
        Self {
            tenant_id,
            ip: ip.to_owned(),
            user: actor_email.to_owned(),
            activity: activity.into(),
            item: id.to_owned(),
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
        details.insert("CustomerLockboxEnabled".to_owned(), true_false(enabled));
        Self::organization_config(tenant_id, ip, actor_email, details)
    }

    /// A change of the tenant's configuration (`Set-OrganizationConfig`)
    /// by `actor_email`, saying what changed in `details`.
    fn organization_config(
        tenant_id: TenantId,
        ip: &str,
        actor_email: &str,
        details: BTreeMap<String, String>,
    ) -> Self {
        Self {
            tenant_id,
            ip: ip.to_owned(),
            user: actor_email.to_owned(),
            activity: LockboxActivity::SetOrganizationConfig.into(),
            item: String::new(),
            details,
        }
    }

    /// The record of a change of how many approvals a request needs.
    pub fn approvals_required(
        tenant_id: TenantId,
        ip: &str,
        actor_email: &str,
        required: ApprovalsRequired,
    ) -> Self {
        let mut details = BTreeMap::new();
        details.insert(
            "CustomerLockboxApprovalsRequired".to_owned(),
            required.count().to_string(),
        );
        details.insert(
            "Note".to_owned(),
            "Requests already waiting for the customer keep the number they had.".to_owned(),
        );
        Self::organization_config(tenant_id, ip, actor_email, details)
    }

    /// The record of a change of the tenant's default language (its tag,
    /// `en` or `it`: a value, never translated).
    pub fn default_language(
        tenant_id: TenantId,
        ip: &str,
        actor_email: &str,
        language: crate::i18n::Lang,
    ) -> Self {
        let mut details = BTreeMap::new();
        details.insert("DefaultLanguage".to_owned(), language.as_str().to_owned());
        Self::organization_config(tenant_id, ip, actor_email, details)
    }

    /// The record of a change of the tenant's choices about emergency
    /// access.
    pub fn emergency_setting(
        tenant_id: TenantId,
        ip: &str,
        actor_email: &str,
        policy: crate::emergency::Policy,
    ) -> Self {
        let mut details = BTreeMap::new();
        details.insert(
            "EmergencyAccessAllowed".to_owned(),
            true_false(policy.allowed),
        );
        details.insert(
            "EmergencyContentAllowed".to_owned(),
            true_false(policy.content),
        );
        details.insert(
            "DisputeFreezesTenant".to_owned(),
            true_false(policy.dispute_freezes),
        );
        Self::organization_config(tenant_id, ip, actor_email, details)
    }

    /// The record of a freeze (`frozen`, with the reason) or of its lift.
    pub fn freeze(
        tenant_id: TenantId,
        ip: &str,
        actor_email: &str,
        frozen: bool,
        reason: Option<&str>,
    ) -> Self {
        let mut details = BTreeMap::new();
        details.insert("CustomerLockboxFrozen".to_owned(), true_false(frozen));
        if let Some(reason) = reason {
            details.insert("Reason".to_owned(), reason.to_owned());
        }
        if frozen {
            details.insert(
                "Note".to_owned(),
                "Every live grant is revoked and every request pending for the customer is denied; \
                 none can be pre-approved or approved until the freeze is lifted."
                    .to_owned(),
            );
        }
        Self::organization_config(tenant_id, ip, actor_email, details)
    }
}

fn request_facts(req: &AccessRequest) -> BTreeMap<String, String> {
    let mut details = BTreeMap::new();
    details.insert("RequestId".to_owned(), req.id.as_str().to_owned());
    details.insert("Service".to_owned(), req.service.as_str().to_owned());
    details.insert("Ticket".to_owned(), req.ticket.as_str().to_owned());
    details.insert("Requester".to_owned(), req.requester.email.clone());
    if let Some(emergency) = &req.emergency {
        details.insert(
            "EmergencyIncident".to_owned(),
            emergency.incident.as_str().to_owned(),
        );
    }
    details
}

/// A stored audit record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// Its id: `<request id>/<state entered>` for a request's state change
    /// (so a change cannot be recorded twice), a UUID otherwise.
    pub id: String,
    /// Position in the tenant's log, from 1, without gaps.
    pub seq: i64,
    /// When it happened (epoch ms, UTC).
    pub occurred_at: i64,
    /// The record's contents.
    #[serde(flatten)]
    pub record: NewAuditRecord,
}

impl AuditRecord {
    /// The record as provider staff may see it: a customer person's
    /// decision keeps its outcome, time and comment, but not who made it
    /// or from which address.
    pub fn for_provider(mut self) -> Self {
        if self.record.activity.is_customer_decision() {
            self.record.ip = String::new();
            for key in CUSTOMER_PERSON_KEYS {
                self.record.details.remove(key);
            }
        }
        self
    }
}

/// An approval's operations: those asked for, and those the grant allows
/// with it (what every approver so far allowed); a request from before
/// requests named operations has neither.
fn operations_granted(details: &mut BTreeMap<String, String>, after: &AccessRequest) {
    if let (Some(asked), Some(allowed)) = (&after.operations, after.allowed_operations()) {
        details.insert("RequestedOperations".to_owned(), asked.joined());
        details.insert("GrantedOperations".to_owned(), allowed.join(", "));
    }
}

// What a grant's operator records add up to, once it has ended.

/// When a grant that ended is over: its planned end, or the revocation
/// when that came first.
pub fn ended_window(request: &AccessRequest) -> Option<(i64, i64, i64)> {
    let grant = request.grant()?;
    let at = request.ending().map_or(grant.ends_at, |e| e.at);
    Some((grant.starts_at, grant.ends_at, at.min(grant.ends_at)))
}

/// Whole minutes of access used from `starts_at` to `ended_at`, a begun
/// minute counted (none when it ended before it started).
pub fn minutes_used(starts_at: i64, ended_at: i64) -> i64 {
    let ms = (ended_at - starts_at).max(0);
    (ms + 59_999) / 60_000
}

/// Operator records under a grant, counted per operation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationTotal {
    pub operation: String,
    pub succeeded: u32,
    pub refused: u32,
}

/// What `actions` add up to, per operation in name order.
pub fn totals(actions: &[AuditRecord]) -> Vec<OperationTotal> {
    let mut by: BTreeMap<&str, OperationTotal> = BTreeMap::new();
    for action in actions {
        let name = action.record.activity.as_str();
        let total = by.entry(name).or_insert_with(|| OperationTotal {
            operation: name.to_owned(),
            ..OperationTotal::default()
        });
        if is_refused(action) {
            total.refused += 1;
        } else {
            total.succeeded += 1;
        }
    }
    by.into_values().collect()
}

pub fn is_refused(record: &AuditRecord) -> bool {
    record.record.details.get("Outcome").map(String::as_str) == Some(Outcome::Refused.as_str())
}

/// A summary of an ended grant, as the end record and its actions state
/// it: what the summary e-mail says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndSummary {
    pub ended: State,
    pub ended_at: i64,
    pub minutes_used: i64,
    pub minutes_granted: i64,
    pub totals: Vec<OperationTotal>,
}

impl EndSummary {
    /// The summary of `after` (a grant the step ended) over `actions`.
    pub fn of(after: &AccessRequest, actions: &[AuditRecord]) -> Option<Self> {
        let (starts_at, ends_at, at) = ended_window(after)?;
        Some(Self {
            ended: after.state(),
            ended_at: at,
            minutes_used: minutes_used(starts_at, at),
            minutes_granted: (ends_at - starts_at) / 60_000,
            totals: totals(actions),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_activity_name_round_trips() {
        for activity in LockboxActivity::ALL.iter().copied() {
            let json = serde_json::to_value(activity).expect("serialises");
            assert_eq!(json, activity.as_str());
            assert_eq!(
                serde_json::from_value::<Activity>(json).expect("parses"),
                Activity::Lockbox(activity)
            );
        }
        assert_eq!(LockboxActivity::ALL.len(), 16);
        assert_eq!(
            Activity::parse("Get-Mailbox"),
            Some(Activity::Provider("Get-Mailbox".into()))
        );
    }

    #[test]
    fn provider_staff_never_see_who_at_the_customer_decided_or_from_where() {
        let mut details = BTreeMap::new();
        details.insert(
            "Approver".to_owned(),
            "approver1@contoso.example".to_owned(),
        );
        details.insert("ApprovalDecision".to_owned(), "Approve".to_owned());
        details.insert("Comment".to_owned(), "ok".to_owned());
        let record = AuditRecord {
            id: "x".into(),
            seq: 1,
            occurred_at: 0,
            record: NewAuditRecord {
                tenant_id: TenantId::parse("7c0a8f4e-5a1b-4c3d-9e2f-000000000001").expect("valid"),
                ip: "203.0.113.9".into(),
                user: "lockbox-service@x".into(),
                activity: LockboxActivity::CustomerDecision.into(),
                item: String::new(),
                details,
            },
        };
        let seen = record.for_provider();
        assert_eq!(seen.record.ip, "");
        assert!(!seen.record.details.contains_key("Approver"));
        assert_eq!(seen.record.details["ApprovalDecision"], "Approve");
        assert_eq!(seen.record.details["Comment"], "ok");
    }
}
