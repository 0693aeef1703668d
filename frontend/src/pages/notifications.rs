//! Settings > Org settings > Notifications: the tenant's webhook endpoints
//! (added with their secret shown once, removed behind a confirmation) and
//! the log of what was sent to its people and endpoints.

use leptos::prelude::*;
use leptos::task::spawn_local;
use lockbox_shared::api::{Delivery, NotificationSettings, WebhookEndpoint};

use crate::api::{self, ApiError};
use crate::components::dialog::ConfirmDialog;
use crate::components::error::ErrorBox;
use crate::components::focus::focus_later;
use crate::components::time::LocalTime;
use crate::format;
use crate::i18n::lang;
use lockbox_shared::text;

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let settings = api::notifications();
    let reload = Callback::new(move |_| settings.refetch());
    // Kept by the page: the secret must outlive the reload its adding causes.
    let secret = RwSignal::new(None::<Shown>);
    // What the last removal did, kept by the page across the reload.
    let removed = RwSignal::new(None::<String>);
    let l = lang();
    view! {
        <section class="page">
            <p class="crumbs">{text::crumbs_org_settings(l)}</p>
            <h1>{text::nav_notifications(l)}</h1>
            <div role="status" aria-live="polite" id="webhooks-outcome">
                {move || removed.get().map(|text| view! { <p class="confirmation" data-testid="webhook-removed">{text}</p> })}
            </div>
            <p class="muted">{text::notifications_intro(l)}</p>
            {move || match settings.get() {
                None => view! { <p class="muted">{text::loading(l)}</p> }.into_any(),
                Some(Ok(s)) => view! { <Webhooks settings=s.clone() reload=reload secret=secret removed=removed/> <Deliveries items=s.deliveries.clone() endpoints=s.endpoints.clone()/> }.into_any(),
                Some(Err(err)) => view! { <ErrorBox error=err retry=reload/> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn Webhooks(
    settings: NotificationSettings,
    reload: Callback<()>,
    secret: RwSignal<Option<Shown>>,
    removed: RwSignal<Option<String>>,
) -> impl IntoView {
    let url = RwSignal::new(String::new());
    let chosen = RwSignal::new(settings.events.clone());
    let (busy, set_busy) = signal(false);
    let error = RwSignal::new(None::<ApiError>);
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        set_busy.set(true);
        let (wanted, events) = (url.get_untracked(), chosen.get_untracked());
        spawn_local(async move {
            match api::add_webhook(wanted, events).await {
                Ok(created) => {
                    error.set(None);
                    url.set(String::new());
                    secret.set(Some(Shown {
                        replaced: false,
                        to: created.endpoint.url,
                        secret: created.secret,
                    }));
                    reload.run(());
                }
                Err(err) => error.set(Some(err)),
            }
            set_busy.set(false);
        });
    };
    let events = settings.events.clone();
    let l = lang();
    view! {
        <article class="card" aria-labelledby="webhooks-title">
            <h2 id="webhooks-title">{text::webhooks(l)}</h2>
            <p class="muted">{text::webhooks_intro(l)}</p>
            {move || secret.get().map(|shown| view! {
                <div class="confirmation" role="status" data-testid="webhook-secret" tabindex="-1">
                    {if shown.replaced {
                        view! { <p>{text::webhook_replaced(l)} <span class="address">{shown.to}</span>{text::webhook_new_secret_shown(l)}</p> }.into_any()
                    } else {
                        view! { <p>{text::webhook_added(l)} <span class="address">{shown.to}</span>{text::webhook_secret_shown(l)}</p> }.into_any()
                    }}
                    <p><code class="secret">{shown.secret}</code></p>
                    <p>{text::webhook_store_secret(l)}</p>
                    {shown.replaced.then(|| view! { <p>{text::webhook_overlap(l)}</p> })}
                </div>
            })}
            {if settings.endpoints.is_empty() {
                view! { <p class="muted" data-testid="no-webhooks">{text::no_webhooks(l)}</p> }.into_any()
            } else {
                view! {
                    <ul class="endpoint-list">
                        {settings.endpoints.into_iter().map(|e| view! { <Endpoint endpoint=e reload=reload removed=removed secret=secret/> }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <form class="webhook-form" on:submit=add>
                <label for="webhook-url">{text::endpoint_url(l)}</label>
                <input id="webhook-url" type="url" required placeholder="https://hooks.example/lockbox"
                    prop:value=move || url.get() on:input=move |ev| url.set(event_target_value(&ev))/>
                <fieldset>
                    <legend>{text::events(l)}</legend>
                    {events.into_iter().map(|event| {
                        let name = event.clone();
                        let toggled = event.clone();
                        view! {
                            <label class="check">
                                <input type="checkbox"
                                    prop:checked=move || chosen.get().contains(&name)
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        chosen.update(|list| {
                                            list.retain(|e| e != &toggled);
                                            if on { list.push(toggled.clone()); }
                                        });
                                    }/>
                                <code>{event}</code>
                            </label>
                        }
                    }).collect_view()}
                </fieldset>
                {move || error.get().map(|err| view! { <ErrorBox error=err/> })}
                <button type="submit" disabled=move || busy.get()>{move || if busy.get() { text::adding(l) } else { text::add_endpoint(l) }}</button>
            </form>
        </article>
    }
}

/// A secret shown once: of an endpoint just added, or just replaced.
#[derive(Clone)]
struct Shown {
    replaced: bool,
    to: String,
    secret: String,
}

#[component]
fn Endpoint(
    endpoint: WebhookEndpoint,
    reload: Callback<()>,
    removed: RwSignal<Option<String>>,
    secret: RwSignal<Option<Shown>>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let (busy, set_busy) = signal(false);
    let error = RwSignal::new(None::<ApiError>);
    let replacing = RwSignal::new(false);
    let replace = {
        let (id, to) = (endpoint.id.clone(), endpoint.url.clone());
        Callback::new(move |_| {
            set_busy.set(true);
            let (id, to) = (id.clone(), to.clone());
            spawn_local(async move {
                match api::rotate_webhook_secret(id).await {
                    Ok(rotated) => {
                        replacing.set(false);
                        error.set(None);
                        secret.set(Some(Shown {
                            replaced: true,
                            to,
                            secret: rotated.secret,
                        }));
                        focus_later("[data-testid=webhook-secret]");
                    }
                    Err(err) => {
                        replacing.set(false);
                        error.set(Some(err));
                    }
                }
                set_busy.set(false);
            });
        })
    };
    let id = endpoint.id.clone();
    let gone = endpoint.url.clone();
    let remove = Callback::new(move |_| {
        set_busy.set(true);
        let (id, gone) = (id.clone(), gone.clone());
        spawn_local(async move {
            match api::remove_webhook(id).await {
                Ok(()) => {
                    open.set(false);
                    removed.set(Some(text::webhook_removed(lang(), &gone)));
                    focus_later("#webhooks-outcome > *");
                    reload.run(());
                }
                Err(err) => error.set(Some(err)),
            }
            set_busy.set(false);
        });
    });
    let url = endpoint.url.clone();
    let to = endpoint.url.clone();
    let l = lang();
    let last = match (
        &endpoint.last_attempt_status,
        endpoint.last_status,
        &endpoint.last_error,
    ) {
        (None, _, _) => text::nothing_sent(l).to_owned(),
        (Some(status), Some(code), _) => {
            text::last_delivery_http(l, &format::delivery_status(status), code)
        }
        (Some(status), None, Some(err)) => text::last_delivery_why(
            l,
            &format::delivery_status(status),
            &format::delivery_failure(Some(err), None).unwrap_or_default(),
        ),
        (Some(status), None, None) => text::last_delivery(l, &format::delivery_status(status)),
    };
    view! {
        <li class="endpoint" data-testid="webhook">
            <p><span class="address">{endpoint.url.clone()}</span></p>
            <p class="muted">{endpoint.events.join(", ")}</p>
            <p>{text::endpoint_counts(l, endpoint.delivered, endpoint.pending, endpoint.failed)}{last}</p>
            <p class="muted">{text::added_by(l)} {endpoint.created_by} {text::on_date(l)} <LocalTime ms=endpoint.created_at/></p>
            {move || error.get().map(|err| view! { <ErrorBox error=err/> })}
            <div class="toolbar">
                <button type="button" class="secondary-dark" on:click=move |_| replacing.set(true)>{text::replace_secret(l)}</button>
                <button type="button" class="secondary-dark" on:click=move |_| open.set(true)>{text::remove(l)}</button>
            </div>
            <ConfirmDialog open=replacing title=Signal::stored(text::replace_secret_title(l).to_owned())
                confirm_label=Signal::stored(text::replace_secret(l).to_owned()) danger=false busy=busy on_confirm=replace>
                <p>{text::remove_endpoint_before(l)} <span class="address">{to.clone()}</span> {text::replace_secret_after(l)}</p>
            </ConfirmDialog>
            <ConfirmDialog open=open title=Signal::stored(text::remove_endpoint_title(l).to_owned())
                confirm_label=Signal::stored(text::remove_endpoint(l).to_owned()) danger=true busy=busy on_confirm=remove>
                <p>{text::remove_endpoint_before(l)} <span class="address">{url.clone()}</span> {text::remove_endpoint_after(l)}</p>
            </ConfirmDialog>
        </li>
    }
}

/// The delivery log: newest first, e-mails to the tenant's people and
/// deliveries to its endpoints.
#[component]
pub fn Deliveries(
    items: Vec<Delivery>,
    #[prop(optional)] endpoints: Vec<WebhookEndpoint>,
) -> impl IntoView {
    // A webhook's recipient is its endpoint's id: shown as its address.
    let urls: std::collections::BTreeMap<String, String> =
        endpoints.into_iter().map(|e| (e.id, e.url)).collect();
    let l = lang();
    view! {
        <article class="card" aria-labelledby="deliveries-title">
            <h2 id="deliveries-title">{text::recent_messages(l)}</h2>
            {if items.is_empty() {
                view! { <p class="muted">{text::nothing_sent(l)}</p> }.into_any()
            } else {
                view! {
                    <ul class="delivery-list">
                        {items.into_iter().map(|d| {
                            let url = urls.get(&d.recipient).cloned();
                            view! { <DeliveryRow delivery=d url=url/> }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </article>
    }
}

#[component]
fn DeliveryRow(delivery: Delivery, url: Option<String>) -> impl IntoView {
    let tone = match delivery.status.as_str() {
        "delivered" => "badge tone-live",
        "failed" => "badge tone-stopped",
        _ => "badge tone-pending",
    };
    let webhook = delivery.channel != "email";
    let l = lang();
    let recipient = if webhook {
        url.unwrap_or_else(|| text::removed_endpoint(l, &delivery.recipient))
    } else {
        delivery.recipient.clone()
    };
    let why = format::delivery_failure(delivery.last_error.as_deref(), delivery.last_status);
    let retrying = delivery.status == "pending" && why.is_some();
    view! {
        <li class="delivery" data-testid="delivery">
            <p><span class=tone>{format::delivery_status(&delivery.status)}</span> " " <code>{delivery.kind.clone()}</code> " · " <LocalTime ms=delivery.created_at/></p>
            <p>{if webhook { text::webhook_to(l) } else { text::email_to(l) }} " " <span class="address" data-testid="delivery-recipient">{recipient}</span></p>
            <p class="muted">{delivery.subject.clone()}</p>
            {why.map(|why| view! {
                <p class="muted" data-testid="delivery-failure">{text::attempts_failed(l, delivery.attempts, &why)}
                {retrying.then(|| view! { {text::next_try(l)} <LocalTime ms=delivery.next_attempt_at/> "." })}</p>
            })}
        </li>
    }
}
