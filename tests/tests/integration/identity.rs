//! Who is calling: JWT checks, the local sign-in and sign-out.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use lockbox_tests::{
    client, dev_claims, dev_public_key, get, get_with_token, mint, post_json, read, sign_in, url,
    DEV_KID,
};

const WHO: &str = "approver1@contoso.example";

fn b64(value: &serde_json::Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

/// A refusal must be a 401 problem that reveals nothing about the person.
fn assert_refused(token: &str, case: &str) {
    let answer = get_with_token("/api/v1/me", token);
    assert_eq!(answer.status, 401, "{case}: {}", answer.body);
    assert_eq!(answer.content_type, "application/problem+json", "{case}");
    assert!(
        !answer.body.contains("contoso"),
        "{case} leaked data: {}",
        answer.body
    );
}

#[test]
fn a_valid_token_is_accepted_so_the_refusals_below_mean_something() {
    let answer = get_with_token("/api/v1/me", &mint(&dev_claims(WHO), DEV_KID));
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.json()["email"], WHO);
}

#[test]
fn no_token_is_refused() {
    let answer = get("/api/v1/me");
    assert_eq!(answer.status, 401, "{}", answer.body);
    assert_eq!(answer.content_type, "application/problem+json");
}

#[test]
fn garbage_is_refused() {
    assert_refused("not-a-jwt", "garbage");
    assert_refused("a.b.c", "three garbage segments");
}

#[test]
fn alg_none_is_refused() {
    let header = serde_json::json!({ "alg": "none", "typ": "JWT", "kid": DEV_KID });
    let token = format!("{}.{}.", b64(&header), b64(&dev_claims(WHO)));
    assert_refused(&token, "alg none");
}

#[test]
fn hs256_signed_with_the_public_key_is_refused() {
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    header.kid = Some(DEV_KID.to_owned());
    let key = jsonwebtoken::EncodingKey::from_secret(&dev_public_key()).expect("an HMAC key");
    let token = jsonwebtoken::encode(&header, &dev_claims(WHO), &key).expect("mint");
    assert_refused(&token, "HS256 with the public key");
}

#[test]
fn a_wrong_audience_is_refused() {
    let mut claims = dev_claims(WHO);
    claims["aud"] = serde_json::json!(["some-other-app"]);
    assert_refused(&mint(&claims, DEV_KID), "wrong aud");
}

#[test]
fn a_wrong_issuer_is_refused() {
    let mut claims = dev_claims(WHO);
    claims["iss"] = serde_json::json!("https://evil.cloudflareaccess.com");
    assert_refused(&mint(&claims, DEV_KID), "wrong iss");
}

#[test]
fn an_expired_token_is_refused() {
    let mut claims = dev_claims(WHO);
    let now = lockbox_tests::now_ms() / 1000;
    claims["iat"] = serde_json::json!(now - 7200);
    claims["nbf"] = serde_json::json!(now - 7200);
    claims["exp"] = serde_json::json!(now - 3600);
    assert_refused(&mint(&claims, DEV_KID), "expired");
}

#[test]
fn a_token_not_valid_yet_is_refused() {
    let mut claims = dev_claims(WHO);
    let now = lockbox_tests::now_ms() / 1000;
    claims["nbf"] = serde_json::json!(now + 3600);
    claims["exp"] = serde_json::json!(now + 7200);
    assert_refused(&mint(&claims, DEV_KID), "nbf in the future");
}

#[test]
fn an_unknown_key_id_is_refused() {
    assert_refused(&mint(&dev_claims(WHO), "some-other-key"), "unknown kid");
}

#[test]
fn a_valid_token_with_a_tampered_payload_is_refused() {
    let token = mint(&dev_claims(WHO), DEV_KID);
    let parts: Vec<&str> = token.split('.').collect();
    let forged = b64(&dev_claims("admin@contoso.example"));
    let tampered = format!("{}.{}.{}", parts[0], forged, parts[2]);
    assert_refused(&tampered, "tampered payload");
}

#[test]
fn a_bad_token_in_the_cookie_is_refused_too() {
    let answer = read(
        client()
            .get(url("/api/v1/me"))
            .header("Cookie", "CF_Authorization=not-a-jwt")
            .call(),
    );
    assert_eq!(answer.status, 401);
}

#[test]
fn a_valid_token_for_someone_lockbox_does_not_know_is_403() {
    let answer = get_with_token(
        "/api/v1/me",
        &mint(&dev_claims("stranger@nowhere.example"), DEV_KID),
    );
    assert_eq!(answer.status, 403, "{}", answer.body);
    assert!(answer.body.contains("stranger@nowhere.example"));
}

#[test]
fn signing_in_sets_a_strict_http_only_cookie_and_me_shows_the_roles() {
    let response = post_json("/api/v1/dev/sign-in", &serde_json::json!({ "email": WHO }));
    assert_eq!(response.status, 200);
    let cookie = response.header("set-cookie").unwrap_or_default();
    for attribute in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attribute), "{attribute} missing: {cookie}");
    }

    let me = sign_in(WHO).get("/api/v1/me");
    assert_eq!(me.status, 200, "{}", me.body);
    let me = me.json();
    assert_eq!(me["email"], WHO);
    assert_eq!(me["display_name"], "Alex Wilber");
    assert_eq!(me["membership"]["side"], "customer");
    assert_eq!(me["membership"]["tenant_name"], "Contoso");
    assert_eq!(me["membership"]["roles"], serde_json::json!(["approver"]));
}

#[test]
fn provider_staff_see_their_provider_roles() {
    let me = sign_in("manager@provider.example").get("/api/v1/me").json();
    assert_eq!(me["membership"]["side"], "provider");
    assert_eq!(
        me["membership"]["roles"],
        serde_json::json!(["support_manager"])
    );
}

#[test]
fn signing_in_as_nobody_is_a_clear_404() {
    let answer = lockbox_tests::post_json(
        "/api/v1/dev/sign-in",
        &serde_json::json!({ "email": "nobody@contoso.example" }),
    );
    assert_eq!(answer.status, 404, "{}", answer.body);
    assert!(answer.json()["detail"]
        .as_str()
        .unwrap_or_default()
        .contains("nobody@contoso.example"));
}

#[test]
fn signing_out_clears_the_cookie() {
    let response = post_json("/api/v1/sign-out", &serde_json::json!({}));
    assert_eq!(response.status, 200);
    let cookie = response.header("set-cookie").unwrap_or_default();
    assert!(cookie.starts_with("CF_Authorization=;"), "{cookie}");
    assert!(cookie.contains("Max-Age=0"), "{cookie}");
}

#[test]
fn the_dev_sign_in_does_not_exist_without_the_dev_variable() {
    let (_server, base) = lockbox_tests::prod_like();
    let people = read(client().get(format!("{base}/api/v1/dev/people")).call());
    assert_eq!(people.status, 404, "{}", people.body);
    let sign_in = read(
        client()
            .post(format!("{base}/api/v1/dev/sign-in"))
            .send_json(serde_json::json!({ "email": WHO })),
    );
    assert_eq!(sign_in.status, 404, "{}", sign_in.body);
    assert!(sign_in.headers_lack_cookie());
    // And the same paths do exist on the dev server, so 404 is not a typo.
    assert_eq!(get("/api/v1/dev/people").status, 200);
}

/// A request as the Worker sees one from 203.0.113.7 that names 127.0.0.1 as
/// its host: Cloudflare's edge puts the caller's address in CF-Connecting-IP,
/// and wrangler dev keeps one the client sent.
fn remote<B>(
    request: lockbox_tests::ureq::RequestBuilder<B>,
) -> lockbox_tests::ureq::RequestBuilder<B> {
    request
        .header("Host", "127.0.0.1")
        .header("CF-Connecting-IP", "203.0.113.7")
}

#[test]
fn a_host_header_saying_loopback_does_not_open_the_dev_sign_in_to_a_remote_caller() {
    let people = read(remote(client().get(url("/api/v1/dev/people"))).call());
    assert_eq!(people.status, 404, "{}", people.body);
    assert_eq!(people.content_type, "application/problem+json");
    let signed_in = read(
        remote(client().post(url("/api/v1/dev/sign-in")))
            .send_json(serde_json::json!({ "email": WHO })),
    );
    assert_eq!(signed_in.status, 404, "{}", signed_in.body);
    assert!(signed_in.headers_lack_cookie());
    let shifted = read(
        remote(client().post(url("/api/v1/dev/shift-request"))).send_json(
            serde_json::json!({ "request_id": "0f8fad5b-d9cb-469f-a165-70867728950e", "ms": 1 }),
        ),
    );
    assert_eq!(shifted.status, 404, "{}", shifted.body);
    // The same request from this machine is let in, so 404 is the gate.
    let local = read(
        client()
            .get(url("/api/v1/dev/people"))
            .header("Host", "127.0.0.1")
            .call(),
    );
    assert_eq!(local.status, 200, "{}", local.body);
}
