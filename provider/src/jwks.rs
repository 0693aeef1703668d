//! Public keys as a JWK Set (RFC 7517, OKP keys of RFC 8037): how Lockbox
//! publishes the keys of its grant tokens (`/.well-known/jwks.json`) and
//! how a provider registers the keys of its services.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ed25519_dalek::VerifyingKey;
use serde::{Deserialize, Serialize};

/// One Ed25519 public key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwk {
    /// Always `OKP`.
    pub kty: String,
    /// Always `Ed25519`.
    pub crv: String,
    /// The 32-byte public key, base64url without padding.
    pub x: String,
    /// The key id that tokens name in their header.
    pub kid: String,
    /// `EdDSA` when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    /// `sig` when present.
    #[serde(default, rename = "use", skip_serializing_if = "Option::is_none")]
    pub usage: Option<String>,
}

impl Jwk {
    /// The JWK of `key`, named `kid`.
    pub fn of(key: &VerifyingKey, kid: &str) -> Self {
        Self {
            kty: "OKP".to_owned(),
            crv: "Ed25519".to_owned(),
            x: URL_SAFE_NO_PAD.encode(key.as_bytes()),
            kid: kid.to_owned(),
            alg: Some(crate::jose::ALG.to_owned()),
            usage: Some("sig".to_owned()),
        }
    }

    /// The key, when this is a usable Ed25519 signing key.
    pub fn verifying_key(&self) -> Result<VerifyingKey, String> {
        if self.kty != "OKP" || self.crv != "Ed25519" {
            return Err(format!(
                "key {:?} is not an Ed25519 key (kty \"OKP\", crv \"Ed25519\")",
                self.kid
            ));
        }
        if self.alg.as_deref().is_some_and(|a| a != crate::jose::ALG)
            || self.usage.as_deref().is_some_and(|u| u != "sig")
        {
            return Err(format!("key {:?} is not for EdDSA signatures", self.kid));
        }
        let bytes: [u8; 32] = URL_SAFE_NO_PAD
            .decode(self.x.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| format!("key {:?}: x must be 32 bytes in base64url", self.kid))?;
        let key = VerifyingKey::from_bytes(&bytes)
            .map_err(|_| format!("key {:?} is not a valid Ed25519 point", self.kid))?;
        if key.is_weak() {
            return Err(format!("key {:?} is a weak Ed25519 key", self.kid));
        }
        Ok(key)
    }
}

/// A key set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwks {
    /// The keys, usually one, two during a rotation.
    pub keys: Vec<Jwk>,
}

impl Jwks {
    /// Reads a JWK Set document; keys of other kinds are skipped.
    pub fn parse(json: &str) -> Result<Self, String> {
        let set: Jwks = serde_json::from_str(json).map_err(|e| format!("not a JWK Set: {e}"))?;
        Ok(Jwks {
            keys: set
                .keys
                .into_iter()
                .filter(|k| k.verifying_key().is_ok())
                .collect(),
        })
    }

    /// The key named `kid`, if the set holds a usable one.
    pub fn key(&self, kid: &str) -> Option<VerifyingKey> {
        self.keys
            .iter()
            .find(|k| k.kid == kid)
            .and_then(|k| k.verifying_key().ok())
    }
}

/// A key id derived from the key itself (RFC 7638 thumbprint, SHA-256,
/// base64url): the same key always has the same id.
pub fn thumbprint(key: &VerifyingKey) -> String {
    use sha2::Digest as _;
    let x = URL_SAFE_NO_PAD.encode(key.as_bytes());
    let canonical = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#);
    URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(canonical.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::SigningKey;

    #[test]
    fn a_key_round_trips_through_its_jwk() {
        let key = SigningKey::from_bytes(&[7; 32]).verifying_key();
        let set = Jwks {
            keys: vec![Jwk::of(&key, "a")],
        };
        let text = serde_json::to_string(&set).expect("serialises");
        let read = Jwks::parse(&text).expect("parses");
        assert_eq!(read.key("a"), Some(key));
        assert_eq!(read.key("b"), None);
    }

    #[test]
    fn keys_of_other_kinds_are_skipped() {
        let text = r#"{"keys":[{"kty":"RSA","crv":"","x":"","kid":"r"},
            {"kty":"OKP","crv":"X25519","x":"AAAA","kid":"x"},
            {"kty":"OKP","crv":"Ed25519","x":"short","kid":"s"}]}"#;
        assert_eq!(Jwks::parse(text).expect("parses").keys.len(), 0);
    }

    #[test]
    fn the_thumbprint_is_stable_and_differs_per_key() {
        let a = SigningKey::from_bytes(&[1; 32]).verifying_key();
        let b = SigningKey::from_bytes(&[2; 32]).verifying_key();
        assert_eq!(thumbprint(&a), thumbprint(&a));
        assert_ne!(thumbprint(&a), thumbprint(&b));
        assert_eq!(thumbprint(&a).len(), 43);
    }
}
