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

#[test]
fn hashed_assets_are_cached_for_a_year_and_the_page_is_always_revalidated() {
    let page = get("/");
    let cache = page.header("cache-control").unwrap_or_default().to_owned();
    assert!(
        !cache.contains("immutable") && cache.contains("max-age=0"),
        "index.html: {cache}"
    );
    // Every script and style the page names (in its tags, and in the
    // loader's table of the app's builds, by hash) carries its content's
    // hash.
    let mut assets: Vec<String> = Vec::new();
    for piece in page.body.split("\"/").skip(1) {
        let name = piece.split('"').next().unwrap_or_default();
        if name.ends_with(".js") || name.ends_with(".wasm") || name.ends_with(".css") {
            assets.push(format!("/{name}"));
        }
    }
    let table: serde_json::Value =
        serde_json::from_str(include_str!("../../../frontend/bundles.json"))
            .expect("frontend/bundles.json");
    let names = |key: &str| -> Vec<String> {
        table[key]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    // One build per part and language, each named in the loader.
    for part in names("parts") {
        for lang in names("languages") {
            let key = format!("\"{part}-{lang}\":\"");
            let hash: String = page
                .body
                .split(&key)
                .nth(1)
                .map(|rest| rest.chars().take_while(char::is_ascii_hexdigit).collect())
                .unwrap_or_default();
            assert!(!hash.is_empty(), "the loader names no build {part}-{lang}");
            assets.push(format!("/lockbox-frontend-{hash}.js"));
            assets.push(format!("/lockbox-frontend-{hash}_bg.wasm"));
        }
    }
    for asset in &assets {
        // HEAD: the wasm is not text.
        let answer = lockbox_tests::client()
            .head(lockbox_tests::url(asset))
            .call()
            .unwrap_or_else(|err| panic!("{asset}: {err}"));
        assert_eq!(answer.status(), 200, "{asset}");
        assert_eq!(
            answer
                .headers()
                .get("cache-control")
                .and_then(|v| v.to_str().ok()),
            Some("public, max-age=31536000, immutable"),
            "{asset}"
        );
    }
}
