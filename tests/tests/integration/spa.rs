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
    let worker = get("/sw.js");
    assert_eq!(worker.status, 200, "the service worker is served");
    let cache = worker
        .header("cache-control")
        .unwrap_or_default()
        .to_owned();
    assert!(!cache.contains("immutable"), "sw.js: {cache}");
    let mut assets: Vec<String> = Vec::new();
    for piece in page.body.split("\"/").skip(1) {
        let name = piece.split('"').next().unwrap_or_default();
        // The service worker keeps its address from one build to the next;
        // it is revalidated, like the page (below).
        if name == "sw.js" {
            continue;
        }
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

#[test]
fn the_approvers_list_page_carries_its_first_screen_and_the_apis_own_answers() {
    let approver = lockbox_tests::sign_in("approver1@contoso.example");
    let page = approver.get("/support/lockbox-requests");
    assert_eq!(page.status, 200);
    assert!(page.content_type.starts_with("text/html"));
    assert_eq!(page.header("cache-control"), Some("private, no-store"));
    assert!(page.header("content-security-policy").is_some());
    assert!(page.body.contains(r#"<meta name="lockbox-first""#));
    assert!(page
        .body
        .contains(r#"<div id="lockbox-first" data-lang="en">"#));
    // The answers in the page are the API's own.
    let answers = page
        .body
        .split(r#"<script type="application/json" id="lockbox-answers">"#)
        .nth(1)
        .and_then(|rest| rest.split("</script>").next())
        .expect("the page carries the answers it was written from");
    let answers: serde_json::Value = serde_json::from_str(answers).expect("JSON");
    let read = |key: &str| -> serde_json::Value {
        assert_eq!(answers[key]["status"], 200, "{key}");
        serde_json::from_str(answers[key]["body"].as_str().expect("a body")).expect("JSON")
    };
    assert_eq!(read("/me")["email"], "approver1@contoso.example");
    let list = read("/requests");
    let items = list["items"].as_array().expect("items");
    assert!(!items.is_empty());
    // Every request of the first page has its row, a link to its page.
    for item in items {
        let id = item["id"].as_str().expect("id");
        assert!(
            page.body.contains(&format!(
                r#"<a class="request-row" href="/support/lockbox-requests/{id}""#
            )),
            "no row for {id}"
        );
    }
    assert_eq!(read("/settings/freeze")["frozen"], false);
    assert!(read("/requests?limit=100")["items"].is_array());

    // What the reader may not read is not in the page: an auditor's has
    // the API's refusal of the freeze, and no banner from it.
    let auditor = lockbox_tests::sign_in("auditor@contoso.example");
    let page = auditor.get("/support/lockbox-requests");
    assert_eq!(page.status, 200);
    assert!(page.body.contains(r#"<div id="lockbox-first""#));
    assert!(page.body.contains(r#""/settings/freeze":{"body":"#));
    assert!(page.body.contains(r#""status":403"#));
    assert!(!page.body.contains(r#"data-testid="frozen-banner""#));
    // Signed out: the page as it is, and no mark (the loader preloads),
    // also for a reader who has only chosen a language.
    let page = get("/support/lockbox-requests");
    assert_eq!(page.status, 200);
    assert!(!page.body.contains(r#"id="lockbox-answers""#));
    assert!(!page.body.contains(r#"<meta name="lockbox-first""#));
    let page = lockbox_tests::read(
        lockbox_tests::client()
            .get(lockbox_tests::url("/support/lockbox-requests"))
            .header("Cookie", "lockbox-lang=it")
            .call(),
    );
    assert_eq!(page.status, 200);
    assert!(!page.body.contains(r#"<meta name="lockbox-first""#));
}
