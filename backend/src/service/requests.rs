//! Access requests: open, list, read, move on, and the access check.

use std::collections::BTreeMap;

use lockbox_shared::api::{
    AccessCheck, Audience, CreateAccessRequest, ExtendBody, RequestDetail, RequestPage,
    RequestView, DEFAULT_REQUESTS_PAGE, MAX_REQUESTS_PAGE, MAX_REQUEST_ACTIONS,
};
use lockbox_shared::audit::AuditRecord;
use lockbox_shared::ids::{RequestId, TenantId};
use lockbox_shared::lifecycle::{
    self, AccessRequest, ExtendError, NewRequest, Terms, TransitionError, Verb,
};
use lockbox_shared::plan::{self, Origin};
use lockbox_shared::policy::{authorize, may_see_request, Action, Denied};
use lockbox_shared::receipt::{NoDecision, Receipt};
use lockbox_shared::roles::{Membership, Principal};
use lockbox_shared::validation::{
    Comment, GrantDuration, Invalid, OperationSet, Reason, ServiceName, TicketNumber,
};
use serde::Deserialize;

use super::{actor, Stamp};
use crate::error::AppError;
use crate::store::people::ProviderReaders;
use crate::store::requests::{self as store, Cursor, ListFilter};
use crate::store::{
    self as stores, audit, provider_index, settings, Database, DbError, Global, Stores, Tenant,
};

/// Who is looking, for what they may see of a request.
pub fn audience(principal: &Principal) -> Audience {
    if principal.is_provider() {
        Audience::Provider
    } else {
        Audience::Customer
    }
}

/// The one answer for "no such request" and "not yours to see", so that
/// nobody learns that a request they may not see exists.
pub fn not_found(id: &RequestId) -> AppError {
    AppError::Missing {
        what: format!("The request {id}"),
    }
}

/// Authorizes `action` on `request`, answering "not found" wherever the
/// caller may not learn that the request exists.
fn authorize_on(
    principal: &Principal,
    action: Action,
    request: &AccessRequest,
) -> Result<(), AppError> {
    match authorize(principal, action, Some(&request.tenant_id)) {
        Err(denied) if denied.hides_existence() => return Err(not_found(&request.id)),
        Err(denied) => return Err(denied.into()),
        Ok(()) => {}
    }
    if !may_see_request(principal, request) {
        return Err(not_found(&request.id));
    }
    Ok(())
}

/// Checks the caller's side and role for `action` before anything is read,
/// so that the answer does not depend on whether the request exists.
fn authorize_role(principal: &Principal, action: Action) -> Result<(), AppError> {
    Ok(authorize(principal, action, principal.tenant())?)
}

async fn tenant_name<D: Database>(tenant: &Tenant<'_, D>) -> Result<String, DbError> {
    let id = tenant.id();
    settings::tenant(tenant, id)
        .await?
        .map(|t| t.tenant_name)
        .ok_or_else(|| DbError::Corrupt(format!("tenant {id} has no row, so no name")))
}

async fn view<D: Database>(
    tenant: &Tenant<'_, D>,
    request: &AccessRequest,
    audience: Audience,
    now: i64,
) -> Result<RequestView, DbError> {
    let name = tenant_name(tenant).await?;
    Ok(RequestView::of(request, &name, audience, now))
}

/// An engineer opens a request.
pub async fn create<S: Stores>(
    stores: &S,
    principal: &Principal,
    input: &CreateAccessRequest,
    stamp: &Stamp<'_>,
) -> Result<RequestView, AppError> {
    let id = RequestId::from_uuid(uuid::Uuid::new_v4());
    create_with_id(stores, principal, input, id, stamp).await
}

/// [`create`] sent with an `Idempotency-Key`: the request's id comes from
/// the caller and the key, so the same call again (after a lost answer,
/// a timeout, a failure after the write) finds the request the first one
/// made instead of making a second, and answers with it (`false`: not
/// created now). The same key with a different ask is refused.
pub async fn create_keyed<S: Stores>(
    stores: &S,
    principal: &Principal,
    input: &CreateAccessRequest,
    key: Option<&str>,
    stamp: &Stamp<'_>,
) -> Result<(RequestView, bool), AppError> {
    let Some(key) = key else {
        return Ok((create(stores, principal, input, stamp).await?, true));
    };
    let id = keyed_id(&principal.email, input.tenant_id.trim(), key);
    if let Some(view) = made_before(stores, principal, input, &id, stamp).await? {
        return Ok((view, false));
    }
    match create_with_id(stores, principal, input, id.clone(), stamp).await {
        Ok(view) => Ok((view, true)),
        // Another call with the key may have made it meanwhile.
        Err(err) => match made_before(stores, principal, input, &id, stamp).await {
            Ok(Some(view)) => Ok((view, false)),
            _ => Err(err),
        },
    }
}

/// The id a request for `tenant` made by `email` with `key` gets: the
/// first 16 bytes of a SHA-256 of the three, as a UUID. (The tenant is in
/// it: a tenant's requests live in its own database, so the same key for
/// another tenant is another request, never a clash of ids.)
fn keyed_id(email: &str, tenant: &str, key: &str) -> RequestId {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(format!("lockbox request\n{email}\n{tenant}\n{key}"));
    let mut bytes = [0u8; 16];
    for (b, d) in bytes.iter_mut().zip(digest.iter()) {
        *b = *d;
    }
    RequestId::from_uuid(uuid::Builder::from_random_bytes(bytes).into_uuid())
}

/// The request `id` if it exists: as the answer to a repeated create when
/// it is the same ask by the same person, refused when it is not.
async fn made_before<S: Stores>(
    stores: &S,
    principal: &Principal,
    input: &CreateAccessRequest,
    id: &RequestId,
    stamp: &Stamp<'_>,
) -> Result<Option<RequestView>, AppError> {
    let Ok(tenant_id) = TenantId::parse(input.tenant_id.trim()) else {
        return Ok(None);
    };
    let tenant = stores.tenant(tenant_id);
    let Some(request) = store::load(&tenant, id).await? else {
        return Ok(None);
    };
    // The ask as creating it would have read it (an invalid one is left
    // to creating, which says what is wrong).
    let (Ok(service), Ok(ticket), Ok(reason), Ok(asked)) = (
        ServiceName::parse(&input.service),
        TicketNumber::parse(&input.ticket),
        Reason::parse(&input.reason),
        OperationSet::parse("operations", &input.operations),
    ) else {
        return Ok(None);
    };
    let incident = match &input.emergency {
        None => None,
        Some(ask) => match lockbox_shared::validation::IncidentId::parse(&ask.incident) {
            Ok(incident) => Some(incident),
            Err(_) => return Ok(None),
        },
    };
    let sorted = |mut names: Vec<String>| {
        names.sort();
        names
    };
    let same = request.requester.email == principal.email
        && request.service == service
        && request.ticket == ticket
        && request.reason == reason
        && request.duration.minutes() == input.duration_minutes
        && sorted(
            request
                .operations
                .as_ref()
                .map(|o| o.names().to_vec())
                .unwrap_or_default(),
        ) == sorted(asked.names().to_vec())
        && request.emergency.as_ref().map(|e| &e.incident) == incident.as_ref();
    if !same {
        return Err(AppError::IdempotencyKeyReused);
    }
    let name = tenant_name(&tenant).await?;
    Ok(Some(RequestView::of(
        &request,
        &name,
        audience(principal),
        stamp.now,
    )))
}

/// [`create`] with a chosen id (the demo data uses fixed ids).
pub async fn create_with_id<S: Stores>(
    stores: &S,
    principal: &Principal,
    input: &CreateAccessRequest,
    id: RequestId,
    stamp: &Stamp<'_>,
) -> Result<RequestView, AppError> {
    authorize(principal, Action::CreateRequest, None)?;
    let tenant_id = TenantId::parse(&input.tenant_id).map_err(|_| {
        AppError::invalid(Invalid {
            field: "tenant_id",
            message: format!(
                "There is no tenant with the id {:?}. List them with GET /api/v1/tenants.",
                input.tenant_id.trim()
            ),
        })
    })?;
    let global = stores.global();
    let services = settings::services(&global, tenant_id.as_str()).await?;
    if services.is_empty() {
        return Err(AppError::UnknownReference(Invalid {
            field: "tenant_id",
            message: format!(
                "There is no tenant with the id {tenant_id}. List them with GET /api/v1/tenants."
            ),
        }));
    }
    let service = ServiceName::parse(&input.service).map_err(AppError::invalid)?;
    if !services.iter().any(|s| s == service.as_str()) {
        return Err(AppError::UnknownReference(Invalid {
            field: "service",
            message: format!("This tenant's services are {}.", services.join(", ")),
        }));
    }
    let (asked, reads_content) = operations_of(&global, &service, &input.operations).await?;
    let tenant = stores.tenant(tenant_id.clone());
    let emergency = match &input.emergency {
        None => None,
        Some(ask) => {
            let incident = lockbox_shared::validation::IncidentId::parse(&ask.incident)
                .map_err(AppError::invalid)?;
            room_for_emergency(&tenant, input.duration_minutes, &reads_content, stamp.now).await?;
            Some(incident)
        }
    };
    let new = NewRequest {
        tenant_id: tenant_id.clone(),
        service: service.clone(),
        ticket: TicketNumber::parse(&input.ticket).map_err(AppError::invalid)?,
        reason: Reason::parse(&input.reason).map_err(AppError::invalid)?,
        duration: GrantDuration::from_minutes(input.duration_minutes).map_err(AppError::invalid)?,
        operations: Some(asked),
        reads_content,
        emergency,
    };
    let request = lifecycle::create(id, new, &actor(principal), stamp.now);
    let name = tenant_name(&tenant).await?;
    let view = RequestView::of(&request, &name, audience(principal), stamp.now);
    let plan = plan::open(request, origin(stamp));
    let readers = stores::plan::readers_for(&global, &plan).await?;
    let committed = stores::plan::commit(&tenant, &name, &readers, &plan, stamp.now).await?;
    if committed.written.first() != Some(&true) {
        return Err(AppError::Internal(format!(
            "request {} was not stored",
            view.id
        )));
    }
    super::tell_index(&global, &plan, &committed).await;
    Ok(view)
}

/// Whether `tenant` has room now for an emergency of `minutes` for
/// operations of which `reads_content` read content: its choice, the
/// freeze, and its limits (`lockbox_shared::emergency::check`).
async fn room_for_emergency<D: Database>(
    tenant: &Tenant<'_, D>,
    minutes: u32,
    reads_content: &[String],
    now: i64,
) -> Result<(), AppError> {
    let row = settings::tenant(tenant, tenant.id())
        .await?
        .ok_or_else(|| AppError::Internal(format!("tenant {} has no row", tenant.id())))?;
    let recent = recent_emergencies(tenant, now).await?;
    lockbox_shared::emergency::check(
        row.emergency_policy(),
        row.frozen(),
        minutes,
        reads_content,
        &recent,
        now,
    )
    .map_err(|refusal| AppError::Emergency { refusal, now })
}

/// A tenant's emergencies as the limits count them.
async fn recent_emergencies<D: Database>(
    tenant: &Tenant<'_, D>,
    now: i64,
) -> Result<lockbox_shared::emergency::Recent, DbError> {
    let grants = store::select(tenant, store::recent_emergencies(tenant.id(), now)).await?;
    Ok(lockbox_shared::emergency::Recent {
        live: grants
            .iter()
            .filter(|g| g.effective_state(now) == lockbox_shared::lifecycle::State::Approved)
            .map(|g| g.id.clone())
            .collect(),
        started: grants
            .iter()
            .filter_map(|g| g.grant().map(|w| w.starts_at))
            .collect(),
    })
}

/// The operations `names` of Lockbox service `service`: at least one,
/// each one the registered services offer for it; and those of them that
/// read content.
async fn operations_of<D: Database>(
    global: &Global<'_, D>,
    service: &ServiceName,
    names: &[String],
) -> Result<(OperationSet, Vec<String>), AppError> {
    let asked = OperationSet::parse("operations", names).map_err(AppError::invalid)?;
    let catalog = super::operations::catalog(global, service.as_str()).await?;
    if let Some(name) = asked.names().iter().find(|n| !catalog.contains_key(*n)) {
        let offered: Vec<&str> = catalog.keys().map(String::as_str).collect();
        return Err(AppError::UnknownReference(Invalid {
            field: "operations",
            message: if offered.is_empty() {
                format!(
                    "{name} is not an operation of {}: no registered service offers its operations yet.",
                    service.as_str()
                )
            } else {
                format!(
                    "{name} is not an operation of {}. Its operations are {}.",
                    service.as_str(),
                    offered.join(", ")
                )
            },
        }));
    }
    let content = super::operations::content_among(&catalog, asked.names());
    Ok((asked, content))
}

/// What an approval grants when the approver asks for less than was
/// asked: fewer minutes, fewer operations (each absent: what was asked).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Granting {
    pub minutes: Option<u32>,
    pub operations: Option<Vec<String>>,
}

impl Granting {
    /// `minutes` of what was asked, every operation.
    pub fn minutes(minutes: u32) -> Self {
        Self {
            minutes: Some(minutes),
            operations: None,
        }
    }

    /// Checked against `request` for `verb`: only an approval grants, and
    /// then at most what was asked, and never no operation at all.
    fn terms(&self, request: &AccessRequest, verb: Verb) -> Result<Terms, AppError> {
        if verb != Verb::Approve {
            let field = match (self.minutes, &self.operations) {
                (Some(_), _) => "duration_minutes",
                (None, Some(_)) => "operations",
                (None, None) => return Ok(Terms::default()),
            };
            return Err(AppError::invalid(Invalid {
                field,
                message: format!(
                    "Only an approval sets how long access lasts and what it allows; leave {field} out."
                ),
            }));
        }
        let duration = self
            .minutes
            .map(|minutes| request.duration.granting(minutes))
            .transpose()
            .map_err(AppError::invalid)?;
        let operations = match &self.operations {
            None => None,
            Some(names) if names.is_empty() => {
                return Err(AppError::invalid(Invalid {
                    field: "operations",
                    message: "An approval allows at least one operation: to allow none, deny the request instead."
                        .to_owned(),
                }))
            }
            Some(names) => {
                Some(OperationSet::parse("operations", names).map_err(AppError::invalid)?)
            }
        };
        Ok(Terms {
            duration,
            operations,
        })
    }
}

/// Where a change comes from, for its audit records.
fn origin<'a>(stamp: &Stamp<'a>) -> Origin<'a> {
    Origin {
        ip: stamp.ip,
        service_account: stamp.service_account,
    }
}

/// The engineer holding grant `id` asks for `input.minutes` more: a new
/// request that extends it, through the same approvals as any request.
pub async fn extend<S: Stores>(
    stores: &S,
    principal: &Principal,
    id: &RequestId,
    input: &ExtendBody,
    stamp: &Stamp<'_>,
) -> Result<RequestView, AppError> {
    authorize_role(principal, Action::ExtendGrant)?;
    let global = stores.global();
    let tenant = stores.tenant(tenant_of(&global, principal, id).await?);
    let first = store::load(&tenant, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    authorize_on(principal, Action::ExtendGrant, &first)?;
    let minutes = GrantDuration::from_minutes(input.minutes).map_err(|invalid| {
        AppError::invalid(Invalid {
            field: "minutes",
            ..invalid
        })
    })?;
    let reason = Reason::parse(&input.reason).map_err(AppError::invalid)?;
    let operations = input
        .operations
        .as_deref()
        .map(|names| OperationSet::parse("operations", names))
        .transpose()
        .map_err(AppError::invalid)?;
    let new_id = RequestId::from_uuid(uuid::Uuid::new_v4());
    let name = tenant_name(&tenant).await?;
    let mut first = first;
    for _ in 0..MAX_ATTEMPTS {
        let extensions = store::select(&tenant, store::extensions_of(&first.id)).await?;
        // Written only while the grant is not over and nothing else
        // extends it: a revocation or a second extension that lands
        // between the read and the write wins, and this one decides again.
        let plan = plan::extension(
            &first,
            &extensions,
            new_id.clone(),
            minutes,
            operations.clone(),
            reason.clone(),
            &actor(principal),
            stamp.now,
            origin(stamp),
        )
        .map_err(|err| match err {
            ExtendError::Transition(err) => AppError::Transition(err),
            ExtendError::Invalid(invalid) => AppError::invalid(invalid),
            ExtendError::Widens { name } => AppError::NotGranted { operation: name },
            ExtendError::Emergency => AppError::bad_request(format!(
                "Emergency access is never extended: it lasts at most {} minutes. Open a new \
                 request if more time is needed.",
                lockbox_shared::emergency::MAX_MINUTES
            )),
        })?;
        let readers = stores::plan::readers_for(&global, &plan).await?;
        let committed = stores::plan::commit(&tenant, &name, &readers, &plan, stamp.now).await?;
        if let (Some(true), Some(extension)) = (committed.written.first(), plan.subject()) {
            super::tell_index(&global, &plan, &committed).await;
            return Ok(RequestView::of(
                extension,
                &name,
                audience(principal),
                stamp.now,
            ));
        }
        first = store::load(&tenant, id)
            .await?
            .ok_or_else(|| not_found(id))?;
    }
    Err(AppError::Transition(TransitionError::AlreadyDecided {
        state: first.effective_state(stamp.now),
    }))
}

#[derive(Deserialize)]
struct IdempotencyRow {
    request_id: String,
    verb: String,
}

/// What an Idempotency-Key says about a call.
enum Replay {
    /// The key is new.
    Fresh,
    /// The key was used for this very call: answer as before.
    Same,
    /// The key was used for something else.
    Conflict,
}

async fn replay<D: Database>(
    tenant: &Tenant<'_, D>,
    principal: &Principal,
    key: &str,
    request_id: &RequestId,
    verb: Verb,
) -> Result<Replay, DbError> {
    let rows: Vec<IdempotencyRow> = tenant
        .query(store::idempotency_lookup(&principal.user_id, key))
        .await?;
    Ok(match rows.first() {
        None => Replay::Fresh,
        Some(row) if row.request_id == request_id.as_str() && row.verb == verb.as_str() => {
            Replay::Same
        }
        Some(_) => Replay::Conflict,
    })
}

/// The tenant request `id` belongs to, for `principal`: a customer's own
/// (a request of another tenant is not theirs to find), else what the
/// provider's index says. Not found: the one answer for "no such
/// request".
pub async fn tenant_of<D: Database>(
    global: &Global<'_, D>,
    principal: &Principal,
    id: &RequestId,
) -> Result<TenantId, AppError> {
    if let Some(tenant) = principal.tenant() {
        return Ok(tenant.clone());
    }
    provider_index::tenant_of(global, id)
        .await?
        .ok_or_else(|| not_found(id))
}

/// Request `id` of `tenant` and the tenant's row, in one round trip.
async fn request_and_tenant<D: Database>(
    tenant_db: &Tenant<'_, D>,
    id: &RequestId,
) -> Result<(AccessRequest, settings::TenantRow), AppError> {
    let tenant = tenant_db.id();
    let (requests, tenants): (Vec<store::RequestRow>, Vec<settings::TenantRow>) =
        stores::db::query_pair(
            tenant_db,
            store::load_statement(tenant, id),
            settings::tenant_statement(tenant),
        )
        .await?;
    let request = store::loaded(requests)?.ok_or_else(|| not_found(id))?;
    let tenant = tenants.into_iter().next().ok_or_else(|| {
        AppError::Internal(format!("a request names the missing tenant {tenant}"))
    })?;
    Ok((request, tenant))
}

/// A person moves a request on: `verb` with an optional comment (and for
/// an approval, optionally fewer minutes than were asked), at most once
/// per `idempotency_key`. `located` is what the provider's index says of
/// the request ([`provider_index::locate`]), when the caller read it
/// already: its tenant, for provider staff, and its requester's language,
/// for the notices.
#[allow(clippy::too_many_arguments)]
pub async fn act<S: Stores>(
    stores: &S,
    principal: &Principal,
    id: &RequestId,
    verb: Verb,
    comment: Option<Comment>,
    granting: Granting,
    idempotency_key: Option<&str>,
    stamp: &Stamp<'_>,
    located: Option<Option<provider_index::Located>>,
) -> Result<RequestView, AppError> {
    act_read(
        stores,
        principal,
        id,
        verb,
        comment,
        granting,
        idempotency_key,
        stamp,
        located,
        None,
    )
    .await
}

/// [`act`], where the caller may have read the request and its tenant's
/// row already (`read`, in its first round trip; used when they are of
/// the tenant the decision is made in).
#[allow(clippy::too_many_arguments)]
pub async fn act_read<S: Stores>(
    stores: &S,
    principal: &Principal,
    id: &RequestId,
    verb: Verb,
    comment: Option<Comment>,
    granting: Granting,
    idempotency_key: Option<&str>,
    stamp: &Stamp<'_>,
    located: Option<Option<provider_index::Located>>,
    read: Option<(AccessRequest, settings::TenantRow)>,
) -> Result<RequestView, AppError> {
    let action = Action::for_verb(verb).ok_or_else(|| AppError::NotFound {
        path: format!("/api/v1/requests/{id}/{verb}"),
    })?;
    authorize_role(principal, action)?;
    // Every decision reads the index first (in the caller's round trip
    // when it can), so that two decisions at once race on equal terms.
    let global = stores.global();
    let located = match located {
        Some(located) => located,
        None => provider_index::locate(&global, id).await?,
    };
    let tenant_id = match (principal.tenant(), &located) {
        (Some(tenant), _) => tenant.clone(),
        (None, Some(located)) => located.tenant_id.clone(),
        (None, None) => return Err(not_found(id)),
    };
    let (request, mut tenant) = match read {
        Some((request, tenant)) if request.tenant_id == tenant_id && request.id == *id => {
            (request, tenant)
        }
        _ => request_and_tenant(&stores.tenant(tenant_id.clone()), id).await?,
    };
    let tenant_db = stores.tenant(tenant_id);
    authorize_on(principal, action, &request)?;
    let audience = audience(principal);
    let terms = granting.terms(&request, verb)?;

    if let Some(key) = idempotency_key {
        match replay(&tenant_db, principal, key, id, verb).await? {
            Replay::Fresh => {}
            Replay::Same => return Ok(view(&tenant_db, &request, audience, stamp.now).await?),
            Replay::Conflict => return Err(AppError::IdempotencyKeyReused),
        }
    }

    let who = actor(principal);
    let mut request = request;
    let mut attempt = 1;
    loop {
        // What the decision is made from: for an extension the grant it
        // continues, for a revoke its chain (every decision reads as much
        // before it writes, so that two at once race on equal terms).
        let extended = match &request.extends {
            Some(of) => store::load(&tenant_db, &of.of).await?,
            None => None,
        };
        let chain = match verb {
            Verb::Revoke => store::select(&tenant_db, store::chain_of(&request.id)).await?,
            _ => Vec::new(),
        };
        let reads = plan::Reads {
            request: &request,
            switches: tenant.switches()?,
            extended: extended.as_ref(),
            chain: &chain,
        };
        let plan = plan::decision(
            reads,
            verb,
            &who,
            comment.clone(),
            terms.clone(),
            idempotency_key,
            stamp.now,
            origin(stamp),
        )
        .map_err(AppError::Transition)?;
        if verb == Verb::Revoke {
            // Recording under the grants it ends stops first, so that the
            // count its write is guarded on holds.
            let ending: Vec<&str> = plan
                .steps
                .iter()
                .filter(|step| lockbox_shared::report::ends_grant(step))
                .map(|step| step.after().id.as_str())
                .collect();
            if !ending.is_empty() {
                tenant_db
                    .batch(vec![store::close_for_revoke(&ending, stamp.now)])
                    .await?;
            }
        }
        if plan
            .requires
            .iter()
            .any(|r| matches!(r, plan::Requirement::EmergencyRoom { .. }))
        {
            // The pre-approval that starts an emergency grant: the tenant's
            // choice and limits as they are now, said plainly (the write
            // checks them again).
            room_for_emergency(
                &tenant_db,
                request.duration.minutes(),
                &request.reads_content,
                stamp.now,
            )
            .await?;
        }
        // A decision's notices to the provider go to the requester (the
        // chain a revoke ends is theirs too), whose language the index
        // read gave.
        let readers = match &located {
            Some(l)
                if l.requester_id == request.requester.user_id
                    && !stores::plan::tells_managers(&plan) =>
            {
                ProviderReaders::requester(&l.requester_id, l.requester_language)
            }
            _ => stores::plan::readers_for(&global, &plan).await?,
        };
        match stores::plan::commit(&tenant_db, &tenant.tenant_name, &readers, &plan, stamp.now)
            .await
        {
            Ok(committed) => {
                if let (Some(true), Some(after)) = (committed.written.first(), plan.subject()) {
                    super::tell_index(&global, &plan, &committed).await;
                    if verb == Verb::Dispute && tenant.emergency_policy().dispute_freezes {
                        // The tenant chose that a dispute freezes it.
                        dispute_freezes(stores, principal, after, stamp).await?;
                    }
                    return Ok(RequestView::of(
                        after,
                        &tenant.tenant_name,
                        audience,
                        stamp.now,
                    ));
                }
            }
            // The same key raced in from a double tap: the other call won.
            Err(DbError::Unique(_)) if idempotency_key.is_some() => {}
            Err(err) => return Err(err.into()),
        }
        // Someone else changed a row between our read and our write: read
        // again and decide again (another person's approval of the same
        // request leaves it pending, and ours may still count).
        let (current, now_tenant) = request_and_tenant(&tenant_db, id).await?;
        if let Some(key) = idempotency_key {
            if let Replay::Same = replay(&tenant_db, principal, key, id, verb).await? {
                return Ok(view(&tenant_db, &current, audience, stamp.now).await?);
            }
        }
        if attempt == MAX_ATTEMPTS {
            return Err(AppError::Transition(TransitionError::AlreadyDecided {
                state: current.effective_state(stamp.now),
            }));
        }
        attempt += 1;
        tenant = now_tenant;
        request = current;
    }
}

/// Freezes the tenant of `disputed` (its emergency access just disputed by
/// `principal`), as the tenant chose: the reason names the request and
/// the dispute's comment.
async fn dispute_freezes<S: Stores>(
    stores: &S,
    principal: &Principal,
    disputed: &AccessRequest,
    stamp: &Stamp<'_>,
) -> Result<(), AppError> {
    let why = disputed
        .emergency
        .as_ref()
        .and_then(|e| e.review.as_ref())
        .and_then(|r| r.comment.as_ref())
        .map_or("", |c| c.as_str());
    // Cut to a comment's length: the dispute is written already.
    let reason: String = format!("Emergency access {} disputed: {why}", disputed.id)
        .chars()
        .take(lockbox_shared::validation::MAX_COMMENT_CHARS)
        .collect();
    let reason = lockbox_shared::validation::Comment::parse(&reason).map_err(AppError::invalid)?;
    super::settings::freeze_now(stores, principal, &disputed.tenant_id, &reason, stamp).await?;
    Ok(())
}

/// How often [`act`] decides again after losing a race: each lost race
/// means another write landed, and a request takes at most a handful.
const MAX_ATTEMPTS: u32 = 4;

/// Request `id` and its audit records as `principal` may see them (provider
/// staff without the customer person who decided), for someone allowed to
/// read it.
async fn readable<'s, S: Stores>(
    stores: &'s S,
    principal: &Principal,
    id: &RequestId,
) -> Result<
    (
        Tenant<'s, S::Tenant>,
        AccessRequest,
        Audience,
        Vec<AuditRecord>,
    ),
    AppError,
> {
    authorize_role(principal, Action::ReadRequest)?;
    let tenant = stores.tenant(tenant_of(&stores.global(), principal, id).await?);
    let request = store::load(&tenant, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    authorize_on(principal, Action::ReadRequest, &request)?;
    let audience = audience(principal);
    let history = audit::select(&tenant, audit::history(&request.tenant_id, id.as_str()))
        .await?
        .into_iter()
        .map(|record| match audience {
            Audience::Provider => record.for_provider(),
            Audience::Customer => record,
        })
        .collect();
    Ok((tenant, request, audience, history))
}

/// A request with its history, for someone allowed to read it.
pub async fn detail<S: Stores>(
    stores: &S,
    principal: &Principal,
    id: &RequestId,
    now: i64,
) -> Result<RequestDetail, AppError> {
    let (tenant, request, audience, history) = readable(stores, principal, id).await?;
    let extensions: Vec<RequestId> = store::select(&tenant, store::extensions_of(id))
        .await?
        .into_iter()
        .filter(|extension| may_see_request(principal, extension))
        .map(|extension| extension.id)
        .collect();
    let mut actions = audit::select(
        &tenant,
        audit::actions_of(&request.tenant_id, id.as_str(), MAX_REQUEST_ACTIONS),
    )
    .await?;
    actions.reverse();
    let view = view(&tenant, &request, audience, now).await?;
    let chain = if request.extends.is_some() || !extensions.is_empty() {
        store::select(&tenant, store::chain_of(id))
            .await?
            .iter()
            .filter(|member| may_see_request(principal, member))
            .map(|member| RequestView::of(member, &view.tenant_name, audience, now))
            .collect()
    } else {
        Vec::new()
    };
    Ok(RequestDetail {
        view,
        history,
        extensions,
        actions,
        chain,
    })
}

/// The receipt of the customer's decisions on request `id`, for whoever
/// may read the request, quoting the records they may see. Not yet
/// decided: a conflict that says so.
pub async fn receipt<S: Stores>(
    stores: &S,
    principal: &Principal,
    id: &RequestId,
    deployment: &str,
    now: i64,
) -> Result<Receipt, AppError> {
    let (_, request, audience, history) = readable(stores, principal, id).await?;
    Receipt::of(&request, &history, deployment, audience.as_str(), now)
        .map_err(|NoDecision(why)| AppError::NotDecided(why))
}

/// The signed report of what was done under request `id`'s grant, for
/// whoever may read the request (provider staff without the customer
/// persons, as the log shows them). Not yet ended: a conflict that says
/// when it will be.
pub async fn report<S: Stores>(
    stores: &S,
    principal: &Principal,
    id: &RequestId,
    signer: super::report::Signer<'_>,
    now: i64,
) -> Result<String, AppError> {
    let (tenant, request, audience, _) = readable(stores, principal, id).await?;
    super::report::signed(&tenant, &request, audience, signer, now).await
}

/// Filters and page size of a listing.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub filter: ListFilter,
    pub limit: Option<i64>,
}

/// Encodes where the next page starts.
pub fn encode_cursor(cursor: &Cursor) -> String {
    format!("{}_{}", cursor.created_at, cursor.id)
}

/// Decodes a cursor from a previous page.
pub fn decode_cursor(s: &str) -> Result<Cursor, AppError> {
    let bad =
        || AppError::bad_request("`cursor` is not one this API gave out; start again without it.");
    let (at, id) = s.split_once('_').ok_or_else(bad)?;
    Ok(Cursor {
        created_at: at.parse().map_err(|_| bad())?,
        id: RequestId::parse(id).map_err(|_| bad())?,
    })
}

async fn page<D: Database>(
    global: &Global<'_, D>,
    mut requests: Vec<AccessRequest>,
    limit: i64,
    principal: &Principal,
    now: i64,
) -> Result<RequestPage, AppError> {
    let audience = audience(principal);
    let next_cursor = if requests.len() as i64 > limit {
        requests.truncate(limit as usize);
        requests.last().map(|last| {
            encode_cursor(&Cursor {
                created_at: last.created_at,
                id: last.id.clone(),
            })
        })
    } else {
        None
    };
    // A customer's tenant name is known from the sign-in; provider staff's
    // lists name many tenants, read in one query.
    let mut names: BTreeMap<TenantId, String> = BTreeMap::new();
    if let Membership::Customer {
        tenant_id,
        tenant_name,
        ..
    } = &principal.membership
    {
        names.insert(tenant_id.clone(), tenant_name.clone());
    }
    let unknown: Vec<&TenantId> = requests
        .iter()
        .map(|r| &r.tenant_id)
        .filter(|t| !names.contains_key(*t))
        .collect();
    names.extend(settings::names(global, unknown).await?);
    let items = requests
        .iter()
        .map(|request| {
            let name = settings::name_in(&names, &request.tenant_id)?;
            Ok(RequestView::of(request, name, audience, now))
        })
        .collect::<Result<_, DbError>>()?;
    Ok(RequestPage { items, next_cursor })
}

fn limit_of(query: &ListQuery) -> i64 {
    query
        .limit
        .unwrap_or(DEFAULT_REQUESTS_PAGE)
        .clamp(1, MAX_REQUESTS_PAGE)
}

/// Customers: their tenant's requests from pre-approval on. Provider
/// staff: those they opened or decided as manager.
pub async fn list<S: Stores>(
    stores: &S,
    principal: &Principal,
    query: &ListQuery,
    now: i64,
) -> Result<RequestPage, AppError> {
    let limit = limit_of(query);
    let global = stores.global();
    let requests = if principal.is_provider() {
        authorize(principal, Action::ListOwnRequests, None)?;
        provider_index::requests_of(&global, &principal.user_id, &query.filter, limit, now).await?
    } else {
        authorize(principal, Action::ListTenantRequests, principal.tenant())?;
        let tenant = principal.tenant().ok_or(Denied::OtherTenant)?;
        let scope = store::of_tenant(tenant).and(store::reached_customer());
        let statement = store::list(scope, &query.filter, limit, now);
        store::select(&stores.tenant(tenant.clone()), statement).await?
    };
    page(&global, requests, limit, principal, now).await
}

/// Managers: requests of every tenant awaiting pre-approval.
pub async fn awaiting_preapproval<S: Stores>(
    stores: &S,
    principal: &Principal,
    query: &ListQuery,
    now: i64,
) -> Result<RequestPage, AppError> {
    authorize(principal, Action::ListAwaitingPreapproval, None)?;
    let limit = limit_of(query);
    let global = stores.global();
    let requests = provider_index::awaiting_preapproval(&global, &query.filter, limit, now).await?;
    page(&global, requests, limit, principal, now).await
}

/// Whether the caller holds a live grant for `tenant_id` / `service` now:
/// decided at read time, whether or not the scheduled job has run.
pub async fn check_access<S: Stores>(
    stores: &S,
    principal: &Principal,
    tenant_id: &TenantId,
    service: &str,
    now: i64,
) -> Result<AccessCheck, AppError> {
    authorize(principal, Action::CheckAccess, None)?;
    let statement = store::live_grant(
        store::Requester::Id(&principal.user_id),
        tenant_id,
        service,
        now,
    );
    let grants = store::select(&stores.tenant(tenant_id.clone()), statement).await?;
    access_from(principal, tenant_id, service, grants, now)
}

/// [`check_access`] from the rows of [`store::live_grant`], read already
/// (in the round trip that found the caller): the same rule, no reads.
pub fn access_from(
    principal: &Principal,
    tenant_id: &TenantId,
    service: &str,
    grants: Vec<AccessRequest>,
    now: i64,
) -> Result<AccessCheck, AppError> {
    authorize(principal, Action::CheckAccess, None)?;
    let grant = grants.into_iter().find(|r| r.grants_access(now));
    Ok(AccessCheck {
        tenant_id: tenant_id.clone(),
        service: service.to_owned(),
        access: grant.is_some(),
        request_id: grant.as_ref().map(|g| g.id.clone()),
        ends_at: grant.as_ref().and_then(|g| g.grant().map(|w| w.ends_at)),
        operations: grant.as_ref().and_then(AccessRequest::allowed_operations),
        checked_at: now,
    })
}
