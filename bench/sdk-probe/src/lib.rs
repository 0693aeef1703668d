//! Verifies a grant token against a JWK Set for one target: what a
//! provider's Worker links of the SDK to gate its content offline.

use lockbox_provider::grant::{Target, Verifier};
use lockbox_provider::jwks::Jwks;
use wasm_bindgen::prelude::wasm_bindgen;

/// Whether `token` is a live grant for `tenant`, `service`, `operation`
/// and `engineer` at `now` (seconds), by the keys in `jwks`.
#[wasm_bindgen]
pub fn verify(
    token: &str,
    jwks: &str,
    issuer: &str,
    audience: &str,
    target: Vec<String>,
    now: i64,
) -> bool {
    let Ok(keys) = Jwks::parse(jwks) else {
        return false;
    };
    let [tenant, service, operation, engineer] = target.as_slice() else {
        return false;
    };
    Verifier::new(keys, issuer, audience)
        .verify(token, now)
        .and_then(|grant| {
            grant.require(&Target {
                tenant,
                service,
                operation,
                engineer,
            })
        })
        .is_ok()
}
