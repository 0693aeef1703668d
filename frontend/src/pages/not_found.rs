use leptos::prelude::*;
use lockbox_shared::text;

use crate::components::router::use_pathname;
use crate::i18n::lang;

#[component]
pub fn NotFound() -> impl IntoView {
    let pathname = use_pathname();
    let l = lang();
    view! {
        <section class="page">
            <h1>{text::not_found_title(l)}</h1>
            <p>{text::not_found_before(l)} <code>{move || pathname.get()}</code> "."</p>
            <p><a href="/">{text::not_found_home(l)}</a></p>
        </section>
    }
}
