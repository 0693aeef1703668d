//! Moving keyboard focus to what a person must read next: the first field
//! with an error, the message a decision produced, the control an Edit
//! opened. Without it focus drops to the page body when the element that
//! had it is replaced, and a screen reader or a phone user loses the place.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// After the next render, focuses the first element matching `selector`.
/// Elements that are not controls are made focusable by script only
/// (`tabindex="-1"`), never by Tab.
pub fn focus_later(selector: &'static str) {
    focus_when_rendered(selector.to_owned());
}

/// As [`focus_later`], for a selector made at run time.
pub fn focus_when_rendered(selector: String) {
    request_animation_frame(move || {
        let Some(target) = window()
            .document()
            .and_then(|d| d.query_selector(&selector).ok().flatten())
            .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok())
        else {
            return;
        };
        let control = matches!(
            target.tag_name().as_str(),
            "INPUT" | "SELECT" | "TEXTAREA" | "BUTTON" | "A"
        );
        if !control && !target.has_attribute("tabindex") {
            let _ = target.set_attribute("tabindex", "-1");
        }
        let _ = target.focus();
    });
}
