//! The Lockbox single-page app.

// A part of the app built alone (see `routes::Bundle`) leaves helpers of
// the other parts unused; the default build, which clippy checks, has all.
#![cfg_attr(
    not(all(feature = "approve", feature = "console", feature = "admin")),
    allow(dead_code, unused_imports)
)]

pub mod api;
mod components;
pub mod format;
pub mod i18n;
mod pages;
pub mod routes;

use leptos::prelude::*;

use crate::api::ApiError;
use crate::components::live::provide_clock;
use crate::components::router::{provide_router, redirect};
use crate::components::session::{provide_session, use_session};
use crate::components::shell::Shell;
use crate::routes::{home_of, AppRoute, Page};

/// The whole app: the shell around whichever page the address names. Each
/// page is compiled into its part of the app only (`routes::Bundle`); an address
/// of another part is loaded by the browser (see `router::go`).
#[component]
pub fn App() -> impl IntoView {
    i18n::init();
    provide_session();
    provide_clock();
    let page = provide_router();
    // The frame is drawn once it is known who is signed in (read while the
    // app downloads, so rarely waited for): drawn before, its navigation
    // would push the page down when that arrives.
    let session = use_session();
    let known = Memo::new(move |_| session.me.get().is_some());
    move || {
        known.get().then(|| {
            view! {
                <Shell>
                    {move || page_view(page.get())}
                </Shell>
            }
        })
    }
}

// With every part built in (the default build) the last arm is unreachable.
#[allow(unreachable_patterns)]
fn page_view(page: Page) -> AnyView {
    #[allow(unused_imports)]
    use crate::pages::*;
    match page {
        Page::Home => view! { <Home/> }.into_any(),
        Page::Fixed(AppRoute::Status) => view! { <status::StatusPage/> }.into_any(),
        Page::NotFound => view! { <not_found::NotFound/> }.into_any(),
        #[cfg(feature = "approve")]
        Page::Fixed(AppRoute::LockboxRequests) => view! { <requests::RequestsPage/> }.into_any(),
        #[cfg(feature = "approve")]
        Page::Request(id) => view! { <request_detail::RequestDetailPage id=id/> }.into_any(),
        #[cfg(feature = "console")]
        Page::ProviderRequest(id) => {
            view! { <request_detail::RequestDetailPage id=id provider=true/> }.into_any()
        }
        #[cfg(feature = "console")]
        Page::Grant(id) => view! { <grant::GrantPage id=id/> }.into_any(),
        #[cfg(feature = "console")]
        Page::Fixed(AppRoute::ProviderRequests) => {
            view! { <provider_requests::ProviderRequestsPage/> }.into_any()
        }
        #[cfg(feature = "console")]
        Page::Fixed(AppRoute::ProviderServices) => {
            view! { <provider_services::ProviderServicesPage/> }.into_any()
        }
        #[cfg(feature = "console")]
        Page::Fixed(AppRoute::Preapprovals) => {
            view! { <preapprovals::PreapprovalsPage/> }.into_any()
        }
        #[cfg(feature = "admin")]
        Page::Fixed(AppRoute::Audit) => view! { <audit::AuditSearchPage/> }.into_any(),
        #[cfg(feature = "admin")]
        Page::Fixed(AppRoute::SecurityPrivacy) => {
            view! { <security_privacy::SecurityPrivacyPage/> }.into_any()
        }
        #[cfg(feature = "admin")]
        Page::Fixed(AppRoute::Roles) => view! { <roles::RolesPage/> }.into_any(),
        #[cfg(feature = "admin")]
        Page::Fixed(AppRoute::Notifications) => {
            view! { <notifications::NotificationsPage/> }.into_any()
        }
        #[cfg(feature = "admin")]
        Page::Fixed(AppRoute::SignIn) => view! { <sign_in::SignInPage/> }.into_any(),
        #[cfg(feature = "admin")]
        Page::Fixed(AppRoute::DevOutbox) => view! { <dev_outbox::DevOutboxPage/> }.into_any(),
        // Another part's page: the router has asked the browser to load it.
        _ => view! { <p class="muted" role="status">{lockbox_shared::text::loading(i18n::lang())}</p> }
            .into_any(),
    }
}

/// The start page: each person's own home ([`home_of`]), sign-in for
/// strangers, and the system status when the session cannot be read.
#[component]
fn Home() -> impl IntoView {
    let session = use_session();
    Effect::new(move |_| match session.me.get() {
        Some(Ok(me)) => redirect(home_of(&me)),
        Some(Err(ApiError::SignedOut)) => redirect(AppRoute::SignIn.path()),
        _ => {}
    });
    move || match session.me.get() {
        Some(Err(err)) if err != ApiError::SignedOut => {
            Some(view! { <crate::pages::status::StatusPage/> })
        }
        _ => None,
    }
}
