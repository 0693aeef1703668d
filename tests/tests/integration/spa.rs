use lockbox_tests::get;

// The app's pages (frontend/src/routes.rs). The server answers any path
// with the app, so this proves only that a reload of a deep link loads it;
// tests/e2e/shell.test.mjs checks that each page shows its own heading.
const DEEP_LINKS: &[&str] = &[
    "/",
    "/settings/org-settings/security-privacy",
    "/support/lockbox-requests",
    "/roles",
    "/status",
    "/sign-in",
];

#[test]
fn every_page_address_serves_the_app_so_deep_links_survive_a_reload() {
    for path in DEEP_LINKS {
        let answer = get(path);
        assert_eq!(answer.status, 200, "{path}");
        assert!(
            answer.content_type.starts_with("text/html"),
            "{path}: {}",
            answer.content_type
        );
        assert!(answer.body.contains("<title>Lockbox</title>"), "{path}");
        assert!(
            answer.body.contains(r#"name="viewport""#),
            "{path}: the viewport meta tag must be in the HTML itself"
        );
    }
}
