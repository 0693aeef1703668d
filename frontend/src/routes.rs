//! Every page's address, in one place.

/// A page of the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppRoute {
    /// System status (the health of the service).
    Status,
    /// Settings > Org settings > Security & Privacy.
    SecurityPrivacy,
    /// Support > Customer Lockbox requests.
    LockboxRequests,
    /// Local sign-in.
    SignIn,
}

impl AppRoute {
    /// The path of the page, for links.
    pub const fn path(self) -> &'static str {
        match self {
            AppRoute::Status => "/",
            AppRoute::SecurityPrivacy => "/settings/org-settings/security-privacy",
            AppRoute::LockboxRequests => "/support/lockbox-requests",
            AppRoute::SignIn => "/sign-in",
        }
    }
}
