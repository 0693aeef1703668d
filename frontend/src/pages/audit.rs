//! Audit log search: filters, results that open to every detail, more on
//! demand, and the two exports of the current search.

use leptos::prelude::*;
use leptos::task::spawn_local;
use lockbox_shared::api::{AuditEntry, AuditPage, API_PREFIX};
use lockbox_shared::audit::{utc_ms, Activity};
use lockbox_shared::ids::RequestId;

use crate::api::{self, ApiError};
use crate::components::error::ErrorBox;
use crate::components::focus::focus_when_rendered;
use crate::components::time::{local, zone_name};
use crate::i18n::lang;
use lockbox_shared::text;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// `ms` as the value of a `datetime-local` input in the viewer's zone.
fn to_local_input(ms: i64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date(),
        date.get_hours(),
        date.get_minutes()
    )
}

/// A `datetime-local` value (the viewer's zone) as epoch ms.
fn from_local_input(value: &str) -> Option<i64> {
    if value.trim().is_empty() {
        return None;
    }
    let ms = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(value)).get_time();
    ms.is_finite().then_some(ms as i64)
}

fn encode(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}

/// The search as a query string (without cursor and limit), or why not.
fn query_of(
    start: &str,
    end: &str,
    activities: &[String],
    users: &str,
    item: &str,
    request: &str,
) -> Result<String, String> {
    let mut parts = Vec::new();
    let start = from_local_input(start);
    let end = from_local_input(end);
    if let (Some(s), Some(e)) = (start, end) {
        if s >= e {
            return Err(text::audit_start_after_end(lang()).to_owned());
        }
    }
    if let Some(s) = start {
        parts.push(format!("start={s}"));
    }
    if let Some(e) = end {
        parts.push(format!("end={e}"));
    }
    if !activities.is_empty() {
        parts.push(format!("activity={}", encode(&activities.join(","))));
    }
    if !users.trim().is_empty() {
        parts.push(format!("user={}", encode(users.trim())));
    }
    if !item.trim().is_empty() {
        parts.push(format!("item={}", encode(item.trim())));
    }
    // One field for both: a request id is a UUID, a ticket never is.
    let request = request.trim();
    if !request.is_empty() {
        let key = if RequestId::parse(request).is_ok() {
            "request"
        } else {
            "ticket"
        };
        parts.push(format!("{key}={}", encode(request)));
    }
    Ok(parts.join("&"))
}

/// The value of `name` in the page's query string, decoded.
fn url_param(name: &str) -> Option<String> {
    let search = window().location().search().ok()?;
    search.trim_start_matches('?').split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (key == name)
            .then(|| js_sys::decode_uri_component(&value.replace('+', " ")).ok())
            .flatten()
            .map(String::from)
    })
}

/// An audit record's user as shown: `<Provider> Operator` reads as the
/// reader's language says it; the stored value, which searches and
/// exports use, stays as written.
fn shown_user(user: &str) -> String {
    match user.strip_suffix(" Operator") {
        Some(provider) if !provider.is_empty() => text::audit_operator(lang(), provider),
        _ => user.to_owned(),
    }
}

#[component]
pub fn AuditSearchPage() -> impl IntoView {
    let now = js_sys::Date::now() as i64;
    // Reached from a request's page: that request's records, whenever they
    // were made, with the one followed open.
    let from_request = url_param("request").filter(|r| !r.trim().is_empty());
    let open_seq = url_param("open").and_then(|s| s.parse::<i64>().ok());
    let zone = zone_name();
    // The end is exclusive: a minute ahead keeps what happens meanwhile.
    let start = RwSignal::new(if from_request.is_some() {
        String::new()
    } else {
        to_local_input(now - 7 * DAY_MS)
    });
    let end = RwSignal::new(to_local_input(now + 60_000));
    let activities = RwSignal::new(Vec::<String>::new());
    let users = RwSignal::new(String::new());
    let item = RwSignal::new(String::new());
    let request = RwSignal::new(from_request.unwrap_or_default());
    let narrow = RwSignal::new(String::new());

    let results = RwSignal::new(Vec::<AuditEntry>::new());
    let next_cursor = RwSignal::new(None::<String>);
    let searched = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<ApiError>);
    let invalid = RwSignal::new(None::<String>);
    let (busy, set_busy) = signal(false);

    let clear = move || {
        results.set(Vec::new());
        next_cursor.set(None);
        searched.set(None);
    };
    let fetch = move |query: String, cursor: Option<String>| {
        set_busy.set(true);
        error.set(None);
        spawn_local(async move {
            let mut rest = format!("/audit?limit=100&{query}");
            if let Some(c) = &cursor {
                rest.push_str(&format!("&cursor={}", encode(c)));
            }
            match api::get::<AuditPage>(&rest).await {
                Ok(page) => {
                    if cursor.is_some() {
                        results.update(|r| r.extend(page.items));
                    } else {
                        results.set(page.items);
                    }
                    next_cursor.set(page.next_cursor);
                    searched.set(Some(query));
                    if let Some(seq) = open_seq.filter(|_| cursor.is_none()) {
                        focus_when_rendered(format!("li[data-seq=\"{seq}\"] summary"));
                    }
                }
                // A refused search shows no results: the old ones would
                // read as this search's.
                Err(err) => {
                    if cursor.is_none() {
                        clear();
                    }
                    error.set(Some(err));
                }
            }
            set_busy.set(false);
        });
    };
    let search = move || match query_of(
        &start.get_untracked(),
        &end.get_untracked(),
        &activities.get_untracked(),
        &users.get_untracked(),
        &item.get_untracked(),
        &request.get_untracked(),
    ) {
        Ok(query) => {
            invalid.set(None);
            fetch(query, None);
        }
        Err(why) => {
            clear();
            error.set(None);
            invalid.set(Some(why));
        }
    };
    // The last 7 days, as soon as the page opens.
    search();

    let shown = Memo::new(move |_| {
        let text = narrow.get().trim().to_lowercase();
        results.with(|all| {
            all.iter()
                .filter(|e| {
                    let user = &e.record.record.user;
                    text.is_empty()
                        || e.record
                            .record
                            .activity
                            .as_str()
                            .to_lowercase()
                            .contains(&text)
                        || user.to_lowercase().contains(&text)
                        || shown_user(user).to_lowercase().contains(&text)
                })
                .cloned()
                .collect::<Vec<_>>()
        })
    });

    let export_href = move |ext: &str| {
        let query = searched.get().unwrap_or_default();
        format!("{API_PREFIX}/audit/export.{ext}?{query}")
    };

    let l = lang();
    view! {
        <section class="page audit-page">
            <h1>{text::audit_title(l)}</h1>
            <p class="muted">{text::audit_intro(l)}</p>
            <form class="card form-grid audit-form" on:submit=move |ev| { ev.prevent_default(); search(); }>
                <label for="audit-start">{text::audit_start(l, &zone)}</label>
                <input id="audit-start" type="datetime-local" prop:value=move || start.get()
                    on:input=move |ev| start.set(event_target_value(&ev))/>
                <label for="audit-end">{text::audit_end(l, &zone)}</label>
                <input id="audit-end" type="datetime-local" prop:value=move || end.get()
                    on:input=move |ev| end.set(event_target_value(&ev))/>
                <label for="audit-activities">{text::audit_activities(l)}</label>
                <select id="audit-activities" multiple size="6" aria-describedby="audit-activities-hint"
                    on:change=move |ev| {
                        use wasm_bindgen::JsCast;
                        let picked = ev
                            .target()
                            .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
                            .map(|select| {
                                let options = select.selected_options();
                                (0..options.length())
                                    .filter_map(|i| options.item(i))
                                    .filter_map(|o| o.get_attribute("value"))
                                    .collect::<Vec<_>>()
                            })
                            .unwrap_or_default();
                        activities.set(picked);
                    }>
                    {Activity::names().map(|name| view! { <option value=name>{name}</option> }).collect_view()}
                </select>
                <p class="form-note" id="audit-activities-hint" data-testid="activities-picked">{move || {
                    let picked = activities.get();
                    if picked.is_empty() {
                        text::audit_activities_none(l).to_owned()
                    } else {
                        text::audit_activities_chosen(l, picked.len() as i64, &picked.join(", "))
                    }
                }}</p>
                <label for="audit-users">{text::audit_users(l)}</label>
                <input id="audit-users" type="text" autocomplete="off" placeholder=text::audit_users_all(l)
                    aria-describedby="audit-users-hint"
                    prop:value=move || users.get() on:input=move |ev| users.set(event_target_value(&ev))/>
                <p class="form-note" id="audit-users-hint">{text::audit_users_hint(l)}</p>
                <label for="audit-item">{text::audit_item(l)}</label>
                <input id="audit-item" type="text" autocomplete="off" placeholder=text::audit_items_all(l)
                    prop:value=move || item.get() on:input=move |ev| item.set(event_target_value(&ev))/>
                <label for="audit-request">{text::audit_request(l)}</label>
                <input id="audit-request" type="text" autocomplete="off" placeholder=text::audit_requests_all(l)
                    aria-describedby="audit-request-hint"
                    prop:value=move || request.get() on:input=move |ev| request.set(event_target_value(&ev))/>
                <p class="form-note" id="audit-request-hint">{text::audit_request_hint(l)}</p>
                <div class="form-actions">
                    <button type="submit" disabled=move || busy.get()>{move || if busy.get() { text::audit_searching(l) } else { text::audit_search(l) }}</button>
                </div>
                {move || invalid.get().map(|why| view! { <p class="error" role="alert">{why}</p> })}
            </form>

            {move || error.get().map(|err| view! { <ErrorBox error=err/> })}

            {move || searched.get().map(|_| view! {
                <div class="toolbar audit-toolbar">
                    <label for="audit-narrow">{text::audit_filter(l)}</label>
                    <input id="audit-narrow" type="text" autocomplete="off" placeholder=text::audit_filter_placeholder(l)
                        prop:value=move || narrow.get() on:input=move |ev| narrow.set(event_target_value(&ev))/>
                    <a class="button-link secondary-link" href=move || export_href("csv") download="">{text::download_csv(l)}</a>
                    <a class="button-link secondary-link" href=move || export_href("jsonl") download="">{text::download_jsonl(l)}</a>
                </div>
                <p class="muted">{text::audit_verify_before(l)}
                    <a href=format!("{API_PREFIX}/audit/checkpoint") download="checkpoint.txt">{text::audit_checkpoint(l)}</a>
                    {text::audit_verify_middle(l)}<code>"lockbox audit verify"</code>
                    {text::audit_verify_with(l)}<a href=format!("{API_PREFIX}/audit/public-key") download="key.txt">{text::audit_public_key(l)}</a>{text::audit_verify_after(l)}</p>
                <p class="muted" role="status" data-testid="audit-count">{move || {
                    let (n, total) = (shown.with(Vec::len) as i64, results.with(Vec::len) as i64);
                    let more = if next_cursor.get().is_some() { text::audit_more(l) } else { "" };
                    if n == total { text::audit_count_all(l, total, more) } else { text::audit_count_some(l, n, total, more) }
                }}</p>
                <ol class="audit-records" aria-label=text::audit_records(l)>
                    <For each=move || shown.get() key=|e| e.record.id.clone() let:e>
                        <AuditItem open=open_seq == Some(e.record.seq) entry=e/>
                    </For>
                </ol>
                {move || next_cursor.get().map(|cursor| view! {
                    <button type="button" class="secondary-dark" disabled=move || busy.get()
                        on:click=move |_| fetch(searched.get_untracked().unwrap_or_default(), Some(cursor.clone()))>
                        {text::load_more(l)}
                    </button>
                })}
            })}
        </section>
    }
}

#[component]
fn AuditItem(entry: AuditEntry, open: bool) -> impl IntoView {
    let r = entry.record.clone();
    let details: Vec<(String, String)> = r
        .record
        .details
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let summary_time = local(r.occurred_at);
    let user = shown_user(&r.record.user);
    let l = lang();
    view! {
        <li class="audit-record" data-seq=r.seq>
            <details open=open>
                <summary>
                    <span class="audit-when">{summary_time.clone()}</span>
                    <span class="audit-activity">{r.record.activity.as_str().to_owned()}</span>
                    <span class="audit-user"><span class="address">{user.clone()}</span></span>
                    {(!r.record.item.is_empty()).then(|| view! { <span class="audit-item">{r.record.item.clone()}</span> })}
                </summary>
                <dl class="facts">
                    <dt>{text::audit_time_utc(l)}</dt><dd>{utc_ms(r.occurred_at)}</dd>
                    <dt>{text::audit_time_yours(l)}</dt><dd>{summary_time}</dd>
                    <dt>{text::audit_ip(l)}</dt><dd>{if r.record.ip.is_empty() { "—".to_owned() } else { r.record.ip.clone() }}</dd>
                    <dt>{text::audit_user(l)}</dt><dd class="address">{user}</dd>
                    <dt>{text::audit_activity(l)}</dt><dd>{r.record.activity.as_str().to_owned()}</dd>
                    <dt>{text::audit_item(l)}</dt><dd class="long">{if r.record.item.is_empty() { "—".to_owned() } else { r.record.item.clone() }}</dd>
                    // The details' keys are stored names, as searched and exported.
                    {details.into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd class="long">{v}</dd> }).collect_view()}
                    <dt>{text::audit_seq(l)}</dt><dd>{r.seq}</dd>
                    <dt>{text::audit_leaf_hash(l)}</dt><dd class="long hash">{if entry.leaf_hash.is_empty() { text::audit_not_sealed(l).to_owned() } else { entry.leaf_hash.clone() }}</dd>
                    <dt>{text::audit_record_id(l)}</dt><dd class="long">{r.id.clone()}</dd>
                </dl>
            </details>
        </li>
    }
}
