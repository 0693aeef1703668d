//! `GET /api/v1/audit` and its exports: search the caller's tenant's log.

use futures_util::stream;
use lockbox_shared::api::{DEFAULT_AUDIT_PAGE, MAX_AUDIT_PAGE, MAX_FILTER_TEXT, MAX_FILTER_VALUES};
use lockbox_shared::roles::Principal;
use worker::Response;

use crate::config::App;
use crate::error::AppError;
use crate::export;
use crate::routes::{json, parse_time, Call};
use crate::service::{audit, tree};
use crate::store::audit::{AuditFilter, Exported};

/// The search's filters from the query: `start`, `end` (RFC 3339 or epoch
/// ms), `activity` and `user` (comma-separated or repeated; any of them),
/// `item`, `request` (id) and `ticket` (each exactly), `user_contains` and `activity_contains` (text, any
/// case), `cursor`. Returns the filter and `limit`.
fn filter_of(call: &Call) -> Result<(AuditFilter, i64), AppError> {
    let mut filter = AuditFilter::default();
    let mut limit = DEFAULT_AUDIT_PAGE;
    let list = |v: &str| -> Vec<String> {
        v.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let text = |name: &str, v: &str| -> Result<String, AppError> {
        let v = v.trim();
        if v.chars().count() > MAX_FILTER_TEXT {
            return Err(AppError::bad_request(format!(
                "`{name}` can be at most {MAX_FILTER_TEXT} characters."
            )));
        }
        Ok(v.to_owned())
    };
    // An empty parameter is an absent one, as a search form sends it.
    for (key, value) in call
        .query()
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
    {
        match key.as_str() {
            "start" => filter.start = Some(parse_time("start", &value)?),
            "end" => filter.end = Some(parse_time("end", &value)?),
            "activity" => filter.activities.extend(list(&value)),
            "user" => filter.users.extend(list(&value)),
            "item" => filter.item = Some(text("item", &value)?),
            "request" => filter.request = Some(text("request", &value)?),
            "ticket" => filter.ticket = Some(text("ticket", &value)?),
            "user_contains" => filter.user_contains = Some(text("user_contains", &value)?),
            "activity_contains" => {
                filter.activity_contains = Some(text("activity_contains", &value)?)
            }
            "cursor" => {
                filter.before_seq = Some(value.parse().map_err(|_| {
                    AppError::bad_request(
                        "`cursor` is not one this API gave out; start again without it.",
                    )
                })?)
            }
            "limit" => {
                limit = value
                    .parse::<i64>()
                    .ok()
                    .filter(|n| (1..=MAX_AUDIT_PAGE).contains(n))
                    .ok_or_else(|| {
                        AppError::bad_request(format!(
                            "`limit` must be a whole number from 1 to {MAX_AUDIT_PAGE}."
                        ))
                    })?;
            }
            _ => {}
        }
    }
    for (name, values) in [("activity", &filter.activities), ("user", &filter.users)] {
        if values.len() > MAX_FILTER_VALUES {
            return Err(AppError::bad_request(format!(
                "`{name}` can list at most {MAX_FILTER_VALUES} values; this search gave {}. Search in parts.",
                values.len()
            )));
        }
    }
    if let (Some(start), Some(end)) = (filter.start, filter.end) {
        if start >= end {
            return Err(AppError::bad_request("`start` must be before `end`."));
        }
    }
    Ok((filter, limit))
}

/// `GET /api/v1/audit`: one page, newest first.
pub async fn search(app: &App, p: &Principal, call: &Call) -> Result<Response, AppError> {
    let (filter, limit) = filter_of(call)?;
    json(&audit::search(&*app.db, p, &filter, limit).await?, 200)
}

/// The two export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    JsonLines,
}

impl Format {
    fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::JsonLines => "application/jsonl; charset=utf-8",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::JsonLines => "jsonl",
        }
    }

    fn rows(self, records: &[Exported]) -> Vec<u8> {
        match self {
            Format::Csv => export::csv_rows(records),
            Format::JsonLines => export::jsonl_rows(records),
        }
    }
}

/// `GET /api/v1/audit/export.csv` and `.jsonl`: every record the search
/// selects (no cursor, no limit), oldest first, streamed page by page so
/// that a large export never sits in memory whole.
pub async fn export(
    app: &App,
    p: &Principal,
    call: &Call,
    format: Format,
) -> Result<Response, AppError> {
    let (mut filter, _) = filter_of(call)?;
    filter.before_seq = None;
    let tenant = audit::export_scope(&*app.db, p, &filter).await?;
    let name = export::file_name(
        p.membership.organisation(),
        filter.start,
        filter.end.unwrap_or(call.now_ms),
        format.extension(),
    );
    let head = match format {
        Format::Csv => export::csv_header(),
        Format::JsonLines => Vec::new(),
    };
    let db = app.db.clone();
    // State: the next sequence number to read after, and whether done.
    let pages = stream::unfold(Some(0i64), move |after| {
        let (db, tenant, filter) = (db.clone(), tenant.clone(), filter.clone());
        async move {
            let after = after?;
            match audit::export_page(&*db, &tenant, &filter, after).await {
                Ok(records) if records.is_empty() => None,
                Ok(records) => {
                    let last = records.last().map(|r| r.record.seq).unwrap_or(after);
                    Some((
                        Ok::<Vec<u8>, worker::Error>(format.rows(&records)),
                        Some(last),
                    ))
                }
                // The answer has started: a failure can only end the file
                // early, and the log says why.
                Err(err) => {
                    err.log();
                    Some((Err(worker::Error::RustError(format!("{err:?}"))), None))
                }
            }
        }
    });
    let body = futures_util::StreamExt::chain(stream::iter([Ok(head)]), pages);
    let mut response = Response::from_stream(body)?;
    let headers = response.headers_mut();
    headers.set("Content-Type", format.content_type())?;
    headers.set(
        "Content-Disposition",
        &format!("attachment; filename=\"{name}\""),
    )?;
    Ok(response)
}

/// A text answer (a signed note, a key).
fn text(body: String) -> Result<Response, AppError> {
    let mut response = Response::ok(body)?;
    response
        .headers_mut()
        .set("Content-Type", "text/plain; charset=utf-8")?;
    Ok(response)
}

fn key(app: &App) -> Result<&lockbox_shared::tlog::SigningKey, AppError> {
    app.audit_key
        .as_ref()
        .map_err(|why| AppError::Misconfigured(why.clone()))
}

/// `GET /api/v1/audit/checkpoint`: the caller's tenant's log, sealed, as a
/// C2SP signed checkpoint.
pub async fn checkpoint(app: &App, p: &Principal, now: i64) -> Result<Response, AppError> {
    let key = key(app)?;
    app.note_keys(now).await;
    text(tree::checkpoint(&*app.db, p, key, &app.deployment).await?)
}

/// `GET /api/v1/audit/public-key`: the verifier keys of checkpoints,
/// receipts and reports, one per line: the current key first, then every
/// key signed with before it, newest first.
pub async fn public_key(app: &App, now: i64) -> Result<Response, AppError> {
    key(app)?;
    let published = published(app, now).await?;
    let mut body = String::new();
    for key in &published.audit {
        body.push_str(&key.key);
        body.push('\n');
    }
    text(body)
}

/// `GET /api/v1/keys`: every key the deployment has signed with, and when
/// each was in use.
pub async fn keys(app: &App, now: i64) -> Result<Response, AppError> {
    key(app)?;
    let mut response = crate::routes::json(&published(app, now).await?, 200)?;
    response
        .headers_mut()
        .set("Cache-Control", "public, max-age=300")?;
    Ok(response)
}

async fn published(app: &App, now: i64) -> Result<lockbox_shared::tlog::SigningKeys, AppError> {
    app.note_keys(now).await;
    Ok(crate::keys::published(&*app.db, &app.keys_in_use()).await?)
}

fn whole(name: &str, value: &str) -> Result<u64, AppError> {
    value
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|n| *n <= 1 << 53)
        .ok_or_else(|| AppError::bad_request(format!("`{name}` must be a whole number.")))
}

/// `GET /api/v1/audit/records/{id}/proof?size=…`: `{id}` is the record's
/// sequence number, or its id (a `/` in it written `%2F`).
pub async fn proof(app: &App, p: &Principal, call: &Call) -> Result<Response, AppError> {
    let raw = call.param("id");
    let size = match call
        .query()
        .into_iter()
        .find(|(k, v)| k == "size" && !v.is_empty())
    {
        Some((_, v)) => Some(whole("size", &v)?),
        None => None,
    };
    let seq = match raw.parse::<i64>() {
        Ok(seq) => seq,
        Err(_) => {
            let id = raw.replace("%2F", "/").replace("%2f", "/");
            let tenant = p
                .tenant()
                .ok_or(lockbox_shared::policy::Denied::OtherTenant)?;
            let own = crate::store::Tenant::new(&*app.db, tenant.clone());
            crate::store::audit::select(&own, crate::store::audit::by_id(tenant, &id))
                .await?
                .into_iter()
                .next()
                .map(|r| r.seq)
                .ok_or_else(|| AppError::Missing {
                    what: format!("The audit record {id}"),
                })?
        }
    };
    json(&tree::inclusion(&*app.db, p, seq, size).await?, 200)
}

/// `GET /api/v1/audit/consistency?from=…&to=…`.
pub async fn consistency(app: &App, p: &Principal, call: &Call) -> Result<Response, AppError> {
    let mut from = None;
    let mut to = None;
    for (k, v) in call.query() {
        match k.as_str() {
            "from" if !v.is_empty() => from = Some(whole("from", &v)?),
            "to" if !v.is_empty() => to = Some(whole("to", &v)?),
            _ => {}
        }
    }
    let from = from.ok_or_else(|| {
        AppError::bad_request(
            "Give `from`, the size of the older checkpoint (and `to`, or the current size).",
        )
    })?;
    json(&tree::consistency(&*app.db, p, from, to).await?, 200)
}
