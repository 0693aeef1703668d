//! Who someone is to Lockbox: their side (customer tenant or provider) and roles.

use serde::{Deserialize, Serialize};

use crate::ids::{TenantId, UserId};
use crate::named_enum;

named_enum! {
    /// A role a person holds inside one customer tenant.
    pub enum CustomerRole {
        /// Everything an approver may, plus who may approve, plus the switch.
        GlobalAdmin => "global_admin",
        /// Lockbox access approver: sees, approves, denies and revokes requests.
        Approver => "approver",
        /// Read-only: searches and exports the audit log.
        Auditor => "auditor",
    }
}

impl CustomerRole {
    /// The name people see.
    pub const fn label(self) -> &'static str {
        match self {
            CustomerRole::GlobalAdmin => "Global admin",
            CustomerRole::Approver => "Lockbox access approver",
            CustomerRole::Auditor => "Auditor",
        }
    }

    /// Whether a global admin may assign and remove this role through Lockbox.
    /// Global admins themselves are managed by the tenant's directory.
    pub const fn is_assignable(self) -> bool {
        matches!(self, CustomerRole::Approver | CustomerRole::Auditor)
    }
}

named_enum! {
    /// A role a person holds on the provider's side.
    pub enum ProviderRole {
        /// Opens access requests and works under live grants.
        SupportEngineer => "support_engineer",
        /// Pre-approves or rejects engineers' requests (never their own).
        SupportManager => "support_manager",
        /// Registers the provider's services that touch customer content
        /// (their operations and public keys); rotates and removes them.
        IntegrationAdmin => "integration_admin",
    }
}

impl ProviderRole {
    /// The name people see.
    pub const fn label(self) -> &'static str {
        match self {
            ProviderRole::SupportEngineer => "Support engineer",
            ProviderRole::SupportManager => "Support manager",
            ProviderRole::IntegrationAdmin => "Integration admin",
        }
    }
}

/// Which side of the lockbox someone stands on, with their roles there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "side", rename_all = "snake_case")]
pub enum Membership {
    /// A person of one customer tenant.
    Customer {
        /// Their tenant.
        tenant_id: TenantId,
        /// Their tenant's name.
        tenant_name: String,
        /// Their roles in it (may be empty: a plain member).
        roles: Vec<CustomerRole>,
    },
    /// A member of the provider's staff.
    Provider {
        /// Their provider roles.
        roles: Vec<ProviderRole>,
    },
}

impl Membership {
    /// Where they belong, for people: the tenant's name, or "Provider".
    pub fn organisation(&self) -> &str {
        match self {
            Membership::Customer { tenant_name, .. } => tenant_name,
            Membership::Provider { .. } => "Provider",
        }
    }

    /// The names of their roles, for people; "No Lockbox role" when none.
    pub fn role_labels(&self) -> Vec<&'static str> {
        let labels: Vec<&'static str> = match self {
            Membership::Customer { roles, .. } => roles.iter().map(|r| r.label()).collect(),
            Membership::Provider { roles } => roles.iter().map(|r| r.label()).collect(),
        };
        if labels.is_empty() {
            vec!["No Lockbox role"]
        } else {
            labels
        }
    }
}

/// An authenticated caller, as resolved from a verified token and the database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    /// Their user id.
    pub user_id: UserId,
    /// Their e-mail (or, for a service token, its client id).
    pub email: String,
    /// The name shown for them.
    pub display_name: String,
    /// Their side and roles.
    pub membership: Membership,
}

impl Principal {
    /// Their tenant, when they are a customer.
    pub fn tenant(&self) -> Option<&TenantId> {
        match &self.membership {
            Membership::Customer { tenant_id, .. } => Some(tenant_id),
            Membership::Provider { .. } => None,
        }
    }

    /// Whether they hold `role` in their own tenant.
    pub fn has_customer_role(&self, role: CustomerRole) -> bool {
        matches!(&self.membership, Membership::Customer { roles, .. } if roles.contains(&role))
    }

    /// Whether they hold provider `role`.
    pub fn has_provider_role(&self, role: ProviderRole) -> bool {
        matches!(&self.membership, Membership::Provider { roles } if roles.contains(&role))
    }

    /// Whether they are provider staff.
    pub fn is_provider(&self) -> bool {
        matches!(self.membership, Membership::Provider { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_round_trip() {
        for role in CustomerRole::ALL.iter().copied() {
            assert_eq!(CustomerRole::parse(role.as_str()), Some(role));
        }
        for role in ProviderRole::ALL.iter().copied() {
            assert_eq!(ProviderRole::parse(role.as_str()), Some(role));
        }
        assert_eq!(CustomerRole::parse("emperor"), None);
    }

    #[test]
    fn only_approvers_and_auditors_are_assignable() {
        assert!(!CustomerRole::GlobalAdmin.is_assignable());
        assert!(CustomerRole::Approver.is_assignable());
        assert!(CustomerRole::Auditor.is_assignable());
    }

    #[test]
    fn a_member_without_roles_is_labelled_so() {
        let m = Membership::Customer {
            tenant_id: TenantId::parse("7c0a8f4e-5a1b-4c3d-9e2f-000000000001").expect("valid"),
            tenant_name: "Contoso".into(),
            roles: vec![],
        };
        assert_eq!(m.role_labels(), vec!["No Lockbox role"]);
        assert_eq!(m.organisation(), "Contoso");
    }
}
