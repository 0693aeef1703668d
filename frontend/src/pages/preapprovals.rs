//! Provider console > Pre-approvals: requests of every customer waiting
//! for a support manager, and what this manager decided.

use leptos::prelude::*;
use leptos::task::spawn_local;
use lockbox_shared::api::RequestView;
use lockbox_shared::lifecycle::Verb;
use lockbox_shared::validation::MAX_COMMENT_CHARS;

use crate::api::{self, ApiError};
use crate::components::dialog::ConfirmDialog;
use crate::components::error::ErrorBox;
use crate::components::lists::{self, ListStatus};
use crate::components::live::{auto_refresh, use_now};
use crate::components::session::use_session;
use crate::components::status::StatusBadge;
use crate::components::time::LocalTime;
use crate::format;
use crate::i18n::lang;
use crate::routes::provider_request_path;
use lockbox_shared::text;

#[component]
pub fn PreapprovalsPage() -> impl IntoView {
    let session = use_session();
    let waiting = api::awaiting_preapproval();
    let decided = api::own_requests();
    let reload = Callback::new(move |_| {
        waiting.refetch();
        decided.refetch();
    });
    auto_refresh(15_000, move || reload.run(()));
    // Each card is drawn once: a comment being typed survives the refresh.
    let (waiting_status, waiting_items) = lists::split(waiting, |_| true);
    let (decided_status, decided_items) = lists::split(decided, move |r| {
        session
            .me
            .get()
            .and_then(|m| m.ok())
            .is_some_and(|me| r.manager_email.as_deref() == Some(me.principal.email.as_str()))
    });
    let done = RwSignal::new(None::<String>);
    let l = lang();

    view! {
        <section class="page">
            <p class="crumbs">{text::provider_console(l)}</p>
            <h1>{text::preapprovals_title(l)}</h1>
            <p class="muted">{text::preapprovals_intro(l)}</p>
            <div role="status" aria-live="polite">
                {move || done.get().map(|msg| view! { <p class="confirmation" data-testid="confirmation">{msg}</p> })}
            </div>
            {move || match waiting_status.get() {
                ListStatus::Loading => view! { <p class="muted">{text::requests_loading(l)}</p> }.into_any(),
                ListStatus::Failed(err) => view! { <ErrorBox error=err retry=reload/> }.into_any(),
                ListStatus::Empty => view! {
                    <p class="empty">{text::nothing_awaiting_preapproval(l)}</p>
                }.into_any(),
                ListStatus::Ready => view! {
                    <ul class="cards" aria-label=text::awaiting_preapproval(l)>
                        <For each=move || waiting_items.get() key=|r| r.id.clone() let:r>
                            <Waiting request=r done=done reload=reload/>
                        </For>
                    </ul>
                }.into_any(),
            }}
            <h2>{text::decided_by_you(l)}</h2>
            {move || match decided_status.get() {
                ListStatus::Loading => view! { <p class="muted">{text::loading(l)}</p> }.into_any(),
                ListStatus::Failed(err) => view! { <ErrorBox error=err retry=reload/> }.into_any(),
                ListStatus::Empty => view! { <p class="empty">{text::none_decided(l)}</p> }.into_any(),
                ListStatus::Ready => view! {
                    <div class="requests" role="list" aria-label=text::decided_by_you(l)>
                        <div class="request-row decided-row request-head" aria-hidden="true">
                            <span>{text::status(l)}</span><span>{text::column_ticket(l)}</span><span>{text::column_customer(l)}</span>
                            <span>{text::column_requester(l)}</span><span>{text::column_decided(l)}</span>
                        </div>
                        <For each=move || decided_items.get() key=|r| (r.id.clone(), r.state) let:r>
                            <DecidedRow request=r/>
                        </For>
                    </div>
                }.into_any(),
            }}
        </section>
    }
}

#[component]
fn DecidedRow(request: RequestView) -> impl IntoView {
    let now = use_now();
    let live = request.clone();
    let l = lang();
    let label = text::decided_row_label(
        l,
        text::state(l, request.effective_state),
        request.ticket.as_str(),
        &request.tenant_name,
        &request.requester_email,
    );
    view! {
        <div class="request-row decided-row" role="listitem" aria-label=label data-request=request.id.to_string()>
            <span class="cell-status">{move || view! { <StatusBadge state=live.effective_state_at(now.get())/> }}</span>
            <span class="cell cell-ticket"><span class="cell-label">{text::cell_ticket(l)}</span>
                <a class="ticket" href=provider_request_path(request.id.as_str())>{request.ticket.clone()}</a></span>
            <span class="cell"><span class="cell-label">{text::cell_customer(l)}</span>{request.tenant_name.clone()}</span>
            <span class="cell cell-wide"><span class="cell-label">{text::cell_requester(l)}</span><span class="address">{request.requester_email.clone()}</span></span>
            <span class="cell cell-wide"><span class="cell-label">{text::cell_decided(l)}</span>
                {request.manager_decided_at.map(|t| view! { <LocalTime ms=t/> })}</span>
        </div>
    }
}

#[component]
fn Waiting(
    request: RequestView,
    done: RwSignal<Option<String>>,
    reload: Callback<()>,
) -> impl IntoView {
    let now = use_now();
    let session = use_session();
    let own = {
        let requester = request.requester_id.clone();
        move || {
            session
                .me
                .get()
                .and_then(|m| m.ok())
                .is_some_and(|me| me.principal.user_id == requester)
        }
    };
    let id = request.id.to_string();
    let comment = RwSignal::new(String::new());
    let dialog_open = RwSignal::new(false);
    let verb = RwSignal::new(Verb::Preapprove);
    let (busy, set_busy) = signal(false);
    let error = RwSignal::new(None::<ApiError>);
    let key = RwSignal::new(String::new());
    let open = move |v: Verb| {
        verb.set(v);
        key.set(api::new_idempotency_key());
        error.set(None);
        dialog_open.set(true);
    };
    let ticket = request.ticket.clone();
    let decide_id = id.clone();
    let confirm = Callback::new(move |_| {
        let (id, ticket) = (decide_id.clone(), ticket.clone());
        let v = verb.get_untracked();
        let text = comment.get_untracked().trim().to_owned();
        let key = key.get_untracked();
        set_busy.set(true);
        spawn_local(async move {
            let result = api::decide(id, v, (!text.is_empty()).then_some(text), key).await;
            set_busy.set(false);
            dialog_open.set(false);
            match result {
                Ok(view) => done.set(Some(match v {
                    Verb::Preapprove
                        if view.emergency.is_some() && view.grant_starts_at.is_none() =>
                    {
                        text::emergency_first_manager(lang(), ticket.as_str())
                    }
                    Verb::Preapprove if view.lockbox_required == Some(false) => {
                        text::preapproved_started(lang(), ticket.as_str(), &view.tenant_name)
                    }
                    Verb::Preapprove => {
                        text::preapproved_waits(lang(), ticket.as_str(), &view.tenant_name)
                    }
                    _ => text::rejected_done(lang(), ticket.as_str()),
                })),
                Err(err) => error.set(Some(err)),
            }
            reload.run(());
        });
    });
    let l = lang();
    let title = Signal::derive(move || {
        match verb.get() {
            Verb::Preapprove => text::preapprove_title(l),
            _ => text::reject_title(l),
        }
        .to_owned()
    });
    let confirm_label = Signal::derive(move || {
        match verb.get() {
            Verb::Preapprove => text::preapprove(l),
            _ => text::reject(l),
        }
        .to_owned()
    });
    let danger = Signal::derive(move || verb.get() != Verb::Preapprove);
    let deadline = request.deadline();
    let comment_id = format!("comment-{id}");
    let r = request.clone();
    let heading_id = format!("waiting-{id}");
    let labelled_by = heading_id.clone();
    let described = heading_id.clone();
    view! {
        <li class="card waiting" data-request=id.clone() aria-labelledby=labelled_by>
            <h2 id=heading_id>{format!("{} · {} · {}", r.ticket, r.tenant_name, r.service)}</h2>
            <p class="status-line">
                <StatusBadge state=r.effective_state/>
                <span class="deadline">{move || deadline.map(|d| text::expires_in(l, &format::duration(d - now.get()))).unwrap_or_default()}</span>
            </p>
            {r.emergency.clone().map(|e| view! {
                <p class="emergency-box" data-testid="emergency">
                    <span class="tag emergency">{text::emergency_tag(l)}</span> " "
                    {text::emergency_for_managers(l, &e.incident, e.managers.len() as i64)}
                    {(!e.managers.is_empty()).then(|| format!(" ({})", e.managers.join(", ")))}
                </p>
            })}
            <dl class="facts">
                <dt>{text::fact_requester(l)}</dt><dd class="address">{r.requester_email.clone()}</dd>
                <dt>{text::fact_reason(l)}</dt><dd class="reason" dir="auto">{r.reason.clone()}</dd>
                <dt>{text::fact_asked(l)}</dt><dd>{format::minutes(r.duration_minutes)}</dd>
                <dt>{text::fact_requested(l)}</dt><dd><LocalTime ms=r.created_at/></dd>
            </dl>
            {let own = own.clone(); move || if own() {
                view! { <p class="notice">{text::own_request_notice(l)}</p> }.into_any()
            } else {
                let comment_id = comment_id.clone();
                let described = described.clone();
                view! {
                    <div class="decision">
                        <label for=comment_id.clone()>{text::comment_optional(l)}</label>
                        <textarea id=comment_id rows="2" maxlength=MAX_COMMENT_CHARS
                            prop:value=move || comment.get()
                            on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
                        <div class="decision-buttons">
                            <button type="button" class="approve" aria-describedby=described.clone() on:click=move |_| open(Verb::Preapprove)>{text::preapprove(l)}</button>
                            <button type="button" class="deny" aria-describedby=described.clone() on:click=move |_| open(Verb::Reject)>{text::reject(l)}</button>
                        </div>
                    </div>
                }.into_any()
            }}
            {move || error.get().map(|err| view! { <ErrorBox error=err/> })}
            <ConfirmDialog open=dialog_open title=title confirm_label=confirm_label danger=danger busy=busy on_confirm=confirm>
                <p>{let (tenant, service, minutes) = (r.tenant_name.clone(), r.service.clone(), format::minutes(r.duration_minutes));
                    let requester = r.requester_email.clone();
                    move || match verb.get() {
                    Verb::Preapprove => text::preapprove_consequence(l, &requester, &tenant, &service, &minutes),
                    _ => text::deny_consequence(l).to_owned(),
                }}</p>
                {move || (!comment.get().trim().is_empty()).then(|| view! { <p class="muted">{text::comment_shown(l)} {comment.get()}</p> })}
            </ConfirmDialog>
        </li>
    }
}
