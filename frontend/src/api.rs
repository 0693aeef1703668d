//! The only place the app talks HTTP.

use std::rc::Rc;

use leptos::prelude::{
    window, Effect, Get, GetValue, LocalResource, RwSignal, Set, SetValue, Signal, StoredValue,
};
use std::collections::BTreeMap;

use lockbox_shared::api::{
    ApprovalsSetting, CreateAccessRequest, CreatedWebhookEndpoint, DecisionBody, DevOutbox,
    DevPerson, DevSignIn, ExtendBody, FreezeSetting, Health, LanguageSetting, LockboxSetting, Me,
    NewWebhookEndpoint, NotificationSettings, OperationResult, RequestDetail, RequestPage,
    RequestView, RoleAssignment, SetApprovals, SetFreeze, SetLanguage, SetLockboxSetting,
    SetOwnLanguage, TenantRoles, TenantSummary, API_PREFIX, MAX_REQUESTS_PAGE,
};
use lockbox_shared::audit::AuditRecord;
use lockbox_shared::i18n::Lang;
use lockbox_shared::lifecycle::{State, Verb};
use lockbox_shared::problem::ProblemType;
use lockbox_shared::text::problems;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The parts of a problem document (`lockbox_shared::problem::Problem`)
/// this app reads. Reading only these, rather than the open set of
/// extensions, keeps a generic JSON value parser out of the app.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Problem {
    /// HTTP status code.
    pub status: u16,
    /// A sentence a person can act on.
    pub detail: String,
    /// The input field the problem is about, when it is about one.
    #[serde(default)]
    pub field: Option<String>,
    /// `/problems/<name>`: what the page's own sentence is chosen by.
    #[serde(rename = "type", default)]
    pub kind: String,
}

/// Why a call did not produce what was asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The request never got an answer (offline, server down): offer a retry.
    Network(String),
    /// The server answered with a problem document.
    Problem(Problem),
    /// The caller is not signed in (HTTP 401).
    SignedOut,
    /// The server answered with something this app does not understand.
    Unexpected { status: u16 },
}

impl ApiError {
    /// The input field (as the API names it) this error is about, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            ApiError::Problem(p) => p.field.as_deref(),
            _ => None,
        }
    }

    /// Whether the request was refused because things changed meanwhile.
    pub fn is_conflict(&self) -> bool {
        matches!(self, ApiError::Problem(p) if p.status == 409)
    }

    /// A sentence to show the person, in their language: the server's own
    /// (English, and the most specific) for English readers, else the
    /// catalogue's for the problem's type and field.
    pub fn message(&self) -> String {
        let lang = crate::i18n::lang();
        match self {
            ApiError::Network(_) => problems::offline(lang).to_owned(),
            ApiError::Problem(problem) if lang == Lang::En => problem.detail.clone(),
            ApiError::Problem(problem) => problems::sentence(
                lang,
                ProblemType::of_uri(&problem.kind),
                problem.field.as_deref(),
            ),
            ApiError::SignedOut => problems::sign_in_required(lang).to_owned(),
            ApiError::Unexpected { status } => problems::unexpected(lang, *status),
        }
    }
}

/// What came back: the HTTP status and the body as text.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    status: u16,
    body: Rc<str>,
    /// When the service worker kept this answer (epoch ms), if it came
    /// from its copy rather than from the server (frontend/sw.js).
    stored_at: Option<i64>,
}

impl Answer {
    /// The body as `T` when the status is 2xx or `also`; otherwise the
    /// error the answer stands for.
    fn parse_allowing<T>(&self, also: Option<u16>, read: Reader<T>) -> Result<T, ApiError> {
        let status = self.check(also)?;
        js_sys::JSON::parse(&self.body)
            .ok()
            .and_then(read)
            .ok_or(ApiError::Unexpected { status })
    }

    fn parse<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        self.parse_allowing(None, from_value::<T>)
    }

    /// The status when it is a success; otherwise the error (not generic,
    /// so it is compiled once).
    fn check(&self, also: Option<u16>) -> Result<u16, ApiError> {
        let status = self.status;
        if (200..300).contains(&status) || Some(status) == also {
            return Ok(status);
        }
        if status == 401 {
            return Err(ApiError::SignedOut);
        }
        match from_json::<Problem>(&self.body) {
            Some(problem) => Err(ApiError::Problem(problem)),
            None => Err(ApiError::Unexpected { status }),
        }
    }
}

fn from_json<T: DeserializeOwned>(text: &str) -> Option<T> {
    from_value(js_sys::JSON::parse(text).ok()?)
}

/// How a body (parsed by the browser's `JSON.parse`) becomes a value.
type Reader<T> = fn(JsValue) -> Option<T>;

fn from_value<T: DeserializeOwned>(value: JsValue) -> Option<T> {
    serde_wasm_bindgen::from_value(value).ok()
}

/// `Me` without serde's `flatten`: the principal's fields are read from
/// the same object as the sign-out address. serde reads a flattened struct
/// through a generic buffer whose code weighs more than the rest of a
/// page; reading the object twice costs nothing.
fn read_me(value: JsValue) -> Option<Me> {
    #[derive(Deserialize)]
    struct Rest {
        sign_out_url: Option<String>,
        #[serde(default)]
        language: Option<Lang>,
        #[serde(default)]
        tenant_language: Option<Lang>,
    }
    let Rest {
        sign_out_url,
        language,
        tenant_language,
    } = from_value(value.clone())?;
    Some(Me {
        principal: from_value(value)?,
        sign_out_url,
        language,
        tenant_language,
    })
}

/// The audit records under `key` of `value`, each without serde's
/// `flatten`, as [`read_me`] does.
fn read_records(value: &JsValue, key: &str) -> Option<Vec<AuditRecord>> {
    #[derive(Deserialize)]
    struct Head {
        id: String,
        seq: i64,
        occurred_at: i64,
    }
    let list = js_sys::Reflect::get(value, &JsValue::from_str(key)).ok()?;
    if list.is_undefined() {
        return Some(Vec::new());
    }
    let list = list.dyn_into::<js_sys::Array>().ok()?;
    list.iter()
        .map(|item| {
            let Head {
                id,
                seq,
                occurred_at,
            } = from_value(item.clone())?;
            Some(AuditRecord {
                id,
                seq,
                occurred_at,
                record: from_value(item)?,
            })
        })
        .collect()
}

/// `RequestDetail` (and each of its `AuditRecord`s) without serde's
/// `flatten`, as [`read_me`] does.
fn read_request_detail(value: JsValue) -> Option<RequestDetail> {
    let history = read_records(&value, "history")?;
    let actions = read_records(&value, "actions")?;
    let extensions = js_sys::Reflect::get(&value, &JsValue::from_str("extensions"))
        .ok()
        .and_then(from_value)
        .unwrap_or_default();
    let chain = js_sys::Reflect::get(&value, &JsValue::from_str("chain"))
        .ok()
        .and_then(from_value)
        .unwrap_or_default();
    Some(RequestDetail {
        view: from_value(value)?,
        history,
        extensions,
        actions,
        chain,
    })
}

/// A GET the page shows: fetched when created, again on `refetch` and
/// whenever the address it was made from changes. Every loader shares one
/// untyped resource (the body as text) and parses on reading, so the async
/// machinery is compiled once rather than once per type.
pub struct Loader<T> {
    resource: LocalResource<Result<Answer, ApiError>>,
    freshness: RwSignal<Freshness>,
    also_ok: Option<u16>,
    read: Reader<T>,
}

/// How current what a loader shows is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// The server's answer (or none yet).
    Fresh,
    /// The copy kept from the last visit (stored at, epoch ms), shown
    /// while the server is asked again.
    Refreshing(i64),
    /// The kept copy, because the server cannot be reached.
    Offline(i64),
}

impl<T> Clone for Loader<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Loader<T> {}

impl<T: DeserializeOwned> Loader<T> {
    fn new(rest: Signal<String>, also_ok: Option<u16>) -> Self {
        Loader::reading(rest, also_ok, from_value::<T>)
    }
}

impl<T> Loader<T> {
    fn reading(rest: Signal<String>, also_ok: Option<u16>, read: Reader<T>) -> Self {
        let freshness = RwSignal::new(Freshness::Fresh);
        let resource = untyped_resource(rest, freshness);
        // A kept copy is shown at once and the server asked again.
        Effect::new(move |_| {
            if matches!(freshness.get(), Freshness::Refreshing(_)) {
                resource.refetch();
            }
        });
        Loader {
            resource,
            freshness,
            also_ok,
            read,
        }
    }

    /// Whether what [`Loader::get`] gives is the server's answer or the copy
    /// kept from the last visit.
    pub fn freshness(&self) -> Freshness {
        self.freshness.get()
    }

    /// `None` until the first answer; then the latest answer (kept while a
    /// refetch is under way, so pages do not flash).
    pub fn get(&self) -> Option<Result<T, ApiError>> {
        self.resource
            .get()
            .map(|answer| answer.and_then(|a| a.parse_allowing(self.also_ok, self.read)))
    }

    /// Fetches again.
    pub fn refetch(&self) {
        self.resource.refetch();
    }
}

fn untyped_resource(
    rest: Signal<String>,
    freshness: RwSignal<Freshness>,
) -> LocalResource<Result<Answer, ApiError>> {
    // The last answer, to show on while the server cannot be reached. (The
    // page may be gone when an answer arrives: nothing is set then.)
    let last = StoredValue::new_local(None::<(String, Answer)>);
    LocalResource::new(move || {
        let rest = rest.get();
        async move {
            // An empty address reads nothing (a page that may not read it).
            if rest.is_empty() {
                return Err(ApiError::Unexpected { status: 0 });
            }
            let answered = send("GET", &rest, None, None).await;
            let kept = last
                .try_get_value()
                .flatten()
                .filter(|(of, a)| *of == rest && a.stored_at.is_some());
            match answered {
                Ok(answer) => {
                    let _ = freshness.try_set(match answer.stored_at {
                        Some(at) => Freshness::Refreshing(at),
                        None => Freshness::Fresh,
                    });
                    let _ = last.try_set_value(Some((rest, answer.clone())));
                    Ok(answer)
                }
                Err(ApiError::Network(err)) => match kept {
                    Some((_, answer)) => {
                        let _ = freshness
                            .try_set(Freshness::Offline(answer.stored_at.unwrap_or_default()));
                        Ok(answer)
                    }
                    None => {
                        let _ = freshness.try_set(Freshness::Fresh);
                        Err(ApiError::Network(err))
                    }
                },
                Err(err) => {
                    let _ = freshness.try_set(Freshness::Fresh);
                    Err(err)
                }
            }
        }
    })
}

fn network(err: wasm_bindgen::JsValue) -> ApiError {
    let text = err
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| err.as_string())
        .unwrap_or_else(|| "the request failed".to_owned());
    ApiError::Network(text)
}

/// The answer to `GET /api/v1<rest>` the Worker put into the page with
/// the first screen it wrote (`lockbox_shared::screen::ANSWERS_ID`),
/// taken once: the app's first read of it costs no round trip, later ones
/// fetch.
fn embedded(rest: &str) -> Option<Answer> {
    thread_local! {
        /// The answers, and when the service worker kept the page they came
        /// in (`data-stored-at`, frontend/app/sw.js), if it did.
        static ANSWERS: std::cell::RefCell<Option<(js_sys::Object, Option<i64>)>> = std::cell::RefCell::new({
            let script = window()
                .document()
                .and_then(|d| d.get_element_by_id(lockbox_shared::screen::ANSWERS_ID));
            let stored_at = script
                .as_ref()
                .and_then(|s| s.get_attribute("data-stored-at"))
                .and_then(|at| at.parse().ok());
            script
                .and_then(|script| script.text_content())
                .and_then(|text| js_sys::JSON::parse(&text).ok())
                .and_then(|value| value.dyn_into::<js_sys::Object>().ok())
                .map(|answers| (answers, stored_at))
        });
    }
    ANSWERS.with(|answers| {
        let answers = answers.borrow();
        let (answers, stored_at) = answers.as_ref()?;
        let key = JsValue::from_str(rest);
        let answer = js_sys::Reflect::get(answers, &key)
            .ok()
            .filter(|a| !a.is_undefined())?;
        let _ = js_sys::Reflect::delete_property(answers, &key);
        let status = js_sys::Reflect::get(&answer, &JsValue::from_str("status"))
            .ok()?
            .as_f64()? as u16;
        let body = js_sys::Reflect::get(&answer, &JsValue::from_str("body"))
            .ok()?
            .as_string()?;
        Some(Answer {
            status,
            body: body.into(),
            stored_at: *stored_at,
        })
    })
}

/// One `fetch` of `/api/v1<rest>`. The browser sends the session cookie
/// (same origin) and the Origin header the server's CSRF check reads.
async fn send(
    method: &str,
    rest: &str,
    json: Option<String>,
    idempotency_key: Option<&str>,
) -> Result<Answer, ApiError> {
    // An address's first read in this page may be answered by the Worker's
    // answers in the page, or from the copy the service worker kept
    // (frontend/sw.js); every later read is the server's.
    thread_local! {
        static READ: std::cell::RefCell<std::collections::BTreeSet<String>> = const {
            std::cell::RefCell::new(std::collections::BTreeSet::new())
        };
    }
    let again = method != "GET" || READ.with(|read| !read.borrow_mut().insert(rest.to_owned()));
    if !again {
        if let Some(answer) = embedded(rest) {
            return Ok(answer);
        }
    }
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let headers = web_sys::Headers::new().map_err(network)?;
    if let Some(json) = json {
        headers
            .set("Content-Type", "application/json")
            .map_err(network)?;
        init.set_body(&wasm_bindgen::JsValue::from_str(&json));
    }
    if let Some(key) = idempotency_key {
        headers.set("Idempotency-Key", key).map_err(network)?;
    }
    init.set_headers(&headers);
    if again {
        let _ = js_sys::Reflect::set(&init, &"cache".into(), &"no-store".into());
    }
    let url = format!("{API_PREFIX}{rest}");
    let response: web_sys::Response = JsFuture::from(window().fetch_with_str_and_init(&url, &init))
        .await
        .map_err(network)?
        .dyn_into()
        .map_err(network)?;
    let status = response.status();
    let body = JsFuture::from(response.text().map_err(network)?)
        .await
        .map_err(network)?
        .as_string()
        .unwrap_or_default();
    let stored_at = response
        .headers()
        .get("X-Lockbox-Stored-At")
        .ok()
        .flatten()
        .and_then(|at| at.parse().ok());
    Ok(Answer {
        status,
        body: body.into(),
        stored_at,
    })
}

async fn post<B: Serialize, T: DeserializeOwned>(rest: &str, body: &B) -> Result<T, ApiError> {
    post_with(rest, body, None).await
}

async fn post_with<B: Serialize, T: DeserializeOwned>(
    rest: &str,
    body: &B,
    idempotency_key: Option<&str>,
) -> Result<T, ApiError> {
    post_reading(rest, body, idempotency_key, from_value::<T>).await
}

async fn post_reading<B: Serialize, T>(
    rest: &str,
    body: &B,
    idempotency_key: Option<&str>,
    read: Reader<T>,
) -> Result<T, ApiError> {
    // JSON-compatible: maps become plain objects, not ES2015 Maps.
    let json = body
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .ok()
        .and_then(|value| js_sys::JSON::stringify(&value).ok())
        .map(String::from)
        .ok_or_else(|| ApiError::Network("the request could not be written as JSON".to_owned()))?;
    send("POST", rest, Some(json), idempotency_key)
        .await?
        .parse_allowing(None, read)
}

/// `GET /api/v1/me`: who is signed in.
pub fn me() -> Loader<Me> {
    Loader::reading(Signal::stored("/me".to_owned()), None, read_me)
}

/// `GET /api/v1/dev/people`: the demo people (local development only).
pub fn dev_people() -> Loader<Vec<DevPerson>> {
    Loader::new(Signal::stored("/dev/people".to_owned()), None)
}

/// `POST /api/v1/dev/sign-in`: sign in as a demo person.
pub async fn dev_sign_in(email: String) -> Result<Me, ApiError> {
    post_reading("/dev/sign-in", &DevSignIn { email }, None, read_me).await
}

/// Answer of `POST /api/v1/sign-out`.
#[derive(Debug, Clone, Deserialize)]
pub struct SignedOut {
    /// Where to send the browser to end the single sign-on session.
    pub sign_out_url: Option<String>,
}

/// The empty JSON object that bodiless POSTs send (the API wants JSON).
#[derive(Serialize)]
struct NoBody {}

/// `POST /api/v1/sign-out`: clears the session cookie.
pub async fn sign_out() -> Result<SignedOut, ApiError> {
    let signed_out = post("/sign-out", &NoBody {}).await?;
    forget_kept();
    Ok(signed_out)
}

/// Has the service worker (frontend/app/sw.js) drop the answers it kept
/// for the person who signed out.
fn forget_kept() {
    let get = |of: &JsValue, key: &str| {
        js_sys::Reflect::get(of, &JsValue::from_str(key))
            .ok()
            .filter(|v| !v.is_undefined() && !v.is_null())
    };
    let Some(worker) =
        get(&window().navigator(), "serviceWorker").and_then(|sw| get(&sw, "controller"))
    else {
        return;
    };
    if let Some(post) =
        get(&worker, "postMessage").and_then(|f| f.dyn_into::<js_sys::Function>().ok())
    {
        let _ = post.call1(&worker, &JsValue::from_str("signed-out"));
    }
}

/// `GET /api/v1/health`. A 503 still carries a health document: read it.
pub fn health() -> Loader<Health> {
    Loader::new(Signal::stored("/health".to_owned()), Some(503))
}

/// The requests listing, under the API prefix.
const REQUESTS: &str = "/requests";

/// `GET /api/v1/requests`: the tenant's newest requests (the server's
/// default page; [`older_requests`] reads on from its `next_cursor`), with
/// the status filter `status` names. Without a filter the URL is exactly
/// the one index.html preloads, so the first fetch is served from the
/// preload.
pub fn requests(status: impl Fn() -> Option<State> + Send + Sync + 'static) -> Loader<RequestPage> {
    let rest = Signal::derive(move || match status() {
        Some(state) => format!("{REQUESTS}?status={}", state.as_str()),
        None => REQUESTS.to_owned(),
    });
    Loader::new(rest, None)
}

/// The page of requests after `cursor` (a `next_cursor`), same filter.
pub async fn older_requests(status: Option<State>, cursor: &str) -> Result<RequestPage, ApiError> {
    let cursor = js_sys::encode_uri_component(cursor);
    match status {
        Some(state) => {
            get(&format!(
                "{REQUESTS}?status={}&cursor={cursor}",
                state.as_str()
            ))
            .await
        }
        None => get(&format!("{REQUESTS}?cursor={cursor}")).await,
    }
}

/// `GET /api/v1/requests?limit=200`: a provider person's own requests (and
/// those they decided as manager), the largest page.
pub fn own_requests() -> Loader<RequestPage> {
    Loader::new(
        Signal::stored(format!("{REQUESTS}?limit={MAX_REQUESTS_PAGE}")),
        None,
    )
}

/// `GET /api/v1/requests/{id}`: one request with its history.
pub fn request(id: &str) -> Loader<RequestDetail> {
    Loader::reading(
        Signal::stored(format!("/requests/{id}")),
        None,
        read_request_detail,
    )
}

/// `POST /api/v1/requests/{id}/{verb}`; the key makes a retried tap harmless.
pub async fn decide(
    id: String,
    verb: Verb,
    comment: Option<String>,
    idempotency_key: String,
) -> Result<RequestView, ApiError> {
    post_with(
        &format!("/requests/{id}/{}", verb.as_str()),
        &DecisionBody {
            comment,
            duration_minutes: None,
            operations: None,
        },
        Some(&idempotency_key),
    )
    .await
}

/// `POST /api/v1/requests/{id}/approve`, granting `duration_minutes` and
/// `operations` when given (less than was asked), else what was asked.
pub async fn approve(
    id: String,
    comment: Option<String>,
    duration_minutes: Option<u32>,
    operations: Option<Vec<String>>,
    idempotency_key: String,
) -> Result<RequestView, ApiError> {
    post_with(
        &format!("/requests/{id}/approve"),
        &DecisionBody {
            comment,
            duration_minutes,
            operations,
        },
        Some(&idempotency_key),
    )
    .await
}

/// `GET /api/v1/settings/freeze`.
pub fn freeze_setting() -> Loader<FreezeSetting> {
    Loader::new(Signal::stored("/settings/freeze".to_owned()), None)
}

/// `POST /api/v1/settings/freeze`: "Revoke all access now" (with why), or
/// lifting it.
pub async fn set_freeze(frozen: bool, reason: Option<String>) -> Result<FreezeSetting, ApiError> {
    post("/settings/freeze", &SetFreeze { frozen, reason }).await
}

/// `GET /api/v1/settings/approvals`.
pub fn approvals_setting() -> Loader<ApprovalsSetting> {
    Loader::new(Signal::stored("/settings/approvals".to_owned()), None)
}

/// `POST /api/v1/settings/approvals`.
pub async fn set_approvals(required: i64) -> Result<ApprovalsSetting, ApiError> {
    post("/settings/approvals", &SetApprovals { required }).await
}

/// `GET /api/v1/settings/emergency`: the organisation's choices about
/// emergency access.
pub fn emergency_setting() -> Loader<lockbox_shared::api::EmergencySetting> {
    Loader::new(Signal::stored("/settings/emergency".to_owned()), None)
}

/// `POST /api/v1/settings/emergency`.
pub async fn set_emergency(
    wanted: lockbox_shared::api::SetEmergency,
) -> Result<lockbox_shared::api::EmergencySetting, ApiError> {
    post("/settings/emergency", &wanted).await
}

/// `GET /api/v1/settings/language`: the organisation's default language.
pub fn language_setting() -> Loader<LanguageSetting> {
    Loader::new(Signal::stored("/settings/language".to_owned()), None)
}

/// `POST /api/v1/settings/language`.
pub async fn set_default_language(language: Lang) -> Result<LanguageSetting, ApiError> {
    post(
        "/settings/language",
        &SetLanguage {
            language: language.as_str().to_owned(),
        },
    )
    .await
}

/// `POST /api/v1/me/language`: keeps `language` as the signed-in person's
/// own (for the pages and their e-mails).
pub async fn set_own_language(language: Lang) -> Result<(), ApiError> {
    // The answer (`Me`) is not read: the page is shown again at once.
    let _: serde::de::IgnoredAny = post(
        "/me/language",
        &SetOwnLanguage {
            language: Some(language.as_str().to_owned()),
        },
    )
    .await?;
    Ok(())
}

/// `POST /api/v1/requests/{id}/extend`: more time after a live grant.
pub async fn extend(id: &str, minutes: u32, reason: String) -> Result<RequestView, ApiError> {
    post(
        &format!("{REQUESTS}/{id}/extend"),
        &ExtendBody {
            minutes,
            reason,
            operations: None,
        },
    )
    .await
}

/// `GET /api/v1/settings/lockbox`.
pub fn lockbox_setting() -> Loader<LockboxSetting> {
    Loader::new(Signal::stored("/settings/lockbox".to_owned()), None)
}

/// `POST /api/v1/settings/lockbox`.
pub async fn set_lockbox(enabled: bool) -> Result<LockboxSetting, ApiError> {
    post("/settings/lockbox", &SetLockboxSetting { enabled }).await
}

/// `GET /api/v1/settings/notifications`: webhooks and the delivery log.
pub fn notifications() -> Loader<NotificationSettings> {
    Loader::new(Signal::stored("/settings/notifications".to_owned()), None)
}

/// `POST /api/v1/settings/notifications/webhooks`: the answer holds the
/// endpoint's secret, shown once.
pub async fn add_webhook(
    url: String,
    events: Vec<String>,
) -> Result<CreatedWebhookEndpoint, ApiError> {
    post(
        "/settings/notifications/webhooks",
        &NewWebhookEndpoint { url, events },
    )
    .await
}

/// `GET /api/v1/provider/services` (integration admins).
pub fn provider_services() -> Loader<lockbox_shared::integration::ServiceList> {
    Loader::new(Signal::stored("/provider/services".to_owned()), None)
}

/// `GET /api/v1/provider/log` (integration admins).
pub fn provider_log() -> Loader<lockbox_shared::integration::ProviderLog> {
    Loader::new(Signal::stored("/provider/log".to_owned()), None)
}

/// `POST /api/v1/provider/services`: registers a service, or replaces its
/// registration.
pub async fn register_provider_service(
    registration: &lockbox_shared::integration::ServiceRegistration,
) -> Result<lockbox_shared::integration::RegisteredService, ApiError> {
    post("/provider/services", registration).await
}

/// `DELETE /api/v1/provider/services/{id}`.
pub async fn remove_provider_service(id: &str) -> Result<(), ApiError> {
    let answer = send("DELETE", &format!("/provider/services/{id}"), None, None).await?;
    answer.check(None).map(|_| ())
}

/// `POST /api/v1/settings/notifications/webhooks/{id}/rotate-secret`: a
/// new signing secret (shown once); the old one signs beside it for a day.
pub async fn rotate_webhook_secret(
    id: String,
) -> Result<lockbox_shared::api::RotatedWebhookSecret, ApiError> {
    post(
        &format!("/settings/notifications/webhooks/{id}/rotate-secret"),
        &NoBody {},
    )
    .await
}

/// `DELETE /api/v1/settings/notifications/webhooks/{id}`.
pub async fn remove_webhook(id: String) -> Result<(), ApiError> {
    let answer = send(
        "DELETE",
        &format!("/settings/notifications/webhooks/{id}"),
        None,
        None,
    )
    .await?;
    answer.check(None).map(|_| ())
}

/// `GET /api/v1/dev/outbox`: the newest messages (local development only;
/// 404 elsewhere).
pub fn dev_outbox() -> Loader<DevOutbox> {
    Loader::new(Signal::stored("/dev/outbox".to_owned()), None)
}

/// `GET /api/v1/roles`.
pub fn roles() -> Loader<TenantRoles> {
    Loader::new(Signal::stored("/roles".to_owned()), None)
}

/// `POST /api/v1/roles/assign` or `/remove`.
pub async fn change_role(
    assign: bool,
    email: String,
    role: String,
) -> Result<TenantRoles, ApiError> {
    let verb = if assign { "assign" } else { "remove" };
    post(&format!("/roles/{verb}"), &RoleAssignment { email, role }).await
}

/// One `GET /api/v1<rest>` (for pages that fetch on demand, such as the
/// audit search and its "more" button).
pub async fn get<T: DeserializeOwned>(rest: &str) -> Result<T, ApiError> {
    send("GET", rest, None, None).await?.parse()
}

/// A GET of `rest`, read as `T`, while `wanted` (nothing is read
/// otherwise, and the loader gives an error).
pub fn read_if<T: DeserializeOwned>(
    rest: &'static str,
    wanted: impl Fn() -> bool + Send + Sync + 'static,
) -> Loader<T> {
    Loader::new(
        Signal::derive(move || {
            if wanted() {
                rest.to_owned()
            } else {
                String::new()
            }
        }),
        None,
    )
}

/// `GET /api/v1/tenants`: the tenants and their services (provider staff).
pub fn tenants() -> Loader<Vec<TenantSummary>> {
    Loader::new(Signal::stored("/tenants".to_owned()), None)
}

/// `GET /api/v1/requests/awaiting-preapproval` (managers).
pub fn awaiting_preapproval() -> Loader<RequestPage> {
    Loader::new(
        Signal::stored("/requests/awaiting-preapproval".to_owned()),
        None,
    )
}

/// `POST /api/v1/requests`: open an access request.
pub async fn create_request(body: CreateAccessRequest) -> Result<RequestView, ApiError> {
    post(REQUESTS, &body).await
}

/// `POST /api/v1/tenants/{tenant}/services/{service}/operations/{name}`
/// with the operation's parameters, under the grant of `request_id`.
pub async fn run_operation(
    request_id: &str,
    tenant_id: &str,
    service: &str,
    operation: &str,
    params: &BTreeMap<String, String>,
) -> Result<OperationResult, ApiError> {
    post(
        &format!(
            "/tenants/{tenant_id}/services/{service}/operations/{operation}?request_id={request_id}"
        ),
        params,
    )
    .await
}

/// A fresh key for one decision (kept across retries of that decision).
pub fn new_idempotency_key() -> String {
    let a = (js_sys::Math::random() * 1e15) as u64;
    let b = js_sys::Date::now() as u64;
    format!("web-{b:x}-{a:x}")
}
