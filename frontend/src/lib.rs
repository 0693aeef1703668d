//! The Lockbox single-page app.

pub mod api;
mod components;
pub mod format;
mod pages;
pub mod routes;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::components::live::provide_clock;
use crate::components::session::provide_session;
use crate::components::shell::Shell;
use crate::pages::{
    not_found::NotFound, request_detail::RequestDetailPage, requests::RequestsPage,
    roles::RolesPage, security_privacy::SecurityPrivacyPage, sign_in::SignInPage,
    status::StatusPage,
};

/// The whole app: the shell around whichever page the address names.
#[component]
pub fn App() -> impl IntoView {
    provide_session();
    provide_clock();
    view! {
        <Router>
            <Shell>
                <Routes fallback=|| view! { <NotFound/> }>
                    <Route path=path!("/") view=Home/>
                    <Route path=path!("/status") view=StatusPage/>
                    <Route path=path!("/sign-in") view=SignInPage/>
                    <Route path=path!("/settings/org-settings/security-privacy") view=SecurityPrivacyPage/>
                    <Route path=path!("/support/lockbox-requests") view=RequestsPage/>
                    <Route path=path!("/support/lockbox-requests/:id") view=RequestDetailPage/>
                    <Route path=path!("/roles") view=RolesPage/>
                </Routes>
            </Shell>
        </Router>
    }
}

/// The start page: the requests for customers, sign-in for strangers.
#[component]
fn Home() -> impl IntoView {
    use crate::api::ApiError;
    use crate::routes::AppRoute;
    use leptos_router::components::Redirect;
    let session = crate::components::session::use_session();
    view! {
        <Transition fallback=|| ()>
            {move || session.me.get().map(|me| match me {
                Ok(me) if !me.principal.is_provider() => view! { <Redirect path=AppRoute::LockboxRequests.path()/> }.into_any(),
                Ok(_) => view! { <StatusPage/> }.into_any(),
                Err(ApiError::SignedOut) => view! { <Redirect path=AppRoute::SignIn.path()/> }.into_any(),
                Err(_) => view! { <StatusPage/> }.into_any(),
            })}
        </Transition>
    }
}
