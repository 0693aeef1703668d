//! Provider console > Services (integration admins): the provider services
//! registered with Lockbox, what they serve and offer, their key ids, the
//! service calls refused in the last day, registering one (its
//! registration as JSON, as `POST /api/v1/provider/services` takes it),
//! removing one, and the provider log of these changes.

use leptos::prelude::*;
use leptos::task::spawn_local;
use lockbox_shared::integration::{
    OperationKind, ProviderLog, RegisteredService, ServiceList, ServiceRegistration,
};

use crate::api::{self, ApiError};
use crate::components::dialog::ConfirmDialog;
use crate::components::error::ErrorBox;
use crate::components::focus::focus_later;
use crate::components::time::LocalTime;
use crate::i18n::lang;
use lockbox_shared::text;

#[component]
pub fn ProviderServicesPage() -> impl IntoView {
    let services = api::provider_services();
    let log = api::provider_log();
    let reload = Callback::new(move |_| {
        services.refetch();
        log.refetch();
    });
    let outcome = RwSignal::new(None::<String>);
    let l = lang();
    view! {
        <section class="page services-page">
            <p class="crumbs">{text::provider_console(l)}</p>
            <h1>{text::nav_services(l)}</h1>
            <p class="muted">{text::services_intro(l)}</p>
            <div role="status" aria-live="polite" id="services-outcome">
                {move || outcome.get().map(|text| view! { <p class="confirmation" data-testid="services-outcome">{text}</p> })}
            </div>
            {move || match services.get() {
                None => view! { <p class="muted">{text::loading_services(l)}</p> }.into_any(),
                Some(Err(err)) => view! { <ErrorBox error=err retry=reload/> }.into_any(),
                // The form and the log only for those who may see the list.
                Some(Ok(list)) => view! {
                    <Services list=list reload=reload outcome=outcome/>
                    <Register reload=reload outcome=outcome/>
                    {move || log.get().map(|answer| match answer {
                        Ok(log) => view! { <Log log=log/> }.into_any(),
                        Err(err) => view! { <ErrorBox error=err/> }.into_any(),
                    })}
                }.into_any(),
            }}
        </section>
    }
}

#[component]
fn Services(
    list: ServiceList,
    reload: Callback<()>,
    outcome: RwSignal<Option<String>>,
) -> impl IntoView {
    let refused: i64 = list.refused_calls.iter().map(|r| r.count).sum();
    let reasons = list
        .refused_calls
        .iter()
        .map(|r| format!("{} {}", r.count, r.reason))
        .collect::<Vec<_>>()
        .join(", ");
    let class = if refused > 0 { "notice" } else { "muted" };
    let l = lang();
    let limits = list
        .rate_limits
        .iter()
        .map(|r| text::rate_limit(l, &r.name, r.limit, r.period_seconds, &r.per))
        .collect::<Vec<_>>()
        .join("; ");
    let limited: i64 = list
        .rate_limits
        .iter()
        .flat_map(|r| &r.refused)
        .map(|r| r.count)
        .sum();
    let routes = list
        .rate_limits
        .iter()
        .flat_map(|r| {
            r.refused
                .iter()
                .map(move |c| format!("{} {}: {}", c.count, r.name, c.route))
        })
        .collect::<Vec<_>>()
        .join(", ");
    let limited_class = if limited > 0 { "notice" } else { "muted" };
    view! {
        <p data-testid="refused-calls" class=class>
            {if refused == 0 {
                text::no_refused_calls(l).to_owned()
            } else {
                text::refused_calls(l, refused, &reasons)
            }}
        </p>
        <p data-testid="rate-limits" class=limited_class>
            {if limited == 0 {
                text::rate_limits_quiet(l, &limits)
            } else {
                text::rate_limits_refused(l, &limits, limited, &routes)
            }}
        </p>
        {if list.items.is_empty() {
            view! { <p class="muted">{text::no_services(l)}</p> }.into_any()
        } else {
            view! {
                <ul class="service-list">
                    {list.items.into_iter().map(|s| view! { <Service service=s reload=reload outcome=outcome/> }).collect_view()}
                </ul>
            }.into_any()
        }}
    }
}

#[component]
fn Service(
    service: RegisteredService,
    reload: Callback<()>,
    outcome: RwSignal<Option<String>>,
) -> impl IntoView {
    let r = service.registration.clone();
    let open = RwSignal::new(false);
    let (busy, set_busy) = signal(false);
    let error = RwSignal::new(None::<ApiError>);
    let id = r.id.clone();
    let remove = Callback::new(move |_| {
        set_busy.set(true);
        let id = id.clone();
        spawn_local(async move {
            match api::remove_provider_service(&id).await {
                Ok(()) => {
                    open.set(false);
                    outcome.set(Some(text::service_removed(lang(), &id)));
                    focus_later("#services-outcome > *");
                    reload.run(());
                }
                Err(err) => error.set(Some(err)),
            }
            set_busy.set(false);
        });
    });
    let content = r
        .operations
        .iter()
        .filter(|o| o.kind == OperationKind::Content)
        .count();
    let keys: Vec<String> = r.keys.iter().map(|k| k.kid.clone()).collect();
    let l = lang();
    let title = text::remove_service_title(l, &r.id);
    let name = r.name.clone();
    view! {
        <li class="card service" data-testid="service" data-service=r.id.clone()>
            <h2><span class="address">{r.id.clone()}</span></h2>
            <p>{r.name.clone()}</p>
            <dl class="facts">
                <dt>{text::service_serves(l)}</dt><dd>{r.serves.join(", ")}</dd>
                <dt>{text::operations(l)}</dt>
                <dd>{text::operations_count(l, r.operations.len() as i64, content as i64)}</dd>
                <dt>{text::service_keys(l)}</dt><dd class="address">{keys.join(", ")}</dd>
                {r.access_common_name.clone().map(|cn| view! { <dt>{text::access_service_token(l)}</dt><dd class="address">{cn}</dd> })}
                <dt>{text::service_changed(l)}</dt><dd><LocalTime ms=service.updated_at/></dd>
                <dt>{text::service_changed_by(l)}</dt><dd class="address">{service.updated_by.clone()}</dd>
            </dl>
            <details>
                <summary>{text::operations(l)}</summary>
                <ul class="operation-list">
                    {r.operations.iter().map(|o| view! {
                        <li><code>{o.name.clone()}</code>
                            {format!(" · {}{}", match o.kind { OperationKind::Content => text::kind_content(l), OperationKind::Metadata => text::kind_metadata(l) },
                                o.service.as_ref().map(|s| format!(" · {s}")).unwrap_or_default())}
                            <br/><span class="muted">{o.description.clone()}</span></li>
                    }).collect_view()}
                </ul>
            </details>
            {move || error.get().map(|err| view! { <ErrorBox error=err/> })}
            <button type="button" class="secondary-dark" on:click=move |_| open.set(true)>{text::remove(l)}</button>
            <ConfirmDialog open=open title=Signal::stored(title)
                confirm_label=Signal::stored(text::remove_service(l).to_owned()) danger=true busy=busy on_confirm=remove>
                <p>{name.clone()}{text::remove_service_body(l)}</p>
            </ConfirmDialog>
        </li>
    }
}

/// What a new registration looks like, to start from.
const EXAMPLE: &str = r#"{
  "id": "svc:mail",
  "name": "Mail store",
  "serves": ["mail"],
  "operations": [
    { "name": "Get-Message", "description": "One message with its body.", "kind": "content",
      "parameters": [{ "name": "Identity", "description": "The mailbox's address.", "required": true }] }
  ],
  "keys": [{ "kty": "OKP", "crv": "Ed25519", "x": "<the public key, base64url>", "kid": "<its id>" }]
}"#;

#[component]
fn Register(reload: Callback<()>, outcome: RwSignal<Option<String>>) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let (busy, set_busy) = signal(false);
    let error = RwSignal::new(None::<ApiError>);
    let local = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let parsed = js_sys::JSON::parse(&text.get_untracked())
            .map_err(|_| text::not_json(lang()).to_owned())
            .and_then(|v| {
                serde_wasm_bindgen::from_value::<ServiceRegistration>(v).map_err(|e| e.to_string())
            });
        let registration = match parsed {
            Ok(r) => r,
            Err(e) => {
                local.set(Some(text::not_a_registration(lang(), &e)));
                return;
            }
        };
        local.set(None);
        set_busy.set(true);
        spawn_local(async move {
            match api::register_provider_service(&registration).await {
                Ok(saved) => {
                    error.set(None);
                    text.set(String::new());
                    outcome.set(Some(text::registration_saved(
                        lang(),
                        &saved.registration.id,
                    )));
                    focus_later("#services-outcome > *");
                    reload.run(());
                }
                Err(err) => error.set(Some(err)),
            }
            set_busy.set(false);
        });
    };
    let l = lang();
    view! {
        <article class="card" aria-labelledby="register-title">
            <h2 id="register-title">{text::register_title(l)}</h2>
            <form class="form-grid" on:submit=submit>
                <label for="registration">{text::registration_json(l)}</label>
                <textarea id="registration" rows="10" spellcheck="false" aria-describedby="registration-hint"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                <p class="form-note" id="registration-hint">{text::registration_hint(l)}</p>
                {move || local.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                {move || error.get().map(|err| view! { <ErrorBox error=err/> })}
                <div class="form-actions">
                    <button type="submit" disabled=move || busy.get() || text.get().trim().is_empty()>
                        {move || if busy.get() { text::saving(l) } else { text::save_registration(l) }}
                    </button>
                </div>
            </form>
            <details>
                <summary>{text::example(l)}</summary>
                <pre class="content">{EXAMPLE}</pre>
            </details>
        </article>
    }
}

#[component]
fn Log(log: ProviderLog) -> impl IntoView {
    let l = lang();
    view! {
        <article class="card" aria-labelledby="provider-log-title">
            <h2 id="provider-log-title">{text::provider_log(l)}</h2>
            {if log.items.is_empty() {
                view! { <p class="muted">{text::provider_log_empty(l)}</p> }.into_any()
            } else {
                view! {
                    <ul class="provider-log">
                        {log.items.into_iter().map(|e| {
                            let keys = e.details.get("KeyIds").cloned();
                            view! {
                                <li data-testid="provider-log-entry">
                                    <p><code>{e.activity}</code>" "<span class="address">{e.item}</span></p>
                                    <p class="muted"><LocalTime ms=e.occurred_at/>" · "<span class="address">{e.user}</span></p>
                                    {keys.map(|k| view! { <p class="muted">{text::keys_colon(l)}<span class="address">{k}</span></p> })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </article>
    }
}
