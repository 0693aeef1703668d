//! `GET /api/v1/audit`: search the caller's tenant's audit log.

use lockbox_shared::roles::Principal;
use worker::Response;

use lockbox_shared::api::{DEFAULT_AUDIT_PAGE, MAX_AUDIT_PAGE, MAX_FILTER_VALUES};

use crate::config::App;
use crate::error::AppError;
use crate::routes::{json, parse_time, Call};
use crate::service::audit;
use crate::store::audit::AuditFilter;

/// Query: `start`, `end` (RFC 3339 or epoch ms), `activity` and `user`
/// (comma-separated or repeated; empty means all), `item`, `limit`, `cursor`.
pub async fn search(app: &App, p: &Principal, call: &Call) -> Result<Response, AppError> {
    let mut filter = AuditFilter::default();
    let mut limit = DEFAULT_AUDIT_PAGE;
    let list = |v: &str| -> Vec<String> {
        v.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
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
            "item" => filter.item = Some(value.trim().to_owned()),
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
    json(&audit::search(&app.db, p, &filter, limit).await?, 200)
}
