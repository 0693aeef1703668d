//! Times in the viewer's local zone, with the zone shown.

use leptos::prelude::*;

/// `ms` (epoch, UTC) as the viewer's local date and time with its zone,
/// e.g. "28 Nov 2026, 19:04 GMT+1".
pub fn local(ms: i64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    let options = js_sys::Object::new();
    for (key, value) in [
        ("year", "numeric"),
        ("month", "short"),
        ("day", "numeric"),
        ("hour", "2-digit"),
        ("minute", "2-digit"),
        ("timeZoneName", "short"),
    ] {
        let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
    }
    date.to_locale_string("default", &options).into()
}

/// A `<time>` element: machine-readable UTC, human-readable local.
#[component]
pub fn LocalTime(ms: i64) -> impl IntoView {
    let iso: String = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64))
        .to_iso_string()
        .into();
    view! { <time datetime=iso>{local(ms)}</time> }
}
