//! System status: what `/api/v1/health` says.

use leptos::prelude::*;
use lockbox_shared::api::DatabaseStatus;
use lockbox_shared::text;

use crate::api;
use crate::i18n::lang;

#[component]
pub fn StatusPage() -> impl IntoView {
    let health = api::health();
    let l = lang();
    view! {
        <section class="page">
            <h1>{text::status_title(l)}</h1>
            {move || match health.get() {
                    None => view! { <p class="muted">{text::status_checking(l)}</p> }.into_any(),
                    Some(result) => match result {
                        Ok(h) => {
                            let db_ok = h.database == DatabaseStatus::Ok;
                            view! {
                                <dl class="facts" data-testid="health">
                                    <dt>{text::fact_service(l)}</dt>
                                    <dd data-testid="health-service">{if h.is_healthy() { text::status_running(l) } else { text::status_degraded(l) }}</dd>
                                    <dt>{text::status_version(l)}</dt>
                                    <dd data-testid="health-version">{h.version.clone()}</dd>
                                    <dt>{text::status_database(l)}</dt>
                                    <dd data-testid="health-database" class=if db_ok { "ok" } else { "bad" }>
                                        {if db_ok { text::status_answering(l) } else { text::status_not_answering(l) }}
                                    </dd>
                                </dl>
                            }.into_any()
                        }
                        Err(err) => view! {
                            <div class="error" role="alert">
                                <p>{err.message()}</p>
                                <button type="button" on:click=move |_| health.refetch()>{text::retry(l)}</button>
                            </div>
                        }.into_any(),
                    },
                }}
        </section>
    }
}
