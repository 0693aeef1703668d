//! Authorization, in one place: may this principal take this action on a
//! resource of this tenant?
//!
//! The tenant passed in comes from the stored row the action touches (or the
//! principal's own tenant for tenant-wide actions), never from the URL alone.

use serde::{Deserialize, Serialize};

use crate::ids::TenantId;
use crate::lifecycle::{AccessRequest, Verb};
use crate::roles::{CustomerRole, Membership, Principal, ProviderRole};

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
    /// Search the tenant's audit log.
    SearchAudit,
    /// Export the tenant's audit log (CSV, JSON lines).
    ExportAudit,
    /// Read the tenant's "require approval" switch.
    ReadLockboxSetting,
    /// Turn the tenant's Lockbox on or off.
    SetLockboxSetting,
    /// List every access request of the tenant (customer side).
    ListTenantRequests,
    /// Read one access request with its history.
    ReadRequest,
    /// Approve a pending request (customer).
    Approve,
    /// Deny a pending request (customer).
    Deny,
    /// End a live grant early (customer).
    Revoke,
    /// List the tenants and their services (provider side, to open requests).
    ListTenants,
    /// Open an access request (engineer).
    CreateRequest,
    /// List the requests one opened (engineer) or decided (manager).
    ListOwnRequests,
    /// Cancel one's own request (engineer).
    CancelRequest,
    /// Ask whether one holds a live grant (engineer).
    CheckAccess,
    /// List requests awaiting pre-approval (manager).
    ListAwaitingPreapproval,
    /// Pre-approve a request (manager).
    Preapprove,
    /// Reject a request (manager).
    Reject,
    /// List the operations that may be run under a grant (provider staff).
    ListOperations,
    /// Run an operation on a tenant's content (the engineer holding a live
    /// grant; the grant itself is checked when the call runs).
    RunOperation,
    /// See and change the tenant's notification webhooks and its delivery
    /// log (global admin).
    ManageNotifications,
    /// Freeze the tenant ("Revoke all access now") or lift the freeze
    /// (global admin).
    FreezeTenant,
    /// Set how many people must approve a request (global admin).
    SetApprovalsRequired,
    /// Set the language the tenant's people get when they chose none
    /// (global admin).
    SetDefaultLanguage,
    /// Choose one's own language for the pages and one's e-mails (anyone).
    ChooseOwnLanguage,
    /// Ask for more time on one's own live grant (engineer).
    ExtendGrant,
    /// Get a grant token for one's own live grant (engineer).
    IssueGrantToken,
    /// Register, change and remove the provider's services, and read the
    /// provider log of those changes (integration admin).
    ManageProviderServices,
    /// Ratify or dispute an ended emergency access (global admin,
    /// approver).
    ReviewEmergency,
    /// Choose whether and how emergency access is allowed (global admin).
    SetEmergencyAccess,
}

impl Action {
    /// Every action, so tests can prove each one is covered.
    pub const ALL: [Action; 32] = [
        Action::ReviewEmergency,
        Action::SetEmergencyAccess,
        Action::ReadOwnProfile,
        Action::ListRoleHolders,
        Action::ChangeRoles,
        Action::SearchAudit,
        Action::ExportAudit,
        Action::ReadLockboxSetting,
        Action::SetLockboxSetting,
        Action::ListTenantRequests,
        Action::ReadRequest,
        Action::Approve,
        Action::Deny,
        Action::Revoke,
        Action::ListTenants,
        Action::CreateRequest,
        Action::ListOwnRequests,
        Action::CancelRequest,
        Action::CheckAccess,
        Action::ListAwaitingPreapproval,
        Action::Preapprove,
        Action::Reject,
        Action::ListOperations,
        Action::RunOperation,
        Action::ManageNotifications,
        Action::FreezeTenant,
        Action::SetApprovalsRequired,
        Action::SetDefaultLanguage,
        Action::ChooseOwnLanguage,
        Action::ExtendGrant,
        Action::IssueGrantToken,
        Action::ManageProviderServices,
    ];

    /// What the action is, for messages ("… may not change roles").
    pub const fn describe(self) -> &'static str {
        match self {
            Action::ReadOwnProfile => "read your profile",
            Action::ListRoleHolders => "see who holds the tenant's roles",
            Action::ChangeRoles => "change who holds the tenant's roles",
            Action::SearchAudit => "search the audit log",
            Action::ExportAudit => "export the audit log",
            Action::ReadLockboxSetting => "see the Customer Lockbox setting",
            Action::SetLockboxSetting => "turn Customer Lockbox on or off",
            Action::ListTenantRequests => "see the organisation's Customer Lockbox requests",
            Action::ReadRequest => "see this request",
            Action::Approve => "approve Customer Lockbox requests",
            Action::Deny => "deny Customer Lockbox requests",
            Action::Revoke => "revoke access granted through Customer Lockbox",
            Action::ReviewEmergency => "review emergency access",
            Action::SetEmergencyAccess => "choose whether emergency access is allowed",
            Action::ListTenants => "list customer tenants",
            Action::CreateRequest => "open access requests",
            Action::ListOwnRequests => "list your access requests",
            Action::CancelRequest => "cancel access requests",
            Action::CheckAccess => "check for live access grants",
            Action::ListAwaitingPreapproval => "see requests awaiting pre-approval",
            Action::Preapprove => "pre-approve access requests",
            Action::Reject => "reject access requests",
            Action::ListOperations => "list the operations allowed under a grant",
            Action::RunOperation => "run operations on a customer's content",
            Action::ManageNotifications => "manage the organisation's notification webhooks",
            Action::FreezeTenant => "revoke all access now, or lift that freeze",
            Action::SetApprovalsRequired => "set how many approvals a request needs",
            Action::SetDefaultLanguage => "set the organisation's default language",
            Action::ChooseOwnLanguage => "choose your language",
            Action::ExtendGrant => "ask for more time on a grant",
            Action::IssueGrantToken => "get a grant token",
            Action::ManageProviderServices => "manage the provider's registered services",
        }
    }

    /// Who may take the action: customer roles (in the resource's tenant)
    /// or provider roles (for any tenant's requests).
    pub const fn allowed(self) -> Allowed {
        use CustomerRole::{Approver, Auditor, GlobalAdmin};
        use ProviderRole::{IntegrationAdmin, SupportEngineer, SupportManager};
        match self {
            Action::ReadOwnProfile | Action::ChooseOwnLanguage => Allowed::Anyone,
            Action::ChangeRoles
            | Action::ManageNotifications
            | Action::FreezeTenant
            | Action::SetApprovalsRequired
            | Action::SetDefaultLanguage
            | Action::SetEmergencyAccess => Allowed::Customer(&[GlobalAdmin]),
            // Auditors (read-only) search and export the log and read the
            // requests it speaks of; nothing else.
            Action::SearchAudit | Action::ExportAudit | Action::ListTenantRequests => {
                Allowed::Customer(&[GlobalAdmin, Approver, Auditor])
            }
            Action::ListRoleHolders
            | Action::ReadLockboxSetting
            | Action::SetLockboxSetting
            | Action::Approve
            | Action::Deny
            | Action::Revoke
            | Action::ReviewEmergency => Allowed::Customer(&[GlobalAdmin, Approver]),
            Action::ReadRequest => Allowed::Both {
                customer: &[GlobalAdmin, Approver, Auditor],
                provider: &[SupportEngineer, SupportManager],
            },
            Action::ListTenants | Action::ListOperations | Action::ListOwnRequests => {
                Allowed::Provider(&[SupportEngineer, SupportManager])
            }
            Action::CreateRequest
            | Action::CancelRequest
            | Action::CheckAccess
            | Action::RunOperation
            | Action::IssueGrantToken
            | Action::ExtendGrant => Allowed::Provider(&[SupportEngineer]),
            Action::ManageProviderServices => Allowed::Provider(&[IntegrationAdmin]),
            Action::ListAwaitingPreapproval | Action::Preapprove | Action::Reject => {
                Allowed::Provider(&[SupportManager])
            }
        }
    }
}

impl Action {
    /// The permission a person's transition needs; `None` for the
    /// scheduled job's moves, which no person may make.
    pub const fn for_verb(verb: Verb) -> Option<Action> {
        match verb {
            Verb::Preapprove => Some(Action::Preapprove),
            Verb::Reject => Some(Action::Reject),
            Verb::Approve => Some(Action::Approve),
            Verb::Deny => Some(Action::Deny),
            Verb::Cancel => Some(Action::CancelRequest),
            Verb::Revoke => Some(Action::Revoke),
            Verb::Ratify | Verb::Dispute => Some(Action::ReviewEmergency),
            Verb::Expire | Verb::Complete | Verb::Lapse => None,
        }
    }
}

/// Who may take an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allowed {
    /// Anyone signed in.
    Anyone,
    /// Customers holding one of these roles in the resource's tenant.
    Customer(&'static [CustomerRole]),
    /// Provider staff holding one of these roles (any tenant's requests).
    Provider(&'static [ProviderRole]),
    /// Either.
    Both {
        customer: &'static [CustomerRole],
        provider: &'static [ProviderRole],
    },
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
    /// A provider-only action attempted by a customer.
    ProviderOnly { action: Action },
    /// The caller lacks the customer role the action needs.
    MissingRole {
        action: Action,
        needs: &'static [CustomerRole],
    },
    /// The caller lacks the provider role the action needs.
    MissingProviderRole {
        action: Action,
        needs: &'static [ProviderRole],
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
            Denied::OtherTenant => "It does not exist, or is not one you may see.".to_owned(),
            Denied::ProviderCannotChangeCustomerRoles => {
                "Provider staff can never change who holds a customer's roles; only the customer's global admin can.".to_owned()
            }
            Denied::CustomersOnly { action } => {
                format!("Only people of the customer organisation may {}.", action.describe())
            }
            Denied::ProviderOnly { action } => {
                format!("Only the provider's support staff may {}.", action.describe())
            }
            Denied::MissingRole { action, needs } => {
                let names: Vec<&str> = needs.iter().map(|r| r.label()).collect();
                format!(
                    "You may not {}: that needs the role {}. Ask your global admin if you need it.",
                    action.describe(),
                    names.join(" or ")
                )
            }
            Denied::MissingProviderRole { action, needs } => {
                let names: Vec<&str> = needs.iter().map(|r| r.label()).collect();
                format!(
                    "You may not {}: that needs the provider role {}.",
                    action.describe(),
                    names.join(" or ")
                )
            }
        }
    }
}

/// Decides whether `principal` may take `action` on a resource of `tenant`
/// (`None` for actions that concern no tenant, or a tenant not known).
///
/// Customers act only inside their own tenant; provider staff act on any
/// tenant's requests but never on a customer's roles or settings.
pub fn authorize(
    principal: &Principal,
    action: Action,
    tenant: Option<&TenantId>,
) -> Result<(), Denied> {
    let (customer, provider): (&[CustomerRole], &[ProviderRole]) = match action.allowed() {
        Allowed::Anyone => return Ok(()),
        Allowed::Customer(c) => (c, &[]),
        Allowed::Provider(p) => (&[], p),
        Allowed::Both { customer, provider } => (customer, provider),
    };
    match &principal.membership {
        Membership::Provider { .. } => {
            if provider.is_empty() {
                return Err(match action {
                    Action::ChangeRoles => Denied::ProviderCannotChangeCustomerRoles,
                    _ => Denied::CustomersOnly { action },
                });
            }
            if provider.iter().any(|r| principal.has_provider_role(*r)) {
                Ok(())
            } else {
                Err(Denied::MissingProviderRole {
                    action,
                    needs: provider,
                })
            }
        }
        Membership::Customer { .. } => {
            if customer.is_empty() {
                return Err(Denied::ProviderOnly { action });
            }
            if tenant.is_none() || principal.tenant() != tenant {
                return Err(Denied::OtherTenant);
            }
            if customer.iter().any(|r| principal.has_customer_role(*r)) {
                Ok(())
            } else {
                Err(Denied::MissingRole {
                    action,
                    needs: customer,
                })
            }
        }
    }
}

/// The relational half of [`Action::ReadRequest`]: customers see their
/// tenant's requests (checked by [`authorize`]) once they have reached the
/// customer ([`AccessRequest::reached_customer`]); among provider staff an
/// engineer sees the requests they opened and a manager sees every request.
pub fn may_see_request(principal: &Principal, request: &AccessRequest) -> bool {
    if !principal.is_provider() {
        return request.reached_customer();
    }
    principal.user_id == request.requester.user_id
        || principal.has_provider_role(ProviderRole::SupportManager)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::UserId;
    use crate::roles::{Membership, ProviderRole};

    fn tenant(name: &str) -> TenantId {
        let n = if name == "a" { 1 } else { 2 };
        TenantId::parse(&format!("7c0a8f4e-5a1b-4c3d-9e2f-00000000000{n}")).expect("valid")
    }

    fn user(n: u8) -> UserId {
        UserId::parse(&format!("0b5e2d1c-0000-4000-8000-0000000000{n:02}")).expect("valid")
    }

    fn customer(tenant: &str, roles: &[CustomerRole]) -> Principal {
        Principal {
            user_id: user(1),
            email: "p@example".into(),
            display_name: "P".into(),
            membership: Membership::Customer {
                tenant_id: self::tenant(tenant),
                tenant_name: tenant.into(),
                roles: roles.to_vec(),
            },
        }
    }

    fn provider(roles: &[ProviderRole]) -> Principal {
        Principal {
            user_id: user(2),
            email: "s@provider".into(),
            display_name: "S".into(),
            membership: Membership::Provider {
                roles: roles.to_vec(),
            },
        }
    }

    /// Who may take each action, written out independently of `allowed()`.
    fn allowed_personas(action: Action) -> &'static [&'static str] {
        match action {
            Action::ReadOwnProfile | Action::ChooseOwnLanguage => &[
                "admin",
                "approver",
                "auditor",
                "member",
                "engineer",
                "manager",
                "both",
                "integrations",
            ],
            Action::SearchAudit | Action::ExportAudit | Action::ListTenantRequests => {
                &["admin", "approver", "auditor"]
            }
            Action::ChangeRoles
            | Action::ManageNotifications
            | Action::FreezeTenant
            | Action::SetApprovalsRequired
            | Action::SetDefaultLanguage
            | Action::SetEmergencyAccess => &["admin"],
            Action::ListRoleHolders
            | Action::ReadLockboxSetting
            | Action::SetLockboxSetting
            | Action::Approve
            | Action::Deny
            | Action::Revoke
            | Action::ReviewEmergency => &["admin", "approver"],
            Action::ReadRequest => &[
                "admin", "approver", "auditor", "engineer", "manager", "both",
            ],
            Action::ListTenants | Action::ListOperations | Action::ListOwnRequests => {
                &["engineer", "manager", "both"]
            }
            Action::CreateRequest
            | Action::CancelRequest
            | Action::CheckAccess
            | Action::RunOperation
            | Action::IssueGrantToken
            | Action::ExtendGrant => &["engineer", "both"],
            Action::ManageProviderServices => &["integrations"],
            Action::ListAwaitingPreapproval | Action::Preapprove | Action::Reject => {
                &["manager", "both"]
            }
        }
    }

    #[test]
    fn the_policy_matrix_holds_for_every_action_role_and_tenant() {
        use CustomerRole::*;
        let a = tenant("a");
        let b = tenant("b");
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
            ("integrations", provider(&[ProviderRole::IntegrationAdmin])),
        ];
        let mut cells = 0;
        for (who, person) in &people {
            for action in Action::ALL {
                let allowed = allowed_personas(action).contains(who);
                let own = authorize(person, action, Some(&a));
                assert_eq!(own.is_ok(), allowed, "{who} {action:?} own tenant: {own:?}");
                let other = authorize(person, action, Some(&b));
                if person.is_provider() {
                    // Provider staff serve every tenant alike.
                    assert_eq!(other.is_ok(), allowed, "{who} {action:?} other tenant");
                } else if matches!(action, Action::ReadOwnProfile | Action::ChooseOwnLanguage) {
                    assert!(other.is_ok());
                } else {
                    assert!(
                        other.is_err(),
                        "{who} {action:?} other tenant must be refused"
                    );
                    if allowed {
                        assert_eq!(other, Err(Denied::OtherTenant), "{who} {action:?}");
                    }
                }
                if !allowed && person.is_provider() && action == Action::ChangeRoles {
                    assert_eq!(own, Err(Denied::ProviderCannotChangeCustomerRoles));
                }
                cells += 2;
            }
        }
        assert_eq!(cells, people.len() * Action::ALL.len() * 2);
    }

    fn request_of(requester: UserId) -> AccessRequest {
        use crate::ids::RequestId;
        use crate::lifecycle::{create, Actor, NewRequest};
        use crate::validation::{GrantDuration, Reason, ServiceName, TicketNumber};
        let input = NewRequest {
            tenant_id: tenant("a"),
            service: ServiceName::parse("mail").expect("valid"),
            ticket: TicketNumber::parse("SR-1").expect("valid"),
            reason: Reason::parse("Mailbox will not open").expect("valid"),
            duration: GrantDuration::from_minutes(60).expect("valid"),
            operations: None,
            reads_content: Vec::new(),
            emergency: None,
        };
        let id = RequestId::parse("1b4e28ba-2fa1-11d2-883f-0016d3cca427").expect("valid");
        let actor = Actor {
            user_id: requester,
            email: "e@provider.example".into(),
        };
        create(id, input, &actor, 0)
    }

    #[test]
    fn engineers_see_their_own_requests_managers_all_and_customers_preapproved_ones() {
        use crate::lifecycle::{preapprove, Actor};
        let engineer = provider(&[ProviderRole::SupportEngineer]);
        let manager = provider(&[ProviderRole::SupportManager]);
        let approver = customer("a", &[CustomerRole::Approver]);
        let own = request_of(engineer.user_id.clone());
        let others = request_of(user(3));
        assert!(may_see_request(&engineer, &own));
        assert!(!may_see_request(&engineer, &others));
        assert!(may_see_request(&manager, &others));
        // Still with the provider's manager: not the customer's yet.
        assert!(!may_see_request(&approver, &others));
        let by = Actor {
            user_id: user(4),
            email: "m@provider.example".into(),
        };
        let asked = preapprove(&others, &by, true, None, 1).expect("preapproved");
        assert!(may_see_request(&approver, &asked));
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
        let denied =
            authorize(&approver, Action::ChangeRoles, Some(&tenant("a"))).expect_err("refused");
        assert!(
            denied.message().contains("Global admin"),
            "{}",
            denied.message()
        );
        assert!(!denied.hides_existence());
        assert!(Denied::OtherTenant.hides_existence());
    }
}
