//! Settings > Org settings > Security & Privacy: "Revoke all access now"
//! (the freeze) and Customer Lockbox.

use leptos::prelude::*;
use leptos::task::spawn_local;
use lockbox_shared::api::{ApprovalsSetting, FreezeSetting, LockboxSetting};
use lockbox_shared::policy::Action;
use lockbox_shared::text;
use lockbox_shared::validation::{Comment, MAX_APPROVALS_REQUIRED};

use crate::api::{self, ApiError};
use crate::components::dialog::ConfirmDialog;
use crate::components::error::{invalid_text, ErrorBox};
use crate::components::focus::focus_later;
use crate::components::language_setting::DefaultLanguagePanel;
use crate::components::session::use_session;
use crate::components::time::LocalTime;
use crate::i18n::lang;

/// "1 approval", "2 approvals", in the reader's language.
fn approvals_phrase(n: u8) -> String {
    text::approvals_phrase(lang(), i64::from(n))
}

#[component]
pub fn SecurityPrivacyPage() -> impl IntoView {
    let setting = api::lockbox_setting();
    // The language panel shows once the settings could be read (by the
    // same people), and stays while they are read again.
    let readable = Memo::new(move |before: Option<&bool>| {
        before.copied().unwrap_or(false) || matches!(setting.get(), Some(Ok(_)))
    });
    let freeze = api::freeze_setting();
    let approvals = api::approvals_setting();
    let approvals_message = RwSignal::new(None::<Result<String, ApiError>>);
    let emergency = api::emergency_setting();
    let emergency_message = RwSignal::new(None::<Result<String, ApiError>>);
    // Kept by the page so the confirmation outlives the reload it causes.
    let message = RwSignal::new(None::<Result<String, ApiError>>);
    let freeze_message = RwSignal::new(None::<Result<String, ApiError>>);
    let l = lang();
    view! {
        <section class="page">
            <p class="crumbs">{text::crumbs_org_settings(l)}</p>
            <h1>{text::security_privacy(l)}</h1>
            {move || match setting.get() {
                    None => view! { <p class="muted">{text::loading(l)}</p> }.into_any(),
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
            {move || match (setting.get(), emergency.get()) {
                    (Some(Ok(_)), Some(Ok(e))) => view! { <EmergencyPanel setting=e message=emergency_message reload=Callback::new(move |_| emergency.refetch())/> }.into_any(),
                    (Some(Ok(_)), Some(Err(err))) => view! { <ErrorBox error=err retry=Callback::new(move |_| emergency.refetch())/> }.into_any(),
                    _ => ().into_any(),
                }}
            {move || match (setting.get(), freeze.get()) {
                    (Some(Ok(_)), Some(Ok(f))) => view! { <FreezePanel freeze=f message=freeze_message reload=Callback::new(move |_| freeze.refetch())/> }.into_any(),
                    (Some(Ok(_)), Some(Err(err))) => view! { <ErrorBox error=err retry=Callback::new(move |_| freeze.refetch())/> }.into_any(),
                    _ => ().into_any(),
                }}
            {move || readable.get().then(|| view! { <DefaultLanguagePanel/> })}
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
                text::approvals_saved(lang(), &approvals_phrase(u8::from(s.required)))
            })));
            reload.run(());
        });
    };
    let l = lang();
    view! {
        <article class="card" aria-labelledby="approvals-title">
            <h2 id="approvals-title">{text::approvals_title(l)}</h2>
            <p data-testid="approvals-state">{text::approvals_state_before(l)} <strong>{approvals_phrase(current)}</strong>
                {text::approvals_state_after(l)}</p>
            <p class="muted" data-testid="able-to-approve">{text::able_to_approve(l, i64::from(able))}</p>
            <div role="status" aria-live="polite">
                {move || message.get().map(|m| match m {
                    Ok(text) => view! { <p class="confirmation" data-testid="approvals-confirmation">{text}</p> }.into_any(),
                    Err(err) => view! { <ErrorBox error=err/> }.into_any(),
                })}
            </div>
            {move || may_edit().then(|| view! {
                <div class="add-holder">
                    <label for="approvals-required">{text::approvals_per_request(l)}</label>
                    <select id="approvals-required" on:change=move |ev| {
                        choice.set(event_target_value(&ev).parse().unwrap_or(current));
                    }>
                        {(1..=MAX_APPROVALS_REQUIRED).map(|n| {
                            // More than the people who can approve could never be given.
                            let beyond = u32::from(n) > able;
                            view! {
                                <option value=n.to_string() selected=n == current disabled=beyond>
                                    {if beyond { text::approvals_beyond(l, &approvals_phrase(n), i64::from(able)) } else { approvals_phrase(n) }}
                                </option>
                            }
                        }).collect_view()}
                    </select>
                    <button type="button" disabled=move || busy.get() || choice.get() == current on:click=save>{text::save_approvals(l)}</button>
                </div>
            })}
        </article>
    }
}

/// Emergency (break-glass) access: allowed with review, or off; whether
/// it may read content; whether a dispute freezes. Global admins set it.
#[component]
fn EmergencyPanel(
    setting: lockbox_shared::api::EmergencySetting,
    message: RwSignal<Option<Result<String, ApiError>>>,
    reload: Callback<()>,
) -> impl IntoView {
    let session = use_session();
    let may_edit = move || session.may(Action::SetEmergencyAccess);
    let allowed = RwSignal::new(setting.allowed);
    let content = RwSignal::new(setting.content);
    let freezes = RwSignal::new(setting.dispute_freezes);
    let (busy, set_busy) = signal(false);
    let unchanged = move || {
        (allowed.get(), content.get(), freezes.get())
            == (setting.allowed, setting.content, setting.dispute_freezes)
    };
    let save = move |_| {
        let wanted = lockbox_shared::api::SetEmergency {
            allowed: allowed.get_untracked(),
            content: content.get_untracked(),
            dispute_freezes: freezes.get_untracked(),
        };
        set_busy.set(true);
        spawn_local(async move {
            let result = api::set_emergency(wanted).await;
            set_busy.set(false);
            message.set(Some(
                result.map(|_| text::emergency_saved(lang()).to_owned()),
            ));
            reload.run(());
        });
    };
    let l = lang();
    let state = if setting.allowed {
        text::emergency_state_allowed(l)
    } else {
        text::emergency_state_off(l)
    };
    view! {
        <article class="card" aria-labelledby="emergency-title">
            <h2 id="emergency-title">{text::emergency_title(l)}</h2>
            <p data-testid="emergency-state">{state}</p>
            <p class="muted">{text::emergency_rules(l)}</p>
            <div role="status" aria-live="polite">
                {move || message.get().map(|m| match m {
                    Ok(text) => view! { <p class="confirmation" data-testid="emergency-confirmation">{text}</p> }.into_any(),
                    Err(err) => view! { <ErrorBox error=err/> }.into_any(),
                })}
            </div>
            {move || may_edit().then(|| view! {
                <fieldset class="emergency-choice">
                    <legend>{text::emergency_choices(l)}</legend>
                    <label class="check"><input type="checkbox" id="emergency-allowed" prop:checked=move || allowed.get()
                        on:change=move |ev| allowed.set(event_target_checked(&ev))/>{text::emergency_allowed_label(l)}</label>
                    <label class="check"><input type="checkbox" id="emergency-content" prop:checked=move || content.get()
                        disabled=move || !allowed.get()
                        on:change=move |ev| content.set(event_target_checked(&ev))/>{text::emergency_content_label(l)}</label>
                    <label class="check"><input type="checkbox" id="dispute-freezes" prop:checked=move || freezes.get()
                        on:change=move |ev| freezes.set(event_target_checked(&ev))/>{text::dispute_freezes_label(l)}</label>
                    <button type="button" disabled=move || busy.get() || unchanged() on:click=save>{text::save_emergency(l)}</button>
                </fieldset>
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
                    text::freeze_reason_required(lang()).to_owned()
                } else {
                    invalid_text(invalid)
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
                        text::freeze_done(lang(), i64::from(f.revoked), i64::from(f.denied))
                    } else {
                        text::freeze_lifted(lang()).to_owned()
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
    let l = lang();
    let title = Signal::derive(move || {
        if frozen {
            text::freeze_lift_title(l)
        } else {
            text::freeze_title_question(l)
        }
        .to_owned()
    });
    let confirm_label = Signal::derive(move || {
        if frozen {
            text::freeze_lift(l)
        } else {
            text::freeze_revoke_all(l)
        }
        .to_owned()
    });

    view! {
        <article class=if frozen { "card frozen" } else { "card" } aria-labelledby="freeze-title">
            <h2 id="freeze-title">{text::freeze_title(l)}</h2>
            {if frozen {
                view! {
                    <p data-testid="freeze-state"><strong>{text::frozen(l)}</strong>{text::frozen_body(l)}</p>
                    <p class="muted">{text::since(l)}
                        {freeze.frozen_at.map(|at| view! { <LocalTime ms=at/> })}
                        {text::by(l)} {freeze.frozen_by.clone().unwrap_or_default()}
                        {freeze.reason.clone().map(|r| format!(": {r}"))}</p>
                }.into_any()
            } else {
                view! {
                    <p data-testid="freeze-state">{text::freeze_explained(l)}</p>
                }.into_any()
            }}
            <div role="status" aria-live="polite">
                {move || message.get().map(|m| match m {
                    Ok(text) => view! { <p class="confirmation" data-testid="freeze-confirmation">{text}</p> }.into_any(),
                    Err(err) => view! { <ErrorBox error=err/> }.into_any(),
                })}
            </div>
            {move || (!may_freeze()).then(|| view! {
                <p class="muted" data-testid="freeze-read-only">{text::freeze_read_only(l)}</p>
            })}
            {move || may_freeze().then(|| view! {
                <button type="button" class=if frozen { "" } else { "deny" }
                    on:click=move |_| { reason.set(String::new()); dialog_error.set(None); message.set(None); open.set(true); }>
                    {if frozen { text::freeze_lift(l) } else { text::freeze_title(l) }}
                </button>
            })}
            <ConfirmDialog open=open title=title confirm_label=confirm_label danger=!frozen busy=busy on_confirm=confirm>
                <p id="freeze-reason-error" class="field-error" role="alert" data-testid="freeze-error">{move || dialog_error.get()}</p>
                {move || if frozen {
                    view! { <p>{text::freeze_lift_body(l)}</p> }.into_any()
                } else {
                    view! {
                        <p>{text::freeze_body(l)}</p>
                        <label for="freeze-reason">{text::freeze_why(l)}</label>
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
                    text::lockbox_saved_on(lang())
                } else {
                    text::lockbox_saved_off(lang())
                }
                .to_owned()
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

    let l = lang();
    view! {
        <article class="card" aria-labelledby="lockbox-title">
            // The product's name, the same in every language.
            <h2 id="lockbox-title">"Customer Lockbox"</h2>
            <p>{text::lockbox_require(l)}": "
                <strong data-testid="lockbox-state">{if enabled { text::switch_on(l) } else { text::switch_off(l) }}</strong></p>
            <p class="muted">
                {match (setting.changed_by.clone(), setting.changed_at) {
                    (Some(by), Some(at)) => view! { {text::last_changed_by(l)} {by} {text::on_date(l)} <LocalTime ms=at/> "." }.into_any(),
                    _ => view! { {text::not_changed(l)} }.into_any(),
                }}
            </p>
            <div role="status" aria-live="polite" id="lockbox-outcome">
                {move || message.get().map(|m| match m {
                    Ok(text) => view! { <p class="confirmation" data-testid="confirmation">{text}</p> }.into_any(),
                    Err(err) => view! { <ErrorBox error=err/> }.into_any(),
                })}
            </div>
            {move || if !may_edit() {
                view! { <p class="muted" data-testid="read-only">{text::lockbox_read_only(l)}</p> }.into_any()
            } else if !editing.get() {
                view! { <button type="button" on:click=move |_| {
                    choice.set(enabled); message.set(None); editing.set(true); focus_later("#lockbox-switch");
                }>{text::edit(l)}</button> }.into_any()
            } else {
                view! {
                    <div class="edit-panel">
                        <label class="switch">
                            <input type="checkbox" role="switch" id="lockbox-switch"
                                prop:checked=move || choice.get()
                                on:change=move |ev| choice.set(event_target_checked(&ev))/>
                            {text::lockbox_require(l)}
                        </label>
                        <div class="edit-actions">
                            <button type="button" disabled=move || busy.get() on:click=save>
                                {move || if busy.get() { text::saving(l) } else { text::save(l) }}
                            </button>
                            <button type="button" class="secondary-dark" on:click=move |_| editing.set(false)>{text::cancel(l)}</button>
                        </div>
                    </div>
                }.into_any()
            }}
            <ConfirmDialog open=confirm_off title=Signal::stored(text::lockbox_off_title(l).to_owned())
                confirm_label=Signal::stored(text::lockbox_turn_off(l).to_owned()) danger=true busy=busy on_confirm=store>
                <p>{text::lockbox_off_body(l)}</p>
                <p>{text::lockbox_off_waiting(l)}</p>
            </ConfirmDialog>
        </article>
    }
}
