//! The frame around every page: product name, navigation, who is signed in.

use leptos::prelude::*;
use leptos::task::spawn_local;

use lockbox_shared::i18n::Lang;
use lockbox_shared::text;

use crate::api::{self, ApiError};
use crate::components::router::{navigate, NavLink};
use crate::components::session::use_session;
use crate::i18n::{lang, switch_to};
use crate::routes::{nav_for, AppRoute};

/// The places the signed-in person's roles use; none while signed out.
#[component]
fn MainNav() -> impl IntoView {
    let session = use_session();
    move || {
        let me = session.me.get().and_then(|me| me.ok());
        let places = nav_for(me.as_ref());
        (!places.is_empty()).then(|| {
            view! {
                <nav class="shell-nav" aria-label=text::main_navigation(lang())>
                    {places.into_iter().map(|(href, label)| view! {
                        <NavLink href=href>{label}</NavLink>
                    }).collect_view()}
                </nav>
            }
        })
    }
}

#[component]
pub fn Shell(children: Children) -> impl IntoView {
    view! {
        <header class="shell-header">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"▣"</span>
                "Lockbox"
            </a>
            <MainNav/>
            <WhoIsSignedIn/>
        </header>
        <main class="shell-main">{children()}</main>
    }
}

#[component]
fn WhoIsSignedIn() -> impl IntoView {
    let session = use_session();
    let (error, set_error) = signal(None::<String>);
    let sign_out = move |_| {
        spawn_local(async move {
            match api::sign_out().await {
                Ok(signed_out) => {
                    if let Some(url) = signed_out.sign_out_url {
                        // Cloudflare Access ends the single sign-on session.
                        let _ = window().location().set_href(&url);
                        return;
                    }
                    session.me.refetch();
                    navigate(AppRoute::SignIn.path());
                }
                Err(err) => set_error.set(Some(err.message())),
            }
        });
    };
    view! {
        <div class="who">
                <LanguageMenu/>
                {move || session.me.get().map(|me| match me {
                    Ok(me) => {
                        let roles = lockbox_shared::screen::who_roles(lang(), &me);
                        view! {
                            <span class="who-text">
                                <span class="who-name" data-testid="who-name">{me.principal.display_name.clone()}</span>
                                <span class="who-roles" data-testid="who-roles">{roles}</span>
                            </span>
                            <button type="button" class="secondary" on:click=sign_out>{text::sign_out(lang())}</button>
                        }.into_any()
                    }
                    Err(ApiError::SignedOut) => view! {
                        <a class="sign-in-link" href=AppRoute::SignIn.path()>{text::sign_in(lang())}</a>
                    }.into_any(),
                    Err(err) => view! { <span class="who-error">{err.message()}</span> }.into_any(),
                })}
            {move || error.get().map(|msg| view! { <span class="who-error" role="alert">{msg}</span> })}
        </div>
    }
}

/// The language menu, on every page (signed in or not): each language by
/// its code, named in itself for screen readers and on hover.
#[component]
fn LanguageMenu() -> impl IntoView {
    let current = lang();
    let session = crate::components::session::use_session();
    view! {
        <label class="language">
            <span class="visually-hidden">{text::language(current)}</span>
            <select data-testid="language" title=text::language(current) on:change=move |ev| {
                if let Some(chosen) = Lang::parse(&event_target_value(&ev)) {
                    if chosen != current {
                        let signed_in = session.may(lockbox_shared::policy::Action::ChooseOwnLanguage);
                        switch_to(chosen, signed_in);
                    }
                }
            }>
                {Lang::ALL.iter().map(|l| view! {
                    <option value=l.as_str() lang=l.as_str() title=l.endonym() aria-label=l.endonym() selected=*l == current>{l.as_str().to_ascii_uppercase()}</option>
                }).collect_view()}
            </select>
        </label>
    }
}
