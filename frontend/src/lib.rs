//! The Lockbox single-page app.

pub mod api;
mod components;
mod pages;
pub mod routes;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::components::shell::Shell;
use crate::pages::{not_found::NotFound, status::StatusPage};

/// The whole app: the shell around whichever page the address names.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <Router>
            <Shell>
                <Routes fallback=|| view! { <NotFound/> }>
                    <Route path=path!("/") view=StatusPage/>
                </Routes>
            </Shell>
        </Router>
    }
}
