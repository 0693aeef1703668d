//! The approvers' list page (`/support/lockbox-requests`) with its first
//! screen written in, so that a phone shows the list one round trip after
//! the page arrives rather than after the app has downloaded and started.
//!
//! The page is the SPA's `index.html` (from the static assets) sent in two
//! parts: its head at once, marked so that its loader starts the app's
//! download without preloading data; then, once read, the first screen
//! ([`lockbox_shared::screen`]: the frame, the banners and the list's first
//! page, as the app draws them) with the API answers it was written from,
//! which the app takes instead of fetching them. The answers are the API's
//! own: each is a call to the API's router with the page request's
//! credentials, so a tenant whose data is in its own object is read there
//! and the access rules are the API's. Not signed in, or anything else
//! not as expected: the page as it is, and the app does the rest.

use futures_util::{stream, StreamExt};
use lockbox_shared::api::{FreezeSetting, Me, RequestPage, API_PREFIX};
use lockbox_shared::i18n::{Lang, OWN_COOKIE};
use lockbox_shared::policy::Action;
use lockbox_shared::screen;
use worker::{Headers, Method, Request, RequestInit, Response};

use crate::config::App;

/// Whether `req` asks for a page this module writes.
pub fn serves(req: &Request) -> bool {
    matches!(req.method(), Method::Get | Method::Head) && req.path() == screen::REQUESTS_PATH
}

/// What marks the page's head: its loader preloads no data.
const MARK: &str = "<meta name=\"lockbox-first\" content=\"requests\">";

/// The page for `req` (see the module's note), `now_ms` the time its rows
/// are written for.
pub async fn requests(req: Request, app: App, now_ms: i64) -> worker::Result<Response> {
    let Some(assets) = app.assets.clone() else {
        return Response::error("The app's files are not deployed with this Worker.", 500);
    };
    let mut url = req.url()?;
    url.set_path("/");
    url.set_query(None);
    let mut shell = assets.fetch(url.to_string(), None).await?;
    let status = shell.status_code();
    let headers = page_headers(shell.headers())?;
    let html = shell.text().await?;
    // A session cookie or an Access token, not any cookie: a signed-out
    // reader who only chose a language gets the plain page, whose loader
    // preloads.
    let signed_in = crate::auth::token_of(&req).is_some();
    let split = html.find("<body>").map(|at| at + "<body>".len());
    let (Some(at), true, 200) = (split, signed_in, status) else {
        return Ok(Response::from_html(html)?
            .with_status(status)
            .with_headers(headers));
    };
    let (head, body) = html.split_at(at);
    let head = head.replacen("<head>", &format!("<head>{MARK}"), 1);
    let body = body.to_owned();
    // The head goes out at once; the rest when the answers are read.
    let rest = async move {
        let screen = first_screen(&req, &app, now_ms).await.unwrap_or_default();
        Ok::<Vec<u8>, worker::Error>(format!("{screen}{body}").into_bytes())
    };
    let parts = stream::once(async move { Ok::<Vec<u8>, worker::Error>(head.into_bytes()) })
        .chain(stream::once(rest));
    Ok(Response::from_stream(parts)?.with_headers(headers))
}

/// The page's headers: the static assets' (its security policy among
/// them), but never kept by a cache: it carries the reader's requests.
fn page_headers(from: &Headers) -> worker::Result<Headers> {
    let headers = Headers::new();
    for (name, value) in from.entries() {
        if !matches!(
            name.as_str(),
            "content-length"
                | "etag"
                | "last-modified"
                | "cache-control"
                | "age"
                | "cf-cache-status"
        ) {
            headers.set(&name, &value)?;
        }
    }
    headers.set("Content-Type", "text/html; charset=utf-8")?;
    headers.set("Cache-Control", "private, no-store")?;
    headers.set("Vary", "Cookie, Accept-Language")?;
    Ok(headers)
}

/// One answer of the API to a GET of `rest` with the page request's
/// credentials: its status and body.
async fn answer(req: &Request, app: &App, rest: &str) -> Option<(u16, String)> {
    let mut url = req.url().ok()?;
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    url.set_path(&format!("{API_PREFIX}{path}"));
    url.set_query((!query.is_empty()).then_some(query));
    let headers = Headers::new();
    for name in [
        "Cookie",
        "Cf-Access-Jwt-Assertion",
        "CF-Connecting-IP",
        "Accept-Language",
    ] {
        if let Ok(Some(value)) = req.headers().get(name) {
            headers.set(name, &value).ok()?;
        }
    }
    let mut init = RequestInit::new();
    init.with_method(Method::Get).with_headers(headers);
    let call = Request::new_with_init(url.as_str(), &init).ok()?;
    let mut response = crate::routes::handle(call, app).await.ok()?;
    let status = response.status_code();
    let body = response.text().await.ok()?;
    Some((status, body))
}

/// The first screen and the answers it was written from; `None` when the
/// reader is not signed in or an answer is not as expected.
async fn first_screen(req: &Request, app: &App, now_ms: i64) -> Option<String> {
    let (me, list, recent, freeze) = futures_util::future::join4(
        answer(req, app, screen::ME),
        answer(req, app, screen::REQUESTS),
        answer(req, app, screen::RECENT),
        answer(req, app, screen::FREEZE),
    )
    .await;
    let (me, list) = (me?, list?);
    if me.0 != 200 || list.0 != 200 {
        return None;
    }
    let who: Me = serde_json::from_str(&me.1).ok()?;
    let page: RequestPage = serde_json::from_str(&list.1).ok()?;
    let newest: Vec<lockbox_shared::api::RequestView> = recent
        .as_ref()
        .filter(|(status, _)| *status == 200)
        .and_then(|(_, body)| serde_json::from_str::<RequestPage>(body).ok())
        .map(|p| p.items)
        .unwrap_or_default();
    let frozen: Option<FreezeSetting> = freeze
        .as_ref()
        .filter(|(status, _)| *status == 200 && screen::may(&who, Action::ReadLockboxSetting))
        .and_then(|(_, body)| serde_json::from_str(body).ok());
    // The language the page's loader picks: the person's own choice (kept
    // in a cookie by the app), else the browser's, else the organisation's.
    let own = req
        .headers()
        .get("Cookie")
        .ok()
        .flatten()
        .and_then(|cookies| crate::auth::cookie_value(&cookies, OWN_COOKIE))
        .and_then(|value| Lang::parse(&value));
    let browser = req
        .headers()
        .get("Accept-Language")
        .ok()
        .flatten()
        .and_then(|tags| Lang::negotiate(&tags));
    let lang = Lang::choose(own, browser, who.tenant_language);
    // Times are written in UTC; the loader's formatter rewrites them.
    let local = |ms: i64| screen::iso(ms);
    let banners = screen::banners(lang, &newest, frozen.as_ref(), now_ms, &local);
    let more = page.next_cursor.is_some();
    let mut answers = serde_json::Map::new();
    for (rest, answered) in [
        (screen::ME, Some(me)),
        (screen::REQUESTS, Some(list)),
        (screen::RECENT, recent),
        (screen::FREEZE, freeze),
    ] {
        if let Some((status, body)) = answered {
            answers.insert(
                rest.to_owned(),
                serde_json::json!({ "status": status, "body": body }),
            );
        }
    }
    // Inside a <script> element nothing may read as its end tag.
    let answers = serde_json::Value::Object(answers)
        .to_string()
        .replace('<', "\\u003c");
    Some(format!(
        "<div id=\"{first}\" data-lang=\"{lang}\">{shell}<section class=\"page\">{top}{list}</section>{close}</div>\
         <script type=\"application/json\" id=\"{answers_id}\">{answers}</script>",
        first = screen::FIRST_SCREEN_ID,
        lang = lang.as_str(),
        shell = screen::shell_open(lang, &who, screen::REQUESTS_PATH),
        top = screen::requests_top(lang, &banners),
        list = screen::requests_list(lang, page.items, more, &who, now_ms, &local),
        close = screen::SHELL_CLOSE,
        answers_id = screen::ANSWERS_ID,
    ))
}
