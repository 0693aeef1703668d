//! System status: what `/api/v1/health` says.

use leptos::prelude::*;
use lockbox_shared::api::DatabaseStatus;

use crate::api;

#[component]
pub fn StatusPage() -> impl IntoView {
    let health = api::health();
    view! {
        <section class="page">
            <h1>"System status"</h1>
            {move || match health.get() {
                    None => view! { <p class="muted">"Checking the service…"</p> }.into_any(),
                    Some(result) => match result {
                        Ok(h) => {
                            let db_ok = h.database == DatabaseStatus::Ok;
                            view! {
                                <dl class="facts" data-testid="health">
                                    <dt>"Service"</dt>
                                    <dd data-testid="health-service">{if h.is_healthy() { "Running" } else { "Degraded" }}</dd>
                                    <dt>"Version"</dt>
                                    <dd data-testid="health-version">{h.version.clone()}</dd>
                                    <dt>"Database"</dt>
                                    <dd data-testid="health-database" class=if db_ok { "ok" } else { "bad" }>
                                        {if db_ok { "Answering" } else { "Not answering" }}
                                    </dd>
                                </dl>
                            }.into_any()
                        }
                        Err(err) => view! {
                            <div class="error" role="alert">
                                <p>{err.message()}</p>
                                <button type="button" on:click=move |_| health.refetch()>"Retry"</button>
                            </div>
                        }.into_any(),
                    },
                }}
        </section>
    }
}
