//! Notices: the outbox statements each change adds to its own batch, and
//! their delivery by e-mail and to the tenants' webhook endpoints.
//!
//! Who is told what comes from `lockbox_shared::notify`; this module only
//! turns it into rows, and rows into deliveries.

use std::collections::BTreeMap;

use lockbox_shared::api::DeliveryOutcome;
use lockbox_shared::i18n::Lang;
use lockbox_shared::ids::{TenantId, UserId};
use lockbox_shared::lifecycle::{AccessRequest, Verb};
use lockbox_shared::notify::{self, Audience, Email, NoticeKind, WebhookEvent};
use serde_json::Value;

use crate::sealing::{self, Sealer};
use crate::store::outbox::{self, Message, OutboxRow, Reader, Texts, To};
use crate::store::people::ProviderReaders;
use crate::store::{Condition, Database, DbError, Statement, Stores};

use super::report::Signer;
use lockbox_shared::api::Audience as ReportAudience;

/// Messages one delivery pass takes at most: a pass runs after a request
/// (within `waitUntil`) or in the scheduled job, and each message is one
/// subrequest.
pub const DELIVERY_BATCH: i64 = 20;

/// Who is told of `request` for `audience`: the provider's people as
/// `readers` names them (read before the tenant's write), the tenant's
/// people as they are when the write runs.
fn to_people<'a>(
    audience: Audience,
    request: &'a AccessRequest,
    readers: &'a ProviderReaders,
    managers: &'a [Reader],
) -> To<'a> {
    match audience {
        Audience::Requester => To::Address {
            address: &request.requester.email,
            language: readers.language_of(&request.requester.user_id),
        },
        Audience::Managers => To::Readers(managers),
        Audience::TenantApprovers | Audience::TenantAdmins => To::People {
            audience,
            tenant: &request.tenant_id,
            except: Some(&request.requester.user_id),
        },
    }
}

/// The key of an e-mail of `kind` about the event `key`.
fn kind_key(key: &str, kind: NoticeKind) -> String {
    format!("{key}/{}", kind.as_str())
}

/// What follows a request's id in the id of its 15-minute warning's row.
pub fn grant_ending_row_suffix() -> String {
    outbox::row_id(&kind_key("", NoticeKind::GrantEnding), outbox::ADDRESS)
}

/// One e-mail notice: what, to whom, keyed by which event.
struct Notice<'a> {
    kind: NoticeKind,
    to: To<'a>,
    key: &'a str,
    tenant: &'a TenantId,
    request: Option<&'a AccessRequest>,
}

fn email_statement(
    notice: Notice<'_>,
    texts: &Texts,
    now: i64,
    condition: Option<&Condition>,
) -> Statement {
    let key = kind_key(notice.key, notice.kind);
    outbox::insert(
        notice.to,
        &Message {
            key: &key,
            tenant: Some(notice.tenant),
            request: notice.request.map(|r| &r.id),
            kind: notice.kind.as_str(),
            texts,
        },
        now,
        condition,
    )
}

/// An e-mail in every language, as `write` gives it in each.
pub fn in_every_language(write: impl Fn(Lang) -> Email) -> Texts {
    Texts::new(|lang| {
        let email = write(lang);
        (email.subject, email.body)
    })
}

/// The webhook rows of `event` for `tenant`, keyed by the event: `data`
/// for machines, and `text` in the tenant's default language for people.
#[allow(clippy::too_many_arguments)]
pub fn webhook_statement(
    event: WebhookEvent,
    key: &str,
    tenant: &TenantId,
    request: Option<&AccessRequest>,
    data: Value,
    text: impl Fn(Lang) -> String,
    now: i64,
    condition: Option<&Condition>,
) -> Statement {
    let key = format!("{key}/{}", event.as_str());
    let texts = Texts::new(|lang| {
        (
            event.as_str().to_owned(),
            notify::webhook_body(event, now, &data, lang, &text(lang)),
        )
    });
    outbox::insert(
        To::Webhooks { tenant, event },
        &Message {
            key: &key,
            tenant: Some(tenant),
            request: request.map(|r| &r.id),
            kind: event.as_str(),
            texts: &texts,
        },
        now,
        condition,
    )
}

/// The e-mails about `request` of `kinds`, keyed by `key`.
fn request_emails(
    kinds: &[NoticeKind],
    key: &str,
    request: &AccessRequest,
    tenant_name: &str,
    readers: &ProviderReaders,
    now: i64,
    condition: Option<&Condition>,
) -> Vec<Statement> {
    // A manager is not told of their own request.
    let managers: Vec<Reader> = readers
        .managers
        .iter()
        .filter(|m| m.id != request.requester.user_id.as_str())
        .cloned()
        .collect();
    kinds
        .iter()
        .map(|&kind| {
            let texts =
                in_every_language(|lang| notify::request_email(lang, kind, request, tenant_name));
            let notice = Notice {
                kind,
                to: to_people(kind.audience(), request, readers, &managers),
                key,
                tenant: &request.tenant_id,
                request: Some(request),
            };
            email_statement(notice, &texts, now, condition)
        })
        .collect()
}

/// The outbox rows a new request calls for (its managers' notice).
pub fn on_create(
    request: &AccessRequest,
    tenant_name: &str,
    readers: &ProviderReaders,
    now: i64,
    condition: Option<&Condition>,
) -> Vec<Statement> {
    let key = format!("{}/created", request.id.as_str());
    request_emails(
        &notify::ON_CREATE,
        &key,
        request,
        tenant_name,
        readers,
        now,
        condition,
    )
}

/// The outbox rows `verb` moving `before` to `after` calls for, written
/// only if `condition` (the transition's guard) holds. `key` is the
/// transition's own (its audit record's id), so a retried write adds
/// nothing.
#[allow(clippy::too_many_arguments)]
pub fn on_transition(
    verb: Verb,
    before: &AccessRequest,
    after: &AccessRequest,
    tenant_name: &str,
    readers: &ProviderReaders,
    key: &str,
    now: i64,
    condition: &Condition,
) -> Vec<Statement> {
    let mut statements = request_emails(
        &notify::for_transition(verb, after),
        key,
        after,
        tenant_name,
        readers,
        now,
        Some(condition),
    );
    for event in notify::events_for_transition(verb, before, after) {
        statements.push(webhook_statement(
            event,
            key,
            &after.tenant_id,
            Some(after),
            notify::request_data(after, tenant_name),
            |lang| notify::webhook_text(lang, event, after, tenant_name),
            now,
            Some(condition),
        ));
    }
    statements
}

/// The e-mail that says what was done under `after`'s grant, which the
/// step keyed `key` (its end record's id) ended: to the tenant's global
/// admins and to the people of the tenant who decided on it (approved,
/// revoked), once each.
pub fn on_end(
    after: &AccessRequest,
    summary: &lockbox_shared::audit::EndSummary,
    tenant_name: &str,
    key: &str,
    now: i64,
    condition: &Condition,
) -> Vec<Statement> {
    let kind = NoticeKind::AccessReport;
    let texts =
        in_every_language(|lang| notify::access_report_email(lang, after, tenant_name, summary));
    let mut deciders: Vec<&str> = after
        .approvals
        .given
        .iter()
        .map(|consent| consent.decision.by.user_id.as_str())
        .collect();
    if let Some(by) = after.ending().and_then(|e| e.by) {
        deciders.push(by.user_id.as_str());
    }
    let tenant = &after.tenant_id;
    [
        To::People {
            audience: kind.audience(),
            tenant,
            except: None,
        },
        To::Users {
            tenant,
            ids: &deciders,
        },
    ]
    .into_iter()
    .map(|to| {
        let notice = Notice {
            kind,
            to,
            key,
            tenant,
            request: Some(after),
        };
        email_statement(notice, &texts, now, Some(condition))
    })
    .collect()
}

/// The reminders to review `after`'s ended emergency grant (keyed by its
/// end record's id `key`), due 24 hours and 6 days after its end, to the
/// tenant's global admins and approvers as they are when the end is
/// written. A verdict removes those not sent
/// ([`review_given`]).
pub fn review_reminders(
    after: &AccessRequest,
    tenant_name: &str,
    key: &str,
    now: i64,
    condition: &Condition,
) -> Vec<Statement> {
    let kind = NoticeKind::ReviewNeeded;
    let Some(ended) = lockbox_shared::emergency::ended_at(after, now) else {
        return Vec::new();
    };
    let texts = in_every_language(|lang| notify::request_email(lang, kind, after, tenant_name));
    lockbox_shared::emergency::REMINDERS_MS
        .iter()
        .enumerate()
        .map(|(i, after_end)| {
            let key = format!("{key}/reminder-{}", i + 1);
            outbox::insert_due(
                To::People {
                    audience: kind.audience(),
                    tenant: &after.tenant_id,
                    except: None,
                },
                &Message {
                    key: &kind_key(&key, kind),
                    tenant: Some(&after.tenant_id),
                    request: Some(&after.id),
                    kind: kind.as_str(),
                    texts: &texts,
                },
                now,
                ended + after_end,
                Some(condition),
            )
        })
        .collect()
}

/// The reminders of a review not sent yet, removed by the write that
/// gives the verdict (or marks it Unreviewed).
pub fn review_given(after: &AccessRequest, condition: &Condition) -> Statement {
    outbox::drop_pending(
        after.id.as_str(),
        NoticeKind::ReviewNeeded.as_str(),
        condition,
    )
}

/// The warning to the requester of a live grant that ends within 15
/// minutes, once (the row's id is fixed per request).
pub fn grant_ending(
    request: &AccessRequest,
    tenant_name: &str,
    readers: &ProviderReaders,
    now: i64,
    condition: &Condition,
) -> Statement {
    let kind = NoticeKind::GrantEnding;
    let texts = in_every_language(|lang| notify::request_email(lang, kind, request, tenant_name));
    let notice = Notice {
        kind,
        to: To::Address {
            address: &request.requester.email,
            language: readers.language_of(&request.requester.user_id),
        },
        key: request.id.as_str(),
        tenant: &request.tenant_id,
        request: Some(request),
    };
    email_statement(notice, &texts, now, Some(condition))
}

/// The e-mail to a tenant's global admins about a settings or role change
/// (`key` is the change's audit record id).
pub fn to_tenant_admins(
    kind: NoticeKind,
    tenant: &TenantId,
    key: &str,
    texts: &Texts,
    except: Option<&UserId>,
    now: i64,
    condition: Option<&Condition>,
) -> Statement {
    let notice = Notice {
        kind,
        to: To::People {
            audience: Audience::TenantAdmins,
            tenant,
            except,
        },
        key,
        tenant,
        request: None,
    };
    email_statement(notice, texts, now, condition)
}

/// A sent e-mail, as a mail provider sees it.
#[derive(Debug, Clone)]
pub struct Mail<'a> {
    /// The outbox row: its id is the idempotency key.
    pub row: &'a OutboxRow,
    /// The moment of the attempt (epoch ms).
    pub now: i64,
}

/// Sends e-mail. Returns the provider's message id.
#[allow(async_fn_in_trait)]
pub trait Mailer {
    async fn send(&self, mail: Mail<'_>) -> Result<String, String>;

    /// Sends each of `mails`, in order; the outcomes in the same order.
    async fn send_all(&self, mails: Vec<Mail<'_>>) -> Vec<Result<String, String>> {
        let mut outcomes = Vec::with_capacity(mails.len());
        for mail in mails {
            outcomes.push(self.send(mail).await);
        }
        outcomes
    }
}

/// What a webhook receiver answered.
pub type PostResult = Result<Posted, String>;

/// What a webhook endpoint answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Posted {
    pub status: u16,
    /// How long it asked to wait before the next attempt (`Retry-After`
    /// of a 429 or 503), in ms.
    pub retry_after_ms: Option<i64>,
}

/// The wait a `Retry-After` value asks for, in ms: delay-seconds, or an
/// HTTP date (as of `now`, epoch ms). `None` when it is neither.
pub fn retry_after_ms(value: &str, now: i64) -> Option<i64> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<i64>() {
        return Some(seconds.saturating_mul(1000).max(0));
    }
    chrono::DateTime::parse_from_rfc2822(value)
        .ok()
        .map(|at| (at.timestamp_millis() - now).max(0))
}

/// POSTs JSON to a webhook endpoint.
#[allow(async_fn_in_trait)]
pub trait Poster {
    async fn post(&self, url: &str, headers: &[(&str, String)], body: &str) -> PostResult;
}

/// The local sink: records each e-mail in `dev_mail_sink` instead of
/// sending it, and fails on purpose when a test asked it to.
pub struct Sink<'a, D>(pub &'a D);

impl<D: Database> Mailer for Sink<'_, D> {
    async fn send(&self, mail: Mail<'_>) -> Result<String, String> {
        self.send_all(vec![mail])
            .await
            .pop()
            .unwrap_or_else(|| Err("the local mail sink answered nothing".to_owned()))
    }

    /// Every message in one transaction: each is kept unless a test switch
    /// asks its attempt to fail, which it then uses up.
    async fn send_all(&self, mails: Vec<Mail<'_>>) -> Vec<Result<String, String>> {
        // A pass of webhooks only has no e-mail: no round trip.
        if mails.is_empty() {
            return Vec::new();
        }
        let statements = mails
            .iter()
            .flat_map(|mail| {
                let row = mail.row;
                let request = row.request_id.as_deref().unwrap_or_default();
                [
                    outbox::dev_sink_insert(&row.id, &row.recipient, mail.now, request, &row.kind),
                    outbox::dev_take_failure(request, &row.kind),
                ]
            })
            .collect();
        match self.0.batch(statements).await {
            Err(err) => mails.iter().map(|_| Err(err.to_string())).collect(),
            Ok(changes) => mails
                .iter()
                .enumerate()
                .map(|(i, mail)| {
                    if changes.get(2 * i + 1) == Some(&1) {
                        Err("the local mail sink failed on purpose (test switch)".to_owned())
                    } else {
                        Ok(format!("sink-{}", mail.row.id))
                    }
                })
                .collect(),
        }
    }
}

/// The Standard Webhooks signature of `body` sent as message `id` at
/// `timestamp` (seconds) with `secret` (`whsec_<base64>`):
/// `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &str) -> Result<String, String> {
    use base64::Engine;
    use hmac::{Hmac, Mac};
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .map_err(|e| format!("the endpoint's secret is not base64: {e}"))?;
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).map_err(|e| e.to_string())?;
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    Ok(format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    ))
}

/// A new endpoint secret: 24 random bytes.
pub fn new_secret() -> String {
    use base64::Engine;
    let mut bytes = [0u8; 24];
    bytes[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    bytes[16..].copy_from_slice(&uuid::Uuid::new_v4().as_bytes()[..8]);
    format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

/// Whether `url` may receive webhooks: `https://` with a host, no
/// credentials; plain `http://` only to this machine and only in local
/// development (`allow_loopback_http`). The message says what to fix.
pub fn check_endpoint_url(url: &str, allow_loopback_http: bool) -> Result<String, String> {
    let url = url.trim();
    if url.len() > 2048 {
        return Err("The URL is longer than 2 048 characters.".to_owned());
    }
    if !url.is_ascii() {
        // URLs are parsed without Unicode host tables (idna_adapter 1.0,
        // see Cargo.toml); international names have an ASCII form.
        return Err(format!(
            "{url:?} has characters outside ASCII; write an international host name in its \
             ASCII form (xn--…) and percent-encode the path."
        ));
    }
    let parsed = worker::Url::parse(url)
        .map_err(|e| format!("{url:?} is not a URL ({e}); write it as https://host/path."))?;
    let host = parsed.host_str().unwrap_or_default().to_owned();
    if host.is_empty() {
        return Err("The URL has no host name.".to_owned());
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(
            "Put no user name or password in the URL; the signature authenticates each delivery."
                .to_owned(),
        );
    }
    let loopback = matches!(host.as_str(), "127.0.0.1" | "localhost" | "[::1]");
    match parsed.scheme() {
        "https" => {}
        "http" if loopback && allow_loopback_http => {}
        "http" if loopback => {
            return Err(
                "Plain http:// is allowed only to this machine in local development; use https://."
                    .to_owned(),
            )
        }
        _ => return Err("Webhook endpoints must use https://.".to_owned()),
    }
    Ok(parsed.to_string())
}

/// Delivers up to `limit` due messages: e-mails through `mailer`, webhooks
/// through `poster` (signed with their endpoint's secret). Each message is
/// claimed for one attempt first, so that two passes at once never send it
/// twice; the outcome of every attempt is written in one batch at the end.
pub async fn deliver_due<S: Stores, M: Mailer, P: Poster>(
    stores: &S,
    mailer: &M,
    poster: &P,
    signer: Option<Signer<'_>>,
    secrets: Option<&Sealer>,
    now: i64,
    limit: i64,
) -> Result<DeliveryOutcome, DbError> {
    // The messages of every tenant whose data the global database holds,
    // in one scan (a tenant's own object delivers its own).
    let claimed: Vec<OutboxRow> = stores.global().query(outbox::claim_due(now, limit)).await?;
    deliver_claimed(stores, mailer, poster, signer, secrets, claimed, now).await
}

/// Sends messages this deliverer leased already ([`outbox::claim_due`],
/// e.g. in the batch that stored them) and marks each delivered, to be
/// retried, or failed.
pub async fn deliver_claimed<S: Stores, M: Mailer, P: Poster>(
    stores: &S,
    mailer: &M,
    poster: &P,
    signer: Option<Signer<'_>>,
    secrets: Option<&Sealer>,
    claimed: Vec<OutboxRow>,
    now: i64,
) -> Result<DeliveryOutcome, DbError> {
    let mut outcome = DeliveryOutcome::default();
    // Each tenant's messages are marked in that tenant's database.
    let mut by_tenant: BTreeMap<Option<String>, Vec<OutboxRow>> = BTreeMap::new();
    for row in claimed {
        by_tenant
            .entry(row.tenant_id.clone())
            .or_default()
            .push(row);
    }
    for (tenant, mut rows) in by_tenant {
        let tenant = tenant.and_then(|t| lockbox_shared::ids::TenantId::parse(&t).ok());
        let part = match tenant {
            Some(tenant) => {
                let db = stores.tenant(tenant);
                let unfilled = fill_reports(&db, signer, &mut rows, now).await;
                deliver_of(&db, mailer, poster, secrets, rows, &unfilled, now).await?
            }
            None => {
                deliver_of(
                    &stores.global(),
                    mailer,
                    poster,
                    secrets,
                    rows,
                    &BTreeMap::new(),
                    now,
                )
                .await?
            }
        };
        outcome.delivered += part.delivered;
        outcome.retrying += part.retrying;
        outcome.failed += part.failed;
    }
    Ok(outcome)
}

/// Writes each access report e-mail's report SHA-256 in
/// ([`notify::REPORT_SHA256`]): the customer's report of its request, as
/// the request page serves it. Returns, by row id, why a report could not
/// be made yet (that attempt fails and is tried again later).
async fn fill_reports<D: Database>(
    db: &crate::store::Tenant<'_, D>,
    signer: Option<Signer<'_>>,
    rows: &mut [OutboxRow],
    now: i64,
) -> BTreeMap<String, String> {
    let mut unfilled = BTreeMap::new();
    let mut hashes: BTreeMap<String, Result<String, String>> = BTreeMap::new();
    for row in rows.iter_mut() {
        if row.kind != NoticeKind::AccessReport.as_str()
            || !row.body.contains(notify::REPORT_SHA256)
        {
            continue;
        }
        let Some(request) = row.request_id.clone() else {
            continue;
        };
        let hash = match hashes.get(&request) {
            Some(hash) => hash.clone(),
            None => {
                let hash = report_hash(db, signer, &request, now).await;
                hashes.insert(request, hash.clone());
                hash
            }
        };
        match hash {
            Ok(hash) => row.body = row.body.replace(notify::REPORT_SHA256, &hash),
            Err(why) => {
                unfilled.insert(row.id.clone(), why);
            }
        }
    }
    unfilled
}

/// Whether the deliverer wrote part of `row`'s text in.
fn filled(row: &OutboxRow) -> bool {
    row.kind == NoticeKind::AccessReport.as_str()
}

/// The SHA-256 of the customer's report of request `id`.
async fn report_hash<D: Database>(
    db: &crate::store::Tenant<'_, D>,
    signer: Option<Signer<'_>>,
    id: &str,
    now: i64,
) -> Result<String, String> {
    let signer = signer.ok_or("the audit log's signing key is not configured")?;
    let id = lockbox_shared::ids::RequestId::parse(id).map_err(|e| e.message)?;
    let request = crate::store::requests::load(db, &id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("the request is gone")?;
    let note = super::report::signed(db, &request, ReportAudience::Customer, signer, now)
        .await
        .map_err(|e| format!("its report cannot be made yet: {}", e.problem().detail))?;
    Ok(super::report::sha256(&note))
}

/// [`deliver_claimed`] for the messages `db` holds; the rows named in
/// `unfilled` fail this attempt for the reason given.
async fn deliver_of<D: Database, M: Mailer, P: Poster>(
    db: &D,
    mailer: &M,
    poster: &P,
    secrets: Option<&Sealer>,
    claimed: Vec<OutboxRow>,
    unfilled: &BTreeMap<String, String>,
    now: i64,
) -> Result<DeliveryOutcome, DbError> {
    let mut outcome = DeliveryOutcome::default();
    if claimed.is_empty() {
        return Ok(outcome);
    }
    let endpoint_ids: Vec<&str> = claimed
        .iter()
        .filter(|r| r.channel == "webhook")
        .map(|r| r.recipient.as_str())
        .collect();
    let endpoints: BTreeMap<String, outbox::EndpointRow> = if endpoint_ids.is_empty() {
        BTreeMap::new()
    } else {
        db.query::<outbox::EndpointRow>(outbox::endpoints(&endpoint_ids))
            .await?
            .into_iter()
            .map(|e| (e.id.clone(), e))
            .collect()
    };
    // The endpoints' secrets, opened; those stored in the clear or under
    // the previous wrapping key are stored again sealed under the current.
    let mut reseals = Vec::new();
    let mut keys: BTreeMap<String, Result<Vec<String>, String>> = BTreeMap::new();
    for endpoint in endpoints.values() {
        let opened = open_secrets(secrets, endpoint, now, &mut reseals).await;
        keys.insert(endpoint.id.clone(), opened);
    }
    // The e-mails go out together (a mailer may send them in one call).
    let mails = claimed
        .iter()
        .filter(|row| row.channel != "webhook" && !unfilled.contains_key(&row.id))
        .map(|row| Mail { row, now })
        .collect();
    let mut sent = mailer.send_all(mails).await.into_iter();
    // The webhooks at once: a slow endpoint holds up none of the others.
    let posts = claimed
        .iter()
        .filter(|row| row.channel == "webhook" && !unfilled.contains_key(&row.id))
        .filter_map(|row| {
            let endpoint = endpoints
                .get(&row.recipient)
                .filter(|e| e.removed_at.is_none())?;
            let secrets = keys.get(&endpoint.id)?;
            Some(async move {
                let attempt = match secrets {
                    Ok(secrets) => post_webhook(poster, endpoint, secrets, row, now).await,
                    Err(why) => Err(Failure::retry(why.clone())),
                };
                (row.id.clone(), attempt)
            })
        });
    let mut posted: BTreeMap<String, Attempt> = futures_util::future::join_all(posts)
        .await
        .into_iter()
        .collect();
    let mut marks = Vec::with_capacity(claimed.len());
    let mut bodies = Vec::new();
    for row in &claimed {
        let result: Attempt = if let Some(why) = unfilled.get(&row.id) {
            Err(Failure::retry(why.clone()))
        } else if row.channel == "webhook" {
            posted
                .remove(&row.id)
                .unwrap_or_else(|| Err(Failure::permanent("The endpoint was removed.".to_owned())))
        } else {
            sent.next()
                .unwrap_or_else(|| Err("the mailer gave no outcome for this message".to_owned()))
                .map(|id| (id, None))
                .map_err(Failure::retry)
        };
        marks.push(match result {
            Ok((provider_id, status)) => {
                outcome.delivered += 1;
                if filled(row) {
                    bodies.push(outbox::sent_body(&row.id, &row.body));
                }
                outbox::delivered(&row.id, now, &provider_id, status)
            }
            Err(failure) => {
                if failure.permanent || row.attempts >= notify::MAX_ATTEMPTS {
                    outcome.failed += 1;
                } else {
                    outcome.retrying += 1;
                }
                outbox::attempt_failed(row, now, &failure)
            }
        });
    }
    marks.append(&mut bodies);
    marks.append(&mut reseals);
    db.batch(marks).await?;
    Ok(outcome)
}

/// One attempt's outcome: the provider's message id and the receiver's
/// status; or why it failed.
type Attempt = Result<(String, Option<u16>), Failure>;

/// Why an attempt failed.
pub struct Failure {
    pub why: String,
    /// The receiver's status, if it answered.
    pub status: Option<u16>,
    /// Whether retrying is useless.
    pub permanent: bool,
    /// How long the receiver asked to wait (ms).
    pub retry_after_ms: Option<i64>,
}

impl Failure {
    /// A failure worth retrying, with no answer to go by.
    fn retry(why: String) -> Self {
        Self {
            why,
            status: None,
            permanent: false,
            retry_after_ms: None,
        }
    }

    /// A failure retrying cannot mend.
    fn permanent(why: String) -> Self {
        Self {
            permanent: true,
            ..Self::retry(why)
        }
    }
}

/// The secrets that sign `endpoint`'s deliveries at `now`, opened: the
/// current one, and the one it replaced while that still signs. A secret
/// that should be sealed anew adds its statement to `reseals`.
async fn open_secrets(
    secrets: Option<&Sealer>,
    endpoint: &outbox::EndpointRow,
    now: i64,
    reseals: &mut Vec<crate::store::Statement>,
) -> Result<Vec<String>, String> {
    let previous = endpoint
        .previous_secret
        .as_deref()
        .filter(|_| endpoint.previous_until.is_some_and(|until| now < until));
    let mut opened = Vec::new();
    for (column, stored) in [
        (outbox::Sealed::Current, Some(endpoint.secret.as_str())),
        (outbox::Sealed::Previous, previous),
    ] {
        let Some(stored) = stored else { continue };
        // A replaced secret that cannot be opened (say, after a restore
        // under another key) signs nothing; the new one still does.
        let current = column == outbox::Sealed::Current;
        let Some(sealer) = secrets else {
            // Stored in the clear before secrets were sealed: usable as is.
            if sealing::is_sealed(stored) {
                if !current {
                    continue;
                }
                return Err(
                    "the endpoint's secret cannot be opened: WEBHOOK_SECRETS_KEY \
                            is not set (`wrangler secret put WEBHOOK_SECRETS_KEY`)"
                        .to_owned(),
                );
            }
            opened.push(stored.to_owned());
            continue;
        };
        let secret = match sealer.open(stored, &endpoint.id).await {
            Ok(secret) => secret,
            Err(_) if !current => continue,
            Err(why) => return Err(format!("the endpoint's secret cannot be opened: {why}")),
        };
        if secret.reseal {
            if let Ok(sealed) = sealer.seal(&secret.secret, &endpoint.id).await {
                reseals.push(outbox::reseal(&endpoint.id, column, stored, &sealed));
            }
        }
        opened.push(secret.secret);
    }
    Ok(opened)
}

/// The id a delivery names a secret by: the first 8 hex digits of the
/// SHA-256 of its key bytes (a receiver with several can tell which).
pub fn secret_id(secret: &str) -> String {
    use base64::Engine;
    use sha2::Digest;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .unwrap_or_else(|_| secret.as_bytes().to_vec());
    sha2::Sha256::digest(bytes)
        .iter()
        .take(4)
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn post_webhook<P: Poster>(
    poster: &P,
    endpoint: &outbox::EndpointRow,
    secrets: &[String],
    row: &OutboxRow,
    now: i64,
) -> Attempt {
    let timestamp = now.div_euclid(1000);
    // Standard Webhooks: several signatures, space-separated; a receiver
    // accepts the delivery if one verifies with a secret it holds.
    let signatures = secrets
        .iter()
        .map(|secret| sign(secret, &row.id, timestamp, &row.body))
        .collect::<Result<Vec<_>, _>>()
        .map_err(Failure::permanent)?;
    let ids: Vec<String> = secrets.iter().map(|s| secret_id(s)).collect();
    let headers = [
        ("content-type", "application/json".to_owned()),
        ("webhook-id", row.id.clone()),
        ("webhook-timestamp", timestamp.to_string()),
        ("webhook-signature", signatures.join(" ")),
        ("lockbox-webhook-secret-ids", ids.join(" ")),
        ("user-agent", "Lockbox-Webhooks/1".to_owned()),
    ];
    match poster.post(&endpoint.url, &headers, &row.body).await {
        Ok(Posted { status, .. }) if (200..300).contains(&status) => {
            Ok((row.id.clone(), Some(status)))
        }
        Ok(Posted {
            status,
            retry_after_ms,
        }) => Err(Failure {
            why: match retry_after_ms {
                Some(ms) => format!(
                    "The endpoint answered HTTP {status} and asked to wait {} s.",
                    ms.div_euclid(1000)
                ),
                None => format!("The endpoint answered HTTP {status}."),
            },
            status: Some(status),
            permanent: false,
            retry_after_ms,
        }),
        Err(why) => Err(Failure::retry(why)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::db::Value as Bound;

    fn endpoint(secret: &str, previous: Option<(&str, i64)>) -> outbox::EndpointRow {
        outbox::EndpointRow {
            id: "e1".to_owned(),
            tenant_id: "t".to_owned(),
            url: "https://hooks.example/x".to_owned(),
            events: String::new(),
            secret: secret.to_owned(),
            created_by: "admin@contoso.example".to_owned(),
            created_at: 0,
            removed_at: None,
            previous_secret: previous.map(|(s, _)| s.to_owned()),
            previous_until: previous.map(|(_, until)| until),
        }
    }

    fn sealer(current: u8, previous: Option<u8>) -> Sealer {
        use base64::Engine;
        let seed = |b: u8| base64::engine::general_purpose::STANDARD.encode([b; 32]);
        Sealer::from_seeds(&seed(current), previous.map(seed).as_deref()).expect("a sealer")
    }

    fn opened(
        secrets: Option<&Sealer>,
        row: &outbox::EndpointRow,
        now: i64,
    ) -> (Result<Vec<String>, String>, Vec<Statement>) {
        use futures_util::FutureExt;
        let mut reseals = Vec::new();
        let result = open_secrets(secrets, row, now, &mut reseals)
            .now_or_never()
            .expect("no waiting");
        (result, reseals)
    }

    #[test]
    fn a_rotated_secret_signs_beside_the_new_one_until_its_time_ends() {
        use futures_util::FutureExt;
        let keys = sealer(1, None);
        let seal = |s: &str| {
            keys.seal(s, "e1")
                .now_or_never()
                .expect("now")
                .expect("sealed")
        };
        let row = endpoint(&seal("whsec_bmV3"), Some((&seal("whsec_b2xk"), 1_000)));
        let (both, reseals) = opened(Some(&keys), &row, 999);
        assert_eq!(
            both,
            Ok(vec!["whsec_bmV3".to_owned(), "whsec_b2xk".to_owned()])
        );
        assert!(reseals.is_empty());
        let (one, _) = opened(Some(&keys), &row, 1_000);
        assert_eq!(one, Ok(vec!["whsec_bmV3".to_owned()]));
    }

    #[test]
    fn a_secret_under_the_previous_key_or_in_the_clear_is_sealed_again_under_the_current() {
        use futures_util::FutureExt;
        let old = sealer(1, None);
        let under_old = old
            .seal("whsec_b2xk", "e1")
            .now_or_never()
            .expect("now")
            .expect("sealed");
        let rotated = sealer(2, Some(1));
        for stored in [under_old.as_str(), "whsec_b2xk"] {
            let (secrets, reseals) = opened(Some(&rotated), &endpoint(stored, None), 0);
            assert_eq!(secrets, Ok(vec!["whsec_b2xk".to_owned()]));
            assert_eq!(reseals.len(), 1, "{stored}");
            let Some(Bound::Text(sealed)) = reseals[0].args.first() else {
                panic!("the new seal first: {:?}", reseals[0].args);
            };
            let again = rotated
                .open(sealed, "e1")
                .now_or_never()
                .expect("now")
                .expect("opens");
            assert!(!again.reseal, "under the current key");
            assert_eq!(again.secret, "whsec_b2xk");
            assert!(
                reseals[0].args.contains(&Bound::Text(stored.to_owned())),
                "guarded"
            );
        }
        // Without the key: a secret in the clear still signs, a sealed one
        // waits with a reason.
        let (clear, _) = opened(None, &endpoint("whsec_b2xk", None), 0);
        assert_eq!(clear, Ok(vec!["whsec_b2xk".to_owned()]));
        let (sealed, _) = opened(None, &endpoint(&under_old, None), 0);
        assert!(sealed.is_err_and(|why| why.contains("WEBHOOK_SECRETS_KEY")));
        // Under neither key: refused, naming the keys.
        let (lost, _) = opened(Some(&sealer(3, None)), &endpoint(&under_old, None), 0);
        assert!(lost.is_err_and(|why| why.contains("cannot be opened")));
    }

    #[test]
    fn signatures_follow_the_standard_webhooks_example() {
        // The example of the Standard Webhooks specification.
        let signature = sign(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            r#"{"test": 2432232314}"#,
        );
        assert_eq!(
            signature.as_deref(),
            Ok("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
    }

    #[test]
    fn retry_after_is_read_as_seconds_or_as_a_date() {
        let now = 1_700_000_000_000;
        assert_eq!(retry_after_ms("120", now), Some(120_000));
        assert_eq!(retry_after_ms(" 0 ", now), Some(0));
        assert_eq!(retry_after_ms("-3", now), Some(0));
        // 2023-11-14T22:13:20Z is `now`; a minute later:
        assert_eq!(
            retry_after_ms("Tue, 14 Nov 2023 22:14:20 GMT", now),
            Some(60_000)
        );
        assert_eq!(
            retry_after_ms("Tue, 14 Nov 2023 22:00:00 GMT", now),
            Some(0)
        );
        assert_eq!(retry_after_ms("soon", now), None);
    }

    #[test]
    fn endpoints_must_be_https_except_loopback_in_development() {
        assert!(check_endpoint_url("https://hooks.example/lockbox", false).is_ok());
        assert!(check_endpoint_url("http://hooks.example/x", true).is_err());
        assert!(check_endpoint_url("http://127.0.0.1:9000/x", false).is_err());
        assert!(check_endpoint_url("http://127.0.0.1:9000/x", true).is_ok());
        assert!(check_endpoint_url("https://user:pw@hooks.example/", false).is_err());
        assert!(check_endpoint_url("javascript:alert(1)", true).is_err());
        assert!(check_endpoint_url("not a url", true).is_err());
        let unicode = check_endpoint_url("https://bücher.example/hook", false);
        assert!(unicode.is_err_and(|m| m.contains("xn--")));
        assert!(check_endpoint_url("https://xn--bcher-kva.example/hook", false).is_ok());
    }

    #[test]
    fn secrets_are_distinct_and_well_formed() {
        let (a, b) = (new_secret(), new_secret());
        assert_ne!(a, b);
        assert!(a.starts_with("whsec_") && a.len() == 6 + 32, "{a}");
    }
}
