//! Who is calling: the Cloudflare Access JWT, checked on every API call.
//!
//! Production tokens are RS256-signed by Cloudflare Access and checked against
//! the team's JWKS (`<issuer>/cdn-cgi/access/certs`). Local development mints
//! tokens with a dev key and checks them with the very same code against a
//! one-key set. Signatures are the runtime's WebCrypto's (`crate::jwt`); a
//! verified token is remembered by the isolate until it expires.

use std::cell::RefCell;
use std::collections::HashMap;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::jwt::{self, subtle};
use worker::{Fetch, Request, Url};

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
/// How long fetched keys are used when the JWKS answer names no `max-age`.
pub const JWKS_DEFAULT_LIFETIME_MS: i64 = 60 * 60 * 1000;
/// The longest a fetched key set is used, whatever its `max-age` says.
pub const JWKS_MAX_LIFETIME_MS: i64 = 24 * 60 * 60 * 1000;
/// Clock skew tolerated on `exp` and `nbf`.
const LEEWAY_SECONDS: i64 = 30;
/// Verified tokens an isolate remembers at most.
const VERIFIED_CACHE: usize = 4_096;

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

/// The local signing key pair (base64 DER in the variables: PKCS#8 for
/// the private key, SubjectPublicKeyInfo for the public one).
pub struct DevKeys {
    private: Vec<u8>,
    public: Vec<u8>,
}

thread_local! {
    /// The dev keys as imported into WebCrypto, once per isolate.
    static DEV_SIGNING: RefCell<Option<subtle::Key>> = const { RefCell::new(None) };
    static DEV_VERIFYING: RefCell<Option<subtle::Key>> = const { RefCell::new(None) };
    /// Tokens verified by this isolate, with their claims.
    static VERIFIED: RefCell<HashMap<String, Claims>> = RefCell::new(HashMap::new());
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
        Ok(Self { private, public })
    }

    async fn signing_key(&self) -> Result<subtle::Key, AppError> {
        if let Some(key) = DEV_SIGNING.with(|k| k.borrow().clone()) {
            return Ok(key);
        }
        let key = subtle::pkcs8(&self.private)
            .await
            .map_err(|err| AppError::Misconfigured(format!("dev private key (PKCS#8): {err}")))?;
        DEV_SIGNING.with(|k| *k.borrow_mut() = Some(key.clone()));
        Ok(key)
    }

    /// Mints a short-lived token for `email`, as Cloudflare Access would.
    pub async fn mint(&self, email: &str, user_id: &str, now_ms: i64) -> Result<String, AppError> {
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
        let claims = serde_json::to_value(&claims)
            .map_err(|err| AppError::Internal(format!("minting a dev token: {err}")))?;
        let input = jwt::signing_input(DEV_KID, &claims);
        let signature = subtle::sign(&self.signing_key().await?, input.as_bytes())
            .await
            .map_err(|err| AppError::Internal(format!("minting a dev token: {err}")))?;
        Ok(jwt::assemble(&input, &signature))
    }
}

/// Where verification keys come from.
enum KeySource {
    /// The local dev key (SubjectPublicKeyInfo DER), under [`DEV_KID`].
    Dev(Vec<u8>),
    /// The issuer's JWKS, fetched and cached by key id.
    Jwks { certs_url: String },
}

/// Checks tokens: RS256 only, issuer and audience from configuration.
pub struct Verifier {
    issuer: String,
    audience: String,
    keys: KeySource,
}

/// Whether an unknown key id may trigger a JWKS fetch now.
pub fn may_refetch(last_fetch_ms: Option<i64>, now_ms: i64) -> bool {
    match last_fetch_ms {
        None => true,
        Some(last) => now_ms - last >= JWKS_REFETCH_MS || now_ms < last,
    }
}

/// How long the keys of a JWKS answer may be used, from its `Cache-Control`:
/// its `max-age`, at least one minute (fetches are one a minute at most) and
/// at most a day; an hour when it names none.
pub fn jwks_lifetime_ms(cache_control: Option<&str>) -> i64 {
    let mut max_age_ms = None;
    for directive in cache_control.unwrap_or_default().split(',') {
        let (name, value) = directive.split_once('=').unwrap_or((directive, ""));
        let name = name.trim();
        if name.eq_ignore_ascii_case("no-store") || name.eq_ignore_ascii_case("no-cache") {
            return JWKS_REFETCH_MS;
        }
        let value = value.trim().trim_matches('"');
        if name.eq_ignore_ascii_case("max-age")
            && max_age_ms.is_none()
            && !value.is_empty()
            && value.bytes().all(|b| b.is_ascii_digit())
        {
            let seconds = value.parse::<i64>().unwrap_or(i64::MAX);
            max_age_ms = Some(seconds.saturating_mul(1000));
        }
    }
    max_age_ms
        .unwrap_or(JWKS_DEFAULT_LIFETIME_MS)
        .clamp(JWKS_REFETCH_MS, JWKS_MAX_LIFETIME_MS)
}

/// What to do with a token's key id, as [`JwksCache::lookup`] decides.
#[derive(Debug, PartialEq, Eq)]
pub enum KeyLookup<K> {
    /// Check the token with this key.
    Use(K),
    /// Fetch the key set first (and call [`JwksCache::refresh_started`]).
    Refresh,
    /// The key id is not in the key set as of the last fetch, and the next
    /// fetch is not allowed before `retry_at_ms`.
    Unknown { retry_at_ms: i64 },
    /// There is no usable key set: it expired (or was never fetched) and
    /// the last fetch failed or is still under way.
    Expired { retry_at_ms: i64 },
}

/// What the isolate remembers of the issuer's JWKS, and when to fetch it
/// again. Time is passed in; nothing here reads a clock.
///
/// Fetches happen at most once a minute, for whatever reason. A key id
/// missing from the last key set is refused until the next fetch is allowed
/// and may then trigger it: any number of made-up key ids cost one fetch a
/// minute and cannot keep a newly published key out for longer than that.
/// Keys expire with the answer's `max-age`; the first use after that
/// fetches again.
#[derive(Debug)]
pub struct JwksCache<K> {
    keys: HashMap<String, K>,
    /// When the keys stop being used (epoch ms); none before the first fetch.
    expires_at_ms: Option<i64>,
    /// When the last fetch started, whether or not it succeeded.
    last_attempt_ms: Option<i64>,
}

impl<K> Default for JwksCache<K> {
    fn default() -> Self {
        Self {
            keys: HashMap::new(),
            expires_at_ms: None,
            last_attempt_ms: None,
        }
    }
}

impl<K: Clone> JwksCache<K> {
    /// What to do with `kid` at `now_ms`.
    pub fn lookup(&self, kid: &str, now_ms: i64) -> KeyLookup<K> {
        let may_fetch = may_refetch(self.last_attempt_ms, now_ms);
        let retry_at_ms = self.last_attempt_ms.unwrap_or(now_ms) + JWKS_REFETCH_MS;
        let Some(expires_at_ms) = self.expires_at_ms else {
            return if may_fetch {
                KeyLookup::Refresh
            } else {
                KeyLookup::Expired { retry_at_ms }
            };
        };
        match self.keys.get(kid) {
            Some(key) if now_ms < expires_at_ms => KeyLookup::Use(key.clone()),
            _ if may_fetch => KeyLookup::Refresh,
            // Just expired, and a fetch started less than a minute ago: it
            // may still be under way for a concurrent request, so the old
            // keys serve for that minute rather than refusing everyone.
            Some(key) if now_ms < expires_at_ms.saturating_add(JWKS_REFETCH_MS) => {
                KeyLookup::Use(key.clone())
            }
            Some(_) => KeyLookup::Expired { retry_at_ms },
            None => KeyLookup::Unknown { retry_at_ms },
        }
    }

    /// Records that a fetch starts now (it counts even if it fails).
    pub fn refresh_started(&mut self, now_ms: i64) {
        self.last_attempt_ms = Some(now_ms);
    }

    /// Replaces the keys with a freshly fetched set, used for `lifetime_ms`.
    pub fn refreshed(&mut self, keys: HashMap<String, K>, lifetime_ms: i64, now_ms: i64) {
        self.keys = keys;
        self.expires_at_ms = Some(now_ms.saturating_add(lifetime_ms));
    }
}

thread_local! {
    // Workers run one thread per isolate; the cache lives as long as it.
    static JWKS: RefCell<JwksCache<subtle::Key>> = RefCell::new(JwksCache::default());
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
            keys: KeySource::Dev(keys.public.clone()),
        }
    }

    /// Where the browser ends its Access session, or `None` locally.
    pub fn sign_out_url(&self) -> Option<String> {
        match self.keys {
            KeySource::Dev(_) => None,
            KeySource::Jwks { .. } => Some(format!("{}/cdn-cgi/access/logout", self.issuer)),
        }
    }

    async fn key(&self, kid: &str, now_ms: i64) -> Result<subtle::Key, AppError> {
        let certs_url = match &self.keys {
            KeySource::Dev(der) if kid == DEV_KID => {
                if let Some(key) = DEV_VERIFYING.with(|k| k.borrow().clone()) {
                    return Ok(key);
                }
                let key = subtle::spki(der).await.map_err(|err| {
                    AppError::Misconfigured(format!("dev public key (SubjectPublicKeyInfo): {err}"))
                })?;
                DEV_VERIFYING.with(|k| *k.borrow_mut() = Some(key.clone()));
                return Ok(key);
            }
            KeySource::Dev(_) => return Err(unauthenticated(format!("unknown key id {kid:?}"))),
            KeySource::Jwks { certs_url } => certs_url,
        };
        let lookup = JWKS.with(|cache| {
            let mut cache = cache.borrow_mut();
            let lookup = cache.lookup(kid, now_ms);
            if matches!(lookup, KeyLookup::Refresh) {
                cache.refresh_started(now_ms);
            }
            lookup
        });
        match lookup {
            KeyLookup::Use(key) => return Ok(key),
            KeyLookup::Refresh => {}
            KeyLookup::Unknown { retry_at_ms } => {
                return Err(unauthenticated(format!(
                    "unknown key id {kid:?} (the JWKS is fetched again from {retry_at_ms})"
                )))
            }
            KeyLookup::Expired { retry_at_ms } => {
                return Err(unauthenticated(format!(
                    "no usable JWKS: the last fetch failed or is under way (next try from {retry_at_ms})"
                )))
            }
        }
        let (keys, lifetime_ms) = fetch_jwks(certs_url).await?;
        JWKS.with(|cache| {
            let mut cache = cache.borrow_mut();
            cache.refreshed(keys, lifetime_ms, now_ms);
            match cache.lookup(kid, now_ms) {
                KeyLookup::Use(key) => Ok(key),
                _ => Err(unauthenticated(format!(
                    "unknown key id {kid:?} (not in the JWKS just fetched)"
                ))),
            }
        })
    }

    fn check(&self, claims: &Claims, now_ms: i64) -> Result<(), AppError> {
        let registered = jwt::Registered {
            iss: Some(claims.iss.clone()),
            aud: Some(claims.aud.clone()),
            exp: Some(claims.exp),
            nbf: claims.nbf,
        };
        jwt::check_claims(
            &registered,
            &self.issuer,
            &self.audience,
            now_ms.div_euclid(1000),
            LEEWAY_SECONDS,
        )
        .map_err(|why| unauthenticated(format!("token refused: {why}")))
    }

    /// Verifies `token` and returns its claims; every failure is a 401. A
    /// token this isolate verified before is not verified again until it
    /// expires (its times, issuer and audience are checked each call).
    pub async fn verify(&self, token: &str, now_ms: i64) -> Result<Claims, AppError> {
        let cache_key = format!("{}\n{}\n{token}", self.issuer, self.audience);
        if let Some(claims) = VERIFIED.with(|v| v.borrow().get(&cache_key).cloned()) {
            self.check(&claims, now_ms)?;
            return Ok(claims);
        }
        let parts = jwt::split(token).map_err(unauthenticated)?;
        let kid = parts.header.kid.clone().unwrap_or_default();
        let key = self.key(&kid, now_ms).await?;
        let genuine = subtle::verify(&key, &parts.signature, parts.signing_input.as_bytes())
            .await
            .map_err(|err| unauthenticated(format!("token refused: {err}")))?;
        if !genuine {
            return Err(unauthenticated(
                "token refused: the signature does not match",
            ));
        }
        let claims: Claims = serde_json::from_slice(&parts.payload)
            .map_err(|err| unauthenticated(format!("token refused: unreadable claims: {err}")))?;
        self.check(&claims, now_ms)?;
        VERIFIED.with(|v| {
            let mut v = v.borrow_mut();
            if v.len() >= VERIFIED_CACHE {
                let now = now_ms.div_euclid(1000);
                v.retain(|_, c| c.exp > now);
                if v.len() >= VERIFIED_CACHE {
                    v.clear();
                }
            }
            v.insert(cache_key, claims.clone());
        });
        Ok(claims)
    }
}

/// One key of a JWKS: RSA keys for signing with RS256 are used.
#[derive(Debug, Deserialize)]
struct Jwk {
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    kty: String,
    #[serde(default)]
    alg: Option<String>,
    #[serde(default, rename = "use")]
    usage: Option<String>,
    #[serde(default)]
    n: Option<String>,
    #[serde(default)]
    e: Option<String>,
}

#[derive(Debug, Deserialize)]
struct JwkSet {
    keys: Vec<Jwk>,
}

/// The issuer's keys by key id, and how long they may be used.
async fn fetch_jwks(certs_url: &str) -> Result<(HashMap<String, subtle::Key>, i64), AppError> {
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
    let lifetime_ms = jwks_lifetime_ms(response.headers().get("Cache-Control")?.as_deref());
    let set: JwkSet = response
        .json()
        .await
        .map_err(|err| unauthenticated(format!("JWKS unreadable: {err}")))?;
    let mut keys = HashMap::new();
    for jwk in set.keys {
        let usable = jwk.kty == "RSA"
            && jwk.alg.as_deref().is_none_or(|a| a == jwt::RS256)
            && jwk.usage.as_deref().is_none_or(|u| u == "sig");
        if let (true, Some(kid), Some(n), Some(e)) = (usable, jwk.kid, jwk.n, jwk.e) {
            // A key the runtime cannot import is skipped, as one of another kind.
            if let Ok(key) = subtle::rsa_jwk(&n, &e).await {
                keys.insert(kid, key);
            }
        }
    }
    Ok((keys, lifetime_ms))
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
    db: &crate::store::d1::Edge,
    now_ms: i64,
) -> Result<lockbox_shared::roles::Principal, AppError> {
    let identity = identity(req, verifier, now_ms).await?;
    let principal = crate::store::people::principal(db, &identity).await?;
    known(principal, identity)
}

/// [`authenticate`], and the rows of `then` (written in terms of the
/// caller's identity, see [`identity`]), in one database round trip.
pub async fn authenticate_and<T: serde::de::DeserializeOwned>(
    req: &Request,
    verifier: &Result<Verifier, String>,
    db: &crate::store::d1::Edge,
    now_ms: i64,
    then: impl FnOnce(&str) -> crate::store::Statement,
) -> Result<(lockbox_shared::roles::Principal, Vec<T>), AppError> {
    let identity = identity(req, verifier, now_ms).await?;
    let (principal, rows) =
        crate::store::people::principal_and(db, &identity, then(&identity)).await?;
    Ok((known(principal, identity)?, rows))
}

/// [`authenticate_and`] with any number of queries, their rows as JSON
/// (for `store::db::decode`).
pub async fn authenticate_and_all(
    req: &Request,
    verifier: &Result<Verifier, String>,
    db: &crate::store::d1::Edge,
    now_ms: i64,
    then: impl FnOnce(&str) -> Vec<crate::store::Statement>,
) -> Result<
    (
        lockbox_shared::roles::Principal,
        Vec<Vec<serde_json::Value>>,
    ),
    AppError,
> {
    let identity = identity(req, verifier, now_ms).await?;
    let (principal, sets) =
        crate::store::people::principal_and_all(db, &identity, then(&identity)).await?;
    Ok((known(principal, identity)?, sets))
}

/// [`authenticate_and`] with two more queries.
pub async fn authenticate_and_two<A, B>(
    req: &Request,
    verifier: &Result<Verifier, String>,
    db: &crate::store::d1::Edge,
    now_ms: i64,
    then: impl FnOnce(&str) -> (crate::store::Statement, crate::store::Statement),
) -> Result<(lockbox_shared::roles::Principal, Vec<A>, Vec<B>), AppError>
where
    A: serde::de::DeserializeOwned,
    B: serde::de::DeserializeOwned,
{
    let identity = identity(req, verifier, now_ms).await?;
    let (principal, a, b) =
        crate::store::people::principal_and_two(db, &identity, then(&identity)).await?;
    Ok((known(principal, identity)?, a, b))
}

/// The e-mail (or service token id) of a verified token.
async fn identity(
    req: &Request,
    verifier: &Result<Verifier, String>,
    now_ms: i64,
) -> Result<String, AppError> {
    let verifier = verifier
        .as_ref()
        .map_err(|why| AppError::Misconfigured(why.clone()))?;
    let token = token_of(req).ok_or_else(|| unauthenticated("no token"))?;
    let claims = verifier.verify(&token, now_ms).await?;
    claims
        .identity()
        .map(str::to_owned)
        .ok_or_else(|| unauthenticated("token names no e-mail or service token"))
}

fn known(
    principal: Option<lockbox_shared::roles::Principal>,
    identity: String,
) -> Result<lockbox_shared::roles::Principal, AppError> {
    principal.ok_or(AppError::UnknownPerson { identity })
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

    const MINUTE: i64 = JWKS_REFETCH_MS;
    const HOUR: i64 = 60 * MINUTE;

    /// A cache that fetched `kids` at `at` for `lifetime`.
    fn fetched(kids: &[&'static str], at: i64, lifetime: i64) -> JwksCache<&'static str> {
        let mut cache = JwksCache::default();
        cache.refresh_started(at);
        cache.refreshed(
            kids.iter().map(|k| (k.to_string(), *k)).collect(),
            lifetime,
            at,
        );
        cache
    }

    #[test]
    fn the_first_lookup_fetches_the_key_set() {
        let cache = JwksCache::<&str>::default();
        assert_eq!(cache.lookup("a", 1_000), KeyLookup::Refresh);
    }

    #[test]
    fn a_known_key_is_used_without_fetching_until_it_expires() {
        let cache = fetched(&["a"], 0, HOUR);
        assert_eq!(cache.lookup("a", 1), KeyLookup::Use("a"));
        assert_eq!(cache.lookup("a", HOUR - 1), KeyLookup::Use("a"));
        assert_eq!(cache.lookup("a", HOUR), KeyLookup::Refresh);
    }

    #[test]
    fn a_refresh_drops_keys_the_issuer_no_longer_publishes() {
        let mut cache = fetched(&["old"], 0, HOUR);
        cache.refresh_started(HOUR);
        cache.refreshed([("new".to_string(), "new")].into(), HOUR, HOUR);
        assert_eq!(cache.lookup("new", HOUR + 1), KeyLookup::Use("new"));
        assert!(matches!(
            cache.lookup("old", HOUR + 1),
            KeyLookup::Unknown { .. }
        ));
    }

    #[test]
    fn an_unknown_key_id_fetches_at_most_once_a_minute() {
        let cache = fetched(&["a"], 0, HOUR);
        assert_eq!(
            cache.lookup("junk", MINUTE - 1),
            KeyLookup::Unknown {
                retry_at_ms: MINUTE
            }
        );
        assert_eq!(cache.lookup("junk", MINUTE), KeyLookup::Refresh);
    }

    #[test]
    fn a_key_id_still_unknown_after_a_refresh_is_refused_until_the_next_allowed_refresh() {
        let mut cache = fetched(&["a"], 0, HOUR);
        let at = 5 * MINUTE;
        assert_eq!(cache.lookup("b", at), KeyLookup::Refresh);
        cache.refresh_started(at);
        cache.refreshed([("a".to_string(), "a")].into(), HOUR, at);
        for later in [at, at + 1, at + MINUTE - 1] {
            assert_eq!(
                cache.lookup("b", later),
                KeyLookup::Unknown {
                    retry_at_ms: at + MINUTE
                }
            );
        }
        assert_eq!(cache.lookup("b", at + MINUTE), KeyLookup::Refresh);
    }

    #[test]
    fn a_stream_of_junk_key_ids_does_not_keep_a_rotated_key_out_for_more_than_a_minute() {
        let mut cache = fetched(&["old"], 0, HOUR);
        let mut published = vec![("old".to_string(), "old")];
        let mut fetches = 0;
        let mut new_key_used_at = None;
        // A junk key id every second; the issuer publishes "new" at 10 min
        // and the first token signed with it arrives at 10 min 1 s.
        for second in 1..=20 * 60 {
            let now = second * 1000;
            if now == 10 * MINUTE {
                published.push(("new".to_string(), "new"));
            }
            for kid in [format!("junk-{second}"), "new".to_owned()] {
                if kid == "new" && now <= 10 * MINUTE {
                    continue;
                }
                match cache.lookup(&kid, now) {
                    KeyLookup::Refresh => {
                        fetches += 1;
                        cache.refresh_started(now);
                        cache.refreshed(published.iter().cloned().collect(), HOUR, now);
                    }
                    KeyLookup::Use("new") => {
                        new_key_used_at.get_or_insert(now);
                    }
                    _ => {}
                }
            }
        }
        assert!(fetches <= 20, "{fetches} fetches in 20 minutes");
        let used_at = new_key_used_at.unwrap_or(i64::MAX);
        assert!(
            used_at <= 10 * MINUTE + MINUTE,
            "the new key was first used at {used_at} ms"
        );
    }

    #[test]
    fn expired_keys_stay_usable_for_a_minute_while_a_refresh_is_under_way() {
        let mut cache = fetched(&["a"], 0, HOUR);
        assert_eq!(cache.lookup("a", HOUR), KeyLookup::Refresh);
        cache.refresh_started(HOUR);
        // A concurrent request while that fetch runs, or after it failed.
        assert_eq!(cache.lookup("a", HOUR + 1), KeyLookup::Use("a"));
        assert_eq!(cache.lookup("a", HOUR + MINUTE - 1), KeyLookup::Use("a"));
    }

    #[test]
    fn expired_keys_are_refused_when_the_key_set_cannot_be_fetched_again() {
        let mut cache = fetched(&["a"], 0, HOUR);
        cache.refresh_started(HOUR);
        // That fetch failed; a minute later the next one is due...
        assert_eq!(cache.lookup("a", HOUR + MINUTE), KeyLookup::Refresh);
        cache.refresh_started(HOUR + MINUTE);
        // ...and fails too: the old keys are not used any longer.
        assert_eq!(
            cache.lookup("a", HOUR + MINUTE + 1),
            KeyLookup::Expired {
                retry_at_ms: HOUR + 2 * MINUTE
            }
        );
    }

    #[test]
    fn a_failed_first_fetch_is_retried_at_most_once_a_minute() {
        let mut cache = JwksCache::<&str>::default();
        cache.refresh_started(1_000);
        assert!(matches!(
            cache.lookup("a", 1_000 + MINUTE - 1),
            KeyLookup::Expired { .. }
        ));
        assert_eq!(cache.lookup("a", 1_000 + MINUTE), KeyLookup::Refresh);
    }

    #[test]
    fn the_key_set_lives_as_long_as_its_max_age_says() {
        assert_eq!(jwks_lifetime_ms(Some("public, max-age=600")), 600_000);
        assert_eq!(
            jwks_lifetime_ms(Some("Max-Age=\"7200\", must-revalidate")),
            2 * HOUR
        );
    }

    #[test]
    fn a_key_set_without_a_max_age_lives_an_hour() {
        assert_eq!(jwks_lifetime_ms(None), HOUR);
        assert_eq!(jwks_lifetime_ms(Some("public")), HOUR);
        assert_eq!(jwks_lifetime_ms(Some("max-age=soon")), HOUR);
        assert_eq!(jwks_lifetime_ms(Some("max-age=-5")), HOUR);
    }

    #[test]
    fn a_key_set_lives_at_most_a_day() {
        assert_eq!(jwks_lifetime_ms(Some("max-age=604800")), 24 * HOUR);
        assert_eq!(
            jwks_lifetime_ms(Some("max-age=99999999999999999999999")),
            24 * HOUR
        );
    }

    #[test]
    fn a_key_set_that_must_not_be_cached_still_lives_the_minute_between_fetches() {
        assert_eq!(jwks_lifetime_ms(Some("max-age=0")), MINUTE);
        assert_eq!(jwks_lifetime_ms(Some("no-store")), MINUTE);
        assert_eq!(jwks_lifetime_ms(Some("no-cache, max-age=3600")), MINUTE);
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
