//! The Worker: routes, the engineer's sign-in, Lockbox's published keys,
//! the content database (D1 `CONTENT`) and the way to Lockbox (the service
//! binding `LOCKBOX`, or plain HTTP to `LOCKBOX_URL`).

use std::cell::RefCell;
use std::time::Duration;

use futures_util::future::{select, Either};
use lockbox_provider::assertion::ServiceKey;
use lockbox_provider::grant::Verifier;
use lockbox_provider::jwks::Jwks;
use lockbox_provider::recorder::{Recorder, Transport};
use serde_json::Value;
use wasm_bindgen::JsValue;
use worker::{
    event, Context, D1Database, Date, Delay, Env, Fetch, Fetcher, Headers, Method, Request,
    RequestInit, Response,
};

use crate::content::Statement;
use crate::gate::{self, Call, Problem, Store, GRANT_HEADER};

/// How long Lockbox may take to answer one attempt.
const LOCKBOX_TIMEOUT: Duration = Duration::from_secs(5);
/// How long Lockbox's published keys are used before they are fetched again.
const KEYS_LIFETIME_MS: f64 = 5.0 * 60_000.0;
/// Clock skew tolerated on the engineer's sign-in token.
const LEEWAY_SECONDS: u64 = 30;
/// The local sign-in's issuer and audience (Lockbox's `make dev`).
const DEV_ISSUER: &str = "https://dev-sign-in.lockbox.invalid";
const DEV_AUDIENCE: &str = "lockbox-local-dev";

thread_local! {
    /// Lockbox's grant-token keys and when they were fetched.
    static KEYS: RefCell<Option<(Jwks, f64)>> = const { RefCell::new(None) };
    /// The Access team's signing keys and when they were fetched.
    static ACCESS_KEYS: RefCell<Option<(jsonwebtoken::jwk::JwkSet, f64)>> = const { RefCell::new(None) };
    /// Sign-in tokens verified already: the engineer's e-mail and the
    /// token's expiry (seconds), until it expires (RS256 is slow in wasm).
    static SIGNED_IN: RefCell<std::collections::HashMap<String, (String, i64)>> = RefCell::new(std::collections::HashMap::new());
}

/// Verified sign-in tokens an isolate remembers at most.
const SIGNED_IN_CACHE: usize = 1_024;

fn var(env: &Env, name: &str) -> Option<String> {
    env.secret(name)
        .map(|s| s.to_string())
        .ok()
        .or_else(|| env.var(name).map(|v| v.to_string()).ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

fn problem(p: &Problem) -> worker::Result<Response> {
    let headers = Headers::new();
    headers.set("Content-Type", "application/problem+json")?;
    headers.set("Cache-Control", "no-store")?;
    Ok(Response::ok(p.body())?
        .with_status(p.status)
        .with_headers(headers))
}

fn misconfigured(what: String) -> Problem {
    Problem::new(
        500,
        "Service misconfigured",
        format!("{what}; see sample-provider/wrangler.toml."),
    )
}

/// How the service reaches Lockbox.
enum Way {
    Binding(Fetcher),
    Http(String),
}

struct Lockbox {
    way: Way,
}

impl Lockbox {
    fn of(env: &Env) -> Result<Self, Problem> {
        if let Some(url) = var(env, "LOCKBOX_URL") {
            return Ok(Self {
                way: Way::Http(url.trim_end_matches('/').to_owned()),
            });
        }
        env.service("LOCKBOX")
            .map(|f| Self {
                way: Way::Binding(f),
            })
            .map_err(|_| misconfigured("Neither the LOCKBOX binding nor LOCKBOX_URL is set".into()))
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        headers: Headers,
        body: Option<String>,
    ) -> Result<(u16, String), String> {
        let mut init = RequestInit::new();
        init.with_method(method).with_headers(headers);
        if let Some(body) = body {
            init.with_body(Some(JsValue::from_str(&body)));
        }
        let url = match &self.way {
            Way::Binding(_) => format!("https://lockbox.internal{path}"),
            Way::Http(base) => format!("{base}{path}"),
        };
        let request = Request::new_with_init(&url, &init).map_err(|e| e.to_string())?;
        let fetch = async {
            let mut response = match &self.way {
                Way::Binding(f) => f.fetch_request(request).await,
                Way::Http(_) => Fetch::Request(request).send().await,
            }
            .map_err(|e| e.to_string())?;
            let text = response.text().await.map_err(|e| e.to_string())?;
            Ok::<_, String>((response.status_code(), text))
        };
        let timeout = Delay::from(LOCKBOX_TIMEOUT);
        match select(std::pin::pin!(fetch), timeout).await {
            Either::Left((answer, _)) => answer,
            Either::Right(_) => Err(format!("no answer within {} s", LOCKBOX_TIMEOUT.as_secs())),
        }
    }
}

impl Transport for &Lockbox {
    async fn post(&self, path: &str, bearer: &str, body: &str) -> Result<(u16, String), String> {
        let headers = Headers::new();
        headers
            .set("Authorization", &format!("Bearer {bearer}"))
            .map_err(|e| e.to_string())?;
        headers
            .set("Content-Type", "application/json")
            .map_err(|e| e.to_string())?;
        self.send(Method::Post, path, headers, Some(body.to_owned()))
            .await
    }

    async fn sleep(&self, ms: u64) {
        Delay::from(Duration::from_millis(ms)).await;
    }
}

/// Lockbox's grant-token keys, fetched again when older than their
/// lifetime or (at most once a minute) when `refresh` asks.
async fn lockbox_keys(lockbox: &Lockbox, refresh: bool) -> Result<Jwks, Problem> {
    let now = Date::now().as_millis() as f64;
    let cached = KEYS.with(|k| k.borrow().clone());
    if let Some((keys, at)) = &cached {
        let fresh = now - at < KEYS_LIFETIME_MS;
        if fresh && (!refresh || now - at < 60_000.0) {
            return Ok(keys.clone());
        }
    }
    let unavailable = |why: String| {
        Problem::new(
            503,
            "Lockbox did not answer",
            format!("Lockbox's grant-token keys could not be fetched ({why}); nothing was read."),
        )
    };
    let (status, body) = lockbox
        .send(Method::Get, "/.well-known/jwks.json", Headers::new(), None)
        .await
        .map_err(unavailable)?;
    if status != 200 {
        return Err(unavailable(format!("status {status}")));
    }
    let keys = Jwks::parse(&body).map_err(|e| unavailable(e.to_string()))?;
    KEYS.with(|k| *k.borrow_mut() = Some((keys.clone(), now)));
    Ok(keys)
}

#[derive(serde::Deserialize)]
struct Identity {
    #[serde(default)]
    email: Option<String>,
    exp: i64,
}

fn unauthenticated() -> Problem {
    Problem::new(
        401,
        "Sign-in required",
        "Sign in through Cloudflare Access (the same sign-in as Lockbox's) to use this service.",
    )
}

/// The engineer's Access token, from the header Access adds or its cookie.
fn access_token(req: &Request) -> Option<String> {
    let headers = req.headers();
    if let Ok(Some(token)) = headers.get("Cf-Access-Jwt-Assertion") {
        return Some(token);
    }
    let cookies = headers.get("Cookie").ok().flatten()?;
    cookies.split(';').find_map(|c| {
        c.trim()
            .strip_prefix("CF_Authorization=")
            .map(str::to_owned)
    })
}

/// The engineer's e-mail, from a verified Access token: the local sign-in's
/// key in development, the Access team's keys otherwise.
async fn engineer(req: &Request, env: &Env) -> Result<String, Problem> {
    let token = access_token(req).ok_or_else(unauthenticated)?;
    let now = Date::now().as_millis() as i64 / 1000;
    if let Some(email) = SIGNED_IN.with(|c| {
        c.borrow()
            .get(&token)
            .filter(|(_, exp)| now < *exp)
            .map(|(email, _)| email.clone())
    }) {
        return Ok(email);
    }
    let email = verify_sign_in(&token, env).await?;
    Ok(email)
}

/// Verifies `token` and remembers it until it expires.
async fn verify_sign_in(token: &str, env: &Env) -> Result<String, Problem> {
    let header = jsonwebtoken::decode_header(token).map_err(|_| unauthenticated())?;
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.leeway = LEEWAY_SECONDS;
    let key = if var(env, "LOCKBOX_DEV_AUTH").as_deref() == Some("1") {
        let der = var(env, "LOCKBOX_DEV_PUBLIC_KEY_PKCS1")
            .ok_or_else(|| misconfigured("LOCKBOX_DEV_PUBLIC_KEY_PKCS1 is not set".into()))?;
        let der = lockbox_provider::jose::decode_any_base64(&der)
            .ok_or_else(|| misconfigured("LOCKBOX_DEV_PUBLIC_KEY_PKCS1 is not base64".into()))?;
        validation.set_issuer(&[DEV_ISSUER]);
        validation.set_audience(&[DEV_AUDIENCE]);
        jsonwebtoken::DecodingKey::from_rsa_der(&der)
    } else {
        let (issuer, audience) = match (var(env, "ACCESS_ISSUER"), var(env, "ACCESS_AUD")) {
            (Some(i), Some(a)) => (i, a),
            _ => {
                return Err(misconfigured(
                    "ACCESS_ISSUER and ACCESS_AUD must be set".into(),
                ))
            }
        };
        validation.set_issuer(&[issuer.trim_end_matches('/')]);
        validation.set_audience(&[audience]);
        let kid = header.kid.ok_or_else(unauthenticated)?;
        let keys = access_keys(&issuer).await?;
        let jwk = keys.find(&kid).ok_or_else(unauthenticated)?;
        jsonwebtoken::DecodingKey::from_jwk(jwk).map_err(|_| unauthenticated())?
    };
    let data = jsonwebtoken::decode::<Identity>(token, &key, &validation)
        .map_err(|_| unauthenticated())?;
    let email = data
        .claims
        .email
        .map(|e| e.trim().to_lowercase())
        .filter(|e| !e.is_empty())
        .ok_or_else(unauthenticated)?;
    SIGNED_IN.with(|c| {
        let mut cache = c.borrow_mut();
        if cache.len() >= SIGNED_IN_CACHE {
            cache.clear();
        }
        cache.insert(token.to_owned(), (email.clone(), data.claims.exp));
    });
    Ok(email)
}

async fn access_keys(issuer: &str) -> Result<jsonwebtoken::jwk::JwkSet, Problem> {
    let now = Date::now().as_millis() as f64;
    if let Some((keys, at)) = ACCESS_KEYS.with(|k| k.borrow().clone()) {
        if now - at < KEYS_LIFETIME_MS {
            return Ok(keys);
        }
    }
    let url = format!("{}/cdn-cgi/access/certs", issuer.trim_end_matches('/'));
    let failed = |why: String| {
        Problem::new(
            503,
            "Sign-in unavailable",
            format!("The Access keys could not be fetched ({why})."),
        )
    };
    let url = worker::Url::parse(&url).map_err(|e| failed(e.to_string()))?;
    let mut response = Fetch::Url(url)
        .send()
        .await
        .map_err(|e| failed(e.to_string()))?;
    let keys: jsonwebtoken::jwk::JwkSet =
        response.json().await.map_err(|e| failed(e.to_string()))?;
    ACCESS_KEYS.with(|k| *k.borrow_mut() = Some((keys.clone(), now)));
    Ok(keys)
}

fn js(value: &Value) -> JsValue {
    match value {
        Value::Null => JsValue::null(),
        Value::Bool(b) => JsValue::from_bool(*b),
        Value::Number(n) => JsValue::from_f64(n.as_f64().unwrap_or_default()),
        Value::String(s) => JsValue::from_str(s),
        other => JsValue::from_str(&other.to_string()),
    }
}

struct Content(D1Database);

impl Content {
    async fn batch(&self, statements: &[Statement]) -> Result<Vec<Vec<Value>>, String> {
        let prepared = statements
            .iter()
            .map(|s| {
                let args: Vec<JsValue> = s.args.iter().map(js).collect();
                self.0
                    .prepare(&s.sql)
                    .bind(&args)
                    .map_err(|e| e.to_string())
            })
            .collect::<Result<Vec<_>, _>>()?;
        let results = self.0.batch(prepared).await.map_err(|e| e.to_string())?;
        results
            .iter()
            .map(|r| r.results::<Value>().map_err(|e| e.to_string()))
            .collect()
    }
}

impl Store for Content {
    async fn exists(&self, statement: &Statement) -> Result<bool, String> {
        Ok(self
            .batch(std::slice::from_ref(statement))
            .await?
            .first()
            .is_some_and(|rows| !rows.is_empty()))
    }

    async fn read(&self, statements: &[Statement]) -> Result<Vec<Vec<Value>>, String> {
        if statements.is_empty() {
            return Ok(Vec::new());
        }
        self.batch(statements).await
    }
}

fn service_key(env: &Env, service: &str) -> Result<ServiceKey, Problem> {
    let seed = var(env, "SERVICE_SIGNING_KEY").ok_or_else(|| {
        misconfigured(
            "SERVICE_SIGNING_KEY (the base64 seed of the service's Ed25519 key) is not set".into(),
        )
    })?;
    let key = lockbox_provider::jose::signing_key_from_base64(&seed)
        .map_err(|e| misconfigured(format!("SERVICE_SIGNING_KEY: {e}")))?;
    Ok(ServiceKey {
        service: service.to_owned(),
        kid: lockbox_provider::jwks::thumbprint(&key.verifying_key()),
        key,
    })
}

/// `POST /tenants/{tenant}/services/{service}/operations/{operation}`.
async fn operation(mut req: Request, env: &Env, path: &[&str]) -> Result<Response, Problem> {
    let [tenant, service, operation] = [path[1], path[3], path[5]];
    let engineer = engineer(&req, env).await?;
    let grant_token = req.headers().get(GRANT_HEADER).ok().flatten();
    let text = req.text().await.unwrap_or_default();
    let params: serde_json::Map<String, Value> = if text.trim().is_empty() {
        serde_json::Map::new()
    } else {
        serde_json::from_str(&text).map_err(|_| {
            Problem::new(
                400,
                "Invalid request",
                "Send the operation's parameters as a JSON object, or {} when it takes none.",
            )
        })?
    };
    let issuer = var(env, "LOCKBOX_ISSUER")
        .ok_or_else(|| misconfigured("LOCKBOX_ISSUER is not set".into()))?;
    let service_id =
        var(env, "SERVICE_ID").ok_or_else(|| misconfigured("SERVICE_ID is not set".into()))?;
    let lockbox = Lockbox::of(env)?;
    let key = service_key(env, &service_id)?;
    let content = Content(
        env.d1("CONTENT")
            .map_err(|_| misconfigured("The CONTENT database is not bound".into()))?,
    );
    let batch_id = uuid::Uuid::new_v4().to_string();
    let call = Call {
        tenant,
        service,
        operation,
        params: &params,
        engineer: &engineer,
        grant_token: grant_token.as_deref(),
        batch_id: &batch_id,
    };
    let recorder = Recorder::new(key, issuer.clone(), &lockbox);
    let now = || Date::now().as_millis() as i64;
    let mut verifier = Verifier::new(lockbox_keys(&lockbox, false).await?, issuer, service_id);
    let answer = match gate::run(&content, &verifier, &recorder, &call, now).await {
        // A key Lockbox may have added since: fetch its keys once more.
        Err(p) if p.status == 403 && p.detail.contains("unknown key") => {
            verifier.set_keys(lockbox_keys(&lockbox, true).await?);
            gate::run(&content, &verifier, &recorder, &call, now).await?
        }
        other => other?,
    };
    let body = serde_json::to_string(&answer).map_err(|e| misconfigured(e.to_string()))?;
    let headers = Headers::new();
    let _ = headers.set("Content-Type", "application/json");
    let _ = headers.set("Cache-Control", "no-store");
    Ok(Response::ok(body)
        .map_err(|e| misconfigured(e.to_string()))?
        .with_headers(headers))
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    let url = req.url()?;
    let path: Vec<&str> = url.path().trim_matches('/').split('/').collect();
    let answer = match (req.method(), path.as_slice()) {
        (Method::Get, ["health"]) => return Response::from_json(&serde_json::json!({"ok": true})),
        (Method::Post, ["tenants", _, "services", _, "operations", _]) => {
            let path = path.clone();
            operation(req, &env, &path).await
        }
        (_, ["tenants", _, "services", _, "operations", _]) => Err(Problem::new(
            405,
            "Method not allowed",
            "Run an operation with POST.",
        )),
        _ => Err(Problem::new(404, "Not found", "This service answers POST /tenants/{tenant}/services/{service}/operations/{operation}.")),
    };
    match answer {
        Ok(response) => Ok(response),
        Err(p) => problem(&p),
    }
}
