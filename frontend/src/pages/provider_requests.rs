//! Provider console > My requests: an engineer's access requests, a new
//! one, and cancelling one still pending.

use leptos::prelude::*;
use leptos::task::spawn_local;
use lockbox_shared::api::{
    CreateAccessRequest, OperationInfo, OperationList, RequestView, TenantSummary,
};
use lockbox_shared::integration::OperationKind;
use lockbox_shared::lifecycle::{State, Verb};
use lockbox_shared::validation::{
    clean_text, Reason, TicketNumber, MAX_COMMENT_CHARS, MAX_GRANT_MINUTES, MAX_REASON_CHARS,
};

use crate::api::{self, ApiError};
use crate::components::dialog::ConfirmDialog;
use crate::components::error::{invalid_text, ErrorBox, FieldError};
use crate::components::focus::{focus_later, focus_when_rendered};
use crate::components::lists::{self, ListStatus};
use crate::components::live::{auto_refresh, use_now};
use crate::components::operations::OperationCheck;
use crate::components::session::use_session;
use crate::components::status::StatusBadge;
use crate::components::time::LocalTime;
use crate::format;
use crate::i18n::lang;
use crate::routes::{grant_path, provider_request_path};
use lockbox_shared::text;

/// The durations offered, in minutes: 15 min to the 4 h maximum.
const DURATIONS: [u32; 8] = [15, 30, 45, 60, 90, 120, 180, MAX_GRANT_MINUTES];

#[component]
pub fn ProviderRequestsPage() -> impl IntoView {
    let session = use_session();
    let list = api::own_requests();
    auto_refresh(15_000, move || list.refetch());
    // A lead who is also a manager gets the requests they decided too:
    // those are on the pre-approvals page.
    let (status, mine) = lists::split(list, move |r| {
        session
            .me
            .get()
            .and_then(|m| m.ok())
            .is_none_or(|me| r.requester_id == me.principal.user_id)
    });
    let reload = Callback::new(move |_| list.refetch());
    // The confirmation of the last thing done here (a new request, a
    // cancellation), kept while the list reloads.
    let done = RwSignal::new(None::<String>);
    let l = lang();

    view! {
        <section class="page">
            <p class="crumbs">{text::provider_console(l)}</p>
            <h1>{text::my_access_requests(l)}</h1>
            <p class="muted">{text::provider_requests_intro(l)}</p>
            <div role="status" aria-live="polite">
                {move || done.get().map(|msg| view! { <p class="confirmation" data-testid="confirmation">{msg}</p> })}
            </div>
            <NewRequest done=done reload=reload/>
            <h2>{text::requests_list(l)}</h2>
            {move || match status.get() {
                ListStatus::Loading => view! { <p class="muted">{text::requests_loading(l)}</p> }.into_any(),
                ListStatus::Failed(err) => view! { <ErrorBox error=err retry=reload/> }.into_any(),
                ListStatus::Empty => view! { <p class="empty">{text::no_own_requests(l)}</p> }.into_any(),
                ListStatus::Ready => view! {
                    <div class="requests" role="list" aria-label=text::my_access_requests(l)>
                        <div class="request-row provider-row request-head" aria-hidden="true">
                            <span>{text::status(l)}</span><span>{text::column_ticket(l)}</span><span>{text::column_customer(l)}</span>
                            <span>{text::column_service(l)}</span><span>{text::column_requested(l)}</span><span>{text::column_time_left(l)}</span><span></span>
                        </div>
                        // Keyed by id and stored state: a row is redrawn
                        // when its request moved on.
                        <For each=move || mine.get() key=|r| (r.id.clone(), r.state) let:r>
                            <OwnRequestRow request=r done=done reload=reload/>
                        </For>
                    </div>
                }.into_any(),
            }}
        </section>
    }
}

/// What is next for one of my requests, as of `now`.
fn next_step(r: &RequestView, now: i64) -> String {
    let Some(deadline) = r.deadline() else {
        return "—".to_owned();
    };
    let l = lang();
    match r.effective_state_at(now) {
        State::PendingManagerApproval => {
            text::manager_decides_within(l, &format::duration(deadline - now))
        }
        State::PendingCustomerApproval => {
            text::customer_decides_within(l, &format::duration(deadline - now))
        }
        State::Approved => text::access_left(l, &format::countdown(deadline, now, text::ended(l))),
        _ => "—".to_owned(),
    }
}

#[component]
fn OwnRequestRow(
    request: RequestView,
    done: RwSignal<Option<String>>,
    reload: Callback<()>,
) -> impl IntoView {
    let now = use_now();
    let live = request.clone();
    let state = move || live.effective_state_at(now.get());
    let shown = request.clone();
    let id = request.id.to_string();
    let l = lang();
    let label = text::own_request_label(
        l,
        text::state(l, request.effective_state),
        request.ticket.as_str(),
        &request.tenant_name,
        &request.service,
    );
    let dialog_open = RwSignal::new(false);
    let comment = RwSignal::new(String::new());
    let (busy, set_busy) = signal(false);
    let error = RwSignal::new(None::<ApiError>);
    let ticket = request.ticket.clone();
    let cancel_id = id.clone();
    let confirm = Callback::new(move |_| {
        let id = cancel_id.clone();
        let ticket = ticket.clone();
        let text = comment.get_untracked().trim().to_owned();
        set_busy.set(true);
        spawn_local(async move {
            let key = api::new_idempotency_key();
            let result =
                api::decide(id, Verb::Cancel, (!text.is_empty()).then_some(text), key).await;
            set_busy.set(false);
            dialog_open.set(false);
            match result {
                Ok(_) => {
                    done.set(Some(text::cancelled_done(lang(), ticket.as_str())));
                    error.set(None);
                }
                Err(err) => error.set(Some(err)),
            }
            reload.run(());
        });
    });
    let grant_href = grant_path(&id);
    let row_id = id.clone();
    let detail_href = provider_request_path(&id);
    let comment_id = format!("cancel-comment-{id}");
    let comment_for = comment_id.clone();
    let state_for_actions = state.clone();
    view! {
        <div class="request-row provider-row" role="listitem" aria-label=label data-request=row_id>
            <span class="cell-status">{let state = state.clone(); move || view! { <StatusBadge state=state()/> }}</span>
            <span class="cell cell-ticket"><span class="cell-label">{text::cell_ticket(l)}</span>
                <a class="ticket" href=detail_href>{request.ticket.clone()}</a></span>
            <span class="cell"><span class="cell-label">{text::cell_customer(l)}</span>{request.tenant_name.clone()}</span>
            <span class="cell"><span class="cell-label">{text::cell_service(l)}</span>{request.service.clone()}</span>
            <span class="cell cell-wide"><span class="cell-label">{text::cell_requested(l)}</span><LocalTime ms=request.created_at/></span>
            <span class="cell cell-deadline">{move || next_step(&shown, now.get())}</span>
            <span class="cell cell-actions">
                {move || match state_for_actions() {
                    State::Approved => Some(view! {
                        <a class="button-link" href=grant_href.clone()>{text::open_grant(l)}</a>
                    }.into_any()),
                    State::PendingManagerApproval | State::PendingCustomerApproval => Some(view! {
                        <button type="button" class="secondary-dark small"
                            on:click=move |_| { error.set(None); dialog_open.set(true); }>{text::cancel_request(l)}</button>
                    }.into_any()),
                    _ => None,
                }}
            </span>
            {move || error.get().map(|err| view! { <div class="row-error"><ErrorBox error=err/></div> })}
            <ConfirmDialog open=dialog_open title=Signal::stored(text::cancel_title(l).to_owned())
                confirm_label=Signal::stored(text::cancel_request(l).to_owned()) danger=true busy=busy on_confirm=confirm>
                <p>{text::cancel_body(l)}</p>
                <label for=comment_for.clone()>{text::why_optional(l)}</label>
                <textarea id=comment_id.clone() rows="2" maxlength=MAX_COMMENT_CHARS
                    prop:value=move || comment.get()
                    on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
            </ConfirmDialog>
        </div>
    }
}

/// The fields of the new-request form, in the order they are shown: the
/// API's name of each and the id of its control.
const FIELDS: [(&str, &str); 7] = [
    ("incident", "new-incident"),
    ("tenant_id", "new-tenant"),
    ("service", "new-service"),
    ("operations", "new-operations"),
    ("ticket", "new-ticket"),
    ("reason", "new-reason"),
    ("duration_minutes", "new-duration"),
];

/// What is wrong with the form's fields before anything is sent, by the
/// same rules the server applies (`TicketNumber`, `Reason`), as
/// (API field, message) in the order shown.
fn form_errors(
    tenant: &str,
    service: &str,
    operations: &[String],
    ticket: &str,
    reason: &str,
) -> Vec<(String, String)> {
    let l = lang();
    let mut errors = Vec::new();
    if tenant.is_empty() {
        errors.push((
            "tenant_id".to_owned(),
            text::choose_the_customer(l).to_owned(),
        ));
    }
    if service.is_empty() {
        errors.push((
            "service".to_owned(),
            text::choose_customer_service(l).to_owned(),
        ));
    }
    if !service.is_empty() && operations.is_empty() {
        errors.push((
            "operations".to_owned(),
            text::choose_an_operation(l).to_owned(),
        ));
    }
    if let Err(invalid) = TicketNumber::parse(ticket) {
        errors.push((invalid.field.to_owned(), invalid_text(invalid)));
    }
    if let Err(invalid) = Reason::parse(reason) {
        errors.push((invalid.field.to_owned(), invalid_text(invalid)));
    }
    errors
}

/// Moves focus to the first field that has an error.
fn focus_first(errors: &[(String, String)]) {
    if let Some((_, id)) = FIELDS
        .iter()
        .find(|(field, _)| errors.iter().any(|(f, _)| f == field))
    {
        focus_when_rendered(format!("#{id}"));
    }
}

/// The form that opens a request. Errors stand under their fields, focus
/// moves to the first, and what was typed stays.
#[component]
fn NewRequest(done: RwSignal<Option<String>>, reload: Callback<()>) -> impl IntoView {
    let tenants = api::tenants();
    let tenant = RwSignal::new(String::new());
    let service = RwSignal::new(String::new());
    let ticket = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let minutes = RwSignal::new(60u32);
    let operations = RwSignal::new(Vec::<String>::new());
    // Break-glass: an incident id instead of the customer's approval.
    let emergency = RwSignal::new(false);
    let incident = RwSignal::new(String::new());
    let (busy, set_busy) = signal(false);
    // (API field, message); an error of no field is shown above Send.
    let errors = RwSignal::new(Vec::<(String, String)>::new());
    let error = RwSignal::new(None::<ApiError>);
    let error_of = move |field: &'static str| {
        move || {
            errors
                .get()
                .into_iter()
                .find(|(f, _)| f == field)
                .map(|(_, message)| message)
        }
    };
    // The reason as the server counts it (cleaned, in characters).
    let reason_chars = move || clean_text(&reason.get(), true).chars().count();
    let counter_class = move || {
        if reason_chars() > MAX_REASON_CHARS {
            "counter over"
        } else {
            "counter"
        }
    };

    let services_of = move |list: &[TenantSummary]| -> Vec<String> {
        let chosen = tenant.get();
        list.iter()
            .find(|t| t.id.as_str() == chosen)
            .map(|t| t.services.clone())
            .unwrap_or_default()
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let body = CreateAccessRequest {
            tenant_id: tenant.get_untracked(),
            service: service.get_untracked(),
            ticket: ticket.get_untracked().trim().to_owned(),
            reason: reason.get_untracked().trim().to_owned(),
            duration_minutes: minutes.get_untracked(),
            operations: operations.get_untracked(),
            emergency: emergency
                .get_untracked()
                .then(|| lockbox_shared::api::EmergencyAsk {
                    incident: incident.get_untracked().trim().to_owned(),
                }),
        };
        error.set(None);
        done.set(None);
        let found = form_errors(
            &body.tenant_id,
            &body.service,
            &body.operations,
            &body.ticket,
            &body.reason,
        );
        let mut found = found;
        if let Some(Err(invalid)) = body
            .emergency
            .as_ref()
            .map(|e| lockbox_shared::validation::IncidentId::parse(&e.incident))
        {
            found.insert(0, (invalid.field.to_owned(), invalid.message));
        }
        if !found.is_empty() {
            focus_first(&found);
            errors.set(found);
            return;
        }
        errors.set(Vec::new());
        set_busy.set(true);
        spawn_local(async move {
            match api::create_request(body).await {
                Ok(created) => {
                    done.set(Some(text::request_sent(
                        lang(),
                        created.ticket.as_str(),
                        &created.tenant_name,
                        &created.service,
                    )));
                    ticket.set(String::new());
                    reason.set(String::new());
                    focus_later("[data-testid=confirmation]");
                    reload.run(());
                }
                Err(err) => match err
                    .field()
                    .filter(|f| FIELDS.iter().any(|(name, _)| name == f))
                {
                    Some(field) => {
                        let found = vec![(field.to_owned(), err.message())];
                        focus_first(&found);
                        errors.set(found);
                    }
                    None => {
                        error.set(Some(err));
                        focus_later("#new-request-error .error");
                    }
                },
            }
            set_busy.set(false);
        });
    };

    let l = lang();
    view! {
        <details class="card new-request">
            <summary><span class="summary-title">{text::new_request(l)}</span></summary>
            {move || match tenants.get() {
                None => view! { <p class="muted">{text::loading_customers(l)}</p> }.into_any(),
                Some(Err(err)) => view! { <ErrorBox error=err retry=Callback::new(move |_| tenants.refetch())/> }.into_any(),
                Some(Ok(list)) => {
                    let options = list.clone();
                    view! {
                        // The checks are ours (the server's rules), said under each field.
                        <form class="form-grid" novalidate on:submit=submit>
                            <label for="new-tenant">{text::column_customer(l)}</label>
                            <div class="field">
                                <select id="new-tenant" aria-required="true"
                                    aria-invalid=move || error_of("tenant_id")().is_some().to_string()
                                    aria-describedby="new-tenant-error"
                                    on:change=move |ev| { tenant.set(event_target_value(&ev)); service.set(String::new()); operations.set(Vec::new()); }>
                                    <option value="">{text::choose_customer(l)}</option>
                                    {options.into_iter().map(|t| view! {
                                        <option value=t.id.to_string() selected=move || tenant.get() == t.id.as_str()>{t.name.clone()}</option>
                                    }).collect_view()}
                                </select>
                                <FieldError id="new-tenant-error" message=Signal::derive(error_of("tenant_id"))/>
                            </div>
                            <label for="new-service">{text::fact_service(l)}</label>
                            <div class="field">
                                <select id="new-service" aria-required="true"
                                    aria-invalid=move || error_of("service")().is_some().to_string()
                                    aria-describedby="new-service-error"
                                    on:change=move |ev| { service.set(event_target_value(&ev)); operations.set(Vec::new()); }>
                                    <option value="">{move || if tenant.get().is_empty() { text::choose_customer_first(l) } else { text::choose_service(l) }}</option>
                                    {move || services_of(&list).into_iter().map(|s| {
                                        let (value, shown) = (s.clone(), s.clone());
                                        view! { <option value=s selected=move || service.get() == value>{shown}</option> }
                                    }).collect_view()}
                                </select>
                                <FieldError id="new-service-error" message=Signal::derive(error_of("service"))/>
                            </div>
                            <span class="label" id="new-operations-label">{text::operations_needed(l)}</span>
                            <div class="field">
                                <OperationChoice service=service chosen=operations
                                    invalid=Signal::derive(move || error_of("operations")().is_some())/>
                                <FieldError id="new-operations-error" message=Signal::derive(error_of("operations"))/>
                            </div>
                            <label for="new-ticket">{text::fact_ticket(l)}</label>
                            <div class="field">
                                <input id="new-ticket" type="text" aria-required="true"
                                    aria-invalid=move || error_of("ticket")().is_some().to_string()
                                    aria-describedby="new-ticket-error"
                                    autocomplete="off" placeholder="SR-12345"
                                    prop:value=move || ticket.get()
                                    on:input=move |ev| ticket.set(event_target_value(&ev))/>
                                <FieldError id="new-ticket-error" message=Signal::derive(error_of("ticket"))/>
                            </div>
                            <label for="new-reason">{text::fact_reason(l)}</label>
                            <div class="field">
                                // No maxlength: a longer text is refused with a message, never cut.
                                <textarea id="new-reason" rows="3" aria-required="true"
                                    aria-invalid=move || error_of("reason")().is_some().to_string()
                                    aria-describedby="new-reason-count new-reason-error"
                                    prop:value=move || reason.get()
                                    on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                                <p id="new-reason-count" data-testid="reason-count"
                                    class=counter_class>
                                    {move || text::characters_count(l, reason_chars() as i64, MAX_REASON_CHARS as i64)}
                                </p>
                                <FieldError id="new-reason-error" message=Signal::derive(error_of("reason"))/>
                            </div>
                            <span class="label">{text::emergency_tag(l)}</span>
                            <div class="field">
                                <label class="check"><input type="checkbox" id="new-emergency"
                                    aria-describedby="new-emergency-note"
                                    prop:checked=move || emergency.get()
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        emergency.set(on);
                                        if on && minutes.get_untracked() > lockbox_shared::emergency::MAX_MINUTES {
                                            minutes.set(lockbox_shared::emergency::MAX_MINUTES);
                                        }
                                    }/>{text::emergency_ask(l)}</label>
                                <p class="muted" id="new-emergency-note">{text::emergency_ask_note(l)}</p>
                            </div>
                            {move || emergency.get().then(|| view! {
                                <label for="new-incident">{text::emergency_incident(l)}</label>
                                <div class="field">
                                    <input id="new-incident" type="text" aria-required="true"
                                        aria-invalid=move || error_of("incident")().is_some().to_string()
                                        aria-describedby="new-incident-error"
                                        autocomplete="off" placeholder="INC-12345"
                                        prop:value=move || incident.get()
                                        on:input=move |ev| incident.set(event_target_value(&ev))/>
                                    <FieldError id="new-incident-error" message=Signal::derive(error_of("incident"))/>
                                </div>
                            })}
                            <label for="new-duration">{text::access_for(l)}</label>
                            <div class="field">
                                <select id="new-duration" aria-describedby="new-duration-error"
                                    on:change=move |ev| minutes.set(event_target_value(&ev).parse().unwrap_or(60))>
                                    {move || DURATIONS.into_iter()
                                        .filter(|&m| !emergency.get() || m <= lockbox_shared::emergency::MAX_MINUTES)
                                        .map(|m| view! {
                                            <option value=m.to_string() selected=move || minutes.get() == m>{format::minutes(m)}</option>
                                        }).collect_view()}
                                </select>
                                <FieldError id="new-duration-error" message=Signal::derive(error_of("duration_minutes"))/>
                            </div>
                            <div class="form-actions" id="new-request-error">
                                {move || error.get().map(|err| view! { <ErrorBox error=err/> })}
                                <button type="submit" disabled=move || busy.get()>
                                    {move || if busy.get() { text::sending(l) } else if emergency.get() { text::send_emergency(l) } else { text::send_for_preapproval(l) }}
                                </button>
                            </div>
                        </form>
                    }.into_any()
                }
            }}
        </details>
    }
}

/// The operations of the chosen service as checkboxes, those that read
/// content marked: what a new request asks for.
#[component]
fn OperationChoice(
    service: RwSignal<String>,
    chosen: RwSignal<Vec<String>>,
    invalid: Signal<bool>,
) -> impl IntoView {
    let listed = LocalResource::new(move || {
        let service = service.get();
        async move {
            if service.is_empty() {
                return Ok(Vec::new());
            }
            let list = api::get::<OperationList>(&format!("/operations?service={service}")).await?;
            // Each name once, as the service registered it.
            let mut ops: Vec<OperationInfo> = Vec::new();
            for op in list.items {
                if !ops.iter().any(|o| o.name == op.name) {
                    ops.push(op);
                }
            }
            Ok::<_, ApiError>(ops)
        }
    });
    let l = lang();
    view! {
        <fieldset id="new-operations" class="operation-choice" tabindex="-1"
            aria-labelledby="new-operations-label" aria-describedby="new-operations-error"
            aria-invalid=move || invalid.get().to_string()>
            {move || match listed.get() {
                _ if service.get().is_empty() => view! { <p class="muted">{text::choose_service_for_operations(l)}</p> }.into_any(),
                None => view! { <p class="muted">{text::loading_operations(l)}</p> }.into_any(),
                Some(Err(err)) => view! { <ErrorBox error=err/> }.into_any(),
                Some(Ok(ops)) if ops.is_empty() => view! { <p class="notice">{text::no_operations(l)}</p> }.into_any(),
                Some(Ok(ops)) => ops.into_iter().map(|op| {
                    let content = op.kind == OperationKind::Content;
                    view! { <OperationCheck name=op.name content=content chosen=chosen description=op.description/> }
                }).collect_view().into_any(),
            }}
        </fieldset>
    }
}
