//! The languages Lockbox speaks and how one is chosen for a reader.
//!
//! Every user-facing sentence is a function of [`Lang`] in [`crate::text`],
//! written through [`messages!`]: each message must give every language
//! (a missing one does not compile), and a missing message is a missing
//! function. No run-time parser, no tables: each wasm carries the
//! sentences it uses, nothing more.

use crate::named_enum;

/// The cookie that carries a person's own choice of language with the
/// page's requests (the app keeps it next to its local copy), so that the
/// Worker writes a page's first screen in the language the page's loader
/// picks: that choice, else the browser's, else the organisation's.
pub const OWN_COOKIE: &str = "lockbox-lang";

named_enum! {
    /// A language of the pages and the e-mails.
    #[derive(Default)]
    pub enum Lang {
        /// English (the default).
        #[default]
        En => "en",
        /// Italian.
        It => "it",
    }
}

/// The one language a build of the pages shows, when it was made for one:
/// scripts/build.sh builds each part of the app once per language
/// (`LOCKBOX_LANG`, with this crate's feature `one-language`, which only
/// the pages turn on), so that each wasm carries its own language's
/// sentences and no other's: every message ([`messages!`]) and every
/// screen written here then chooses by this constant, and the compiler
/// drops the other languages. Builds without both (the Worker, the tests,
/// clippy) choose at run time.
pub const BUILT_FOR: Option<Lang> = if cfg!(feature = "one-language") {
    match option_env!("LOCKBOX_LANG") {
        Some(tag) => match Lang::from_const_tag(tag) {
            Some(lang) => Some(lang),
            None => panic!("LOCKBOX_LANG names a language Lockbox does not speak"),
        },
        None => None,
    }
} else {
    None
};

impl Lang {
    /// The language a sentence is written in: the build's own when it was
    /// made for one ([`BUILT_FOR`]), else `self`.
    #[inline(always)]
    pub const fn shown(self) -> Self {
        match BUILT_FOR {
            Some(lang) => lang,
            None => self,
        }
    }

    /// The language of a BCP 47 tag (`it`, `it-IT`, `en-GB`), if Lockbox
    /// speaks it.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next()?;
        Self::ALL
            .iter()
            .copied()
            .find(|l| l.as_str().eq_ignore_ascii_case(primary))
    }

    /// The language whose tag is exactly `tag`, at compile time (a build
    /// made for one language names it).
    pub const fn from_const_tag(tag: &str) -> Option<Self> {
        let mut i = 0;
        while i < Self::ALL.len() {
            let own = Self::ALL[i].as_str().as_bytes();
            let asked = tag.as_bytes();
            if own.len() == asked.len() {
                let mut j = 0;
                while j < own.len() && own[j] == asked[j] {
                    j += 1;
                }
                if j == own.len() {
                    return Some(Self::ALL[i]);
                }
            }
            i += 1;
        }
        None
    }

    /// The first language of `tags` (most preferred first, as
    /// `navigator.languages` lists them) that Lockbox speaks.
    pub fn first_of<'a>(tags: impl IntoIterator<Item = &'a str>) -> Option<Self> {
        tags.into_iter().find_map(Self::from_tag)
    }

    /// The language an `Accept-Language` header prefers most among those
    /// Lockbox speaks (by `q`, then by order), if any.
    pub fn negotiate(accept_language: &str) -> Option<Self> {
        let mut best: Option<(Self, u16)> = None;
        for part in accept_language.split(',') {
            let mut pieces = part.split(';');
            let Some(lang) = pieces.next().and_then(Self::from_tag) else {
                continue;
            };
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let q = (q.clamp(0.0, 1.0) * 1000.0) as u16;
            if q > 0 && best.is_none_or(|(_, b)| q > b) {
                best = Some((lang, q));
            }
        }
        best.map(|(lang, _)| lang)
    }

    /// The reader's language: their own choice, else their browser's,
    /// else their organisation's default, else English.
    pub fn choose(own: Option<Self>, browser: Option<Self>, tenant: Option<Self>) -> Self {
        own.or(browser).or(tenant).unwrap_or_default()
    }

    /// The language `value` names in an API call (`en`, `it`), or why it
    /// is refused.
    pub fn chosen(value: &str) -> Result<Self, crate::validation::Invalid> {
        Self::parse(value).ok_or_else(|| crate::validation::Invalid {
            field: "language",
            message: format!(
                "{value:?} is not a language Lockbox speaks. Send one of: {}.",
                Self::ALL
                    .iter()
                    .map(|l| format!("\"{}\" ({})", l.as_str(), l.endonym()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })
    }

    /// The language's name in itself, for the menu that switches to it.
    pub const fn endonym(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::It => "Italiano",
        }
    }
}

/// `one` for a count of exactly one, else `other`: the plural rule of
/// English and Italian.
pub fn plural<'a>(n: i64, one: &'a str, other: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        other
    }
}

/// Defines one function per message, each taking the [`Lang`] first and
/// giving a sentence for every language (a message without arguments is a
/// `&'static str`, chosen without allocating; one with arguments is
/// formatted); and `every(lang)`, each message with default arguments (for
/// the tests that compare the languages).
#[macro_export]
macro_rules! messages {
    (
        $(
            $(#[$meta:meta])*
            $name:ident ( $($arg:ident : $ty:ty),* $(,)? ) { en: $en:expr, it: $it:expr $(,)? }
        )*
    ) => {
        $(
            $crate::message! { $(#[$meta])* $name ( $($arg : $ty),* ) { en: $en, it: $it } }
        )*

        /// Every message of this catalogue in `lang`, with default arguments.
        pub fn every(lang: $crate::i18n::Lang) -> Vec<(&'static str, String)> {
            vec![$( (stringify!($name), $name(lang $(, <$ty as Default>::default())*).to_string()) ),*]
        }
    };
}

/// One message of [`messages!`].
#[doc(hidden)]
#[macro_export]
macro_rules! message {
    ($(#[$meta:meta])* $name:ident () { en: $en:literal, it: $it:literal }) => {
        $(#[$meta])*
        pub const fn $name(lang: $crate::i18n::Lang) -> &'static str {
            match lang.shown() {
                $crate::i18n::Lang::En => $en,
                $crate::i18n::Lang::It => $it,
            }
        }
    };
    ($(#[$meta:meta])* $name:ident ( $($arg:ident : $ty:ty),* ) { en: $en:expr, it: $it:expr }) => {
        $(#[$meta])*
        #[allow(unused_variables)]
        pub fn $name(lang: $crate::i18n::Lang $(, $arg: $ty)*) -> String {
            match lang.shown() {
                $crate::i18n::Lang::En => $en,
                $crate::i18n::Lang::It => $it,
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_names_its_primary_language() {
        assert_eq!(Lang::from_tag("it-IT"), Some(Lang::It));
        assert_eq!(Lang::from_tag("EN_gb"), Some(Lang::En));
        assert_eq!(Lang::from_tag("de"), None);
        assert_eq!(Lang::first_of(["de-DE", "it", "en"]), Some(Lang::It));
    }

    #[test]
    fn a_build_names_its_language_by_its_exact_tag() {
        for lang in Lang::ALL.iter().copied() {
            assert_eq!(Lang::from_const_tag(lang.as_str()), Some(lang));
        }
        assert_eq!(Lang::from_const_tag("IT"), None);
        assert_eq!(Lang::from_const_tag("i"), None);
        assert_eq!(Lang::from_const_tag(""), None);
    }

    #[test]
    fn accept_language_is_read_by_weight_then_order() {
        assert_eq!(Lang::negotiate("it-IT,it;q=0.9,en;q=0.8"), Some(Lang::It));
        assert_eq!(Lang::negotiate("de-DE, en;q=0.5, it;q=0.7"), Some(Lang::It));
        assert_eq!(Lang::negotiate("en, it"), Some(Lang::En));
        assert_eq!(Lang::negotiate("it;q=0, fr"), None);
        assert_eq!(Lang::negotiate(""), None);
    }

    #[test]
    fn the_own_choice_comes_first_then_the_browser_then_the_tenant() {
        use Lang::*;
        assert_eq!(Lang::choose(Some(It), Some(En), Some(En)), It);
        assert_eq!(Lang::choose(None, Some(It), Some(En)), It);
        assert_eq!(Lang::choose(None, None, Some(It)), It);
        assert_eq!(Lang::choose(None, None, None), En);
    }
}
