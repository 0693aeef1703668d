//! Provider console > a grant: its customer, service and time left, the
//! operations it allows as forms, and what they return.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use lockbox_provider::display::{Cell, Display, Kind};
use lockbox_shared::api::{OperationInfo, OperationList, OperationResult, RequestView};
use lockbox_shared::lifecycle::State;

use crate::api::{self, ApiError};
use crate::components::error::ErrorBox;
use crate::components::live::{auto_refresh, use_now};
use crate::components::status::StatusBadge;
use crate::components::time::{local, LocalTime};
use crate::format;
use crate::i18n::lang;
use crate::routes::{provider_request_path, AppRoute};
use lockbox_shared::text;

#[component]
pub fn GrantPage(id: String) -> impl IntoView {
    let detail = api::request(&id);
    auto_refresh(15_000, move || detail.refetch());
    let reload = Callback::new(move |_| detail.refetch());
    // Only a change of the request itself redraws the page: each run adds
    // to its history, and a redraw would drop the form and its result.
    let request = Memo::new(move |_| detail.get().map(|d| d.map(|d| d.view)));
    // A refusal outlives the forms it came from (they go when access ends).
    let refused = RwSignal::new(None::<ApiError>);
    let l = lang();
    view! {
        <section class="page grant-page">
            <p class="crumbs"><a href=AppRoute::ProviderRequests.path()>{text::back_to_my_requests(l)}</a></p>
            {move || match request.get() {
                None => view! { <p class="muted">{text::loading_grant(l)}</p> }.into_any(),
                Some(Err(err)) => view! {
                    <h1>{text::grant_heading(l)}</h1>
                    <ErrorBox error=err retry=reload/>
                }.into_any(),
                Some(Ok(view)) => view! { <Grant request=view reload=reload refused=refused/> }.into_any(),
            }}
        </section>
    }
}

/// Why a grant no longer (or not yet) opens the content, in words.
fn closed_text(r: &RequestView, state: State) -> String {
    let l = lang();
    let at = |t: Option<i64>| {
        t.map(|t| format!("{}{}", text::at_time(l), local(t)))
            .unwrap_or_default()
    };
    match state {
        State::Revoked => text::grant_revoked(l, &at(r.ended_at)),
        State::Completed => text::grant_completed(l, &at(r.grant_ends_at)),
        State::PendingManagerApproval => text::not_granted_manager(l).to_owned(),
        State::PendingCustomerApproval => text::not_granted_customer(l).to_owned(),
        other => text::no_access_granted(l, text::state(l, other)),
    }
}

#[component]
fn Grant(
    request: RequestView,
    reload: Callback<()>,
    refused: RwSignal<Option<ApiError>>,
) -> impl IntoView {
    let now = use_now();
    let live = request.clone();
    let state = move || live.effective_state_at(now.get());
    let is_live = {
        let state = state.clone();
        Memo::new(move |_| state() == State::Approved)
    };
    let r = request.clone();
    let countdown = request.clone();
    let closed = request.clone();
    let l = lang();
    view! {
        <h1>{text::grant_title(l, &r.tenant_name, &r.service)}</h1>
        <p class="status-line">
            {let state = state.clone(); move || view! { <StatusBadge state=state()/> }}
            <span class="deadline" data-testid="time-left">{move || {
                if is_live.get() {
                    countdown.grant_ends_at.map(|end| text::access_left(l, &format::countdown(end, now.get(), text::ended(l)))).unwrap_or_default()
                } else {
                    String::new()
                }
            }}</span>
        </p>
        {move || refused.get().map(|err| view! { <ErrorBox error=err/> })}
        {let state = state.clone(); move || (!is_live.get()).then(|| view! {
            <p class="notice" data-testid="grant-closed">{closed_text(&closed, state())}</p>
        })}
        <dl class="facts">
            <dt>{text::column_customer(l)}</dt><dd>{r.tenant_name.clone()}</dd>
            <dt>{text::fact_service(l)}</dt><dd>{r.service.clone()}</dd>
            <dt>{text::fact_ticket(l)}</dt><dd><a href=provider_request_path(r.id.as_str())>{r.ticket.clone()}</a></dd>
            {r.grant_starts_at.map(|t| view! { <dt>{text::fact_access_from(l)}</dt><dd><LocalTime ms=t/></dd> })}
            {r.grant_ends_at.map(|t| view! { <dt>{text::fact_access_until(l)}</dt><dd><LocalTime ms=t/></dd> })}
        </dl>
        {move || is_live.get().then(|| view! { <Operations request=request.clone() reload=reload refused=refused/> })}
    }
}

/// The operations the registered services offer for the grant's service,
/// one form at a time.
#[component]
fn Operations(
    request: RequestView,
    reload: Callback<()>,
    refused: RwSignal<Option<ApiError>>,
) -> impl IntoView {
    let service = request.service.clone();
    let listed = LocalResource::new(move || {
        let service = service.clone();
        async move { api::get::<OperationList>(&format!("/operations?service={service}")).await }
    });
    let l = lang();
    view! {
        <h2>{text::operations(l)}</h2>
        {move || match listed.get() {
            None => view! { <p class="muted">{text::loading_operations(l)}</p> }.into_any(),
            Some(Err(err)) => view! { <ErrorBox error=err/> }.into_any(),
            Some(Ok(list)) => {
                // Those the console can run and the grant allows, each
                // name once.
                let allowed = request.allowed_operations.clone();
                let mut operations: Vec<OperationInfo> = Vec::new();
                for op in list.items.into_iter().filter(|o| {
                    o.forwarded && allowed.as_ref().is_none_or(|a| a.contains(&o.name))
                }) {
                    if !operations.iter().any(|o| o.name == op.name) {
                        operations.push(op);
                    }
                }
                if operations.is_empty() {
                    view! {
                        <p class="notice">{text::no_operations(l)}</p>
                    }.into_any()
                } else {
                    view! {
                        <OperationForm request=request.clone() operations=operations reload=reload refused=refused/>
                    }.into_any()
                }
            }
        }}
    }
}

#[component]
fn OperationForm(
    request: RequestView,
    operations: Vec<OperationInfo>,
    reload: Callback<()>,
    refused: RwSignal<Option<ApiError>>,
) -> impl IntoView {
    let operations = StoredValue::new(operations);
    let chosen = RwSignal::new(0usize);
    let current = move || operations.with_value(|ops| ops.get(chosen.get()).cloned());
    let params = RwSignal::new(BTreeMap::<String, String>::new());
    let (busy, set_busy) = signal(false);
    let outcome = RwSignal::new(None::<Result<OperationResult, ApiError>>);
    let tenant_id = request.tenant_id.to_string();
    let service_name = request.service.clone();
    let request_id = request.id.to_string();

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let Some(op) = operations.with_value(|ops| ops.get(chosen.get_untracked()).cloned()) else {
            return;
        };
        // Only this operation's parameters, and only those filled in.
        let sent: BTreeMap<String, String> = params
            .get_untracked()
            .into_iter()
            .filter(|(k, v)| !v.trim().is_empty() && op.parameters.iter().any(|p| &p.name == k))
            .map(|(k, v)| (k, v.trim().to_owned()))
            .collect();
        let (tenant_id, service_name, request_id) =
            (tenant_id.clone(), service_name.clone(), request_id.clone());
        set_busy.set(true);
        spawn_local(async move {
            let result =
                api::run_operation(&request_id, &tenant_id, &service_name, &op.name, &sent).await;
            set_busy.set(false);
            match result {
                Err(ApiError::Problem(p)) if p.status == 403 || p.status == 409 => {
                    // The grant has ended meanwhile: say why, and show it.
                    outcome.set(None);
                    refused.set(Some(ApiError::Problem(p)));
                    reload.run(());
                }
                other => {
                    refused.set(None);
                    outcome.set(Some(other));
                }
            }
        });
    };

    let l = lang();
    view! {
        <p class="muted">{text::run_note(l)}</p>
        <form class="card form-grid operation-form" on:submit=submit>
            <label for="operation">{text::operation(l)}</label>
            <select id="operation" on:change=move |ev| {
                let name = event_target_value(&ev);
                if let Some(i) = operations.with_value(|ops| ops.iter().position(|o| o.name == name)) {
                    chosen.set(i);
                    outcome.set(None);
                }
            }>
                {operations.with_value(|ops| ops.iter().enumerate().map(|(i, op)| {
                    let name = op.name.clone();
                    view! { <option value=name.clone() selected=move || chosen.get() == i>{name.clone()}</option> }
                }).collect_view())}
            </select>
            <p class="form-note" data-testid="operation-description">{move || current().map(|o| o.description).unwrap_or_default()}</p>
            {move || current().map(|op| op.parameters.into_iter().map(|p| {
                let name = p.name.clone();
                let input_id = format!("param-{name}");
                let hint_id = format!("param-{name}-hint");
                let (read, write) = (name.clone(), name.clone());
                view! {
                    <label for=input_id.clone()>{name.clone()}{(!p.required).then_some(text::optional_suffix(l))}</label>
                    <input id=input_id type="text" required=p.required autocomplete="off"
                        aria-describedby=hint_id.clone()
                        prop:value=move || params.with(|m| m.get(&read).cloned().unwrap_or_default())
                        on:input=move |ev| { let v = event_target_value(&ev); params.update(|m| { m.insert(write.clone(), v); }); }/>
                    <p class="form-note" id=hint_id>{p.description}</p>
                }
            }).collect_view())}
            <div class="form-actions">
                <button type="submit" disabled=move || busy.get()>
                    {move || if busy.get() { text::running(l).to_owned() } else { format!("{}{}", text::run(l), current().map(|o| o.name).unwrap_or_default()) }}
                </button>
            </div>
        </form>
        <div role="status" aria-live="polite" class="operation-outcome">
            {move || outcome.get().map(|o| match o {
                Ok(result) => view! { <ResultView result=result/> }.into_any(),
                Err(err) => view! { <ErrorBox error=err/> }.into_any(),
            })}
        </div>
    }
}

#[component]
fn ResultView(result: OperationResult) -> impl IntoView {
    view! {
        <article class="card result" data-testid="operation-result">
            <h3>{result.operation.clone()}</h3>
            <p class="muted">{text::ran_at(lang())} <LocalTime ms=result.ran_at/> {text::audit_record_of_run(lang())} <code>{result.audit_id.clone()}</code></p>
            {display_view(result.result)}
        </article>
    }
}

/// One value as its kind asks: sizes in bytes, times in the reader's zone,
/// addresses kept whole.
fn value_view(kind: Kind, value: Cell) -> AnyView {
    match (kind, value) {
        (_, Cell::Null) => ().into_any(),
        (Kind::Bytes, Cell::Number(n)) => format::bytes(n as i64).into_any(),
        (Kind::Time, Cell::Number(n)) => view! { <LocalTime ms=n as i64/> }.into_any(),
        (_, Cell::Number(n)) if n.fract() == 0.0 => (n as i64).to_string().into_any(),
        (_, Cell::Number(n)) => n.to_string().into_any(),
        (_, Cell::Text(s)) => s.into_any(),
    }
}

fn cell_class(kind: Kind) -> &'static str {
    match kind {
        Kind::Address => "address",
        Kind::Number | Kind::Bytes => "num",
        Kind::Text | Kind::Time => "",
    }
}

/// The result in the shape people read it: facts, a table (stacked rows on
/// a phone), a text as it is.
fn display_view(display: Display) -> AnyView {
    let facts = (!display.facts.is_empty()).then(|| {
        view! {
            <dl class="facts">
                {display.facts.into_iter().filter(|f| f.value != Cell::Null).map(|f| {
                    let class = cell_class(f.kind);
                    let label = f.label.clone();
                    view! { <dt>{f.label}</dt><dd class=class data-label=label>{value_view(f.kind, f.value)}</dd> }
                }).collect_view()}
            </dl>
        }
    });
    let table = display.table.map(|t| {
        let columns = t.columns.clone();
        view! {
            <div class="table-wrap" tabindex="0" role="region" aria-label=text::result(lang())>
            <table class="stack">
                <caption>{t.caption}</caption>
                <thead><tr>{t.columns.iter().map(|c| view! { <th scope="col">{c.label.clone()}</th> }).collect_view()}</tr></thead>
                <tbody>{t.rows.into_iter().map(|row| view! {
                    <tr>{row.into_iter().zip(columns.iter()).map(|(v, c)| view! {
                        <td class=cell_class(c.kind) data-label=c.label.clone()>{value_view(c.kind, v)}</td>
                    }).collect_view()}</tr>
                }).collect_view()}</tbody>
            </table></div>
        }
    });
    let text = display
        .text
        .map(|t| view! { <pre class="content">{t}</pre> });
    view! { <div class="display">{facts}{table}{text}</div> }.into_any()
}
