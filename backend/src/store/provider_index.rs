//! The provider-side lists that span tenants: an engineer's own requests
//! and the requests awaiting pre-approval.
//!
//! They read through this module alone, so that when each tenant's data
//! moves to its own database (a Durable Object per tenant), this module is
//! what becomes the small cross-tenant index.

use lockbox_shared::api::MAX_REQUESTS_PAGE;
use lockbox_shared::ids::UserId;
use lockbox_shared::lifecycle::{AccessRequest, State};

use super::db::{Condition, Database, DbError};
use super::requests::{self, still_in, ListFilter};

/// Requests a person of the provider opened or decided as manager, newest
/// first (`limit + 1` rows).
pub async fn requests_of<D: Database>(
    db: &D,
    person: &UserId,
    filter: &ListFilter,
    limit: i64,
    now: i64,
) -> Result<Vec<AccessRequest>, DbError> {
    let scope = Condition::new(
        "requester_id = ? OR manager_id = ?",
        vec![person.as_str().into(), person.as_str().into()],
    );
    let limit = limit.clamp(1, MAX_REQUESTS_PAGE);
    requests::select(db, requests::list(scope, filter, limit, now)).await
}

/// Requests of every tenant still awaiting pre-approval, newest first
/// (`limit + 1` rows).
pub async fn awaiting_preapproval<D: Database>(
    db: &D,
    filter: &ListFilter,
    limit: i64,
    now: i64,
) -> Result<Vec<AccessRequest>, DbError> {
    let scope = still_in(State::PendingManagerApproval, now);
    let limit = limit.clamp(1, MAX_REQUESTS_PAGE);
    requests::select(db, requests::list(scope, filter, limit, now)).await
}
