//! Acting as a provider service: registering one (as the demo integration
//! admin), signing its assertions with the SDK, and calling the routes
//! services call.

use std::sync::atomic::{AtomicU64, Ordering};

use lockbox_provider::assertion::ServiceKey;
use lockbox_provider::jwks::Jwk;
use lockbox_provider::SigningKey;
use serde_json::{json, Value};

use crate::{client, now_ms, read, sign_in, url, Answer};

/// The deployment's issuer (`https://<LOCKBOX_DEPLOYMENT>` of wrangler.toml).
pub const ISSUER: &str = "https://lockbox.example";
/// The demo integration admin.
pub const INTEGRATIONS: &str = "integrations@provider.example";

static JTI: AtomicU64 = AtomicU64::new(0);

/// A unique assertion id.
pub fn jti() -> String {
    format!("t{}-{}", now_ms(), JTI.fetch_add(1, Ordering::Relaxed))
}

/// A test service: its id and key.
#[derive(Clone)]
pub struct TestService {
    pub key: ServiceKey,
}

/// The registration body of service `id` with key seed `seed`, serving
/// `serves`, offering `Get-Mailbox` (metadata) and `Read-Thing` (content).
pub fn registration(id: &str, seed: u8, serves: &[&str]) -> (ServiceKey, Value) {
    let key = SigningKey::from_bytes(&[seed; 32]);
    let kid = format!("k{seed}");
    let jwk = Jwk::of(&key.verifying_key(), &kid);
    let body = json!({
        "id": id,
        "name": format!("Test service {id}"),
        "serves": serves,
        "operations": [
            { "name": "Get-Mailbox", "description": "Lists mailboxes.", "kind": "metadata" },
            { "name": "Read-Thing", "description": "Reads a thing.", "kind": "content",
              "parameters": [{ "name": "Identity", "required": true }] }
        ],
        "keys": [{ "kty": jwk.kty, "crv": jwk.crv, "x": jwk.x, "kid": jwk.kid }],
    });
    (
        ServiceKey {
            service: id.to_owned(),
            kid,
            key,
        },
        body,
    )
}

/// Registers (or re-registers) a test service; panics unless it worked.
pub fn register(id: &str, seed: u8, serves: &[&str]) -> TestService {
    let (key, body) = registration(id, seed, serves);
    let answer = sign_in(INTEGRATIONS).post("/api/v1/provider/services", &body);
    assert!(
        matches!(answer.status, 200 | 201),
        "registering {id}: {}",
        answer.body
    );
    TestService { key }
}

impl TestService {
    /// A fresh assertion.
    pub fn assertion(&self) -> String {
        self.key.assert(ISSUER, now_ms() / 1000, 60, &jti())
    }

    /// `GET path` as this service.
    pub fn get(&self, path: &str) -> Answer {
        read(
            client()
                .get(url(path))
                .header("Authorization", &format!("Bearer {}", self.assertion()))
                .call(),
        )
    }

    /// `POST path` as this service.
    pub fn post(&self, path: &str, body: &Value) -> Answer {
        read(
            client()
                .post(url(path))
                .header("Authorization", &format!("Bearer {}", self.assertion()))
                .send_json(body),
        )
    }

    /// Records `actions` under `grant` as batch `batch_id`.
    pub fn record(&self, grant: &str, batch_id: &str, actions: Value) -> Answer {
        self.post(
            "/api/v1/provider/actions",
            &json!({ "grant": grant, "batch_id": batch_id, "actions": actions }),
        )
    }
}

/// A grant token for request `id`, asked for by `engineer`.
pub fn grant_token(engineer: &crate::Session, id: &str) -> Answer {
    engineer.post(&format!("/api/v1/requests/{id}/grant-token"), &json!({}))
}
