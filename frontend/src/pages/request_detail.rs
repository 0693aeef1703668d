//! One Customer Lockbox request: its facts, its history, and the decision.

use leptos::prelude::*;
use leptos::task::spawn_local;
use lockbox_shared::api::{RequestDetail, RequestView, MAX_REQUEST_ACTIONS};
use lockbox_shared::audit::{Activity, AuditRecord, LockboxActivity};
use lockbox_shared::lifecycle::MAX_EXTENDED_HOURS;
use lockbox_shared::lifecycle::{ended_by_revoke, later_in_chain, State, Verb};
use lockbox_shared::policy::Action;
use lockbox_shared::validation::{MAX_COMMENT_CHARS, MAX_GRANT_MINUTES};

use crate::api::{self, ApiError};
use crate::components::dialog::ConfirmDialog;
use crate::components::error::ErrorBox;
use crate::components::focus::focus_later;
use crate::components::live::{auto_refresh, use_now};
use crate::components::operations::OperationCheck;
use crate::components::session::use_session;
use crate::components::status::StatusBadge;
use crate::components::time::{local, LocalTime};
use crate::format;
use crate::i18n::lang;
use crate::routes::{grant_path, provider_request_path, request_path, AppRoute};
use lockbox_shared::text;

/// What the person last did here, and how it went.
#[derive(Clone, PartialEq)]
enum Outcome {
    Done(String),
    Changed(String),
    Failed(ApiError),
}

/// One request; `provider` when reached from the provider console (the
/// way back leads there, and the requester may cancel it or open its grant).
#[component]
pub fn RequestDetailPage(id: String, #[prop(optional)] provider: bool) -> impl IntoView {
    let detail = api::request(&id);
    auto_refresh(15_000, move || detail.refetch());
    // Lives with the page, not with one rendering of the request, so the
    // message stays while the request reloads.
    let outcome = RwSignal::new(None::<Outcome>);
    // Set by a decision: the request drawn anew by the reload it causes
    // moves focus back to the decision's result.
    let refocus = RwSignal::new(false);
    // Redrawn only when the request changed, so a refresh does not wipe a
    // comment being typed.
    let current = Memo::new(move |_| detail.get());

    view! {
        <section class="page detail-page">
            <p class="crumbs">{if provider {
                view! { <a href=AppRoute::ProviderRequests.path()>{text::back_to_my_requests(lang())}</a> }
            } else {
                view! { <a href=AppRoute::LockboxRequests.path()>{text::back_to_requests(lang())}</a> }
            }}</p>
            {move || match current.get() {
                    None => view! { <p class="muted">{text::request_loading(lang())}</p> }.into_any(),
                    Some(result) => match result {
                        Ok(d) => view! { <Detail detail=d outcome=outcome refocus=refocus provider=provider reload=Callback::new(move |_| detail.refetch())/> }.into_any(),
                        Err(err) => view! {
                            <h1>{text::request_title_generic(lang())}</h1>
                            <ErrorBox error=err retry=Callback::new(move |_| detail.refetch())/>
                        }.into_any(),
                    },
                }}
        </section>
    }
}

#[component]
fn Detail(
    detail: RequestDetail,
    outcome: RwSignal<Option<Outcome>>,
    refocus: RwSignal<bool>,
    provider: bool,
    reload: Callback<()>,
) -> impl IntoView {
    if refocus.get_untracked() && outcome.get_untracked().is_some() {
        refocus.set(false);
        focus_later("#decision-outcome > *");
    }
    let now = use_now();
    let session = use_session();
    let r = detail.view.clone();
    let state = {
        let r = r.clone();
        move || r.effective_state_at(now.get())
    };
    let may = move |action: Action| session.may(action);

    let comment = RwSignal::new(String::new());
    let dialog_open = RwSignal::new(false);
    let pending_verb = RwSignal::new(Verb::Approve);
    let idempotency_key = RwSignal::new(String::new());
    let (busy, set_busy) = signal(false);
    // An approver may grant less than was asked.
    let asked = r.duration_minutes;
    let granted = RwSignal::new(asked);
    // And fewer operations: those ticked (all that were asked, at first).
    let asked_ops = StoredValue::new(r.operations.clone().unwrap_or_default());
    let content_ops = StoredValue::new(r.content_operations.clone());
    let allowed_ops = RwSignal::new(asked_ops.get_value());
    let none_allowed = RwSignal::new(false);
    let no_reason = RwSignal::new(false);

    let open = move |verb: Verb| {
        pending_verb.set(verb);
        granted.set(asked);
        allowed_ops.set(asked_ops.get_value());
        none_allowed.set(false);
        no_reason.set(false);
        idempotency_key.set(api::new_idempotency_key());
        outcome.set(None);
        dialog_open.set(true);
    };
    let id = r.id.to_string();
    let confirm = Callback::new(move |_| {
        let verb = pending_verb.get_untracked();
        let text = comment.get_untracked().trim().to_owned();
        let key = idempotency_key.get_untracked();
        let minutes = granted.get_untracked();
        let allowed = allowed_ops.get_untracked();
        let asked_count = asked_ops.with_value(Vec::len);
        if verb == Verb::Dispute && text.is_empty() {
            // A dispute says why: the provider's managers read it.
            no_reason.set(true);
            focus_later("#review-comment");
            return;
        }
        if verb == Verb::Approve && asked_count > 0 && allowed.is_empty() {
            none_allowed.set(true);
            focus_later("#allow-operations");
            return;
        }
        // In the order asked, and only when fewer than were asked.
        let allowed: Option<Vec<String>> = (allowed.len() < asked_count).then(|| {
            asked_ops.with_value(|ops| {
                ops.iter()
                    .filter(|op| allowed.contains(op))
                    .cloned()
                    .collect()
            })
        });
        let id = id.clone();
        set_busy.set(true);
        spawn_local(async move {
            let text = (!text.is_empty()).then_some(text);
            let result = if verb == Verb::Approve {
                api::approve(id, text, (minutes < asked).then_some(minutes), allowed, key).await
            } else {
                api::decide(id, verb, text, key).await
            };
            set_busy.set(false);
            dialog_open.set(false);
            if result.is_ok() {
                comment.set(String::new());
            }
            outcome.set(Some(match result {
                Ok(view) => Outcome::Done(match verb {
                    Verb::Approve if view.state == State::PendingCustomerApproval => {
                        still_needed(&view)
                    }
                    Verb::Approve => text::approved_until(
                        lang(),
                        &view.grant_ends_at.map(local).unwrap_or_default(),
                    ),
                    Verb::Deny => text::denied_done(lang()).to_owned(),
                    Verb::Ratify => text::ratified_done(lang()).to_owned(),
                    Verb::Dispute => text::disputed_done(lang()).to_owned(),
                    _ => text::revoked_done(lang()).to_owned(),
                }),
                Err(err) if err.is_conflict() => Outcome::Changed(err.message()),
                Err(err) => Outcome::Failed(err),
            }));
            // Focus follows the decision to what it produced, now and once
            // the reloaded request is drawn.
            focus_later("#decision-outcome > *");
            refocus.set(true);
            reload.run(());
        });
    });

    let title = Signal::derive(move || {
        match pending_verb.get() {
            Verb::Approve => text::approve_title(lang()),
            Verb::Deny => text::deny_title(lang()),
            Verb::Ratify => text::ratify_title(lang()),
            Verb::Dispute => text::dispute_title(lang()),
            _ => text::revoke_title(lang()),
        }
        .to_owned()
    });
    let confirm_label = Signal::derive(move || {
        match pending_verb.get() {
            Verb::Approve => text::approve(lang()),
            Verb::Deny => text::deny(lang()),
            Verb::Ratify => text::ratify(lang()),
            Verb::Dispute => text::dispute(lang()),
            _ => text::revoke(lang()),
        }
        .to_owned()
    });
    let danger =
        Signal::derive(move || !matches!(pending_verb.get(), Verb::Approve | Verb::Ratify));
    let service = r.service.clone();
    let tenant_name = detail.view.tenant_name.clone();

    let facts = r.clone();
    let shown = r.clone();
    // The customer's people follow a record into their audit log; provider
    // staff have none to follow it into.
    let audit_request = r.id.to_string();
    let audit_link = (!provider && session.may(Action::SearchAudit)).then(|| {
        Callback::new(move |seq: i64| {
            format!(
                "{}?request={audit_request}&open={seq}",
                AppRoute::Audit.path()
            )
        })
    });
    // Whether the person looking has approved already (a quorum needs
    // someone else).
    let mine = r.clone();
    let approved_by_me = move || {
        session
            .me
            .get()
            .and_then(|m| m.ok())
            .is_some_and(|me| mine.approved_by(&me.principal.email))
    };
    let link = move |id: &str| {
        if provider {
            provider_request_path(id)
        } else {
            request_path(id)
        }
    };
    // With one approval needed, "Decided by" says it all.
    let progress = r.approvals_required.filter(|&n| n > 1).map(|required| {
        let given = r.approvals.clone();
        view! {
            <div class="approvals" data-testid="approvals">
                <p><strong>{text::approvals_progress(lang(), given.len() as i64, i64::from(required))}</strong></p>
                {(!given.is_empty()).then(|| view! {
                    <ul class="approval-list">
                        {given.into_iter().map(|a| view! {
                            <li>{a.email.unwrap_or_else(|| text::an_approver_at_customer(lang()).to_owned())}
                                " · " <LocalTime ms=a.at/>
                                {a.granted_minutes.map(|m| format!("{}{}", text::approval_granted(lang()), format::minutes(m)))}
                                {a.comment.map(|c| view! { " · “" <span dir="auto">{c}</span> "”" })}</li>
                        }).collect_view()}
                    </ul>
                })}
            </div>
        }
    });
    let extends = r.extends.clone().map(|of| {
        let href = link(of.as_str());
        view! { <p data-testid="extends">{text::extends_request(lang())} <a href=href>{of.to_string()}</a>
        {r.continues_at.map(|at| view! { {text::continues_from(lang())} <LocalTime ms=at/> })}</p> }
    });
    let extensions = (!detail.extensions.is_empty()).then(|| {
        let items = detail.extensions.clone();
        view! {
            <p data-testid="extensions">{text::extended_by(lang())}
                {items.into_iter().map(|id| view! { <a href=link(id.as_str())>{id.to_string()}</a>" " }).collect_view()}</p>
        }
    });
    // The chain this request belongs to: each member's window and state.
    let chain_view = (detail.chain.len() > 1).then(|| {
        let members = detail.chain.clone();
        let this = r.id.clone();
        view! {
            <h2 id="chain-title">{text::chain_title(lang())}</h2>
            <ol class="chain" aria-labelledby="chain-title" data-testid="chain">
                {members.into_iter().map(|m| {
                    let current = m.id == this;
                    let when = match (m.grant_starts_at, m.grant_ends_at) {
                        (Some(from), Some(until)) => view! { <LocalTime ms=from/> " – " <LocalTime ms=until/> }.into_any(),
                        _ => view! { {text::chain_asked(lang(), &format::minutes(m.duration_minutes))} }.into_any(),
                    };
                    view! {
                        <li class=if current { "chain-member current" } else { "chain-member" } data-testid="chain-member">
                            <StatusBadge state=m.effective_state/>
                            " "
                            {if current {
                                view! { <strong>{text::this_request(lang())}</strong> }.into_any()
                            } else {
                                view! { <a href=link(m.id.as_str())>{if m.extends.is_some() { text::chain_extension(lang()) } else { text::chain_first_grant(lang()) }}</a> }.into_any()
                            }}
                            " · " {when}
                        </li>
                    }
                }).collect_view()}
            </ol>
        }
    });
    // What a revocation leaves: an extension that has not started never
    // does, and the grant before it runs on; every later member ends too.
    let later = later_in_chain(&r.id, &detail.chain, |m| (&m.id, m.extends.as_ref()))
        .into_iter()
        .filter(|m| ended_by_revoke(m.effective_state).is_some())
        .count();
    // Only an extension can start later than its approval (the page's
    // clock ticks once a second, so a fresh grant may look a moment ahead).
    let not_started = r
        .grant_starts_at
        .filter(|&at| r.extends.is_some() && at > js_sys::Date::now() as i64);
    let revoke_text = move || {
        let l = lang();
        let mut sentence = match not_started {
            Some(at) => text::revoke_not_started(l, &local(at)),
            None => text::revoke_now(l).to_owned(),
        };
        match later {
            0 => {}
            1 => sentence.push_str(text::revoke_tail_one(l)),
            n => sentence.push_str(&text::revoke_tail_many(l, n as i64)),
        }
        sentence
    };

    let l = lang();
    view! {
        <h1>{text::request_title(lang(), r.ticket.as_str())}</h1>
        <p class="status-line">
            {let state = state.clone(); move || view! { <StatusBadge state=state()/> }}
            <span class="deadline" data-testid="deadline">{move || format::deadline_text(&shown, now.get()).unwrap_or_default()}</span>
        </p>

        <div role="status" aria-live="polite" class="outcome" id="decision-outcome">
            {move || outcome.get().map(|o| match o {
                Outcome::Done(msg) => view! { <p class="confirmation" data-testid="confirmation">{msg}</p> }.into_any(),
                Outcome::Changed(msg) => view! { <p class="notice" data-testid="changed">{msg}</p> }.into_any(),
                Outcome::Failed(err) => view! { <ErrorBox error=err/> }.into_any(),
            })}
        </div>

        {r.emergency.clone().map(|e| {
            let due = e.review_due_at;
            view! {
                <div class="emergency-box" data-testid="emergency">
                    <p><span class="tag emergency">{text::emergency_tag(lang())}</span> " "
                        {text::emergency_explained(lang())}</p>
                    <dl class="facts compact">
                        <dt>{text::emergency_incident(lang())}</dt><dd>{e.incident.clone()}</dd>
                        <dt>{text::emergency_managers(lang())}</dt><dd>{e.managers.join(", ")}</dd>
                        {e.verdict.clone().map(|v| view! {
                            <dt>{text::emergency_verdict(lang())}</dt>
                            <dd data-testid="verdict">{format::verdict(&v)}
                                {e.reviewed_by.clone().map(|b| format!(" · {b}"))}
                                {e.reviewed_at.map(|at| view! { " · " <LocalTime ms=at/> })}</dd>
                        })}
                        {e.review_comment.clone().map(|c| view! { <dt>{text::fact_comment(lang())}</dt><dd dir="auto">{c}</dd> })}
                        {due.map(|at| view! { <dt>{text::emergency_review_by(lang())}</dt><dd><LocalTime ms=at/></dd> })}
                    </dl>
                </div>
            }
        })}
        {progress}
        {extends}
        {extensions}
        {chain_view}

        {let state = state.clone(); let approved_by_me = approved_by_me.clone(); move || (state() == State::PendingCustomerApproval && may(Action::Approve) && approved_by_me()).then(|| view! {
            <p class="notice" data-testid="approved-by-you">{text::approved_by_you_waiting(lang())}</p>
        })}
        {let state = state.clone(); move || (state() == State::PendingCustomerApproval && may(Action::Approve) && !approved_by_me()).then(|| view! {
            <div class="decision">
                <label for="comment">{text::comment_optional(lang())}</label>
                <textarea id="comment" rows="2" maxlength=MAX_COMMENT_CHARS
                    prop:value=move || comment.get()
                    on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
                <div class="decision-buttons">
                    <button type="button" class="approve" on:click=move |_| open(Verb::Approve)>{text::approve(lang())}</button>
                    <button type="button" class="deny" on:click=move |_| open(Verb::Deny)>{text::deny(lang())}</button>
                </div>
            </div>
        })}
        {let state = state.clone(); let due = r.emergency.as_ref().and_then(|e| e.review_due_at);
            move || (matches!(state(), State::Completed | State::Revoked) && due.is_some() && !provider && may(Action::ReviewEmergency)).then(|| view! {
            <div class="decision review" data-testid="review">
                <p>{text::review_ask(lang())}</p>
                <div class="decision-buttons">
                    <button type="button" class="approve" on:click=move |_| open(Verb::Ratify)>{text::ratify(lang())}</button>
                    <button type="button" class="deny" on:click=move |_| open(Verb::Dispute)>{text::dispute(lang())}</button>
                </div>
            </div>
        })}
        {let state = state.clone(); move || (state() == State::Approved && may(Action::Revoke)).then(|| view! {
            <div class="decision">
                <button type="button" class="deny" on:click=move |_| open(Verb::Revoke)>{text::revoke_access(lang())}</button>
            </div>
        })}
        {let state = state.clone(); let grant = grant_path(r.id.as_str()); let requester = r.requester_id.clone(); let id_for_extend = r.id.to_string();
            move || {
                let mine = session.me.get().and_then(|m| m.ok()).is_some_and(|me| me.principal.user_id == requester);
                (state() == State::Approved && mine).then(|| view! {
                    <p><a class="button-link" href=grant.clone()>{text::open_grant(lang())}</a></p>
                    <ExtendForm id=id_for_extend.clone() asked=asked/>
                })
            }}

        <ConfirmDialog open=dialog_open title=title confirm_label=confirm_label danger=danger busy=busy on_confirm=confirm>
            {move || (pending_verb.get() == Verb::Approve).then(|| view! {
                <label for="grant-for">{text::access_for(lang())}</label>
                <select id="grant-for" on:change=move |ev| {
                    granted.set(event_target_value(&ev).parse().unwrap_or(asked));
                }>
                    {format::grant_choices(asked).into_iter().map(|m| view! {
                        <option value=m.to_string() selected=m == granted.get_untracked()>
                            {if m == asked { text::as_asked(lang(), &format::minutes(m)) } else { format::minutes(m) }}
                        </option>
                    }).collect_view()}
                </select>
            })}
            {move || (pending_verb.get() == Verb::Approve && asked_ops.with_value(|o| !o.is_empty())).then(|| view! {
                <fieldset id="allow-operations" class="operation-choice" tabindex="-1"
                    aria-describedby="allow-operations-note allow-operations-error"
                    aria-invalid=move || none_allowed.get().to_string()>
                    <legend>{text::operations_allowed(lang())}</legend>
                    <p class="muted" id="allow-operations-note">{text::allow_operations_note(lang())}</p>
                    {asked_ops.get_value().into_iter().map(|op| {
                        let content = content_ops.with_value(|c| c.contains(&op));
                        view! { <OperationCheck name=op content=content chosen=allowed_ops
                            on_change=Callback::new(move |_| none_allowed.set(false))/> }
                    }).collect_view()}
                    <p id="allow-operations-error" class="field-error" role="alert">
                        {move || none_allowed.get().then(|| text::allow_one_operation(lang()))}
                    </p>
                </fieldset>
            })}
            <p>{let (service, tenant_name) = (service.clone(), tenant_name.clone());
                move || match pending_verb.get() {
                Verb::Approve => text::approve_consequence(lang(), &tenant_name, &service, &format::minutes(granted.get())),
                Verb::Deny => text::deny_consequence(lang()).to_owned(),
                Verb::Ratify => text::ratify_consequence(lang()).to_owned(),
                Verb::Dispute => text::dispute_consequence(lang()).to_owned(),
                _ => revoke_text(),
            }}</p>
            {move || matches!(pending_verb.get(), Verb::Ratify | Verb::Dispute).then(|| view! {
                <label for="review-comment">{if pending_verb.get() == Verb::Dispute { text::dispute_why(lang()) } else { text::comment_optional(lang()) }}</label>
                <textarea id="review-comment" rows="3" maxlength=MAX_COMMENT_CHARS
                    aria-describedby="review-comment-error"
                    aria-invalid=move || no_reason.get().to_string()
                    prop:value=move || comment.get()
                    on:input=move |ev| { no_reason.set(false); comment.set(event_target_value(&ev)) }></textarea>
                <p id="review-comment-error" class="field-error" role="alert">
                    {move || no_reason.get().then(|| text::dispute_needs_why(lang()))}
                </p>
            })}
            {move || (pending_verb.get() == Verb::Revoke).then(|| view! {
                <label for="revoke-comment">{text::comment_optional(lang())}</label>
                <textarea id="revoke-comment" rows="2"
                    aria-describedby="revoke-comment-note"
                    prop:value=move || comment.get()
                    on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
                <p class="muted" id="revoke-comment-note">{text::revoke_comment_note(lang())}</p>
            })}
            {move || (!matches!(pending_verb.get(), Verb::Revoke | Verb::Ratify | Verb::Dispute) && !comment.get().trim().is_empty()).then(|| view! { <p class="muted">{text::comment_shown(lang())} <span dir="auto">{comment.get()}</span></p> })}
        </ConfirmDialog>

        {(facts.grant_starts_at.is_some() || !detail.actions.is_empty()).then(|| view! {
            <ActionList actions=detail.actions.clone() audit_link=audit_link/>
        })}

        <h2>{text::details(l)}</h2>
        <dl class="facts">
            <dt>{text::fact_service(l)}</dt><dd>{facts.service.clone()}</dd>
            <dt>{text::fact_ticket(l)}</dt><dd>{facts.ticket.clone()}</dd>
            <dt>{text::fact_reason(l)}</dt><dd class="reason" dir="auto">{facts.reason.clone()}</dd>
            <dt>{text::fact_asked(l)}</dt><dd>{format::minutes(facts.duration_minutes)}</dd>
            {facts.operations.clone().map(|ops| {
                let content = facts.content_operations.clone();
                view! {
                    <dt>{text::operations_asked(l)}</dt>
                    <dd data-testid="operations-asked">{
                        let last = ops.len().saturating_sub(1);
                        ops.into_iter().enumerate().map(|(i, op)| {
                            let marked = content.contains(&op);
                            view! { <span class="operation">{op}{marked.then(|| view! { " " <span class="tag reads-content">{text::kind_content(l)}</span> })}</span>{(i < last).then_some(", ")} }
                        }).collect_view()
                    }</dd>
                }
            })}
            {facts.allowed_operations.clone().filter(|allowed| Some(allowed) != facts.operations.as_ref() && facts.grant_starts_at.is_some()).map(|allowed| view! {
                <dt>{text::operations_allowed(l)}</dt>
                <dd data-testid="operations-allowed">{allowed.join(", ")}</dd>
            })}
            <dt>{text::fact_requester(l)}</dt><dd>{facts.requester_email.clone()}</dd>
            <dt>{text::fact_requested(l)}</dt><dd><LocalTime ms=facts.created_at/></dd>
            {facts.manager_email.clone().map(|m| view! { <dt>{text::fact_preapproved_by(l)}</dt><dd>{m}</dd> })}
            {facts.manager_comment.clone().map(|c| view! { <dt>{text::fact_manager_comment(l)}</dt><dd dir="auto">{c}</dd> })}
            {facts.pending_expires_at
                .filter(|_| matches!(facts.state, State::PendingManagerApproval | State::PendingCustomerApproval))
                .map(|t| view! { <dt>{text::fact_expires(l)}</dt><dd><LocalTime ms=t/></dd> })}
            {facts.customer_email.clone().map(|c| view! { <dt>{text::fact_decided_by(l)}</dt><dd>{c}</dd> })}
            {facts.customer_comment.clone().map(|c| view! { <dt>{text::fact_comment(l)}</dt><dd dir="auto">{c}</dd> })}
            {facts.grant_starts_at.zip(facts.grant_ends_at)
                .map(|(from, until)| ((until - from) / 60_000) as u32)
                .filter(|&granted| granted < facts.duration_minutes)
                .map(|granted| view! { <dt>{text::fact_granted(l)}</dt><dd>{format::minutes(granted)}{text::less_than_asked(l)}</dd> })}
            {facts.grant_starts_at.map(|t| view! { <dt>{text::fact_access_from(l)}</dt><dd><LocalTime ms=t/></dd> })}
            {facts.grant_ends_at.map(|t| view! { <dt>{text::fact_access_until(l)}</dt><dd><LocalTime ms=t/></dd> })}
            {facts.ended_at.map(|t| view! { <dt>{text::fact_ended(l)}</dt><dd><LocalTime ms=t/></dd> })}
            {facts.ended_by.clone().map(|b| view! { <dt>{text::fact_ended_by(l)}</dt><dd>{b}</dd> })}
            {facts.end_comment.clone().map(|c| view! { <dt>{text::fact_why_ended(l)}</dt><dd dir="auto">{c}</dd> })}
        </dl>
        {facts.customer_decided_at.is_some().then(|| view! {
            <p class="receipt">
                <a href=format!("/api/v1/requests/{}/receipt", facts.id) download="" data-testid="receipt">{text::download_receipt(l)}</a>
                <span class="muted">{text::receipt_note_before(l)}<code>"lockbox receipt verify"</code>{text::receipt_note_after(l)}</span>
            </p>
        })}

        {detail.history.iter().any(|h| h.record.activity == Activity::Lockbox(LockboxActivity::EndAccess)).then(|| view! {
            <p class="receipt">
                <a href=format!("/api/v1/requests/{}/report", facts.id) download="" data-testid="report">{text::download_report(l)}</a>
                <span class="muted">{text::report_note_before(l)}<code>"lockbox report verify"</code>{text::receipt_note_after(l)}</span>
            </p>
        })}

        <h2>{text::history(l)}</h2>
        <ol class="history">
            {detail.history.into_iter().map(|h| {
                let link = audit_link.map(|make| make.run(h.seq));
                view! { <HistoryItem record=h audit_link=link/> }
            }).collect_view()}
        </ol>
    }
}

/// The requester's "Ask for more time": a new request that extends this
/// grant, through the same approvals.
#[component]
fn ExtendForm(id: String, asked: u32) -> impl IntoView {
    let minutes = RwSignal::new(asked.min(60));
    let reason = RwSignal::new(String::new());
    let (busy, set_busy) = signal(false);
    let result = RwSignal::new(None::<Result<String, ApiError>>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let id = id.clone();
        let (m, why) = (minutes.get_untracked(), reason.get_untracked());
        set_busy.set(true);
        spawn_local(async move {
            let answer = api::extend(&id, m, why).await;
            set_busy.set(false);
            result.set(Some(answer.map(|created| created.id.to_string())));
        });
    };
    let l = lang();
    view! {
        <form class="decision" data-testid="extend" on:submit=submit>
            <h2>{text::extend_title(l)}</h2>
            <p class="muted">{text::extend_intro_before(l)}{MAX_EXTENDED_HOURS}{text::extend_intro_after(l)}</p>
            <label for="extend-minutes">{text::extend_more_time(l)}</label>
            <select id="extend-minutes" on:change=move |ev| minutes.set(event_target_value(&ev).parse().unwrap_or(60))>
                {format::grant_choices(MAX_GRANT_MINUTES).into_iter().map(|m| view! {
                    <option value=m.to_string() selected=m == minutes.get_untracked()>{format::minutes(m)}</option>
                }).collect_view()}
            </select>
            <label for="extend-reason">{text::extend_why(l)}</label>
            <textarea id="extend-reason" rows="2" required prop:value=move || reason.get()
                on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
            <div><button type="submit" disabled=move || busy.get()>{text::extend_title(l)}</button></div>
            <div role="status" aria-live="polite">
                {move || result.get().map(|r| match r {
                    Ok(id) => view! { <p class="confirmation" data-testid="extend-confirmation">{text::extend_asked(l)}
                        <a href=provider_request_path(&id)>{text::extend_link(l)}</a>{text::extend_waits(l)}</p> }.into_any(),
                    Err(err) => view! { <ErrorBox error=err/> }.into_any(),
                })}
            </div>
        </form>
    }
}

/// What an approval that did not complete the quorum tells its approver.
fn still_needed(view: &RequestView) -> String {
    let (given, required) = (
        view.approvals.len(),
        usize::from(view.approvals_required.unwrap_or(1)),
    );
    let left = required.saturating_sub(given);
    text::still_needed(lang(), given as i64, required as i64, left as i64)
}

/// One record of the request's history: what happened in words, when (in
/// the viewer's zone), by whom, and its details with plain names; the
/// customer's people reach the record itself in the audit log.
#[component]
fn HistoryItem(record: AuditRecord, audit_link: Option<String>) -> impl IntoView {
    let details: Vec<(String, String)> = record
        .record
        .details
        .iter()
        .filter(|(k, v)| {
            !v.is_empty() && !matches!(k.as_str(), "RequestId" | "Service" | "Ticket" | "Requester")
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    view! {
        <li>
            <p><strong>{format::history_label(&record.record)}</strong></p>
            <p class="muted"><LocalTime ms=record.occurred_at/> " · " <span class="address">{record.record.user.clone()}</span>
                {(!record.record.ip.is_empty()).then(|| format!(" · {}", record.record.ip))}</p>
            <dl class="history-details">
                {details.into_iter().map(|(k, v)| view! { <dt>{format::detail_label(&k).to_owned()}</dt><dd>{detail_value(&k, v)}</dd> }).collect_view()}
            </dl>
            {audit_link.map(|href| view! { <p class="history-link"><a href=href>{format!("{}{} ({})", text::audit_record_no(lang()), record.seq, record.record.activity.as_str())}</a></p> })}
        </li>
    }
}

/// A detail's value as shown: a time in the viewer's zone, free text in
/// its own direction.
fn detail_value(key: &str, value: String) -> AnyView {
    if format::is_time_detail(key) {
        let ms = js_sys::Date::parse(&value);
        if ms.is_finite() {
            return view! { <LocalTime ms=ms as i64/> }.into_any();
        }
    }
    view! { <span dir="auto">{value}</span> }.into_any()
}

/// The operations run under the grant, refused ones too, newest last, live
/// while the grant runs (the page refreshes itself).
#[component]
fn ActionList(
    actions: Vec<AuditRecord>,
    audit_link: Option<Callback<i64, String>>,
) -> impl IntoView {
    let count = actions.len() as i64;
    let l = lang();
    view! {
        <h2 id="actions-title">{text::actions_title(l)}</h2>
        {if actions.is_empty() {
            view! { <p class="muted" data-testid="no-actions">{text::no_actions(l)}</p> }.into_any()
        } else {
            view! {
                <p class="muted">{if count >= MAX_REQUEST_ACTIONS {
                    text::actions_newest(l, count)
                } else { text::actions_count(l, count) }}</p>
                <ol class="actions" aria-labelledby="actions-title">
                    {actions.into_iter().map(|a| {
                        let refused = a.record.details.get("Outcome").is_some_and(|o| o == "Refused");
                        let reason = a.record.details.get("Reason").cloned();
                        let engineer = a.record.details.get("Engineer").cloned();
                        let link = audit_link.map(|make| make.run(a.seq));
                        view! {
                            <li class="action" data-testid="action" data-outcome=if refused { "Refused" } else { "Succeeded" }>
                                <p class="action-head">
                                    <LocalTime ms=a.occurred_at/>
                                    <strong class="action-op">{a.record.activity.as_str().to_owned()}</strong>
                                    {(!a.record.item.is_empty()).then(|| view! { <span class="action-item" dir="auto">{a.record.item.clone()}</span> })}
                                    <span class=if refused { "badge tone-stopped" } else { "badge tone-live" }>{if refused { text::action_refused(l) } else { text::action_succeeded(l) }}</span>
                                </p>
                                {reason.filter(|_| refused).map(|r| view! { <p class="muted">{r}</p> })}
                                <p class="muted">{engineer.map(|e| view! { {text::action_by(l)} <span class="address">{e}</span> " · " })}
                                    {match link {
                                        Some(href) => view! { <a href=href>{format!("{}{}", text::audit_record_no(l), a.seq)}</a> }.into_any(),
                                        None => view! { <span>{format!("{}{}", text::audit_record_no(l), a.seq)}</span> }.into_any(),
                                    }}</p>
                            </li>
                        }
                    }).collect_view()}
                </ol>
            }.into_any()
        }}
    }
}
