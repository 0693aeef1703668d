//! Authorization, in one place: may this principal take this action on a
//! resource of this tenant?
//!
//! The tenant passed in comes from the stored row the action touches (or the
//! principal's own tenant for tenant-wide actions), never from the URL alone.

use serde::{Deserialize, Serialize};

use crate::ids::TenantId;
use crate::roles::{CustomerRole, Principal};

/// Everything a caller can ask the API to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Read one's own identity and roles (`GET /me`).
    ReadOwnProfile,
    /// List who holds each customer role of a tenant.
    ListRoleHolders,
    /// Assign or remove a customer role in a tenant.
    ChangeRoles,
}

impl Action {
    /// Every action, so tests can prove each one is covered.
    pub const ALL: [Action; 3] = [
        Action::ReadOwnProfile,
        Action::ListRoleHolders,
        Action::ChangeRoles,
    ];

    /// What the action is, for messages ("… may not change roles").
    pub const fn describe(self) -> &'static str {
        match self {
            Action::ReadOwnProfile => "read your profile",
            Action::ListRoleHolders => "see who holds the tenant's roles",
            Action::ChangeRoles => "change who holds the tenant's roles",
        }
    }

    /// Whether an action concerns one tenant's objects (and so needs the
    /// resource's tenant to decide).
    pub const fn is_tenant_scoped(self) -> bool {
        !matches!(self, Action::ReadOwnProfile)
    }
}

/// Why an action was refused. Each variant knows what to tell the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denied {
    /// The resource belongs to another tenant. Answered as "not found", so
    /// nobody learns that another tenant's object exists.
    OtherTenant,
    /// No provider identity may change a customer's roles, whatever its role.
    ProviderCannotChangeCustomerRoles,
    /// A customer-only action attempted by provider staff.
    CustomersOnly { action: Action },
    /// The caller lacks the role the action needs.
    MissingRole {
        action: Action,
        needs: &'static [CustomerRole],
    },
}

impl Denied {
    /// True when the refusal must look like "not found" (HTTP 404).
    pub const fn hides_existence(&self) -> bool {
        matches!(self, Denied::OtherTenant)
    }

    /// A sentence for the person refused.
    pub fn message(&self) -> String {
        match self {
            Denied::OtherTenant => "No such item exists in your organisation.".to_owned(),
            Denied::ProviderCannotChangeCustomerRoles => {
                "Provider staff can never change who holds a customer's roles; only the customer's global admin can. This attempt has been recorded in the customer's audit log.".to_owned()
            }
            Denied::CustomersOnly { action } => {
                format!("Only people of the customer organisation may {}.", action.describe())
            }
            Denied::MissingRole { action, needs } => {
                let names: Vec<&str> = needs.iter().map(|r| r.label()).collect();
                format!(
                    "You may not {}: that needs the role {}. Ask your global admin if you need it.",
                    action.describe(),
                    names.join(" or ")
                )
            }
        }
    }
}

/// Decides whether `principal` may take `action` on a resource of `tenant`
/// (`None` for actions that concern no tenant).
pub fn authorize(
    principal: &Principal,
    action: Action,
    tenant: Option<&TenantId>,
) -> Result<(), Denied> {
    use CustomerRole::{Approver, Auditor, GlobalAdmin};

    if !action.is_tenant_scoped() {
        return Ok(());
    }
    if principal.is_provider() {
        return Err(match action {
            Action::ChangeRoles => Denied::ProviderCannotChangeCustomerRoles,
            _ => Denied::CustomersOnly { action },
        });
    }
    if tenant.is_none() || principal.tenant() != tenant {
        return Err(Denied::OtherTenant);
    }
    let needs: &'static [CustomerRole] = match action {
        Action::ReadOwnProfile => return Ok(()),
        Action::ListRoleHolders => &[GlobalAdmin, Approver, Auditor],
        Action::ChangeRoles => &[GlobalAdmin],
    };
    if needs.iter().any(|r| principal.has_customer_role(*r)) {
        Ok(())
    } else {
        Err(Denied::MissingRole { action, needs })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::UserId;
    use crate::roles::{Membership, ProviderRole};

    fn customer(tenant: &str, roles: &[CustomerRole]) -> Principal {
        Principal {
            user_id: UserId("u".into()),
            email: "p@example".into(),
            display_name: "P".into(),
            membership: Membership::Customer {
                tenant_id: TenantId(tenant.into()),
                tenant_name: tenant.into(),
                roles: roles.to_vec(),
            },
        }
    }

    fn provider(roles: &[ProviderRole]) -> Principal {
        Principal {
            user_id: UserId("s".into()),
            email: "s@provider".into(),
            display_name: "S".into(),
            membership: Membership::Provider {
                roles: roles.to_vec(),
            },
        }
    }

    #[test]
    fn the_policy_matrix_holds_for_every_action_role_and_tenant() {
        use CustomerRole::*;
        let a = TenantId("a".into());
        let b = TenantId("b".into());
        let people: Vec<(&str, Principal)> = vec![
            ("admin", customer("a", &[GlobalAdmin])),
            ("approver", customer("a", &[Approver])),
            ("auditor", customer("a", &[Auditor])),
            ("member", customer("a", &[])),
            ("engineer", provider(&[ProviderRole::SupportEngineer])),
            ("manager", provider(&[ProviderRole::SupportManager])),
            (
                "both",
                provider(&[ProviderRole::SupportEngineer, ProviderRole::SupportManager]),
            ),
        ];
        // (person, action, allowed on own tenant "a", refusal on tenant "b")
        let expected = |who: &str, action: Action| -> (bool, Option<Denied>) {
            let provider_denial = match action {
                Action::ChangeRoles => Denied::ProviderCannotChangeCustomerRoles,
                _ => Denied::CustomersOnly { action },
            };
            match (who, action) {
                (_, Action::ReadOwnProfile) => (true, None),
                ("engineer" | "manager" | "both", _) => (false, Some(provider_denial)),
                ("admin", _) => (true, Some(Denied::OtherTenant)),
                ("approver" | "auditor", Action::ListRoleHolders) => {
                    (true, Some(Denied::OtherTenant))
                }
                _ => (false, Some(Denied::OtherTenant)),
            }
        };
        let mut cells = 0;
        for (who, person) in &people {
            for action in Action::ALL {
                let (own_allowed, other) = expected(who, action);
                let own = authorize(person, action, Some(&a));
                assert_eq!(own.is_ok(), own_allowed, "{who} {action:?} own: {own:?}");
                let theirs = authorize(person, action, Some(&b));
                assert_eq!(theirs.err(), other, "{who} {action:?} other");
                cells += 2;
            }
        }
        assert_eq!(cells, people.len() * Action::ALL.len() * 2);
    }

    #[test]
    fn a_tenant_scoped_action_without_a_tenant_is_refused() {
        let admin = customer("a", &[CustomerRole::GlobalAdmin]);
        assert_eq!(
            authorize(&admin, Action::ChangeRoles, None),
            Err(Denied::OtherTenant)
        );
    }

    #[test]
    fn refusals_say_what_is_needed() {
        let approver = customer("a", &[CustomerRole::Approver]);
        let denied = authorize(&approver, Action::ChangeRoles, Some(&TenantId("a".into())))
            .expect_err("refused");
        assert!(
            denied.message().contains("Global admin"),
            "{}",
            denied.message()
        );
        assert!(!denied.hides_existence());
        assert!(Denied::OtherTenant.hides_existence());
    }
}
