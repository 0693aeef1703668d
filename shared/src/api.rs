//! Request and response bodies of the HTTP API under `/api/v1`.

use serde::{Deserialize, Serialize};

use crate::audit::AuditRecord;
use crate::ids::{TenantId, UserId};
use crate::lifecycle::{AccessRequest, State};
use crate::roles::{CustomerRole, Principal};

/// The prefix every API route lives under.
pub const API_PREFIX: &str = "/api/v1";

/// Whether the database answered a trivial query when health was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DatabaseStatus {
    /// The database answered.
    Ok,
    /// The database did not answer; the service cannot do useful work.
    Unavailable,
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
    /// How long the grant should last, 1–240 minutes.
    pub duration_minutes: u32,
}

/// Body of the decision calls (`preapprove`, `reject`, `approve`, `deny`,
/// `cancel`, `revoke`): an optional comment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionBody {
    /// Why, in the decider's words.
    #[serde(default)]
    pub comment: Option<String>,
}

/// An access request as the API shows it: the stored facts plus its state
/// as of the moment of the answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestView {
    /// The stored request.
    #[serde(flatten)]
    pub request: AccessRequest,
    /// Its state now (an overdue pending request is Expired, an overdue
    /// grant Completed, before the scheduled job writes it).
    pub effective_state: State,
    /// The tenant's name.
    pub tenant_name: String,
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
}

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
    pub request_id: Option<String>,
    /// When that grant ends (epoch ms).
    pub ends_at: Option<i64>,
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

/// `GET /api/v1/audit`: one page of the tenant's audit log, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    /// The records.
    pub items: Vec<AuditRecord>,
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
    pub ms: i64,
}
