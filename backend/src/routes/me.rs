//! `GET /api/v1/me`: who the caller is, what roles they hold and which
//! language they read; `POST /api/v1/me/language`: their own choice of it.

use lockbox_shared::api::Me;
use lockbox_shared::i18n::Lang;
use lockbox_shared::policy::{authorize, Action};
use lockbox_shared::roles::Principal;
use lockbox_shared::validation::Invalid;
use worker::Response;

use crate::config::App;
use crate::error::AppError;
use crate::routes::{json, Call};
use crate::store::people;

/// What `/me` answers for `principal`.
pub async fn me(app: &App, principal: Principal) -> Result<Me, AppError> {
    let languages = people::languages(&app.db, &principal.user_id).await?;
    let sign_out_url = app.verifier.as_ref().ok().and_then(|v| v.sign_out_url());
    Ok(Me {
        principal,
        sign_out_url,
        language: languages.language,
        tenant_language: languages.tenant_language,
    })
}

pub async fn get(app: &App, principal: &Principal) -> Result<Response, AppError> {
    authorize(principal, Action::ReadOwnProfile, None)?;
    json(&me(app, principal.clone()).await?, 200)
}

pub async fn set_language(
    app: &App,
    principal: &Principal,
    call: &Call,
) -> Result<Response, AppError> {
    authorize(principal, Action::ChooseOwnLanguage, None)?;
    let language = language_of(call, true)?;
    people::set_language(&app.db, &principal.user_id, language).await?;
    json(&me(app, principal.clone()).await?, 200)
}

/// The `language` of a call's body: a tag Lockbox speaks, or `null` where
/// `may_clear` (removing a choice). A missing or unknown one is refused
/// with a sentence naming the field.
pub fn language_of(call: &Call, may_clear: bool) -> Result<Option<Lang>, AppError> {
    let input: serde_json::Map<String, serde_json::Value> = call.json()?;
    match input.get("language") {
        Some(serde_json::Value::String(tag)) => {
            Ok(Some(Lang::chosen(tag).map_err(AppError::invalid)?))
        }
        Some(serde_json::Value::Null) if may_clear => Ok(None),
        _ => Err(AppError::invalid(Invalid {
            field: "language",
            message: if may_clear {
                "Send {\"language\": \"en\"} or {\"language\": \"it\"}, or {\"language\": null} \
                 to go back to your browser's language."
            } else {
                "Send {\"language\": \"en\"} or {\"language\": \"it\"}."
            }
            .to_owned(),
        })),
    }
}
