//! Support > Customer Lockbox requests: every request of the tenant.

use leptos::prelude::*;
use lockbox_shared::api::{FreezeSetting, RequestPage, RequestView};
use lockbox_shared::lifecycle::State;

use crate::api;
use crate::components::error::ErrorBox;
use crate::components::live::{auto_refresh, use_now};
use crate::components::session::use_session;
use crate::components::status::StatusBadge;
use crate::components::time::LocalTime;
use crate::format::deadline_text;
use crate::i18n::lang;
use crate::routes::{request_path, AppRoute};
use lockbox_shared::policy::Action;
use lockbox_shared::text;

/// The statuses a person filters by, in the order they care about them.
/// (A request reaches the customer at its pre-approval, so neither
/// "Awaiting manager" nor "Rejected by manager" is ever listed here.)
const FILTERS: [State; 7] = [
    State::PendingCustomerApproval,
    State::Approved,
    State::Denied,
    State::Expired,
    State::Revoked,
    State::Completed,
    State::Cancelled,
];

#[component]
pub fn RequestsPage() -> impl IntoView {
    let (filter, set_filter) = signal(None::<State>);
    let list = api::requests(move || filter.get());
    let session = use_session();
    let now = use_now();
    auto_refresh(15_000, move || list.refetch());
    // Older pages, read on demand after the first (which refreshes itself):
    // their requests, and where the next one starts once one was read.
    let older = RwSignal::new(Vec::<RequestView>::new());
    let older_next = RwSignal::new(None::<Option<String>>);
    let more_error = RwSignal::new(None::<api::ApiError>);
    let loading_more = RwSignal::new(false);
    let next_cursor = move || match older_next.get() {
        Some(next) => next,
        None => list
            .get()
            .and_then(|answer| answer.ok())
            .and_then(|page| page.next_cursor),
    };
    let show_more = move |_| {
        let Some(cursor) = next_cursor() else {
            return;
        };
        loading_more.set(true);
        let status = filter.get_untracked();
        leptos::task::spawn_local(async move {
            match api::older_requests(status, &cursor).await {
                Ok(page) => {
                    older.update(|items| items.extend(page.items));
                    older_next.set(Some(page.next_cursor));
                    more_error.set(None);
                }
                Err(err) => more_error.set(Some(err)),
            }
            loading_more.set(false);
        });
    };

    // While the tenant is frozen nothing here can be approved: said first.
    // Read only by those who may see the setting (auditors list requests
    // too, and would only be refused).
    let freeze = LocalResource::new(move || {
        let may = session.may(Action::ReadLockboxSetting);
        async move {
            if may {
                api::get::<FreezeSetting>("/settings/freeze").await.ok()
            } else {
                None
            }
        }
    });

    // Emergency access, said first whatever the filter: a live one (to
    // revoke at once if not accepted), and ended ones awaiting review. The
    // newest page holds them: one lasts an hour, a review is due in 7 days.
    let recent = LocalResource::new(move || async move {
        api::get::<RequestPage>("/requests?limit=100").await.ok()
    });
    auto_refresh(15_000, move || recent.refetch());
    let emergencies = move || {
        let now = now.get();
        let items = recent.get().flatten().map(|p| p.items).unwrap_or_default();
        let live: Vec<RequestView> = items
            .iter()
            .filter(|r| r.emergency.is_some() && r.effective_state_at(now) == State::Approved)
            .cloned()
            .collect();
        let to_review: Vec<RequestView> = items
            .into_iter()
            .filter(|r| {
                r.emergency
                    .as_ref()
                    .is_some_and(|e| e.review_due_at.is_some_and(|due| due > now))
                    && matches!(r.effective_state_at(now), State::Completed | State::Revoked)
            })
            .collect();
        (live, to_review)
    };

    let l = lang();
    view! {
        <section class="page">
            <p class="crumbs">{text::requests_crumb(l)}</p>
            <h1>{text::requests_title(l)}</h1>
            {move || {
                let (live, to_review) = emergencies();
                view! {
                    {(!live.is_empty()).then(|| view! {
                        <div class="error emergency-banner" role="alert" data-testid="emergency-banner">
                            <p><strong>{text::emergency_live_title(l)}</strong></p>
                            <ul>{live.into_iter().map(|r| view! {
                                <li><a href=request_path(r.id.as_str())>{text::emergency_live_item(l, &r.service, r.ticket.as_str())}</a>
                                    {r.grant_ends_at.map(|at| view! { " · " {text::emergency_until(l)} " " <LocalTime ms=at/> })}</li>
                            }).collect_view()}</ul>
                            <p>{text::emergency_live_body(l)}</p>
                        </div>
                    })}
                    {(!to_review.is_empty()).then(|| view! {
                        <div class="notice" data-testid="review-banner">
                            <p><strong>{text::emergency_review_title(l, to_review.len() as i64)}</strong></p>
                            <ul>{to_review.into_iter().map(|r| view! {
                                <li><a href=request_path(r.id.as_str())>{text::emergency_live_item(l, &r.service, r.ticket.as_str())}</a>
                                    {r.emergency.and_then(|e| e.review_due_at).map(|at| view! { " · " {text::emergency_review_by(l)} " " <LocalTime ms=at/> })}</li>
                            }).collect_view()}</ul>
                        </div>
                    })}
                }
            }}
            {move || freeze.get().flatten().filter(|f| f.frozen).map(|f| view! {
                <div class="error" role="alert" data-testid="frozen-banner">
                    <p><strong>{text::requests_frozen_title(l)}</strong>{text::requests_frozen_body(l)}
                        <a href=AppRoute::SecurityPrivacy.path()>{text::security_privacy(l)}</a>"."</p>
                    <p class="muted">{text::since(l)} {f.frozen_at.map(|at| view! { <LocalTime ms=at/> })}
                        {f.frozen_by.map(|by| view! { {text::by(l)} <span class="address">{by}</span> })}
                        {f.reason.map(|r| view! { ": " <span dir="auto">{r}</span> })}</p>
                </div>
            })}
            <p class="muted intro">{text::requests_intro(l)}</p>
            <div class="toolbar">
                <label for="status-filter">{text::status(l)}</label>
                <select id="status-filter" on:change=move |ev| {
                    older.set(Vec::new());
                    older_next.set(None);
                    more_error.set(None);
                    set_filter.set(State::parse(&event_target_value(&ev)));
                }>
                    <option value="">{text::all(l)}</option>
                    {FILTERS.into_iter().map(|s| view! { <option value=s.as_str()>{text::state(l, s)}</option> }).collect_view()}
                </select>
            </div>
            {move || match list.get() {
                    None => view! { <p class="muted">{text::requests_loading(l)}</p> }.into_any(),
                    Some(result) => match result {
                        Ok(page) if page.items.is_empty() => view! {
                            <p class="empty">{text::requests_none(l)}</p>
                        }.into_any(),
                        Ok(page) => {
                            // What awaits the viewer's decision comes first.
                            let deciding = session.may(Action::Approve);
                            let now = now.get_untracked();
                            // The first page, then older pages' requests not
                            // on it (a refresh may have moved some onto it).
                            let mut items = page.items;
                            for r in older.get() {
                                if !items.iter().any(|i| i.id == r.id) {
                                    items.push(r);
                                }
                            }
                            // A request the viewer approved already waits
                            // for someone else (a quorum), not for them.
                            let me = session.me.get().and_then(|m| m.ok()).map(|m| m.principal.email);
                            let approved_by_me = |r: &RequestView| me.as_deref().is_some_and(|me| r.approved_by(me));
                            let (awaiting, others): (Vec<RequestView>, Vec<RequestView>) = items
                                .into_iter()
                                .partition(|r| deciding && r.effective_state_at(now) == State::PendingCustomerApproval && !approved_by_me(r));
                            let count = awaiting.len();
                            view! {
                                {(count > 0).then(|| view! {
                                    <h2 id="awaiting-heading">{text::awaiting_your_decision_count(l, count as i64)}</h2>
                                    <RequestList items=awaiting label=text::awaiting_your_decision(l).to_owned()/>
                                })}
                                {(count > 0 && !others.is_empty()).then(|| view! { <h2>{text::other_requests(l)}</h2> })}
                                {(!others.is_empty()).then(|| view! { <RequestList items=others label=text::requests_list(l).to_owned()/> })}
                            }.into_any()
                        }
                        Err(err) => view! {
                            <ErrorBox error=err retry=Callback::new(move |_| list.refetch())/>
                        }.into_any(),
                    },
                }}
            {move || next_cursor().map(|_| view! {
                <p class="more">
                    <button type="button" class="secondary-dark" on:click=show_more disabled=move || loading_more.get()>
                        {move || if loading_more.get() { text::loading_older(l) } else { text::load_older(l) }}
                    </button>
                </p>
            })}
            {move || more_error.get().map(|err| view! {
                <p class="error" role="alert">{err.message()}</p>
            })}
        </section>
    }
}

#[component]
fn RequestList(items: Vec<RequestView>, label: String) -> impl IntoView {
    let l = lang();
    view! {
        <div class="requests">
            <div class="request-row request-head" aria-hidden="true">
                <span>{text::status(l)}</span><span>{text::column_ticket(l)}</span><span>{text::column_service(l)}</span>
                <span>{text::column_requester(l)}</span><span>{text::column_requested(l)}</span><span>{text::column_deadline(l)}</span>
            </div>
            <ul class="request-list" aria-label=label>
                {items.into_iter().map(|r| view! { <li><RequestRow request=r/></li> }).collect_view()}
            </ul>
        </div>
    }
}

#[component]
fn RequestRow(request: RequestView) -> impl IntoView {
    let now = use_now();
    let href = request_path(request.id.as_str());
    let created = request.created_at;
    let label = text::request_row_label(
        lang(),
        text::state(lang(), request.effective_state),
        request.ticket.as_str(),
        &request.service,
        &request.requester_email,
    );
    // A deadline can pass while the page is open: the state and the last
    // column follow the clock.
    let live = request.clone();
    let live_state = move || live.effective_state_at(now.get());
    let shown = request.clone();
    let deadline = move || deadline_text(&shown, now.get()).unwrap_or_else(|| "—".to_owned());
    // With more than one approval needed, how many are in while it waits.
    let progress = request
        .approvals_required
        .filter(|&n| n > 1 && request.state == State::PendingCustomerApproval)
        .map(|n| text::approvals_progress(lang(), request.approvals.len() as i64, i64::from(n)));
    view! {
        <a class="request-row" href=href aria-label=label data-request=request.id.to_string()>
            <span class="cell-status">{move || view! { <StatusBadge state=live_state()/> }}
                {progress.map(|p| view! { <span class="progress muted">{p}</span> })}</span>
            <span class="cell cell-ticket"><span class="cell-label">{text::cell_ticket(lang())}</span><span class="ticket">{request.ticket.clone()}</span></span>
            <span class="cell"><span class="cell-label">{text::cell_service(lang())}</span>{request.service.clone()}</span>
            <span class="cell cell-wide"><span class="cell-label">{text::cell_requester(lang())}</span><span class="address">{request.requester_email.clone()}</span></span>
            <span class="cell cell-wide"><span class="cell-label">{text::cell_requested(lang())}</span><LocalTime ms=created/></span>
            <span class="cell cell-deadline">{deadline}</span>
        </a>
    }
}
