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
use crate::service::integration::{self, service_key, Unspent};
use crate::store::{services, Database, Statement};
use serde_json::Value;

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

/// The registered service making this call, its assertion remembered (a
/// replay is refused).
pub async fn authenticate(
    req: &Request,
    app: &App,
    now_ms: i64,
) -> Result<RegisteredService, AppError> {
    let (service, unspent, _) = authenticate_and(req, app, now_ms, Vec::new()).await?;
    integration::spend(&app.db, unspent, now_ms).await?;
    Ok(service)
}

/// The registered service making this call, and the rows of `then`
/// (as JSON, for `store::db::decode`) read in the same round trip, which
/// must not depend on who calls. An assertion's id comes back unspent:
/// the caller remembers it in its own write, or spends it before it does
/// anything else ([`integration::Unspent`]).
pub async fn authenticate_and(
    req: &Request,
    app: &App,
    now_ms: i64,
    then: Vec<Statement>,
) -> Result<(RegisteredService, Option<Unspent>, Vec<Vec<Value>>), AppError> {
    match bearer(req) {
        Some(token) => by_assertion(&token, app, now_ms, then).await,
        None => by_access_token(req, app, now_ms, then).await,
    }
}

/// The service `first` finds, and the rows of the statements after it, in
/// one round trip.
async fn service_and(
    app: &App,
    first: Statement,
    then: Vec<Statement>,
) -> Result<(Option<RegisteredService>, Vec<Vec<Value>>), AppError> {
    let mut statements = vec![first];
    statements.extend(then);
    let mut sets = app.db.query_batch(statements).await?.into_iter();
    let service = services::service_from(sets.next().unwrap_or_default())?;
    Ok((service, sets.collect()))
}

async fn by_assertion(
    token: &str,
    app: &App,
    now_ms: i64,
    then: Vec<Statement>,
) -> Result<(RegisteredService, Option<Unspent>, Vec<Vec<Value>>), AppError> {
    let parts = match jose::split(token, assertion::TYP) {
        Ok(parts) => parts,
        Err(jose::JoseError::Algorithm(_)) => return Err(refuse(app, "algorithm", now_ms).await),
        Err(jose::JoseError::Type(_)) => return Err(refuse(app, "type", now_ms).await),
        Err(_) => return Err(refuse(app, "malformed", now_ms).await),
    };
    let Ok(Issuer { iss }) = parts.peek::<Issuer>() else {
        return Err(refuse(app, "malformed", now_ms).await);
    };
    let (service, rows) = service_and(app, services::by_id_statement(&iss), then).await?;
    let Some(service) = service else {
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
    let unspent = Unspent {
        service: service.registration.id.clone(),
        jti: claims.jti,
        expires_at: claims.exp.saturating_mul(1000),
    };
    Ok((service, Some(unspent), rows))
}

async fn by_access_token(
    req: &Request,
    app: &App,
    now_ms: i64,
    then: Vec<Statement>,
) -> Result<(RegisteredService, Option<Unspent>, Vec<Vec<Value>>), AppError> {
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
    match service_and(app, services::by_common_name_statement(&common_name), then).await? {
        (Some(service), rows) => Ok((service, None, rows)),
        (None, _) => Err(refuse(app, "unknown-service", now_ms).await),
    }
}
