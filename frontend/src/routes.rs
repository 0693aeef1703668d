//! Every page's address, in one place, and which page an address names.

/// A page of the app, for links.
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
    /// Every page without parameters.
    pub const ALL: [AppRoute; 5] = [
        AppRoute::Status,
        AppRoute::SecurityPrivacy,
        AppRoute::LockboxRequests,
        AppRoute::Roles,
        AppRoute::SignIn,
    ];

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

/// What the address bar names: one of the pages, or nothing we know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    /// `/`: sends each person where they start.
    Home,
    /// A page without parameters.
    Fixed(AppRoute),
    /// `/support/lockbox-requests/<id>`.
    Request(String),
    /// Any other path.
    NotFound,
}

impl Page {
    /// The page at `path` (the pathname only: no query, no fragment). A
    /// trailing slash is ignored, so `/roles/` is the Roles page.
    pub fn parse(path: &str) -> Page {
        let trimmed = path.trim_end_matches('/');
        if trimmed.is_empty() {
            return Page::Home;
        }
        for route in AppRoute::ALL {
            if trimmed == route.path() {
                return Page::Fixed(route);
            }
        }
        match trimmed
            .strip_prefix(AppRoute::LockboxRequests.path())
            .and_then(|rest| rest.strip_prefix('/'))
        {
            Some(id) if !id.is_empty() && !id.contains('/') => Page::Request(id.to_owned()),
            _ => Page::NotFound,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_link_leads_back_to_its_page() {
        for route in AppRoute::ALL {
            assert_eq!(Page::parse(route.path()), Page::Fixed(route));
            assert_eq!(
                Page::parse(&format!("{}/", route.path())),
                Page::Fixed(route)
            );
        }
        assert_eq!(
            Page::parse(&request_path("abc-1")),
            Page::Request("abc-1".into())
        );
    }

    #[test]
    fn home_and_unknown_addresses() {
        assert_eq!(Page::parse("/"), Page::Home);
        assert_eq!(Page::parse(""), Page::Home);
        for path in [
            "/nope",
            "/support",
            "/support/lockbox-requests/a/b",
            "/support/lockbox-requestsX",
            "/roles/x",
            "/ROLES",
        ] {
            assert_eq!(Page::parse(path), Page::NotFound, "{path}");
        }
    }
}
