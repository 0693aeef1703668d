//! Floods: Cloudflare's Rate Limiting binding, one binding per limit. A
//! signed-in person's changes are counted per person, a registered
//! service's batches of actions per service, the local sign-in and the
//! calls refused as not signed in per client address. Over a limit the call
//! is refused with 429, `Retry-After` and a sentence, before it changes
//! anything, and the refusal is counted per route for the provider's
//! metrics. The numbers are written once, in wrangler.toml (build.rs reads
//! them from there).

use lockbox_shared::integration::{RateLimitStatus, RouteCount};
use worker::{console_warn, Env, RateLimiter};

use crate::error::AppError;
use crate::store::{Database, DbError, Statement};

include!(concat!(env!("OUT_DIR"), "/rate_limits.rs"));

/// One of the limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// A signed-in person's changes.
    Writes,
    /// A registered service's batches of actions.
    Services,
    /// The local sign-in, per client address.
    SignIn,
    /// Calls refused as not signed in, per client address.
    Anonymous,
}

impl Limit {
    pub const ALL: [Limit; 4] = [
        Limit::Writes,
        Limit::Services,
        Limit::SignIn,
        Limit::Anonymous,
    ];

    /// Its binding in wrangler.toml.
    pub const fn binding(self) -> &'static str {
        match self {
            Limit::Writes => "LIMIT_WRITES",
            Limit::Services => "LIMIT_SERVICES",
            Limit::SignIn => "LIMIT_SIGN_IN",
            Limit::Anonymous => "LIMIT_ANONYMOUS",
        }
    }

    /// Its name in the metrics.
    pub const fn name(self) -> &'static str {
        match self {
            Limit::Writes => "writes",
            Limit::Services => "service-actions",
            Limit::SignIn => "dev-sign-in",
            Limit::Anonymous => "unauthenticated",
        }
    }

    /// What it counts per.
    pub const fn per(self) -> &'static str {
        match self {
            Limit::Writes => "person",
            Limit::Services => "service",
            Limit::SignIn | Limit::Anonymous => "address",
        }
    }

    /// (limit, period in seconds) as wrangler.toml sets them.
    pub fn configured(self) -> Option<(u32, u32)> {
        RATE_LIMITS
            .iter()
            .find(|(binding, _, _)| *binding == self.binding())
            .map(|&(_, limit, period)| (limit, period))
    }

    /// The refusal, in words a person can act on.
    fn refusal(self) -> AppError {
        let (limit, period) = self.configured().unwrap_or((0, 60));
        let within = if period == 60 {
            "a minute".to_owned()
        } else {
            format!("{period} seconds")
        };
        let message = match self {
            Limit::Writes => format!(
                "You made more than {limit} changes within {within}; nothing was changed. Wait {period} seconds and try again."
            ),
            Limit::Services => format!(
                "This service sent more than {limit} batches of actions within {within}; nothing was recorded. Wait {period} seconds and send the batch again (with the same batch_id)."
            ),
            Limit::SignIn => format!(
                "More than {limit} sign-ins from this address within {within}. Wait {period} seconds and try again."
            ),
            Limit::Anonymous => format!(
                "More than {limit} calls without a valid sign-in came from this address within {within}. Wait {period} seconds and try again, signed in."
            ),
        };
        AppError::RateLimited {
            message,
            retry_after: period,
        }
    }
}

/// The limits' bindings, those that are bound.
#[derive(Default)]
pub struct Limiters(Vec<(Limit, RateLimiter)>);

impl Limiters {
    pub fn from_env(env: &Env) -> Self {
        Self(
            Limit::ALL
                .into_iter()
                .filter_map(|limit| Some((limit, env.rate_limiter(limit.binding()).ok()?)))
                .collect(),
        )
    }

    /// Counts one call of `key` against `limit`; `Err` (429) once it is
    /// over, after counting the refusal for `route` in `db`. A limit not
    /// bound, or a binding that fails, lets the call through (logged):
    /// rate limiting never takes Lockbox down.
    pub async fn check<D: Database>(
        &self,
        db: &D,
        limit: Limit,
        key: &str,
        route: &str,
        now: i64,
    ) -> Result<(), AppError> {
        let Some((_, limiter)) = self.0.iter().find(|(l, _)| *l == limit) else {
            return Ok(());
        };
        match limiter.limit(format!("{}:{key}", limit.name())).await {
            Ok(outcome) if outcome.success => Ok(()),
            Ok(_) => {
                // Counting is best effort: the call is refused either way.
                if let Err(err) = db.batch(vec![count_refusal(limit, route, now)]).await {
                    console_warn!("counting a rate-limit refusal failed: {err}");
                }
                Err(limit.refusal())
            }
            Err(err) => {
                console_warn!(
                    "rate limit {} failed, call let through: {err}",
                    limit.binding()
                );
                Ok(())
            }
        }
    }
}

const DAY_MS: i64 = 86_400_000;

/// Counts one refusal by `limit` of a call to `route` today.
pub fn count_refusal(limit: Limit, route: &str, now: i64) -> Statement {
    Statement::new(
        "INSERT INTO rate_refusals (day, route, limit_name, count) VALUES (?, ?, ?, 1) \
         ON CONFLICT (day, route, limit_name) DO UPDATE SET count = count + 1",
        vec![
            now.div_euclid(DAY_MS).into(),
            route.into(),
            limit.name().into(),
        ],
    )
}

/// Every limit as configured, with what it refused today and yesterday.
pub async fn status<D: Database>(db: &D, now: i64) -> Result<Vec<RateLimitStatus>, DbError> {
    #[derive(serde::Deserialize)]
    struct Row {
        route: String,
        limit_name: String,
        count: i64,
    }
    let rows: Vec<Row> = db
        .query(Statement::new(
            "SELECT route, limit_name, SUM(count) AS count FROM rate_refusals WHERE day >= ? \
             GROUP BY route, limit_name ORDER BY route",
            vec![(now.div_euclid(DAY_MS) - 1).into()],
        ))
        .await?;
    Ok(Limit::ALL
        .into_iter()
        .filter_map(|limit| {
            let (allowed, period) = limit.configured()?;
            Some(RateLimitStatus {
                name: limit.name().to_owned(),
                per: limit.per().to_owned(),
                limit: allowed,
                period_seconds: period,
                refused: rows
                    .iter()
                    .filter(|r| r.limit_name == limit.name())
                    .map(|r| RouteCount {
                        route: r.route.clone(),
                        count: r.count,
                    })
                    .collect(),
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// wrangler.toml declares every limit the Worker checks, each with a
    /// period the binding accepts.
    #[test]
    fn every_limit_is_configured_in_wrangler_toml() {
        for limit in Limit::ALL {
            let (allowed, period) = limit
                .configured()
                .unwrap_or_else(|| panic!("no [[ratelimits]] named {}", limit.binding()));
            assert!(allowed > 0, "{limit:?}");
            assert!(matches!(period, 10 | 60), "{limit:?}: period {period}");
        }
        assert_eq!(RATE_LIMITS.len(), Limit::ALL.len(), "{RATE_LIMITS:?}");
    }

    #[test]
    fn a_refusal_says_the_limit_and_when_to_try_again() {
        for limit in Limit::ALL {
            let (allowed, period) = limit.configured().expect("configured");
            match limit.refusal() {
                AppError::RateLimited {
                    message,
                    retry_after,
                } => {
                    assert_eq!(retry_after, period);
                    assert!(message.contains(&allowed.to_string()), "{message}");
                    assert!(
                        message.contains(&format!("Wait {period} seconds")),
                        "{message}"
                    );
                }
                other => panic!("{other:?}"),
            }
        }
    }
}
