//! Times in the viewer's local zone, with the zone shown.

use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

thread_local! {
    /// The page's formatter of times, which index.html's loader made for
    /// the language it started (scripts/assemble-spa.mjs): the same one
    /// rewrites the times of the first screen the Worker wrote, so both
    /// read alike. One for the whole page: building an
    /// `Intl.DateTimeFormat` is costly on a phone.
    static LOADER: Option<(js_sys::Function, js_sys::Function)> = {
        let time = js_sys::Reflect::get(&window(), &"lockboxTime".into()).ok();
        let method = |name: &str| {
            time.as_ref()
                .and_then(|t| js_sys::Reflect::get(t, &name.into()).ok())
                .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        };
        method("format").zip(method("zone"))
    };
}

/// `ms` (epoch, UTC) as the viewer's local date and time with its zone,
/// e.g. "28 Nov 2026, 19:04 GMT+1", or "4 dic 2026, 21:31 CET" in Italian
/// (UTC as ISO 8601 where the page has no loader).
pub fn local(ms: i64) -> String {
    LOADER
        .with(|loader| {
            let (format, _) = loader.as_ref()?;
            format
                .call1(&JsValue::UNDEFINED, &JsValue::from_f64(ms as f64))
                .ok()?
                .as_string()
        })
        .unwrap_or_else(|| lockbox_shared::screen::iso(ms))
}

/// The viewer's time zone as the browser names it ("Europe/Rome", "UTC").
pub fn zone_name() -> String {
    LOADER
        .with(|loader| {
            let (_, zone) = loader.as_ref()?;
            zone.call0(&JsValue::UNDEFINED).ok()?.as_string()
        })
        .unwrap_or_else(|| "UTC".to_owned())
}

/// A `<time>` element: machine-readable UTC, human-readable local.
#[component]
pub fn LocalTime(ms: i64) -> impl IntoView {
    view! { <time datetime=lockbox_shared::screen::iso(ms)>{local(ms)}</time> }
}
