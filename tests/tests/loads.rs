//! Large but legal loads: a tenant with the most webhook endpoints it may
//! have gets every event at each of them, once. A test binary of its own:
//! its deliveries do not share the server with the other tests.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use lockbox_tests::{eventually, open_request, preapprove, sign_in, trigger_cron, FABRIKAM};
use serde_json::json;

/// Fifty endpoints, the most a tenant may register.
const ENDPOINTS: usize = 50;

#[test]
fn fifty_webhook_endpoints_each_get_an_event_once() {
    let (server, port) = lockbox_tests::local_server();
    // Deliveries by path (one path per endpoint) and webhook-id.
    let got: Arc<Mutex<BTreeMap<String, Vec<String>>>> = Arc::default();
    let log = got.clone();
    std::thread::spawn(move || {
        for request in server.incoming_requests() {
            let id = request
                .headers()
                .iter()
                .find(|h| h.field.equiv("webhook-id"))
                .map(|h| h.value.as_str().to_owned())
                .unwrap_or_default();
            if let Ok(mut log) = log.lock() {
                log.entry(request.url().to_owned()).or_default().push(id);
            }
            let _ = request.respond(tiny_http::Response::empty(200));
        }
    });
    let admin = sign_in("admin@fabrikam.example");
    let mut endpoints = Vec::new();
    for n in 0..ENDPOINTS {
        let created = admin.post(
            "/api/v1/settings/notifications/webhooks",
            &json!({ "url": format!("http://127.0.0.1:{port}/hook-{n}"), "events": ["grant.started", "request.pending"] }),
        );
        assert_eq!(created.status, 201, "endpoint {n}: {}", created.body);
        endpoints.push(
            created.json()["endpoint"]["id"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
    }
    let one_more = admin.post(
        "/api/v1/settings/notifications/webhooks",
        &json!({ "url": format!("http://127.0.0.1:{port}/one-more") }),
    );
    assert_eq!(one_more.status, 400, "{}", one_more.body);

    let engineer = sign_in("engineer1@provider.example");
    let request = open_request(&engineer, FABRIKAM, 30);
    assert_eq!(preapprove(&request).status, 200);
    let delivered = eventually(60, "every endpoint got the event", || {
        let log = got.lock().map(|l| l.clone()).unwrap_or_default();
        if log.len() == ENDPOINTS {
            return Some(log);
        }
        // What a pass left waits for the next message or the scheduled job.
        trigger_cron();
        None
    });
    for (path, ids) in &delivered {
        assert_eq!(ids.len(), 1, "{path} got {ids:?}");
    }
    for id in endpoints {
        let removed = admin.delete(&format!("/api/v1/settings/notifications/webhooks/{id}"));
        assert_eq!(removed.status, 204, "{}", removed.body);
    }
}
