//! A request's state as a badge.

use leptos::prelude::*;
use lockbox_shared::lifecycle::State;

/// The badge's colour family.
pub fn tone(state: State) -> &'static str {
    match state {
        State::PendingManagerApproval | State::PendingCustomerApproval => "tone-pending",
        State::Approved => "tone-live",
        State::Denied | State::Rejected | State::Revoked => "tone-stopped",
        State::Expired | State::Cancelled | State::Completed => "tone-ended",
    }
}

#[component]
pub fn StatusBadge(state: State) -> impl IntoView {
    let label = lockbox_shared::text::state(crate::i18n::lang(), state);
    view! { <span class=format!("badge {}", tone(state)) data-state=state.as_str()>{label}</span> }
}
