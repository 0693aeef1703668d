//! Settings > Org settings > Security & Privacy: "Revoke all access now"
//! (the freeze) and Customer Lockbox.

use leptos::prelude::*;
use leptos::task::spawn_local;
use lockbox_shared::api::{ApprovalsSetting, FreezeSetting, LockboxSetting};
use lockbox_shared::policy::Action;
use lockbox_shared::validation::{approvals_phrase, Comment, MAX_APPROVALS_REQUIRED};

use crate::api::{self, ApiError};
use crate::components::dialog::ConfirmDialog;
use crate::components::language_setting::DefaultLanguagePanel;
use crate::components::error::ErrorBox;
use crate::components::focus::focus_later;
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
            <DefaultLanguagePanel/>
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
    let able = setting.able_to_approve;
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
                    approvals_phrase(u8::from(s.required))
                )
            })));
            reload.run(());
        });
    };
    view! {
        <article class="card" aria-labelledby="approvals-title">
            <h2 id="approvals-title">"Approvals required"</h2>
            <p data-testid="approvals-state">"Each request needs " <strong>{approvals_phrase(current)}</strong>
                " from different people at your organisation before access is granted. Any one denial denies it."</p>
            <p class="muted" data-testid="able-to-approve">{format!(
                "{able} {} at your organisation can approve (global admins and Lockbox access approvers).",
                if able == 1 { "person" } else { "people" })}</p>
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
                        {(1..=MAX_APPROVALS_REQUIRED).map(|n| {
                            // More than the people who can approve could never be given.
                            let beyond = u32::from(n) > able;
                            view! {
                                <option value=n.to_string() selected=n == current disabled=beyond>
                                    {if beyond { format!("{} (only {able} can approve)", approvals_phrase(n)) } else { approvals_phrase(n) }}
                                </option>
                            }
                        }).collect_view()}
                    </select>
                    <button type="button" disabled=move || busy.get() || choice.get() == current on:click=save>"Save approvals"</button>
                </div>
            })}
        </article>
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
    if message.get_untracked().is_some() {
        focus_later("[data-testid=freeze-confirmation]");
    }
    let open = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let (busy, set_busy) = signal(false);
    let frozen = freeze.frozen;

    // A refusal (an empty reason here, or the server's) keeps the dialog
    // open with the error in it, next to what must change.
    let dialog_error = RwSignal::new(None::<String>);
    let confirm = Callback::new(move |_| {
        let why = reason.get_untracked().trim().to_owned();
        if !frozen {
            if let Err(invalid) = Comment::parse(&why) {
                dialog_error.set(Some(if why.is_empty() {
                    "Say why you revoke all access: the reason goes to the audit log and to every engineer whose access ends.".to_owned()
                } else {
                    invalid.message
                }));
                focus_later("#freeze-reason");
                return;
            }
        }
        dialog_error.set(None);
        set_busy.set(true);
        spawn_local(async move {
            let result = api::set_freeze(!frozen, (!frozen).then_some(why)).await;
            set_busy.set(false);
            match result {
                Ok(f) => {
                    open.set(false);
                    message.set(Some(Ok(if f.frozen {
                        format!(
                            "All access is revoked: {} live {} ended, {} pending {} denied. Nothing can be approved until you lift the freeze.",
                            f.revoked,
                            if f.revoked == 1 { "grant" } else { "grants" },
                            f.denied,
                            if f.denied == 1 { "request" } else { "requests" },
                        )
                    } else {
                        "The freeze is lifted. Requests can be approved again.".to_owned()
                    })));
                    reload.run(());
                }
                // A refusal changed nothing: the panel stays as it is
                // (reloading it would replace the button the person may be
                // pressing next) and the dialog says why.
                Err(err) => dialog_error.set(Some(err.message())),
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
            {move || (!may_freeze()).then(|| view! {
                <p class="muted" data-testid="freeze-read-only">"Only a global admin can revoke all access or lift a freeze. If you need it, ask one of your organisation's global admins."</p>
            })}
            {move || may_freeze().then(|| view! {
                <button type="button" class=if frozen { "" } else { "deny" }
                    on:click=move |_| { reason.set(String::new()); dialog_error.set(None); message.set(None); open.set(true); }>
                    {if frozen { "Lift the freeze" } else { "Revoke all access now" }}
                </button>
            })}
            <ConfirmDialog open=open title=title confirm_label=confirm_label danger=!frozen busy=busy on_confirm=confirm>
                <p id="freeze-reason-error" class="field-error" role="alert" data-testid="freeze-error">{move || dialog_error.get()}</p>
                {move || if frozen {
                    view! { <p>"Requests can be pre-approved and approved again. Access that was revoked stays revoked."</p> }.into_any()
                } else {
                    view! {
                        <p>"Every engineer loses access to your content immediately; pending requests are denied. Nothing can be approved until a global admin lifts the freeze."</p>
                        <label for="freeze-reason">"Why (required)"</label>
                        <textarea id="freeze-reason" rows="2" aria-required="true"
                            aria-invalid=move || dialog_error.get().is_some().to_string()
                            aria-describedby="freeze-reason-error"
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
    // Drawn anew by the reload a change causes: focus goes back to what
    // the change did.
    if message.get_untracked().is_some() {
        focus_later("#lockbox-outcome > *");
    }
    let editing = RwSignal::new(false);
    let choice = RwSignal::new(setting.enabled);
    let (busy, set_busy) = signal(false);
    let enabled = setting.enabled;

    // Turning the switch off takes the customer out of every decision:
    // that is confirmed first, saying so.
    let confirm_off = RwSignal::new(false);
    let store = Callback::new(move |_| {
        let wanted = choice.get_untracked();
        set_busy.set(true);
        spawn_local(async move {
            let result = api::set_lockbox(wanted).await;
            set_busy.set(false);
            confirm_off.set(false);
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
    });
    let save = move |_| {
        if enabled && !choice.get_untracked() {
            confirm_off.set(true);
        } else {
            store.run(());
        }
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
            <div role="status" aria-live="polite" id="lockbox-outcome">
                {move || message.get().map(|m| match m {
                    Ok(text) => view! { <p class="confirmation" data-testid="confirmation">{text}</p> }.into_any(),
                    Err(err) => view! { <ErrorBox error=err/> }.into_any(),
                })}
            </div>
            {move || if !may_edit() {
                view! { <p class="muted" data-testid="read-only">"You can see this setting. A global admin or a Lockbox access approver can change it."</p> }.into_any()
            } else if !editing.get() {
                view! { <button type="button" on:click=move |_| {
                    choice.set(enabled); message.set(None); editing.set(true); focus_later("#lockbox-switch");
                }>"Edit"</button> }.into_any()
            } else {
                view! {
                    <div class="edit-panel">
                        <label class="switch">
                            <input type="checkbox" role="switch" id="lockbox-switch"
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
            <ConfirmDialog open=confirm_off title=Signal::stored("Turn Customer Lockbox off?".to_owned())
                confirm_label=Signal::stored("Turn off".to_owned()) danger=true busy=busy on_confirm=store>
                <p>"From now on a request the provider's support manager pre-approves is granted at once: nobody at your organisation is asked, and the engineer can open your content for the time asked (up to 4 hours)."</p>
                <p>"Requests waiting for your decision now stay waiting. Every grant is still time-boxed and recorded in the audit log."</p>
            </ConfirmDialog>
        </article>
    }
}
