//! The reader's language: chosen once when the app starts (their own
//! choice, else the browser's languages, else their organisation's
//! default, else English), put on `<html lang>`, and read by every page
//! through [`lang`]. This browser keeps the person's choice and their
//! organisation's default from their last session, so the first screen is
//! already in the right language; once the session is read ([`adopt`]),
//! the page is shown again if either changed it. Switching keeps the
//! choice with the person (when signed in) and reloads.

use std::cell::Cell;

use leptos::prelude::window;
use leptos::task::spawn_local;
use lockbox_shared::api::Me;
use lockbox_shared::i18n::Lang;

/// Where this browser keeps the person's own choice.
const OWN: &str = "lockbox-lang";
/// Where it keeps their organisation's default.
const TENANT: &str = "lockbox-tenant-lang";

thread_local! {
    static LANG: Cell<Lang> = const { Cell::new(Lang::En) };
}

/// The language the pages are shown in.
pub fn lang() -> Lang {
    // A build made for one language (`lockbox_shared::i18n::BUILT_FOR`)
    // shows it whatever was chosen.
    LANG.with(Cell::get).shown()
}

fn stored(key: &str) -> Option<Lang> {
    let storage = window().local_storage().ok().flatten()?;
    storage
        .get_item(key)
        .ok()
        .flatten()
        .and_then(|v| Lang::parse(&v))
}

fn store(key: &str, lang: Option<Lang>) {
    if let Some(storage) = window().local_storage().ok().flatten() {
        let _ = match lang {
            Some(lang) => storage.set_item(key, lang.as_str()),
            None => storage.remove_item(key),
        };
    }
    // The person's own choice goes with the page's requests too, so that
    // the Worker writes the first screen in the language the loader picks
    // (`lockbox_shared::i18n::OWN_COOKIE`).
    if key == OWN {
        let cookie = match lang {
            Some(lang) => format!(
                "{}={}; path=/; max-age=31536000; samesite=lax",
                lockbox_shared::i18n::OWN_COOKIE,
                lang.as_str()
            ),
            None => format!("{}=; path=/; max-age=0", lockbox_shared::i18n::OWN_COOKIE),
        };
        if let Some(document) = window().document() {
            let _ = js_sys::Reflect::set(&document, &"cookie".into(), &cookie.into());
        }
    }
}

fn browser_languages() -> Option<Lang> {
    let tags: Vec<String> = window()
        .navigator()
        .languages()
        .iter()
        .filter_map(|v| v.as_string())
        .collect();
    Lang::first_of(tags.iter().map(String::as_str))
}

fn chosen() -> Lang {
    Lang::choose(stored(OWN), browser_languages(), stored(TENANT))
}

/// Chooses the language and marks the document with it (a build for one
/// language was started by the loader because it is the one chosen).
pub fn init() {
    LANG.with(|l| l.set(chosen()));
    if let Some(root) = window().document().and_then(|d| d.document_element()) {
        let _ = root.set_attribute("lang", lang().as_str());
    }
}

/// Takes the signed-in person's own choice and their organisation's
/// default as this browser's, and shows the page again if they change its
/// language.
pub fn adopt(me: &Me) {
    if me.language.is_some() {
        store(OWN, me.language);
    }
    store(TENANT, me.tenant_language);
    if chosen() != lang() {
        let _ = window().location().reload();
    }
}

/// Keeps `lang` as the person's choice (in this browser, and with the
/// person when `signed_in`) and shows the page again in it.
pub fn switch_to(lang: Lang, signed_in: bool) {
    store(OWN, Some(lang));
    if signed_in {
        spawn_local(async move {
            // Kept in this browser even if the server cannot be reached.
            let _ = crate::api::set_own_language(lang).await;
            let _ = window().location().reload();
        });
    } else {
        let _ = window().location().reload();
    }
}
