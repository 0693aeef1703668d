//! Audit records (SPEC §4): append-only, one per state change, role or
//! setting change, refused attempt and operator action.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::ids::TenantId;
use crate::roles::CustomerRole;

/// What happened. The names are those administrators already search for in
/// the large clouds' audit logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Activity {
    /// A member was added to a customer role (or an attempt was refused).
    #[serde(rename = "Add-RoleMember")]
    AddRoleMember,
    /// A member was removed from a customer role (or an attempt was refused).
    #[serde(rename = "Remove-RoleMember")]
    RemoveRoleMember,
}

impl Activity {
    /// Every activity, in display order.
    pub const ALL: [Activity; 2] = [Activity::AddRoleMember, Activity::RemoveRoleMember];

    /// The name stored and searched for.
    pub const fn as_str(self) -> &'static str {
        match self {
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
