//! Time that moves: a one-second clock for countdowns, and lists that
//! refresh themselves while the tab is visible.

use gloo_timers::callback::Interval;
use leptos::prelude::*;

/// The current time (epoch ms), updated every second, for the whole app.
#[derive(Clone, Copy)]
pub struct Clock(pub ReadSignal<i64>);

fn tab_visible() -> bool {
    document().visibility_state() == web_sys::VisibilityState::Visible
}

/// Starts the app's clock (once, in the root component).
pub fn provide_clock() {
    let (now, set_now) = signal(js_sys::Date::now() as i64);
    let ticker = Interval::new(1_000, move || {
        // A hidden tab needs no countdown; it catches up when shown.
        if tab_visible() {
            set_now.set(js_sys::Date::now() as i64);
        }
    });
    keep_until_cleanup(ticker);
    provide_context(Clock(now));
}

/// The app's clock (a fallback clock if none was provided).
pub fn use_now() -> ReadSignal<i64> {
    match use_context::<Clock>() {
        Some(Clock(now)) => now,
        None => signal(js_sys::Date::now() as i64).0,
    }
}

/// Calls `refresh` every `period_ms` while the tab is visible, until the
/// calling component goes away.
pub fn auto_refresh(period_ms: u32, refresh: impl Fn() + 'static) {
    let timer = Interval::new(period_ms, move || {
        if tab_visible() {
            refresh();
        }
    });
    keep_until_cleanup(timer);
}

/// Keeps `timer` running until the calling component is cleaned up.
fn keep_until_cleanup(timer: Interval) {
    // Timers are not Send; a local stored value holds it on this thread
    // and is disposed of (dropping, so cancelling, the timer) on cleanup.
    let stored = StoredValue::new_local(Some(timer));
    on_cleanup(move || stored.dispose());
}
