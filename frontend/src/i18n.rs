//! The reader's language: chosen once when the app starts (their own
//! choice kept in this browser, else the browser's languages, else
//! English), put on `<html lang>`, and read by every page through
//! [`lang`]. Switching reloads the page in the new language.

use std::cell::Cell;

use leptos::prelude::window;
use lockbox_shared::i18n::Lang;

/// Where this browser keeps the person's own choice.
const KEY: &str = "lockbox-lang";

thread_local! {
    static LANG: Cell<Lang> = const { Cell::new(Lang::En) };
}

/// The language the pages are shown in.
pub fn lang() -> Lang {
    LANG.with(Cell::get)
}

fn own_choice() -> Option<Lang> {
    let storage = window().local_storage().ok().flatten()?;
    storage
        .get_item(KEY)
        .ok()
        .flatten()
        .and_then(|v| Lang::parse(&v))
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

/// Chooses the language and marks the document with it.
pub fn init() {
    let chosen = Lang::choose(own_choice(), browser_languages(), None);
    LANG.with(|l| l.set(chosen));
    if let Some(root) = window().document().and_then(|d| d.document_element()) {
        let _ = root.set_attribute("lang", chosen.as_str());
    }
}

/// Keeps `lang` as the person's choice in this browser and shows the page
/// again in it.
pub fn switch_to(lang: Lang) {
    if let Some(storage) = window().local_storage().ok().flatten() {
        let _ = storage.set_item(KEY, lang.as_str());
    }
    let _ = window().location().reload();
}
