//! Delivery at the edge: the Workers e-mail binding and `fetch` behind the
//! `Mailer` and `Poster` traits, and the pass that runs after a request
//! (inside `waitUntil`) and in the scheduled job.

use lockbox_shared::api::DeliveryOutcome;
use worker::js_sys;
use worker::wasm_bindgen::{JsCast, JsValue};
use worker::{
    Fetch, Headers, Method, Request, RequestInit, RequestRedirect, SendEmail, SendEmailBuilder,
};

use crate::config::{App, Mail as MailConfig};
use crate::service::notify::{
    self, Mail, Mailer, PostResult, Posted, Poster, Sink, DELIVERY_BATCH,
};
use crate::store::d1::{AfterAnswer, Edge};
use crate::store::outbox::OutboxRow;
use lockbox_shared::ids::TenantId;

/// Cloudflare Email Service through the `send_email` binding.
pub struct CloudflareMailer<'a> {
    binding: &'a SendEmail,
    from: &'a str,
}

impl Mailer for CloudflareMailer<'_> {
    async fn send(&self, mail: Mail<'_>) -> Result<String, String> {
        let row = mail.row;
        // The outbox id travels with the message: a retry after a lost
        // answer carries the same id, so it can be recognised downstream.
        let headers = js_sys::Object::new();
        js_sys::Reflect::set(
            &headers,
            &JsValue::from_str("X-Lockbox-Notice-Id"),
            &JsValue::from_str(&row.id),
        )
        .map_err(|_| "could not set the notice id header".to_owned())?;
        let message = SendEmailBuilder::builder(self.from, &row.recipient, &row.subject)
            .text(&row.body)
            .headers(headers.unchecked_ref())
            .build();
        self.binding
            .send_with_builder(&message)
            .await
            .map(|result| result.message_id())
            .map_err(|err| format!("the e-mail service refused the message: {err:?}"))
    }
}

/// A mailer that has no way to send: every attempt fails with `why`, so the
/// message is retried and, in the end, shown as failed to the tenant.
pub struct Unconfigured<'a>(pub &'a str);

impl Mailer for Unconfigured<'_> {
    async fn send(&self, _mail: Mail<'_>) -> Result<String, String> {
        Err(self.0.to_owned())
    }
}

/// Webhook POSTs through `fetch`, without following redirects.
pub struct FetchPoster;

impl Poster for FetchPoster {
    async fn post(&self, url: &str, headers: &[(&str, String)], body: &str) -> PostResult {
        let controller = worker::AbortController::default();
        let signal = controller.signal();
        let sent = async {
            let h = Headers::new();
            for (name, value) in headers {
                h.set(name, value)?;
            }
            let mut init = RequestInit::new();
            init.with_method(Method::Post)
                .with_headers(h)
                .with_redirect(RequestRedirect::Manual)
                .with_body(Some(JsValue::from_str(body)));
            let request = Request::new_with_init(url, &init)?;
            let response = Fetch::Request(request).send_with_signal(&signal).await?;
            let retry_after = response
                .headers()
                .get("Retry-After")
                .ok()
                .flatten()
                .filter(|_| matches!(response.status_code(), 429 | 503))
                .and_then(|v| notify::retry_after_ms(&v, worker::Date::now().as_millis() as i64));
            Ok::<Posted, worker::Error>(Posted {
                status: response.status_code(),
                retry_after_ms: retry_after,
            })
        };
        // An endpoint that does not answer in time is an attempt failed:
        // the pass goes on with the other messages.
        let timeout = worker::Delay::from(std::time::Duration::from_millis(WEBHOOK_TIMEOUT_MS));
        futures_util::pin_mut!(sent);
        match futures_util::future::select(sent, timeout).await {
            futures_util::future::Either::Left((sent, _)) => {
                sent.map_err(|err| format!("the endpoint could not be reached: {err}"))
            }
            futures_util::future::Either::Right(_) => {
                controller.abort();
                Err(format!(
                    "the endpoint did not answer within {} s.",
                    WEBHOOK_TIMEOUT_MS / 1000
                ))
            }
        }
    }
}

/// How long a webhook endpoint has to answer one delivery.
pub const WEBHOOK_TIMEOUT_MS: u64 = 10_000;

/// One delivery pass as of `now`: e-mail through the local sink in
/// development, else through the configured binding. A failure is logged
/// and never reaches the caller: delivery must not fail a decision.
pub async fn deliver(app: &App, now: i64) -> DeliveryOutcome {
    pass(app, None, now).await
}

/// [`deliver`] for messages leased already (by the batch that stored them).
pub async fn deliver_claimed(app: &App, claimed: Vec<OutboxRow>, now: i64) -> DeliveryOutcome {
    pass(app, Some(claimed), now).await
}

/// A message on the notices queue: a tenant whose change stored messages.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Queued {
    tenant: String,
}

impl Queued {
    /// The tenant named, if it is a tenant id.
    pub fn tenant(&self) -> Option<TenantId> {
        TenantId::parse(&self.tenant).ok()
    }
}

/// After a change's answer: sends the messages it leased, or names its
/// tenants to the notices queue. A queue that cannot be reached is logged;
/// the messages stay due for the scheduled job.
pub async fn after_answer(app: &App, after: AfterAnswer, now: i64) {
    match (after, &app.notices) {
        (AfterAnswer::Send(claimed), _) => {
            deliver_claimed(app, claimed, now).await;
        }
        (AfterAnswer::Queue(tenants), Some(queue)) => {
            let messages: Vec<Queued> = tenants
                .iter()
                .map(|tenant| Queued {
                    tenant: tenant.to_string(),
                })
                .collect();
            if let Err(err) = queue.send_batch(messages).await {
                crate::error::log_deferred("naming a change's tenant to the notices queue", &err);
            }
        }
        (AfterAnswer::Queue(_), None) | (AfterAnswer::Wait, _) => {}
    }
}

/// The notices queue's consumer: one pass over each named tenant's due
/// messages (a tenant named by many changes once).
pub async fn consume(app: &App, mut tenants: Vec<TenantId>, now: i64) {
    tenants.sort_by_key(|tenant| tenant.to_string());
    tenants.dedup();
    for tenant in &tenants {
        // A full pass may have left more due (a burst of changes): up to
        // `PASSES_PER_TENANT` passes, the rest at the next message or the
        // scheduled run.
        for _ in 0..PASSES_PER_TENANT {
            let outcome = deliver_own(app, &*app.db, tenant, now).await;
            let handled = outcome.delivered + outcome.retrying + outcome.failed;
            if handled < DELIVERY_BATCH.unsigned_abs() {
                break;
            }
        }
    }
}

/// How many delivery passes the notices queue's consumer makes for one
/// tenant per batch of queue messages (each pass at most
/// [`DELIVERY_BATCH`] messages).
pub const PASSES_PER_TENANT: u32 = 5;

/// What signs the reports the access report e-mails quote.
fn signer(app: &App) -> Option<crate::service::report::Signer<'_>> {
    app.audit_key
        .as_ref()
        .ok()
        .map(|key| crate::service::report::Signer {
            key,
            deployment: &app.deployment,
        })
}

async fn pass(app: &App, claimed: Option<Vec<OutboxRow>>, now: i64) -> DeliveryOutcome {
    let db = &*app.db;
    let signer = signer(app);
    if signer.is_some() {
        app.note_keys(now).await;
    }
    let secrets = app.secrets.as_ref().ok();
    let result = match (&app.dev, &app.mail) {
        (Some(_), _) => send(db, &Sink(db), signer, secrets, claimed, now).await,
        (None, MailConfig::Binding { binding, from }) => {
            send(
                db,
                &CloudflareMailer { binding, from },
                signer,
                secrets,
                claimed,
                now,
            )
            .await
        }
        (None, MailConfig::Missing(why)) => {
            send(db, &Unconfigured(why), signer, secrets, claimed, now).await
        }
    };
    match result {
        Ok(outcome) => outcome,
        Err(err) => {
            crate::error::AppError::from(err).log();
            DeliveryOutcome::default()
        }
    }
}

/// One delivery pass over `tenant`'s own outbox (its object's, at its
/// alarm), through `stores`.
pub async fn deliver_own<S: crate::store::Stores>(
    app: &App,
    stores: &S,
    tenant: &lockbox_shared::ids::TenantId,
    now: i64,
) -> DeliveryOutcome {
    use crate::store::Database;
    let claimed: Result<Vec<OutboxRow>, _> = stores
        .tenant(tenant.clone())
        .query(crate::store::outbox::claim_due_of(
            tenant,
            now,
            DELIVERY_BATCH,
        ))
        .await;
    let result = match claimed {
        Err(err) => Err(err),
        Ok(rows) => {
            let db = &*app.db;
            let signer = signer(app);
            let secrets = app.secrets.as_ref().ok();
            match (&app.dev, &app.mail) {
                (Some(_), _) => {
                    notify::deliver_claimed(
                        stores,
                        &Sink(db),
                        &FetchPoster,
                        signer,
                        secrets,
                        rows,
                        now,
                    )
                    .await
                }
                (None, MailConfig::Binding { binding, from }) => {
                    let mailer = CloudflareMailer { binding, from };
                    notify::deliver_claimed(
                        stores,
                        &mailer,
                        &FetchPoster,
                        signer,
                        secrets,
                        rows,
                        now,
                    )
                    .await
                }
                (None, MailConfig::Missing(why)) => {
                    let mailer = Unconfigured(why);
                    notify::deliver_claimed(
                        stores,
                        &mailer,
                        &FetchPoster,
                        signer,
                        secrets,
                        rows,
                        now,
                    )
                    .await
                }
            }
        }
    };
    match result {
        Ok(outcome) => outcome,
        Err(err) => {
            crate::error::AppError::from(err).log();
            DeliveryOutcome::default()
        }
    }
}

async fn send<M: Mailer>(
    db: &Edge,
    mailer: &M,
    signer: Option<crate::service::report::Signer<'_>>,
    secrets: Option<&crate::sealing::Sealer>,
    claimed: Option<Vec<OutboxRow>>,
    now: i64,
) -> Result<DeliveryOutcome, crate::store::DbError> {
    match claimed {
        Some(rows) => {
            notify::deliver_claimed(db, mailer, &FetchPoster, signer, secrets, rows, now).await
        }
        None => {
            notify::deliver_due(
                db,
                mailer,
                &FetchPoster,
                signer,
                secrets,
                now,
                DELIVERY_BATCH,
            )
            .await
        }
    }
}
