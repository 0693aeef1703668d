//! Settings > Org settings > Notifications: a tenant's webhook endpoints
//! and the delivery log of its messages; and the local outbox view.

use lockbox_shared::api::{
    CreatedWebhookEndpoint, Delivery, DevOutbox, NewWebhookEndpoint, NotificationSettings,
    RotatedWebhookSecret, WebhookEndpoint,
};
use lockbox_shared::audit::{LockboxActivity, NewAuditRecord};
use lockbox_shared::ids::TenantId;
use lockbox_shared::notify::WebhookEvent;
use lockbox_shared::policy::{authorize, Action, Denied};
use lockbox_shared::roles::Principal;
use lockbox_shared::validation::Invalid;

use super::{notify, Stamp};
use crate::error::AppError;
use crate::sealing::Sealer;
use crate::store::outbox::{self, EndpointRow, EndpointSummaryRow, OutboxRow};
use crate::store::{audit, Database, Stores};

/// Endpoints a tenant may have.
pub const MAX_ENDPOINTS: usize = 50;
/// How long a replaced secret still signs beside the new one: a day.
pub const PREVIOUS_SECRET_MS: i64 = 24 * 60 * 60 * 1000;
/// Messages the delivery log shows.
pub const DELIVERY_LOG: i64 = 50;

fn tenant_of(principal: &Principal) -> Result<&TenantId, AppError> {
    authorize(principal, Action::ManageNotifications, principal.tenant())?;
    Ok(principal.tenant().ok_or(Denied::OtherTenant)?)
}

fn events_of(csv: &str) -> Vec<String> {
    csv.split(',')
        .filter(|e| !e.is_empty())
        .map(str::to_owned)
        .collect()
}

fn endpoint_view(row: EndpointSummaryRow) -> WebhookEndpoint {
    WebhookEndpoint {
        events: events_of(&row.events),
        id: row.id,
        url: row.url,
        created_by: row.created_by,
        created_at: row.created_at,
        delivered: row.delivered,
        pending: row.pending,
        failed: row.failed,
        last_attempt_status: row.last_attempt_status,
        last_status: row.last_status,
        last_error: row.last_error,
        last_attempt_at: row.last_attempt_at,
    }
}

/// A stored message as the API shows it.
pub fn delivery_view(row: OutboxRow, sink_deliveries: Option<i64>) -> Delivery {
    Delivery {
        id: row.id,
        channel: row.channel,
        recipient: row.recipient,
        request_id: row.request_id,
        kind: row.kind,
        subject: row.subject,
        body: row.body,
        created_at: row.created_at,
        status: row.status,
        attempts: row.attempts,
        next_attempt_at: row.next_attempt_at,
        last_error: row.last_error,
        last_status: row.last_status,
        delivered_at: row.delivered_at,
        sink_deliveries,
    }
}

/// The tenant's endpoints, the events, and the newest deliveries.
pub async fn settings<S: Stores>(
    stores: &S,
    principal: &Principal,
) -> Result<NotificationSettings, AppError> {
    let tenant = tenant_of(principal)?;
    let db = &stores.tenant(tenant.clone());
    let endpoints = db
        .query::<EndpointSummaryRow>(outbox::tenant_endpoints(tenant))
        .await?
        .into_iter()
        .map(endpoint_view)
        .collect();
    let deliveries = db
        .query::<OutboxRow>(outbox::tenant_deliveries(tenant, DELIVERY_LOG))
        .await?
        .into_iter()
        .map(|row| delivery_view(row, None))
        .collect();
    Ok(NotificationSettings {
        endpoints,
        events: WebhookEvent::ALL
            .iter()
            .map(|e| e.as_str().to_owned())
            .collect(),
        deliveries,
    })
}

fn parse_events(events: &[String]) -> Result<String, AppError> {
    if events.is_empty() {
        return Ok(WebhookEvent::ALL
            .iter()
            .map(|e| e.as_str())
            .collect::<Vec<_>>()
            .join(","));
    }
    let mut chosen = Vec::new();
    for name in events {
        let event = WebhookEvent::parse(name.trim()).ok_or_else(|| {
            AppError::invalid(Invalid {
                field: "events",
                message: format!(
                    "{name:?} is not an event. The events are {}.",
                    WebhookEvent::ALL
                        .iter()
                        .map(|e| e.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            })
        })?;
        if !chosen.contains(&event) {
            chosen.push(event);
        }
    }
    chosen.sort();
    Ok(chosen
        .iter()
        .map(|e| e.as_str())
        .collect::<Vec<_>>()
        .join(","))
}

/// The sealer, or why there is none.
fn sealer(sealer: &Result<Sealer, String>) -> Result<&Sealer, AppError> {
    sealer
        .as_ref()
        .map_err(|why| AppError::Misconfigured(why.clone()))
}

/// Adds an endpoint (audited); the answer carries its secret, once; the
/// database holds it sealed. `allow_loopback_http` is local development's.
pub async fn add<S: Stores>(
    stores: &S,
    principal: &Principal,
    input: &NewWebhookEndpoint,
    allow_loopback_http: bool,
    secrets: &Result<Sealer, String>,
    stamp: &Stamp<'_>,
) -> Result<CreatedWebhookEndpoint, AppError> {
    let tenant = tenant_of(principal)?;
    let secrets = sealer(secrets)?;
    let db = &stores.tenant(tenant.clone());
    let url = notify::check_endpoint_url(&input.url, allow_loopback_http).map_err(|message| {
        AppError::invalid(Invalid {
            field: "url",
            message,
        })
    })?;
    let events = parse_events(&input.events)?;
    let existing = db
        .query::<EndpointSummaryRow>(outbox::tenant_endpoints(tenant))
        .await?;
    if existing.len() >= MAX_ENDPOINTS {
        return Err(AppError::bad_request(format!(
            "A tenant can have at most {MAX_ENDPOINTS} webhook endpoints; remove one first."
        )));
    }
    let id = uuid::Uuid::new_v4().to_string();
    let secret = notify::new_secret();
    let row = EndpointRow {
        secret: secrets
            .seal(&secret, &id)
            .await
            .map_err(AppError::Internal)?,
        id,
        tenant_id: tenant.as_str().to_owned(),
        url,
        events,
        created_by: principal.email.clone(),
        created_at: stamp.now,
        removed_at: None,
        previous_secret: None,
        previous_until: None,
    };
    let record = NewAuditRecord::webhook_endpoint(
        tenant.clone(),
        stamp.ip,
        &principal.email,
        LockboxActivity::AddWebhookEndpoint,
        (&row.id, &row.url, &row.events),
    );
    db.batch(vec![
        outbox::insert_endpoint(&row),
        audit::insert(&record, &audit::new_id(), stamp.now, None),
    ])
    .await?;
    Ok(CreatedWebhookEndpoint {
        endpoint: WebhookEndpoint {
            id: row.id,
            url: row.url,
            events: events_of(&row.events),
            created_by: row.created_by,
            created_at: row.created_at,
            delivered: 0,
            pending: 0,
            failed: 0,
            last_attempt_status: None,
            last_status: None,
            last_error: None,
            last_attempt_at: None,
        },
        secret_id: notify::secret_id(&secret),
        secret,
    })
}

/// Replaces an endpoint's signing secret (audited); the answer carries the
/// new one, once. The one it replaces signs beside it for a day.
pub async fn rotate_secret<S: Stores>(
    stores: &S,
    principal: &Principal,
    id: &str,
    secrets: &Result<Sealer, String>,
    stamp: &Stamp<'_>,
) -> Result<RotatedWebhookSecret, AppError> {
    let tenant = tenant_of(principal)?;
    let secrets = sealer(secrets)?;
    let db = &stores.tenant(tenant.clone());
    let found = live_endpoint(db, id).await?;
    let secret = notify::new_secret();
    let sealed = secrets
        .seal(&secret, &found.id)
        .await
        .map_err(AppError::Internal)?;
    // The secret replaced, sealed under the current key whatever it was
    // stored as (in the clear before sealing, under the previous key);
    // none if no key opens it.
    let previous = match secrets.open(&found.secret, &found.id).await {
        Ok(opened) => Some(
            secrets
                .seal(&opened.secret, &found.id)
                .await
                .map_err(AppError::Internal)?,
        ),
        Err(_) => None,
    };
    let until = stamp.now + PREVIOUS_SECRET_MS;
    let record = NewAuditRecord::webhook_endpoint(
        tenant.clone(),
        stamp.ip,
        &principal.email,
        LockboxActivity::RotateWebhookSecret,
        (&found.id, &found.url, &found.events),
    );
    // The record and the change together, or neither: a secret replaced
    // meanwhile (or the endpoint removed) leaves both out.
    let unchanged = outbox::endpoint_secret_is(tenant, id, &found.secret);
    let changes = db
        .batch(vec![
            audit::insert(&record, &audit::new_id(), stamp.now, Some(&unchanged)),
            outbox::rotate_secret(
                tenant,
                id,
                &found.secret,
                &sealed,
                previous.as_deref(),
                until,
            ),
        ])
        .await?;
    if changes.last() != Some(&1) {
        return Err(AppError::bad_request(format!(
            "The webhook endpoint {id} was removed, or its secret replaced, while this call \
             ran; nothing was changed. Look at the endpoint and try again."
        )));
    }
    Ok(RotatedWebhookSecret {
        id: found.id,
        secret_id: notify::secret_id(&secret),
        secret,
        previous_valid_until: until,
    })
}

/// The tenant's live endpoint `id`, or a 404 naming it.
async fn live_endpoint<D: Database>(
    db: &crate::store::Tenant<'_, D>,
    id: &str,
) -> Result<EndpointRow, AppError> {
    db.query::<EndpointRow>(outbox::endpoints(&[id]))
        .await?
        .into_iter()
        .find(|e| e.tenant_id == db.id().as_str() && e.removed_at.is_none())
        .ok_or_else(|| missing(id))
}

fn missing(id: &str) -> AppError {
    AppError::Missing {
        what: format!("The webhook endpoint {id}"),
    }
}

/// Removes an endpoint (audited); what it had not yet received fails.
pub async fn remove<S: Stores>(
    stores: &S,
    principal: &Principal,
    id: &str,
    stamp: &Stamp<'_>,
) -> Result<(), AppError> {
    let tenant = tenant_of(principal)?;
    let db = &stores.tenant(tenant.clone());
    let found = live_endpoint(db, id).await?;
    let record = NewAuditRecord::webhook_endpoint(
        tenant.clone(),
        stamp.ip,
        &principal.email,
        LockboxActivity::RemoveWebhookEndpoint,
        (&found.id, &found.url, &found.events),
    );
    let live = outbox::endpoint_live(tenant, id);
    let mut statements = vec![audit::insert(
        &record,
        &audit::new_id(),
        stamp.now,
        Some(&live),
    )];
    statements.extend(outbox::remove_endpoint(tenant, id, stamp.now));
    let changes = db.batch(statements).await?;
    if changes.last() != Some(&1) {
        return Err(missing(id));
    }
    Ok(())
}

/// The newest messages, optionally of one request (local development).
pub async fn dev_outbox<D: Database>(
    db: &D,
    request: Option<&str>,
    limit: i64,
) -> Result<DevOutbox, AppError> {
    let rows: Vec<OutboxRow> = db.query(outbox::dev_list(request, limit)).await?;
    Ok(DevOutbox {
        items: rows
            .into_iter()
            .map(|row| {
                let sink = row.sink_deliveries;
                delivery_view(row, sink)
            })
            .collect(),
    })
}
