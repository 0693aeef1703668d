//! Security & Privacy: the organisation's default language (what its
//! people who chose none get by e-mail, and see when their browser asks
//! for a language Lockbox does not speak). Global admins change it.

use leptos::prelude::*;
use leptos::task::spawn_local;
use lockbox_shared::i18n::Lang;
use lockbox_shared::policy::Action;
use lockbox_shared::text;

use crate::api::{self, ApiError};
use crate::components::error::ErrorBox;
use crate::components::session::use_session;
use crate::i18n::lang;

/// The panel, reading the setting itself.
#[component]
pub fn DefaultLanguagePanel() -> impl IntoView {
    let setting = api::language_setting();
    let message = RwSignal::new(None::<Result<String, ApiError>>);
    view! {
        {move || match setting.get() {
            Some(Ok(s)) => view! {
                <LanguageForm current=s.language message=message reload=Callback::new(move |_| setting.refetch())/>
            }.into_any(),
            Some(Err(err)) => view! { <ErrorBox error=err retry=Callback::new(move |_| setting.refetch())/> }.into_any(),
            None => ().into_any(),
        }}
    }
}

#[component]
fn LanguageForm(
    current: Lang,
    message: RwSignal<Option<Result<String, ApiError>>>,
    reload: Callback<()>,
) -> impl IntoView {
    let session = use_session();
    let may_edit = move || session.may(Action::SetDefaultLanguage);
    let choice = RwSignal::new(current);
    let (busy, set_busy) = signal(false);
    let save = move |_| {
        let wanted = choice.get_untracked();
        set_busy.set(true);
        spawn_local(async move {
            let result = api::set_default_language(wanted).await;
            set_busy.set(false);
            message.set(Some(result.map(|s| {
                text::default_language_saved(lang(), s.language.endonym())
            })));
            reload.run(());
        });
    };
    view! {
        <article class="card" aria-labelledby="language-title">
            <h2 id="language-title">{text::default_language_title(lang())}</h2>
            <p>{text::default_language_intro(lang())}</p>
            <p data-testid="language-state">{text::default_language_now(lang())}<strong lang=current.as_str()>{current.endonym()}</strong></p>
            <div role="status" aria-live="polite">
                {move || message.get().map(|m| match m {
                    Ok(text) => view! { <p class="confirmation" data-testid="language-confirmation">{text}</p> }.into_any(),
                    Err(err) => view! { <ErrorBox error=err/> }.into_any(),
                })}
            </div>
            {move || may_edit().then(|| view! {
                <div class="add-holder">
                    <label for="default-language">{text::default_language_field(lang())}</label>
                    <select id="default-language" on:change=move |ev| {
                        if let Some(chosen) = Lang::parse(&event_target_value(&ev)) {
                            choice.set(chosen);
                        }
                    }>
                        {Lang::ALL.iter().map(|l| view! {
                            <option value=l.as_str() lang=l.as_str() selected=*l == current>{l.endonym()}</option>
                        }).collect_view()}
                    </select>
                    <button type="button" disabled=move || busy.get() || choice.get() == current on:click=save>
                        {text::default_language_save(lang())}
                    </button>
                </div>
            })}
        </article>
    }
}
