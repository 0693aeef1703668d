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
}

impl Answer {
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
    let body = response
        .body_mut()
        .read_to_string()
        .unwrap_or_else(|err| panic!("could not read body: {err}"));
    Answer {
        status,
        content_type,
        body,
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
