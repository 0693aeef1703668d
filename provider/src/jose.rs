//! Compact JWS with EdDSA over Ed25519 (RFC 7515, RFC 8037): the one
//! signature format of grant tokens and service assertions. The algorithm
//! and the token type are pinned by the reader; a header naming anything
//! else is refused before any key is looked at.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The one algorithm accepted (RFC 8037's name for Ed25519 signatures).
pub const ALG: &str = "EdDSA";

/// Why a compact token was refused, before its claims are looked at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JoseError {
    /// Not three base64url parts, or a header or payload that is not JSON.
    Malformed(String),
    /// The header names another algorithm (`none`, `HS256`, `RS256`, …).
    Algorithm(String),
    /// The header names another token type.
    Type(String),
    /// The header has critical extensions nobody here understands.
    Critical,
    /// No key with the header's key id.
    UnknownKey(String),
    /// The signature does not match.
    Signature,
}

impl std::fmt::Display for JoseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JoseError::Malformed(why) => write!(f, "the token is malformed: {why}"),
            JoseError::Algorithm(alg) => write!(f, "algorithm {alg:?} refused ({ALG} only)"),
            JoseError::Type(typ) => write!(f, "token type {typ:?} refused"),
            JoseError::Critical => f.write_str("the token has critical extensions"),
            JoseError::UnknownKey(kid) => write!(f, "no key with id {kid:?}"),
            JoseError::Signature => f.write_str("the signature does not match"),
        }
    }
}

impl std::error::Error for JoseError {}

/// A token's protected header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// The algorithm.
    pub alg: String,
    /// The token type.
    #[serde(default)]
    pub typ: Option<String>,
    /// The id of the key that signed it.
    #[serde(default)]
    pub kid: Option<String>,
    /// Critical extensions (refused when present).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crit: Option<serde_json::Value>,
}

/// Signs `claims` as a compact JWS of type `typ` with `key`, named `kid`.
pub fn sign<T: Serialize>(
    claims: &T,
    typ: &str,
    kid: &str,
    key: &SigningKey,
) -> Result<String, serde_json::Error> {
    let header = Header {
        alg: ALG.to_owned(),
        typ: Some(typ.to_owned()),
        kid: Some(kid.to_owned()),
        crit: None,
    };
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header)?),
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims)?)
    );
    let signature = key.sign(input.as_bytes());
    Ok(format!(
        "{input}.{}",
        URL_SAFE_NO_PAD.encode(signature.to_bytes())
    ))
}

/// A token taken apart, nothing checked but its shape and header.
#[derive(Debug, Clone)]
pub struct Unverified<'a> {
    /// The header.
    pub header: Header,
    /// The key id (present and not empty).
    pub kid: String,
    payload: Vec<u8>,
    input: &'a str,
    signature: Vec<u8>,
}

fn part(name: &str, text: &str) -> Result<Vec<u8>, JoseError> {
    URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| JoseError::Malformed(format!("its {name} is not base64url")))
}

/// Takes a compact token apart and checks its header: `alg` exactly
/// [`ALG`], `typ` exactly `typ`, a key id, no critical extensions.
pub fn split<'a>(token: &'a str, typ: &str) -> Result<Unverified<'a>, JoseError> {
    let mut parts = token.trim().split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JoseError::Malformed(
            "a token has three parts separated by dots".to_owned(),
        ));
    };
    let parsed: Header = serde_json::from_slice(&part("header", header)?)
        .map_err(|_| JoseError::Malformed("its header is not a JSON object".to_owned()))?;
    if parsed.alg != ALG {
        return Err(JoseError::Algorithm(parsed.alg));
    }
    if parsed.typ.as_deref() != Some(typ) {
        return Err(JoseError::Type(parsed.typ.unwrap_or_default()));
    }
    if parsed.crit.is_some() {
        return Err(JoseError::Critical);
    }
    let kid = parsed
        .kid
        .clone()
        .filter(|k| !k.is_empty())
        .ok_or_else(|| JoseError::UnknownKey(String::new()))?;
    let trimmed = token.trim();
    Ok(Unverified {
        header: parsed,
        kid,
        payload: part("payload", payload)?,
        input: &trimmed[..header.len() + 1 + payload.len()],
        signature: part("signature", signature)?,
    })
}

impl Unverified<'_> {
    /// The claims **before** any check: only to learn which key to check
    /// with (a service assertion names its service in `iss`).
    pub fn peek<T: DeserializeOwned>(&self) -> Result<T, JoseError> {
        serde_json::from_slice(&self.payload)
            .map_err(|e| JoseError::Malformed(format!("its claims are not what was expected: {e}")))
    }

    /// Checks the signature with `key` (strictly: no weak keys, no
    /// malleable signatures) and reads the claims.
    pub fn verify<T: DeserializeOwned>(&self, key: &VerifyingKey) -> Result<T, JoseError> {
        let signature = Signature::from_slice(&self.signature).map_err(|_| JoseError::Signature)?;
        key.verify_strict(self.input.as_bytes(), &signature)
            .map_err(|_| JoseError::Signature)?;
        serde_json::from_slice(&self.payload)
            .map_err(|e| JoseError::Malformed(format!("its claims are not what was expected: {e}")))
    }
}

/// A key from 32 bytes of seed given as base64 (standard or URL-safe,
/// padded or not).
pub fn signing_key_from_base64(seed: &str) -> Result<SigningKey, String> {
    let bytes = decode_any_base64(seed).ok_or("the key is not base64")?;
    let seed: [u8; 32] = bytes
        .try_into()
        .map_err(|_| "an Ed25519 key seed is 32 bytes".to_owned())?;
    Ok(SigningKey::from_bytes(&seed))
}

/// Base64 in any of its usual spellings.
pub fn decode_any_base64(text: &str) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE};
    let text = text.trim();
    [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|engine| engine.decode(text).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u8) -> SigningKey {
        SigningKey::from_bytes(&[n; 32])
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Claims {
        sub: String,
    }

    fn claims() -> Claims {
        Claims { sub: "x".into() }
    }

    #[test]
    fn a_signed_token_verifies_with_its_key_and_not_with_another() {
        let token = sign(&claims(), "t+jwt", "k1", &key(1)).expect("signs");
        let parts = split(&token, "t+jwt").expect("splits");
        assert_eq!(parts.kid, "k1");
        assert_eq!(
            parts.verify::<Claims>(&key(1).verifying_key()),
            Ok(claims())
        );
        assert_eq!(
            parts.verify::<Claims>(&key(2).verifying_key()),
            Err(JoseError::Signature)
        );
    }

    fn with_header(header: &str, token: &str) -> String {
        let mut parts = token.split('.');
        let _ = parts.next();
        let rest: Vec<&str> = parts.collect();
        format!("{}.{}", URL_SAFE_NO_PAD.encode(header), rest.join("."))
    }

    #[test]
    fn other_algorithms_types_and_critical_headers_are_refused_before_any_key() {
        let token = sign(&claims(), "t+jwt", "k1", &key(1)).expect("signs");
        for (header, expected) in [
            (
                r#"{"alg":"none","typ":"t+jwt","kid":"k1"}"#,
                JoseError::Algorithm("none".into()),
            ),
            (
                r#"{"alg":"HS256","typ":"t+jwt","kid":"k1"}"#,
                JoseError::Algorithm("HS256".into()),
            ),
            (
                r#"{"alg":"Ed25519","typ":"t+jwt","kid":"k1"}"#,
                JoseError::Algorithm("Ed25519".into()),
            ),
            (
                r#"{"alg":"EdDSA","typ":"JWT","kid":"k1"}"#,
                JoseError::Type("JWT".into()),
            ),
            (
                r#"{"alg":"EdDSA","kid":"k1"}"#,
                JoseError::Type(String::new()),
            ),
            (
                r#"{"alg":"EdDSA","typ":"t+jwt","kid":"k1","crit":["exp"]}"#,
                JoseError::Critical,
            ),
            (
                r#"{"alg":"EdDSA","typ":"t+jwt"}"#,
                JoseError::UnknownKey(String::new()),
            ),
        ] {
            let forged = with_header(header, &token);
            assert_eq!(
                split(&forged, "t+jwt").map(|_| ()),
                Err(expected),
                "{header}"
            );
        }
    }

    #[test]
    fn a_changed_header_breaks_the_signature() {
        let token = sign(&claims(), "t+jwt", "k1", &key(1)).expect("signs");
        let forged = with_header(r#"{"alg":"EdDSA","typ":"t+jwt","kid":"k2"}"#, &token);
        let parts = split(&forged, "t+jwt").expect("splits");
        assert_eq!(
            parts.verify::<Claims>(&key(1).verifying_key()),
            Err(JoseError::Signature)
        );
    }

    #[test]
    fn shapes_that_are_not_a_token_are_malformed() {
        for text in ["", "a.b", "a.b.c.d", "!!.e30.e30", "e30.e30.e30"] {
            assert!(
                matches!(
                    split(text, "t+jwt"),
                    Err(JoseError::Malformed(_) | JoseError::Algorithm(_))
                ),
                "{text}"
            );
        }
    }
}
