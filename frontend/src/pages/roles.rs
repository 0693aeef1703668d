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
            let label = CustomerRole::parse(&role).map_or(role.clone(), |r| r.label().to_owned());
            match api::change_role(assign, email.clone(), role).await {
                Ok(_) => {
                    error.set(None);
                    done.set(Some(if assign {
                        format!("{email} is now {label}.")
                    } else {
                        format!("{email} is no longer {label}.")
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
    view! {
        <section class="page">
            <h1>"Roles"</h1>
            <p class="muted">"Global admins and Lockbox access approvers decide on requests; auditors search the audit log."</p>
            <div role="status" aria-live="polite">
                {move || done.get().map(|text| view! { <p class="confirmation" data-testid="roles-confirmation">{text}</p> })}
            </div>
            {move || error.get().map(|err| view! { <ErrorBox error=err/> })}
            <ConfirmDialog open=confirm_open title=Signal::derive(move || {
                    let role = removing.get().and_then(|(_, r)| CustomerRole::parse(&r)).map_or("this role", |r| r.label());
                    format!("Remove {role}?")
                })
                confirm_label=Signal::stored("Remove".to_owned()) danger=true busy=busy on_confirm=confirm_removal>
                <p>{move || removing.get().map(|(email, role)| removal_consequence(&email, CustomerRole::parse(&role)))}</p>
                <p class="muted">"The change is recorded in the audit log, and your organisation's global admins are told by e-mail."</p>
            </ConfirmDialog>
            {move || match roles.get() {
                    None => view! { <p class="muted">"Loading…"</p> }.into_any(),
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
                    <h2>{role.label.clone()}</h2>
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
                                                aria-label=format!("Remove {email}")
                                                on:click=move |_| change.run((false, email.clone(), role_name.clone()))>
                                                "Remove"
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
                                <label for=select_id.clone()>"Add a person"</label>
                                <select id=select_id on:change=move |ev| picked.set(event_target_value(&ev))>
                                    <option value="">"Choose…"</option>
                                    {candidates.iter().map(|m| view! {
                                        <option value=m.email.clone()>{format!("{} ({})", m.display_name, m.email)}</option>
                                    }).collect_view()}
                                </select>
                                <button type="button" disabled=move || picked.get().is_empty()
                                    on:click=move |_| change.run((true, picked.get(), role_name.clone()))>"Add"</button>
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
    match role {
        Some(CustomerRole::Approver) => format!(
            "{email} can no longer see, approve, deny or revoke Customer Lockbox requests, nor change the Customer Lockbox setting. Approvals already given stay as they are; a request waiting for more approvals needs someone else's."
        ),
        Some(CustomerRole::Auditor) => {
            format!("{email} can no longer search or export your audit log.")
        }
        _ => format!("{email} loses what this role allows."),
    }
}
