//! Helpers shared by the integration tests: where the server is, an HTTP
//! client that reports every status instead of failing on 4xx/5xx, and
//! sign-in, request and audit helpers.
//!
//! `scripts/test.sh` starts `wrangler dev` on a free port and exports
//! `LOCKBOX_URL` before running these tests. Tests reach the database only
//! through the API: writing the local D1 file from outside would contend
//! with the running server for its lock.

use std::sync::{Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

pub use ureq;
use ureq::ResponseExt as _;

pub mod openapi;
pub mod service;
pub mod wrangler;

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

/// Turns a ureq result into an [`Answer`], panicking on transport errors
/// and on any API answer that the OpenAPI document does not describe.
pub fn read(result: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Answer {
    let (path, answer, _) = read_answer(result, None);
    openapi::check(&path, answer.status, &answer.content_type, &answer.body);
    answer
}

/// [`read`] without the OpenAPI check, for an answer that did not come
/// from the Worker (wrangler dev's own proxy errors).
pub fn read_unchecked(result: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Answer {
    read_answer(result, None).1
}

/// [`read`], for a call the server may refuse with `status` before it has
/// read the request's body: then it may close the connection while its
/// answer's body is still being read ("Peer disconnected"), and the status
/// and headers, which did arrive, are the answer.
pub fn read_early_refusal(
    result: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    status: u16,
) -> Answer {
    let (path, answer, whole) = read_answer(result, Some(status));
    if whole {
        openapi::check(&path, answer.status, &answer.content_type, &answer.body);
    }
    answer
}

/// The answer, and whether its body was read whole.
fn read_answer(
    result: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    early_refusal: Option<u16>,
) -> (String, Answer, bool) {
    let mut response = result.unwrap_or_else(|err| panic!("request failed: {err}"));
    let path = response.get_uri().path().to_owned();
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
    let (body, whole) = match response.body_mut().read_to_string() {
        Ok(body) => (body, true),
        Err(err) if early_refusal == Some(status) => (format!("(body not read: {err})"), false),
        Err(err) => panic!("could not read body: {err}"),
    };
    (
        path,
        Answer {
            status,
            content_type,
            body,
            headers,
        },
        whole,
    )
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

/// Signs in as a demo person through the local sign-in endpoint, once per
/// person for a while (a session lasts an hour): the local sign-in is
/// rate-limited per address, and the tests share one.
pub fn sign_in(email: &str) -> Session {
    static SESSIONS: Mutex<Vec<(Session, std::time::Instant)>> = Mutex::new(Vec::new());
    let fresh = std::time::Duration::from_secs(30 * 60);
    let mut sessions = SESSIONS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((session, _)) = sessions
        .iter()
        .find(|(s, at)| s.email == email && at.elapsed() < fresh)
    {
        return session.clone();
    }
    let session = sign_in_anew(email);
    sessions.retain(|(s, _)| s.email != email);
    sessions.push((session.clone(), std::time::Instant::now()));
    session
}

/// Signs in as a demo person through the local sign-in endpoint, always.
pub fn sign_in_anew(email: &str) -> Session {
    let answer = post_json(
        "/api/v1/dev/sign-in",
        &serde_json::json!({ "email": email }),
    );
    assert_eq!(answer.status, 200, "signing in as {email}: {}", answer.body);
    let set_cookie = answer.header("set-cookie").unwrap_or_default();
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

    /// `DELETE path` as this person.
    pub fn delete(&self, path: &str) -> Answer {
        read(
            client()
                .delete(url(path))
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
    let key = jsonwebtoken::EncodingKey::from_rsa_der(&dev_key("LOCKBOX_DEV_PRIVATE_KEY_PKCS1"));
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

/// The admin of a tenant, by tenant id.
pub fn admin_of(tenant_id: &str) -> &'static str {
    if tenant_id == FABRIKAM {
        "admin@fabrikam.example"
    } else {
        "admin@contoso.example"
    }
}

/// Audit records of `tenant_id` whose item is `item`, oldest first, read
/// through the audit search as the tenant's global admin.
pub fn audit_rows(tenant_id: &str, item: &str) -> Vec<serde_json::Value> {
    let admin = sign_in(admin_of(tenant_id));
    let item: String = item
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    let answer = admin.get(&format!("/api/v1/audit?item={item}&limit=500"));
    assert_eq!(answer.status, 200, "audit search: {}", answer.body);
    let mut rows = answer.json()["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    rows.reverse();
    rows
}

/// The newest 500 `Set-OrganizationConfig` records (settings changes) of
/// `session`'s tenant, newest first.
pub fn config_records(session: &Session) -> Vec<serde_json::Value> {
    let answer = session.get("/api/v1/audit?activity=Set-OrganizationConfig&limit=500");
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Every operation the sample service offers for Lockbox service
/// `service` (what the tests' requests ask for unless they say otherwise).
pub fn operations_of(service: &str) -> Vec<&'static str> {
    match service {
        "mail" => vec![
            "Get-Mailbox",
            "Get-MailboxStatistics",
            "Get-MailboxFolderStatistics",
            "Get-Message",
        ],
        "sites" => vec!["Get-Site", "Get-SiteFileList", "Get-SiteFile"],
        _ => vec!["Get-DriveItemList", "Get-DriveItem"],
    }
}

/// Opens a request as `engineer` for `tenant`'s mail, asking for every
/// mail operation of the demo service; returns its id.
pub fn open_request(engineer: &Session, tenant: &str, minutes: u32) -> String {
    open_request_for(engineer, tenant, minutes, &operations_of("mail"))
}

/// Opens a request as `engineer` for `tenant`'s mail, asking for
/// `operations`; returns its id.
pub fn open_request_for(
    engineer: &Session,
    tenant: &str,
    minutes: u32,
    operations: &[&str],
) -> String {
    let answer = engineer.post(
        "/api/v1/requests",
        &serde_json::json!({
            "tenant_id": tenant,
            "service": "mail",
            "ticket": format!("SR-{}", now_ms()),
            "reason": "The customer's mailbox does not open; need to read its statistics.",
            "duration_minutes": minutes,
            "operations": operations,
        }),
    );
    assert_eq!(answer.status, 201, "creating a request: {}", answer.body);
    answer.json()["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {}", answer.body))
        .to_owned()
}

/// `POST /api/v1/requests/{id}/{verb}` with an optional comment.
pub fn act(session: &Session, id: &str, verb: &str, comment: Option<&str>) -> Answer {
    session.post(
        &format!("/api/v1/requests/{id}/{verb}"),
        &serde_json::json!({ "comment": comment }),
    )
}

/// The demo manager pre-approves request `id`.
pub fn preapprove(id: &str) -> Answer {
    act(&sign_in("manager@provider.example"), id, "preapprove", None)
}

/// Opens a Contoso request and has the manager pre-approve it: pending for
/// the customer (Contoso has Lockbox on).
pub fn pending_contoso_request(minutes: u32) -> String {
    let id = open_request(&sign_in("engineer1@provider.example"), CONTOSO, minutes);
    let answer = preapprove(&id);
    assert_eq!(answer.status, 200, "pre-approving: {}", answer.body);
    assert_eq!(answer.json()["effective_state"], "PendingCustomerApproval");
    id
}

/// Audit records of a request of `tenant_id`, oldest first, from the
/// request's history as the tenant's global admin sees it.
pub fn request_audit(tenant_id: &str, id: &str) -> Vec<serde_json::Value> {
    let answer = sign_in(admin_of(tenant_id)).get(&format!("/api/v1/requests/{id}"));
    assert_eq!(answer.status, 200, "reading {id}: {}", answer.body);
    answer.json()["history"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Moves every time of a request `ms` into the past (the dev-only
/// endpoint), as if everything had happened that much earlier.
pub fn shift_request(id: &str, ms: i64) -> serde_json::Value {
    let answer = post_json(
        "/api/v1/dev/shift-request",
        &serde_json::json!({ "request_id": id, "ms": ms }),
    );
    assert_eq!(answer.status, 200, "shifting {id}: {}", answer.body);
    answer.json()
}

static PROD_LIKE: Mutex<()> = Mutex::new(());

/// The second server of `make test`, run as a deployment would be: without
/// the dev-only variables. Held while a test uses it (see
/// `web_safety::an_oversized_chunked_body_without_a_length_is_refused_with_413`
/// for why); returns its base URL.
pub fn prod_like() -> (MutexGuard<'static, ()>, String) {
    let guard = PROD_LIKE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let base = std::env::var("LOCKBOX_PROD_LIKE_URL")
        .expect("LOCKBOX_PROD_LIKE_URL is not set: run the tests with `make test`.");
    (guard, base)
}

/// Northwind Traders: the tenant of the quorum and extension tests alone.
pub const NORTHWIND: &str = "7c0a8f4e-5a1b-4c3d-9e2f-000000000005";

static NORTHWIND_LOCK: Mutex<()> = Mutex::new(());

/// Held by the tests that use Northwind (they change how many approvals
/// it requires, and read its engineers' grants).
pub fn northwind_lock() -> MutexGuard<'static, ()> {
    NORTHWIND_LOCK
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

static SWITCH: Mutex<()> = Mutex::new(());

/// Held by tests that flip a tenant's Lockbox switch or depend on its value.
pub fn switch_lock() -> MutexGuard<'static, ()> {
    SWITCH
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The outbox's messages about request `id`, newest first (the dev-only
/// listing).
pub fn outbox_of(id: &str) -> Vec<serde_json::Value> {
    let answer = get(&format!("/api/v1/dev/outbox?request_id={id}&limit=500"));
    assert_eq!(answer.status, 200, "the dev outbox: {}", answer.body);
    answer.json()["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// An HTTP server on a free port of 127.0.0.1 (a webhook receiver), and
/// the port.
pub fn local_server() -> (tiny_http::Server, u16) {
    let server = tiny_http::Server::http("127.0.0.1:0").expect("a local port");
    let port = server
        .server_addr()
        .to_ip()
        .map(|a| a.port())
        .unwrap_or_default();
    (server, port)
}

/// Polls `check` every 200 ms for up to `seconds`; panics with `what` if
/// it never holds. For work the server does after answering (`waitUntil`).
pub fn eventually<T>(seconds: u64, what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "never happened: {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}
