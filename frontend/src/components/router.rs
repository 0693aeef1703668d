//! Moving between pages without reloading the app: the History API, the
//! browser's back and forward buttons, and same-origin links.
//!
//! Which page an address names is decided by [`Page::parse`], plain Rust
//! that is unit-tested; this module only connects it to the browser.

use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::routes::{Bundle, Page};

thread_local! {
    /// The pathname the app shows. Links and event handlers run outside any
    /// component, so it is kept here rather than in a context.
    static PATH: std::cell::Cell<Option<RwSignal<String>>> = const { std::cell::Cell::new(None) };
}

fn path_signal() -> Option<RwSignal<String>> {
    PATH.with(|path| path.get())
}

fn current_pathname() -> String {
    window()
        .location()
        .pathname()
        .unwrap_or_else(|_| "/".to_owned())
}

/// Starts following the address bar (once, in the root component) and
/// returns the page it names.
pub fn provide_router() -> Memo<Page> {
    let path = RwSignal::new(current_pathname());
    PATH.with(|cell| cell.set(Some(path)));
    // The app lives as long as the tab, and so do these listeners.
    let _ = window_event_listener(ev::popstate, move |_| {
        path.set(current_pathname());
        focus_new_page();
    });
    let _ = window_event_listener(ev::click, follow_link);
    Memo::new(move |_| Page::parse(&path.read()))
}

/// The pathname the app shows.
pub fn use_pathname() -> Signal<String> {
    match path_signal() {
        Some(path) => path.into(),
        None => Signal::derive(current_pathname),
    }
}

/// Goes to `to` (a path on this site) as a new history entry.
pub fn navigate(to: &str) {
    go(to, false);
}

/// Goes to `to` in place of the current history entry (a redirect).
pub fn redirect(to: &str) {
    go(to, true);
}

fn go(to: &str, replace: bool) {
    // Another part of the app shows that page: the browser loads it.
    let pathname = to.split(['?', '#']).next().unwrap_or(to);
    if !Bundle::of_path(pathname).is_built_in() {
        let location = window().location();
        let _ = if replace {
            location.replace(to)
        } else {
            location.assign(to)
        };
        return;
    }
    let history = window().history();
    let changed = match history {
        Ok(history) if replace => {
            history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(to))
        }
        Ok(history) => history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(to)),
        Err(err) => Err(err),
    };
    if changed.is_err() {
        // No History API: let the browser load the page.
        let _ = window().location().set_href(to);
        return;
    }
    if let Some(path) = path_signal() {
        path.set(current_pathname());
    }
    if !replace {
        window().scroll_to_with_x_and_y(0.0, 0.0);
    }
    focus_new_page();
}

/// After a page change, moves focus to the new page's heading (or, while
/// it loads, to the page itself), so keyboard users continue from there
/// and screen readers announce the page, as they would after a full load.
fn focus_new_page() {
    request_animation_frame(|| {
        let Some(document) = window().document() else {
            return;
        };
        let target = document
            .query_selector("main h1")
            .ok()
            .flatten()
            .or_else(|| document.query_selector("main").ok().flatten());
        if let Some(target) = target.and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok()) {
            // Focusable by script only, not by Tab.
            if !target.has_attribute("tabindex") {
                let _ = target.set_attribute("tabindex", "-1");
            }
            let _ = target.focus();
        }
    });
}

/// A plain left click on a link to one of the app's pages changes the page
/// in place; everything else (new tab, download, other site, the API) is
/// left to the browser.
fn follow_link(event: web_sys::MouseEvent) {
    if event.default_prevented()
        || event.button() != 0
        || event.meta_key()
        || event.ctrl_key()
        || event.shift_key()
        || event.alt_key()
    {
        return;
    }
    let Some(anchor) = event
        .target()
        .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
        .and_then(|element| element.closest("a[href]").ok().flatten())
        .and_then(|element| element.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    else {
        return;
    };
    let same_origin = window().location().origin().ok() == Some(anchor.origin());
    let pathname = anchor.pathname();
    if !same_origin
        || !anchor.target().is_empty()
        || anchor.has_attribute("download")
        || pathname.starts_with("/api/")
    {
        return;
    }
    event.prevent_default();
    navigate(&format!("{pathname}{}{}", anchor.search(), anchor.hash()));
}

/// A navigation link, marked as the current page while the address is at
/// or below `href`.
#[component]
pub fn NavLink(href: &'static str, children: Children) -> impl IntoView {
    let path = use_pathname();
    let current = move || {
        let path = path.read();
        lockbox_shared::screen::is_current(href, &path).then_some("page")
    };
    view! { <a href=href aria-current=current>{children()}</a> }
}
