use lockbox_tests::get;

const DEEP_LINKS: &[&str] = &[
    "/",
    "/settings/org-settings/security-privacy",
    "/support/lockbox-requests",
    "/roles",
    "/audit",
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
