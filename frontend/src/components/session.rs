//! Who is signed in, shared by every page.

use leptos::prelude::*;
use lockbox_shared::api::Me;
use lockbox_shared::policy::Action;

use crate::api::{self, Loader};

/// The signed-in person, loaded once and refetched after sign-in/out.
#[derive(Clone, Copy)]
pub struct Session {
    /// `GET /api/v1/me`.
    pub me: Loader<Me>,
}

/// Loads the session and makes it available to every component below.
pub fn provide_session() -> Session {
    let session = Session { me: api::me() };
    provide_context(session);
    // The person's languages, once known, decide the page's.
    Effect::new(move |_| {
        if let Some(Ok(me)) = session.me.get() {
            crate::i18n::adopt(&me);
        }
    });
    session
}

/// The session provided by the app.
pub fn use_session() -> Session {
    use_context::<Session>().unwrap_or_else(provide_session)
}

/// Whether the signed-in person may take `action` in their own tenant (the
/// same rule the server applies; the server still decides).
pub fn can(me: &Me, action: Action) -> bool {
    lockbox_shared::policy::authorize(&me.principal, action, me.principal.tenant()).is_ok()
}

impl Session {
    /// Whether the signed-in person (once known) may take `action`.
    pub fn may(self, action: Action) -> bool {
        self.me
            .get()
            .and_then(|me| me.ok())
            .is_some_and(|me| can(&me, action))
    }
}
