//! The approver's list and nothing else (see Cargo.toml's description).

use leptos::prelude::*;
use lockbox_shared::api::RequestPage;
use wasm_bindgen::JsCast;

async fn load() -> Option<RequestPage> {
    let fetched = window().fetch_with_str("/api/v1/requests?limit=200");
    let response: web_sys::Response = wasm_bindgen_futures::JsFuture::from(fetched)
        .await
        .ok()?
        .dyn_into()
        .ok()?;
    let json = wasm_bindgen_futures::JsFuture::from(response.json().ok()?)
        .await
        .ok()?;
    serde_wasm_bindgen::from_value(json).ok()
}

fn main() {
    leptos::mount::mount_to_body(|| {
        let list = LocalResource::new(load);
        view! {
            <h1>"Customer Lockbox requests"</h1>
            {move || list.get().flatten().map(|page| page.items.into_iter().map(|r| view! {
                <a class="request-row" href=format!("/support/lockbox-requests/{}", r.id)>
                    <span>{r.effective_state.label()}</span>
                    <span>{r.ticket}</span>
                    <span>{r.service}</span>
                    <span>{r.requester_email}</span>
                </a>
            }).collect_view())}
        }
    });
}
