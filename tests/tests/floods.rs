//! Floods: each rate limit crossed (the numbers as the server reports them,
//! from wrangler.toml), its 429 with `Retry-After` and a sentence, and the
//! refusal counted per route in the provider's metrics. A test binary of
//! its own, its tests one at a time, each flooding with a key no other test
//! uses (its own person, service or client address), so that no other
//! test meets a limit.

use std::sync::Mutex;

use lockbox_tests::service::{register, INTEGRATIONS};
use lockbox_tests::{client, read, sign_in, url, Answer};
use serde_json::{json, Value};

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// The limit `name` as the server reports it: (limit, period in seconds).
fn limit(name: &str) -> (u64, u64) {
    let limits = metrics();
    let entry = limits
        .iter()
        .find(|l| l["name"] == name)
        .unwrap_or_else(|| panic!("no rate limit {name}: {limits:?}"));
    (
        entry["limit"].as_u64().expect("limit"),
        entry["period_seconds"].as_u64().expect("period"),
    )
}

/// The provider's metrics of rate limits.
fn metrics() -> Vec<Value> {
    let answer = sign_in(INTEGRATIONS).get("/api/v1/provider/services");
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()["rate_limits"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// How many calls of `route` limit `name` refused in the last day.
fn refused(name: &str, route: &str) -> i64 {
    metrics()
        .iter()
        .filter(|l| l["name"] == name)
        .flat_map(|l| l["refused"].as_array().cloned().unwrap_or_default())
        .filter(|r| r["route"] == route)
        .map(|r| r["count"].as_i64().unwrap_or_default())
        .sum()
}

/// Sends `call` until it answers 429; asserts that it came after more than
/// `limit` calls of the key (`made` made already) and by `2 × limit + 1`
/// (a fixed window may turn over during the flood, counting its calls in
/// two), that it says the limit and when to try again, and returns it.
fn flood(limit: u64, period: u64, made: u64, mut call: impl FnMut() -> Answer) -> Answer {
    let mut n = made;
    let refused = loop {
        n += 1;
        let answer = call();
        if answer.status == 429 {
            break answer;
        }
        assert!(n <= 2 * limit, "call {n}: still no 429 (limit {limit})");
    };
    assert!(
        n > limit,
        "refused at call {n}, within the limit of {limit}"
    );
    assert_eq!(
        refused.header("retry-after"),
        Some(period.to_string().as_str())
    );
    assert!(
        refused.content_type.starts_with("application/problem+json"),
        "{}",
        refused.content_type
    );
    let problem = refused.json();
    assert_eq!(problem["type"], "/problems/too-many-requests");
    assert_eq!(problem["retry_after"], json!(period));
    let detail = problem["detail"].as_str().unwrap_or_default();
    assert!(detail.contains(&limit.to_string()), "{detail}");
    assert!(
        detail.contains(&format!("Wait {period} seconds")),
        "{detail}"
    );
    refused
}

fn lock() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A person's changes: past the limit every change is refused (even one
/// that would have been a 403 or a 400), reads still answer.
#[test]
fn a_persons_changes_past_the_limit_get_429() {
    let _one = lock();
    let (allowed, period) = limit("writes");
    // Woodgrove's auditor: no other test changes anything as them.
    let person = sign_in("auditor@woodgrove.example");
    let route = "POST /api/v1/requests";
    let before = refused("writes", route);
    flood(allowed, period, 0, || {
        person.post("/api/v1/requests", &json!({}))
    });
    assert_eq!(person.get("/api/v1/me").status, 200, "reading still works");
    assert_eq!(refused("writes", route), before + 1);
}

/// A service's batches: past the limit refused before anything is read or
/// written.
#[test]
fn a_services_batches_past_the_limit_get_429() {
    let _one = lock();
    let (allowed, period) = limit("service-actions");
    let service = register("svc:test-flood", 41, &["mail"]);
    let route = "POST /api/v1/provider/actions";
    let before = refused("service-actions", route);
    let batch = json!({ "grant": "not-a-grant", "batch_id": "flood", "actions": [{ "operation": "Get-Mailbox" }] });
    flood(allowed, period, 0, || {
        service.post("/api/v1/provider/actions", &batch)
    });
    assert_eq!(refused("service-actions", route), before + 1);
}

/// The local sign-in, per client address (a loopback address of its own).
#[test]
fn sign_ins_from_one_address_past_the_limit_get_429() {
    let _one = lock();
    let (allowed, period) = limit("dev-sign-in");
    let route = "POST /api/v1/dev/sign-in";
    let before = refused("dev-sign-in", route);
    flood(allowed, period, 0, || {
        read(
            client()
                .post(url("/api/v1/dev/sign-in"))
                .header("CF-Connecting-IP", "127.0.0.2")
                .send_json(json!({ "email": "auditor@woodgrove.example" })),
        )
    });
    assert_eq!(refused("dev-sign-in", route), before + 1);
}

/// Calls without a valid sign-in, per client address: past the limit 429
/// instead of 401; a signed-in call from the same address still answers.
#[test]
fn calls_without_sign_in_from_one_address_past_the_limit_get_429() {
    let _one = lock();
    let (allowed, period) = limit("unauthenticated");
    let address = "198.51.100.23";
    let route = "GET /api/v1/me";
    let before = refused("unauthenticated", route);
    let anonymous = || {
        read(
            client()
                .get(url("/api/v1/me"))
                .header("CF-Connecting-IP", address)
                .call(),
        )
    };
    assert_eq!(anonymous().status, 401);
    flood(allowed, period, 1, anonymous);
    let person = sign_in("auditor@woodgrove.example");
    let signed_in = read(
        client()
            .get(url("/api/v1/me"))
            .header("CF-Connecting-IP", address)
            .header("Cookie", &person.cookie)
            .call(),
    );
    assert_eq!(signed_in.status, 200, "{}", signed_in.body);
    assert_eq!(refused("unauthenticated", route), before + 1);
}
