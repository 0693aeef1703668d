//! A request's state as a badge.

use leptos::prelude::*;
use lockbox_shared::lifecycle::State;

pub use lockbox_shared::screen::tone;

#[component]
pub fn StatusBadge(state: State) -> impl IntoView {
    let label = lockbox_shared::text::state(crate::i18n::lang(), state);
    view! { <span class=format!("badge {}", tone(state)) data-state=state.as_str()>{label}</span> }
}
