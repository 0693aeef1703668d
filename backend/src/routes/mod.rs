//! HTTP routing: the table of every route, web-safety checks that apply to
//! all of them, and thin handlers per concern.

mod audit;
mod health;
mod me;
mod notifications;
pub mod openapi;
mod operations;
mod provider;
pub mod requests;
mod roles;
pub mod session;
mod settings;

use futures_util::{Stream, StreamExt};
use lockbox_shared::ids::{RequestId, TenantId};
use lockbox_shared::lifecycle::Verb;
use lockbox_shared::roles::Principal;
use serde::de::DeserializeOwned;
use serde::Serialize;
use worker::{Date, Method, Request, Response};

use crate::auth;
use crate::config::App;
use crate::error::AppError;

/// The largest request body the API reads.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Every route of the API. Adding a route means adding it here, so the
/// route table (and the OpenAPI document checked against it) has one source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Health,
    OpenApi,
    Me,
    Roles,
    RolesAssign,
    RolesRemove,
    SignOut,
    DevPeople,
    DevSignIn,
    DevShiftRequest,
    DevTenantObject,
    DevSeed,
    DevSeedAudit,
    DevOutbox,
    DevOutboxDue,
    DevMailFailures,
    Notifications,
    AddWebhook,
    RemoveWebhook,
    RotateWebhookSecret,
    Audit,
    AuditExportCsv,
    AuditExportJsonl,
    AuditCheckpoint,
    AuditPublicKey,
    Keys,
    AuditProof,
    AuditConsistency,
    LockboxSetting,
    SetLockboxSetting,
    FreezeSetting,
    SetFreeze,
    ApprovalsSetting,
    SetApprovals,
    EmergencySetting,
    SetEmergency,
    LanguageSetting,
    SetLanguage,
    SetOwnLanguage,
    Tenants,
    ListRequests,
    CreateRequest,
    AwaitingPreapproval,
    GetRequest,
    RequestReceipt,
    RequestReport,
    ExtendRequest,
    Transition(Verb),
    AccessCheck,
    Operations,
    RunOperation,
    Jwks,
    GrantToken,
    ProviderServices,
    RegisterService,
    ProviderLog,
    ProviderService,
    RemoveService,
    MoveTenant,
    ExportTenant,
    ProviderActions,
    Revocations,
    DevServiceAssertion,
}

impl Route {
    /// Every route. Literal paths come before templates that would also
    /// match them (`awaiting-preapproval` before `{id}`).
    pub const ALL: [Route; 70] = [
        Route::Health,
        Route::OpenApi,
        Route::Me,
        Route::Roles,
        Route::RolesAssign,
        Route::RolesRemove,
        Route::SignOut,
        Route::DevPeople,
        Route::DevSignIn,
        Route::DevShiftRequest,
        Route::DevTenantObject,
        Route::DevSeed,
        Route::DevSeedAudit,
        Route::DevOutbox,
        Route::DevOutboxDue,
        Route::DevMailFailures,
        Route::Notifications,
        Route::AddWebhook,
        Route::RemoveWebhook,
        Route::RotateWebhookSecret,
        Route::Audit,
        Route::AuditExportCsv,
        Route::AuditExportJsonl,
        Route::AuditCheckpoint,
        Route::AuditPublicKey,
        Route::Keys,
        Route::AuditProof,
        Route::AuditConsistency,
        Route::LockboxSetting,
        Route::SetLockboxSetting,
        Route::FreezeSetting,
        Route::SetFreeze,
        Route::ApprovalsSetting,
        Route::SetApprovals,
        Route::EmergencySetting,
        Route::SetEmergency,
        Route::LanguageSetting,
        Route::SetLanguage,
        Route::SetOwnLanguage,
        Route::Tenants,
        Route::ListRequests,
        Route::CreateRequest,
        Route::AwaitingPreapproval,
        Route::GetRequest,
        Route::RequestReceipt,
        Route::RequestReport,
        Route::ExtendRequest,
        Route::Transition(Verb::Preapprove),
        Route::Transition(Verb::Reject),
        Route::Transition(Verb::Approve),
        Route::Transition(Verb::Deny),
        Route::Transition(Verb::Cancel),
        Route::Transition(Verb::Revoke),
        Route::Transition(Verb::Ratify),
        Route::Transition(Verb::Dispute),
        Route::AccessCheck,
        Route::Operations,
        Route::RunOperation,
        Route::Jwks,
        Route::GrantToken,
        Route::ProviderServices,
        Route::RegisterService,
        Route::ProviderLog,
        Route::ProviderService,
        Route::RemoveService,
        Route::MoveTenant,
        Route::ExportTenant,
        Route::ProviderActions,
        Route::Revocations,
        Route::DevServiceAssertion,
    ];

    /// The route's path template; `{name}` stands for one segment.
    pub const fn path(self) -> &'static str {
        match self {
            Route::Health => "/api/v1/health",
            Route::OpenApi => "/api/v1/openapi.json",
            Route::Me => "/api/v1/me",
            Route::Roles => "/api/v1/roles",
            Route::RolesAssign => "/api/v1/roles/assign",
            Route::RolesRemove => "/api/v1/roles/remove",
            Route::SignOut => "/api/v1/sign-out",
            Route::DevPeople => "/api/v1/dev/people",
            Route::DevSignIn => "/api/v1/dev/sign-in",
            Route::DevShiftRequest => "/api/v1/dev/shift-request",
            Route::DevTenantObject => "/api/v1/dev/tenant-objects/{id}",
            Route::DevSeed => "/api/v1/dev/seed",
            Route::DevSeedAudit => "/api/v1/dev/seed-audit",
            Route::DevOutbox => "/api/v1/dev/outbox",
            Route::DevOutboxDue => "/api/v1/dev/outbox/due",
            Route::DevMailFailures => "/api/v1/dev/mail-sink/failures",
            Route::Notifications => "/api/v1/settings/notifications",
            Route::AddWebhook => "/api/v1/settings/notifications/webhooks",
            Route::RemoveWebhook => "/api/v1/settings/notifications/webhooks/{id}",
            Route::RotateWebhookSecret => {
                "/api/v1/settings/notifications/webhooks/{id}/rotate-secret"
            }
            Route::Audit => "/api/v1/audit",
            Route::AuditExportCsv => "/api/v1/audit/export.csv",
            Route::AuditExportJsonl => "/api/v1/audit/export.jsonl",
            Route::AuditCheckpoint => "/api/v1/audit/checkpoint",
            Route::AuditPublicKey => "/api/v1/audit/public-key",
            Route::Keys => "/api/v1/keys",
            Route::AuditProof => "/api/v1/audit/records/{id}/proof",
            Route::AuditConsistency => "/api/v1/audit/consistency",
            Route::LockboxSetting | Route::SetLockboxSetting => "/api/v1/settings/lockbox",
            Route::FreezeSetting | Route::SetFreeze => "/api/v1/settings/freeze",
            Route::ApprovalsSetting | Route::SetApprovals => "/api/v1/settings/approvals",
            Route::EmergencySetting | Route::SetEmergency => "/api/v1/settings/emergency",
            Route::LanguageSetting | Route::SetLanguage => "/api/v1/settings/language",
            Route::SetOwnLanguage => "/api/v1/me/language",
            Route::Tenants => "/api/v1/tenants",
            Route::ListRequests | Route::CreateRequest => "/api/v1/requests",
            Route::AwaitingPreapproval => "/api/v1/requests/awaiting-preapproval",
            Route::GetRequest => "/api/v1/requests/{id}",
            Route::RequestReceipt => "/api/v1/requests/{id}/receipt",
            Route::RequestReport => "/api/v1/requests/{id}/report",
            Route::ExtendRequest => "/api/v1/requests/{id}/extend",
            Route::Transition(Verb::Preapprove) => "/api/v1/requests/{id}/preapprove",
            Route::Transition(Verb::Reject) => "/api/v1/requests/{id}/reject",
            Route::Transition(Verb::Approve) => "/api/v1/requests/{id}/approve",
            Route::Transition(Verb::Deny) => "/api/v1/requests/{id}/deny",
            Route::Transition(Verb::Cancel) => "/api/v1/requests/{id}/cancel",
            Route::Transition(Verb::Revoke) => "/api/v1/requests/{id}/revoke",
            Route::Transition(Verb::Ratify) => "/api/v1/requests/{id}/ratify",
            Route::Transition(Verb::Dispute) => "/api/v1/requests/{id}/dispute",
            // The sweep's verbs have no route; this path matches nothing.
            Route::Transition(Verb::Expire | Verb::Complete | Verb::Lapse) => "/api/v1/-",
            Route::AccessCheck => "/api/v1/access/check",
            Route::Operations => "/api/v1/operations",
            Route::RunOperation => {
                "/api/v1/tenants/{tenant_id}/services/{service}/operations/{operation}"
            }
            Route::Jwks => "/.well-known/jwks.json",
            Route::GrantToken => "/api/v1/requests/{id}/grant-token",
            Route::ProviderServices | Route::RegisterService => "/api/v1/provider/services",
            Route::ProviderLog => "/api/v1/provider/log",
            Route::ProviderService | Route::RemoveService => {
                "/api/v1/provider/services/{service_id}"
            }
            Route::MoveTenant => "/api/v1/provider/tenants/{id}/move",
            Route::ExportTenant => "/api/v1/provider/tenants/{id}/export",
            Route::ProviderActions => "/api/v1/provider/actions",
            Route::Revocations => "/api/v1/provider/revocations",
            Route::DevServiceAssertion => "/api/v1/dev/service-assertion",
        }
    }

    /// The route as the metrics name it: `POST /api/v1/requests/{id}/approve`.
    pub fn label(self) -> String {
        format!("{} {}", self.method().as_ref(), self.path())
    }

    /// The one method a route accepts (GET routes also answer HEAD).
    pub fn method(self) -> Method {
        match self {
            Route::Health
            | Route::OpenApi
            | Route::Me
            | Route::Roles
            | Route::DevPeople
            | Route::DevTenantObject
            | Route::DevOutbox
            | Route::Notifications
            | Route::Audit
            | Route::AuditExportCsv
            | Route::AuditExportJsonl
            | Route::AuditCheckpoint
            | Route::AuditPublicKey
            | Route::Keys
            | Route::AuditProof
            | Route::AuditConsistency
            | Route::LockboxSetting
            | Route::FreezeSetting
            | Route::ApprovalsSetting
            | Route::EmergencySetting
            | Route::LanguageSetting
            | Route::Tenants
            | Route::ListRequests
            | Route::AwaitingPreapproval
            | Route::GetRequest
            | Route::RequestReceipt
            | Route::RequestReport
            | Route::AccessCheck
            | Route::Operations
            | Route::Jwks
            | Route::ProviderServices
            | Route::ProviderLog
            | Route::ProviderService
            | Route::ExportTenant
            | Route::Revocations => Method::Get,
            Route::RolesAssign
            | Route::RolesRemove
            | Route::SignOut
            | Route::DevSignIn
            | Route::DevShiftRequest
            | Route::DevSeed
            | Route::DevSeedAudit
            | Route::DevOutboxDue
            | Route::DevMailFailures
            | Route::AddWebhook
            | Route::RotateWebhookSecret
            | Route::SetLockboxSetting
            | Route::SetFreeze
            | Route::SetApprovals
            | Route::SetEmergency
            | Route::SetLanguage
            | Route::SetOwnLanguage
            | Route::ExtendRequest
            | Route::CreateRequest
            | Route::Transition(_)
            | Route::RunOperation
            | Route::GrantToken
            | Route::RegisterService
            | Route::MoveTenant
            | Route::ProviderActions
            | Route::DevServiceAssertion => Method::Post,
            Route::RemoveWebhook | Route::RemoveService => Method::Delete,
        }
    }

    fn accepts(self, method: &Method) -> bool {
        let own = self.method();
        *method == own || (own == Method::Get && *method == Method::Head)
    }

    /// The values of the `{name}` segments of `path` when it fits this
    /// route's template, by name; `None` when it does not fit. A `{name}`
    /// matches any one non-empty segment.
    pub fn params(self, path: &str) -> Option<Vec<(&'static str, String)>> {
        let path = path.trim_end_matches('/');
        let mut actual = path.split('/');
        let mut params = Vec::new();
        for t in self.path().split('/') {
            let a = actual.next()?;
            if let Some(name) = t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
                if a.is_empty() {
                    return None;
                }
                params.push((name, a.to_owned()));
            } else if a != t {
                return None;
            }
        }
        actual.next().is_none().then_some(params)
    }

    /// Whether `path` fits this route's template.
    pub fn matches(self, path: &str) -> bool {
        self.params(path).is_some()
    }

    /// Every method some route accepts at `path` (GET implies HEAD).
    pub fn allowed_methods(path: &str) -> Vec<&'static str> {
        let mut methods = Vec::new();
        for route in Self::ALL {
            if route.matches(path) {
                let names: &[&'static str] = match route.method() {
                    Method::Get => &["GET", "HEAD"],
                    Method::Delete => &["DELETE"],
                    _ => &["POST"],
                };
                for name in names {
                    if !methods.contains(name) {
                        methods.push(*name);
                    }
                }
            }
        }
        methods
    }

    /// The route for `method` and `path`: `Err(None)` when no route has the
    /// path, `Err(Some(route))` when one has it but not with this method.
    pub fn find(method: &Method, path: &str) -> Result<Self, Option<Self>> {
        let mut same_path = None;
        for route in Self::ALL {
            if route.matches(path) {
                if route.accepts(method) {
                    return Ok(route);
                }
                same_path.get_or_insert(route);
            }
        }
        Err(same_path)
    }
}

/// What a handler may need besides the app: the request's facts, read once.
pub struct Call {
    /// The request (headers, URL).
    pub req: Request,
    /// The wall clock when the request arrived (epoch ms, UTC).
    pub now_ms: i64,
    /// The caller's address as Cloudflare saw it.
    pub ip: String,
    /// The body of a state-changing request (empty for GET).
    pub body: Vec<u8>,
    /// The values of the route's `{name}` segments.
    pub params: Vec<(&'static str, String)>,
}

impl Call {
    /// The body as a JSON object whose members are ignored (`{}` is
    /// enough); a 400 otherwise.
    pub fn empty_object(&self) -> Result<(), AppError> {
        self.json::<serde_json::Map<String, serde_json::Value>>()
            .map(|_| ())
            .map_err(|_| AppError::bad_request("This endpoint takes a JSON object; send {}."))
    }

    /// The body parsed as `T`; a 400 that names the problem otherwise.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, AppError> {
        serde_json::from_slice(&self.body).map_err(|err| {
            AppError::bad_request(format!(
                "The JSON body is not what this endpoint takes: {err}."
            ))
        })
    }

    /// The query parameters of the URL.
    pub fn query(&self) -> Vec<(String, String)> {
        self.req
            .url()
            .map(|url| {
                url.query_pairs()
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The value of the route's `{name}` segment (empty if it has none).
    pub fn param(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Whether the request came from this machine (local development),
    /// judged by the connecting address and never by the Host header, which
    /// the client writes.
    pub fn is_loopback(&self) -> bool {
        is_loopback_address(&self.ip)
    }
}

/// Whether `connecting_ip` (the `CF-Connecting-IP` header: set by
/// Cloudflare's edge in a deployment, by `wrangler dev` from the socket
/// locally) is a loopback address, IPv4-mapped IPv6 included.
pub fn is_loopback_address(connecting_ip: &str) -> bool {
    connecting_ip
        .trim()
        .parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.to_canonical().is_loopback())
}

/// A time given as RFC 3339 (`2026-11-28T09:00:00Z`) or epoch milliseconds;
/// `name` is the parameter, for the message.
pub fn parse_time(name: &str, value: &str) -> Result<i64, AppError> {
    if let Ok(ms) = value.trim().parse::<i64>() {
        return Ok(ms);
    }
    chrono::DateTime::parse_from_rfc3339(value.trim())
        .map(|t| t.timestamp_millis())
        .map_err(|_| {
            AppError::bad_request(format!(
                "`{name}` must be a time such as 2026-11-28T09:00:00Z, not {value:?}."
            ))
        })
}

/// A JSON response with `status`.
pub fn json<T: Serialize>(value: &T, status: u16) -> Result<Response, AppError> {
    Ok(Response::from_json(value)?.with_status(status))
}

/// Answers one request. Never panics; every failure becomes a problem+json,
/// and every answer carries the security headers.
pub async fn handle(req: Request, app: &App) -> worker::Result<Response> {
    let changes = !matches!(req.method(), Method::Get | Method::Head | Method::Options);
    let (ip, label) = (connecting_ip(&req), route_label(&req));
    let mut response = match dispatch(req, app).await {
        Ok(response) => response,
        Err(err) if changes => err.on_change().into_response()?,
        Err(err) => err.into_response()?,
    };
    if response.status_code() == 401 {
        // Calls without a valid sign-in count against their address.
        let counted = app
            .limits
            .check(
                &*app.db,
                crate::limits::Limit::Anonymous,
                &ip,
                &label,
                Date::now().as_millis() as i64,
            )
            .await;
        if let Err(refusal) = counted {
            response = refusal.into_response()?;
        }
    }
    // The database round trips the answer waited for (DevTools' Timing
    // tab; the API benchmark prints them per route).
    response
        .headers_mut()
        .set("Server-Timing", &app.db.waits().header())?;
    harden(response)
}

/// The client's address (`CF-Connecting-IP`).
fn connecting_ip(req: &Request) -> String {
    req.headers()
        .get("CF-Connecting-IP")
        .ok()
        .flatten()
        .unwrap_or_else(|| "unknown".to_owned())
}

/// The route a request is for, as the metrics name it (never the path
/// itself, which the caller chooses).
fn route_label(req: &Request) -> String {
    Route::find(&req.method(), &req.path())
        .map(Route::label)
        .unwrap_or_else(|_| "no route".to_owned())
}

async fn dispatch(req: Request, app: &App) -> Result<Response, AppError> {
    let path = req.path();
    let method = req.method();
    // worker::Method reads a method it does not know (QUERY, say) as GET:
    // look at the method as sent.
    let sent = req.inner().method();
    let known = sent.eq_ignore_ascii_case(method.as_ref());
    let route = Route::find(&method, &path)
        .ok()
        .filter(|_| known)
        .ok_or_else(|| match Route::allowed_methods(&path) {
            allowed if allowed.is_empty() => AppError::NotFound { path: path.clone() },
            allowed => AppError::MethodNotAllowed {
                method: sent.clone(),
                path: path.clone(),
                allow: allowed.join(", "),
            },
        })?;
    let ip = connecting_ip(&req);
    let params = route.params(&path).unwrap_or_default();
    let mut call = Call {
        req,
        now_ms: Date::now().as_millis() as i64,
        ip,
        body: Vec::new(),
        params,
    };
    if matches!(
        route,
        Route::DevPeople
            | Route::DevSignIn
            | Route::DevShiftRequest
            | Route::DevTenantObject
            | Route::DevSeed
            | Route::DevSeedAudit
            | Route::DevOutbox
            | Route::DevOutboxDue
            | Route::DevMailFailures
            | Route::DevServiceAssertion
    ) {
        // Outside local development these paths do not exist at all.
        session::dev_keys(app, &call)?;
    }
    if route.method() != Method::Get {
        check_same_site(&call.req)?;
    }
    if route.method() == Method::Post {
        call.body = read_json_body(&mut call.req).await?;
    }

    match route {
        Route::Health => return health::get(app).await,
        Route::OpenApi => return openapi::get(app, &call.req).await,
        // A public key is public: anyone may check a checkpoint with it.
        Route::AuditPublicKey => return audit::public_key(app, call.now_ms).await,
        Route::Keys => return audit::keys(app, call.now_ms).await,
        Route::SignOut => return session::sign_out(app, &call).await,
        Route::DevPeople => return session::dev_people(app, &call).await,
        Route::DevSignIn => {
            app.limits
                .check(
                    &*app.db,
                    crate::limits::Limit::SignIn,
                    &call.ip,
                    &route.label(),
                    call.now_ms,
                )
                .await?;
            return session::dev_sign_in(app, &call).await;
        }
        Route::DevShiftRequest => return session::dev_shift_request(app, &call).await,
        Route::DevTenantObject => return session::dev_tenant_object(app, &call).await,
        Route::DevSeed => return session::dev_seed(app, &call).await,
        Route::DevSeedAudit => return session::dev_seed_audit(app, &call).await,
        Route::DevOutbox => return notifications::dev_outbox(app, &call).await,
        Route::DevOutboxDue => return notifications::dev_make_due(app, &call).await,
        Route::DevMailFailures => return notifications::dev_fail_next(app, &call).await,
        Route::DevServiceAssertion => return provider::dev_assertion(app, &call).await,
        // Public keys are public: any service verifies grant tokens with them.
        Route::Jwks => return provider::jwks(app),
        // Provider services sign in with their own keys, not as people.
        Route::ProviderActions => return provider::actions(app, &call).await,
        Route::Revocations => return provider::revocations(app, &call).await,
        _ => {}
    }
    // These find who is calling in the same round trip as their first read.
    match route {
        Route::AccessCheck => return requests::check_access(app, &call).await,
        Route::RunOperation => return operations::run(app, &call).await,
        Route::Transition(verb) => return requests::transition(app, &call, verb).await,
        _ => {}
    }
    let principal = auth::authenticate(&call.req, &app.verifier, &app.db, call.now_ms).await?;
    if route.method() != Method::Get {
        count_change(app, route, &principal, call.now_ms).await?;
    }
    // A call on one tenant's data is answered next to it.
    if let Some(tenant) = tenant_of(app, route, &principal, &call).await? {
        if let Some(object) = app.db.elsewhere(&tenant).await? {
            return forward(&object, &call, &principal, None).await;
        }
    }
    answer(app, route, &call, &principal).await
}

/// Counts a signed-in person's change against their rate limit (429 once
/// over it, before anything changes).
pub async fn count_change(
    app: &App,
    route: Route,
    p: &Principal,
    now: i64,
) -> Result<(), AppError> {
    app.limits
        .check(
            &*app.db,
            crate::limits::Limit::Writes,
            p.user_id.as_str(),
            &route.label(),
            now,
        )
        .await
}

/// The tenant whose data a call works on, when it works on one tenant's:
/// a customer's own; the tenant of the request it names (as the
/// provider's index says; a wrong one finds nothing there); the tenant a
/// new request is for. Calls across tenants (a manager's queue, the
/// directory, the services) have none.
async fn tenant_of(
    app: &App,
    route: Route,
    p: &Principal,
    call: &Call,
) -> Result<Option<TenantId>, AppError> {
    let on_a_request = matches!(
        route,
        Route::GetRequest
            | Route::RequestReceipt
            | Route::RequestReport
            | Route::ExtendRequest
            | Route::GrantToken
    );
    let customers = matches!(
        route,
        Route::Audit
            | Route::AuditExportCsv
            | Route::AuditExportJsonl
            | Route::AuditCheckpoint
            | Route::AuditProof
            | Route::AuditConsistency
            | Route::Roles
            | Route::RolesAssign
            | Route::RolesRemove
            | Route::LockboxSetting
            | Route::SetLockboxSetting
            | Route::FreezeSetting
            | Route::SetFreeze
            | Route::ApprovalsSetting
            | Route::SetApprovals
            | Route::EmergencySetting
            | Route::SetEmergency
            | Route::LanguageSetting
            | Route::SetLanguage
            | Route::Notifications
            | Route::AddWebhook
            | Route::RemoveWebhook
            | Route::RotateWebhookSecret
            | Route::ListRequests
            | Route::CreateRequest
    );
    if let Some(tenant) = p.tenant() {
        return Ok((on_a_request || customers).then(|| tenant.clone()));
    }
    if on_a_request {
        let Ok(id) = RequestId::parse(call.param("id")) else {
            return Ok(None);
        };
        let located: Vec<crate::store::provider_index::Located> = crate::store::Database::query(
            &*app.db,
            crate::store::provider_index::locate_statement(&id),
        )
        .await?;
        return Ok(located.into_iter().next().map(|l| l.tenant_id));
    }
    if route == Route::CreateRequest {
        #[derive(serde::Deserialize)]
        struct For {
            tenant_id: String,
        }
        return Ok(call
            .json::<For>()
            .ok()
            .and_then(|f| TenantId::parse(&f.tenant_id).ok()));
    }
    Ok(None)
}

/// Sends the call, as the Worker authenticated it, to the tenant's object
/// (see [`crate::store::object::PRINCIPAL_HEADER`]); the object's answer
/// is the call's.
pub async fn forward(
    object: &crate::store::object::Remote,
    call: &Call,
    p: &Principal,
    located: Option<&crate::store::provider_index::Located>,
) -> Result<Response, AppError> {
    use crate::store::object::{IP_HEADER, LOCATED_HEADER, NOW_HEADER, PRINCIPAL_HEADER};
    let to_text = |e: serde_json::Error| AppError::Internal(format!("forwarding a call: {e}"));
    let headers = worker::Headers::new();
    for (name, value) in call.req.headers().entries() {
        headers.set(&name, &value)?;
    }
    headers.set(
        PRINCIPAL_HEADER,
        &serde_json::to_string(p).map_err(to_text)?,
    )?;
    headers.set(NOW_HEADER, &call.now_ms.to_string())?;
    headers.set(IP_HEADER, &call.ip)?;
    match located {
        Some(located) => headers.set(
            LOCATED_HEADER,
            &serde_json::to_string(located).map_err(to_text)?,
        )?,
        None => headers.delete(LOCATED_HEADER)?,
    }
    let mut init = worker::RequestInit::new();
    init.with_method(call.req.method()).with_headers(headers);
    if !call.body.is_empty() {
        init.with_body(Some(
            worker::js_sys::Uint8Array::from(call.body.as_slice()).into(),
        ));
    }
    let request = Request::new_with_init(call.req.url()?.as_str(), &init)?;
    let answered = object.forward(request).await?;
    // A fetched answer's headers cannot change; the Worker's own can.
    let status = answered.status_code();
    let headers = worker::Headers::new();
    for (name, value) in answered.headers().entries() {
        headers.set(&name, &value)?;
    }
    let (_, body) = answered.into_parts();
    Ok(worker::ResponseBuilder::new()
        .with_status(status)
        .with_headers(headers)
        .body(body))
}

/// Answers an authenticated call: in the Worker, or in the tenant's own
/// object the Worker forwarded it to.
pub async fn answer(
    app: &App,
    route: Route,
    call: &Call,
    p: &Principal,
) -> Result<Response, AppError> {
    match route {
        Route::Me => me::get(app, p).await,
        Route::Audit => audit::search(app, p, call).await,
        Route::AuditExportCsv => audit::export(app, p, call, audit::Format::Csv).await,
        Route::AuditExportJsonl => audit::export(app, p, call, audit::Format::JsonLines).await,
        Route::AuditCheckpoint => audit::checkpoint(app, p, call.now_ms).await,
        Route::AuditProof => audit::proof(app, p, call).await,
        Route::AuditConsistency => audit::consistency(app, p, call).await,
        Route::Roles => roles::list(app, p).await,
        Route::RolesAssign => roles::assign(app, p, call).await,
        Route::RolesRemove => roles::remove(app, p, call).await,
        Route::LockboxSetting => settings::get(app, p).await,
        Route::Notifications => notifications::get(app, p).await,
        Route::AddWebhook => notifications::add(app, p, call).await,
        Route::RemoveWebhook => notifications::remove(app, p, call).await,
        Route::RotateWebhookSecret => notifications::rotate_secret(app, p, call).await,
        Route::SetLockboxSetting => settings::set(app, p, call).await,
        Route::FreezeSetting => settings::freeze(app, p).await,
        Route::SetFreeze => settings::set_freeze(app, p, call).await,
        Route::ApprovalsSetting => settings::approvals(app, p).await,
        Route::SetApprovals => settings::set_approvals(app, p, call).await,
        Route::EmergencySetting => settings::emergency(app, p).await,
        Route::SetEmergency => settings::set_emergency(app, p, call).await,
        Route::LanguageSetting => settings::language(app, p).await,
        Route::SetLanguage => settings::set_language(app, p, call).await,
        Route::SetOwnLanguage => me::set_language(app, p, call).await,
        Route::Tenants => settings::tenants(app, p).await,
        Route::ListRequests => requests::list(app, p, call).await,
        Route::CreateRequest => requests::create(app, p, call).await,
        Route::AwaitingPreapproval => requests::awaiting_preapproval(app, p, call).await,
        Route::GetRequest => requests::get(app, p, call).await,
        Route::RequestReceipt => requests::receipt(app, p, call).await,
        Route::RequestReport => requests::report(app, p, call).await,
        Route::ExtendRequest => requests::extend(app, p, call).await,
        Route::Operations => operations::list(app, p, call).await,
        Route::GrantToken => provider::grant_token(app, p, call).await,
        Route::ProviderServices => provider::list(app, p, call).await,
        Route::RegisterService => provider::register(app, p, call).await,
        Route::ProviderService => provider::get(app, p, call).await,
        Route::RemoveService => provider::remove(app, p, call).await,
        Route::MoveTenant => provider::move_tenant(app, p, call).await,
        Route::ExportTenant => provider::export_tenant(app, p, call).await,
        Route::ProviderLog => provider::log(app, p).await,
        // Forwarded by the Worker only, once it has found the caller.
        Route::AccessCheck => requests::check_access_as(app, call, p).await,
        Route::RunOperation => operations::run_as(app, call, p).await,
        Route::Health
        | Route::Transition(_)
        | Route::OpenApi
        | Route::SignOut
        | Route::DevPeople
        | Route::DevSignIn
        | Route::DevShiftRequest
        | Route::DevTenantObject
        | Route::DevSeed
        | Route::DevSeedAudit
        | Route::DevOutbox
        | Route::DevOutboxDue
        | Route::DevMailFailures
        | Route::DevServiceAssertion
        | Route::Jwks
        | Route::ProviderActions
        | Route::Revocations
        | Route::Keys
        | Route::AuditPublicKey => Err(AppError::Internal("unreachable route".into())),
    }
}

/// Refuses a state change that a browser sent from another site (CSRF).
/// Browsers send `Sec-Fetch-Site` and `Origin`; API clients send neither.
fn check_same_site(req: &Request) -> Result<(), AppError> {
    let headers = req.headers();
    if let Ok(Some(site)) = headers.get("Sec-Fetch-Site") {
        if site != "same-origin" && site != "none" {
            return Err(AppError::CrossSite);
        }
    }
    if let Ok(Some(origin)) = headers.get("Origin") {
        let own = req.url().map(|url| url.origin().ascii_serialization())?;
        if origin != own {
            return Err(AppError::CrossSite);
        }
    }
    Ok(())
}

async fn read_json_body(req: &mut Request) -> Result<Vec<u8>, AppError> {
    let content_type = req.headers().get("Content-Type")?.unwrap_or_default();
    let media_type = content_type.split(';').next().unwrap_or_default().trim();
    if !media_type.eq_ignore_ascii_case("application/json") {
        return Err(AppError::NotJson);
    }
    let declared = req
        .headers()
        .get("Content-Length")?
        .and_then(|v| v.trim().parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES) {
        return Err(AppError::TooLarge {
            limit: MAX_BODY_BYTES,
        });
    }
    // A POST without a body has no stream to read.
    if req.inner().body().is_none() {
        return Err(AppError::NotJson);
    }
    let body = read_at_most(req.stream()?, MAX_BODY_BYTES).await?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(AppError::NotJson);
    }
    Ok(body)
}

/// Reads `stream` to its end, or stops with a 413 as soon as more than
/// `limit` bytes have arrived: a chunked body declares no length up front,
/// and buffering it whole first would let any caller fill the isolate's
/// memory.
async fn read_at_most<S, E>(stream: S, limit: usize) -> Result<Vec<u8>, AppError>
where
    S: Stream<Item = Result<Vec<u8>, E>>,
    AppError: From<E>,
{
    let mut stream = std::pin::pin!(stream);
    let mut body = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        if chunk.len() > limit - body.len() {
            return Err(AppError::TooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Security headers on every API answer: nothing here is a page, nothing may
/// be framed, sniffed or cached.
fn harden(mut response: Response) -> worker::Result<Response> {
    let headers = response.headers_mut();
    headers.set(
        "Content-Security-Policy",
        "default-src 'none'; frame-ancestors 'none'",
    )?;
    headers.set("X-Content-Type-Options", "nosniff")?;
    headers.set("X-Frame-Options", "DENY")?;
    headers.set("Referrer-Policy", "no-referrer")?;
    headers.set("Strict-Transport-Security", "max-age=31536000")?;
    if !headers.has("Cache-Control")? {
        headers.set("Cache-Control", "no-store")?;
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(path: &str) -> Option<Route> {
        Route::find(&Method::Get, path).ok()
    }

    #[test]
    fn health_is_recognised_with_or_without_a_trailing_slash() {
        assert_eq!(get("/api/v1/health"), Some(Route::Health));
        assert_eq!(get("/api/v1/health/"), Some(Route::Health));
    }

    #[test]
    fn every_route_is_found_by_its_own_path_and_method() {
        for route in Route::ALL {
            let path = route
                .path()
                .replace("{id}", "0f8fad5b-d9cb-469f-a165-70867728950e");
            assert_eq!(Route::find(&route.method(), &path), Ok(route), "{route:?}");
        }
    }

    #[test]
    fn route_parameters_are_read_by_name() {
        let id = "0f8fad5b-d9cb-469f-a165-70867728950e";
        assert_eq!(
            Route::Transition(Verb::Approve).params(&format!("/api/v1/requests/{id}/approve")),
            Some(vec![("id", id.to_owned())])
        );
        assert_eq!(Route::GetRequest.params("/api/v1/requests/"), None);
    }

    #[test]
    fn a_literal_path_wins_over_a_template() {
        assert_eq!(
            get("/api/v1/requests/awaiting-preapproval"),
            Some(Route::AwaitingPreapproval)
        );
    }

    #[test]
    fn the_wrong_method_on_a_known_path_is_told_apart_from_an_unknown_path() {
        assert_eq!(
            Route::find(&Method::Delete, "/api/v1/health"),
            Err(Some(Route::Health))
        );
        assert_eq!(Route::find(&Method::Get, "/api/v1/healthz"), Err(None));
    }

    /// Runs a future that never waits (the test streams are always ready).
    fn now_or_never<F: std::future::Future>(future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        let mut context = std::task::Context::from_waker(std::task::Waker::noop());
        match future.as_mut().poll(&mut context) {
            std::task::Poll::Ready(output) => output,
            std::task::Poll::Pending => panic!("the future waited"),
        }
    }

    /// `count` chunks of `size` bytes, counting how many were read.
    fn chunks(
        count: usize,
        size: usize,
        read: &std::cell::Cell<usize>,
    ) -> impl Stream<Item = Result<Vec<u8>, worker::Error>> + '_ {
        futures_util::stream::iter((0..count).map(move |_| Ok(vec![b' '; size])))
            .inspect(move |_| read.set(read.get() + 1))
    }

    #[test]
    fn a_body_up_to_the_limit_is_read_whole() {
        let read = std::cell::Cell::new(0);
        let body = now_or_never(read_at_most(chunks(64, 1024, &read), MAX_BODY_BYTES));
        assert_eq!(body.map(|b| b.len()).ok(), Some(MAX_BODY_BYTES));
        assert_eq!(read.get(), 64);
    }

    #[test]
    fn a_body_over_the_limit_is_refused_as_soon_as_the_limit_is_passed() {
        let read = std::cell::Cell::new(0);
        let body = now_or_never(read_at_most(chunks(10_000, 1024, &read), MAX_BODY_BYTES));
        assert!(
            matches!(body, Err(AppError::TooLarge { limit }) if limit == MAX_BODY_BYTES),
            "{body:?}"
        );
        assert_eq!(read.get(), 65, "reading went on past the limit");
    }

    #[test]
    fn one_byte_over_the_limit_is_too_large() {
        let read = std::cell::Cell::new(0);
        let body = now_or_never(read_at_most(
            chunks(1, MAX_BODY_BYTES + 1, &read),
            MAX_BODY_BYTES,
        ));
        assert!(matches!(body, Err(AppError::TooLarge { .. })), "{body:?}");
    }

    #[test]
    fn loopback_connecting_addresses_are_recognised() {
        for ip in ["127.0.0.1", "::1", "::ffff:127.0.0.1", " 127.0.0.1 "] {
            assert!(is_loopback_address(ip), "{ip}");
        }
    }

    #[test]
    fn other_connecting_addresses_and_host_names_are_not_loopback() {
        for ip in [
            "203.0.113.7",
            "2001:db8::1",
            "::ffff:203.0.113.7",
            "0.0.0.0",
            "::",
            "localhost",
            "127.0.0.1:8787",
            "[::1]",
            "127.0.0.1, 203.0.113.7",
            "unknown",
            "",
        ] {
            assert!(!is_loopback_address(ip), "{ip}");
        }
    }

    #[test]
    fn unknown_paths_are_not_recognised() {
        for path in [
            "/api/v2/health",
            "/health",
            "/api/v1/roles/assign/extra",
            "/api/v1/requests//approve",
            "/api/v1/-",
        ] {
            assert!(Route::find(&Method::Post, path).is_err(), "{path}");
            assert!(Route::find(&Method::Get, path).is_err(), "{path}");
        }
    }
}
