//! `/dev/outbox` (local development only): every message the outbox holds,
//! newest first, exactly as its reader would get it.

use leptos::prelude::*;
use lockbox_shared::api::Delivery;

use crate::api::{self, ApiError};
use crate::components::error::ErrorBox;
use crate::components::live::auto_refresh;
use crate::components::time::LocalTime;
use crate::pages::not_found::NotFound;

#[component]
pub fn DevOutboxPage() -> impl IntoView {
    let outbox = api::dev_outbox();
    auto_refresh(5_000, move || outbox.refetch());
    view! {
        <section class="page">
            <h1>"Outbox (local development)"</h1>
            <p class="muted">"What Lockbox would send, newest first. Locally nothing leaves this machine: a sink records each e-mail instead."</p>
            {move || match outbox.get() {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some(Ok(o)) if o.items.is_empty() => view! { <p class="muted">"The outbox is empty."</p> }.into_any(),
                Some(Ok(o)) => view! {
                    <ol class="outbox">{o.items.into_iter().map(|m| view! { <Message message=m/> }).collect_view()}</ol>
                }.into_any(),
                // Outside local development the page does not exist.
                Some(Err(ApiError::Problem(p))) if p.status == 404 => view! { <NotFound/> }.into_any(),
                Some(Err(err)) => view! { <ErrorBox error=err retry=Callback::new(move |_| outbox.refetch())/> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn Message(message: Delivery) -> impl IntoView {
    let heading = if message.channel == "email" {
        format!("To {}", message.recipient)
    } else {
        format!("Webhook {}", message.recipient)
    };
    view! {
        <li class="card outbox-message" data-testid="outbox-message" data-kind=message.kind.clone()>
            <p class="muted"><code>{message.kind.clone()}</code> " · " {message.status.clone()}
                {format!(" · {} attempt(s)", message.attempts)} " · " <LocalTime ms=message.created_at/></p>
            <h2 class="address">{heading}</h2>
            <p><strong>{message.subject.clone()}</strong></p>
            <pre class="mail-body" tabindex="0">{message.body.clone()}</pre>
        </li>
    }
}
