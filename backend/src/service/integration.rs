//! The integration boundary (SPEC §5): registering the provider's services,
//! grant tokens for engineers, the action log services write before they
//! touch content, and the feed of grants ended early.

use std::collections::BTreeMap;

use lockbox_provider::actions::{self as wire, ActionBatch, RecordedAction, RecordedBatch};
use lockbox_provider::grant::{self, GrantClaims};
use lockbox_provider::jose;
use lockbox_provider::jwks::{Jwk, Jwks};
use lockbox_provider::revocations::{Ended, Frozen, RevocationFeed};
use lockbox_provider::{SigningKey, VerifyingKey, LEEWAY_SECONDS, MAX_GRANT_TOKEN_SECONDS};
use lockbox_shared::audit::{Activity, AuditRecord, LockboxActivity, NewAuditRecord, Outcome};
use lockbox_shared::ids::{RequestId, TenantId};
use lockbox_shared::integration::{
    GrantToken, ProviderActivity, ProviderLog, RegisteredService, ServiceList, ServicePublicKey,
    ServiceRegistration,
};
use lockbox_shared::lifecycle::AccessRequest;
use lockbox_shared::notify::{self, WebhookEvent};
use lockbox_shared::operations::GrantRefusal;
use lockbox_shared::policy::{authorize, Action};
use lockbox_shared::roles::Principal;
use lockbox_shared::text;
use lockbox_shared::validation::Invalid;
use sha2::Digest as _;

use super::Stamp;
use crate::error::AppError;
use crate::store::requests as grants;
use crate::store::{audit, services, settings, Database, Statement, Stores, Tenant};

/// The key that signs grant tokens (one key per purpose: not the audit
/// log's), and the one it replaced while tokens it signed may still live.
#[derive(Clone)]
pub struct GrantKeys {
    signing: SigningKey,
    kid: String,
    previous: Option<(String, VerifyingKey)>,
}

impl GrantKeys {
    /// From the base64 seeds of the current key and, during a rotation,
    /// the previous one. Key ids are the keys' thumbprints.
    pub fn from_seeds(current: &str, previous: Option<&str>) -> Result<Self, String> {
        let signing = jose::signing_key_from_base64(current)?;
        let kid = lockbox_provider::jwks::thumbprint(&signing.verifying_key());
        let previous = previous
            .map(|seed| {
                jose::signing_key_from_base64(seed).map(|k| {
                    let public = k.verifying_key();
                    (lockbox_provider::jwks::thumbprint(&public), public)
                })
            })
            .transpose()?;
        Ok(Self {
            signing,
            kid,
            previous,
        })
    }

    /// The current key as the list of keys in use notes it.
    pub fn in_use(&self) -> crate::keys::InUse {
        crate::keys::InUse {
            purpose: crate::keys::Purpose::Grant,
            key_id: self.kid.clone(),
            public_key: Jwk::of(&self.signing.verifying_key(), &self.kid).x,
        }
    }

    /// The published key set: the current key, and the previous one.
    pub fn jwks(&self) -> Jwks {
        let mut keys = vec![Jwk::of(&self.signing.verifying_key(), &self.kid)];
        if let Some((kid, key)) = &self.previous {
            keys.push(Jwk::of(key, kid));
        }
        Jwks { keys }
    }
}

/// What the boundary needs from the deployment.
pub struct Boundary<'a> {
    /// The grant-token keys, or why there are none.
    pub keys: &'a Result<GrantKeys, String>,
    /// `https://<deployment>`: the tokens' issuer and the assertions' audience.
    pub issuer: &'a str,
    /// The user the customer's log shows for operator actions.
    pub operator: &'a str,
}

impl Boundary<'_> {
    fn keys(&self) -> Result<&GrantKeys, AppError> {
        self.keys
            .as_ref()
            .map_err(|why| AppError::Misconfigured(why.clone()))
    }
}

fn invalid(field: &'static str, message: String) -> AppError {
    AppError::invalid(Invalid { field, message })
}

fn plain(text: &str, max: usize) -> bool {
    !text.trim().is_empty() && text.chars().count() <= max && !text.chars().any(char::is_control)
}

/// Whether `id` is a service id: `svc:`, then a lower-case letter or digit
/// and up to 47 more lower-case letters, digits or dashes.
pub fn is_service_id(id: &str) -> bool {
    id.strip_prefix("svc:").is_some_and(|name| {
        (1..=48).contains(&name.len())
            && name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    })
}

/// Checks a registration; `known` are the services tenants have.
pub fn check_registration(r: &ServiceRegistration, known: &[String]) -> Result<(), AppError> {
    if !is_service_id(&r.id) {
        return Err(invalid(
            "id",
            format!(
                "`id` must be svc: and a lower-case name such as svc:mail, not {:?}.",
                r.id
            ),
        ));
    }
    if !plain(&r.name, 100) {
        return Err(invalid(
            "name",
            "`name` must be 1 to 100 characters without control characters.".into(),
        ));
    }
    if r.serves.is_empty() {
        return Err(invalid(
            "serves",
            "`serves` must name at least one of the tenants' services.".into(),
        ));
    }
    if let Some(unknown) = r.serves.iter().find(|s| !known.contains(s)) {
        return Err(invalid(
            "serves",
            format!(
                "No tenant has a service {unknown:?}; the tenants' services are {}.",
                known.join(", ")
            ),
        ));
    }
    if r.operations.is_empty() || r.operations.len() > 100 {
        return Err(invalid(
            "operations",
            "`operations` must list 1 to 100 operations.".into(),
        ));
    }
    let mut names = std::collections::BTreeSet::new();
    for op in &r.operations {
        if !wire::is_operation_name(&op.name) || LockboxActivity::parse(&op.name).is_some() {
            return Err(invalid("operations", format!("Operation {:?}: a name is a letter, then letters, digits and dashes (such as Get-Message), and not one of Lockbox's own activities.", op.name)));
        }
        if !names.insert(op.name.as_str()) {
            return Err(invalid(
                "operations",
                format!("Operation {:?} is listed twice.", op.name),
            ));
        }
        if let Some(service) = op.service.as_ref().filter(|s| !r.serves.contains(s)) {
            return Err(invalid(
                "operations",
                format!(
                    "Operation {}: its service {service:?} is not one the registration serves ({}).",
                    op.name,
                    r.serves.join(", ")
                ),
            ));
        }
        if op.description.chars().count() > 500 || op.description.chars().any(char::is_control) {
            return Err(invalid("operations", format!("Operation {}: the description is at most 500 characters without control characters.", op.name)));
        }
        if let Some(p) = op
            .parameters
            .iter()
            .find(|p| !wire::is_parameter_name(&p.name) || p.description.chars().count() > 500)
        {
            return Err(invalid("operations", format!("Operation {}: parameter {:?} must be letters and digits starting with a letter, not one of {}, with a description of at most 500 characters.", op.name, p.name, wire::RESERVED_KEYS.join(", "))));
        }
    }
    if r.keys.is_empty() || r.keys.len() > 2 {
        return Err(invalid(
            "keys",
            "`keys` holds one Ed25519 public key, or two during a rotation.".into(),
        ));
    }
    for key in &r.keys {
        verifying_key(key).map_err(|why| invalid("keys", format!("{why}.")))?;
        if !plain(&key.kid, 100) {
            return Err(invalid(
                "keys",
                "Each key needs a `kid` of 1 to 100 characters.".into(),
            ));
        }
    }
    if let [a, b] = r.keys.as_slice() {
        if a.kid == b.kid {
            return Err(invalid(
                "keys",
                "The two keys need different `kid`s.".into(),
            ));
        }
    }
    if let Some(cn) = &r.access_common_name {
        if !plain(cn, 200) {
            return Err(invalid("access_common_name", "`access_common_name` is the Access service token's client id, 1 to 200 characters.".into()));
        }
    }
    Ok(())
}

/// A registered public key, checked by the SDK's one rule for JWKs.
fn verifying_key(key: &ServicePublicKey) -> Result<VerifyingKey, String> {
    Jwk {
        kty: key.kty.clone(),
        crv: key.crv.clone(),
        x: key.x.clone(),
        kid: key.kid.clone(),
        alg: None,
        usage: None,
    }
    .verifying_key()
}

/// The verifying key named `kid` of a registered service.
pub fn service_key(service: &RegisteredService, kid: &str) -> Option<VerifyingKey> {
    service
        .registration
        .keys
        .iter()
        .find(|k| k.kid == kid)
        .and_then(|k| verifying_key(k).ok())
}

/// Integration admins: every registered service, and refused calls.
pub async fn list<D: Database>(db: &D, p: &Principal, now: i64) -> Result<ServiceList, AppError> {
    authorize(p, Action::ManageProviderServices, None)?;
    Ok(ServiceList {
        items: services::all(db).await?,
        refused_calls: services::refusals(db, now).await?,
        rate_limits: crate::limits::status(db, now).await?,
    })
}

/// Integration admins: one registered service.
pub async fn get<D: Database>(
    db: &D,
    p: &Principal,
    id: &str,
) -> Result<RegisteredService, AppError> {
    authorize(p, Action::ManageProviderServices, None)?;
    services::by_id(db, id)
        .await?
        .ok_or_else(|| AppError::Missing {
            what: format!("The service {id:?}"),
        })
}

/// Integration admins: the provider log, newest first.
pub async fn log<D: Database>(db: &D, p: &Principal) -> Result<ProviderLog, AppError> {
    authorize(p, Action::ManageProviderServices, None)?;
    Ok(ProviderLog {
        items: services::log_page(db, 200).await?,
    })
}

fn key_ids(r: &ServiceRegistration) -> String {
    r.keys
        .iter()
        .map(|k| k.kid.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Registers `r`, or replaces the registration with its id; the provider
/// log records what changed. `known` are the tenants' services.
pub async fn register<D: Database>(
    db: &D,
    p: &Principal,
    r: &ServiceRegistration,
    known: &[String],
    now: i64,
) -> Result<(RegisteredService, bool), AppError> {
    authorize(p, Action::ManageProviderServices, None)?;
    check_registration(r, known)?;
    let before = services::by_id(db, &r.id).await?;
    let mut details = BTreeMap::from([
        ("Name".to_owned(), r.name.clone()),
        ("Serves".to_owned(), r.serves.join(", ")),
        (
            "Operations".to_owned(),
            r.operations
                .iter()
                .map(|o| o.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        ("KeyIds".to_owned(), key_ids(r)),
    ]);
    if let Some(cn) = &r.access_common_name {
        details.insert("AccessCommonName".to_owned(), cn.clone());
    }
    let mut statements = vec![services::upsert(r, &p.email, now)];
    match &before {
        None => statements.push(services::log(
            ProviderActivity::RegisterService,
            &r.id,
            &p.email,
            &details,
            now,
            None,
        )),
        Some(old) => {
            let old = &old.registration;
            if old.keys != r.keys {
                let keys = BTreeMap::from([
                    ("KeyIds".to_owned(), key_ids(r)),
                    ("PreviousKeyIds".to_owned(), key_ids(old)),
                ]);
                statements.push(services::log(
                    ProviderActivity::ChangeServiceKeys,
                    &r.id,
                    &p.email,
                    &keys,
                    now,
                    None,
                ));
            }
            let same_rest = ServiceRegistration {
                keys: r.keys.clone(),
                ..old.clone()
            } == *r;
            if !same_rest {
                statements.push(services::log(
                    ProviderActivity::ChangeService,
                    &r.id,
                    &p.email,
                    &details,
                    now,
                    None,
                ));
            }
        }
    }
    db.batch(statements).await.map_err(|err| match err {
        crate::store::DbError::Unique(_) => invalid(
            "access_common_name",
            "Another registered service already uses this Access service token.".into(),
        ),
        other => other.into(),
    })?;
    let saved = services::by_id(db, &r.id).await?.ok_or_else(|| {
        AppError::InternalAfterChange("the registration just written is not there".into())
    })?;
    Ok((saved, before.is_none()))
}

/// Removes service `id`; its assertions stop working at once.
pub async fn remove<D: Database>(
    db: &D,
    p: &Principal,
    id: &str,
    now: i64,
) -> Result<(), AppError> {
    authorize(p, Action::ManageProviderServices, None)?;
    let Some(before) = services::by_id(db, id).await? else {
        return Err(AppError::Missing {
            what: format!("The service {id:?}"),
        });
    };
    let details = BTreeMap::from([("Name".to_owned(), before.registration.name.clone())]);
    db.batch(vec![
        services::log(
            ProviderActivity::RemoveService,
            id,
            &p.email,
            &details,
            now,
            Some(&services::registered(id)),
        ),
        services::remove(id),
    ])
    .await?;
    Ok(())
}

/// Why `request` opens nothing now, as a sentence.
async fn not_live<D: Database>(
    tenant: &Tenant<'_, D>,
    request: &AccessRequest,
    now: i64,
) -> Result<AppError, AppError> {
    if let Some(t) = settings::tenant(tenant, &request.tenant_id)
        .await?
        .filter(|t| t.frozen())
    {
        return Ok(AppError::GrantNotLive {
            reason: "frozen",
            detail: format!(
                "{} has frozen access to its content (at {}): no grant opens it until its global admin lifts the freeze.",
                t.tenant_name,
                lockbox_shared::audit::utc(t.frozen_at.unwrap_or_default())
            ),
        });
    }
    let (reason, detail) = match request.grant() {
        None => (
            "not-approved",
            format!(
                "This request is {} and holds no grant yet.",
                request.effective_state(now).label().to_lowercase()
            ),
        ),
        Some(_) => {
            match GrantRefusal::of(std::slice::from_ref(request), request.service.as_str(), now) {
                refusal @ GrantRefusal::Revoked { .. } => ("revoked", refusal.message()),
                refusal @ GrantRefusal::NotStarted { .. } => ("not-started", refusal.message()),
                refusal => ("ended", refusal.message()),
            }
        }
    };
    Ok(AppError::GrantNotLive { reason, detail })
}

/// A grant token for the engineer's own live grant `id`.
pub async fn grant_token<S: Stores>(
    stores: &S,
    p: &Principal,
    id: &RequestId,
    boundary: &Boundary<'_>,
    now: i64,
) -> Result<GrantToken, AppError> {
    authorize(p, Action::IssueGrantToken, None)?;
    let global = stores.global();
    let tenant = stores.tenant(super::requests::tenant_of(&global, p, id).await?);
    let request = grants::load(&tenant, id)
        .await?
        .ok_or_else(|| AppError::Missing {
            what: format!("The request {id}"),
        })?;
    if request.requester.user_id != p.user_id {
        return Err(AppError::NotCovered(
            "Only the engineer who asked for this grant may have a token for it.".into(),
        ));
    }
    let live = grants::select(
        &tenant,
        grants::live_grant_of(
            id,
            grants::Requester::Id(&p.user_id),
            &request.tenant_id,
            request.service.as_str(),
            now,
        ),
    )
    .await?;
    let Some(live) = live.into_iter().next().filter(|r| r.grant().is_some()) else {
        return Err(not_live(&tenant, &request, now).await?);
    };
    let serving = services::serving(&global, request.service.as_str()).await?;
    token_for(&live, &serving, &p.email, boundary, now)
}

/// A grant token for `request`'s live grant, for engineer `email`: for
/// every registered service in `serving` (those that serve its service,
/// read by the caller), allowing their operations for it, living until
/// `min(now + 5 min, the grant's end)`.
pub fn token_for(
    request: &AccessRequest,
    serving: &[RegisteredService],
    email: &str,
    boundary: &Boundary<'_>,
    now: i64,
) -> Result<GrantToken, AppError> {
    let grant = request
        .grant()
        .copied()
        .ok_or_else(|| AppError::Internal(format!("request {} holds no grant", request.id)))?;
    if serving.is_empty() {
        return Err(AppError::GrantNotLive {
            reason: "no-service",
            detail: format!(
                "No registered service serves {}: ask the provider's integration admin to register one.",
                request.service.as_str()
            ),
        });
    }
    let mut ops: Vec<String> = serving
        .iter()
        .flat_map(|s| {
            s.registration
                .operations
                .iter()
                .filter(|o| super::operations::works_on(s, o, request.service.as_str()))
                .map(|o| o.name.clone())
        })
        .collect();
    // Only what the approvers allowed.
    ops.retain(|op| request.allows_operation(op));
    ops.sort();
    ops.dedup();
    let keys = boundary.keys()?;
    let now_s = now.div_euclid(1000);
    let claims = GrantClaims {
        iss: boundary.issuer.to_owned(),
        aud: serving.iter().map(|s| s.registration.id.clone()).collect(),
        sub: email.to_owned(),
        tid: request.tenant_id.as_str().to_owned(),
        svc: request.service.as_str().to_owned(),
        gid: request.id.as_str().to_owned(),
        tkt: request.ticket.as_str().to_owned(),
        ops,
        iat: now_s,
        nbf: now_s,
        exp: grant::expiry(now_s, grant.ends_at),
        jti: uuid::Uuid::new_v4().to_string(),
    };
    let token = jose::sign(&claims, grant::TYP, &keys.kid, &keys.signing)
        .map_err(|e| AppError::Internal(format!("grant token: {e}")))?;
    Ok(GrantToken {
        token,
        request_id: claims.gid,
        expires_at: claims.exp * 1000,
        audience: claims.aud,
        operations: claims.ops,
    })
}

/// A service's assertion id (`jti`) not yet remembered. An assertion is
/// good for one call: the call remembers its id in its own write (a batch
/// of actions under a grant of a tenant in D1), or on its own before it
/// writes or answers anything else ([`spend`]); either way a second call
/// with it is refused as a replay and writes nothing.
#[derive(Debug)]
pub struct Unspent {
    pub service: String,
    pub jti: String,
    /// When the assertion expires (epoch ms): it need not be remembered
    /// after.
    pub expires_at: i64,
}

impl Unspent {
    fn remember(&self) -> Statement {
        services::remember_assertion(&self.service, &self.jti, self.expires_at)
    }
}

/// Remembers `unspent` (if any) on its own; a replay is refused.
pub async fn spend<S: Stores>(
    stores: &S,
    unspent: Option<Unspent>,
    now: i64,
) -> Result<(), AppError> {
    let Some(unspent) = unspent else {
        return Ok(());
    };
    let seen = stores.global().batch(vec![unspent.remember()]).await?;
    if seen.first() == Some(&1) {
        Ok(())
    } else {
        Err(replay(stores, now).await)
    }
}

/// Refuses a replayed assertion, counting it for the integration admins.
async fn replay<S: Stores>(stores: &S, now: i64) -> AppError {
    #[cfg(target_arch = "wasm32")]
    worker::console_warn!("service call refused: replay");
    // Counting is best effort: a failed count never turns a 401 into a 500.
    let _ = stores
        .global()
        .batch(vec![services::count_refusal("replay", now)])
        .await;
    AppError::ServiceUnauthenticated {
        reason: "replay".to_owned(),
    }
}

/// A grant named by a batch, found before the caller is known: only
/// reads, and what it found is used once the caller is ([`record`]).
pub struct Named {
    request: AccessRequest,
    /// The operations its token allows (`None` when the batch named the
    /// request id).
    allowed: Option<Vec<String>>,
    /// The services its token is for (`None` when the batch named the
    /// request id).
    audience: Option<Vec<String>>,
    /// Why the batch may not be written even if its grant is live (a token
    /// expired): only an answer given before may be repeated.
    stale: Option<AppError>,
}

/// The request a batch's `grant` names (a token's, unverified), and
/// whether it named it by id alone.
fn named_id(named: &str) -> Option<(RequestId, bool)> {
    #[derive(serde::Deserialize)]
    struct Gid {
        gid: String,
    }
    let named = named.trim();
    if named.contains('.') {
        let parts = jose::split(named, grant::TYP).ok()?;
        let Gid { gid } = parts.peek().ok()?;
        RequestId::parse(&gid).ok().map(|id| (id, false))
    } else {
        RequestId::parse(named).ok().map(|id| (id, true))
    }
}

/// The reads of the grant `named` names that go with the caller's own, in
/// its first round trip (before anything is verified; [`grant_of`] uses
/// them only once it is): the provider's index, for a bare id, and the
/// grant's row as D1 holds it, for a tenant whose data is there.
pub fn grant_reads(named: &str) -> Vec<Statement> {
    match named_id(named) {
        Some((id, bare)) => {
            let mut reads = Vec::new();
            if bare {
                reads.push(crate::store::provider_index::tenant_of_statement(&id));
            }
            reads.push(grants::anywhere_statement(&id));
            reads
        }
        None => Vec::new(),
    }
}

/// The grant a batch names, by its token or its request id; `ahead` holds
/// the rows of [`grant_reads`] when the caller read them (else empty).
pub async fn grant_of<S: Stores>(
    stores: &S,
    named: &str,
    boundary: &Boundary<'_>,
    now: i64,
    ahead: Vec<Vec<serde_json::Value>>,
) -> Result<Named, AppError> {
    let ahead_of = named_id(named);
    let named = named.trim();
    let mut stale = None;
    let (id, claims) = if named.contains('.') {
        let keys = boundary.keys()?;
        let refused =
            |why: String| AppError::NotCovered(format!("The grant token was refused: {why}."));
        let parts = jose::split(named, grant::TYP).map_err(|e| refused(e.to_string()))?;
        let key = keys
            .jwks()
            .key(&parts.kid)
            .ok_or_else(|| refused(format!("no key with id {:?}", parts.kid)))?;
        let claims: GrantClaims = parts.verify(&key).map_err(|e| refused(e.to_string()))?;
        if claims.iss != boundary.issuer {
            return Err(refused("issued by another Lockbox".into()));
        }
        let now_s = now.div_euclid(1000);
        if claims.exp - claims.iat > MAX_GRANT_TOKEN_SECONDS {
            return Err(refused("it lives longer than Lockbox allows".into()));
        }
        if now_s - LEEWAY_SECONDS >= claims.exp {
            stale = Some(AppError::GrantNotLive {
                reason: "token-expired",
                detail: "The grant token has expired: the engineer asks Lockbox for a new one (POST /api/v1/requests/{id}/grant-token).".into(),
            });
        }
        let id = RequestId::parse(&claims.gid)
            .map_err(|_| refused("its grant id is not a request id".into()))?;
        (id, Some(claims))
    } else {
        let id = RequestId::parse(named).map_err(|_| {
            invalid(
                "grant",
                "`grant` must be a grant token, or the grant's request id.".into(),
            )
        })?;
        (id, None)
    };
    let missing = || AppError::Missing {
        what: format!("The grant {id}"),
    };
    // What was read ahead, if it was of this grant.
    let mut ahead = ahead.into_iter();
    let (index_rows, request_rows) = match ahead_of {
        Some((of, bare)) if of == id && ahead.len() == 1 + usize::from(bare) => {
            (ahead.next().filter(|_| bare), ahead.next())
        }
        _ => (None, None),
    };
    // A token names its grant's tenant (signed by Lockbox); a bare id is
    // looked up in the provider's index.
    let tenant = match (&claims, index_rows) {
        (Some(c), _) => Some(TenantId::parse(&c.tid).map_err(|_| {
            AppError::NotCovered("The grant token was refused: its tenant id is not one.".into())
        })?),
        (None, Some(rows)) => crate::store::provider_index::tenant_from(rows)?,
        (None, None) => crate::store::provider_index::tenant_of(&stores.global(), &id).await?,
    }
    .ok_or_else(missing)?;
    let tenant = stores.tenant(tenant);
    // D1's row is the grant's where the tenant's data is in D1.
    let request = match request_rows {
        Some(rows) if tenant.holds_index().await? => {
            grants::loaded(crate::store::db::decode(Some(rows))?)?
                .filter(|r| r.tenant_id == *tenant.id())
        }
        _ => grants::load(&tenant, &id).await?,
    }
    .ok_or_else(missing)?;
    if let Some(c) = &claims {
        if c.tid != request.tenant_id.as_str() || c.svc != request.service.as_str() {
            return Err(AppError::NotCovered(
                "The grant token does not match its grant.".into(),
            ));
        }
    }
    let (allowed, audience) = claims.map(|c| (c.ops, c.aud)).unzip();
    Ok(Named {
        request,
        allowed,
        audience,
        stale,
    })
}

/// The body's fingerprint: a retry must send the same grant and actions.
fn digest(request: &RequestId, batch: &ActionBatch) -> String {
    let bytes = serde_json::to_vec(&(request.as_str(), &batch.actions)).unwrap_or_default();
    sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn answer(
    batch_id: &str,
    request: &AccessRequest,
    recorded_at: i64,
    mut records: Vec<AuditRecord>,
    ids: &[String],
) -> Result<RecordedBatch, AppError> {
    records.sort_by_key(|r| ids.iter().position(|id| *id == r.id));
    if records.len() != ids.len() {
        return Err(AppError::InternalAfterChange(format!(
            "batch {batch_id}: {} of {} records found",
            records.len(),
            ids.len()
        )));
    }
    Ok(RecordedBatch {
        batch_id: batch_id.to_owned(),
        request_id: request.id.as_str().to_owned(),
        tenant_id: request.tenant_id.as_str().to_owned(),
        recorded_at,
        records: records
            .iter()
            .map(|r| RecordedAction {
                id: r.id.clone(),
                seq: r.seq,
                leaf_hash: lockbox_shared::tlog::hash_text(&lockbox_shared::tlog::leaf_hash(r)),
            })
            .collect(),
    })
}

/// The audit record of one action under `grant`, recorded by `service`.
fn record_of(
    grant: &AccessRequest,
    action: &wire::Action,
    service: &str,
    batch_id: &str,
    operator: &str,
    ip: &str,
) -> NewAuditRecord {
    let mut details: BTreeMap<String, String> = action.parameters.clone();
    details.insert("RequestId".into(), grant.id.as_str().to_owned());
    details.insert("Ticket".into(), grant.ticket.as_str().to_owned());
    details.insert("Engineer".into(), grant.requester.email.clone());
    details.insert("Service".into(), service.to_owned());
    details.insert("BatchId".into(), batch_id.to_owned());
    details.insert("Outcome".into(), Outcome::Succeeded.as_str().to_owned());
    if let Some(count) = action.count {
        details.insert("Count".into(), count.to_string());
    }
    if let Some(digest) = &action.digest {
        details.insert("Digest".into(), digest.clone());
    }
    NewAuditRecord {
        tenant_id: grant.tenant_id.clone(),
        ip: ip.to_owned(),
        user: operator.to_owned(),
        activity: Activity::provider(&action.operation),
        item: action.item.clone().unwrap_or_default(),
        details,
    }
}

/// Records `batch` for the calling service: every action's audit record,
/// in one write that holds only while the grant is live (the freeze
/// included), or none. A batch id seen before gets the first answer.
/// `named` is what [`grant_of`] found of `batch.grant` (read while the
/// caller was being authenticated); `unspent`, the caller's assertion id
/// still to remember: in the batch's own write where the tenant's data is
/// in D1, else first. Returns the answer, and whether this call wrote it.
pub async fn record<S: Stores>(
    stores: &S,
    caller: &RegisteredService,
    unspent: Option<Unspent>,
    batch: &ActionBatch,
    named: Result<Named, AppError>,
    boundary: &Boundary<'_>,
    stamp: &Stamp<'_>,
) -> Result<(RecordedBatch, bool), AppError> {
    let mut unspent = unspent;
    let outcome =
        record_spending(stores, caller, &mut unspent, batch, named, boundary, stamp).await;
    if outcome.is_err() && unspent.is_some() {
        // Refused before its write: the assertion is spent all the same,
        // and a replay learns only that it is one.
        spend(stores, unspent, stamp.now).await?;
    }
    outcome
}

async fn record_spending<S: Stores>(
    stores: &S,
    caller: &RegisteredService,
    unspent: &mut Option<Unspent>,
    batch: &ActionBatch,
    named: Result<Named, AppError>,
    boundary: &Boundary<'_>,
    stamp: &Stamp<'_>,
) -> Result<(RecordedBatch, bool), AppError> {
    batch.check().map_err(|p| AppError::InvalidAt {
        field: p.field,
        message: p.message,
    })?;
    let Named {
        request,
        allowed,
        audience,
        stale,
    } = named?;
    let me = &caller.registration;
    if audience.is_some_and(|aud| !aud.contains(&me.id)) {
        return Err(AppError::NotCovered(format!(
            "The grant token was refused: it is not for {}.",
            me.id
        )));
    }
    let tenant = stores.tenant(request.tenant_id.clone());
    if unspent.is_some() && !tenant.holds_index().await? {
        // The assertions are remembered in D1, the grant's tenant is not.
        spend(stores, unspent.take(), stamp.now).await?;
    }
    if !me.serves.iter().any(|s| s == request.service.as_str()) {
        return Err(AppError::NotCovered(format!(
            "{} does not serve {}, the grant's service.",
            me.id,
            request.service.as_str()
        )));
    }
    for action in &batch.actions {
        if !me.operations.iter().any(|o| {
            o.name == action.operation
                && super::operations::works_on(caller, o, request.service.as_str())
        }) {
            return Err(AppError::NotCovered(format!(
                "{} is not an operation {} registered.",
                action.operation, me.id
            )));
        }
        if !request.allows_operation(&action.operation)
            || allowed
                .as_ref()
                .is_some_and(|ops| !ops.contains(&action.operation))
        {
            // The grant is live, but the approvers did not allow this
            // operation: the attempt goes in the customer's log.
            let err = AppError::OperationNotGranted {
                operation: action.operation.clone(),
            };
            let record = NewAuditRecord::operation_refused(
                request.tenant_id.clone(),
                (
                    action.operation.as_str(),
                    action.item.as_deref().unwrap_or_default(),
                    action.parameters.clone(),
                ),
                request.service.as_str(),
                &request.requester.email,
                stamp.ip,
                &err.problem().detail,
                Some(&request),
            );
            spend(stores, unspent.take(), stamp.now).await?;
            audit::append_refused(&tenant, &record, stamp.now).await?;
            return Err(err);
        }
    }
    let body_digest = digest(&request.id, batch);
    if let Some(refusal) = stale {
        // A retry of a batch recorded before its token expired gets the
        // first answer; anything else is refused.
        spend(stores, unspent.take(), stamp.now).await?;
        return match repeat(&tenant, me, &request, batch, &body_digest).await? {
            Some(answer) => Ok((answer, false)),
            None => Err(refusal),
        };
    }
    let attempt = uuid::Uuid::new_v4().to_string();
    let records: Vec<NewAuditRecord> = batch
        .actions
        .iter()
        .map(|a| {
            record_of(
                &request,
                a,
                &me.id,
                &batch.batch_id,
                boundary.operator,
                stamp.ip,
            )
        })
        .collect();
    let ids: Vec<String> = records.iter().map(|_| audit::new_id()).collect();
    let mut live = grants::still_live_grant(
        &request.id,
        &request.requester.user_id,
        &request.tenant_id,
        request.service.as_str(),
        stamp.now,
    );
    // The assertion is remembered in this write, after the batch's row,
    // which holds only if it was not seen before.
    let remembering = unspent.take();
    if let Some(unspent) = &remembering {
        live = live.and(services::unseen_assertion(&unspent.service, &unspent.jti));
    }
    let mine = services::inserted_by(&me.id, &batch.batch_id, &attempt);
    let mut statements = vec![services::insert_batch(
        &services::NewBatch {
            service: &me.id,
            batch_id: &batch.batch_id,
            attempt: &attempt,
            request_id: request.id.as_str(),
            tenant_id: request.tenant_id.as_str(),
            body_digest: &body_digest,
            record_ids: &ids,
        },
        &live,
        stamp.now,
    )];
    statements.extend(remembering.as_ref().map(Unspent::remember));
    for (record, id) in records.iter().zip(&ids) {
        statements.push(audit::insert(record, id, stamp.now, Some(&mine)));
    }
    for (record, id) in records.iter().zip(&ids) {
        let data = serde_json::json!({
            "request_id": request.id.as_str(),
            "tenant_id": request.tenant_id.as_str(),
            "service": request.service.as_str(),
            "provider_service": me.id,
            "ticket": notify::defang(request.ticket.as_str()),
            "operation": record.activity.as_str(),
            "item": notify::defang(&record.item),
            "parameters": record.details.iter()
                .filter(|(k, _)| !wire::RESERVED_KEYS.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), serde_json::Value::String(notify::defang(v))))
                .collect::<serde_json::Map<_, _>>(),
            "engineer": notify::defang(&request.requester.email),
            "audit_id": id,
        });
        statements.push(super::notify::webhook_statement(
            WebhookEvent::OperatorAction,
            id,
            &request.tenant_id,
            Some(&request),
            data,
            |lang| {
                text::mail::hook_operation(
                    lang,
                    record.activity.as_str(),
                    &notify::defang(&record.item),
                    &notify::defang(request.service.as_str()),
                    &notify::defang(request.ticket.as_str()),
                )
            },
            stamp.now,
            Some(&mine),
        ));
    }
    statements.push(audit::by_ids(&request.tenant_id, &ids));
    let mut answers = tenant
        .batch_rows_storing(&request.tenant_id, statements)
        .await?;
    if remembering.is_some() && answers.get(1).is_some_and(|(changes, _)| *changes == 0) {
        // Seen before: nothing was written.
        return Err(replay(stores, stamp.now).await);
    }
    let inserted = answers.first().is_some_and(|(changes, _)| *changes == 1);
    if inserted {
        let rows = answers.pop().map(|(_, rows)| rows).unwrap_or_default();
        let written = audit::records_from(rows)?;
        return Ok((
            answer(&batch.batch_id, &request, stamp.now, written, &ids)?,
            true,
        ));
    }
    match repeat(&tenant, me, &request, batch, &body_digest).await? {
        Some(answer) => Ok((answer, false)),
        None => Err(not_live(&tenant, &request, stamp.now).await?),
    }
}

/// The answer given when `batch` was recorded, if it was; a batch id used
/// before for another body is refused.
async fn repeat<D: Database>(
    tenant: &Tenant<'_, D>,
    me: &ServiceRegistration,
    request: &AccessRequest,
    batch: &ActionBatch,
    body_digest: &str,
) -> Result<Option<RecordedBatch>, AppError> {
    let existing: Option<services::BatchRow> =
        crate::store::first(tenant, services::batch(&me.id, &batch.batch_id)).await?;
    let Some(existing) = existing else {
        return Ok(None);
    };
    if existing.body_digest != body_digest || existing.request_id != request.id.as_str() {
        return Err(AppError::BatchReused);
    }
    let ids: Vec<String> = serde_json::from_str(&existing.record_ids)
        .map_err(|e| AppError::Internal(format!("batch {}: record ids: {e}", batch.batch_id)))?;
    let written = audit::select(tenant, audit::by_ids(&request.tenant_id, &ids)).await?;
    answer(
        &batch.batch_id,
        request,
        existing.recorded_at,
        written,
        &ids,
    )
    .map(Some)
}

/// How far back each poll of the feed reads again, so that a revoke whose
/// write began before the previous poll and committed after it is not
/// missed (a write's time is taken when its call starts).
pub const FEED_OVERLAP_MS: i64 = 60_000;
/// The most grants one page of the feed lists.
pub const FEED_PAGE: i64 = 1_000;

/// Grants of the caller's services ended early since `since` (epoch ms),
/// and the tenants frozen now.
pub async fn revocations<D: Database>(
    db: &D,
    caller: &RegisteredService,
    since: i64,
) -> Result<RevocationFeed, AppError> {
    let (revoked, frozen): (Vec<services::RevokedRow>, Vec<services::FrozenRow>) =
        crate::store::db::query_pair(
            db,
            services::revoked_since(
                &caller.registration.serves,
                since.saturating_sub(FEED_OVERLAP_MS),
                FEED_PAGE,
            ),
            services::frozen_tenants(),
        )
        .await?;
    let next = revoked
        .iter()
        .map(|r| r.ended_at + 1)
        .max()
        .unwrap_or(since)
        .max(since);
    Ok(RevocationFeed {
        items: revoked
            .into_iter()
            .map(|r| Ended {
                request_id: r.id,
                tenant_id: r.tenant_id,
                service: r.service,
                ended_at: r.ended_at,
            })
            .collect(),
        frozen: frozen
            .into_iter()
            .map(|f| Frozen {
                tenant_id: f.id,
                frozen_at: f.frozen_at,
            })
            .collect(),
        next,
        max_token_seconds: MAX_GRANT_TOKEN_SECONDS,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_ids_are_svc_and_a_lower_case_name() {
        for ok in ["svc:mail", "svc:sample", "svc:a1-b2", "svc:0"] {
            assert!(is_service_id(ok), "{ok}");
        }
        for bad in [
            "mail", "svc:", "svc:Mail", "svc:-x", "svc:a b", "svc:a_b", "SVC:mail",
        ] {
            assert!(!is_service_id(bad), "{bad}");
        }
    }
}
