//! How a provider service proves who it is to Lockbox: a short assertion
//! it signs with its own Ed25519 key, sent as `Authorization: Bearer …`.

use ed25519_dalek::SigningKey;
use serde::{Deserialize, Serialize};

use crate::jose;
use crate::{LEEWAY_SECONDS, MAX_ASSERTION_SECONDS};

/// The token type in the header of every service assertion.
pub const TYP: &str = "lockbox-service+jwt";

/// The claims of a service assertion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssertionClaims {
    /// The service's registered id (such as `svc:mail`).
    pub iss: String,
    /// The same id.
    pub sub: String,
    /// The Lockbox deployment it is for (`https://<deployment>`).
    pub aud: String,
    /// Issued at (seconds since the epoch).
    pub iat: i64,
    /// Expiry: at most five minutes after `iat`.
    pub exp: i64,
    /// Unique per assertion: Lockbox refuses one seen before.
    pub jti: String,
}

/// A service's signing key with its key id.
#[derive(Clone)]
pub struct ServiceKey {
    /// The registered id of the service.
    pub service: String,
    /// The key id registered with the public key.
    pub kid: String,
    /// The private key.
    pub key: SigningKey,
}

impl std::fmt::Debug for ServiceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceKey")
            .field("service", &self.service)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl ServiceKey {
    /// An assertion for the Lockbox `audience`, issued at `now` (seconds),
    /// living `seconds` (at most five minutes), with the unique `jti`.
    pub fn assert(&self, audience: &str, now: i64, seconds: i64, jti: &str) -> String {
        let claims = AssertionClaims {
            iss: self.service.clone(),
            sub: self.service.clone(),
            aud: audience.to_owned(),
            iat: now,
            exp: now + seconds.clamp(1, MAX_ASSERTION_SECONDS),
            jti: jti.to_owned(),
        };
        // A struct of strings and integers always serialises.
        jose::sign(&claims, TYP, &self.kid, &self.key).unwrap_or_default()
    }
}

/// Why an assertion's claims were refused (after its signature held).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimsRefusal {
    /// `iss` and `sub` are not both the service's id.
    Subject,
    /// For another deployment.
    Audience,
    /// Expired, not valid yet, or living longer than allowed.
    Time,
    /// No `jti`.
    NoId,
}

impl ClaimsRefusal {
    /// A short name, for counting refusals.
    pub const fn as_str(self) -> &'static str {
        match self {
            ClaimsRefusal::Subject => "subject",
            ClaimsRefusal::Audience => "audience",
            ClaimsRefusal::Time => "time",
            ClaimsRefusal::NoId => "no-jti",
        }
    }
}

impl AssertionClaims {
    /// Checks the claims of an assertion whose signature matched `service`'s
    /// key, for the deployment `audience`, at `now` (seconds).
    pub fn check(&self, service: &str, audience: &str, now: i64) -> Result<(), ClaimsRefusal> {
        if self.iss != service || self.sub != service {
            return Err(ClaimsRefusal::Subject);
        }
        if self.aud != audience {
            return Err(ClaimsRefusal::Audience);
        }
        let lifetime = self.exp - self.iat;
        if lifetime <= 0
            || lifetime > MAX_ASSERTION_SECONDS
            || now - LEEWAY_SECONDS >= self.exp
            || now + LEEWAY_SECONDS < self.iat
        {
            return Err(ClaimsRefusal::Time);
        }
        if self.jti.trim().is_empty() || self.jti.len() > 128 {
            return Err(ClaimsRefusal::NoId);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn service() -> ServiceKey {
        ServiceKey {
            service: "svc:mail".into(),
            kid: "k".into(),
            key: SigningKey::from_bytes(&[3; 32]),
        }
    }

    fn claims_of(token: &str) -> AssertionClaims {
        let parts = jose::split(token, TYP).expect("splits");
        parts
            .verify(&service().key.verifying_key())
            .expect("verifies")
    }

    #[test]
    fn an_assertion_checks_for_its_service_and_audience() {
        let c = claims_of(&service().assert("https://lockbox.example", NOW, 60, "j"));
        assert_eq!(c.check("svc:mail", "https://lockbox.example", NOW), Ok(()));
        assert_eq!(
            c.check("svc:files", "https://lockbox.example", NOW),
            Err(ClaimsRefusal::Subject)
        );
        assert_eq!(
            c.check("svc:mail", "https://other.example", NOW),
            Err(ClaimsRefusal::Audience)
        );
        assert_eq!(
            c.check("svc:mail", "https://lockbox.example", NOW + 91),
            Err(ClaimsRefusal::Time)
        );
    }

    #[test]
    fn an_assertion_never_lives_longer_than_five_minutes() {
        let c = claims_of(&service().assert("a", NOW, 3600, "j"));
        assert_eq!(c.exp - c.iat, MAX_ASSERTION_SECONDS);
        let long = AssertionClaims {
            exp: NOW + 3600,
            ..c
        };
        assert_eq!(long.check("svc:mail", "a", NOW), Err(ClaimsRefusal::Time));
    }
}
