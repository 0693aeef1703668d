//! Settings > Org settings > Security & Privacy > Customer Lockbox.

use leptos::prelude::*;
use leptos::task::spawn_local;
use lockbox_shared::api::LockboxSetting;
use lockbox_shared::policy::Action;

use crate::api::{self, ApiError};
use crate::components::error::ErrorBox;
use crate::components::session::use_session;
use crate::components::time::LocalTime;

#[component]
pub fn SecurityPrivacyPage() -> impl IntoView {
    let setting = api::lockbox_setting();
    // Kept by the page so the confirmation outlives the reload it causes.
    let message = RwSignal::new(None::<Result<String, ApiError>>);
    view! {
        <section class="page">
            <p class="crumbs">"Settings › Org settings"</p>
            <h1>"Security & Privacy"</h1>
            {move || match setting.get() {
                    None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                    Some(result) => match result {
                        Ok(s) => view! { <LockboxPanel setting=s message=message reload=Callback::new(move |_| setting.refetch())/> }.into_any(),
                        Err(err) => view! { <ErrorBox error=err retry=Callback::new(move |_| setting.refetch())/> }.into_any(),
                    },
                }}
        </section>
    }
}

#[component]
fn LockboxPanel(
    setting: LockboxSetting,
    message: RwSignal<Option<Result<String, ApiError>>>,
    reload: Callback<()>,
) -> impl IntoView {
    let session = use_session();
    let may_edit = move || session.may(Action::SetLockboxSetting);
    let editing = RwSignal::new(false);
    let choice = RwSignal::new(setting.enabled);
    let (busy, set_busy) = signal(false);
    let enabled = setting.enabled;

    let save = move |_| {
        let wanted = choice.get_untracked();
        set_busy.set(true);
        spawn_local(async move {
            let result = api::set_lockbox(wanted).await;
            set_busy.set(false);
            message.set(Some(result.map(|s| {
                if s.enabled {
                    "Saved. Customer Lockbox is on: every data access request needs approval."
                        .to_owned()
                } else {
                    "Saved. Customer Lockbox is off: access requests no longer need your approval."
                        .to_owned()
                }
            })));
            editing.set(false);
            reload.run(());
        });
    };

    view! {
        <article class="card" aria-labelledby="lockbox-title">
            <h2 id="lockbox-title">"Customer Lockbox"</h2>
            <p>"Require approval for all data access requests: "
                <strong data-testid="lockbox-state">{if enabled { "On" } else { "Off" }}</strong></p>
            <p class="muted">
                {match (setting.changed_by.clone(), setting.changed_at) {
                    (Some(by), Some(at)) => view! { "Last changed by " {by} " on " <LocalTime ms=at/> "." }.into_any(),
                    _ => view! { "Not changed since the organisation was set up." }.into_any(),
                }}
            </p>
            <div role="status" aria-live="polite">
                {move || message.get().map(|m| match m {
                    Ok(text) => view! { <p class="confirmation" data-testid="confirmation">{text}</p> }.into_any(),
                    Err(err) => view! { <ErrorBox error=err/> }.into_any(),
                })}
            </div>
            {move || if !may_edit() {
                view! { <p class="muted" data-testid="read-only">"You can see this setting. A global admin or a Lockbox access approver can change it."</p> }.into_any()
            } else if !editing.get() {
                view! { <button type="button" on:click=move |_| { choice.set(enabled); message.set(None); editing.set(true); }>"Edit"</button> }.into_any()
            } else {
                view! {
                    <div class="edit-panel">
                        <label class="switch">
                            <input type="checkbox" role="switch"
                                prop:checked=move || choice.get()
                                on:change=move |ev| choice.set(event_target_checked(&ev))/>
                            "Require approval for all data access requests"
                        </label>
                        <div class="edit-actions">
                            <button type="button" disabled=move || busy.get() on:click=save>
                                {move || if busy.get() { "Saving…" } else { "Save" }}
                            </button>
                            <button type="button" class="secondary-dark" on:click=move |_| editing.set(false)>"Cancel"</button>
                        </div>
                    </div>
                }.into_any()
            }}
        </article>
    }
}
