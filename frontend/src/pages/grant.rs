//! Provider console > a grant: its customer, service and time left, the
//! operations it allows as forms, and what they return.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use lockbox_shared::api::{OperationOutput, OperationResult, RequestView};
use lockbox_shared::lifecycle::State;
use lockbox_shared::operations::{ContentService, OperationName};

use crate::api::{self, ApiError};
use crate::components::error::ErrorBox;
use crate::components::live::{auto_refresh, use_now};
use crate::components::status::StatusBadge;
use crate::components::time::{local, LocalTime};
use crate::format;
use crate::routes::{provider_request_path, AppRoute};

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
    view! {
        <section class="page grant-page">
            <p class="crumbs"><a href=AppRoute::ProviderRequests.path()>"← My access requests"</a></p>
            {move || match request.get() {
                None => view! { <p class="muted">"Loading the grant…"</p> }.into_any(),
                Some(Err(err)) => view! {
                    <h1>"Grant"</h1>
                    <ErrorBox error=err retry=reload/>
                }.into_any(),
                Some(Ok(view)) => view! { <Grant request=view reload=reload refused=refused/> }.into_any(),
            }}
        </section>
    }
}

/// Why a grant no longer (or not yet) opens the content, in words.
fn closed_text(r: &RequestView, state: State) -> String {
    match state {
        State::Revoked => format!(
            "Access ended: the customer revoked it{}.",
            r.ended_at
                .map(|t| format!(" at {}", local(t)))
                .unwrap_or_default()
        ),
        State::Completed => format!(
            "Access ended{}: the grant ran out.",
            r.grant_ends_at
                .map(|t| format!(" at {}", local(t)))
                .unwrap_or_default()
        ),
        State::PendingManagerApproval => {
            "Not granted yet: the request waits for a support manager's pre-approval.".to_owned()
        }
        State::PendingCustomerApproval => {
            "Not granted yet: the request waits for the customer's approval.".to_owned()
        }
        other => format!("No access was granted: the request is {}.", other.label()),
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
    view! {
        <h1>{format!("Grant: {} · {}", r.tenant_name, r.service)}</h1>
        <p class="status-line">
            {let state = state.clone(); move || view! { <StatusBadge state=state()/> }}
            <span class="deadline" data-testid="time-left">{move || {
                if is_live.get() {
                    countdown.grant_ends_at.map(|end| format!("Access: {}", format::countdown(end, now.get(), "ended"))).unwrap_or_default()
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
            <dt>"Customer"</dt><dd>{r.tenant_name.clone()}</dd>
            <dt>"Service"</dt><dd>{r.service.clone()}</dd>
            <dt>"Ticket number"</dt><dd><a href=provider_request_path(r.id.as_str())>{r.ticket.clone()}</a></dd>
            {r.grant_starts_at.map(|t| view! { <dt>"Access from"</dt><dd><LocalTime ms=t/></dd> })}
            {r.grant_ends_at.map(|t| view! { <dt>"Access until"</dt><dd><LocalTime ms=t/></dd> })}
        </dl>
        {move || is_live.get().then(|| view! { <Operations request=request.clone() reload=reload refused=refused/> })}
    }
}

/// The operations the grant's service allows, one form at a time.
#[component]
fn Operations(
    request: RequestView,
    reload: Callback<()>,
    refused: RwSignal<Option<ApiError>>,
) -> impl IntoView {
    let Some(service) = ContentService::parse(&request.service) else {
        return view! { <p class="notice">"No operations are defined for this service."</p> }
            .into_any();
    };
    let operations: Vec<OperationName> = OperationName::of(service).collect();
    let first = operations
        .first()
        .copied()
        .unwrap_or(OperationName::GetMailbox);
    let chosen = RwSignal::new(first);
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
        let op = chosen.get_untracked();
        // Only this operation's parameters, and only those filled in.
        let sent: BTreeMap<String, String> = params
            .get_untracked()
            .into_iter()
            .filter(|(k, v)| !v.trim().is_empty() && op.spec().params.iter().any(|p| p.name == k))
            .map(|(k, v)| (k, v.trim().to_owned()))
            .collect();
        let (tenant_id, service_name, request_id) =
            (tenant_id.clone(), service_name.clone(), request_id.clone());
        set_busy.set(true);
        spawn_local(async move {
            let result =
                api::run_operation(&request_id, &tenant_id, &service_name, op, &sent).await;
            set_busy.set(false);
            match result {
                Err(ApiError::Problem(p)) if p.status == 403 => {
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

    view! {
        <h2>"Operations"</h2>
        <p class="muted">"Each run is written to the customer's audit log with this request, your e-mail and the parameters."</p>
        <form class="card form-grid operation-form" on:submit=submit>
            <label for="operation">"Operation"</label>
            <select id="operation" on:change=move |ev| {
                if let Some(op) = OperationName::parse(&event_target_value(&ev)) {
                    chosen.set(op);
                    outcome.set(None);
                }
            }>
                {operations.iter().map(|op| {
                    let op = *op;
                    view! { <option value=op.as_str() selected=move || chosen.get() == op>{op.as_str()}</option> }
                }).collect_view()}
            </select>
            <p class="form-note" data-testid="operation-description">{move || chosen.get().spec().description}</p>
            {move || chosen.get().spec().params.iter().map(|p| {
                let name = p.name;
                let input_id = format!("param-{name}");
                let hint_id = format!("param-{name}-hint");
                view! {
                    <label for=input_id.clone()>{name}{(!p.required).then_some(" (optional)")}</label>
                    <input id=input_id type="text" required=p.required autocomplete="off"
                        aria-describedby=hint_id.clone()
                        prop:value=move || params.with(|m| m.get(name).cloned().unwrap_or_default())
                        on:input=move |ev| { let v = event_target_value(&ev); params.update(|m| { m.insert(name.to_owned(), v); }); }/>
                    <p class="form-note" id=hint_id>{p.description}</p>
                }
            }).collect_view()}
            <div class="form-actions">
                <button type="submit" disabled=move || busy.get()>
                    {move || if busy.get() { "Running…".to_owned() } else { format!("Run {}", chosen.get().as_str()) }}
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
    .into_any()
}

#[component]
fn ResultView(result: OperationResult) -> impl IntoView {
    view! {
        <article class="card result" data-testid="operation-result">
            <h3>{result.operation.as_str()}</h3>
            <p class="muted">"Ran at " <LocalTime ms=result.ran_at/> " · audit record " <code>{result.audit_id.clone()}</code></p>
            {output_view(result.result)}
        </article>
    }
}

fn bytes(n: i64) -> String {
    format::bytes(n)
}

/// The result in the shape people read it: a message as a message, a
/// listing as a table, a file with its content.
fn output_view(output: OperationOutput) -> AnyView {
    match output {
        OperationOutput::Mailboxes { items } => view! {
            <div class="table-wrap" tabindex="0" role="region" aria-label="Result">
            <table class="stack">
                <caption>"Mailboxes"</caption>
                <thead><tr><th scope="col">"Address"</th><th scope="col">"Name"</th><th scope="col">"Items"</th><th scope="col">"Size"</th></tr></thead>
                <tbody>{items.into_iter().map(|m| view! {
                    <tr><td class="address" data-label="Address">{m.address}</td><td data-label="Name">{m.display_name}</td><td class="num" data-label="Items">{m.item_count}</td><td class="num" data-label="Size">{bytes(m.size_bytes)}</td></tr>
                }).collect_view()}</tbody>
            </table></div>
        }.into_any(),
        OperationOutput::MailboxStatistics(s) => view! {
            <dl class="facts">
                <dt>"Mailbox"</dt><dd class="address">{s.mailbox.address}</dd>
                <dt>"Name"</dt><dd>{s.mailbox.display_name}</dd>
                <dt>"Items"</dt><dd data-testid="item-count">{s.mailbox.item_count}</dd>
                <dt>"Size"</dt><dd>{bytes(s.mailbox.size_bytes)}</dd>
                {s.oldest_received_at.map(|t| view! { <dt>"Oldest message"</dt><dd><LocalTime ms=t/></dd> })}
                {s.newest_received_at.map(|t| view! { <dt>"Newest message"</dt><dd><LocalTime ms=t/></dd> })}
            </dl>
        }.into_any(),
        OperationOutput::FolderStatistics { identity, folders } => view! {
            <div class="table-wrap" tabindex="0" role="region" aria-label="Result">
            <table class="stack">
                <caption>{format!("Folders of {identity}")}</caption>
                <thead><tr><th scope="col">"Folder"</th><th scope="col">"Items"</th><th scope="col">"Size"</th></tr></thead>
                <tbody>{folders.into_iter().map(|f| view! {
                    <tr><td data-label="Folder">{f.folder}</td><td class="num" data-label="Items">{f.item_count}</td><td class="num" data-label="Size">{bytes(f.size_bytes)}</td></tr>
                }).collect_view()}</tbody>
            </table></div>
        }.into_any(),
        OperationOutput::Messages { identity, items } => view! {
            <div class="table-wrap" tabindex="0" role="region" aria-label="Result">
            <table class="stack">
                <caption>{format!("Messages of {identity}")}</caption>
                <thead><tr><th scope="col">"No."</th><th scope="col">"Received"</th><th scope="col">"From"</th><th scope="col">"Subject"</th><th scope="col">"Folder"</th></tr></thead>
                <tbody>{items.into_iter().map(|m| view! {
                    <tr><td class="num" data-label="No.">{m.id}</td><td data-label="Received"><LocalTime ms=m.received_at/></td><td class="address" data-label="From">{m.from}</td><td data-label="Subject">{m.subject}</td><td data-label="Folder">{m.folder}</td></tr>
                }).collect_view()}</tbody>
            </table></div>
        }.into_any(),
        OperationOutput::Message(m) => view! {
            <div class="message">
                <dl class="facts">
                    <dt>"From"</dt><dd class="address">{m.header.from}</dd>
                    <dt>"To"</dt><dd class="address">{m.header.to}</dd>
                    <dt>"Subject"</dt><dd>{m.header.subject}</dd>
                    <dt>"Received"</dt><dd><LocalTime ms=m.header.received_at/></dd>
                    <dt>"Folder"</dt><dd>{m.header.folder}</dd>
                </dl>
                <pre class="content">{m.body}</pre>
            </div>
        }.into_any(),
        OperationOutput::Sites { items } => view! {
            <div class="table-wrap" tabindex="0" role="region" aria-label="Result">
            <table class="stack">
                <caption>"Sites"</caption>
                <thead><tr><th scope="col">"Site"</th><th scope="col">"Title"</th><th scope="col">"Files"</th></tr></thead>
                <tbody>{items.into_iter().map(|s| view! {
                    <tr><td class="address" data-label="Site">{s.url_path}</td><td data-label="Title">{s.title}</td><td class="num" data-label="Files">{s.file_count}</td></tr>
                }).collect_view()}</tbody>
            </table></div>
        }.into_any(),
        OperationOutput::Items { parent, items } => view! {
            <div class="table-wrap" tabindex="0" role="region" aria-label="Result">
            <table class="stack">
                <caption>{format!("In {parent}")}</caption>
                <thead><tr><th scope="col">"Path"</th><th scope="col">"Kind"</th><th scope="col">"Size"</th><th scope="col">"Modified"</th></tr></thead>
                <tbody>{items.into_iter().map(|i| view! {
                    <tr><td class="address" data-label="Path">{i.path}</td><td data-label="Kind">{if i.is_folder { "Folder" } else { "File" }}</td>
                        <td class="num" data-label="Size">{if i.is_folder { String::new() } else { bytes(i.size_bytes) }}</td>
                        <td data-label="Modified"><LocalTime ms=i.modified_at/></td></tr>
                }).collect_view()}</tbody>
            </table></div>
        }.into_any(),
        OperationOutput::File(f) => view! {
            <div class="file">
                <dl class="facts">
                    <dt>"Path"</dt><dd class="address">{f.entry.path}</dd>
                    <dt>"Size"</dt><dd>{bytes(f.entry.size_bytes)}</dd>
                    <dt>"Modified"</dt><dd><LocalTime ms=f.entry.modified_at/></dd>
                </dl>
                <pre class="content">{f.content}</pre>
            </div>
        }.into_any(),
    }
}
