//! The outbox: one row per message, written by the same batch as the
//! change that causes it; claimed, delivered and marked by the deliverer.
//! And the tenants' webhook endpoints the webhook rows go to.

use lockbox_shared::i18n::Lang;
use lockbox_shared::ids::{RequestId, TenantId, UserId};
use lockbox_shared::notify::{
    next_attempt_delay_ms, Audience, NoticeKind, WebhookEvent, ATTEMPT_LEASE_MS, MAX_ATTEMPTS,
};
use lockbox_shared::policy::Allowed;
use serde::{Deserialize, Serialize};

use super::{json_list, Condition, Statement, Value};

/// A person of the provider a message goes to, with the language of
/// their messages, as read from the global database before a tenant's
/// write (which reads nothing global).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reader {
    pub id: String,
    pub email: String,
    pub language: Lang,
}

/// Where a message goes.
#[derive(Debug, Clone, Copy)]
pub enum To<'a> {
    /// One address, written in `language`.
    Address { address: &'a str, language: Lang },
    /// These people of the provider.
    Readers(&'a [Reader]),
    /// The people of a tenant's audience, as they are when the batch runs.
    People {
        /// Who.
        audience: Audience,
        /// Their tenant (customer audiences).
        tenant: &'a TenantId,
        /// Left out (a manager is not told of their own request).
        except: Option<&'a UserId>,
    },
    /// These people of a tenant (by user id), as they are when the batch
    /// runs: one row each, the same row as an audience's for a person in
    /// both (a row's id is the event's key and the person's id).
    Users {
        /// Their tenant.
        tenant: &'a TenantId,
        /// Who.
        ids: &'a [&'a str],
    },
    /// Every endpoint of the tenant subscribed to the event.
    Webhooks {
        /// The tenant.
        tenant: &'a TenantId,
        /// The event.
        event: WebhookEvent,
    },
}

/// A message's content and what it concerns.
#[derive(Debug, Clone)]
pub struct Message<'a> {
    /// The event's key; a row's id is `<key>/<recipient id>`, so writing
    /// the same event twice writes nothing more.
    pub key: &'a str,
    /// The tenant the event concerns.
    pub tenant: Option<&'a TenantId>,
    /// The request it concerns.
    pub request: Option<&'a RequestId>,
    /// `NoticeKind` or `WebhookEvent` name.
    pub kind: &'a str,
    /// Its words in every language: each recipient's row gets those of
    /// their language.
    pub texts: &'a Texts,
}

/// A message's subject (e-mail) or event name (webhook), and its text
/// (e-mail) or JSON (webhook), in every language Lockbox speaks, each as
/// a JSON object by language tag (`{"en": …, "it": …}`): the statement
/// that writes the rows picks each recipient's with `json_extract`.
#[derive(Debug, Clone)]
pub struct Texts {
    subjects: String,
    bodies: String,
}

impl Texts {
    /// The subject and text `write` gives for each language.
    pub fn new(write: impl Fn(Lang) -> (String, String)) -> Self {
        let mut subjects = serde_json::Map::new();
        let mut bodies = serde_json::Map::new();
        for lang in Lang::ALL.iter().copied() {
            let (subject, body) = write(lang);
            subjects.insert(lang.as_str().to_owned(), subject.into());
            bodies.insert(lang.as_str().to_owned(), body.into());
        }
        Self {
            subjects: serde_json::Value::Object(subjects).to_string(),
            bodies: serde_json::Value::Object(bodies).to_string(),
        }
    }
}

/// The language a person's messages are written in, as SQL on the row of
/// `users` named `person`: their own choice, else their organisation's
/// default, else English (provider staff belong to no organisation).
pub(crate) fn language_of(person: &str) -> String {
    format!(
        "COALESCE({person}.language, \
         (SELECT default_language FROM tenants WHERE id = {person}.tenant_id), '{}')",
        Lang::default().as_str()
    )
}

/// The id of `key`'s row for one recipient (`recipient_id`: `to` for an
/// address, else the person's or endpoint's id): a replayed write of the
/// same event writes nothing more.
pub fn row_id(key: &str, recipient_id: &str) -> String {
    format!("{key}/{recipient_id}")
}

/// The recipient id of a message to one address.
pub const ADDRESS: &str = "to";

/// The people who hold one of `roles` (of `tenant`, for customer roles;
/// provider roles belong to no tenant), as a SQL condition on `u.id`.
pub(crate) fn holders(allowed: Allowed, tenant: Option<&TenantId>) -> (String, Vec<Value>) {
    let (table, tenant_filter, roles): (_, _, Vec<&str>) = match allowed {
        Allowed::Customer(roles) => (
            "customer_roles",
            "tenant_id = ? AND ",
            roles.iter().map(|r| r.as_str()).collect(),
        ),
        Allowed::Provider(roles) => (
            "provider_roles",
            "",
            roles.iter().map(|r| r.as_str()).collect(),
        ),
        // No audience is drawn from these.
        Allowed::Anyone | Allowed::Both { .. } => ("provider_roles", "", Vec::new()),
    };
    let mut args: Vec<Value> = Vec::new();
    if !tenant_filter.is_empty() {
        args.push(tenant.map(TenantId::as_str).into());
    }
    let marks = if roles.is_empty() {
        "NULL".to_owned()
    } else {
        vec!["?"; roles.len()].join(", ")
    };
    args.extend(roles.into_iter().map(Value::from));
    (
        format!("u.id IN (SELECT user_id FROM {table} WHERE {tenant_filter}role IN ({marks}))"),
        args,
    )
}

/// Writes `message` for each recipient `to` names, when `condition` holds
/// (the guard of the change that causes it).
pub fn insert(
    to: To<'_>,
    message: &Message<'_>,
    now: i64,
    condition: Option<&Condition>,
) -> Statement {
    insert_due(to, message, now, now, condition)
}

/// [`insert`], the messages first due at `due` (a reminder).
pub fn insert_due(
    to: To<'_>,
    message: &Message<'_>,
    now: i64,
    due: i64,
    condition: Option<&Condition>,
) -> Statement {
    // Each row's language, as SQL with its arguments.
    let (language, language_args): (String, Vec<Value>) = match to {
        To::Address { language, .. } => ("?".to_owned(), vec![language.as_str().into()]),
        To::Readers(_) => ("json_extract(r.value, '$.language')".to_owned(), Vec::new()),
        To::People { .. } | To::Users { .. } => (language_of("u"), Vec::new()),
        To::Webhooks { .. } => (
            format!(
                "COALESCE((SELECT default_language FROM tenants WHERE id = w.tenant_id), '{}')",
                Lang::default().as_str()
            ),
            Vec::new(),
        ),
    };
    let (channel, recipient_id, recipient, source, mut filter_args): (_, _, _, _, Vec<Value>) =
        match to {
            To::Address { .. } => (
                "email",
                "?",
                "?",
                "(SELECT 1) AS one WHERE 1".to_owned(),
                Vec::new(),
            ),
            To::Readers(readers) => (
                "email",
                "json_extract(r.value, '$.id')",
                "json_extract(r.value, '$.email')",
                "json_each(?) r WHERE 1".to_owned(),
                // Plain strings and a language tag: serialising cannot fail.
                vec![serde_json::to_string(readers)
                    .unwrap_or_else(|_| "[]".to_owned())
                    .into()],
            ),
            To::People {
                audience,
                tenant,
                except,
            } => {
                let (who, mut args) = match audience.holders_of() {
                    Some(action) => holders(action.allowed(), Some(tenant)),
                    None => ("0".to_owned(), Vec::new()),
                };
                args.push(except.map(|u| u.as_str()).unwrap_or_default().into());
                (
                    "email",
                    "u.id",
                    "u.email",
                    format!("users u WHERE {who} AND u.id <> ?"),
                    args,
                )
            }
            To::Users { tenant, ids } => (
                "email",
                "u.id",
                "u.email",
                "users u WHERE u.tenant_id = ? AND u.id IN (SELECT value FROM json_each(?))"
                    .to_owned(),
                vec![tenant.as_str().into(), json_list(ids.iter().copied())],
            ),
            To::Webhooks { tenant, event } => (
                "webhook",
                "w.id",
                "w.id",
                "webhook_endpoints w WHERE w.tenant_id = ? AND w.removed_at IS NULL \
                 AND instr(',' || w.events || ',', ?) > 0"
                    .to_owned(),
                vec![
                    tenant.as_str().into(),
                    format!(",{},", event.as_str()).into(),
                ],
            ),
        };
    let mut args: Vec<Value> = vec![row_id(message.key, "").into()];
    if let To::Address { address, .. } = to {
        args.push(ADDRESS.into());
        args.push(address.into());
    }
    args.extend([
        message.tenant.map(|t| t.as_str()).into(),
        message.request.map(|r| r.as_str()).into(),
        message.kind.into(),
        message.texts.subjects.as_str().into(),
    ]);
    args.extend(language_args.iter().cloned());
    args.push(message.texts.bodies.as_str().into());
    args.extend(language_args);
    args.extend([now.into(), due.into()]);
    args.append(&mut filter_args);
    let condition_sql = match condition {
        Some(condition) => {
            args.extend(condition.args.iter().cloned());
            format!(" AND ({})", condition.sql)
        }
        None => String::new(),
    };
    Statement::new(
        format!(
            "{INSERT} (id, channel, recipient, tenant_id, request_id, kind, subject, body, created_at, next_attempt_at) \
             SELECT ? || {recipient_id}, '{channel}', {recipient}, ?, ?, ?, \
             json_extract(?, '$.' || {language}), json_extract(?, '$.' || {language}), ?, ? \
             FROM {source}{condition_sql}"
        ),
        args,
    )
}

/// How every statement that adds messages starts.
const INSERT: &str = "INSERT OR IGNORE INTO outbox";

/// Every column of an outbox row, in the order of [`OutboxRow`].
const COLUMNS: &str =
    "id, channel, recipient, tenant_id, request_id, kind, subject, body, created_at, \
    status, attempts, next_attempt_at, last_error, last_status, provider_message_id, delivered_at";

/// A stored message.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct OutboxRow {
    pub id: String,
    pub channel: String,
    pub recipient: String,
    pub tenant_id: Option<String>,
    pub request_id: Option<String>,
    pub kind: String,
    pub subject: String,
    pub body: String,
    pub created_at: i64,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
    pub last_status: Option<i64>,
    pub provider_message_id: Option<String>,
    pub delivered_at: Option<i64>,
    /// Local development's listing only: how often the sink received it.
    #[serde(default)]
    pub sink_deliveries: Option<i64>,
}

/// "Due at `now`, and no attempt under way holds it".
const DUE: &str =
    "status = 'pending' AND next_attempt_at <= ? AND (leased_until IS NULL OR leased_until <= ?)";

/// Takes up to `limit` messages due at `now` for one attempt each: counts
/// the attempt and leases them for [`ATTEMPT_LEASE_MS`], in one statement,
/// so two deliverers never take the same message (a crashed attempt's
/// lease runs out and the message is tried again).
pub fn claim_due(now: i64, limit: i64) -> Statement {
    claim(None, now, limit)
}

/// [`claim_due`] for the messages of one tenant.
pub fn claim_due_of(tenant: &TenantId, now: i64, limit: i64) -> Statement {
    claim(Some(tenant), now, limit)
}

fn claim(tenant: Option<&TenantId>, now: i64, limit: i64) -> Statement {
    let (of_tenant, tenant_args): (&str, Vec<Value>) = match tenant {
        Some(tenant) => ("tenant_id = ? AND ", vec![tenant.as_str().into()]),
        None => ("(tenant_id IS NULL OR {HELD}) AND ", Vec::new()),
    };
    let of_tenant = of_tenant.replace("{HELD}", &super::handles::held_here("tenant_id"));
    let mut args: Vec<Value> = vec![(now + ATTEMPT_LEASE_MS).into()];
    args.extend(tenant_args);
    args.extend([now.into(), now.into(), limit.into(), now.into(), now.into()]);
    Statement::new(
        format!(
            "UPDATE outbox SET attempts = attempts + 1, leased_until = ? \
             WHERE id IN (SELECT id FROM outbox WHERE {of_tenant}{DUE} ORDER BY next_attempt_at, id LIMIT ?) \
               AND {DUE} \
             RETURNING {COLUMNS}"
        ),
        args,
    )
}

/// Keeps the text a message was sent with, when the deliverer wrote part
/// of it in (an access report's SHA-256): the deliveries list shows what
/// was sent.
pub fn sent_body(id: &str, body: &str) -> Statement {
    Statement::new(
        "UPDATE outbox SET body = ? WHERE id = ?",
        vec![body.into(), id.into()],
    )
}

/// Removes the messages of `kind` about request `request` not sent yet,
/// when `condition` holds: reminders a review made needless.
pub fn drop_pending(request: &str, kind: &str, condition: &Condition) -> Statement {
    let mut args: Vec<Value> = vec![request.into(), kind.into()];
    args.extend(condition.args.iter().cloned());
    Statement::new(
        format!(
            "DELETE FROM outbox WHERE request_id = ? AND kind = ? AND status = 'pending' AND ({})",
            condition.sql
        ),
        args,
    )
}

/// Marks a claimed message delivered.
pub fn delivered(id: &str, now: i64, provider_message_id: &str, status: Option<u16>) -> Statement {
    Statement::new(
        "UPDATE outbox SET status = 'delivered', delivered_at = ?, provider_message_id = ?, \
         last_status = ?, last_error = NULL, leased_until = NULL WHERE id = ? AND status = 'pending'",
        vec![
            now.into(),
            provider_message_id.into(),
            status.map(i64::from).into(),
            id.into(),
        ],
    )
}

/// Records a failed attempt of a claimed message: it is retried after a
/// backoff, or marked failed once it has had [`MAX_ATTEMPTS`] (or at once
/// when `permanent`).
pub fn attempt_failed(
    row: &OutboxRow,
    now: i64,
    failure: &crate::service::notify::Failure,
) -> Statement {
    let gave_up = failure.permanent || row.attempts >= MAX_ATTEMPTS;
    Statement::new(
        "UPDATE outbox SET status = ?, next_attempt_at = ?, last_error = ?, last_status = ?, \
         leased_until = NULL WHERE id = ? AND status = 'pending'",
        vec![
            (if gave_up { "failed" } else { "pending" }).into(),
            (now + next_attempt_delay_ms(row.attempts, failure.retry_after_ms)).into(),
            failure.why.chars().take(500).collect::<String>().into(),
            failure.status.map(i64::from).into(),
            row.id.as_str().into(),
        ],
    )
}

/// Deletes up to `limit` delivered or failed messages written before
/// `before`.
pub fn prune(before: i64, limit: i64) -> Statement {
    Statement::new(
        format!(
            "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox \
             WHERE status <> 'pending' AND created_at < ? AND (tenant_id IS NULL OR {}) \
             ORDER BY created_at LIMIT ?)",
            super::handles::held_here("tenant_id")
        ),
        vec![before.into(), limit.into()],
    )
}

/// The newest messages, optionally of one request (the dev outbox), with
/// how often the local sink received each.
pub fn dev_list(request: Option<&str>, limit: i64) -> Statement {
    let filter = if request.is_some() {
        "WHERE o.request_id = ?"
    } else {
        ""
    };
    let mut args: Vec<Value> = request.map(Value::from).into_iter().collect();
    args.push(limit.into());
    Statement::new(
        format!(
            "SELECT {}, (SELECT COUNT(*) FROM dev_mail_sink s WHERE s.outbox_id = o.id) AS sink_deliveries \
             FROM outbox o {filter} ORDER BY o.created_at DESC, o.id LIMIT ?",
            COLUMNS
                .split(", ")
                .map(|c| format!("o.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        args,
    )
}

/// The messages a tenant's global admins may see: the e-mails to their own
/// people and the deliveries to their endpoints, newest first.
pub fn tenant_deliveries(tenant: &TenantId, limit: i64) -> Statement {
    let kinds: Vec<&str> = NoticeKind::ALL
        .iter()
        .filter(|k| {
            matches!(
                k.audience(),
                Audience::TenantApprovers | Audience::TenantAdmins
            )
        })
        .map(|k| k.as_str())
        .collect();
    let marks = vec!["?"; kinds.len()].join(", ");
    let mut args: Vec<Value> = vec![tenant.as_str().into()];
    args.extend(kinds.into_iter().map(Value::from));
    args.push(limit.into());
    Statement::new(
        format!(
            "SELECT {COLUMNS} FROM outbox WHERE tenant_id = ? \
             AND (channel = 'webhook' OR kind IN ({marks})) \
             ORDER BY created_at DESC, id LIMIT ?"
        ),
        args,
    )
}

/// Makes a request's undelivered messages due now (tests skip the backoff
/// with it instead of sleeping). An attempt under way keeps its lease.
pub fn dev_make_due(request: &str, now: i64) -> Statement {
    Statement::new(
        "UPDATE outbox SET next_attempt_at = ? WHERE request_id = ? AND status = 'pending'",
        vec![now.into(), request.into()],
    )
}

/// The local sink fails the next `count` messages of `kind` about
/// `request`.
pub fn dev_fail_next(request: &str, kind: &str, count: i64) -> Statement {
    Statement::new(
        "INSERT INTO dev_mail_failures (request_id, kind, remaining) VALUES (?, ?, ?) \
         ON CONFLICT (request_id, kind) DO UPDATE SET remaining = excluded.remaining",
        vec![request.into(), kind.into(), count.into()],
    )
}

/// Uses up one of the sink's planned failures for this message, if any.
pub fn dev_take_failure(request: &str, kind: &str) -> Statement {
    Statement::new(
        "UPDATE dev_mail_failures SET remaining = remaining - 1 \
         WHERE request_id = ? AND kind = ? AND remaining > 0",
        vec![request.into(), kind.into()],
    )
}

/// The sink received a message, unless a test switch makes this attempt
/// for `request`'s notice of `kind` fail (run before [`dev_take_failure`]).
pub fn dev_sink_insert(
    outbox_id: &str,
    recipient: &str,
    now: i64,
    request: &str,
    kind: &str,
) -> Statement {
    Statement::new(
        "INSERT INTO dev_mail_sink (outbox_id, recipient, delivered_at) SELECT ?, ?, ? \
         WHERE NOT EXISTS (SELECT 1 FROM dev_mail_failures \
                           WHERE request_id = ? AND kind = ? AND remaining > 0)",
        vec![
            outbox_id.into(),
            recipient.into(),
            now.into(),
            request.into(),
            kind.into(),
        ],
    )
}

/// A webhook endpoint as stored.
#[derive(Debug, Clone, Deserialize)]
pub struct EndpointRow {
    pub id: String,
    pub tenant_id: String,
    pub url: String,
    pub events: String,
    /// Sealed (`crate::sealing`), or in the clear if stored before that.
    pub secret: String,
    pub created_by: String,
    pub created_at: i64,
    pub removed_at: Option<i64>,
    /// The secret it replaced, sealed, while it still signs.
    #[serde(default)]
    pub previous_secret: Option<String>,
    /// Until when the previous secret signs.
    #[serde(default)]
    pub previous_until: Option<i64>,
}

/// The endpoints with these ids (removed ones included).
pub fn endpoints(ids: &[&str]) -> Statement {
    Statement::new(
        "SELECT id, tenant_id, url, events, secret, created_by, created_at, removed_at, \
         previous_secret, previous_until \
         FROM webhook_endpoints WHERE id IN (SELECT value FROM json_each(?))",
        vec![json_list(ids.iter().copied())],
    )
}

/// A tenant's endpoint with its delivery log, as the API shows it (never
/// its secret).
#[derive(Debug, Clone, Deserialize)]
pub struct EndpointSummaryRow {
    pub id: String,
    pub url: String,
    pub events: String,
    pub created_by: String,
    pub created_at: i64,
    pub delivered: i64,
    pub pending: i64,
    pub failed: i64,
    pub last_attempt_status: Option<String>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub last_attempt_at: Option<i64>,
}

/// The tenant's live endpoints with their delivery counts and last attempt.
pub fn tenant_endpoints(tenant: &TenantId) -> Statement {
    let last = |col: &str| {
        format!(
            "(SELECT {col} FROM outbox o WHERE o.recipient = w.id AND o.attempts > 0 \
              ORDER BY o.created_at DESC, o.id DESC LIMIT 1)"
        )
    };
    let count = |status: &str| {
        format!(
            "(SELECT COUNT(*) FROM outbox o WHERE o.recipient = w.id AND o.status = '{status}')"
        )
    };
    Statement::new(
        format!(
            "SELECT w.id, w.url, w.events, w.created_by, w.created_at, \
             {} AS delivered, {} AS pending, {} AS failed, \
             {} AS last_attempt_status, {} AS last_status, {} AS last_error, \
             {} AS last_attempt_at \
             FROM webhook_endpoints w WHERE w.tenant_id = ? AND w.removed_at IS NULL \
             ORDER BY w.created_at, w.id",
            count("delivered"),
            count("pending"),
            count("failed"),
            last("o.status"),
            last("o.last_status"),
            last("o.last_error"),
            last("COALESCE(o.delivered_at, o.next_attempt_at)"),
        ),
        vec![tenant.as_str().into()],
    )
}

/// Adds an endpoint.
pub fn insert_endpoint(row: &EndpointRow) -> Statement {
    Statement::new(
        "INSERT INTO webhook_endpoints (id, tenant_id, url, events, secret, created_by, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
        vec![
            row.id.as_str().into(),
            row.tenant_id.as_str().into(),
            row.url.as_str().into(),
            row.events.as_str().into(),
            row.secret.as_str().into(),
            row.created_by.as_str().into(),
            row.created_at.into(),
        ],
    )
}

/// Replaces the live endpoint `id`'s secret, if it is still `read`, with
/// `sealed`; `previous` (the one it replaces, sealed, or none if it could
/// not be opened) signs beside it until `until`.
pub fn rotate_secret(
    tenant: &TenantId,
    id: &str,
    read: &str,
    sealed: &str,
    previous: Option<&str>,
    until: i64,
) -> Statement {
    Statement::new(
        "UPDATE webhook_endpoints SET previous_secret = ?, previous_until = ?, secret = ? \
         WHERE id = ? AND tenant_id = ? AND removed_at IS NULL AND secret = ?",
        vec![
            previous.map_or(Value::Null, Into::into),
            until.into(),
            sealed.into(),
            id.into(),
            tenant.as_str().into(),
            read.into(),
        ],
    )
}

/// Stores endpoint `id`'s secret sealed anew (`column`: `secret` or
/// `previous_secret`), if it is still what was read.
pub fn reseal(id: &str, column: Sealed, read: &str, sealed: &str) -> Statement {
    let column = match column {
        Sealed::Current => "secret",
        Sealed::Previous => "previous_secret",
    };
    Statement::new(
        format!("UPDATE webhook_endpoints SET {column} = ? WHERE id = ? AND {column} = ?"),
        vec![sealed.into(), id.into(), read.into()],
    )
}

/// Which of an endpoint's secrets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sealed {
    Current,
    Previous,
}

/// "The tenant's endpoint `id` is live and its secret is still `read`".
pub fn endpoint_secret_is(tenant: &TenantId, id: &str, read: &str) -> Condition {
    Condition::new(
        "EXISTS (SELECT 1 FROM webhook_endpoints WHERE id = ? AND tenant_id = ? \
         AND removed_at IS NULL AND secret = ?)",
        vec![id.into(), tenant.as_str().into(), read.into()],
    )
}

/// "The tenant's endpoint `id` is live".
pub fn endpoint_live(tenant: &TenantId, id: &str) -> Condition {
    Condition::new(
        "EXISTS (SELECT 1 FROM webhook_endpoints WHERE id = ? AND tenant_id = ? AND removed_at IS NULL)",
        vec![id.into(), tenant.as_str().into()],
    )
}

/// Removes the tenant's endpoint `id`; its undelivered messages fail.
pub fn remove_endpoint(tenant: &TenantId, id: &str, now: i64) -> Vec<Statement> {
    vec![
        Statement::new(
            "UPDATE outbox SET status = 'failed', last_error = 'The endpoint was removed.' \
             WHERE recipient = ? AND status = 'pending'",
            vec![id.into()],
        ),
        Statement::new(
            "UPDATE webhook_endpoints SET removed_at = ? WHERE id = ? AND tenant_id = ? AND removed_at IS NULL",
            vec![now.into(), id.into(), tenant.as_str().into()],
        ),
    ]
}
