//! `/dev/outbox` (local development only): every message the outbox holds,
//! newest first, exactly as its reader would get it.

use leptos::prelude::*;
use lockbox_shared::api::Delivery;

use crate::api::{self, ApiError};
use crate::components::error::ErrorBox;
use crate::components::live::auto_refresh;
use crate::components::time::LocalTime;
use crate::format;
use crate::i18n::lang;
use crate::pages::not_found::NotFound;
use lockbox_shared::text;

#[component]
pub fn DevOutboxPage() -> impl IntoView {
    let outbox = api::dev_outbox();
    auto_refresh(5_000, move || outbox.refetch());
    let l = lang();
    view! {
        <section class="page">
            <h1>{text::outbox_title(l)}</h1>
            <p class="muted">{text::outbox_intro(l)}</p>
            {move || match outbox.get() {
                None => view! { <p class="muted">{text::loading(l)}</p> }.into_any(),
                Some(Ok(o)) if o.items.is_empty() => view! { <p class="muted">{text::outbox_empty(l)}</p> }.into_any(),
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
    let l = lang();
    let heading = if message.channel == "email" {
        text::outbox_to(l, &message.recipient)
    } else {
        text::outbox_webhook(l, &message.recipient)
    };
    view! {
        <li class="card outbox-message" data-testid="outbox-message" data-kind=message.kind.clone()>
            <p class="muted"><code>{message.kind.clone()}</code> " · " {format::delivery_status(&message.status)}
                {text::outbox_attempts(l, message.attempts)} " · " <LocalTime ms=message.created_at/></p>
            <h2 class="address">{heading}</h2>
            <p><strong>{message.subject.clone()}</strong></p>
            <pre class="mail-body" tabindex="0">{message.body.clone()}</pre>
        </li>
    }
}
