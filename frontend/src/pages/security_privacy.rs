//! Settings > Org settings > Security & Privacy: "Revoke all access now"
//! (the freeze) and Customer Lockbox.

use leptos::prelude::*;
use leptos::task::spawn_local;
use lockbox_shared::api::{ApprovalsSetting, FreezeSetting, LockboxSetting};
use lockbox_shared::policy::Action;
use lockbox_shared::validation::{MAX_APPROVALS_REQUIRED, MAX_COMMENT_CHARS};

use crate::api::{self, ApiError};
use crate::components::dialog::ConfirmDialog;
use crate::components::error::ErrorBox;
use crate::components::session::use_session;
use crate::components::time::LocalTime;

#[component]
pub fn SecurityPrivacyPage() -> impl IntoView {
    let setting = api::lockbox_setting();
    let freeze = api::freeze_setting();
    let approvals = api::approvals_setting();
    let approvals_message = RwSignal::new(None::<Result<String, ApiError>>);
    // Kept by the page so the confirmation outlives the reload it causes.
    let message = RwSignal::new(None::<Result<String, ApiError>>);
    let freeze_message = RwSignal::new(None::<Result<String, ApiError>>);
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
            // Read by the same people as the switch: when the switch could
            // not be read, its error above says why for all three.
            {move || match (setting.get(), approvals.get()) {
                    (Some(Ok(_)), Some(Ok(a))) => view! { <ApprovalsPanel setting=a message=approvals_message reload=Callback::new(move |_| approvals.refetch())/> }.into_any(),
                    (Some(Ok(_)), Some(Err(err))) => view! { <ErrorBox error=err retry=Callback::new(move |_| approvals.refetch())/> }.into_any(),
                    _ => ().into_any(),
                }}
            {move || match (setting.get(), freeze.get()) {
                    (Some(Ok(_)), Some(Ok(f))) => view! { <FreezePanel freeze=f message=freeze_message reload=Callback::new(move |_| freeze.refetch())/> }.into_any(),
                    (Some(Ok(_)), Some(Err(err))) => view! { <ErrorBox error=err retry=Callback::new(move |_| freeze.refetch())/> }.into_any(),
                    _ => ().into_any(),
                }}
        </section>
    }
}

/// How many people must approve a request (1 to 3): global admins set it.
#[component]
fn ApprovalsPanel(
    setting: ApprovalsSetting,
    message: RwSignal<Option<Result<String, ApiError>>>,
    reload: Callback<()>,
) -> impl IntoView {
    let session = use_session();
    let may_edit = move || session.may(Action::SetApprovalsRequired);
    let current = u8::from(setting.required);
    let choice = RwSignal::new(current);
    let (busy, set_busy) = signal(false);
    let save = move |_| {
        let wanted = choice.get_untracked();
        set_busy.set(true);
        spawn_local(async move {
            let result = api::set_approvals(i64::from(wanted)).await;
            set_busy.set(false);
            message.set(Some(result.map(|s| {
                format!(
                    "Saved. Requests that become pending from now on need {}. Requests already waiting keep theirs.",
                    approvals_text(u8::from(s.required))
                )
            })));
            reload.run(());
        });
    };
    view! {
        <article class="card" aria-labelledby="approvals-title">
            <h2 id="approvals-title">"Approvals required"</h2>
            <p data-testid="approvals-state">"Each request needs " <strong>{approvals_text(current)}</strong>
                " from different people at your organisation before access is granted. Any one denial denies it."</p>
            <div role="status" aria-live="polite">
                {move || message.get().map(|m| match m {
                    Ok(text) => view! { <p class="confirmation" data-testid="approvals-confirmation">{text}</p> }.into_any(),
                    Err(err) => view! { <ErrorBox error=err/> }.into_any(),
                })}
            </div>
            {move || may_edit().then(|| view! {
                <div class="add-holder">
                    <label for="approvals-required">"Approvals per request"</label>
                    <select id="approvals-required" on:change=move |ev| {
                        choice.set(event_target_value(&ev).parse().unwrap_or(current));
                    }>
                        {(1..=MAX_APPROVALS_REQUIRED).map(|n| view! {
                            <option value=n.to_string() selected=n == current>{approvals_text(n)}</option>
                        }).collect_view()}
                    </select>
                    <button type="button" disabled=move || busy.get() || choice.get() == current on:click=save>"Save approvals"</button>
                </div>
            })}
        </article>
    }
}

fn approvals_text(n: u8) -> String {
    if n == 1 {
        "1 approval".to_owned()
    } else {
        format!("{n} approvals")
    }
}

/// "Revoke all access now": the freeze, with its confirmation; while in
/// force, who froze it, when and why, and lifting it.
#[component]
fn FreezePanel(
    freeze: FreezeSetting,
    message: RwSignal<Option<Result<String, ApiError>>>,
    reload: Callback<()>,
) -> impl IntoView {
    let session = use_session();
    let may_freeze = move || session.may(Action::FreezeTenant);
    let open = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let (busy, set_busy) = signal(false);
    let frozen = freeze.frozen;

    let confirm = Callback::new(move |_| {
        let why = reason.get_untracked().trim().to_owned();
        set_busy.set(true);
        spawn_local(async move {
            let result = api::set_freeze(!frozen, (!frozen).then_some(why)).await;
            set_busy.set(false);
            open.set(false);
            // A refusal changed nothing: keep the panel as it is (reloading
            // it would replace the button the person may be pressing next).
            let changed = result.is_ok();
            message.set(Some(result.map(|f| {
                if f.frozen {
                    format!(
                        "All access is revoked: {} live {} ended, {} pending {} denied. Nothing can be approved until you lift the freeze.",
                        f.revoked,
                        if f.revoked == 1 { "grant" } else { "grants" },
                        f.denied,
                        if f.denied == 1 { "request" } else { "requests" },
                    )
                } else {
                    "The freeze is lifted. Requests can be approved again.".to_owned()
                }
            })));
            if changed {
                reload.run(());
            }
        });
    });
    let title = Signal::derive(move || {
        if frozen {
            "Lift the freeze?"
        } else {
            "Revoke all access now?"
        }
        .to_owned()
    });
    let confirm_label = Signal::derive(move || {
        if frozen {
            "Lift the freeze"
        } else {
            "Revoke all access"
        }
        .to_owned()
    });

    view! {
        <article class=if frozen { "card frozen" } else { "card" } aria-labelledby="freeze-title">
            <h2 id="freeze-title">"Revoke all access now"</h2>
            {if frozen {
                view! {
                    <p data-testid="freeze-state"><strong>"Frozen."</strong>" No grant opens your content and no request can be approved."</p>
                    <p class="muted">"Since "
                        {freeze.frozen_at.map(|at| view! { <LocalTime ms=at/> })}
                        " by " {freeze.frozen_by.clone().unwrap_or_default()}
                        {freeze.reason.clone().map(|r| format!(": {r}"))}</p>
                }.into_any()
            } else {
                view! {
                    <p data-testid="freeze-state">"Ends every live grant and denies every pending request at once, and stops any new approval until you lift it."</p>
                }.into_any()
            }}
            <div role="status" aria-live="polite">
                {move || message.get().map(|m| match m {
                    Ok(text) => view! { <p class="confirmation" data-testid="freeze-confirmation">{text}</p> }.into_any(),
                    Err(err) => view! { <ErrorBox error=err/> }.into_any(),
                })}
            </div>
            {move || may_freeze().then(|| view! {
                <button type="button" class=if frozen { "" } else { "deny" }
                    on:click=move |_| { reason.set(String::new()); message.set(None); open.set(true); }>
                    {if frozen { "Lift the freeze" } else { "Revoke all access now" }}
                </button>
            })}
            <ConfirmDialog open=open title=title confirm_label=confirm_label danger=!frozen busy=busy on_confirm=confirm>
                {move || if frozen {
                    view! { <p>"Requests can be pre-approved and approved again. Access that was revoked stays revoked."</p> }.into_any()
                } else {
                    view! {
                        <p>"Every engineer loses access to your content immediately; pending requests are denied. Nothing can be approved until a global admin lifts the freeze."</p>
                        <label for="freeze-reason">"Why (required)"</label>
                        <textarea id="freeze-reason" rows="2" maxlength=MAX_COMMENT_CHARS required
                            prop:value=move || reason.get()
                            on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                    }.into_any()
                }}
            </ConfirmDialog>
        </article>
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
