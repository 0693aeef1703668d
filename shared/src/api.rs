//! Request and response bodies of the HTTP API under `/api/v1`.

use serde::{Deserialize, Serialize};

use crate::audit::AuditRecord;
use crate::i18n::Lang;
use crate::ids::{RequestId, TenantId, UserId};
use crate::lifecycle::{effective_state, AccessRequest, Deadline, State};
use crate::roles::{CustomerRole, Principal};
use crate::validation::{ApprovalsRequired, GrantDuration};

/// The prefix every API route lives under.
pub const API_PREFIX: &str = "/api/v1";
/// The most requests one page of a listing holds.
pub const MAX_REQUESTS_PAGE: i64 = 200;
/// The page size of a listing when none is asked for: a screenful and more
/// on a phone, quick to read and send; older requests come page by page.
pub const DEFAULT_REQUESTS_PAGE: i64 = 50;
/// The most audit records one page of a search holds.
pub const MAX_AUDIT_PAGE: i64 = 500;
/// The audit page size when none is asked for.
pub const DEFAULT_AUDIT_PAGE: i64 = 100;
/// The most values one list filter of an audit search takes.
pub const MAX_FILTER_VALUES: usize = 50;
/// The most characters of a text filter (`user_contains`, …) of a search.
pub const MAX_FILTER_TEXT: usize = 200;
/// The most records one export holds (narrow the search for more): at
/// [`EXPORT_PAGE`] records per database query it stays within the 50
/// queries a Worker invocation may make on the free plan.
pub const MAX_EXPORT_RECORDS: i64 = 100_000;
/// How many records an export reads per database query.
pub const EXPORT_PAGE: i64 = 2_500;
/// The columns of the CSV export, in order: the first five as the large
/// clouds' audit exports name them.
pub const CSV_COLUMNS: [&str; 8] = [
    "CreationDate",
    "UserIds",
    "Operations",
    "Item",
    "ClientIP",
    "AuditData",
    "Sequence",
    "Hash",
];

/// Whether the database answered a trivial query when health was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DatabaseStatus {
    /// The database answered.
    Ok,
    /// The database did not answer; the service cannot do useful work.
    Unavailable,
}

/// Body of `GET /api/v1/dev/tenant-objects/{id}` (local development):
/// the tenant's Durable Object, as it answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantObjectStatus {
    pub tenant_id: String,
    /// The migrations it holds (every one there is).
    pub migrations: u32,
    /// How many of them this call applied (all on its first use, then 0).
    pub applied_now: u32,
    /// The size of its SQLite database.
    pub database_bytes: u64,
    /// The requests and audit records it holds (none until the tenant's
    /// data moves in).
    pub requests: u64,
    pub audit_records: u64,
    /// How many of its audit records its tree holds.
    pub sealed: u64,
}

/// Body of `GET /api/v1/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// Always `"lockbox"`, so a probe knows it reached the right service.
    pub service: String,
    /// The version of the Worker that answered.
    pub version: String,
    /// Whether the database answered.
    pub database: DatabaseStatus,
    /// When the scheduled job last ran (epoch milliseconds, UTC), if ever.
    pub last_cron_run_at: Option<i64>,
}

impl Health {
    /// True when every dependency answered.
    pub fn is_healthy(&self) -> bool {
        self.database == DatabaseStatus::Ok
    }
}

/// Body of `GET /api/v1/me`: who the caller is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    /// The caller.
    #[serde(flatten)]
    pub principal: Principal,
    /// Where to send the browser to end the session (Cloudflare Access), or
    /// `None` in local development.
    pub sign_out_url: Option<String>,
    /// The language the person chose for the pages and their e-mails, if
    /// they chose one.
    #[serde(default)]
    pub language: Option<Lang>,
    /// Their organisation's default language (customer people): what their
    /// e-mails are written in while they chose none, and what the pages
    /// show when their browser asks for no language Lockbox speaks.
    #[serde(default)]
    pub tenant_language: Option<Lang>,
}

/// Body of `POST /api/v1/me/language`: the person's own language, or
/// `null` to go back to their browser's (and their organisation's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetOwnLanguage {
    /// `en`, `it`, or `null` (required: checked with [`Lang::chosen`],
    /// so that an unknown one gets a sentence naming the field).
    pub language: Option<String>,
}

/// `GET`/`POST /api/v1/settings/language`: the language of the tenant's
/// people who chose none (their e-mails, and the pages when their browser
/// asks for no language Lockbox speaks), and of its webhooks' text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LanguageSetting {
    /// The tenant.
    pub tenant_id: TenantId,
    /// `en` or `it`.
    pub language: Lang,
}

/// Body of `POST /api/v1/settings/language`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetLanguage {
    /// `en` or `it` (checked with [`Lang::chosen`]).
    pub language: String,
}

/// One holder of a customer role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleHolder {
    /// Their user id.
    pub user_id: UserId,
    /// Their e-mail.
    pub email: String,
    /// Their name.
    pub display_name: String,
    /// Who gave them the role (e-mail), if it was given through Lockbox.
    pub granted_by: Option<String>,
    /// When (epoch ms, UTC).
    pub granted_at: i64,
}

/// One customer role and who holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleMembers {
    /// The role.
    pub role: CustomerRole,
    /// Its name for people.
    pub label: String,
    /// Whether a global admin can assign and remove it here.
    pub assignable: bool,
    /// Who holds it.
    pub holders: Vec<RoleHolder>,
}

/// A person of the tenant (someone a role can be given to).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantMember {
    /// Their user id.
    pub user_id: UserId,
    /// Their e-mail.
    pub email: String,
    /// Their name.
    pub display_name: String,
}

/// Body of `GET /api/v1/roles`: the caller's tenant's roles and people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantRoles {
    /// The tenant.
    pub tenant_id: TenantId,
    /// Its name.
    pub tenant_name: String,
    /// Each customer role with its holders.
    pub roles: Vec<RoleMembers>,
    /// Everyone of the tenant.
    pub members: Vec<TenantMember>,
}

/// Body of `POST /api/v1/roles/assign` and `POST /api/v1/roles/remove`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleAssignment {
    /// The person, by e-mail.
    pub email: String,
    /// The role (`approver` or `auditor`).
    pub role: String,
}

/// One demo identity offered by the local sign-in page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevPerson {
    /// Their e-mail.
    pub email: String,
    /// Their name.
    pub display_name: String,
    /// Their tenant's name, or `None` for provider staff.
    pub tenant_name: Option<String>,
    /// Their roles, for people to read.
    pub roles: Vec<String>,
}

/// Body of `POST /api/v1/dev/sign-in`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevSignIn {
    /// Who to sign in as.
    pub email: String,
}

/// Body of `POST /api/v1/requests`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateAccessRequest {
    /// The tenant whose content is needed (its id).
    pub tenant_id: String,
    /// The service (one of the tenant's, e.g. `mail`).
    pub service: String,
    /// The provider's support ticket number.
    pub ticket: String,
    /// Why access is needed.
    pub reason: String,
    /// How long the grant should last, 1–240 minutes (a whole number; JSON
    /// writes `105` and `105.0` alike).
    #[serde(deserialize_with = "whole_number")]
    pub duration_minutes: u32,
    /// The operations needed, by name: at least one, each an operation of
    /// the service (`GET /api/v1/operations?service=…` lists them).
    pub operations: Vec<String>,
    /// Present for emergency (break-glass) access: two different support
    /// managers pre-approve it, and the grant starts without the
    /// customer's step, who reviews it afterwards. The reason is its
    /// justification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emergency: Option<EmergencyAsk>,
}

/// What an emergency request names besides the request's facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmergencyAsk {
    /// The provider's incident it is for.
    pub incident: String,
}

/// A whole number as JSON Schema's `integer` has it: `105` and `105.0`
/// alike, never `105.5`.
fn whole_number<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: TryFrom<i64>,
{
    use serde::de::Error;
    let n = f64::deserialize(d)?;
    // Integers up to 2^53 are exact in a JSON number.
    const EXACT: f64 = 9_007_199_254_740_992.0;
    if n.fract() != 0.0 || !(-EXACT..=EXACT).contains(&n) {
        return Err(D::Error::custom(format!(
            "expected a whole number, not {n}"
        )));
    }
    T::try_from(n as i64).map_err(|_| D::Error::custom(format!("{n} is out of range")))
}

/// [`whole_number`], for a field that may be absent or null.
fn optional_whole_number<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: TryFrom<i64>,
{
    #[derive(Deserialize)]
    struct Whole<T: TryFrom<i64>>(#[serde(deserialize_with = "whole_number")] T);
    Ok(Option::<Whole<T>>::deserialize(d)?.map(|Whole(n)| n))
}

/// Body of the decision calls (`preapprove`, `reject`, `approve`, `deny`,
/// `cancel`, `revoke`): an optional comment; for `approve`, optionally a
/// shorter grant than was asked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionBody {
    /// Why, in the decider's words.
    #[serde(default)]
    pub comment: Option<String>,
    /// `approve` only: grant this many minutes, from 1 up to what was
    /// asked (default: what was asked); a whole number, `105.0` too.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "optional_whole_number"
    )]
    pub duration_minutes: Option<u32>,
    /// `approve` only: allow these of the operations asked for (default:
    /// all of them); never an empty list (deny instead).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operations: Option<Vec<String>>,
}

/// Who is looking at a request: provider staff learn the customer's
/// decision, its time and comment, never which customer person decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// A person of the request's tenant.
    Customer,
    /// Provider staff.
    Provider,
}

impl Audience {
    /// Its name in signed receipts and reports (`audience`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Audience::Customer => "customer",
            Audience::Provider => "provider",
        }
    }
}

/// An access request as the API shows it: its facts, each decision, and its
/// state as of the moment of the answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestView {
    /// Its id.
    pub id: RequestId,
    /// The tenant whose content it opens.
    pub tenant_id: TenantId,
    /// The tenant's name.
    pub tenant_name: String,
    /// The service whose content it opens.
    pub service: String,
    /// The provider's support ticket.
    pub ticket: String,
    /// Why access is needed.
    pub reason: String,
    /// How long the grant lasts once it starts.
    pub duration_minutes: u32,
    /// The operations asked for, by name; absent on a request from before
    /// requests named them (its grant allows every operation of the
    /// service).
    #[serde(default)]
    pub operations: Option<Vec<String>>,
    /// Which of them read content (a message's body, a file's bytes), as
    /// the services registered them when it was asked; the rest read
    /// metadata.
    #[serde(default)]
    pub content_operations: Vec<String>,
    /// The operations the grant allows: those asked for that every
    /// approver allowed (absent as `operations` is).
    #[serde(default)]
    pub allowed_operations: Option<Vec<String>>,
    /// Who asked (an engineer).
    pub requester_id: UserId,
    /// Their e-mail.
    pub requester_email: String,
    /// When it was created (epoch ms, UTC).
    pub created_at: i64,
    /// Where it stands, as stored.
    pub state: State,
    /// Its state now (an overdue pending request is Expired, an overdue
    /// grant Completed, before the scheduled job writes it).
    pub effective_state: State,
    /// The manager who pre-approved or rejected it.
    pub manager_email: Option<String>,
    /// When the manager decided.
    pub manager_decided_at: Option<i64>,
    /// The manager's comment.
    pub manager_comment: Option<String>,
    /// Whether customer approval was required (the tenant's Lockbox switch
    /// when the manager pre-approved).
    pub lockbox_required: Option<bool>,
    /// When the pending step (manager's, then customer's) expires or would
    /// have expired.
    pub pending_expires_at: Option<i64>,
    /// Who at the customer approved or denied: shown to the customer only.
    pub customer_email: Option<String>,
    /// When the customer decided.
    pub customer_decided_at: Option<i64>,
    /// The customer's comment.
    pub customer_comment: Option<String>,
    /// When the grant started.
    pub grant_starts_at: Option<i64>,
    /// When the grant ends (set when it starts; never recomputed).
    pub grant_ends_at: Option<i64>,
    /// When it reached a terminal state.
    pub ended_at: Option<i64>,
    /// Who ended it (the requester who cancelled, the approver who revoked:
    /// the latter shown to the customer only).
    pub ended_by: Option<String>,
    /// Why, in the words of whoever ended it.
    pub end_comment: Option<String>,
    /// How many people at the customer must approve (from pre-approval
    /// on, with Lockbox on).
    #[serde(default)]
    pub approvals_required: Option<u8>,
    /// The approvals given so far, in order.
    #[serde(default)]
    pub approvals: Vec<ApprovalView>,
    /// The request whose grant this one extends.
    #[serde(default)]
    pub extends: Option<RequestId>,
    /// When the grant it extends ends (an extension approved before then
    /// starts there).
    #[serde(default)]
    pub continues_at: Option<i64>,
    /// For emergency (break-glass) access: its incident, managers and the
    /// customer's review.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emergency: Option<EmergencyView>,
}

/// What makes a request emergency access, as the pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmergencyView {
    /// The provider's incident.
    pub incident: String,
    /// The support managers who pre-approved it, in order (two once
    /// granted).
    pub managers: Vec<String>,
    /// `Ratified`, `Disputed` or `Unreviewed`, once given or lapsed.
    pub verdict: Option<String>,
    /// When the verdict was given (or the review lapsed).
    pub reviewed_at: Option<i64>,
    /// Who gave it (the customer's side only).
    pub reviewed_by: Option<String>,
    /// Why (a dispute's comment).
    pub review_comment: Option<String>,
    /// Until when the customer may review it, once its grant has ended and
    /// while no verdict is given.
    pub review_due_at: Option<i64>,
}

impl RequestView {
    /// The view of `req` for `audience` as of `now`.
    pub fn of(req: &AccessRequest, tenant_name: &str, audience: Audience, now: i64) -> Self {
        let customer = audience == Audience::Customer;
        let manager = req.manager_decision();
        let decision = req.customer_decision();
        let ending = req.ending();
        let grant = req.grant();
        // Rejections and denials are the manager's and the customer's
        // decisions, shown in their own fields; `ended_by` is for the
        // requester who cancelled and the approver who revoked.
        let ender_is_customer = req.state() == State::Revoked;
        let ended_by_person = matches!(req.state(), State::Cancelled | State::Revoked);
        Self {
            id: req.id.clone(),
            tenant_id: req.tenant_id.clone(),
            tenant_name: tenant_name.to_owned(),
            service: req.service.as_str().to_owned(),
            ticket: req.ticket.as_str().to_owned(),
            reason: req.reason.as_str().to_owned(),
            duration_minutes: req.duration.minutes(),
            operations: req.operations.as_ref().map(|ops| ops.names().to_vec()),
            content_operations: req.reads_content.clone(),
            allowed_operations: req.allowed_operations(),
            requester_id: req.requester.user_id.clone(),
            requester_email: req.requester.email.clone(),
            created_at: req.created_at,
            state: req.state(),
            effective_state: req.effective_state(now),
            manager_email: manager.map(|d| d.by.email.clone()),
            manager_decided_at: manager.map(|d| d.at),
            manager_comment: manager
                .and_then(|d| d.comment.as_ref().map(|c| c.as_str().to_owned())),
            lockbox_required: req.customer_approval_required(),
            pending_expires_at: req.pending_until(),
            customer_email: decision.filter(|_| customer).map(|d| d.by.email.clone()),
            customer_decided_at: decision.map(|d| d.at),
            customer_comment: decision
                .and_then(|d| d.comment.as_ref().map(|c| c.as_str().to_owned())),
            grant_starts_at: grant.map(|g| g.starts_at),
            grant_ends_at: grant.map(|g| g.ends_at),
            ended_at: ending.map(|e| e.at),
            ended_by: ending
                .and_then(|e| e.by)
                .filter(|_| ended_by_person && (customer || !ender_is_customer))
                .map(|a| a.email.clone()),
            end_comment: ending
                .filter(|_| ended_by_person)
                .and_then(|e| e.comment.map(|c| c.as_str().to_owned())),
            approvals_required: req
                .customer_approval_required()
                .filter(|required| *required)
                .map(|_| u8::from(req.approvals.required)),
            // An emergency's approvals are its managers' (below).
            approvals: req
                .approvals
                .given
                .iter()
                .filter(|_| req.emergency.is_none())
                .map(|c| ApprovalView {
                    email: Some(c.decision.by.email.clone()).filter(|_| customer),
                    at: c.decision.at,
                    comment: c.decision.comment.as_ref().map(|c| c.as_str().to_owned()),
                    granted_minutes: c.granted.map(GrantDuration::minutes),
                    operations: c.operations.as_ref().map(|ops| ops.names().to_vec()),
                })
                .collect(),
            extends: req.extends.as_ref().map(|e| e.of.clone()),
            continues_at: req.extends.as_ref().map(|e| e.continues_at),
            emergency: req.emergency.as_ref().map(|e| {
                let review = e.review.as_ref();
                EmergencyView {
                    incident: e.incident.as_str().to_owned(),
                    managers: crate::emergency::managers(req)
                        .map(|m| m.email.clone())
                        .collect(),
                    verdict: review.map(|r| r.verdict.as_str().to_owned()),
                    reviewed_at: review.map(|r| r.at),
                    reviewed_by: review
                        .and_then(|r| r.by.as_ref())
                        .filter(|_| customer)
                        .map(|a| a.email.clone()),
                    review_comment: review
                        .and_then(|r| r.comment.as_ref())
                        .map(|c| c.as_str().to_owned()),
                    review_due_at: crate::emergency::review_due(req, now),
                }
            }),
        }
    }

    /// Whether the person signed in as `email` has approved it (known to
    /// the customer's side only, which sees who approved).
    pub fn approved_by(&self, email: &str) -> bool {
        self.approvals
            .iter()
            .any(|a| a.email.as_deref() == Some(email))
    }

    /// The deadline of the stored state, if it has one.
    pub fn deadline(&self) -> Option<i64> {
        // Which stored time is the deadline comes from the one table.
        match self.state.deadline_rule()?.deadline {
            Deadline::PendingExpiry => self.pending_expires_at,
            Deadline::GrantEnd => self.grant_ends_at,
        }
    }

    /// The state as of `now`, by the one rule ([`effective_state`]).
    pub fn effective_state_at(&self, now: i64) -> State {
        effective_state(self.state, self.deadline(), now)
    }
}

/// One page of a listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestPage {
    /// Newest first.
    pub items: Vec<RequestView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// `GET /api/v1/requests/{id}`: the request and every audit record of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestDetail {
    /// The request.
    #[serde(flatten)]
    pub view: RequestView,
    /// Its audit records, oldest first.
    pub history: Vec<AuditRecord>,
    /// The requests that extend it, oldest first.
    #[serde(default)]
    pub extensions: Vec<RequestId>,
    /// The operator actions recorded under its grant, refused ones too,
    /// oldest first: the newest [`MAX_REQUEST_ACTIONS`] of them.
    #[serde(default)]
    pub actions: Vec<AuditRecord>,
    /// For a request of a chain (a grant and its extensions, in turn):
    /// every member the reader may see, oldest first, this one included;
    /// empty for a request no extension is linked to.
    #[serde(default)]
    pub chain: Vec<RequestView>,
}

/// At most this many operator actions come with a request
/// ([`RequestDetail::actions`]); the audit search has them all.
pub const MAX_REQUEST_ACTIONS: i64 = 200;

/// `GET /api/v1/access/check`: does the caller hold a live grant now?
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessCheck {
    /// The tenant asked about.
    pub tenant_id: TenantId,
    /// The service asked about.
    pub service: String,
    /// True only while `checked_at < ends_at` of a live grant.
    pub access: bool,
    /// The grant's request, when there is one.
    pub request_id: Option<RequestId>,
    /// When that grant ends (epoch ms).
    pub ends_at: Option<i64>,
    /// The operations that grant allows (absent: every operation of the
    /// service, for a grant from before requests named them).
    #[serde(default)]
    pub operations: Option<Vec<String>>,
    /// The moment the answer is for (epoch ms).
    pub checked_at: i64,
}

/// The tenant's Customer Lockbox switch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockboxSetting {
    /// The tenant.
    pub tenant_id: TenantId,
    /// Its name.
    pub tenant_name: String,
    /// "Require approval for all data access requests".
    pub enabled: bool,
    /// Who last changed it (e-mail), if anyone did through Lockbox.
    pub changed_by: Option<String>,
    /// When (epoch ms).
    pub changed_at: Option<i64>,
}

/// Body of `POST /api/v1/settings/lockbox`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetLockboxSetting {
    /// On or off.
    pub enabled: bool,
}

/// The tenant's freeze ("Revoke all access now").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FreezeSetting {
    /// The tenant.
    pub tenant_id: TenantId,
    /// Whether it is frozen: no grant opens its content, no request of it
    /// can be pre-approved or approved.
    pub frozen: bool,
    /// Since when (epoch ms), while frozen.
    pub frozen_at: Option<i64>,
    /// Who froze it (e-mail), while frozen.
    pub frozen_by: Option<String>,
    /// Why, in their words, while frozen.
    pub reason: Option<String>,
    /// What freezing just ended (0 on a read or a lift).
    #[serde(default)]
    pub revoked: u32,
    #[serde(default)]
    pub denied: u32,
}

/// Body of `POST /api/v1/settings/freeze`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetFreeze {
    /// Freeze (`true`) or lift the freeze.
    pub frozen: bool,
    /// Why (required to freeze; at most 1000 characters).
    #[serde(default)]
    pub reason: Option<String>,
}

/// `GET`/`POST /api/v1/settings/approvals`: how many distinct people at
/// the customer must approve a request (a request keeps the number in force
/// when it became pending for the customer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalsSetting {
    /// The tenant.
    pub tenant_id: TenantId,
    /// 1 to 3.
    pub required: ApprovalsRequired,
    /// How many distinct people of the tenant may approve now (its global
    /// admins and Lockbox access approvers): more approvals than this
    /// could never be given, so the setting refuses them.
    pub able_to_approve: u32,
}

/// Body of `POST /api/v1/settings/approvals`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetApprovals {
    /// 1 to 3.
    pub required: i64,
}

/// A tenant's choices about emergency (break-glass) access: `GET` and
/// `POST /api/v1/settings/emergency`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmergencySetting {
    /// The tenant.
    pub tenant_id: TenantId,
    /// Emergency access allowed, reviewed afterwards (the default), or off.
    pub allowed: bool,
    /// Emergency grants may include operations that read content.
    pub content: bool,
    /// A dispute also freezes the tenant ("Revoke all access now").
    pub dispute_freezes: bool,
}

/// Body of `POST /api/v1/settings/emergency`: every choice, as it should be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetEmergency {
    pub allowed: bool,
    pub content: bool,
    pub dispute_freezes: bool,
}

/// Body of `POST /api/v1/requests/{id}/extend`: more time after a grant,
/// asked for as a new request through the same approvals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtendBody {
    /// How many more minutes (a whole number, `105.0` too).
    #[serde(deserialize_with = "whole_number")]
    pub minutes: u32,
    /// Why more time is needed.
    pub reason: String,
    /// The operations needed from here on, all allowed by the grant it
    /// extends (default: what that grant allows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operations: Option<Vec<String>>,
}

/// One customer person's approval as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalView {
    /// Who approved: shown to the customer only.
    pub email: Option<String>,
    /// When.
    pub at: i64,
    /// Their comment.
    pub comment: Option<String>,
    /// What they granted, when less than asked.
    pub granted_minutes: Option<u32>,
    /// The operations they allowed, when fewer than were asked.
    #[serde(default)]
    pub operations: Option<Vec<String>>,
}

/// A tenant as provider staff see it when opening a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantSummary {
    /// Its id.
    pub id: TenantId,
    /// Its name.
    pub name: String,
    /// Its services.
    pub services: Vec<String>,
}

/// What one run of the scheduled sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepOutcome {
    /// Pending requests moved to Expired.
    pub expired: u64,
    /// Grants moved to Completed.
    pub completed: u64,
    /// Whether due rows were left for the next run (the run's bound was hit).
    pub more_due: bool,
}

/// What one delivery pass of the outbox did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryOutcome {
    /// Messages delivered.
    pub delivered: u64,
    /// Messages whose attempt failed and that will be tried again.
    pub retrying: u64,
    /// Messages given up on (too many attempts, or an endpoint removed).
    pub failed: u64,
}

/// One message of the outbox, as a tenant's global admins (and, locally,
/// developers) see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    /// The message's id: also the idempotency key (`webhook-id`).
    pub id: String,
    /// `email` or `webhook`.
    pub channel: String,
    /// The e-mail address, or the webhook endpoint's id.
    pub recipient: String,
    /// The request it concerns, if any.
    pub request_id: Option<String>,
    /// `NoticeKind` or `WebhookEvent` name.
    pub kind: String,
    /// The subject (the event's name for a webhook).
    pub subject: String,
    /// The text (the JSON for a webhook).
    pub body: String,
    /// When it was written (epoch ms).
    pub created_at: i64,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    /// Attempts so far.
    pub attempts: i64,
    /// When it is tried next, while pending (epoch ms).
    pub next_attempt_at: i64,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// The webhook receiver's last HTTP status.
    pub last_status: Option<i64>,
    /// When it was delivered (epoch ms).
    pub delivered_at: Option<i64>,
    /// Local development only: how often the mail sink received it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sink_deliveries: Option<i64>,
}

/// `GET /api/v1/dev/outbox`: the newest messages (local development).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevOutbox {
    /// Newest first.
    pub items: Vec<Delivery>,
}

/// A tenant's webhook endpoint with its delivery log (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookEndpoint {
    /// Its id.
    pub id: String,
    /// Where deliveries go.
    pub url: String,
    /// The events it receives (`notify::WebhookEvent` names).
    pub events: Vec<String>,
    /// Who added it.
    pub created_by: String,
    /// When (epoch ms).
    pub created_at: i64,
    /// Messages delivered.
    pub delivered: i64,
    /// Messages waiting for an attempt.
    pub pending: i64,
    /// Messages given up on.
    pub failed: i64,
    /// The status of the last message attempted.
    pub last_attempt_status: Option<String>,
    /// The receiver's last HTTP status.
    pub last_status: Option<i64>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When the last attempt was made or is due (epoch ms).
    pub last_attempt_at: Option<i64>,
}

/// `POST /api/v1/settings/notifications/webhooks`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewWebhookEndpoint {
    /// `https://…` (in local development also `http://127.0.0.1:…`).
    pub url: String,
    /// The events to receive; every event when empty.
    #[serde(default)]
    pub events: Vec<String>,
}

/// The answer to adding an endpoint: the only time its secret is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedWebhookEndpoint {
    /// The endpoint.
    pub endpoint: WebhookEndpoint,
    /// `whsec_<base64>`: verify each delivery's `webhook-signature` with it.
    pub secret: String,
    /// The secret's id, as each delivery's `lockbox-webhook-secret-ids`
    /// names the secrets that signed it.
    pub secret_id: String,
}

/// The answer to replacing an endpoint's secret: the only time the new one
/// is shown. Until `previous_valid_until` each delivery is signed with
/// both (two signatures in `webhook-signature`), so a receiver can switch
/// without missing one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RotatedWebhookSecret {
    /// The endpoint's id.
    pub id: String,
    /// The new `whsec_<base64>`.
    pub secret: String,
    /// The new secret's id.
    pub secret_id: String,
    /// When the secret it replaced stops signing (epoch ms).
    pub previous_valid_until: i64,
}

/// `GET /api/v1/settings/notifications`: the tenant's endpoints, the
/// events they can receive, and the newest deliveries to its people and
/// endpoints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationSettings {
    /// Live endpoints.
    pub endpoints: Vec<WebhookEndpoint>,
    /// Every event name an endpoint can subscribe to.
    pub events: Vec<String>,
    /// The newest messages, newest first.
    pub deliveries: Vec<Delivery>,
}

/// `GET /api/v1/audit`: one page of the tenant's audit log, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    /// The records, each with its leaf hash.
    pub items: Vec<AuditEntry>,
    /// Pass as `cursor` for the next (older) page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Body of `POST /api/v1/dev/shift-request` (local development only): move
/// every time of a request `ms` milliseconds into the past, as if it had
/// happened earlier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftRequest {
    /// The request.
    pub request_id: String,
    /// How far back, in milliseconds (1 ms to 30 days).
    #[serde(deserialize_with = "whole_number")]
    pub ms: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_view_and_the_request_agree_on_the_deadline_in_every_stage() {
        use crate::ids::{RequestId, TenantId, UserId};
        use crate::lifecycle::{self, Actor, NewRequest};
        use crate::validation::{GrantDuration, Reason, ServiceName, TicketNumber};
        let actor = |n: u8| Actor {
            user_id: UserId::parse(&format!("00000000-0000-4000-8000-0000000000{n:02}"))
                .expect("valid"),
            email: format!("p{n}@example"),
        };
        let new = NewRequest {
            tenant_id: TenantId::parse("7c0a8f4e-5a1b-4c3d-9e2f-000000000001").expect("valid"),
            service: ServiceName::parse("mail").expect("valid"),
            ticket: TicketNumber::parse("SR-1").expect("valid"),
            reason: Reason::parse("Needed").expect("valid"),
            duration: GrantDuration::from_minutes(60).expect("valid"),
            operations: None,
            reads_content: Vec::new(),
            emergency: None,
        };
        let id = RequestId::parse("1b4e28ba-2fa1-11d2-883f-0016d3cca427").expect("valid");
        let created = lifecycle::create(id, new, &actor(1), 0);
        let pending = lifecycle::preapprove(&created, &actor(2), true, None, 1).expect("ok");
        let off = lifecycle::preapprove(&created, &actor(2), false, None, 1).expect("ok");
        let approved =
            lifecycle::customer_decision(&pending, &actor(3), true, None, 2).expect("ok");
        let denied = lifecycle::customer_decision(&pending, &actor(3), false, None, 2).expect("ok");
        let (_, completed) = lifecycle::sweep(&approved, i64::MAX / 2).expect("due");
        for req in [created, pending, off, approved, denied, completed] {
            for audience in [Audience::Customer, Audience::Provider] {
                let view = RequestView::of(&req, "Contoso", audience, 0);
                assert_eq!(view.deadline(), req.deadline(), "{:?}", req.state());
                assert_eq!(
                    view.effective_state_at(7_200_000),
                    req.effective_state(7_200_000)
                );
            }
        }
    }

    #[test]
    fn a_duration_is_any_json_whole_number() {
        let body = |d: &str| {
            serde_json::from_str::<CreateAccessRequest>(&format!(
                r#"{{"tenant_id":"t","service":"mail","ticket":"SR-1","reason":"r","duration_minutes":{d},"operations":["Get-Mailbox"]}}"#
            ))
        };
        assert_eq!(body("105").expect("integer").duration_minutes, 105);
        assert_eq!(body("105.0").expect("integral float").duration_minutes, 105);
        assert!(body("105.5").is_err());
        assert!(body("-1").is_err());
        assert!(body("\"105\"").is_err());
    }

    #[test]
    fn an_approval_and_an_extension_take_whole_numbers_as_creation_does() {
        let decision = |d: &str| serde_json::from_str::<DecisionBody>(d);
        assert_eq!(
            decision(r#"{"duration_minutes":105.0}"#)
                .expect("integral float")
                .duration_minutes,
            Some(105)
        );
        assert_eq!(
            decision(r#"{"duration_minutes":null}"#)
                .expect("null")
                .duration_minutes,
            None
        );
        assert_eq!(decision("{}").expect("absent").duration_minutes, None);
        assert!(decision(r#"{"duration_minutes":10.5}"#).is_err());
        let extend = |m: &str| {
            serde_json::from_str::<ExtendBody>(&format!(r#"{{"minutes":{m},"reason":"r"}}"#))
        };
        assert_eq!(extend("60.0").expect("integral float").minutes, 60);
        assert!(extend("60.5").is_err());
    }
}

/// One parameter of an operation, as `GET /api/v1/operations` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParameterInfo {
    /// Its name in the JSON body.
    pub name: String,
    /// Whether a call must give it.
    pub required: bool,
    /// What it selects and what values are accepted.
    pub description: String,
}

/// One operation of a registered provider service, as `GET
/// /api/v1/operations` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationInfo {
    /// Its name (also the audit activity of its records).
    pub name: String,
    /// The Lockbox service it works on (`mail`, …).
    pub service: String,
    /// The registered service that offers it (`svc:…`).
    pub provider_service: String,
    /// Whether it reads content or only metadata.
    pub kind: crate::integration::OperationKind,
    /// Whether Lockbox can forward it from the console (it has a service
    /// binding to the service); otherwise engineers call the service
    /// directly with a grant token.
    pub forwarded: bool,
    /// What it does.
    pub description: String,
    /// Its parameters.
    pub parameters: Vec<ParameterInfo>,
}

/// `GET /api/v1/operations`: the operations of one service, or of all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationList {
    /// The operations.
    pub items: Vec<OperationInfo>,
}

/// `POST …/operations/{operation}`: what the registered service answered,
/// with the audit record it wrote first.
pub use lockbox_provider::display::OperationAnswer as OperationResult;

/// An audit record as searches and exports give it: as stored, with its
/// leaf hash (base64; empty while not yet sealed). One line of the
/// JSON-lines export; everything needed to recompute the hash is here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// The record.
    #[serde(flatten)]
    pub record: AuditRecord,
    /// Its leaf hash as sealed.
    pub leaf_hash: String,
}

/// `GET /api/v1/audit/records/{id}/proof`: that the record is leaf
/// `leaf_index` of the tenant's tree of `tree_size` records with `root`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InclusionProof {
    /// The record's id.
    pub record_id: String,
    /// Its sequence number (`leaf_index + 1`).
    pub seq: i64,
    /// Its leaf's index in the tree.
    pub leaf_index: u64,
    /// The size of the tree the proof is for.
    pub tree_size: u64,
    /// The record's leaf hash (base64), recomputed from the record as stored.
    pub leaf_hash: String,
    /// The tree's root (base64): the root of the checkpoint of that size.
    pub root: String,
    /// The RFC 6962 audit path, leaf to root (base64 hashes).
    pub proof: Vec<String>,
}

/// `GET /api/v1/audit/consistency`: that the tree of `to` records extends
/// the tree of `from` records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsistencyProof {
    /// The older size.
    pub from: u64,
    /// The newer size.
    pub to: u64,
    /// The root of the older tree (base64).
    pub from_root: String,
    /// The root of the newer tree (base64).
    pub to_root: String,
    /// The RFC 6962 consistency proof (base64 hashes).
    pub proof: Vec<String>,
}

/// `POST /api/v1/provider/tenants/{id}/move`: where a tenant's move into
/// its own Durable Object stands. Call again until `home` is `object` and
/// nothing is left `clearing`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantMove {
    pub tenant_id: String,
    /// `database` (not moving), `moving`, or `object` (moved).
    pub home: String,
    /// While moving: when copying starts (epoch ms), once every isolate
    /// has read that the tenant is moving.
    pub copying_from: Option<i64>,
    /// Rows copied so far (a page copied again after a crash counts again).
    pub copied: u64,
    /// The table being copied.
    pub table: Option<String>,
    /// Once moved: the audit log's sealed size and root, the same as
    /// before the move.
    pub sealed: Option<u64>,
    pub root: Option<String>,
    /// Once moved: whether the tenant's rows in the database every tenant
    /// shares are still being deleted (call again).
    pub clearing: bool,
}
