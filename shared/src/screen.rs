//! The approvers' first screen as HTML: the Worker writes it into the page
//! it sends, so that the list shows before the app has loaded, and the app
//! writes the same rows and banners through the same functions, so the two
//! cannot differ (a browser test compares the frame and the page around
//! them, which the app renders with its own components).
//!
//! Pure: the time is passed in, and so is how a time reads in the viewer's
//! zone (`local`): the app formats it with the browser's formatter; the
//! Worker, which does not know the zone, writes the UTC time and leaves the
//! text to the page's loader, whose formatter (the same one the app uses)
//! rewrites every `<time>` of the region before the first frame.

use std::fmt::Write;

use crate::api::{FreezeSetting, Me, RequestView};
use crate::i18n::Lang;
use crate::lifecycle::State;
use crate::policy::{authorize, Action};
use crate::roles::Membership;
use crate::text;

/// Support > Customer Lockbox requests: the approvers' list.
pub const REQUESTS_PATH: &str = "/support/lockbox-requests";

/// The id of the element the Worker writes the first screen into; the app
/// removes it once its own render is in place.
pub const FIRST_SCREEN_ID: &str = "lockbox-first";
/// The id of the `<script type="application/json">` holding the answers
/// the first screen was written from, keyed by API path (`/me`,
/// `/requests`, …): the app reads each once instead of fetching it.
pub const ANSWERS_ID: &str = "lockbox-answers";

/// The API paths (under `/api/v1`) of the answers the first screen of the
/// requests list is written from, as the app asks for them: who is signed
/// in, the list's first page, the newest page the banners read, the
/// freeze (for those who may read it).
pub const ME: &str = "/me";
/// See [`ME`].
pub const REQUESTS: &str = "/requests";
/// See [`ME`].
pub const RECENT: &str = "/requests?limit=100";
/// See [`ME`].
pub const FREEZE: &str = "/settings/freeze";

/// The page of one request, as the customer sees it.
pub fn request_path(id: &str) -> String {
    format!("{REQUESTS_PATH}/{id}")
}

/// How a time reads in the viewer's zone (see the module's note).
pub type Local<'a> = &'a dyn Fn(i64) -> String;

/// `text` with HTML's special characters written as references.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `ms` (epoch, UTC) as ECMAScript's `Date.prototype.toISOString` writes
/// it: `2026-12-05T09:30:00.000Z`.
pub fn iso(ms: i64) -> String {
    use chrono::{Datelike, Timelike};
    match chrono::DateTime::from_timestamp_millis(ms) {
        Some(t) => format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            ms.rem_euclid(1000)
        ),
        None => String::new(),
    }
}

/// A `<time>`: machine-readable UTC, read in the viewer's zone.
pub fn time(ms: i64, local: Local) -> String {
    format!(
        "<time datetime=\"{}\">{}</time>",
        iso(ms),
        escape(&local(ms))
    )
}

/// A state badge's colour family.
pub fn tone(state: State) -> &'static str {
    match state {
        State::PendingManagerApproval | State::PendingCustomerApproval => "tone-pending",
        State::Approved => "tone-live",
        State::Denied | State::Rejected | State::Revoked => "tone-stopped",
        State::Expired | State::Cancelled | State::Completed => "tone-ended",
    }
}

/// A state as a badge.
pub fn badge(lang: Lang, state: State) -> String {
    format!(
        "<span class=\"badge {}\" data-state=\"{}\">{}</span>",
        tone(state),
        state.as_str(),
        escape(text::state(lang, state))
    )
}

/// A span of time people read at a glance: "3 h 05 min", "12 min 04 s",
/// "45 s". Negative spans read as "0 s".
pub fn duration(ms: i64) -> String {
    let total = (ms.max(0) + 999) / 1000;
    let (h, m, s) = (total / 3600, (total % 3600) / 60, total % 60);
    if h > 0 {
        format!("{h} h {m:02} min")
    } else if m > 0 {
        format!("{m} min {s:02} s")
    } else {
        format!("{s} s")
    }
}

/// What is left until `deadline` at `now`, for a countdown: `None` once it
/// has passed (the deadline itself counts as passed, as on the server).
pub fn remaining(deadline: i64, now: i64) -> Option<i64> {
    (now < deadline).then_some(deadline - now)
}

/// The countdown text for `deadline`: "2 h 10 min left", or `passed`.
pub fn countdown(lang: Lang, deadline: i64, now: i64, passed: &str) -> String {
    match remaining(deadline, now) {
        Some(ms) => text::time_left(lang, &duration(ms)),
        None => passed.to_owned(),
    }
}

/// What a request's deadline means for a person at `now`: how long until
/// a pending request expires, or how much of a grant is left. `None` when
/// its state (as of `now`) has no deadline.
pub fn deadline_text(lang: Lang, view: &RequestView, now: i64) -> Option<String> {
    let deadline = view.deadline()?;
    match view.effective_state_at(now) {
        State::PendingManagerApproval | State::PendingCustomerApproval => {
            Some(text::expires_in(lang, &duration(deadline - now)))
        }
        State::Approved => Some(text::access_left(
            lang,
            &countdown(lang, deadline, now, text::ended(lang)),
        )),
        _ => None,
    }
}

/// The statuses a person filters the list by, in the order they care
/// about them. (A request reaches the customer at its pre-approval, so
/// neither "Awaiting manager" nor "Rejected by manager" is ever listed.)
pub const FILTERS: [State; 7] = [
    State::PendingCustomerApproval,
    State::Approved,
    State::Denied,
    State::Expired,
    State::Revoked,
    State::Completed,
    State::Cancelled,
];

/// Whether `me` may take `action` (on their own tenant, if any).
pub fn may(me: &Me, action: Action) -> bool {
    authorize(&me.principal, action, me.principal.tenant()).is_ok()
}

/// The places the navigation offers `me`, with their labels: only those
/// their roles use.
pub fn nav(lang: Lang, me: &Me) -> Vec<(&'static str, &'static str)> {
    [
        (
            Action::CreateRequest,
            "/provider/requests",
            text::nav_my_requests as fn(_) -> _,
        ),
        (
            Action::ListAwaitingPreapproval,
            "/provider/preapprovals",
            text::nav_preapprovals,
        ),
        (Action::ListTenantRequests, REQUESTS_PATH, text::nav_support),
        (
            Action::ManageProviderServices,
            "/provider/services",
            text::nav_services,
        ),
        (Action::SearchAudit, "/audit", text::nav_audit),
        (
            Action::ReadLockboxSetting,
            "/settings/org-settings/security-privacy",
            text::nav_settings,
        ),
        (Action::ListRoleHolders, "/roles", text::nav_roles),
        (
            Action::ManageNotifications,
            "/settings/org-settings/notifications",
            text::nav_notifications,
        ),
    ]
    .into_iter()
    .filter(|(action, _, _)| may(me, *action))
    .map(|(_, path, label)| (path, label(lang)))
    .collect()
}

/// Whether the navigation link to `href` is the page at `path`.
pub fn is_current(href: &str, path: &str) -> bool {
    path == href
        || path
            .strip_prefix(href)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// The names of `membership`'s roles in the reader's language ("No
/// Lockbox role" when none).
pub fn role_names(lang: Lang, membership: &Membership) -> Vec<&'static str> {
    let names: Vec<&'static str> = match membership {
        Membership::Customer { roles, .. } => {
            roles.iter().map(|r| text::role_name(lang, *r)).collect()
        }
        Membership::Provider { roles } => roles
            .iter()
            .map(|r| text::provider_role_name(lang, *r))
            .collect(),
    };
    if names.is_empty() {
        vec![text::no_lockbox_role(lang)]
    } else {
        names
    }
}

/// Where `membership` belongs: the tenant's name, or the provider.
pub fn organisation(lang: Lang, membership: &Membership) -> &str {
    match membership {
        Membership::Customer { tenant_name, .. } => tenant_name,
        Membership::Provider { .. } => text::provider_organisation(lang),
    }
}

/// Who is signed in as the frame shows it: "Contoso · Global admin".
pub fn who_roles(lang: Lang, me: &Me) -> String {
    format!(
        "{} · {}",
        organisation(lang, &me.principal.membership),
        role_names(lang, &me.principal.membership).join(", ")
    )
}

/// The frame around the page, as the app's `Shell` draws it for `me` at
/// `path` (before the app runs, its menu and button do nothing yet).
pub fn shell_open(lang: Lang, me: &Me, path: &str) -> String {
    let mut out = String::from(
        "<header class=\"shell-header\"><a class=\"brand\" href=\"/\">\
         <span class=\"brand-mark\" aria-hidden=\"true\">▣</span>Lockbox</a>",
    );
    let places = nav(lang, me);
    if !places.is_empty() {
        let _ = write!(
            out,
            "<nav class=\"shell-nav\" aria-label=\"{}\">",
            escape(text::main_navigation(lang))
        );
        for (href, label) in places {
            let current = if is_current(href, path) {
                " aria-current=\"page\""
            } else {
                ""
            };
            let _ = write!(out, "<a href=\"{href}\"{current}>{}</a>", escape(label));
        }
        out.push_str("</nav>");
    }
    let _ = write!(
        out,
        "<div class=\"who\"><label class=\"language\"><span class=\"visually-hidden\">{0}</span>\
         <select data-testid=\"language\" title=\"{0}\">",
        escape(text::language(lang))
    );
    for l in Lang::ALL {
        let selected = if *l == lang { " selected=\"\"" } else { "" };
        let _ = write!(
            out,
            "<option value=\"{0}\" lang=\"{0}\" title=\"{1}\" aria-label=\"{1}\"{selected}>{2}</option>",
            l.as_str(),
            escape(l.endonym()),
            l.as_str().to_ascii_uppercase()
        );
    }
    let _ = write!(
        out,
        "</select></label><span class=\"who-text\"><span class=\"who-name\" data-testid=\"who-name\">{}</span>\
         <span class=\"who-roles\" data-testid=\"who-roles\">{}</span></span>\
         <button type=\"button\" class=\"secondary\">{}</button></div></header><main class=\"shell-main\">",
        escape(&me.principal.display_name),
        escape(&who_roles(lang, me)),
        escape(text::sign_out(lang))
    );
    out
}

/// The end of what [`shell_open`] opened.
pub const SHELL_CLOSE: &str = "</main>";

/// The list's columns, as the head row's cells.
pub fn head_cells(lang: Lang) -> String {
    [
        text::status(lang),
        text::column_ticket(lang),
        text::column_service(lang),
        text::column_requester(lang),
        text::column_requested(lang),
        text::column_deadline(lang),
    ]
    .iter()
    .map(|t| format!("<span>{}</span>", escape(t)))
    .collect()
}

/// What a screen reader says for a request's row.
pub fn row_label(lang: Lang, r: &RequestView) -> String {
    text::request_row_label(
        lang,
        text::state(lang, r.effective_state),
        r.ticket.as_str(),
        &r.service,
        &r.requester_email,
    )
}

/// The cells of a request's row at `now` (the row is a link to the
/// request: see [`row`]). The state and the deadline follow the clock.
pub fn row_cells(lang: Lang, r: &RequestView, now: i64, local: Local) -> String {
    // With more than one approval needed, how many are in while it waits.
    let progress = r
        .approvals_required
        .filter(|&n| n > 1 && r.state == State::PendingCustomerApproval)
        .map(|n| {
            format!(
                "<span class=\"progress muted\">{}</span>",
                escape(&text::approvals_progress(
                    lang,
                    r.approvals.len() as i64,
                    i64::from(n)
                ))
            )
        })
        .unwrap_or_default();
    let deadline = deadline_text(lang, r, now).unwrap_or_else(|| "—".to_owned());
    format!(
        "<span class=\"cell-status\">{badge}{progress}</span>\
         <span class=\"cell cell-ticket\"><span class=\"cell-label\">{l_ticket}</span><span class=\"ticket\">{ticket}</span></span>\
         <span class=\"cell\"><span class=\"cell-label\">{l_service}</span>{service}</span>\
         <span class=\"cell cell-wide\"><span class=\"cell-label\">{l_requester}</span><span class=\"address\">{requester}</span></span>\
         <span class=\"cell cell-wide\"><span class=\"cell-label\">{l_requested}</span>{created}</span>\
         <span class=\"cell cell-deadline\">{deadline}</span>",
        badge = badge(lang, r.effective_state_at(now)),
        l_ticket = escape(text::cell_ticket(lang)),
        ticket = escape(r.ticket.as_str()),
        l_service = escape(text::cell_service(lang)),
        service = escape(&r.service),
        l_requester = escape(text::cell_requester(lang)),
        requester = escape(&r.requester_email),
        l_requested = escape(text::cell_requested(lang)),
        created = time(r.created_at, local),
        deadline = escape(&deadline),
    )
}

/// A request's row: a link to its page holding [`row_cells`].
pub fn row(lang: Lang, r: &RequestView, now: i64, local: Local) -> String {
    format!(
        "<a class=\"request-row\" href=\"{}\" aria-label=\"{}\" data-request=\"{}\">{}</a>",
        escape(&request_path(r.id.as_str())),
        escape(&row_label(lang, r)),
        escape(r.id.as_str()),
        row_cells(lang, r, now, local)
    )
}

/// A list of requests under its head row.
pub fn list(lang: Lang, items: &[RequestView], label: &str, now: i64, local: Local) -> String {
    let mut out = format!(
        "<div class=\"requests\"><div class=\"request-row request-head\" aria-hidden=\"true\">{}</div>\
         <ul class=\"request-list\" aria-label=\"{}\">",
        head_cells(lang),
        escape(label)
    );
    for r in items {
        let _ = write!(out, "<li>{}</li>", row(lang, r, now, local));
    }
    out.push_str("</ul></div>");
    out
}

/// The list's requests split into those awaiting the viewer's decision
/// (first) and the others: a request the viewer approved already waits
/// for someone else (a quorum), not for them.
pub fn partition(
    items: Vec<RequestView>,
    deciding: bool,
    me: Option<&str>,
    now: i64,
) -> (Vec<RequestView>, Vec<RequestView>) {
    items.into_iter().partition(|r| {
        deciding
            && r.effective_state_at(now) == State::PendingCustomerApproval
            && !me.is_some_and(|me| r.approved_by(me))
    })
}

/// The banners over the list, whatever its filter: emergency access in
/// progress (to revoke at once if not accepted), ended emergencies
/// awaiting the customer's review, and a freeze. `recent` is the newest
/// page of requests (an emergency lasts an hour, a review is due in 7
/// days); `freeze` the tenant's setting, for those who may read it.
pub fn banners(
    lang: Lang,
    recent: &[RequestView],
    freeze: Option<&FreezeSetting>,
    now: i64,
    local: Local,
) -> String {
    let mut out = String::new();
    let link = |r: &RequestView| {
        format!(
            "<a href=\"{}\">{}</a>",
            escape(&request_path(r.id.as_str())),
            escape(&text::emergency_live_item(
                lang,
                &r.service,
                r.ticket.as_str()
            ))
        )
    };
    let live: Vec<&RequestView> = recent
        .iter()
        .filter(|r| r.emergency.is_some() && r.effective_state_at(now) == State::Approved)
        .collect();
    if !live.is_empty() {
        let _ = write!(
            out,
            "<div class=\"error emergency-banner\" role=\"alert\" data-testid=\"emergency-banner\">\
             <p><strong>{}</strong></p><ul>",
            escape(text::emergency_live_title(lang))
        );
        for r in live {
            let until = r
                .grant_ends_at
                .map(|at| {
                    format!(
                        " · {} {}",
                        escape(text::emergency_until(lang)),
                        time(at, local)
                    )
                })
                .unwrap_or_default();
            let _ = write!(out, "<li>{}{until}</li>", link(r));
        }
        let _ = write!(
            out,
            "</ul><p>{}</p></div>",
            escape(text::emergency_live_body(lang))
        );
    }
    let to_review: Vec<&RequestView> = recent
        .iter()
        .filter(|r| {
            r.emergency
                .as_ref()
                .is_some_and(|e| e.review_due_at.is_some_and(|due| due > now))
                && matches!(r.effective_state_at(now), State::Completed | State::Revoked)
        })
        .collect();
    if !to_review.is_empty() {
        let _ = write!(
            out,
            "<div class=\"notice\" data-testid=\"review-banner\"><p><strong>{}</strong></p><ul>",
            escape(&text::emergency_review_title(lang, to_review.len() as i64))
        );
        for r in to_review {
            let by = r
                .emergency
                .as_ref()
                .and_then(|e| e.review_due_at)
                .map(|at| {
                    format!(
                        " · {} {}",
                        escape(text::emergency_review_by(lang)),
                        time(at, local)
                    )
                })
                .unwrap_or_default();
            let _ = write!(out, "<li>{}{by}</li>", link(r));
        }
        out.push_str("</ul></div>");
    }
    if let Some(f) = freeze.filter(|f| f.frozen) {
        let _ = write!(
            out,
            "<div class=\"error\" role=\"alert\" data-testid=\"frozen-banner\"><p><strong>{}</strong>{}\
             <a href=\"/settings/org-settings/security-privacy\">{}</a>.</p><p class=\"muted\">{}",
            escape(text::requests_frozen_title(lang)),
            escape(text::requests_frozen_body(lang)),
            escape(text::security_privacy(lang)),
            escape(text::since(lang)),
        );
        if let Some(at) = f.frozen_at {
            let _ = write!(out, " {}", time(at, local));
        }
        if let Some(by) = &f.frozen_by {
            let _ = write!(
                out,
                " {}<span class=\"address\">{}</span>",
                escape(text::by(lang)),
                escape(by)
            );
        }
        if let Some(reason) = &f.reason {
            let _ = write!(out, ": <span dir=\"auto\">{}</span>", escape(reason));
        }
        out.push_str("</p></div>");
    }
    out
}

/// The page's top: where it is, its title, the banners, what it is for,
/// the status filter (all statuses chosen) and the line that says when a
/// list kept from the last visit is shown (empty: this one is current).
pub fn requests_top(lang: Lang, banners: &str) -> String {
    let mut out = format!(
        "<p class=\"crumbs\">{}</p><h1>{}</h1><div class=\"banners\">{banners}</div>\
         <p class=\"muted intro\">{}</p><div class=\"toolbar\"><label for=\"status-filter\">{}</label>\
         <select id=\"status-filter\"><option value=\"\">{}</option>",
        escape(text::requests_crumb(lang)),
        escape(text::requests_title(lang)),
        escape(text::requests_intro(lang)),
        escape(text::status(lang)),
        escape(text::all(lang)),
    );
    for s in FILTERS {
        let _ = write!(
            out,
            "<option value=\"{}\">{}</option>",
            s.as_str(),
            escape(text::state(lang, s))
        );
    }
    out.push_str("</select><span class=\"freshness muted\" role=\"status\"></span></div>");
    out
}

/// The list as the page shows its first page: what awaits the viewer's
/// decision first, then the others; a sentence when there is nothing; the
/// button for older requests when there are more.
pub fn requests_list(
    lang: Lang,
    items: Vec<RequestView>,
    more: bool,
    me: &Me,
    now: i64,
    local: Local,
) -> String {
    let mut out = String::new();
    if items.is_empty() {
        let _ = write!(
            out,
            "<p class=\"empty\">{}</p>",
            escape(text::requests_none(lang))
        );
    } else {
        let deciding = may(me, Action::Approve);
        let (awaiting, others) = partition(items, deciding, Some(&me.principal.email), now);
        if !awaiting.is_empty() {
            let _ = write!(
                out,
                "<h2 id=\"awaiting-heading\">{}</h2>{}",
                escape(&text::awaiting_your_decision_count(
                    lang,
                    awaiting.len() as i64
                )),
                list(
                    lang,
                    &awaiting,
                    text::awaiting_your_decision(lang),
                    now,
                    local
                )
            );
            if !others.is_empty() {
                let _ = write!(out, "<h2>{}</h2>", escape(text::other_requests(lang)));
            }
        }
        if !others.is_empty() {
            out.push_str(&list(lang, &others, text::requests_list(lang), now, local));
        }
    }
    if more {
        let _ = write!(
            out,
            "<p class=\"more\"><button type=\"button\" class=\"secondary-dark\">{}</button></p>",
            escape(text::load_older(lang))
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_is_what_javascript_writes() {
        assert_eq!(iso(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso(1_796_470_200_123), "2026-12-05T11:30:00.123Z");
    }

    #[test]
    fn escaping_leaves_no_markup() {
        assert_eq!(
            escape("<a href=\"x\">O'Neil & co</a>"),
            "&lt;a href=&quot;x&quot;&gt;O&#39;Neil &amp; co&lt;/a&gt;"
        );
    }

    #[test]
    fn durations_read_at_a_glance() {
        assert_eq!(duration(4 * 3_600_000), "4 h 00 min");
        assert_eq!(duration(3 * 3_600_000 + 5 * 60_000 + 30_000), "3 h 05 min");
        assert_eq!(duration(12 * 60_000 + 4_000), "12 min 04 s");
        assert_eq!(duration(45_000), "45 s");
        assert_eq!(duration(-5), "0 s");
    }

    #[test]
    fn a_countdown_rounds_up_so_it_never_shows_zero_while_time_is_left() {
        assert_eq!(duration(1), "1 s");
        assert_eq!(countdown(Lang::En, 10_001, 10_000, "ended"), "1 s left");
    }

    #[test]
    fn a_deadline_counts_as_passed_at_the_deadline_itself() {
        assert_eq!(remaining(1_000, 999), Some(1));
        assert_eq!(remaining(1_000, 1_000), None);
        assert_eq!(countdown(Lang::En, 1_000, 1_000, "Expired"), "Expired");
    }

    #[test]
    fn a_navigation_link_is_current_on_its_page_and_below() {
        assert!(is_current(REQUESTS_PATH, REQUESTS_PATH));
        assert!(is_current(REQUESTS_PATH, &request_path("x")));
        assert!(!is_current(REQUESTS_PATH, "/support/lockbox-requestsx"));
        assert!(!is_current("/audit", REQUESTS_PATH));
    }
}
