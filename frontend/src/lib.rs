//! The Lockbox single-page app.

pub mod api;
mod components;
pub mod format;
mod pages;
pub mod routes;

use leptos::prelude::*;

use crate::api::ApiError;
use crate::components::live::provide_clock;
use crate::components::router::{provide_router, redirect};
use crate::components::session::{provide_session, use_session};
use crate::components::shell::Shell;
use crate::pages::{
    audit::AuditSearchPage, dev_outbox::DevOutboxPage, grant::GrantPage, not_found::NotFound,
    notifications::NotificationsPage, preapprovals::PreapprovalsPage,
    provider_requests::ProviderRequestsPage, request_detail::RequestDetailPage,
    requests::RequestsPage, roles::RolesPage, security_privacy::SecurityPrivacyPage,
    sign_in::SignInPage, status::StatusPage,
};
use crate::routes::{home_of, AppRoute, Page};

/// The whole app: the shell around whichever page the address names.
#[component]
pub fn App() -> impl IntoView {
    provide_session();
    provide_clock();
    let page = provide_router();
    view! {
        <Shell>
            {move || match page.get() {
                Page::Home => view! { <Home/> }.into_any(),
                Page::Fixed(AppRoute::Status) => view! { <StatusPage/> }.into_any(),
                Page::Fixed(AppRoute::SignIn) => view! { <SignInPage/> }.into_any(),
                Page::Fixed(AppRoute::SecurityPrivacy) => view! { <SecurityPrivacyPage/> }.into_any(),
                Page::Fixed(AppRoute::LockboxRequests) => view! { <RequestsPage/> }.into_any(),
                Page::Request(id) => view! { <RequestDetailPage id=id/> }.into_any(),
                Page::ProviderRequest(id) => view! { <RequestDetailPage id=id provider=true/> }.into_any(),
                Page::Grant(id) => view! { <GrantPage id=id/> }.into_any(),
                Page::Fixed(AppRoute::ProviderRequests) => view! { <ProviderRequestsPage/> }.into_any(),
                Page::Fixed(AppRoute::Preapprovals) => view! { <PreapprovalsPage/> }.into_any(),
                Page::Fixed(AppRoute::Audit) => view! { <AuditSearchPage/> }.into_any(),
                Page::Fixed(AppRoute::Roles) => view! { <RolesPage/> }.into_any(),
                Page::Fixed(AppRoute::Notifications) => view! { <NotificationsPage/> }.into_any(),
                Page::Fixed(AppRoute::DevOutbox) => view! { <DevOutboxPage/> }.into_any(),
                Page::NotFound => view! { <NotFound/> }.into_any(),
            }}
        </Shell>
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
        Some(Err(err)) if err != ApiError::SignedOut => Some(view! { <StatusPage/> }),
        _ => None,
    }
}
