//! Roles: who holds each customer role; global admins assign and remove
//! approvers and auditors.

use leptos::prelude::*;
use leptos::task::spawn_local;
use lockbox_shared::api::TenantRoles;
use lockbox_shared::policy::Action;
use lockbox_shared::roles::CustomerRole;

use crate::api::{self, ApiError};
use crate::components::dialog::ConfirmDialog;
use crate::components::error::ErrorBox;
use crate::components::focus::focus_later;
use crate::components::session::use_session;
use crate::i18n::lang;
use lockbox_shared::text;

/// A role's name as people read it, from the value the API takes (the
/// value itself when it names no role).
fn role_label(role: &str) -> String {
    CustomerRole::parse(role).map_or_else(
        || role.to_owned(),
        |r| text::role_name(lang(), r).to_owned(),
    )
}

#[component]
pub fn RolesPage() -> impl IntoView {
    let roles = api::roles();
    let session = use_session();
    let may_edit = Signal::derive(move || session.may(Action::ChangeRoles));
    let error = RwSignal::new(None::<ApiError>);
    let done = RwSignal::new(None::<String>);
    let (busy, set_busy) = signal(false);
    // A removal is confirmed first, saying what the person loses.
    let removing = RwSignal::new(None::<(String, String)>);
    let confirm_open = RwSignal::new(false);
    let apply = move |(assign, email, role): (bool, String, String)| {
        set_busy.set(true);
        spawn_local(async move {
            let label = role_label(&role);
            match api::change_role(assign, email.clone(), role).await {
                Ok(_) => {
                    error.set(None);
                    done.set(Some(if assign {
                        text::role_now(lang(), &email, &label)
                    } else {
                        text::role_no_longer(lang(), &email, &label)
                    }));
                    focus_later("[data-testid=roles-confirmation]");
                }
                Err(err) => {
                    done.set(None);
                    error.set(Some(err));
                }
            }
            set_busy.set(false);
            confirm_open.set(false);
            roles.refetch();
        });
    };
    let change = Callback::new(move |(assign, email, role): (bool, String, String)| {
        if assign {
            apply((true, email, role));
        } else {
            removing.set(Some((email, role)));
            confirm_open.set(true);
        }
    });
    let confirm_removal = Callback::new(move |_| {
        if let Some((email, role)) = removing.get_untracked() {
            apply((false, email, role));
        }
    });
    let l = lang();
    view! {
        <section class="page">
            <h1>{text::nav_roles(l)}</h1>
            <p class="muted">{text::roles_intro(l)}</p>
            <div role="status" aria-live="polite">
                {move || done.get().map(|text| view! { <p class="confirmation" data-testid="roles-confirmation">{text}</p> })}
            </div>
            {move || error.get().map(|err| view! { <ErrorBox error=err/> })}
            <ConfirmDialog open=confirm_open title=Signal::derive(move || {
                    match removing.get().and_then(|(_, r)| CustomerRole::parse(&r)) {
                        Some(role) => text::remove_role_title(l, text::role_name(l, role)),
                        None => text::remove_this_role(l).to_owned(),
                    }
                })
                confirm_label=Signal::stored(text::remove(l).to_owned()) danger=true busy=busy on_confirm=confirm_removal>
                <p>{move || removing.get().map(|(email, role)| removal_consequence(&email, CustomerRole::parse(&role)))}</p>
                <p class="muted">{text::roles_removal_note(l)}</p>
            </ConfirmDialog>
            {move || match roles.get() {
                    None => view! { <p class="muted">{text::loading(l)}</p> }.into_any(),
                    Some(result) => match result {
                        Ok(r) => view! { <RoleList roles=r may_edit=may_edit change=change/> }.into_any(),
                        Err(err) => view! { <ErrorBox error=err retry=Callback::new(move |_| roles.refetch())/> }.into_any(),
                    },
                }}
        </section>
    }
}

#[component]
fn RoleList(
    roles: TenantRoles,
    may_edit: Signal<bool>,
    change: Callback<(bool, String, String)>,
) -> impl IntoView {
    let members = roles.members.clone();
    let l = lang();
    roles
        .roles
        .into_iter()
        .map(|role| {
            let role_name = role.role.as_str().to_owned();
            let holders: Vec<String> = role.holders.iter().map(|h| h.email.clone()).collect();
            let candidates: Vec<_> = members
                .iter()
                .filter(|m| !holders.contains(&m.email))
                .cloned()
                .collect();
            let picked = RwSignal::new(String::new());
            let editable = move || may_edit.get() && role.assignable;
            let select_id = format!("add-{role_name}");
            let data_role = role_name.clone();
            view! {
                <article class="card role" data-role=data_role>
                    <h2>{text::role_name(l, role.role)}</h2>
                    <ul class="holders">
                        {let role_name = role_name.clone(); role.holders.into_iter().map(move |h| {
                            let (email, role_name) = (h.email.clone(), role_name.clone());
                            view! {
                                <li>
                                    <span class="holder"><span>{h.display_name}</span> <span class="muted address">{h.email.clone()}</span></span>
                                    {move || editable().then(|| {
                                        let (email, role_name) = (email.clone(), role_name.clone());
                                        view! {
                                            <button type="button" class="secondary-dark small"
                                                aria-label=text::remove_person(l, &email)
                                                on:click=move |_| change.run((false, email.clone(), role_name.clone()))>
                                                {text::remove(l)}
                                            </button>
                                        }
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    {move || (editable() && !candidates.is_empty()).then(|| {
                        let role_name = role_name.clone();
                        let select_id = select_id.clone();
                        view! {
                            <div class="add-holder">
                                <label for=select_id.clone()>{text::add_person(l)}</label>
                                <select id=select_id on:change=move |ev| picked.set(event_target_value(&ev))>
                                    <option value="">{text::choose(l)}</option>
                                    {candidates.iter().map(|m| view! {
                                        <option value=m.email.clone()>{format!("{} ({})", m.display_name, m.email)}</option>
                                    }).collect_view()}
                                </select>
                                <button type="button" disabled=move || picked.get().is_empty()
                                    on:click=move |_| change.run((true, picked.get(), role_name.clone()))>{text::add(l)}</button>
                            </div>
                        }
                    })}
                </article>
            }
        })
        .collect_view()
}

/// What removing `role` from `email` means, said before it is done.
fn removal_consequence(email: &str, role: Option<CustomerRole>) -> String {
    let l = lang();
    match role {
        Some(CustomerRole::Approver) => text::removal_approver(l, email),
        Some(CustomerRole::Auditor) => text::removal_auditor(l, email),
        _ => text::removal_other(l, email),
    }
}
