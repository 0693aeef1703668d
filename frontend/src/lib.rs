//! The Lockbox single-page app.

pub mod api;
mod components;
mod pages;
pub mod routes;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::components::session::provide_session;
use crate::components::shell::Shell;
use crate::pages::{not_found::NotFound, sign_in::SignInPage, status::StatusPage};

/// The whole app: the shell around whichever page the address names.
#[component]
pub fn App() -> impl IntoView {
    provide_session();
    view! {
        <Router>
            <Shell>
                <Routes fallback=|| view! { <NotFound/> }>
                    <Route path=path!("/") view=StatusPage/>
                    <Route path=path!("/sign-in") view=SignInPage/>
                </Routes>
            </Shell>
        </Router>
    }
}
