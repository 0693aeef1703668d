//! The provider's registered services (SPEC §5): what an integration admin
//! registers, what the console shows, and what an engineer receives for a
//! live grant. The rules of names, keys and batches are the SDK's
//! (`lockbox-provider`), applied where a registration arrives.

use serde::{Deserialize, Serialize};

use crate::named_enum;

named_enum! {
    /// Whether an operation reads customer content or only facts about it.
    pub enum OperationKind {
        /// Statistics, lists, sizes: facts about content.
        Metadata => "metadata",
        /// A message's body, a file's bytes: the content itself.
        Content => "content",
    }
}

/// One parameter an operation takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceParameter {
    /// Its name (letters and digits).
    pub name: String,
    /// What it selects.
    #[serde(default)]
    pub description: String,
    /// Whether a call must give it.
    #[serde(default)]
    pub required: bool,
}

/// One operation a service offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceOperation {
    /// Its name, which is also the activity of its audit records
    /// (`Get-Message`).
    pub name: String,
    /// What it does.
    #[serde(default)]
    pub description: String,
    /// Content or metadata.
    pub kind: OperationKind,
    /// The Lockbox service it works on, one of the registration's
    /// `serves` (absent: every one of them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// Its parameters.
    #[serde(default)]
    pub parameters: Vec<ServiceParameter>,
}

/// An Ed25519 public key as a JWK (`kty` `OKP`, `crv` `Ed25519`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServicePublicKey {
    /// `OKP`.
    pub kty: String,
    /// `Ed25519`.
    pub crv: String,
    /// The public key, base64url.
    pub x: String,
    /// The id the service's assertions name in their header.
    pub kid: String,
}

/// A service as an integration admin registers it (`POST
/// /api/v1/provider/services`, which also replaces one with the same id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceRegistration {
    /// `svc:` and a lower-case name (`svc:mail`).
    pub id: String,
    /// The name people see.
    pub name: String,
    /// The tenants' services it serves (`mail`, `files`, …).
    pub serves: Vec<String>,
    /// What it offers.
    pub operations: Vec<ServiceOperation>,
    /// One key, or two during a rotation.
    pub keys: Vec<ServicePublicKey>,
    /// The `common_name` of a Cloudflare Access service token that also
    /// signs this service in, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_common_name: Option<String>,
}

/// A registered service, as integration admins see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisteredService {
    /// The registration.
    #[serde(flatten)]
    pub registration: ServiceRegistration,
    /// When it was first registered (epoch ms).
    pub created_at: i64,
    /// When it last changed (epoch ms).
    pub updated_at: i64,
    /// Who last changed it.
    pub updated_by: String,
}

/// How many service calls were refused for one reason in the last day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusalCount {
    /// The reason (`signature`, `replay`, `unknown-service`, …).
    pub reason: String,
    /// How many.
    pub count: i64,
}

/// `GET /api/v1/provider/services`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceList {
    /// Every registered service.
    pub items: Vec<RegisteredService>,
    /// Refused service calls in the last 24 hours, by reason.
    pub refused_calls: Vec<RefusalCount>,
    /// The rate limits, with the calls each refused in the last 24 hours.
    #[serde(default)]
    pub rate_limits: Vec<RateLimitStatus>,
}

/// One rate limit and what it refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateLimitStatus {
    /// Its name (`writes`, `service-actions`, `dev-sign-in`,
    /// `unauthenticated`).
    pub name: String,
    /// What it counts per (`person`, `service`, `address`).
    pub per: String,
    /// How many calls a key may make in a period.
    pub limit: u32,
    /// The period, in seconds.
    pub period_seconds: u32,
    /// Calls it refused in the last 24 hours, by route.
    pub refused: Vec<RouteCount>,
}

/// How many calls of one route (`POST /api/v1/requests`) were refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteCount {
    pub route: String,
    pub count: i64,
}

/// One entry of the provider log (registrations and key changes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderLogEntry {
    /// Its position in the provider log, from 1.
    pub seq: i64,
    /// When (epoch ms).
    pub occurred_at: i64,
    /// Who (an integration admin's e-mail).
    pub user: String,
    /// What (`Register-LockboxService`, …).
    pub activity: String,
    /// The service's id.
    pub item: String,
    /// Key/value details.
    pub details: std::collections::BTreeMap<String, String>,
}

/// `GET /api/v1/provider/log`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderLog {
    /// Newest first.
    pub items: Vec<ProviderLogEntry>,
}

named_enum! {
    /// What the provider log records.
    pub enum ProviderActivity {
        /// A service was registered.
        RegisterService => "Register-LockboxService",
        /// A registered service changed (name, services, operations).
        ChangeService => "Set-LockboxService",
        /// A registered service's keys changed (a rotation).
        ChangeServiceKeys => "Set-LockboxServiceKey",
        /// A service was removed.
        RemoveService => "Remove-LockboxService",
        /// A tenant's data moved into its own Durable Object.
        MoveTenant => "Move-LockboxTenant",
        /// A tenant was exported whole (its data, for a restore).
        ExportTenant => "Export-LockboxTenant",
    }
}

/// `POST /api/v1/requests/{id}/grant-token`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantToken {
    /// The token (a JWT), for the provider's services.
    pub token: String,
    /// The grant.
    pub request_id: String,
    /// When the token expires (epoch ms): at most five minutes from now,
    /// never after the grant.
    pub expires_at: i64,
    /// The services it is for.
    pub audience: Vec<String>,
    /// The operations it allows.
    pub operations: Vec<String>,
}

/// `POST /api/v1/dev/service-assertion` (local development only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevAssertion {
    /// The demo service it signs in.
    pub service: String,
    /// `Authorization: Bearer <assertion>`.
    pub assertion: String,
    /// When it expires (epoch ms).
    pub expires_at: i64,
}
