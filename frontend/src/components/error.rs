//! An API error next to what failed, with a retry where one helps.

use leptos::prelude::*;

use crate::api::ApiError;
use crate::routes::AppRoute;

#[component]
pub fn ErrorBox(error: ApiError, #[prop(optional)] retry: Option<Callback<()>>) -> impl IntoView {
    let signed_out = matches!(error, ApiError::SignedOut);
    let offline = matches!(error, ApiError::Network(_));
    view! {
        <div class="error" role="alert">
            <p>{error.message()}</p>
            {signed_out.then(|| view! { <p><a href=AppRoute::SignIn.path()>{lockbox_shared::text::sign_in(crate::i18n::lang())}</a></p> })}
            {retry.filter(|_| !signed_out).map(|retry| view! {
                <button type="button" on:click=move |_| retry.run(())>
                    {if offline { lockbox_shared::text::retry(crate::i18n::lang()) } else { lockbox_shared::text::try_again(crate::i18n::lang()) }}
                </button>
            })}
        </div>
    }
}

/// The error of one form field, under it: `id` is what the field's
/// `aria-describedby` names. Empty (and silent) while there is none.
#[component]
pub fn FieldError(id: &'static str, message: Signal<Option<String>>) -> impl IntoView {
    view! {
        <p id=id class="field-error" data-testid=id>
            {move || message.get()}
        </p>
    }
}

/// What a field's rule refuses, in the reader's language: the rule's own
/// sentence (English, the most specific) for English readers, else the
/// catalogue's for the field, as for the server's answers.
pub fn invalid_text(invalid: lockbox_shared::validation::Invalid) -> String {
    use lockbox_shared::i18n::Lang;
    use lockbox_shared::problem::ProblemType;
    let lang = crate::i18n::lang();
    if lang == Lang::En {
        invalid.message
    } else {
        lockbox_shared::text::problems::sentence(
            lang,
            Some(ProblemType::InvalidRequest),
            Some(invalid.field),
        )
    }
}
