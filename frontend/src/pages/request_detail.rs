//! One Customer Lockbox request: its facts, its history, and the decision.

use leptos::prelude::*;
use leptos::task::spawn_local;
use lockbox_shared::api::RequestDetail;
use lockbox_shared::audit::AuditRecord;
use lockbox_shared::lifecycle::{State, Verb};
use lockbox_shared::policy::Action;
use lockbox_shared::validation::MAX_COMMENT_CHARS;

use crate::api::{self, ApiError};
use crate::components::dialog::ConfirmDialog;
use crate::components::error::ErrorBox;
use crate::components::live::{auto_refresh, use_now};
use crate::components::session::use_session;
use crate::components::status::StatusBadge;
use crate::components::time::{local, LocalTime};
use crate::format;
use crate::routes::{grant_path, AppRoute};

/// What the person last did here, and how it went.
#[derive(Clone, PartialEq)]
enum Outcome {
    Done(String),
    Changed(String),
    Failed(ApiError),
}

/// One request; `provider` when reached from the provider console (the
/// way back leads there, and the requester may cancel it or open its grant).
#[component]
pub fn RequestDetailPage(id: String, #[prop(optional)] provider: bool) -> impl IntoView {
    let detail = api::request(&id);
    auto_refresh(15_000, move || detail.refetch());
    // Lives with the page, not with one rendering of the request, so the
    // message stays while the request reloads.
    let outcome = RwSignal::new(None::<Outcome>);
    // Redrawn only when the request changed, so a refresh does not wipe a
    // comment being typed.
    let current = Memo::new(move |_| detail.get());

    view! {
        <section class="page detail-page">
            <p class="crumbs">{if provider {
                view! { <a href=AppRoute::ProviderRequests.path()>"← My access requests"</a> }
            } else {
                view! { <a href=AppRoute::LockboxRequests.path()>"← Customer Lockbox requests"</a> }
            }}</p>
            {move || match current.get() {
                    None => view! { <p class="muted">"Loading the request…"</p> }.into_any(),
                    Some(result) => match result {
                        Ok(d) => view! { <Detail detail=d outcome=outcome reload=Callback::new(move |_| detail.refetch())/> }.into_any(),
                        Err(err) => view! {
                            <h1>"Customer Lockbox request"</h1>
                            <ErrorBox error=err retry=Callback::new(move |_| detail.refetch())/>
                        }.into_any(),
                    },
                }}
        </section>
    }
}

#[component]
fn Detail(
    detail: RequestDetail,
    outcome: RwSignal<Option<Outcome>>,
    reload: Callback<()>,
) -> impl IntoView {
    let now = use_now();
    let session = use_session();
    let r = detail.view.clone();
    let state = {
        let r = r.clone();
        move || r.effective_state_at(now.get())
    };
    let may = move |action: Action| session.may(action);

    let comment = RwSignal::new(String::new());
    let dialog_open = RwSignal::new(false);
    let pending_verb = RwSignal::new(Verb::Approve);
    let idempotency_key = RwSignal::new(String::new());
    let (busy, set_busy) = signal(false);
    // An approver may grant less than was asked.
    let asked = r.duration_minutes;
    let granted = RwSignal::new(asked);

    let open = move |verb: Verb| {
        pending_verb.set(verb);
        granted.set(asked);
        idempotency_key.set(api::new_idempotency_key());
        outcome.set(None);
        dialog_open.set(true);
    };
    let id = r.id.to_string();
    let confirm = Callback::new(move |_| {
        let verb = pending_verb.get_untracked();
        let text = comment.get_untracked().trim().to_owned();
        let key = idempotency_key.get_untracked();
        let minutes = granted.get_untracked();
        let id = id.clone();
        set_busy.set(true);
        spawn_local(async move {
            let text = (!text.is_empty()).then_some(text);
            let result = if verb == Verb::Approve {
                api::approve(id, text, (minutes < asked).then_some(minutes), key).await
            } else {
                api::decide(id, verb, text, key).await
            };
            set_busy.set(false);
            dialog_open.set(false);
            outcome.set(Some(match result {
                Ok(view) => Outcome::Done(match verb {
                    Verb::Approve => format!(
                        "You approved this request. Access ends at {}.",
                        view.grant_ends_at.map(local).unwrap_or_default()
                    ),
                    Verb::Deny => "You denied this request. No access was granted.".to_owned(),
                    _ => "You revoked this access. It has ended.".to_owned(),
                }),
                Err(err) if err.is_conflict() => Outcome::Changed(err.message()),
                Err(err) => Outcome::Failed(err),
            }));
            reload.run(());
        });
    });

    let title = Signal::derive(move || match pending_verb.get() {
        Verb::Approve => "Approve this request?".to_owned(),
        Verb::Deny => "Deny this request?".to_owned(),
        _ => "Revoke this access now?".to_owned(),
    });
    let confirm_label = Signal::derive(move || match pending_verb.get() {
        Verb::Approve => "Approve".to_owned(),
        Verb::Deny => "Deny".to_owned(),
        _ => "Revoke".to_owned(),
    });
    let danger = Signal::derive(move || pending_verb.get() != Verb::Approve);
    let service = r.service.clone();
    let tenant_name = detail.view.tenant_name.clone();

    let facts = r.clone();
    let shown = r.clone();
    view! {
        <h1>"Request " {r.ticket.clone()}</h1>
        <p class="status-line">
            {let state = state.clone(); move || view! { <StatusBadge state=state()/> }}
            <span class="deadline" data-testid="deadline">{move || format::deadline_text(&shown, now.get()).unwrap_or_default()}</span>
        </p>

        <div role="status" aria-live="polite" class="outcome">
            {move || outcome.get().map(|o| match o {
                Outcome::Done(msg) => view! { <p class="confirmation" data-testid="confirmation">{msg}</p> }.into_any(),
                Outcome::Changed(msg) => view! { <p class="notice" data-testid="changed">{msg}</p> }.into_any(),
                Outcome::Failed(err) => view! { <ErrorBox error=err/> }.into_any(),
            })}
        </div>

        {let state = state.clone(); move || (state() == State::PendingCustomerApproval && may(Action::Approve)).then(|| view! {
            <div class="decision">
                <label for="comment">"Comment (optional)"</label>
                <textarea id="comment" rows="2" maxlength=MAX_COMMENT_CHARS
                    prop:value=move || comment.get()
                    on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
                <div class="decision-buttons">
                    <button type="button" class="approve" on:click=move |_| open(Verb::Approve)>"Approve"</button>
                    <button type="button" class="deny" on:click=move |_| open(Verb::Deny)>"Deny"</button>
                </div>
            </div>
        })}
        {let state = state.clone(); move || (state() == State::Approved && may(Action::Revoke)).then(|| view! {
            <div class="decision">
                <button type="button" class="deny" on:click=move |_| open(Verb::Revoke)>"Revoke access"</button>
            </div>
        })}
        {let state = state.clone(); let grant = grant_path(r.id.as_str()); let requester = r.requester_id.clone();
            move || {
                let mine = session.me.get().and_then(|m| m.ok()).is_some_and(|me| me.principal.user_id == requester);
                (state() == State::Approved && mine).then(|| view! {
                    <p><a class="button-link" href=grant.clone()>"Open grant"</a></p>
                })
            }}

        <ConfirmDialog open=dialog_open title=title confirm_label=confirm_label danger=danger busy=busy on_confirm=confirm>
            {move || (pending_verb.get() == Verb::Approve).then(|| view! {
                <label for="grant-for">"Access for"</label>
                <select id="grant-for" on:change=move |ev| {
                    granted.set(event_target_value(&ev).parse().unwrap_or(asked));
                }>
                    {format::grant_choices(asked).into_iter().map(|m| view! {
                        <option value=m.to_string() selected=m == granted.get_untracked()>
                            {if m == asked { format!("{} (as asked)", format::minutes(m)) } else { format::minutes(m) }}
                        </option>
                    }).collect_view()}
                </select>
            })}
            <p>{let (service, tenant_name) = (service.clone(), tenant_name.clone());
                move || match pending_verb.get() {
                Verb::Approve => format!("The engineer gets access to {tenant_name}'s {service} content for {}, starting now. Access ends by itself.", format::minutes(granted.get())),
                Verb::Deny => "The engineer gets no access. The decision is final.".to_owned(),
                _ => "The engineer loses access to this content immediately.".to_owned(),
            }}</p>
            {move || (!comment.get().trim().is_empty()).then(|| view! { <p class="muted">"Comment: " {comment.get()}</p> })}
        </ConfirmDialog>

        <h2>"Details"</h2>
        <dl class="facts">
            <dt>"Service"</dt><dd>{facts.service.clone()}</dd>
            <dt>"Ticket number"</dt><dd>{facts.ticket.clone()}</dd>
            <dt>"Reason"</dt><dd class="reason">{facts.reason.clone()}</dd>
            <dt>"Access asked for"</dt><dd>{format::minutes(facts.duration_minutes)}</dd>
            <dt>"Requester"</dt><dd>{facts.requester_email.clone()}</dd>
            <dt>"Requested"</dt><dd><LocalTime ms=facts.created_at/></dd>
            {facts.manager_email.clone().map(|m| view! { <dt>"Pre-approved by"</dt><dd>{m}</dd> })}
            {facts.manager_comment.clone().map(|c| view! { <dt>"Manager's comment"</dt><dd>{c}</dd> })}
            {facts.pending_expires_at.map(|t| view! { <dt>"Expires"</dt><dd><LocalTime ms=t/></dd> })}
            {facts.customer_email.clone().map(|c| view! { <dt>"Decided by"</dt><dd>{c}</dd> })}
            {facts.customer_comment.clone().map(|c| view! { <dt>"Comment"</dt><dd>{c}</dd> })}
            {facts.grant_starts_at.zip(facts.grant_ends_at)
                .map(|(from, until)| ((until - from) / 60_000) as u32)
                .filter(|&granted| granted < facts.duration_minutes)
                .map(|granted| view! { <dt>"Access granted"</dt><dd>{format::minutes(granted)}" (less than asked)"</dd> })}
            {facts.grant_starts_at.map(|t| view! { <dt>"Access from"</dt><dd><LocalTime ms=t/></dd> })}
            {facts.grant_ends_at.map(|t| view! { <dt>"Access until"</dt><dd><LocalTime ms=t/></dd> })}
            {facts.ended_at.map(|t| view! { <dt>"Ended"</dt><dd><LocalTime ms=t/></dd> })}
            {facts.ended_by.clone().map(|b| view! { <dt>"Ended by"</dt><dd>{b}</dd> })}
            {facts.end_comment.clone().map(|c| view! { <dt>"Why it ended"</dt><dd>{c}</dd> })}
        </dl>
        {facts.customer_decided_at.is_some().then(|| view! {
            <p class="receipt">
                <a href=format!("/api/v1/requests/{}/receipt", facts.id) download="" data-testid="receipt">"Download signed receipt"</a>
                <span class="muted">" The customer's decision, signed by Lockbox; "<code>"lockbox receipt verify"</code>" checks it."</span>
            </p>
        })}

        <h2>"History"</h2>
        <ol class="history">
            {detail.history.into_iter().map(|h| view! { <HistoryItem record=h/> }).collect_view()}
        </ol>
    }
}

#[component]
fn HistoryItem(record: AuditRecord) -> impl IntoView {
    let details: Vec<(String, String)> = record
        .record
        .details
        .iter()
        .filter(|(k, v)| {
            !v.is_empty() && !matches!(k.as_str(), "RequestId" | "Service" | "Ticket" | "Requester")
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    view! {
        <li>
            <p><strong>{record.record.activity.as_str()}</strong></p>
            <p class="muted"><LocalTime ms=record.occurred_at/> " · " <span class="address">{record.record.user.clone()}</span>
                {(!record.record.ip.is_empty()).then(|| format!(" · {}", record.record.ip))}</p>
            <dl class="history-details">
                {details.into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd>{v}</dd> }).collect_view()}
            </dl>
        </li>
    }
}
