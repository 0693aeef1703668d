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
    /// Provider console: my access requests and a new one.
    ProviderRequests,
    /// Provider console: requests awaiting pre-approval (managers).
    Preapprovals,
    /// Provider console: the registered provider services (integration
    /// admins).
    ProviderServices,
    /// Audit log search and export.
    Audit,
    /// Settings > Org settings > Notifications (webhooks, delivery log).
    Notifications,
    /// The outbox as a developer sees it (local development only).
    DevOutbox,
}

impl AppRoute {
    /// Every page without parameters.
    pub const ALL: [AppRoute; 11] = [
        AppRoute::Status,
        AppRoute::SecurityPrivacy,
        AppRoute::LockboxRequests,
        AppRoute::Roles,
        AppRoute::SignIn,
        AppRoute::ProviderRequests,
        AppRoute::Preapprovals,
        AppRoute::ProviderServices,
        AppRoute::Audit,
        AppRoute::Notifications,
        AppRoute::DevOutbox,
    ];

    /// The path of the page, for links.
    pub const fn path(self) -> &'static str {
        match self {
            AppRoute::Status => "/status",
            AppRoute::SecurityPrivacy => "/settings/org-settings/security-privacy",
            AppRoute::LockboxRequests => lockbox_shared::screen::REQUESTS_PATH,
            AppRoute::Roles => "/roles",
            AppRoute::SignIn => "/sign-in",
            AppRoute::ProviderRequests => "/provider/requests",
            AppRoute::Preapprovals => "/provider/preapprovals",
            AppRoute::ProviderServices => "/provider/services",
            AppRoute::Audit => "/audit",
            AppRoute::Notifications => "/settings/org-settings/notifications",
            AppRoute::DevOutbox => "/dev/outbox",
        }
    }
}

pub use lockbox_shared::screen::request_path;

/// The page of one request, as provider staff see it.
pub fn provider_request_path(id: &str) -> String {
    format!("{}/{id}", AppRoute::ProviderRequests.path())
}

/// Where a grant is used: its time left and the operations it allows.
pub const GRANTS: &str = "/provider/grants";

/// The page of one grant.
pub fn grant_path(id: &str) -> String {
    format!("{GRANTS}/{id}")
}

/// Where a person starts after signing in, by what their roles let them do:
/// engineers at their requests, managers at the pre-approvals, customers
/// who decide at the requests, auditors at the audit log.
pub fn home_of(me: &lockbox_shared::api::Me) -> &'static str {
    use lockbox_shared::policy::{authorize, Action};
    let may = |action| authorize(&me.principal, action, me.principal.tenant()).is_ok();
    if may(Action::CreateRequest) {
        AppRoute::ProviderRequests.path()
    } else if may(Action::ListAwaitingPreapproval) {
        AppRoute::Preapprovals.path()
    } else if may(Action::Approve) {
        AppRoute::LockboxRequests.path()
    } else if may(Action::ManageProviderServices) {
        AppRoute::ProviderServices.path()
    } else if may(Action::SearchAudit) {
        AppRoute::Audit.path()
    } else {
        AppRoute::Status.path()
    }
}

/// The places the navigation offers `me` (their paths), with their
/// labels: only those their roles use (nothing while signed out).
pub fn nav_for(me: Option<&lockbox_shared::api::Me>) -> Vec<(&'static str, &'static str)> {
    me.map(|me| lockbox_shared::screen::nav(crate::i18n::lang(), me))
        .unwrap_or_default()
}

/// The app is built as separately loaded parts, one per audience, so that
/// an approver's phone downloads only the pages approvers use. Every part
/// has the shell, the status and not-found pages; `index.html`
/// loads the part its address belongs to, and moving to an address of
/// another part loads that part (a full page load).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bundle {
    /// The customer's requests and decisions (approvers, on a phone).
    Approve,
    /// The provider console: requests, pre-approvals, grants.
    Console,
    /// The customer's admin pages: audit log, settings, roles, notices;
    /// and local development's pages (sign-in, outbox).
    Admin,
}

impl Bundle {
    /// Every part, by the name its build and `index.html` use.
    pub const ALL: [(Bundle, &'static str); 3] = [
        (Bundle::Approve, "approve"),
        (Bundle::Console, "console"),
        (Bundle::Admin, "admin"),
    ];

    /// The part an address's first path segment belongs to; everything
    /// not named here (the requests, `/`, status, unknown addresses) is [`Bundle::Approve`]. `frontend/bundles.json` is this
    /// table for `index.html`; a test keeps the two equal.
    pub const BY_FIRST_SEGMENT: [(&'static str, Bundle); 6] = [
        ("provider", Bundle::Console),
        ("audit", Bundle::Admin),
        ("settings", Bundle::Admin),
        ("roles", Bundle::Admin),
        ("dev", Bundle::Admin),
        // Local development's sign-in (in production, Cloudflare Access).
        ("sign-in", Bundle::Admin),
    ];

    /// The part that shows the page at `path` (a pathname).
    pub fn of_path(path: &str) -> Bundle {
        let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
        Bundle::BY_FIRST_SEGMENT
            .iter()
            .find(|(segment, _)| *segment == first)
            .map_or(Bundle::Approve, |(_, bundle)| *bundle)
    }

    /// The part's name.
    pub fn name(self) -> &'static str {
        Bundle::ALL
            .iter()
            .find(|(bundle, _)| *bundle == self)
            .map_or("approve", |(_, name)| name)
    }

    /// Whether this build of the app has the part's pages (its Cargo
    /// feature; the default build, used by tests, has them all).
    pub fn is_built_in(self) -> bool {
        match self {
            Bundle::Approve => cfg!(feature = "approve"),
            Bundle::Console => cfg!(feature = "console"),
            Bundle::Admin => cfg!(feature = "admin"),
        }
    }
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
    /// `/provider/requests/<id>`.
    ProviderRequest(String),
    /// `/provider/grants/<id>`.
    Grant(String),
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
        let below = |prefix: &str| {
            trimmed
                .strip_prefix(prefix)
                .and_then(|rest| rest.strip_prefix('/'))
                .filter(|id| !id.is_empty() && !id.contains('/'))
                .map(str::to_owned)
        };
        if let Some(id) = below(AppRoute::LockboxRequests.path()) {
            Page::Request(id)
        } else if let Some(id) = below(AppRoute::ProviderRequests.path()) {
            Page::ProviderRequest(id)
        } else if let Some(id) = below(GRANTS) {
            Page::Grant(id)
        } else {
            Page::NotFound
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
        assert_eq!(
            Page::parse(&provider_request_path("abc-1")),
            Page::ProviderRequest("abc-1".into())
        );
        assert_eq!(
            Page::parse(&grant_path("abc-1")),
            Page::Grant("abc-1".into())
        );
    }

    fn me(membership: lockbox_shared::roles::Membership) -> lockbox_shared::api::Me {
        lockbox_shared::api::Me {
            principal: lockbox_shared::roles::Principal {
                user_id: lockbox_shared::ids::UserId::parse("0b5e2d1c-0000-4000-8000-000000000001")
                    .expect("valid"),
                email: "p@example".into(),
                display_name: "P".into(),
                membership,
            },
            sign_out_url: None,
            language: None,
            tenant_language: None,
        }
    }

    fn provider(roles: &[lockbox_shared::roles::ProviderRole]) -> lockbox_shared::api::Me {
        me(lockbox_shared::roles::Membership::Provider {
            roles: roles.to_vec(),
        })
    }

    fn customer(roles: &[lockbox_shared::roles::CustomerRole]) -> lockbox_shared::api::Me {
        me(lockbox_shared::roles::Membership::Customer {
            tenant_id: lockbox_shared::ids::TenantId::parse("7c0a8f4e-5a1b-4c3d-9e2f-000000000001")
                .expect("valid"),
            tenant_name: "Contoso".into(),
            roles: roles.to_vec(),
        })
    }

    #[test]
    fn each_person_starts_where_their_roles_work_and_sees_only_those_places() {
        use lockbox_shared::roles::{CustomerRole::*, ProviderRole::*};
        let labels = |me: &lockbox_shared::api::Me| -> Vec<&'static str> {
            nav_for(Some(me)).into_iter().map(|(_, l)| l).collect()
        };
        let engineer = provider(&[SupportEngineer]);
        assert_eq!(home_of(&engineer), "/provider/requests");
        assert_eq!(labels(&engineer), ["My requests"]);
        let manager = provider(&[SupportManager]);
        assert_eq!(home_of(&manager), "/provider/preapprovals");
        assert_eq!(labels(&manager), ["Pre-approvals"]);
        let lead = provider(&[SupportEngineer, SupportManager]);
        assert_eq!(home_of(&lead), "/provider/requests");
        assert_eq!(labels(&lead), ["My requests", "Pre-approvals"]);
        let approver = customer(&[Approver]);
        assert_eq!(home_of(&approver), "/support/lockbox-requests");
        assert_eq!(
            labels(&approver),
            ["Support", "Audit log", "Settings", "Roles"]
        );
        let admin = customer(&[GlobalAdmin]);
        assert_eq!(home_of(&admin), "/support/lockbox-requests");
        let auditor = customer(&[Auditor]);
        assert_eq!(home_of(&auditor), "/audit");
        assert_eq!(labels(&auditor), ["Support", "Audit log"]);
        let nobody = customer(&[]);
        assert_eq!(home_of(&nobody), "/status");
        assert!(labels(&nobody).is_empty());
        assert!(nav_for(None).is_empty());
        // Every place offered is a page, and home is always one.
        for who in [engineer, manager, lead, approver, admin, auditor, nobody] {
            assert!(matches!(Page::parse(home_of(&who)), Page::Fixed(_)));
            for (path, _) in nav_for(Some(&who)) {
                assert!(matches!(Page::parse(path), Page::Fixed(route) if route.path() == path));
            }
        }
    }

    #[test]
    fn every_page_belongs_to_one_part_and_index_html_agrees() {
        assert_eq!(Bundle::of_path("/"), Bundle::Approve);
        assert_eq!(
            Bundle::of_path("/support/lockbox-requests/x"),
            Bundle::Approve
        );
        assert_eq!(Bundle::of_path("/provider/grants/x"), Bundle::Console);
        assert_eq!(Bundle::of_path("/providerx"), Bundle::Approve);
        assert_eq!(Bundle::of_path(AppRoute::Audit.path()), Bundle::Admin);
        assert_eq!(Bundle::of_path(AppRoute::SignIn.path()), Bundle::Admin);
        assert_eq!(Bundle::of_path(AppRoute::Status.path()), Bundle::Approve);
        // Every home page is in the part that `/` loads or names its own.
        for route in AppRoute::ALL {
            let bundle = Bundle::of_path(route.path());
            assert!(Bundle::ALL.iter().any(|(b, _)| *b == bundle));
        }
        // frontend/bundles.json, read by the page loader, is the same table.
        let json: serde_json::Value =
            serde_json::from_str(include_str!("../bundles.json")).expect("bundles.json is JSON");
        let by_segment = json["by_first_segment"]
            .as_object()
            .expect("by_first_segment");
        assert_eq!(by_segment.len(), Bundle::BY_FIRST_SEGMENT.len());
        for (segment, bundle) in Bundle::BY_FIRST_SEGMENT {
            assert_eq!(
                by_segment[segment].as_str(),
                Some(bundle.name()),
                "{segment}"
            );
        }
        assert_eq!(json["default"].as_str(), Some(Bundle::Approve.name()));
        let parts: Vec<&str> = json["parts"]
            .as_array()
            .expect("parts")
            .iter()
            .filter_map(|p| p.as_str())
            .collect();
        let names: Vec<&str> = Bundle::ALL.iter().map(|(_, n)| *n).collect();
        assert_eq!(parts, names);
        // Each part is built once per language Lockbox speaks.
        let languages: Vec<&str> = json["languages"]
            .as_array()
            .expect("languages")
            .iter()
            .filter_map(|l| l.as_str())
            .collect();
        let spoken: Vec<&str> = lockbox_shared::i18n::Lang::ALL
            .iter()
            .map(|l| l.as_str())
            .collect();
        assert_eq!(languages, spoken);
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
            "/provider",
            "/provider/grants",
            "/provider/grants/a/b",
        ] {
            assert_eq!(Page::parse(path), Page::NotFound, "{path}");
        }
    }
}
