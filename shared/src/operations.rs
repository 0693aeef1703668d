//! Why an engineer's operation is refused although they may run
//! operations: what they need to know to get access (SPEC §5). The
//! operations themselves belong to the services that registered them.

use crate::audit::utc;
use crate::lifecycle::{AccessRequest, State};

/// Why a call of an operation is refused although the caller may run
/// operations: what the caller needs to know to get access.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrantRefusal {
    /// The caller has no grant for this tenant at all.
    NoGrant { service: String },
    /// The caller's grant for this service has not started yet.
    NotStarted { starts_at: i64 },
    /// The caller's grant for this service ran out.
    Ended { ended_at: i64 },
    /// An approver revoked the caller's grant for this service.
    Revoked { revoked_at: i64 },
    /// The caller's live grant is for another service of the tenant.
    OtherService { granted: String, service: String },
}

impl GrantRefusal {
    /// Why the caller, holding no live grant for `service`, is refused,
    /// judged from their most recent grants for the tenant (newest first).
    pub fn of(grants: &[AccessRequest], service: &str, now: i64) -> Self {
        let this = grants
            .iter()
            .find(|r| r.service.as_str() == service && r.grant().is_some());
        if let Some(req) = this {
            if let Some(grant) = req.grant() {
                if req.effective_state(now) == State::Revoked {
                    let at = req.ending().map_or(grant.ends_at, |e| e.at);
                    return GrantRefusal::Revoked { revoked_at: at };
                }
                if now < grant.starts_at {
                    return GrantRefusal::NotStarted {
                        starts_at: grant.starts_at,
                    };
                }
                if req.grants_access(now) {
                    // Not reached: the caller asks only when no grant is live.
                } else {
                    return GrantRefusal::Ended {
                        ended_at: grant.ends_at.min(req.ending().map_or(i64::MAX, |e| e.at)),
                    };
                }
            }
        }
        match grants.iter().find(|r| r.grants_access(now)) {
            Some(other) => GrantRefusal::OtherService {
                granted: other.service.as_str().to_owned(),
                service: service.to_owned(),
            },
            None => GrantRefusal::NoGrant {
                service: service.to_owned(),
            },
        }
    }

    /// A sentence for the caller.
    pub fn message(&self) -> String {
        match self {
            GrantRefusal::NoGrant { service } => format!(
                "You hold no live grant for this tenant's {service} content. Open an access request and wait until it is approved."
            ),
            GrantRefusal::NotStarted { starts_at } => format!(
                "Your grant for this tenant starts at {}; try again then.",
                utc(*starts_at)
            ),
            GrantRefusal::Ended { ended_at } => format!(
                "Your grant for this tenant ended at {}. Open a new access request if you still need access.",
                utc(*ended_at)
            ),
            GrantRefusal::Revoked { revoked_at } => format!(
                "The customer revoked your grant for this tenant at {}. Open a new access request if you still need access.",
                utc(*revoked_at)
            ),
            GrantRefusal::OtherService { granted, service } => format!(
                "Your live grant for this tenant is for {granted}, not {service}. Open an access request for {service}."
            ),
        }
    }
}
