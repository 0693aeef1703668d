//! Times in the viewer's local zone, with the zone shown.

use leptos::prelude::*;

thread_local! {
    /// One formatter for the whole app: building an `Intl.DateTimeFormat`
    /// is costly on a phone, and `toLocaleString` builds one per call.
    static LOCAL_FORMAT: js_sys::Intl::DateTimeFormat = {
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
        // The viewer's locale for the language the pages are shown in.
        let locales = js_sys::Array::of1(&crate::i18n::locale().into());
        js_sys::Intl::DateTimeFormat::new(&locales, &options)
    };
}

/// `ms` (epoch, UTC) as the viewer's local date and time with its zone,
/// e.g. "28 Nov 2026, 19:04 GMT+1", or "4 dic 2026, 21:31 CET" in Italian.
pub fn local(ms: i64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    LOCAL_FORMAT.with(|format| {
        format
            .format()
            .call1(&wasm_bindgen::JsValue::UNDEFINED, &date)
            .ok()
            .and_then(|text| text.as_string())
            .unwrap_or_else(|| String::from(date.to_iso_string()))
    })
}

/// The viewer's time zone as the browser names it ("Europe/Rome", "UTC").
pub fn zone_name() -> String {
    LOCAL_FORMAT.with(|format| {
        js_sys::Reflect::get(&format.resolved_options(), &"timeZone".into())
            .ok()
            .and_then(|zone| zone.as_string())
            .unwrap_or_else(|| "your zone".to_owned())
    })
}

/// A `<time>` element: machine-readable UTC, human-readable local.
#[component]
pub fn LocalTime(ms: i64) -> impl IntoView {
    let iso: String = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64))
        .to_iso_string()
        .into();
    view! { <time datetime=iso>{local(ms)}</time> }
}
