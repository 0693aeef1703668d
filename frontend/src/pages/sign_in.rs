//! Local sign-in: pick a demo person. In a deployment Cloudflare Access signs
//! people in before the app loads, and this page only says so.

use leptos::prelude::*;
use leptos::task::spawn_local;
use lockbox_shared::api::DevPerson;

use crate::api::{self, ApiError};
use crate::components::router::navigate;
use crate::components::session::use_session;
use crate::i18n::lang;
use crate::routes::home_of;
use lockbox_shared::roles::{CustomerRole, ProviderRole};
use lockbox_shared::text;

#[component]
pub fn SignInPage() -> impl IntoView {
    let people = api::dev_people();
    let session = use_session();
    let (error, set_error) = signal(None::<String>);
    let (busy, set_busy) = signal(false);

    let sign_in = move |email: String| {
        set_busy.set(true);
        set_error.set(None);
        spawn_local(async move {
            match api::dev_sign_in(email).await {
                Ok(me) => {
                    session.me.refetch();
                    // Straight to their home: the session is still being
                    // read again, so `/` would not know them yet.
                    navigate(home_of(&me));
                }
                Err(err) => set_error.set(Some(err.message())),
            }
            set_busy.set(false);
        });
    };

    let l = lang();
    view! {
        <section class="page">
            <h1>{text::sign_in(l)}</h1>
            {move || error.get().map(|msg| view! { <p class="error" role="alert">{msg}</p> })}
            {move || match people.get() {
                    None => view! { <p class="muted">{text::loading(l)}</p> }.into_any(),
                    Some(result) => match result {
                        Ok(people) => {
                                view! {
                                <p class="muted">{text::sign_in_local(l)}</p>
                                <ul class="people">
                                    {people.into_iter().map(|person| person_button(person, sign_in, busy)).collect_view()}
                                </ul>
                            }.into_any()
                        }
                        Err(ApiError::Problem(p)) if p.status == 404 => view! {
                            <p>{text::sign_in_sso(l)}</p>
                        }.into_any(),
                        Err(err) => view! {
                            <div class="error" role="alert">
                                <p>{err.message()}</p>
                                <button type="button" on:click=move |_| people.refetch()>{text::retry(l)}</button>
                            </div>
                        }.into_any(),
                    },
                }}
        </section>
    }
}

fn person_button(
    person: DevPerson,
    sign_in: impl Fn(String) + Copy + 'static,
    busy: ReadSignal<bool>,
) -> impl IntoView {
    let l = lang();
    let org = person
        .tenant_name
        .clone()
        .unwrap_or_else(|| text::provider_organisation(l).to_owned());
    let roles = if person.roles.is_empty() {
        text::no_lockbox_role(l).to_owned()
    } else {
        person
            .roles
            .iter()
            .map(|r| role_shown(r))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let email = person.email.clone();
    view! {
        <li>
            <button type="button" class="person" disabled=move || busy.get()
                on:click=move |_| sign_in(email.clone())>
                <span class="person-name">{person.display_name}</span>
                <span class="person-meta">{format!("{} · {org} · {roles}", person.email)}</span>
            </button>
        </li>
    }
}

/// A role as the server names it to people (its English name) in the
/// reader's language; a name it does not know, as it came.
fn role_shown(name: &str) -> &str {
    let l = lang();
    CustomerRole::ALL
        .iter()
        .find(|r| r.label() == name)
        .map(|r| text::role_name(l, *r))
        .or_else(|| {
            ProviderRole::ALL
                .iter()
                .find(|r| r.label() == name)
                .map(|r| text::provider_role_name(l, *r))
        })
        .unwrap_or(name)
}
