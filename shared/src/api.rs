//! Request and response bodies of the HTTP API under `/api/v1`.

use serde::{Deserialize, Serialize};

use crate::ids::{TenantId, UserId};
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
