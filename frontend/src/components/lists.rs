//! Lists that refresh themselves without redrawing what did not change.

use leptos::prelude::*;
use lockbox_shared::api::{RequestPage, RequestView};

use crate::api::{ApiError, Loader};

/// Where a list stands, apart from its items.
#[derive(Debug, Clone, PartialEq)]
pub enum ListStatus {
    /// No answer yet.
    Loading,
    /// The last answer was an error.
    Failed(ApiError),
    /// Loaded, and nothing to show.
    Empty,
    /// Loaded, with items.
    Ready,
}

/// Splits a listing into its status and the requests `keep` selects, each
/// a memo: a refresh that brings the same answer redraws nothing, and a
/// keyed `<For>` over the items redraws only the rows that changed, so a
/// comment being typed in another row survives.
pub fn split(
    loader: Loader<RequestPage>,
    keep: impl Fn(&RequestView) -> bool + Send + Sync + 'static,
) -> (Memo<ListStatus>, Memo<Vec<RequestView>>) {
    let answer = Memo::new(move |_| loader.get());
    let items = Memo::new(move |_| match answer.get() {
        Some(Ok(page)) => page.items.into_iter().filter(|r| keep(r)).collect(),
        _ => Vec::new(),
    });
    let status = Memo::new(move |_| match answer.get() {
        None => ListStatus::Loading,
        Some(Err(err)) => ListStatus::Failed(err),
        Some(Ok(_)) if items.with(Vec::is_empty) => ListStatus::Empty,
        Some(Ok(_)) => ListStatus::Ready,
    });
    (status, items)
}
