//! Grant tokens: what Lockbox hands an engineer for one live grant, and
//! how a provider service checks one offline.

use serde::{Deserialize, Serialize};

use crate::jose::{self, JoseError};
use crate::jwks::Jwks;
use crate::revocations::RevocationView;
use crate::{LEEWAY_SECONDS, MAX_GRANT_TOKEN_SECONDS};

/// The token type in the header of every grant token.
pub const TYP: &str = "lockbox-grant+jwt";

/// The claims of a grant token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantClaims {
    /// The Lockbox deployment that issued it (`https://<deployment>`).
    pub iss: String,
    /// The registered services that serve the grant's service.
    pub aud: Vec<String>,
    /// The engineer: the e-mail they sign in with.
    pub sub: String,
    /// The customer tenant's id.
    pub tid: String,
    /// The Lockbox service the grant opens (`mail`, `files`, …).
    pub svc: String,
    /// The grant: its access request's id, which every record cites.
    pub gid: String,
    /// The request's ticket number.
    pub tkt: String,
    /// The operations the grant allows.
    pub ops: Vec<String>,
    /// Issued at (seconds since the epoch).
    pub iat: i64,
    /// Not before (seconds since the epoch).
    pub nbf: i64,
    /// Expiry (seconds since the epoch): never past the grant's end.
    pub exp: i64,
    /// The token's own id.
    pub jti: String,
}

/// When a token issued at `now` (seconds) for a grant that ends at
/// `grant_ends_at_ms` expires: in at most five minutes, and never after the
/// grant. The one rule, for Lockbox that issues and for the tests.
pub fn expiry(now: i64, grant_ends_at_ms: i64) -> i64 {
    (now + MAX_GRANT_TOKEN_SECONDS).min(grant_ends_at_ms.div_euclid(1000))
}

/// The HTTP header a call to a provider service carries the engineer's
/// grant token in (Lockbox's console forwards with it; the sample service
/// reads it).
pub const HEADER: &str = "Lockbox-Grant";

/// Why a grant token, or what it was used for, was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The token's form, header or signature.
    Token(JoseError),
    /// Issued by another Lockbox.
    Issuer,
    /// Not for this service.
    Audience,
    /// Past its expiry.
    Expired,
    /// Not valid yet.
    NotYetValid,
    /// A lifetime longer than any Lockbox issues.
    Lifetime,
    /// For another tenant than the content asked for.
    Tenant,
    /// For another Lockbox service than the content asked for.
    Service,
    /// The operation is not one the grant allows.
    Operation(String),
    /// For another engineer than the one the service signed in.
    Engineer,
    /// The grant was ended early (revoked, or its tenant frozen).
    Revoked,
    /// The revocation view is older than the strict limit.
    StaleRevocations,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Token(err) => write!(f, "grant token refused: {err}"),
            Refusal::Issuer => f.write_str("grant token refused: issued by another Lockbox"),
            Refusal::Audience => f.write_str("grant token refused: not for this service"),
            Refusal::Expired => f.write_str("grant token expired: ask Lockbox for a new one"),
            Refusal::NotYetValid => f.write_str("grant token not valid yet"),
            Refusal::Lifetime => f.write_str("grant token refused: it lives longer than Lockbox allows"),
            Refusal::Tenant => f.write_str("the grant is for another tenant"),
            Refusal::Service => f.write_str("the grant is for another service"),
            Refusal::Operation(op) => write!(f, "the grant does not allow the operation {op:?}"),
            Refusal::Engineer => f.write_str("the grant belongs to another engineer"),
            Refusal::Revoked => f.write_str("the grant was ended early"),
            Refusal::StaleRevocations => {
                f.write_str("Lockbox's list of ended grants could not be refreshed; refusing every grant until it is")
            }
        }
    }
}

impl std::error::Error for Refusal {}

/// Checks grant tokens for one service.
#[derive(Debug, Clone)]
pub struct Verifier {
    keys: Jwks,
    issuer: String,
    audience: String,
    leeway: i64,
}

impl Verifier {
    /// A verifier for the service `audience` (its registered id, such as
    /// `svc:mail`) of the Lockbox `issuer`, with Lockbox's published keys.
    pub fn new(keys: Jwks, issuer: impl Into<String>, audience: impl Into<String>) -> Self {
        Self {
            keys,
            issuer: issuer.into(),
            audience: audience.into(),
            leeway: LEEWAY_SECONDS,
        }
    }

    /// The same verifier with another clock-skew allowance (seconds).
    pub fn with_leeway(mut self, seconds: i64) -> Self {
        self.leeway = seconds.max(0);
        self
    }

    /// Replaces the keys (after fetching the JWK Set again).
    pub fn set_keys(&mut self, keys: Jwks) {
        self.keys = keys;
    }

    /// Checks `token` at `now` (seconds since the epoch): header, key,
    /// signature, issuer, audience and times.
    pub fn verify(&self, token: &str, now: i64) -> Result<Grant, Refusal> {
        let parts = jose::split(token, TYP).map_err(Refusal::Token)?;
        let key = self
            .keys
            .key(&parts.kid)
            .ok_or_else(|| Refusal::Token(JoseError::UnknownKey(parts.kid.clone())))?;
        let claims: GrantClaims = parts.verify(&key).map_err(Refusal::Token)?;
        if claims.iss != self.issuer {
            return Err(Refusal::Issuer);
        }
        if !claims.aud.contains(&self.audience) {
            return Err(Refusal::Audience);
        }
        if now - self.leeway >= claims.exp {
            return Err(Refusal::Expired);
        }
        if now + self.leeway < claims.nbf {
            return Err(Refusal::NotYetValid);
        }
        if claims.exp - claims.iat > MAX_GRANT_TOKEN_SECONDS {
            return Err(Refusal::Lifetime);
        }
        Ok(Grant {
            token: token.trim().to_owned(),
            claims,
        })
    }

    /// [`Verifier::verify`], then the revocation view: a grant ended early
    /// is refused, and so is every grant when the view is older than
    /// `strict_after` seconds (Lockbox could not be asked what ended).
    pub fn verify_live(
        &self,
        token: &str,
        view: &RevocationView,
        now: i64,
        strict_after: i64,
    ) -> Result<Grant, Refusal> {
        let grant = self.verify(token, now)?;
        if !view.fresh(now, strict_after) {
            return Err(Refusal::StaleRevocations);
        }
        if view.ended(&grant.claims) {
            return Err(Refusal::Revoked);
        }
        Ok(grant)
    }
}

/// A verified grant token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The token as received (to pass on when recording).
    pub token: String,
    /// Its claims.
    pub claims: GrantClaims,
}

/// What a call is about to touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target<'a> {
    /// The tenant whose content it is.
    pub tenant: &'a str,
    /// The Lockbox service (`mail`, …).
    pub service: &'a str,
    /// The operation.
    pub operation: &'a str,
    /// The engineer the service signed in, by e-mail.
    pub engineer: &'a str,
}

impl Grant {
    /// Checks that the grant covers `target`.
    pub fn require(&self, target: &Target<'_>) -> Result<(), Refusal> {
        if self.claims.tid != target.tenant {
            return Err(Refusal::Tenant);
        }
        if self.claims.svc != target.service {
            return Err(Refusal::Service);
        }
        if !self.claims.sub.eq_ignore_ascii_case(target.engineer) {
            return Err(Refusal::Engineer);
        }
        if !self.claims.ops.iter().any(|op| op == target.operation) {
            return Err(Refusal::Operation(target.operation.to_owned()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jwks::Jwk;
    use crate::revocations::{Ended, RevocationFeed};
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    use ed25519_dalek::SigningKey;

    const NOW: i64 = 1_800_000_000;

    fn key() -> SigningKey {
        SigningKey::from_bytes(&[9; 32])
    }

    fn claims() -> GrantClaims {
        GrantClaims {
            iss: "https://lockbox.example".into(),
            aud: vec!["svc:mail".into()],
            sub: "engineer1@provider.example".into(),
            tid: "t1".into(),
            svc: "mail".into(),
            gid: "g1".into(),
            tkt: "SR-1".into(),
            ops: vec!["Get-Mailbox".into()],
            iat: NOW,
            nbf: NOW,
            exp: NOW + 300,
            jti: "j1".into(),
        }
    }

    fn verifier() -> Verifier {
        Verifier::new(
            Jwks {
                keys: vec![Jwk::of(&key().verifying_key(), "k1")],
            },
            "https://lockbox.example",
            "svc:mail",
        )
    }

    fn token(c: &GrantClaims) -> String {
        jose::sign(c, TYP, "k1", &key()).expect("signs")
    }

    fn target() -> Target<'static> {
        Target {
            tenant: "t1",
            service: "mail",
            operation: "Get-Mailbox",
            engineer: "engineer1@provider.example",
        }
    }

    #[test]
    fn a_token_never_outlives_its_grant() {
        assert_eq!(expiry(NOW, (NOW + 3600) * 1000), NOW + 300);
        assert_eq!(expiry(NOW, (NOW + 60) * 1000 + 999), NOW + 60);
        assert_eq!(expiry(NOW, NOW * 1000), NOW);
    }

    #[test]
    fn a_good_token_verifies_and_covers_its_target() {
        let grant = verifier()
            .verify(&token(&claims()), NOW + 10)
            .expect("verifies");
        assert_eq!(grant.require(&target()), Ok(()));
    }

    #[test]
    fn every_wrong_claim_is_refused() {
        type Change = Box<dyn Fn(&mut GrantClaims)>;
        let cases: Vec<(Change, Refusal)> = vec![
            (
                Box::new(|c| c.iss = "https://other.example".into()),
                Refusal::Issuer,
            ),
            (
                Box::new(|c| c.aud = vec!["svc:files".into()]),
                Refusal::Audience,
            ),
            (
                Box::new(|c| {
                    c.exp = NOW - 31;
                    c.iat = NOW - 100;
                }),
                Refusal::Expired,
            ),
            (
                Box::new(|c| {
                    c.nbf = NOW + 100;
                    c.iat = NOW + 100;
                    c.exp = NOW + 200
                }),
                Refusal::NotYetValid,
            ),
            (Box::new(|c| c.exp = NOW + 3600), Refusal::Lifetime),
        ];
        for (change, expected) in cases {
            let mut c = claims();
            change(&mut c);
            assert_eq!(
                verifier().verify(&token(&c), NOW),
                Err(expected.clone()),
                "{expected}"
            );
        }
    }

    #[test]
    fn a_grant_for_another_tenant_service_engineer_or_operation_does_not_cover_the_target() {
        let grant = verifier().verify(&token(&claims()), NOW).expect("verifies");
        let mut t = target();
        t.tenant = "t2";
        assert_eq!(grant.require(&t), Err(Refusal::Tenant));
        let mut t = target();
        t.service = "files";
        assert_eq!(grant.require(&t), Err(Refusal::Service));
        let mut t = target();
        t.engineer = "engineer2@provider.example";
        assert_eq!(grant.require(&t), Err(Refusal::Engineer));
        let mut t = target();
        t.operation = "Get-Message";
        assert_eq!(
            grant.require(&t),
            Err(Refusal::Operation("Get-Message".into()))
        );
    }

    #[test]
    fn forged_headers_are_refused() {
        let good = token(&claims());
        let body: Vec<&str> = good.split('.').skip(1).collect();
        for header in [
            r#"{"alg":"none","typ":"lockbox-grant+jwt","kid":"k1"}"#,
            r#"{"alg":"HS256","typ":"lockbox-grant+jwt","kid":"k1"}"#,
            r#"{"alg":"EdDSA","typ":"JWT","kid":"k1"}"#,
            r#"{"alg":"EdDSA","typ":"lockbox-grant+jwt","kid":"unknown"}"#,
        ] {
            let forged = format!("{}.{}", URL_SAFE_NO_PAD.encode(header), body.join("."));
            assert!(
                matches!(verifier().verify(&forged, NOW), Err(Refusal::Token(_))),
                "{header}"
            );
        }
        // HS256 keyed with the public key: refused for its algorithm.
        let other =
            jose::sign(&claims(), TYP, "k1", &SigningKey::from_bytes(&[1; 32])).expect("signs");
        assert_eq!(
            verifier().verify(&other, NOW),
            Err(Refusal::Token(JoseError::Signature))
        );
    }

    #[test]
    fn a_revoked_grant_and_a_stale_view_are_refused() {
        let mut view = RevocationView::default();
        assert_eq!(
            verifier().verify_live(&token(&claims()), &view, NOW, 60),
            Err(Refusal::StaleRevocations)
        );
        view.apply(
            &RevocationFeed {
                items: vec![],
                frozen: vec![],
                next: NOW * 1000,
                max_token_seconds: 300,
            },
            NOW,
        );
        assert!(verifier()
            .verify_live(&token(&claims()), &view, NOW + 5, 60)
            .is_ok());
        view.apply(
            &RevocationFeed {
                items: vec![Ended {
                    request_id: "g1".into(),
                    tenant_id: "t1".into(),
                    service: "mail".into(),
                    ended_at: NOW * 1000,
                }],
                frozen: vec![],
                next: NOW * 1000 + 1,
                max_token_seconds: 300,
            },
            NOW + 6,
        );
        assert_eq!(
            verifier().verify_live(&token(&claims()), &view, NOW + 7, 60),
            Err(Refusal::Revoked)
        );
        assert_eq!(
            verifier().verify_live(&token(&claims()), &view, NOW + 100, 60),
            Err(Refusal::StaleRevocations)
        );
    }
}
