//! Who is calling, when it is a provider service and not a person: an
//! assertion the service signed with one of its registered Ed25519 keys
//! (`Authorization: Bearer …`), or a Cloudflare Access service token whose
//! `common_name` a registration names. Every refusal is the same 401 to
//! the caller; its reason is counted for the integration admins and logged.

use lockbox_provider::assertion::{self, AssertionClaims};
use lockbox_provider::jose;
use lockbox_shared::integration::RegisteredService;
use serde::Deserialize;
use worker::{console_warn, Request};

use crate::config::App;
use crate::error::AppError;
use crate::service::integration::service_key;
use crate::store::{services, Database};

/// The bearer token of `Authorization`, if any.
fn bearer(req: &Request) -> Option<String> {
    let value = req.headers().get("Authorization").ok().flatten()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
        .filter(|t| !t.is_empty())
}

#[derive(Deserialize)]
struct Issuer {
    #[serde(default)]
    iss: String,
}

/// Refuses the call, counting `reason`.
async fn refuse(app: &App, reason: &str, now_ms: i64) -> AppError {
    console_warn!("service call refused: {reason}");
    // Counting is best effort: a failed count never turns a 401 into a 500.
    let _ = app
        .db
        .batch(vec![services::count_refusal(reason, now_ms)])
        .await;
    AppError::ServiceUnauthenticated {
        reason: reason.to_owned(),
    }
}

/// The registered service making this call.
pub async fn authenticate(
    req: &Request,
    app: &App,
    now_ms: i64,
) -> Result<RegisteredService, AppError> {
    match bearer(req) {
        Some(token) => by_assertion(&token, app, now_ms).await,
        None => by_access_token(req, app, now_ms).await,
    }
}

async fn by_assertion(token: &str, app: &App, now_ms: i64) -> Result<RegisteredService, AppError> {
    let parts = match jose::split(token, assertion::TYP) {
        Ok(parts) => parts,
        Err(jose::JoseError::Algorithm(_)) => return Err(refuse(app, "algorithm", now_ms).await),
        Err(jose::JoseError::Type(_)) => return Err(refuse(app, "type", now_ms).await),
        Err(_) => return Err(refuse(app, "malformed", now_ms).await),
    };
    let Ok(Issuer { iss }) = parts.peek::<Issuer>() else {
        return Err(refuse(app, "malformed", now_ms).await);
    };
    let Some(service) = services::by_id(&*app.db, &iss).await? else {
        return Err(refuse(app, "unknown-service", now_ms).await);
    };
    let Some(key) = service_key(&service, &parts.kid) else {
        return Err(refuse(app, "unknown-key", now_ms).await);
    };
    let Ok(claims) = parts.verify::<AssertionClaims>(&key) else {
        return Err(refuse(app, "signature", now_ms).await);
    };
    if let Err(why) = claims.check(
        &service.registration.id,
        &app.issuer,
        now_ms.div_euclid(1000),
    ) {
        return Err(refuse(app, why.as_str(), now_ms).await);
    }
    let seen = app
        .db
        .batch(vec![services::remember_assertion(
            &service.registration.id,
            &claims.jti,
            claims.exp.saturating_mul(1000),
        )])
        .await?;
    if seen.first() != Some(&1) {
        return Err(refuse(app, "replay", now_ms).await);
    }
    Ok(service)
}

async fn by_access_token(
    req: &Request,
    app: &App,
    now_ms: i64,
) -> Result<RegisteredService, AppError> {
    let Some(token) = crate::auth::token_of(req) else {
        return Err(refuse(app, "no-assertion", now_ms).await);
    };
    let Ok(verifier) = app.verifier.as_ref() else {
        return Err(refuse(app, "no-access-verifier", now_ms).await);
    };
    let claims = match verifier.verify(&token, now_ms).await {
        Ok(claims) => claims,
        Err(_) => return Err(refuse(app, "access-token", now_ms).await),
    };
    // A person's token is not a service's, whatever else it carries.
    let common_name = match (&claims.email, &claims.common_name) {
        (None, Some(cn)) if !cn.trim().is_empty() => cn.trim().to_owned(),
        _ => return Err(refuse(app, "person-token", now_ms).await),
    };
    match services::by_common_name(&*app.db, &common_name).await? {
        Some(service) => Ok(service),
        None => Err(refuse(app, "unknown-service", now_ms).await),
    }
}
