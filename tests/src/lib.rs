//! Helpers shared by the integration tests: where the server is, an HTTP
//! client that reports every status instead of failing on 4xx/5xx, and
//! direct reads of the local D1 database.
//!
//! `scripts/test.sh` starts `wrangler dev` on a free port and exports
//! `LOCKBOX_URL` and `LOCKBOX_D1_PERSIST` before running these tests.

use std::process::Command;
use std::sync::{Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

pub use ureq;

/// The base URL of the running server, e.g. `http://127.0.0.1:40123`.
pub fn base_url() -> String {
    std::env::var("LOCKBOX_URL").unwrap_or_else(|_| {
        panic!(
            "LOCKBOX_URL is not set: these tests need a running `wrangler dev`. \
             Run them with `make test`, which starts one."
        )
    })
}

/// Absolute URL of `path` on the running server.
pub fn url(path: &str) -> String {
    format!("{}{path}", base_url())
}

/// An HTTP client that returns 4xx/5xx answers as responses, not errors.
pub fn client() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// A response, read whole: status, content type and body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub body: String,
    /// Every header, lower-case names.
    pub headers: Vec<(String, String)>,
}

impl Answer {
    /// The value of header `name` (lower case), if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// True when the answer sets no cookie.
    pub fn headers_lack_cookie(&self) -> bool {
        self.header("set-cookie").is_none()
    }

    /// The body parsed as JSON; panics with the body when it is not JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|err| panic!("body is not JSON ({err}): {}", self.body))
    }
}

/// `GET path` and read the whole answer.
pub fn get(path: &str) -> Answer {
    read(client().get(url(path)).call())
}

/// Turns a ureq result into an [`Answer`], panicking on transport errors.
pub fn read(result: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Answer {
    let mut response = result.unwrap_or_else(|err| panic!("request failed: {err}"));
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let headers = response
        .headers()
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                v.to_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let body = response
        .body_mut()
        .read_to_string()
        .unwrap_or_else(|err| panic!("could not read body: {err}"));
    Answer {
        status,
        content_type,
        body,
        headers,
    }
}

/// Runs one SQL statement against the server's local D1 (through
/// `wrangler d1 execute --local`) and returns the result rows.
pub fn d1_query(sql: &str) -> Vec<serde_json::Value> {
    let persist = std::env::var("LOCKBOX_D1_PERSIST").unwrap_or_else(|_| {
        panic!("LOCKBOX_D1_PERSIST is not set: run the tests with `make test`.")
    });
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let output = Command::new(format!("{root}/node_modules/.bin/wrangler"))
        .current_dir(root)
        .args(["d1", "execute", "lockbox", "--local", "--json"])
        .args(["--persist-to", &persist, "--command", sql])
        .env("CI", "true")
        .env("WRANGLER_SEND_METRICS", "false")
        .output()
        .unwrap_or_else(|err| panic!("could not run wrangler: {err}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "wrangler d1 execute failed: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let parsed: serde_json::Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|err| panic!("wrangler printed no JSON ({err}): {stdout}"));
    parsed[0]["results"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("no results in: {stdout}"))
}

/// The wall clock in epoch milliseconds.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

static CRON: Mutex<()> = Mutex::new(());

/// Held by a test that counts what the scheduled job does, so runs
/// triggered by other tests in the same binary cannot land in its window.
pub fn cron_lock() -> MutexGuard<'static, ()> {
    CRON.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Runs the scheduled handler once, as `wrangler dev --test-scheduled` allows
/// (wrangler 4.86 gives the event the current time; tests that need another
/// "now" backdate rows instead).
pub fn trigger_cron() {
    let answer = get("/__scheduled?cron=*+*+*+*+*");
    assert_eq!(
        answer.status, 200,
        "the scheduled handler failed: {}",
        answer.body
    );
}

/// `POST path` with a JSON body and no credentials.
pub fn post_json(path: &str, body: &serde_json::Value) -> Answer {
    read(client().post(url(path)).send_json(body))
}

/// A signed-in demo person: the `CF_Authorization` cookie the server set.
#[derive(Debug, Clone)]
pub struct Session {
    /// The person's e-mail.
    pub email: String,
    /// `CF_Authorization=<token>`.
    pub cookie: String,
}

/// Signs in as a demo person through the local sign-in endpoint.
pub fn sign_in(email: &str) -> Session {
    let mut response = client()
        .post(url("/api/v1/dev/sign-in"))
        .send_json(serde_json::json!({ "email": email }))
        .unwrap_or_else(|err| panic!("sign-in request failed: {err}"));
    let status = response.status().as_u16();
    let set_cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = response.body_mut().read_to_string().unwrap_or_default();
    assert_eq!(status, 200, "signing in as {email}: {body}");
    let cookie = set_cookie
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned();
    assert!(cookie.starts_with("CF_Authorization="), "{set_cookie}");
    Session {
        email: email.to_owned(),
        cookie,
    }
}

impl Session {
    /// `GET path` as this person.
    pub fn get(&self, path: &str) -> Answer {
        read(
            client()
                .get(url(path))
                .header("Cookie", &self.cookie)
                .call(),
        )
    }

    /// `POST path` with a JSON body as this person.
    pub fn post(&self, path: &str, body: &serde_json::Value) -> Answer {
        read(
            client()
                .post(url(path))
                .header("Cookie", &self.cookie)
                .send_json(body),
        )
    }
}

/// Issuer and audience of locally minted tokens (as the Worker expects).
pub const DEV_ISSUER: &str = "https://dev-sign-in.lockbox.invalid";
pub const DEV_AUDIENCE: &str = "lockbox-local-dev";
pub const DEV_KID: &str = "lockbox-dev";

fn dev_key(var: &str) -> Vec<u8> {
    use base64::Engine as _;
    let b64 = std::env::var(var)
        .unwrap_or_else(|_| panic!("{var} is not set: run the tests with `make test`."));
    base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .unwrap_or_else(|err| panic!("{var} is not base64: {err}"))
}

/// The dev public key (PKCS#1 DER), as the server has it.
pub fn dev_public_key() -> Vec<u8> {
    dev_key("LOCKBOX_DEV_PUBLIC_KEY")
}

/// Signs `claims` with the dev private key under key id `kid` (RS256).
pub fn mint(claims: &serde_json::Value, kid: &str) -> String {
    let key = jsonwebtoken::EncodingKey::from_rsa_der(&dev_key("LOCKBOX_DEV_PRIVATE_KEY"));
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(&header, claims, &key).unwrap_or_else(|err| panic!("minting: {err}"))
}

/// Claims a valid dev token for `email` would carry, as of now.
pub fn dev_claims(email: &str) -> serde_json::Value {
    let now = now_ms() / 1000;
    serde_json::json!({
        "email": email,
        "sub": email,
        "iss": DEV_ISSUER,
        "aud": [DEV_AUDIENCE],
        "iat": now,
        "nbf": now,
        "exp": now + 600,
    })
}

/// `GET path` presenting `token` in the Cloudflare Access header.
pub fn get_with_token(path: &str, token: &str) -> Answer {
    read(
        client()
            .get(url(path))
            .header("Cf-Access-Jwt-Assertion", token)
            .call(),
    )
}

/// The tenant ids of the demo world.
pub const CONTOSO: &str = "7c0a8f4e-5a1b-4c3d-9e2f-000000000001";
pub const FABRIKAM: &str = "7c0a8f4e-5a1b-4c3d-9e2f-000000000002";

/// Audit records of `tenant_id` whose item is `item`, oldest first.
pub fn audit_rows(tenant_id: &str, item: &str) -> Vec<serde_json::Value> {
    d1_query(&format!(
        "SELECT seq, user, activity, item, details FROM audit_log \
         WHERE tenant_id = '{tenant_id}' AND item = '{}' ORDER BY seq",
        item.replace('\'', "''")
    ))
}
