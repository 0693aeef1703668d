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
    /// Roles: who may approve.
    Roles,
    /// Local sign-in.
    SignIn,
}

impl AppRoute {
    /// The path of the page, for links.
    pub const fn path(self) -> &'static str {
        match self {
            AppRoute::Status => "/status",
            AppRoute::SecurityPrivacy => "/settings/org-settings/security-privacy",
            AppRoute::LockboxRequests => "/support/lockbox-requests",
            AppRoute::Roles => "/roles",
            AppRoute::SignIn => "/sign-in",
        }
    }
}

/// The page of one request.
pub fn request_path(id: &str) -> String {
    format!("{}/{id}", AppRoute::LockboxRequests.path())
}
