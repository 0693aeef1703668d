//! Support > Customer Lockbox requests: every request of the tenant.

use leptos::prelude::*;
use lockbox_shared::api::{FreezeSetting, RequestPage, RequestView};
use lockbox_shared::lifecycle::State;

use crate::api;
use crate::components::error::ErrorBox;
use crate::components::first_screen;
use crate::components::live::{auto_refresh, use_now};
use crate::components::session::use_session;
use crate::components::time;
use crate::i18n::lang;
use lockbox_shared::policy::Action;
use lockbox_shared::{screen, text};

#[component]
pub fn RequestsPage() -> impl IntoView {
    let (filter, set_filter) = signal(None::<State>);
    let list = api::requests(move || filter.get());
    let session = use_session();
    let now = use_now();
    let l = lang();
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
    let freeze = api::read_if::<FreezeSetting>(screen::FREEZE, move || {
        session.may(Action::ReadLockboxSetting)
    });
    // Emergency access, said first whatever the filter: a live one (to
    // revoke at once if not accepted), and ended ones awaiting review. The
    // newest page holds them: one lasts an hour, a review is due in 7 days.
    let recent = api::read_if::<RequestPage>(screen::RECENT, || true);
    auto_refresh(15_000, move || recent.refetch());
    // The banners, written as the Worker writes them into the first page.
    let banners = Memo::new(move |_| {
        let items = recent
            .get()
            .and_then(|r| r.ok())
            .map(|p| p.items)
            .unwrap_or_default();
        let freeze = freeze.get().and_then(|r| r.ok());
        screen::banners(l, &items, freeze.as_ref(), now.get(), &time::local)
    });
    // The list shows once what goes above it is known too, so that nothing
    // moves once shown; then the page the Worker wrote gives way to it.
    let ready = move || {
        list.get().is_some()
            && recent.get().is_some()
            && freeze.get().is_some()
            && session.me.get().is_some()
    };
    Effect::new(move |_| {
        if ready() {
            first_screen::take_over();
        }
    });
    on_cleanup(first_screen::take_over);

    view! {
        <section class="page">
            <p class="crumbs">{text::requests_crumb(l)}</p>
            <h1>{text::requests_title(l)}</h1>
            <div class="banners" inner_html=move || banners.get()></div>
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
                    {screen::FILTERS.into_iter().map(|s| view! { <option value=s.as_str()>{text::state(l, s)}</option> }).collect_view()}
                </select>
                <span class="freshness muted" role="status">{move || match list.freshness() {
                    api::Freshness::Fresh => String::new(),
                    api::Freshness::Refreshing(at) => text::requests_refreshing(l, &time::local(at)),
                    api::Freshness::Offline(at) => text::requests_offline(l, &time::local(at)),
                }}</span>
            </div>
            {move || match list.get().filter(|_| ready()) {
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
                            let me = session.me.get().and_then(|m| m.ok()).map(|m| m.principal.email);
                            let (awaiting, others) = screen::partition(items, deciding, me.as_deref(), now);
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
            {move || next_cursor().filter(|_| ready()).map(|_| view! {
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

/// Requests under the list's head row (as [`screen::list`] writes them).
#[component]
fn RequestList(items: Vec<RequestView>, label: String) -> impl IntoView {
    let l = lang();
    view! {
        <div class="requests">
            <div class="request-row request-head" aria-hidden="true" inner_html=screen::head_cells(l)></div>
            <ul class="request-list" aria-label=label>
                {items.into_iter().map(|r| view! { <li><RequestRow request=r/></li> }).collect_view()}
            </ul>
        </div>
    }
}

/// A request's row ([`screen::row`]): the link stays while its cells
/// follow the clock (a deadline can pass while the page is open), so a
/// row keeps the keyboard's focus.
#[component]
fn RequestRow(request: RequestView) -> impl IntoView {
    let now = use_now();
    let l = lang();
    let href = screen::request_path(request.id.as_str());
    let label = screen::row_label(l, &request);
    let id = request.id.to_string();
    let cells = Memo::new(move |_| screen::row_cells(l, &request, now.get(), &time::local));
    view! {
        <a class="request-row" href=href aria-label=label data-request=id inner_html=move || cells.get()></a>
    }
}
