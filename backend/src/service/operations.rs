//! The operator API (SPEC §5) as the console uses it: the operations the
//! registered provider services offer, and one call of one of them under
//! the engineer's live grant, forwarded to the service that registered it
//! with a grant token. Lockbox holds no content: the service records the
//! action through the boundary (`/api/v1/provider/actions`) before it reads
//! anything, exactly as when an engineer calls it directly.

use std::collections::BTreeMap;

use lockbox_shared::api::{OperationInfo, OperationList, ParameterInfo};
use lockbox_shared::audit::NewAuditRecord;
use lockbox_shared::ids::{RequestId, TenantId};
use lockbox_shared::integration::{OperationKind, RegisteredService, ServiceOperation};
use lockbox_shared::lifecycle::AccessRequest;
use lockbox_shared::operations::GrantRefusal;
use lockbox_shared::policy::{authorize, Action};
use lockbox_shared::roles::Principal;
use lockbox_shared::validation::Invalid;

use super::integration::{self, Boundary};
use super::Stamp;
use crate::error::AppError;
use crate::store::requests as grants;
use crate::store::{audit, services, settings, Database, Stores, Tenant};

/// Whether `op` of `service` works on the Lockbox service `name`.
pub fn works_on(service: &RegisteredService, op: &ServiceOperation, name: &str) -> bool {
    service.registration.serves.iter().any(|s| s == name)
        && op.service.as_deref().is_none_or(|s| s == name)
}

/// The operations the registered services offer for the Lockbox service
/// `service`, by name, with whether they read content (when two services
/// offer the same name, content if either says so).
pub async fn catalog<D: Database>(
    db: &D,
    service: &str,
) -> Result<BTreeMap<String, OperationKind>, crate::store::DbError> {
    let mut kinds = BTreeMap::new();
    for s in services::serving(db, service).await? {
        for op in &s.registration.operations {
            if works_on(&s, op, service) {
                let kind = kinds.entry(op.name.clone()).or_insert(op.kind);
                if op.kind == OperationKind::Content {
                    *kind = OperationKind::Content;
                }
            }
        }
    }
    Ok(kinds)
}

/// Of the operations `names`, those that read content by `catalog` (one
/// the catalog lacks counts as content).
pub fn content_among(catalog: &BTreeMap<String, OperationKind>, names: &[String]) -> Vec<String> {
    names
        .iter()
        .filter(|name| catalog.get(*name) != Some(&OperationKind::Metadata))
        .cloned()
        .collect()
}

/// Provider staff: the operations the registered services offer for the
/// Lockbox service `service` (for every service when `None`); those of the
/// services in `forwarded` can be run from the console.
pub async fn list<D: Database>(
    db: &D,
    principal: &Principal,
    service: Option<&str>,
    forwarded: &[&str],
) -> Result<OperationList, AppError> {
    authorize(principal, Action::ListOperations, None)?;
    let service = service.map(str::trim).filter(|s| !s.is_empty());
    let registered = match service {
        Some(name) => services::serving(db, name).await?,
        None => services::all(db).await?,
    };
    let mut items = Vec::new();
    for s in &registered {
        for op in &s.registration.operations {
            let names: Vec<&String> = s
                .registration
                .serves
                .iter()
                .filter(|name| service.is_none_or(|want| want == name.as_str()))
                .filter(|name| works_on(s, op, name))
                .collect();
            for name in names {
                items.push(OperationInfo {
                    name: op.name.clone(),
                    service: name.clone(),
                    provider_service: s.registration.id.clone(),
                    kind: op.kind,
                    forwarded: forwarded.contains(&s.registration.id.as_str()),
                    description: op.description.clone(),
                    parameters: op
                        .parameters
                        .iter()
                        .map(|p| ParameterInfo {
                            name: p.name.clone(),
                            required: p.required,
                            description: p.description.clone(),
                        })
                        .collect(),
                });
            }
        }
    }
    Ok(OperationList { items })
}

/// What a call names, resolved: 404 for an unknown tenant, service (of
/// that tenant) or operation (no registered service offers it for that
/// service). `services` are the tenant's, `None` for no such tenant. Of
/// several services that offer it, one in `forwarded` is chosen first.
fn resolve(
    tenant_id: &str,
    services: Option<Vec<String>>,
    service: &str,
    operation: &str,
    mut registered: Vec<RegisteredService>,
    forwarded: &[&str],
) -> Result<(TenantId, RegisteredService, ServiceOperation), AppError> {
    registered.sort_by_key(|s| !forwarded.contains(&s.registration.id.as_str()));
    let missing_tenant = || AppError::Missing {
        what: format!("The tenant {tenant_id:?}"),
    };
    let tenant = TenantId::parse(tenant_id).map_err(|_| missing_tenant())?;
    let services = services.ok_or_else(missing_tenant)?;
    if !services.iter().any(|s| s == service) {
        return Err(AppError::Missing {
            what: format!(
                "The service {service:?} of this tenant (its services are {})",
                services.join(", ")
            ),
        });
    }
    let mut offered = Vec::new();
    for s in registered {
        let found = s
            .registration
            .operations
            .iter()
            .find(|op| op.name == operation && works_on(&s, op, service))
            .cloned();
        match found {
            Some(op) => return Ok((tenant, s, op)),
            None => offered.extend(
                s.registration
                    .operations
                    .iter()
                    .filter(|op| works_on(&s, op, service))
                    .map(|op| op.name.clone()),
            ),
        }
    }
    Err(AppError::Missing {
        what: format!(
            "The operation {operation:?} of {service} (its operations are {})",
            if offered.is_empty() {
                "none: no registered service serves it".to_owned()
            } else {
                offered.join(", ")
            }
        ),
    })
}

/// The longest parameter value passed on.
const MAX_PARAM_CHARS: usize = 400;

/// Checks a call's parameters against the operation's registration: only
/// its parameters, each required one given, each a short text or number.
/// Returns them as text (for a refusal's record); the service checks what
/// the values mean.
fn parameters(
    op: &ServiceOperation,
    params: &serde_json::Map<String, serde_json::Value>,
) -> Result<BTreeMap<String, String>, AppError> {
    let names: Vec<&str> = op.parameters.iter().map(|p| p.name.as_str()).collect();
    if let Some(unknown) = params.keys().find(|k| !names.contains(&k.as_str())) {
        return Err(AppError::invalid(Invalid {
            field: "parameters",
            message: if names.is_empty() {
                format!(
                    "{} takes no parameters, so `{unknown}` is not accepted; send {{}}.",
                    op.name
                )
            } else {
                format!(
                    "{} takes {}; `{unknown}` is not one of them.",
                    op.name,
                    names.join(", ")
                )
            },
        }));
    }
    let mut out = BTreeMap::new();
    for p in &op.parameters {
        let value = params.get(&p.name).filter(|v| !v.is_null());
        let text = match value {
            None if p.required => {
                return Err(AppError::InvalidAt {
                    field: p.name.clone(),
                    message: format!("{} needs `{}`: {}", op.name, p.name, p.description),
                })
            }
            None => continue,
            Some(serde_json::Value::String(s)) => s.trim().to_owned(),
            Some(serde_json::Value::Number(n)) => n.to_string(),
            Some(_) => String::new(),
        };
        if text.is_empty()
            || text.chars().count() > MAX_PARAM_CHARS
            || text.chars().any(char::is_control)
        {
            return Err(AppError::InvalidAt {
                field: p.name.clone(),
                message: format!("`{}` must be {}", p.name, p.description),
            });
        }
        out.insert(p.name.clone(), text);
    }
    Ok(out)
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
    db: &Tenant<'_, D>,
    principal: &Principal,
    tenant: &TenantId,
    service: &str,
    call: (&str, &str, BTreeMap<String, String>),
    (err, named): (AppError, Option<AccessRequest>),
    stamp: &Stamp<'_>,
) -> AppError {
    let reason = err.problem().detail;
    let record = NewAuditRecord::operation_refused(
        tenant.clone(),
        call,
        service,
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
    db: &Tenant<'_, D>,
    principal: &Principal,
    tenant: &TenantId,
    service: &str,
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
    db: &Tenant<'_, D>,
    principal: &Principal,
    tenant: &TenantId,
    service: &str,
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
        None => {
            let statement = grants::recent_grants(&principal.user_id, tenant);
            grants::select(db, statement).await?
        }
    };
    Ok(AppError::NoGrant(GrantRefusal::of(&recent, service, now)))
}

/// A call Lockbox passes on to the registered service that offers it.
pub struct Forward {
    /// The registered service (`svc:…`).
    pub service: String,
    /// A grant token for the engineer's live grant, for that service.
    pub token: String,
}

/// Prepares `operation` of `service` on `tenant_id`'s content with
/// `params`, for the engineer holding a live grant for that tenant and
/// service now: the grant of `request` when one is named (the grant page
/// names its own), else the live one that ends last. A call refused here
/// (no live grant, or not an engineer) is written to the tenant's log as a
/// refused attempt; a call that may go on gets the service to send it to
/// and a grant token for it (a service in `forwarded` first, when several
/// offer the operation). `reads` are the rows of [`Reads::statements`],
/// when the caller read them already.
#[allow(clippy::too_many_arguments)]
pub async fn prepare<S: Stores>(
    stores: &S,
    principal: &Principal,
    target: (&str, &str, &str),
    params: &serde_json::Map<String, serde_json::Value>,
    request: Option<&RequestId>,
    boundary: &Boundary<'_>,
    forwarded: &[&str],
    stamp: &Stamp<'_>,
    reads: Option<Reads>,
) -> Result<Forward, AppError> {
    let (tenant_id, service, operation) = target;
    let role = authorize(principal, Action::RunOperation, None);
    if !principal.is_provider() {
        // Customers learn nothing of which tenants exist.
        role.clone()?;
    }
    let (tenant_services, prefetched) = match reads {
        Some(reads) => (reads.services, Some(reads.grants)),
        None => (
            settings::tenant_services(&stores.global(), tenant_id).await?,
            None,
        ),
    };
    let registered = services::serving(&stores.global(), service).await?;
    let serving = registered.clone();
    let (tenant, provider, op) = resolve(
        tenant_id,
        tenant_services,
        service,
        operation,
        registered,
        forwarded,
    )?;
    let given = parameters(&op, params)?;
    // The refusal's item: the first parameter given, in the registration's order.
    let item = op
        .parameters
        .iter()
        .find_map(|p| given.get(&p.name))
        .cloned()
        .unwrap_or_default();
    let call = || (op.name.as_str(), item.as_str(), given.clone());
    let db = &stores.tenant(tenant.clone());
    if let Err(denied) = role {
        return Err(refuse(
            db,
            principal,
            &tenant,
            service,
            call(),
            (denied.into(), None),
            stamp,
        )
        .await);
    }
    let live: Vec<AccessRequest> = match prefetched {
        Some(live) => live,
        None => {
            let requester = grants::Requester::Id(&principal.user_id);
            let statement = grant_statement(requester, request, &tenant, service, stamp.now);
            grants::select(db, statement).await?
        }
    };
    let Some(grant) = live.into_iter().find(|r| r.grants_access(stamp.now)) else {
        let err = why_not(db, principal, &tenant, service, request, stamp.now).await?;
        return Err(refuse(db, principal, &tenant, service, call(), err, stamp).await);
    };
    if !grant.allows_operation(&op.name) {
        // Live, but the approvers did not allow this operation.
        let err = AppError::OperationNotGranted {
            operation: op.name.clone(),
        };
        return Err(refuse(
            db,
            principal,
            &tenant,
            service,
            call(),
            (err, Some(grant)),
            stamp,
        )
        .await);
    }
    let token = integration::token_for(&grant, &serving, &principal.email, boundary, stamp.now)?;
    Ok(Forward {
        service: provider.registration.id,
        token: token.token,
    })
}
