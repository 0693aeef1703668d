//! The frame around every page: product name and navigation.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::routes::AppRoute;

#[component]
pub fn Shell(children: Children) -> impl IntoView {
    view! {
        <header class="shell-header">
            <a class="brand" href=AppRoute::Status.path()>
                <span class="brand-mark" aria-hidden="true">"▣"</span>
                " Lockbox"
            </a>
            <nav class="shell-nav" aria-label="Main">
                <A href=AppRoute::SecurityPrivacy.path()>"Settings"</A>
                <A href=AppRoute::LockboxRequests.path()>"Support"</A>
            </nav>
        </header>
        <main class="shell-main">{children()}</main>
    }
}
