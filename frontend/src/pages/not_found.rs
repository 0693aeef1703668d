use leptos::prelude::*;

use crate::components::router::use_pathname;

#[component]
pub fn NotFound() -> impl IntoView {
    let pathname = use_pathname();
    view! {
        <section class="page">
            <h1>"Page not found"</h1>
            <p>"There is no page at " <code>{move || pathname.get()}</code> "."</p>
            <p><a href="/">"Go to the start page"</a></p>
        </section>
    }
}
