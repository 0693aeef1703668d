//! Local sign-in: pick a demo person. In a deployment Cloudflare Access signs
//! people in before the app loads, and this page only says so.

use leptos::prelude::*;
use leptos::task::spawn_local;
use lockbox_shared::api::DevPerson;

use crate::api::{self, ApiError};
use crate::components::router::navigate;
use crate::components::session::use_session;
use crate::routes::home_of;

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

    view! {
        <section class="page">
            <h1>"Sign in"</h1>
            {move || error.get().map(|msg| view! { <p class="error" role="alert">{msg}</p> })}
            {move || match people.get() {
                    None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                    Some(result) => match result {
                        Ok(people) => {
                                view! {
                                <p class="muted">"Local development: choose who to be. Your sign-in lasts one hour."</p>
                                <ul class="people">
                                    {people.into_iter().map(|person| person_button(person, sign_in, busy)).collect_view()}
                                </ul>
                            }.into_any()
                        }
                        Err(ApiError::Problem(p)) if p.status == 404 => view! {
                            <p>"Sign-in is handled by your organisation's single sign-on (Cloudflare Access). Open Lockbox from your sign-in portal."</p>
                        }.into_any(),
                        Err(err) => view! {
                            <div class="error" role="alert">
                                <p>{err.message()}</p>
                                <button type="button" on:click=move |_| people.refetch()>"Retry"</button>
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
    let org = person
        .tenant_name
        .clone()
        .unwrap_or_else(|| "Provider".to_owned());
    let roles = if person.roles.is_empty() {
        "No Lockbox role".to_owned()
    } else {
        person.roles.join(", ")
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
