//! Grants that ended early, as `GET /api/v1/provider/revocations` lists
//! them, and the view a service keeps of them between polls.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::grant::GrantClaims;
use crate::{LEEWAY_SECONDS, MAX_GRANT_TOKEN_SECONDS};

/// One grant ended before its time (revoked by the customer, or by a
/// freeze of its tenant).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ended {
    /// The grant (its request's id: a token's `gid`).
    pub request_id: String,
    /// Its tenant.
    pub tenant_id: String,
    /// Its Lockbox service.
    pub service: String,
    /// When it ended (epoch milliseconds).
    pub ended_at: i64,
}

/// A tenant whose global admin froze access: no token issued before
/// `frozen_at` opens anything of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Frozen {
    /// The tenant.
    pub tenant_id: String,
    /// When the freeze began (epoch milliseconds).
    pub frozen_at: i64,
}

/// One page of the feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevocationFeed {
    /// Grants ended early since the cursor asked for (oldest first).
    pub items: Vec<Ended>,
    /// Tenants frozen now.
    pub frozen: Vec<Frozen>,
    /// The cursor to ask with next (`?since=`).
    pub next: i64,
    /// The longest a grant token lives (seconds): an entry older than this
    /// (and the leeway) can be forgotten, as every token it could stop has
    /// expired.
    pub max_token_seconds: i64,
}

/// What a service knows of ended grants.
#[derive(Debug, Clone, Default)]
pub struct RevocationView {
    ended: HashMap<String, i64>,
    frozen: HashMap<String, i64>,
    cursor: i64,
    refreshed_at: Option<i64>,
}

impl RevocationView {
    /// The cursor to poll with (`?since=`).
    pub fn since(&self) -> i64 {
        self.cursor
    }

    /// Takes in a page of the feed read at `now` (seconds).
    pub fn apply(&mut self, feed: &RevocationFeed, now: i64) {
        for item in &feed.items {
            self.ended.insert(item.request_id.clone(), item.ended_at);
        }
        self.frozen = feed
            .frozen
            .iter()
            .map(|f| (f.tenant_id.clone(), f.frozen_at))
            .collect();
        self.cursor = self.cursor.max(feed.next);
        self.refreshed_at = Some(now);
        let keep = (feed.max_token_seconds.max(MAX_GRANT_TOKEN_SECONDS) + LEEWAY_SECONDS) * 1000;
        self.ended.retain(|_, at| *at + keep >= now * 1000);
    }

    /// Whether the view was refreshed within `max_age` seconds of `now`.
    pub fn fresh(&self, now: i64, max_age: i64) -> bool {
        self.refreshed_at.is_some_and(|at| now - at <= max_age)
    }

    /// Whether the grant of `claims` ended early: its request is listed, or
    /// its tenant was frozen after the token was issued.
    pub fn ended(&self, claims: &GrantClaims) -> bool {
        self.ended.contains_key(&claims.gid)
            || self
                .frozen
                .get(&claims.tid)
                .is_some_and(|at| claims.iat * 1000 <= *at)
    }
}
