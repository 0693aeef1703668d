//! Who is calling: the Cloudflare Access JWT, checked on every API call.
//!
//! Production tokens are RS256-signed by Cloudflare Access and checked against
//! the team's JWKS (`<issuer>/cdn-cgi/access/certs`). Local development mints
//! tokens with a dev key and checks them with the very same code against a
//! one-key set.

use std::cell::RefCell;
use std::collections::HashMap;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use worker::{D1Database, Fetch, Request, Url};

use crate::error::AppError;

/// The header Cloudflare Access adds to every request it lets through.
pub const ASSERTION_HEADER: &str = "Cf-Access-Jwt-Assertion";
/// The cookie Cloudflare Access sets in the browser.
pub const COOKIE_NAME: &str = "CF_Authorization";
/// Issuer of locally minted tokens.
pub const DEV_ISSUER: &str = "https://dev-sign-in.lockbox.invalid";
/// Audience of locally minted tokens.
pub const DEV_AUDIENCE: &str = "lockbox-local-dev";
/// Key id of the local signing key.
pub const DEV_KID: &str = "lockbox-dev";
/// How long a locally minted token lives.
pub const DEV_TOKEN_SECONDS: i64 = 60 * 60;
/// At most one JWKS fetch a minute, however many unknown key ids arrive.
pub const JWKS_REFETCH_MS: i64 = 60_000;
/// Clock skew tolerated on `exp` and `nbf`.
const LEEWAY_SECONDS: u64 = 30;

/// The claims Lockbox reads from an Access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// The person's e-mail (absent for service tokens).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// A service token's client id (absent for people).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub common_name: Option<String>,
    /// Subject.
    #[serde(default)]
    pub sub: String,
    /// Issuer.
    pub iss: String,
    /// Audience: Access sends a list; a single string is also valid JWT.
    pub aud: serde_json::Value,
    /// Expiry (seconds since the epoch).
    pub exp: i64,
    /// Not before (seconds since the epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// Issued at (seconds since the epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
}

impl Claims {
    /// The identity Lockbox knows the caller by: the e-mail of a person, or
    /// the client id of a service token.
    pub fn identity(&self) -> Option<&str> {
        self.email
            .as_deref()
            .or(self.common_name.as_deref())
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }
}

/// The local signing key pair (PKCS#1 DER, base64 in the variables).
pub struct DevKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl DevKeys {
    /// Reads the pair from the dev-only variables.
    pub fn from_base64_der(private: &str, public: &str) -> Result<Self, String> {
        let private = STANDARD
            .decode(private.trim())
            .map_err(|e| format!("private key is not base64: {e}"))?;
        let public = STANDARD
            .decode(public.trim())
            .map_err(|e| format!("public key is not base64: {e}"))?;
        Ok(Self {
            encoding: EncodingKey::from_rsa_der(&private),
            decoding: DecodingKey::from_rsa_der(&public),
        })
    }

    /// Mints a short-lived token for `email`, as Cloudflare Access would.
    pub fn mint(&self, email: &str, user_id: &str, now_ms: i64) -> Result<String, AppError> {
        let now = now_ms / 1000;
        let claims = Claims {
            email: Some(email.to_owned()),
            common_name: None,
            sub: user_id.to_owned(),
            iss: DEV_ISSUER.to_owned(),
            aud: serde_json::json!([DEV_AUDIENCE]),
            exp: now + DEV_TOKEN_SECONDS,
            nbf: Some(now),
            iat: Some(now),
        };
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(DEV_KID.to_owned());
        jsonwebtoken::encode(&header, &claims, &self.encoding)
            .map_err(|err| AppError::Internal(format!("minting a dev token: {err}")))
    }
}

/// Where verification keys come from.
enum KeySource {
    /// The local dev key, under [`DEV_KID`].
    Dev(DecodingKey),
    /// The issuer's JWKS, fetched and cached by key id.
    Jwks { certs_url: String },
}

/// Checks tokens: RS256 only, issuer and audience from configuration.
pub struct Verifier {
    issuer: String,
    audience: String,
    keys: KeySource,
}

/// What the isolate remembers of the issuer's JWKS between requests.
#[derive(Default)]
struct JwksCache {
    keys: HashMap<String, DecodingKey>,
    last_fetch_ms: Option<i64>,
}

/// Whether an unknown key id may trigger a JWKS fetch now.
pub fn may_refetch(last_fetch_ms: Option<i64>, now_ms: i64) -> bool {
    match last_fetch_ms {
        None => true,
        Some(last) => now_ms - last >= JWKS_REFETCH_MS || now_ms < last,
    }
}

thread_local! {
    // Workers run one thread per isolate; the cache lives as long as it.
    static JWKS: RefCell<JwksCache> = RefCell::new(JwksCache::default());
}

fn unauthenticated(reason: impl Into<String>) -> AppError {
    AppError::Unauthenticated {
        reason: reason.into(),
    }
}

impl Verifier {
    /// Checks Cloudflare Access tokens of `issuer` (the team domain, e.g.
    /// `https://acme.cloudflareaccess.com`) for the application `audience`.
    pub fn access(issuer: String, audience: String) -> Self {
        let issuer = issuer.trim_end_matches('/').to_owned();
        let certs_url = format!("{issuer}/cdn-cgi/access/certs");
        Self {
            issuer,
            audience,
            keys: KeySource::Jwks { certs_url },
        }
    }

    /// Checks locally minted tokens.
    pub fn dev(keys: &DevKeys) -> Self {
        Self {
            issuer: DEV_ISSUER.to_owned(),
            audience: DEV_AUDIENCE.to_owned(),
            keys: KeySource::Dev(keys.decoding.clone()),
        }
    }

    /// Where the browser ends its Access session, or `None` locally.
    pub fn sign_out_url(&self) -> Option<String> {
        match self.keys {
            KeySource::Dev(_) => None,
            KeySource::Jwks { .. } => Some(format!("{}/cdn-cgi/access/logout", self.issuer)),
        }
    }

    async fn key(&self, kid: &str, now_ms: i64) -> Result<DecodingKey, AppError> {
        let certs_url = match &self.keys {
            KeySource::Dev(key) if kid == DEV_KID => return Ok(key.clone()),
            KeySource::Dev(_) => return Err(unauthenticated(format!("unknown key id {kid:?}"))),
            KeySource::Jwks { certs_url } => certs_url,
        };
        let (cached, fetch) = JWKS.with(|cache| {
            let mut cache = cache.borrow_mut();
            let cached = cache.keys.get(kid).cloned();
            let fetch = cached.is_none() && may_refetch(cache.last_fetch_ms, now_ms);
            if fetch {
                cache.last_fetch_ms = Some(now_ms);
            }
            (cached, fetch)
        });
        if let Some(key) = cached {
            return Ok(key);
        }
        if !fetch {
            return Err(unauthenticated(format!(
                "unknown key id {kid:?} (JWKS fetched less than a minute ago)"
            )));
        }
        let keys = fetch_jwks(certs_url).await?;
        JWKS.with(|cache| cache.borrow_mut().keys = keys);
        JWKS.with(|cache| cache.borrow().keys.get(kid).cloned())
            .ok_or_else(|| unauthenticated(format!("unknown key id {kid:?}")))
    }

    /// Verifies `token` and returns its claims; every failure is a 401.
    pub async fn verify(&self, token: &str, now_ms: i64) -> Result<Claims, AppError> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|err| unauthenticated(format!("unreadable token header: {err}")))?;
        if header.alg != Algorithm::RS256 {
            return Err(unauthenticated(format!(
                "algorithm {:?} refused (RS256 only)",
                header.alg
            )));
        }
        let kid = header
            .kid
            .ok_or_else(|| unauthenticated("token has no key id"))?;
        let key = self.key(&kid, now_ms).await?;

        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECONDS;
        let data = jsonwebtoken::decode::<Claims>(token, &key, &validation)
            .map_err(|err| unauthenticated(format!("token refused: {err}")))?;
        Ok(data.claims)
    }
}

async fn fetch_jwks(certs_url: &str) -> Result<HashMap<String, DecodingKey>, AppError> {
    let url = Url::parse(certs_url)
        .map_err(|err| AppError::Misconfigured(format!("JWKS URL {certs_url}: {err}")))?;
    let mut response = Fetch::Url(url)
        .send()
        .await
        .map_err(|err| unauthenticated(format!("JWKS fetch failed: {err}")))?;
    if response.status_code() != 200 {
        return Err(unauthenticated(format!(
            "JWKS fetch answered {}",
            response.status_code()
        )));
    }
    let set: JwkSet = response
        .json()
        .await
        .map_err(|err| unauthenticated(format!("JWKS unreadable: {err}")))?;
    Ok(set
        .keys
        .iter()
        .filter_map(|jwk| {
            let kid = jwk.common.key_id.clone()?;
            DecodingKey::from_jwk(jwk).ok().map(|key| (kid, key))
        })
        .collect())
}

/// The token of a request: the Access header first, else the cookie.
pub fn token_of(req: &Request) -> Option<String> {
    if let Ok(Some(value)) = req.headers().get(ASSERTION_HEADER) {
        let value = value.trim().to_owned();
        if !value.is_empty() {
            return Some(value);
        }
    }
    let cookies = req.headers().get("Cookie").ok().flatten()?;
    cookie_value(&cookies, COOKIE_NAME)
}

/// The value of cookie `name` in a `Cookie` header.
pub fn cookie_value(header: &str, name: &str) -> Option<String> {
    header.split(';').find_map(|pair| {
        let (key, value) = pair.trim().split_once('=')?;
        (key == name && !value.is_empty()).then(|| value.to_owned())
    })
}

/// The `Set-Cookie` value that stores a token for the whole site.
pub fn session_cookie(token: &str, max_age_seconds: i64) -> String {
    format!("{COOKIE_NAME}={token}; Path=/; Max-Age={max_age_seconds}; HttpOnly; Secure; SameSite=Strict")
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn cleared_cookie() -> String {
    format!("{COOKIE_NAME}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict")
}

/// Who is calling: a verified token, resolved to a person Lockbox knows.
/// `verifier` is the configured one, or why there is none.
pub async fn authenticate(
    req: &Request,
    verifier: &Result<Verifier, String>,
    db: &D1Database,
    now_ms: i64,
) -> Result<lockbox_shared::roles::Principal, AppError> {
    let verifier = verifier
        .as_ref()
        .map_err(|why| AppError::Misconfigured(why.clone()))?;
    let token = token_of(req).ok_or_else(|| unauthenticated("no token"))?;
    let claims = verifier.verify(&token, now_ms).await?;
    let identity = claims
        .identity()
        .ok_or_else(|| unauthenticated("token names no e-mail or service token"))?;
    crate::store::people::principal(db, identity)
        .await?
        .ok_or_else(|| AppError::UnknownPerson {
            identity: identity.to_owned(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_unknown_key_id_always_fetches() {
        assert!(may_refetch(None, 1_000));
    }

    #[test]
    fn unknown_key_ids_fetch_at_most_once_a_minute() {
        assert!(!may_refetch(Some(1_000), 1_000));
        assert!(!may_refetch(Some(1_000), 1_000 + JWKS_REFETCH_MS - 1));
        assert!(may_refetch(Some(1_000), 1_000 + JWKS_REFETCH_MS));
    }

    #[test]
    fn a_clock_that_went_backwards_does_not_block_fetching_forever() {
        assert!(may_refetch(Some(10_000_000), 1_000));
    }

    #[test]
    fn the_cookie_is_found_among_others() {
        let header = "theme=dark; CF_Authorization=abc.def.ghi; other=1";
        assert_eq!(
            cookie_value(header, COOKIE_NAME).as_deref(),
            Some("abc.def.ghi")
        );
        assert_eq!(cookie_value("CF_Authorization=", COOKIE_NAME), None);
        assert_eq!(cookie_value("XCF_Authorization=a", COOKIE_NAME), None);
    }

    #[test]
    fn a_service_token_is_known_by_its_client_id() {
        let claims = Claims {
            email: None,
            common_name: Some("client-id.access".into()),
            sub: String::new(),
            iss: "i".into(),
            aud: serde_json::Value::Null,
            exp: 0,
            nbf: None,
            iat: None,
        };
        assert_eq!(claims.identity(), Some("client-id.access"));
    }
}
