//! The first screen the Worker wrote into the page (see
//! `lockbox_shared::screen`): shown until the app's own render of the same
//! page is in place (the style sheet hides the app's nodes while it is
//! there), then removed in the same task, so no frame shows both.

use leptos::prelude::document;

/// Removes the Worker's first screen, if it is still there.
pub fn take_over() {
    if let Some(first) = document().get_element_by_id(lockbox_shared::screen::FIRST_SCREEN_ID) {
        first.remove();
    }
}
