//! The operator API (SPEC §5): the operations an engineer may run, and one
//! call of one of them under a live grant, recorded in the tenant's audit
//! log in the same batch that checks the grant.

use lockbox_shared::api::{OperationInfo, OperationList, OperationResult};
use lockbox_shared::audit::NewAuditRecord;
use lockbox_shared::ids::{RequestId, TenantId};
use lockbox_shared::lifecycle::AccessRequest;
use lockbox_shared::notify::{self, WebhookEvent};
use lockbox_shared::operations::{ContentService, GrantRefusal, Invocation, OperationName};
use lockbox_shared::policy::{authorize, Action};
use lockbox_shared::roles::Principal;
use lockbox_shared::validation::Invalid;

use super::Stamp;
use crate::error::AppError;
use crate::store::requests as grants;
use crate::store::{audit, content, settings, Database};

/// Provider staff: the operations of `service` (all when `None`).
pub fn list(principal: &Principal, service: Option<&str>) -> Result<OperationList, AppError> {
    authorize(principal, Action::ListOperations, None)?;
    let service = service
        .map(|name| {
            ContentService::parse(name.trim()).ok_or_else(|| {
                let names: Vec<&str> = ContentService::ALL.iter().map(|s| s.as_str()).collect();
                AppError::invalid(Invalid {
                    field: "service",
                    message: format!(
                        "`service` must be one of {}, not {name:?}.",
                        names.join(", ")
                    ),
                })
            })
        })
        .transpose()?;
    Ok(OperationList {
        items: OperationName::ALL
            .iter()
            .copied()
            .filter(|op| service.is_none_or(|s| op.spec().service == s))
            .map(OperationInfo::of)
            .collect(),
    })
}

/// What a call names, resolved: 404 for an unknown tenant, service (of
/// that tenant) or operation (of that service). `services` are the
/// tenant's ([`settings::tenant_services`]), `None` for no such tenant.
fn resolve(
    tenant_id: &str,
    services: Option<Vec<String>>,
    service: &str,
    operation: &str,
) -> Result<(TenantId, ContentService, OperationName), AppError> {
    let missing_tenant = || AppError::Missing {
        what: format!("The tenant {tenant_id:?}"),
    };
    let tenant = TenantId::parse(tenant_id).map_err(|_| missing_tenant())?;
    let services = services.ok_or_else(missing_tenant)?;
    let service = ContentService::parse(service)
        .filter(|s| services.iter().any(|name| name == s.as_str()))
        .ok_or_else(|| AppError::Missing {
            what: format!(
                "The service {service:?} of this tenant (its services are {})",
                services.join(", ")
            ),
        })?;
    let op = OperationName::parse(operation)
        .filter(|op| op.spec().service == service)
        .ok_or_else(|| {
            let names: Vec<&str> = OperationName::of(service).map(|o| o.as_str()).collect();
            AppError::Missing {
                what: format!(
                    "The operation {operation:?} of {service} (its operations are {})",
                    names.join(", ")
                ),
            }
        })?;
    Ok((tenant, service, op))
}

/// The grant a call works under: the named request's, or the live one
/// that ends last.
fn grant_statement(
    requester: grants::Requester<'_>,
    request: Option<&RequestId>,
    tenant: &TenantId,
    service: &str,
    now: i64,
) -> crate::store::Statement {
    match request {
        Some(id) => grants::live_grant_of(id, requester, tenant, service, now),
        None => grants::live_grant(requester, tenant, service, now),
    }
}

/// What a call reads before it runs, when read together with who is
/// calling: the tenant's services and the caller's live grant.
pub struct Reads {
    /// The tenant's services, `None` for no such tenant.
    pub services: Option<Vec<String>>,
    /// The live grant the call would work under (at most one).
    pub grants: Vec<AccessRequest>,
}

impl Reads {
    /// The two queries, for the caller signed in as `email`.
    pub fn statements(
        email: &str,
        tenant: &TenantId,
        service: &str,
        request: Option<&RequestId>,
        now: i64,
    ) -> (crate::store::Statement, crate::store::Statement) {
        (
            settings::tenant_services_statement(tenant.as_str()),
            grant_statement(
                grants::Requester::Email(email),
                request,
                tenant,
                service,
                now,
            ),
        )
    }

    /// The rows of [`Reads::statements`].
    pub fn from_rows(
        services: Vec<settings::TenantServiceRow>,
        grants: Vec<grants::RequestRow>,
    ) -> Result<Reads, AppError> {
        Ok(Reads {
            services: settings::tenant_services_from(services),
            grants: grants
                .into_iter()
                .map(grants::RequestRow::into_domain)
                .collect::<Result<_, _>>()?,
        })
    }
}

/// Records a refused call (throttled per identity, as every refused
/// attempt is) and returns the refusal.
async fn refuse<D: Database>(
    db: &D,
    principal: &Principal,
    tenant: &TenantId,
    service: ContentService,
    call: &Invocation,
    (err, named): (AppError, Option<AccessRequest>),
    stamp: &Stamp<'_>,
) -> AppError {
    let reason = err.problem().detail;
    let record = NewAuditRecord::operation_refused(
        tenant.clone(),
        call,
        service.as_str(),
        &principal.email,
        stamp.ip,
        &reason,
        named.as_ref(),
    );
    match audit::append_refused(db, &record, stamp.now).await {
        Ok(_) => err,
        Err(db_err) => db_err.into(),
    }
}

/// Why a call found no live grant, with the request it named when that is
/// the caller's request on this tenant (its refusal is recorded with it).
async fn why_not<D: Database>(
    db: &D,
    principal: &Principal,
    tenant: &TenantId,
    service: ContentService,
    request: Option<&RequestId>,
    now: i64,
) -> Result<(AppError, Option<AccessRequest>), AppError> {
    let named = match request {
        // Judged from the named request alone, when it is the caller's
        // and this tenant's (anything else is "no grant").
        Some(id) => grants::load(db, id)
            .await?
            .filter(|r| r.requester.user_id == principal.user_id && r.tenant_id == *tenant),
        None => None,
    };
    Ok((
        why(db, principal, tenant, service, request, named.as_ref(), now).await?,
        named,
    ))
}

async fn why<D: Database>(
    db: &D,
    principal: &Principal,
    tenant: &TenantId,
    service: ContentService,
    request: Option<&RequestId>,
    named: Option<&AccessRequest>,
    now: i64,
) -> Result<AppError, AppError> {
    // A freeze says so first: no grant opens a frozen tenant's content.
    if let Some(tenant) = settings::tenant(db, tenant).await?.filter(|t| t.frozen()) {
        return Ok(AppError::Frozen(format!(
            "{} has frozen access to its content (\"Revoke all access now\", at {}): no grant \
             opens it until its global admin lifts the freeze.",
            tenant.tenant_name,
            lockbox_shared::audit::utc(tenant.frozen_at.unwrap_or_default()),
        )));
    }
    let recent = match request {
        Some(_) => named.cloned().into_iter().collect(),
        None => grants::select(db, grants::recent_grants(&principal.user_id, tenant)).await?,
    };
    Ok(AppError::NoGrant(GrantRefusal::of(
        &recent,
        service.as_str(),
        now,
    )))
}

/// Runs `operation` of `service` on `tenant_id`'s content with `params`,
/// for the engineer holding a live grant for that tenant and service now:
/// the grant of `request` when one is named (the grant page names its
/// own), else the live one that ends last.
/// One batch writes the call's audit record, only if the grant is still
/// live and the item exists, and reads the content (`content::plan`); the
/// content is returned only if the record was written. `operator` is the user the log shows.
/// `reads` are the rows of [`Reads::statements`], when the caller read
/// them already (in the round trip that found who is calling).
#[allow(clippy::too_many_arguments)]
pub async fn run<D: Database>(
    db: &D,
    principal: &Principal,
    target: (&str, &str, &str),
    params: &serde_json::Map<String, serde_json::Value>,
    request: Option<&RequestId>,
    operator: &str,
    stamp: &Stamp<'_>,
    reads: Option<Reads>,
) -> Result<OperationResult, AppError> {
    let (tenant_id, service, operation) = target;
    let role = authorize(principal, Action::RunOperation, None);
    if !principal.is_provider() {
        // Customers learn nothing of which tenants exist.
        role.clone()?;
    }
    let (services, prefetched) = match reads {
        Some(reads) => (reads.services, Some(reads.grants)),
        None => (settings::tenant_services(db, tenant_id).await?, None),
    };
    let (tenant, service, op) = resolve(tenant_id, services, service, operation)?;
    let call = Invocation::parse(op, params).map_err(AppError::invalid)?;
    if let Err(denied) = role {
        return Err(refuse(
            db,
            principal,
            &tenant,
            service,
            &call,
            (denied.into(), None),
            stamp,
        )
        .await);
    }

    let live: Vec<AccessRequest> = match prefetched {
        Some(live) => live,
        None => {
            let requester = grants::Requester::Id(&principal.user_id);
            let statement =
                grant_statement(requester, request, &tenant, service.as_str(), stamp.now);
            grants::select(db, statement).await?
        }
    };
    let grant = live.into_iter().find(|r| r.grants_access(stamp.now));
    let Some(grant) = grant else {
        let err = why_not(db, principal, &tenant, service, request, stamp.now).await?;
        return Err(refuse(db, principal, &tenant, service, &call, err, stamp).await);
    };

    let plan = content::plan(&tenant, &call);
    let record = NewAuditRecord::operation(&grant, &call, &principal.email, operator, stamp.ip);
    let audit_id = audit::new_id();
    let live = grants::still_live_grant(
        &grant.id,
        &principal.user_id,
        &tenant,
        service.as_str(),
        stamp.now,
    );
    // Written only for a live grant and an item that exists (a 404 writes
    // nothing); the content is read in the same transaction.
    let guard = match plan.exists {
        Some(exists) => live.and(exists),
        None => live,
    };
    let data = serde_json::json!({
        "request_id": grant.id.as_str(),
        "tenant_id": tenant.as_str(),
        "service": service.as_str(),
        "ticket": notify::defang(grant.ticket.as_str()),
        "operation": op.as_str(),
        "item": notify::defang(&record.item),
        "parameters": call.parameters().into_iter()
            .map(|(k, v)| (k, serde_json::Value::String(notify::defang(&v))))
            .collect::<serde_json::Map<_, _>>(),
        "engineer": notify::defang(&principal.email),
        "audit_id": audit_id,
    });
    let mut statements = vec![
        audit::insert(&record, &audit_id, stamp.now, Some(&guard)),
        super::notify::webhook_statement(
            WebhookEvent::OperatorAction,
            &audit_id,
            &tenant,
            Some(&grant),
            data,
            stamp.now,
            Some(&guard),
        ),
    ];
    statements.extend(plan.queries);
    let mut answers = db.batch_rows(statements).await?.into_iter();
    let recorded = answers.next().is_some_and(|(changes, _)| changes == 1);
    let sets = answers.skip(1).map(|(_, rows)| rows).collect();
    let Some(result) = content::decode(&call, sets)? else {
        return Err(AppError::Missing {
            what: format!("{} {:?} in this tenant", op.spec().touches, call.item()),
        });
    };
    if !recorded {
        // The grant ended (revoked) between the read and the write: the
        // content read is dropped, and the call is refused.
        let err = why_not(db, principal, &tenant, service, Some(&grant.id), stamp.now).await?;
        return Err(refuse(db, principal, &tenant, service, &call, err, stamp).await);
    }
    Ok(OperationResult {
        operation: op,
        tenant_id: tenant,
        service,
        request_id: grant.id,
        audit_id,
        ran_at: stamp.now,
        result,
    })
}
