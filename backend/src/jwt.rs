//! JSON Web Tokens, RS256 only: the compact form read and its claims
//! checked here, the signature made and checked by the Workers runtime's
//! WebCrypto (`crypto.subtle`, RSASSA-PKCS1-v1_5 with SHA-256). No
//! cryptography is written here, and none is compiled into the Worker.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::Deserialize;

/// The one signature algorithm accepted.
pub const RS256: &str = "RS256";

/// The header fields Lockbox reads.
#[derive(Debug, Clone, Deserialize)]
pub struct Header {
    /// The algorithm the token claims.
    pub alg: String,
    /// The key id.
    #[serde(default)]
    pub kid: Option<String>,
    /// Critical extensions: none is understood, so any makes it unusable.
    #[serde(default)]
    pub crit: Option<serde_json::Value>,
}

/// A token taken apart (nothing checked yet but its shape).
#[derive(Debug, Clone)]
pub struct Parts<'a> {
    /// The header.
    pub header: Header,
    /// The payload's JSON.
    pub payload: Vec<u8>,
    /// `<header>.<payload>` as sent: what the signature covers.
    pub signing_input: &'a str,
    /// The signature's bytes.
    pub signature: Vec<u8>,
}

fn segment(name: &str, text: &str) -> Result<Vec<u8>, String> {
    URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|err| format!("the token's {name} is not base64url: {err}"))
}

/// Takes a compact JWT apart: three base64url segments, a JSON header
/// naming RS256 and a key id, no critical extensions.
pub fn split(token: &str) -> Result<Parts<'_>, String> {
    let mut pieces = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (pieces.next(), pieces.next(), pieces.next(), pieces.next())
    else {
        return Err("a token has three parts separated by dots".to_owned());
    };
    let header_json = segment("header", header)?;
    let parsed: Header = serde_json::from_slice(&header_json)
        .map_err(|err| format!("unreadable token header: {err}"))?;
    if parsed.alg != RS256 {
        return Err(format!("algorithm {:?} refused (RS256 only)", parsed.alg));
    }
    if parsed.crit.is_some() {
        return Err("the token has critical extensions Lockbox does not know".to_owned());
    }
    if parsed.kid.as_deref().is_none_or(str::is_empty) {
        return Err("token has no key id".to_owned());
    }
    let signature = segment("signature", signature)?;
    if signature.is_empty() {
        return Err("the token is not signed".to_owned());
    }
    Ok(Parts {
        header: parsed,
        payload: segment("payload", payload)?,
        signing_input: &token[..header.len() + 1 + payload.len()],
        signature,
    })
}

/// The time claims and who the token is from and for.
#[derive(Debug, Clone, Deserialize)]
pub struct Registered {
    /// Issuer.
    pub iss: Option<String>,
    /// Audience: one string or a list.
    pub aud: Option<serde_json::Value>,
    /// Expiry (seconds since the epoch).
    pub exp: Option<i64>,
    /// Not before (seconds since the epoch).
    pub nbf: Option<i64>,
}

/// Checks the registered claims at `now` (seconds): `exp` present and not
/// past, `nbf` (if any) reached, each with `leeway` seconds; `iss` equal to
/// `issuer`; `aud` equal to or containing `audience`.
pub fn check_claims(
    claims: &Registered,
    issuer: &str,
    audience: &str,
    now: i64,
    leeway: i64,
) -> Result<(), String> {
    let exp = claims.exp.ok_or("the token has no expiry (exp)")?;
    if now - leeway >= exp {
        return Err("the token has expired".to_owned());
    }
    if let Some(nbf) = claims.nbf {
        if now + leeway < nbf {
            return Err("the token is not valid yet (nbf)".to_owned());
        }
    }
    if claims.iss.as_deref() != Some(issuer) {
        return Err(format!("the token's issuer is not {issuer}"));
    }
    let for_us = match &claims.aud {
        Some(serde_json::Value::String(one)) => one == audience,
        Some(serde_json::Value::Array(many)) => many.iter().any(|a| a == audience),
        _ => false,
    };
    if !for_us {
        return Err("the token is for another audience".to_owned());
    }
    Ok(())
}

/// `<header>.<payload>` of a new RS256 token, ready to be signed.
pub fn signing_input(kid: &str, claims: &serde_json::Value) -> String {
    let header = serde_json::json!({ "alg": RS256, "typ": "JWT", "kid": kid });
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

/// A finished token: the signing input and its signature.
pub fn assemble(signing_input: &str, signature: &[u8]) -> String {
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

/// WebCrypto keys and the two operations, RSASSA-PKCS1-v1_5 with SHA-256;
/// and AES-GCM, which seals webhook secrets (`crate::sealing`).
pub mod subtle {
    use worker::wasm_bindgen::JsValue;
    #[cfg(target_arch = "wasm32")]
    use worker::{js_sys, wasm_bindgen_futures};

    /// A key held by the runtime (a `CryptoKey`).
    #[derive(Debug, Clone)]
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    pub struct Key(JsValue);

    #[cfg(target_arch = "wasm32")]
    mod js {
        use worker::js_sys;
        use worker::wasm_bindgen;
        use worker::wasm_bindgen::prelude::*;

        #[wasm_bindgen]
        extern "C" {
            #[wasm_bindgen(js_namespace = ["crypto", "subtle"], js_name = importKey, catch)]
            pub fn import_key(
                format: &str,
                data: &JsValue,
                algorithm: &JsValue,
                extractable: bool,
                usages: &JsValue,
            ) -> Result<js_sys::Promise, JsValue>;
            #[wasm_bindgen(js_namespace = ["crypto", "subtle"], js_name = verify, catch)]
            pub fn verify(
                algorithm: &JsValue,
                key: &JsValue,
                signature: &[u8],
                data: &[u8],
            ) -> Result<js_sys::Promise, JsValue>;
            #[wasm_bindgen(js_namespace = ["crypto", "subtle"], js_name = sign, catch)]
            pub fn sign(
                algorithm: &JsValue,
                key: &JsValue,
                data: &[u8],
            ) -> Result<js_sys::Promise, JsValue>;
            #[wasm_bindgen(js_namespace = ["crypto", "subtle"], js_name = encrypt, catch)]
            pub fn encrypt(
                algorithm: &JsValue,
                key: &JsValue,
                data: &[u8],
            ) -> Result<js_sys::Promise, JsValue>;
            #[wasm_bindgen(js_namespace = ["crypto", "subtle"], js_name = decrypt, catch)]
            pub fn decrypt(
                algorithm: &JsValue,
                key: &JsValue,
                data: &[u8],
            ) -> Result<js_sys::Promise, JsValue>;
        }
    }

    #[cfg(target_arch = "wasm32")]
    fn algorithm() -> JsValue {
        let algorithm = js_sys::Object::new();
        let hash = js_sys::Object::new();
        let set = |o: &js_sys::Object, k: &str, v: &JsValue| {
            let _ = js_sys::Reflect::set(o, &JsValue::from_str(k), v);
        };
        set(&hash, "name", &JsValue::from_str("SHA-256"));
        set(&algorithm, "name", &JsValue::from_str("RSASSA-PKCS1-v1_5"));
        set(&algorithm, "hash", &hash);
        algorithm.into()
    }

    #[cfg(target_arch = "wasm32")]
    fn message(err: JsValue) -> String {
        js_sys::Error::from(err)
            .message()
            .as_string()
            .unwrap_or_else(|| "WebCrypto refused".to_owned())
    }

    #[cfg(target_arch = "wasm32")]
    async fn settle(promise: Result<js_sys::Promise, JsValue>) -> Result<JsValue, String> {
        wasm_bindgen_futures::JsFuture::from(promise.map_err(message)?)
            .await
            .map_err(message)
    }

    #[cfg(target_arch = "wasm32")]
    async fn import(format: &str, data: JsValue, usage: &str) -> Result<Key, String> {
        import_as(format, data, &algorithm(), usage).await
    }

    #[cfg(target_arch = "wasm32")]
    async fn import_as(
        format: &str,
        data: JsValue,
        algorithm: &JsValue,
        usage: &str,
    ) -> Result<Key, String> {
        let usages = js_sys::Array::of1(&JsValue::from_str(usage));
        settle(js::import_key(format, &data, algorithm, false, &usages))
            .await
            .map(Key)
    }

    /// AES-256-GCM with `key` and `iv` over `data`, `aad` the additional
    /// data: the ciphertext and its tag when `encrypting`, else the
    /// plaintext (an error if the tag does not check).
    #[cfg(target_arch = "wasm32")]
    pub async fn aes_gcm(
        encrypting: bool,
        key: &[u8; 32],
        iv: &[u8],
        aad: &[u8],
        data: &[u8],
    ) -> Result<Vec<u8>, String> {
        let object = |pairs: &[(&str, JsValue)]| -> JsValue {
            let o = js_sys::Object::new();
            for (k, v) in pairs {
                let _ = js_sys::Reflect::set(&o, &JsValue::from_str(k), v);
            }
            o.into()
        };
        let name = ("name", JsValue::from_str("AES-GCM"));
        let usage = if encrypting { "encrypt" } else { "decrypt" };
        let raw = js_sys::Uint8Array::from(key.as_slice()).into();
        let key = import_as("raw", raw, &object(std::slice::from_ref(&name)), usage).await?;
        let params = object(&[
            name,
            ("iv", js_sys::Uint8Array::from(iv).into()),
            ("additionalData", js_sys::Uint8Array::from(aad).into()),
        ]);
        let out = if encrypting {
            settle(js::encrypt(&params, &key.0, data)).await?
        } else {
            settle(js::decrypt(&params, &key.0, data)).await?
        };
        Ok(js_sys::Uint8Array::new(&out).to_vec())
    }

    /// A verification key from an RSA JWK's modulus and exponent
    /// (base64url, as the JWKS carries them).
    #[cfg(target_arch = "wasm32")]
    pub async fn rsa_jwk(n: &str, e: &str) -> Result<Key, String> {
        let jwk = js_sys::Object::new();
        for (k, v) in [("kty", "RSA"), ("alg", "RS256"), ("n", n), ("e", e)] {
            let _ = js_sys::Reflect::set(&jwk, &JsValue::from_str(k), &JsValue::from_str(v));
        }
        import("jwk", jwk.into(), "verify").await
    }

    /// A verification key from its SubjectPublicKeyInfo (DER).
    #[cfg(target_arch = "wasm32")]
    pub async fn spki(der: &[u8]) -> Result<Key, String> {
        import("spki", js_sys::Uint8Array::from(der).into(), "verify").await
    }

    /// A signing key from its PKCS#8 form (DER).
    #[cfg(target_arch = "wasm32")]
    pub async fn pkcs8(der: &[u8]) -> Result<Key, String> {
        import("pkcs8", js_sys::Uint8Array::from(der).into(), "sign").await
    }

    /// Whether `signature` is `key`'s over `data`.
    #[cfg(target_arch = "wasm32")]
    pub async fn verify(key: &Key, signature: &[u8], data: &[u8]) -> Result<bool, String> {
        Ok(settle(js::verify(&algorithm(), &key.0, signature, data))
            .await?
            .as_bool()
            .unwrap_or(false))
    }

    /// `key`'s signature over `data`.
    #[cfg(target_arch = "wasm32")]
    pub async fn sign(key: &Key, data: &[u8]) -> Result<Vec<u8>, String> {
        let buffer = settle(js::sign(&algorithm(), &key.0, data)).await?;
        Ok(js_sys::Uint8Array::new(&buffer).to_vec())
    }

    // Outside the Workers runtime (the model test's native build) there is
    // no WebCrypto; nothing there signs or checks tokens.
    #[cfg(not(target_arch = "wasm32"))]
    const NATIVE: &str = "WebCrypto exists only in the Workers runtime";

    #[cfg(not(target_arch = "wasm32"))]
    pub async fn rsa_jwk(_n: &str, _e: &str) -> Result<Key, String> {
        Err(NATIVE.to_owned())
    }

    #[cfg(not(target_arch = "wasm32"))]
    pub async fn spki(_der: &[u8]) -> Result<Key, String> {
        Err(NATIVE.to_owned())
    }

    #[cfg(not(target_arch = "wasm32"))]
    pub async fn pkcs8(_der: &[u8]) -> Result<Key, String> {
        Err(NATIVE.to_owned())
    }

    #[cfg(not(target_arch = "wasm32"))]
    pub async fn verify(_key: &Key, _signature: &[u8], _data: &[u8]) -> Result<bool, String> {
        Err(NATIVE.to_owned())
    }

    #[cfg(not(target_arch = "wasm32"))]
    pub async fn sign(_key: &Key, _data: &[u8]) -> Result<Vec<u8>, String> {
        Err(NATIVE.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(json: &str) -> String {
        URL_SAFE_NO_PAD.encode(json)
    }

    fn token(header: &str) -> String {
        format!("{}.{}.c2ln", b64(header), b64(r#"{"exp":1}"#))
    }

    #[test]
    fn only_rs256_with_a_key_id_is_taken_apart() {
        let ok = token(r#"{"alg":"RS256","kid":"k1"}"#);
        let parts = split(&ok).expect("an RS256 token");
        assert_eq!(parts.header.kid.as_deref(), Some("k1"));
        assert_eq!(parts.signature, b"sig");
        assert_eq!(parts.signing_input, &ok[..ok.rfind('.').unwrap_or(0)]);
        for header in [
            r#"{"alg":"none","kid":"k1"}"#,
            r#"{"alg":"HS256","kid":"k1"}"#,
            r#"{"alg":"rs256","kid":"k1"}"#,
            r#"{"alg":"RS256"}"#,
            r#"{"alg":"RS256","kid":""}"#,
            r#"{"alg":"RS256","kid":"k1","crit":["b64"]}"#,
            "not json",
        ] {
            assert!(split(&token(header)).is_err(), "{header}");
        }
        for bad in ["", "a.b", "a.b.c.d", "!!.??.**"] {
            assert!(split(bad).is_err(), "{bad}");
        }
        let unsigned = format!("{}.{}.", b64(r#"{"alg":"RS256","kid":"k"}"#), b64("{}"));
        assert!(split(&unsigned).is_err());
    }

    fn claims(json: serde_json::Value) -> Registered {
        serde_json::from_value(json).expect("claims")
    }

    #[test]
    fn time_issuer_and_audience_are_checked_with_leeway() {
        let good = serde_json::json!({"iss": "https://i", "aud": ["a"], "exp": 1_000, "nbf": 900});
        assert!(check_claims(&claims(good.clone()), "https://i", "a", 950, 30).is_ok());
        // Leeway on both ends.
        assert!(check_claims(&claims(good.clone()), "https://i", "a", 1_029, 30).is_ok());
        assert!(check_claims(&claims(good.clone()), "https://i", "a", 1_030, 30).is_err());
        assert!(check_claims(&claims(good.clone()), "https://i", "a", 870, 30).is_ok());
        assert!(check_claims(&claims(good.clone()), "https://i", "a", 869, 30).is_err());
        assert!(check_claims(&claims(good.clone()), "https://other", "a", 950, 30).is_err());
        assert!(check_claims(&claims(good), "https://i", "b", 950, 30).is_err());
        let single = serde_json::json!({"iss": "https://i", "aud": "a", "exp": 1_000});
        assert!(check_claims(&claims(single), "https://i", "a", 950, 30).is_ok());
        let no_exp = serde_json::json!({"iss": "https://i", "aud": "a"});
        assert!(check_claims(&claims(no_exp), "https://i", "a", 950, 30).is_err());
        let no_aud = serde_json::json!({"iss": "https://i", "exp": 1_000});
        assert!(check_claims(&claims(no_aud), "https://i", "a", 950, 30).is_err());
    }

    #[test]
    fn a_minted_signing_input_reads_back() {
        let input = signing_input("k", &serde_json::json!({"exp": 5}));
        let token = assemble(&input, b"sig");
        let parts = split(&token).expect("reads back");
        assert_eq!(parts.signing_input, input);
        assert_eq!(parts.header.kid.as_deref(), Some("k"));
    }
}
