//! `GET /api/v1/audit`: search the caller's tenant's audit log.

use lockbox_shared::roles::Principal;
use worker::Response;

use crate::audit;
use crate::config::App;
use crate::error::AppError;
use crate::routes::{json, parse_time, Call};
use crate::store::sql::AuditFilter;

/// Query: `start`, `end` (RFC 3339 or epoch ms), `activity` and `user`
/// (comma-separated or repeated; empty means all), `item`, `limit`, `cursor`.
pub async fn search(app: &App, p: &Principal, call: &Call) -> Result<Response, AppError> {
    let mut filter = AuditFilter::default();
    let mut limit = 100;
    let list = |v: &str| -> Vec<String> {
        v.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    };
    for (key, value) in call.query() {
        match key.as_str() {
            "start" => filter.start = Some(parse_time("start", &value)?),
            "end" => filter.end = Some(parse_time("end", &value)?),
            "activity" => filter.activities.extend(list(&value)),
            "user" => filter.users.extend(list(&value)),
            "item" if !value.trim().is_empty() => filter.item = Some(value.trim().to_owned()),
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
                    .filter(|n| (1..=audit::MAX_PAGE).contains(n))
                    .ok_or_else(|| {
                        AppError::bad_request(format!(
                            "`limit` must be a whole number from 1 to {}.",
                            audit::MAX_PAGE
                        ))
                    })?;
            }
            _ => {}
        }
    }
    if let (Some(start), Some(end)) = (filter.start, filter.end) {
        if start >= end {
            return Err(AppError::bad_request("`start` must be before `end`."));
        }
    }
    json(&audit::search(&app.db, p, &filter, limit).await?, 200)
}
