//! The authorization matrix, through HTTP: every API action × every demo
//! identity × own tenant / other tenant (× request state for the actions
//! that move a request on) → the answer expected.

use std::collections::{HashMap, HashSet};

use lockbox_shared::policy::Action;
use lockbox_tests::{sign_in, Session, CONTOSO, FABRIKAM};
use serde_json::json;

/// The identities, in the order of the expectation strings below.
const PEOPLE: [&str; 10] = [
    "admin@contoso.example",
    "approver1@contoso.example",
    "approver2@contoso.example",
    "auditor@contoso.example",
    "user@contoso.example",
    "admin@fabrikam.example",
    "approver@fabrikam.example",
    "engineer1@provider.example",
    "engineer2@provider.example",
    "manager@provider.example",
];

/// The fixture a request-scoped action is tried on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Fixture {
    /// No request involved.
    None,
    /// A request in the state the action needs.
    Ready,
    /// A request in a terminal state (Denied): the action cannot apply.
    Terminal,
}

/// One row: the action, the fixture, and per identity (in `PEOPLE` order)
/// the answer on the own tenant and on the other tenant:
/// A = 2xx, D = 403, H = 404 (hidden), C = 409 (state conflict).
/// Provider staff have no tenant: "own" is Contoso, "other" Fabrikam.
/// A cell whose call is identical to an earlier cell's (the same person,
/// method, path and body) is not sent again: its expectation must equal
/// the earlier cell's.
type Row = (Action, Fixture, &'static str, &'static str);

#[rustfmt::skip]
const MATRIX: &[Row] = &[
    (Action::ReadOwnProfile,          Fixture::None,     "AAAAAAAAAA", "AAAAAAAAAA"),
    (Action::ListRoleHolders,         Fixture::None,     "AAADDAADDD", "AAADDAADDD"),
    (Action::ChangeRoles,             Fixture::None,     "ADDDDADDDD", "HHHHHHHDDD"),
    (Action::SearchAudit,             Fixture::None,     "AAAADAADDD", "AAAADAADDD"),
    (Action::ExportAudit,             Fixture::None,     "AAAADAADDD", "AAAADAADDD"),
    (Action::ReadLockboxSetting,      Fixture::None,     "AAADDAADDD", "AAADDAADDD"),
    (Action::SetLockboxSetting,       Fixture::None,     "AAADDAADDD", "AAADDAADDD"),
    (Action::FreezeTenant,            Fixture::None,     "ADDDDADDDD", "ADDDDADDDD"),
    (Action::SetApprovalsRequired,    Fixture::None,     "ADDDDADDDD", "ADDDDADDDD"),
    (Action::SetDefaultLanguage,      Fixture::None,     "ADDDDADDDD", "ADDDDADDDD"),
    (Action::ChooseOwnLanguage,       Fixture::None,     "AAAAAAAAAA", "AAAAAAAAAA"),
    (Action::ListTenantRequests,      Fixture::None,     "AAAADAAAAA", "AAAADAAAAA"),
    (Action::ReadRequest,             Fixture::Ready,    "AAAADAAAHA", "HHHHDHHAHA"),
    (Action::Approve,                 Fixture::Ready,    "AAADDAADDD", "HHHDDHHDDD"),
    (Action::Approve,                 Fixture::Terminal, "CCCDDCCDDD", "HHHDDHHDDD"),
    (Action::Deny,                    Fixture::Ready,    "AAADDAADDD", "HHHDDHHDDD"),
    (Action::Deny,                    Fixture::Terminal, "CCCDDCCDDD", "HHHDDHHDDD"),
    (Action::Revoke,                  Fixture::Ready,    "AAADDAADDD", "HHHDDHHDDD"),
    (Action::Revoke,                  Fixture::Terminal, "CCCDDCCDDD", "HHHDDHHDDD"),
    // A denied request is no emergency: nothing to review (409).
    (Action::ReviewEmergency,         Fixture::Terminal, "CCCDDCCDDD", "HHHDDHHDDD"),
    (Action::SetEmergencyAccess,      Fixture::None,     "ADDDDADDDD", "ADDDDADDDD"),
    (Action::ListTenants,             Fixture::None,     "DDDDDDDAAA", "DDDDDDDAAA"),
    (Action::CreateRequest,           Fixture::None,     "DDDDDDDAAD", "DDDDDDDAAD"),
    (Action::ListOwnRequests,         Fixture::None,     "AAAADAAAAA", "AAAADAAAAA"),
    (Action::CancelRequest,           Fixture::Ready,    "DDDDDDDAHD", "DDDDDDDAHD"),
    (Action::CancelRequest,           Fixture::Terminal, "DDDDDDDCHD", "DDDDDDDCHD"),
    (Action::CheckAccess,             Fixture::None,     "DDDDDDDAAD", "DDDDDDDAAD"),
    (Action::ListAwaitingPreapproval, Fixture::None,     "DDDDDDDDDA", "DDDDDDDDDA"),
    (Action::Preapprove,              Fixture::Ready,    "DDDDDDDDDA", "DDDDDDDDDA"),
    (Action::Preapprove,              Fixture::Terminal, "DDDDDDDDDC", "DDDDDDDDDC"),
    (Action::Reject,                  Fixture::Ready,    "DDDDDDDDDA", "DDDDDDDDDA"),
    (Action::Reject,                  Fixture::Terminal, "DDDDDDDDDC", "DDDDDDDDDC"),
    (Action::ListOperations,          Fixture::None,     "DDDDDDDAAA", "DDDDDDDAAA"),
    // The fixture is engineer1's live files grant: only engineer1 may use it.
    (Action::RunOperation,            Fixture::Ready,    "DDDDDDDADD", "DDDDDDDADD"),
    // Own: add, read and remove an endpoint. Other: remove an endpoint
    // that is not the caller's tenant's (it does not exist for them).
    (Action::ManageNotifications,     Fixture::None,     "ADDDDADDDD", "HDDDDHDDDD"),
    // The fixture is engineer1's grant: only engineer1 may extend it.
    (Action::ExtendGrant,             Fixture::Ready,    "DDDDDDDAHD", "DDDDDDDAHD"),
    (Action::ExtendGrant,             Fixture::Terminal, "DDDDDDDCHD", "DDDDDDDCHD"),
    // The fixture is engineer1's grant: only engineer1 may have a token,
    // and only while it is live (the integration admin is in provider.rs).
    (Action::IssueGrantToken,         Fixture::Ready,    "DDDDDDDADD", "DDDDDDDADD"),
    (Action::IssueGrantToken,         Fixture::Terminal, "DDDDDDDCDD", "DDDDDDDCDD"),
    (Action::ManageProviderServices,  Fixture::None,     "DDDDDDDDDD", "DDDDDDDDDD"),
];

fn tenants_of(email: &str) -> (&'static str, &'static str) {
    if email.ends_with("@fabrikam.example") {
        (FABRIKAM, CONTOSO)
    } else {
        (CONTOSO, FABRIKAM)
    }
}

/// The export a cell calls: CSV on the own tenant, JSON lines otherwise.
fn export_path(tenant: &str, own_tenant: &str) -> String {
    let format = if tenant == own_tenant { "csv" } else { "jsonl" };
    format!("/api/v1/audit/export.{format}?tenant={tenant}")
}

/// The stored state a ready fixture of `action` must be in.
fn ready_state(action: Action) -> &'static str {
    match action {
        // Reading: a request the customer sees (from pre-approval on).
        Action::Approve | Action::Deny | Action::ReadRequest => "PendingCustomerApproval",
        Action::Revoke | Action::RunOperation | Action::ExtendGrant | Action::IssueGrantToken => {
            "Approved"
        }
        _ => "PendingManagerApproval",
    }
}

/// Walks a new request of `tenant` through the lifecycle to `state`.
/// Fabrikam's switch must be on for its pending and denied fixtures and off
/// for its approved ones; Contoso's is on.
fn fixture_in(tenant: &str, state: &str, service: &str, people: &Fixtures) -> String {
    let id = if service == "mail" {
        lockbox_tests::open_request(&people.engineer, tenant, 30)
    } else {
        let answer = people.engineer.post(
            "/api/v1/requests",
            &json!({"tenant_id": tenant, "service": service, "ticket": "SR-MATRIX", "reason": "Matrix", "duration_minutes": 30, "operations": lockbox_tests::operations_of(service)}),
        );
        assert_eq!(answer.status, 201, "fixture: {}", answer.body);
        answer.json()["id"].as_str().unwrap_or_default().to_owned()
    };
    let step = |session: &Session, verb: &str| {
        let answer = lockbox_tests::act(session, &id, verb, None);
        assert_eq!(answer.status, 200, "fixture {verb}: {}", answer.body);
    };
    let approver = if tenant == CONTOSO {
        &people.contoso
    } else {
        &people.fabrikam
    };
    match state {
        "PendingManagerApproval" => {}
        "PendingCustomerApproval" => step(&people.manager, "preapprove"),
        "Approved" if tenant == CONTOSO => {
            step(&people.manager, "preapprove");
            step(approver, "approve");
        }
        "Approved" => step(&people.manager, "preapprove"),
        _ => {
            step(&people.manager, "preapprove");
            step(approver, "deny");
        }
    }
    id
}

struct Fixtures {
    engineer: Session,
    manager: Session,
    contoso: Session,
    fabrikam: Session,
}

/// Creates every fixture request the matrix needs, through the API: opened
/// by engineer1 and walked to the state the cell needs.
fn make_fixtures() -> HashMap<(usize, Action, Fixture, bool), String> {
    let people = Fixtures {
        engineer: sign_in("engineer1@provider.example"),
        manager: sign_in("manager@provider.example"),
        contoso: sign_in("admin@contoso.example"),
        fabrikam: sign_in("admin@fabrikam.example"),
    };
    let mut needs = Vec::new();
    for (action, fixture, _, _) in MATRIX {
        if *fixture == Fixture::None {
            continue;
        }
        for (person, email) in PEOPLE.iter().enumerate() {
            for other in [false, true] {
                let (own, theirs) = tenants_of(email);
                let tenant = if other { theirs } else { own };
                let state = match fixture {
                    Fixture::Ready => ready_state(*action),
                    _ => "Denied",
                };
                // Operator fixtures are files grants, which no other
                // test approves: another engineer then holds none.
                let service = if *action == Action::RunOperation {
                    "files"
                } else {
                    "mail"
                };
                needs.push(((person, *action, *fixture, other), tenant, state, service));
            }
        }
    }
    let switch = |on: bool| {
        let answer = people
            .fabrikam
            .post("/api/v1/settings/lockbox", &json!({ "enabled": on }));
        assert_eq!(answer.status, 200, "{}", answer.body);
    };
    let mut fixtures = HashMap::new();
    let lockbox_off_approval =
        |tenant: &str, state: &str| tenant == FABRIKAM && state == "Approved";
    switch(true);
    for (key, tenant, state, service) in needs
        .iter()
        .filter(|(_, t, s, _)| !lockbox_off_approval(t, s))
    {
        fixtures.insert(*key, fixture_in(tenant, state, service, &people));
    }
    switch(false);
    for (key, tenant, state, service) in needs
        .iter()
        .filter(|(_, t, s, _)| lockbox_off_approval(t, s))
    {
        fixtures.insert(*key, fixture_in(tenant, state, service, &people));
    }
    fixtures
}

/// The call a cell makes: method, path and body.
fn call_of(
    action: Action,
    tenant: &str,
    own_tenant: &str,
    id: &str,
) -> (&'static str, String, String) {
    let post = |path: String, body: serde_json::Value| ("POST", path, body.to_string());
    let get = |path: String| ("GET", path, String::new());
    let verb = |verb: &str| post(format!("/api/v1/requests/{id}/{verb}"), json!({}));
    match action {
        Action::ReadOwnProfile => get("/api/v1/me".into()),
        Action::ListRoleHolders => get(format!("/api/v1/roles?tenant={tenant}")),
        Action::ReadLockboxSetting => get(format!("/api/v1/settings/lockbox?tenant={tenant}")),
        Action::SearchAudit => get(format!("/api/v1/audit?tenant={tenant}&limit=500")),
        // Both formats: CSV for the own tenant's cell, JSON lines for the
        // other's (the tenant is always the caller's own).
        Action::ExportAudit => get(export_path(tenant, own_tenant)),
        Action::ChangeRoles => {
            let target = if tenant == CONTOSO {
                "approver1@contoso.example"
            } else {
                "approver@fabrikam.example"
            };
            // Allowed callers change nothing: the own tenant's cell gives
            // a role the person holds, the other tenant's removes one they
            // do not hold.
            if tenant == own_tenant {
                post(
                    "/api/v1/roles/assign".into(),
                    json!({ "email": target, "role": "approver" }),
                )
            } else {
                post(
                    "/api/v1/roles/remove".into(),
                    json!({ "email": target, "role": "auditor" }),
                )
            }
        }
        Action::SetLockboxSetting => post(
            "/api/v1/settings/lockbox".into(),
            json!({ "enabled": own_tenant == CONTOSO }),
        ),
        // Lifting a freeze there is none of: allowed, and no change (the
        // freeze itself is tested on Tailspin alone).
        Action::FreezeTenant => post("/api/v1/settings/freeze".into(), json!({ "frozen": false })),
        // Setting what is in force (1): allowed, and no change.
        Action::SetApprovalsRequired => post(
            "/api/v1/settings/approvals".into(),
            json!({ "required": 1 }),
        ),
        // Setting what is in force (English): allowed, and no change.
        Action::SetDefaultLanguage => post(
            "/api/v1/settings/language".into(),
            json!({ "language": "en" }),
        ),
        // Removing a choice nobody made: allowed, and no change.
        Action::ChooseOwnLanguage => {
            post("/api/v1/me/language".into(), json!({ "language": null }))
        }
        Action::ListTenantRequests | Action::ListOwnRequests => {
            get(format!("/api/v1/requests?tenant={tenant}&limit=200"))
        }
        Action::ReadRequest => get(format!("/api/v1/requests/{id}")),
        Action::Approve => verb("approve"),
        Action::Deny => verb("deny"),
        Action::Revoke => verb("revoke"),
        Action::ReviewEmergency => verb("ratify"),
        // Setting what is in force (the defaults): allowed, and no change.
        Action::SetEmergencyAccess => post(
            "/api/v1/settings/emergency".into(),
            json!({ "allowed": true, "content": false, "dispute_freezes": false }),
        ),
        Action::CancelRequest => verb("cancel"),
        Action::Preapprove => verb("preapprove"),
        Action::Reject => verb("reject"),
        Action::ListTenants => get("/api/v1/tenants".into()),
        Action::CreateRequest => post(
            "/api/v1/requests".into(),
            json!({"tenant_id": tenant, "service": "files", "ticket": "SR-MATRIX", "reason": "Matrix", "duration_minutes": 5, "operations": lockbox_tests::operations_of("files")}),
        ),
        Action::CheckAccess => get(format!("/api/v1/access/check?tenant={tenant}&service=mail")),
        Action::ListAwaitingPreapproval => get("/api/v1/requests/awaiting-preapproval".into()),
        Action::ListOperations => get("/api/v1/operations?service=mail".into()),
        Action::RunOperation => post(run_operation_path(tenant), json!({})),
        Action::ExtendGrant => post(
            format!("/api/v1/requests/{id}/extend"),
            json!({ "minutes": 15, "reason": "Matrix" }),
        ),
        Action::IssueGrantToken => post(format!("/api/v1/requests/{id}/grant-token"), json!({})),
        Action::ManageProviderServices => get("/api/v1/provider/services".into()),
        Action::ManageNotifications if tenant == own_tenant => post(
            "/api/v1/settings/notifications/webhooks".into(),
            json!({ "url": "https://hooks.invalid/matrix", "events": ["request.pending"] }),
        ),
        Action::ManageNotifications => (
            "DELETE",
            format!("/api/v1/settings/notifications/webhooks/{id}"),
            String::new(),
        ),
    }
}

/// An endpoint id no tenant has (the placeholder id of the other cells).
const NO_ENDPOINT: &str = "00000000-0000-4000-8000-000000000000";

/// A `ManageNotifications` cell: the own tenant's adds an endpoint, reads
/// the settings, replaces its secret and removes it again; the other's
/// removes one that is not the caller's and replaces its secret. A fault
/// if the steps disagree, or if a secret shows anywhere but in the answer
/// that made it.
fn manage_notifications(session: &Session, own: bool) -> (u16, Option<String>) {
    if !own {
        let path = format!("/api/v1/settings/notifications/webhooks/{NO_ENDPOINT}");
        let removed = session.delete(&path).status;
        let rotated = session
            .post(&format!("{path}/rotate-secret"), &json!({}))
            .status;
        let fault = (rotated != removed)
            .then(|| format!("removing gave {removed} but replacing the secret {rotated}"));
        return (removed, fault);
    }
    let created = session.post(
        "/api/v1/settings/notifications/webhooks",
        &json!({ "url": "https://hooks.invalid/matrix", "events": ["request.pending"] }),
    );
    let listed = session.get("/api/v1/settings/notifications");
    if created.status != 201 {
        let fault = (listed.status != created.status).then(|| {
            format!(
                "adding gave {} but reading {}",
                created.status, listed.status
            )
        });
        return (created.status, fault);
    }
    let body = created.json();
    let id = body["endpoint"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let secret = body["secret"].as_str().unwrap_or_default().to_owned();
    let rotated = session.post(
        &format!("/api/v1/settings/notifications/webhooks/{id}/rotate-secret"),
        &json!({}),
    );
    let new_secret = rotated.json()["secret"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let relisted = session.get("/api/v1/settings/notifications");
    let removed = session.delete(&format!("/api/v1/settings/notifications/webhooks/{id}"));
    let fault = if listed.status != 200 || !listed.body.contains(&id) {
        Some(format!(
            "the settings did not list the endpoint: {}",
            listed.body
        ))
    } else if secret.is_empty() || listed.body.contains(&secret) {
        Some("the secret was missing when created, or shown again when read".to_owned())
    } else if rotated.status != 200 || new_secret.is_empty() || new_secret == secret {
        Some(format!(
            "replacing the secret gave {}: {}",
            rotated.status, rotated.body
        ))
    } else if relisted.status != 200
        || relisted.body.contains(&new_secret)
        || relisted.body.contains(&secret)
    {
        Some("a replaced or new secret was shown again when read".to_owned())
    } else if removed.status != 204 {
        Some(format!("removing it gave {}", removed.status))
    } else {
        None
    };
    (created.status, fault)
}

/// The operator call a `RunOperation` cell makes: list the root of
/// `tenant`'s drive (the fixtures are files grants).
fn run_operation_path(tenant: &str) -> String {
    format!("/api/v1/tenants/{tenant}/services/files/operations/Get-DriveItemList")
}

/// Performs `action` as `session`; returns the status and, for listings, a
/// fault if the answer shows something the caller must not see.
fn perform(
    session: &Session,
    action: Action,
    tenant: &str,
    fixture: Option<&str>,
) -> (u16, Option<String>) {
    let id = fixture.unwrap_or("00000000-0000-4000-8000-000000000000");
    let (own_tenant, _) = tenants_of(&session.email);
    let verb = |verb: &str| {
        session
            .post(&format!("/api/v1/requests/{id}/{verb}"), &json!({}))
            .status
    };
    match action {
        Action::ManageNotifications => manage_notifications(session, tenant == own_tenant),
        Action::ReadOwnProfile => (session.get("/api/v1/me").status, None),
        Action::ListRoleHolders | Action::ReadLockboxSetting => {
            // A tenant named in the URL is ignored: the tenant comes from
            // the caller, never from the URL alone.
            let path = if action == Action::ListRoleHolders {
                "roles"
            } else {
                "settings/lockbox"
            };
            let answer = session.get(&format!("/api/v1/{path}?tenant={tenant}"));
            let mut fault = (answer.status == 200 && answer.json()["tenant_id"] != own_tenant)
                .then(|| format!("answered about {}", answer.json()["tenant_id"]));
            if action == Action::ReadLockboxSetting {
                // The freeze and the approvals required are read by the
                // same people, about their own.
                for setting in ["freeze", "approvals", "language", "emergency"] {
                    let other = session.get(&format!("/api/v1/settings/{setting}?tenant={tenant}"));
                    if other.status != answer.status
                        || (other.status == 200 && other.json()["tenant_id"] != own_tenant)
                    {
                        fault = Some(format!(
                            "the {setting} setting answered {} {}",
                            other.status, other.body
                        ));
                    }
                }
            }
            (answer.status, fault)
        }
        Action::SearchAudit => {
            let answer = session.get(&format!("/api/v1/audit?tenant={tenant}&limit=500"));
            let fault = (answer.status == 200)
                .then(|| {
                    answer.json()["items"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default()
                })
                .and_then(|items| items.into_iter().find(|r| r["tenant_id"] != own_tenant))
                .map(|r| format!("showed a record of {}", r["tenant_id"]));
            (answer.status, fault)
        }
        Action::ExportAudit => {
            // The last hour only: the export's size does not matter here.
            let since = lockbox_tests::now_ms() - 3_600_000;
            let answer = session.get(&format!(
                "{}&start={since}",
                export_path(tenant, own_tenant)
            ));
            let fault = (answer.status == 200)
                .then(|| {
                    answer
                        .body
                        .lines()
                        .filter(|l| l.contains("tenant_id"))
                        .find(|l| !l.contains(own_tenant))
                        .map(|l| format!("exported a record of another tenant: {l}"))
                })
                .flatten();
            (answer.status, fault)
        }
        Action::ChangeRoles => {
            // Removing a role the person does not hold: allowed callers get
            // 200 and nothing changes.
            let target = if tenant == CONTOSO {
                "approver1@contoso.example"
            } else {
                "approver@fabrikam.example"
            };
            let answer = session.post(
                "/api/v1/roles/remove",
                &json!({ "email": target, "role": "auditor" }),
            );
            (answer.status, None)
        }
        Action::SetDefaultLanguage => {
            let answer = session.post("/api/v1/settings/language", &json!({ "language": "en" }));
            let fault = (answer.status == 200
                && (answer.json()["language"] != "en" || answer.json()["tenant_id"] != own_tenant))
                .then(|| format!("answered {}", answer.body));
            (answer.status, fault)
        }
        Action::ChooseOwnLanguage => {
            let answer = session.post("/api/v1/me/language", &json!({ "language": null }));
            let fault = (answer.status == 200 && answer.json()["email"] != session.email)
                .then(|| format!("answered {}", answer.body));
            (answer.status, fault)
        }
        Action::SetApprovalsRequired => {
            let answer = session.post("/api/v1/settings/approvals", &json!({ "required": 1 }));
            let fault = (answer.status == 200 && answer.json()["required"] != 1)
                .then(|| format!("answered {}", answer.body));
            (answer.status, fault)
        }
        Action::FreezeTenant => {
            let answer = session.post("/api/v1/settings/freeze", &json!({ "frozen": false }));
            let fault = (answer.status == 200 && answer.json()["frozen"] != false)
                .then(|| format!("answered {}", answer.body));
            (answer.status, fault)
        }
        Action::SetLockboxSetting => {
            // Setting the switch to what it is: allowed, and no change.
            let enabled = own_tenant == CONTOSO;
            let answer = session.post("/api/v1/settings/lockbox", &json!({ "enabled": enabled }));
            (answer.status, None)
        }
        Action::ListTenantRequests | Action::ListOwnRequests => {
            let answer = session.get(&format!("/api/v1/requests?tenant={tenant}&limit=200"));
            let mut fault = None;
            if answer.status == 200 {
                let me = session.get("/api/v1/me").json();
                for item in answer.json()["items"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                {
                    let provider = me["membership"]["side"] == "provider";
                    // Provider staff: what they opened or decided as
                    // manager. Customers: their tenant's requests from the
                    // manager's pre-approval on.
                    let wrong = if provider {
                        item["requester_email"] != session.email.as_str()
                            && item["manager_email"] != session.email.as_str()
                    } else {
                        item["tenant_id"] != own_tenant
                            || item["manager_decided_at"].is_null()
                            || item["state"] == "Rejected"
                    };
                    if wrong {
                        fault = Some(format!("listed {}", item["id"]));
                    }
                }
            }
            (answer.status, fault)
        }
        Action::ReadRequest => {
            let status = session.get(&format!("/api/v1/requests/{id}")).status;
            // Its receipt is for the same people; this request, pending
            // for the customer, has no decision yet (409).
            let receipt = session
                .get(&format!("/api/v1/requests/{id}/receipt"))
                .status;
            // Its report too: for the same people, and none before its
            // grant ends (409).
            let report = session.get(&format!("/api/v1/requests/{id}/report")).status;
            let expected = if status == 200 { 409 } else { status };
            let fault = (receipt != expected)
                .then(|| format!("its receipt answered {receipt}, not {expected}"))
                .or_else(|| {
                    (report != expected)
                        .then(|| format!("its report answered {report}, not {expected}"))
                });
            (status, fault)
        }
        Action::Approve => (verb("approve"), None),
        Action::Deny => (verb("deny"), None),
        Action::Revoke => (verb("revoke"), None),
        Action::ReviewEmergency => {
            // A dispute is the same people's, with a comment.
            let ratify = verb("ratify");
            let dispute = session
                .post(
                    &format!("/api/v1/requests/{id}/dispute"),
                    &json!({ "comment": "Matrix" }),
                )
                .status;
            let fault =
                (dispute != ratify).then(|| format!("ratify answered {ratify}, dispute {dispute}"));
            (ratify, fault)
        }
        Action::SetEmergencyAccess => {
            let answer = session.post(
                "/api/v1/settings/emergency",
                &json!({ "allowed": true, "content": false, "dispute_freezes": false }),
            );
            let fault = (answer.status == 200
                && (answer.json()["allowed"] != true || answer.json()["tenant_id"] != own_tenant))
                .then(|| format!("answered {}", answer.body));
            (answer.status, fault)
        }
        Action::CancelRequest => (verb("cancel"), None),
        Action::Preapprove => (verb("preapprove"), None),
        Action::Reject => (verb("reject"), None),
        Action::ListTenants => (session.get("/api/v1/tenants").status, None),
        Action::CreateRequest => {
            let answer = session.post(
                "/api/v1/requests",
                &json!({"tenant_id": tenant, "service": "files", "ticket": "SR-MATRIX", "reason": "Matrix", "duration_minutes": 5, "operations": lockbox_tests::operations_of("files")}),
            );
            (answer.status, None)
        }
        Action::CheckAccess => (
            session
                .get(&format!(
                    "/api/v1/access/check?tenant={tenant}&service=mail"
                ))
                .status,
            None,
        ),
        Action::ListAwaitingPreapproval => (
            session.get("/api/v1/requests/awaiting-preapproval").status,
            None,
        ),
        Action::ListOperations => (session.get("/api/v1/operations?service=mail").status, None),
        Action::IssueGrantToken => {
            let answer = session.post(&format!("/api/v1/requests/{id}/grant-token"), &json!({}));
            let fault = (answer.status == 201 && answer.json()["request_id"] != id)
                .then(|| format!("answered {}", answer.body));
            (answer.status, fault)
        }
        Action::ManageProviderServices => (session.get("/api/v1/provider/services").status, None),
        Action::ExtendGrant => {
            let answer = session.post(
                &format!("/api/v1/requests/{id}/extend"),
                &json!({ "minutes": 15, "reason": "Matrix" }),
            );
            let fault = (answer.status == 201 && answer.json()["extends"] != id)
                .then(|| format!("answered {}", answer.body));
            (answer.status, fault)
        }
        Action::RunOperation => {
            let answer = session.post(&run_operation_path(tenant), &json!({}));
            // The content answered must be the tenant's own.
            let fault = (answer.status == 200 && answer.json()["tenant_id"] != tenant)
                .then(|| format!("answered with content of {}", answer.json()["tenant_id"]));
            (answer.status, fault)
        }
    }
}

#[test]
fn the_matrix_lists_every_action() {
    let listed: HashSet<Action> = MATRIX.iter().map(|row| row.0).collect();
    let all: HashSet<Action> = Action::ALL.into_iter().collect();
    assert_eq!(
        listed, all,
        "an action exists that the matrix does not list"
    );
    for (action, _, own, other) in MATRIX {
        assert_eq!(
            (own.len(), other.len()),
            (PEOPLE.len(), PEOPLE.len()),
            "{action:?}"
        );
    }
}

/// Every documented (method, path template) of the API.
fn documented_routes() -> HashSet<(String, String)> {
    let doc: serde_json::Value =
        serde_json::from_str(lockbox_tests::openapi::DOCUMENT).expect("JSON");
    let mut out = HashSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                out.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    out
}

/// The routes no identity is needed for, or that exist only in local
/// development: (method, path, body, answer on the dev server, answer on
/// the server without the dev variables), called with no sign-in.
const PUBLIC_CELLS: &[(&str, &str, &str, u16, u16)] = &[
    ("GET", "/api/v1/health", "", 200, 200),
    ("GET", "/api/v1/openapi.json", "", 200, 200),
    ("POST", "/api/v1/sign-out", "{}", 200, 200),
    ("GET", "/api/v1/dev/people", "", 200, 404),
    (
        "POST",
        "/api/v1/dev/sign-in",
        r#"{"email":"nobody@nowhere.example"}"#,
        404,
        404,
    ),
    (
        "POST",
        "/api/v1/dev/shift-request",
        r#"{"request_id":"00000000-0000-4000-8000-000000000000","ms":1}"#,
        404,
        404,
    ),
    ("POST", "/api/v1/dev/seed", "{}", 200, 404),
    ("GET", "/api/v1/dev/outbox", "", 200, 404),
    (
        "GET",
        "/api/v1/dev/tenant-objects/7c0a8f4e-5a1b-4c3d-9e2f-000000000002",
        "",
        200,
        404,
    ),
    (
        "POST",
        "/api/v1/dev/outbox/due",
        r#"{"request_id":"00000000-0000-4000-8000-000000000000"}"#,
        200,
        404,
    ),
    (
        "POST",
        "/api/v1/dev/mail-sink/failures",
        r#"{"request_id":"00000000-0000-4000-8000-000000000000","kind":"expired","count":0}"#,
        204,
        404,
    ),
    (
        "POST",
        "/api/v1/dev/seed-audit",
        r#"{"tenant_id":"7c0a8f4e-5a1b-4c3d-9e2f-000000000002","count":1}"#,
        200,
        404,
    ),
    // Without ACCESS_ISSUER and ACCESS_AUD no token can be checked: the
    // server says it is misconfigured rather than pretending to check.
    ("GET", "/api/v1/me", "", 401, 500),
    ("GET", "/api/v1/audit/checkpoint", "", 401, 500),
    ("GET", "/api/v1/audit/records/1/proof", "", 401, 500),
    ("GET", "/api/v1/audit/consistency?from=0", "", 401, 500),
    // Public; the second server has no signing key, and says so.
    ("GET", "/api/v1/audit/public-key", "", 200, 500),
    ("GET", "/api/v1/keys", "", 200, 500),
    ("GET", "/.well-known/jwks.json", "", 200, 500),
    ("POST", "/api/v1/dev/service-assertion", "{}", 200, 404),
    // The integration admins' routes (each identity: provider.rs) ...
    ("GET", "/api/v1/provider/services", "", 401, 500),
    ("POST", "/api/v1/provider/services", "{}", 401, 500),
    ("GET", "/api/v1/provider/services/svc:none", "", 401, 500),
    ("DELETE", "/api/v1/provider/services/svc:none", "", 401, 500),
    ("GET", "/api/v1/provider/log", "", 401, 500),
    (
        "POST",
        "/api/v1/provider/tenants/7c0a8f4e-5a1b-4c3d-9e2f-000000000002/move",
        "{}",
        401,
        500,
    ),
    (
        "GET",
        "/api/v1/provider/tenants/7c0a8f4e-5a1b-4c3d-9e2f-000000000002/export",
        "",
        401,
        500,
    ),
    // ... and the services' (a service signs in with its own assertion,
    // which needs no Access configuration).
    ("GET", "/api/v1/provider/revocations", "", 401, 401),
    (
        "POST",
        "/api/v1/provider/actions",
        r#"{"grant":"x","batch_id":"m","actions":[{"operation":"Get-Mailbox"}]}"#,
        401,
        401,
    ),
];

fn anonymous(base: &str, method: &str, path: &str, body: &str) -> u16 {
    let url = format!("{base}{path}");
    let client = lockbox_tests::client();
    if method == "GET" {
        lockbox_tests::read(client.get(&url).call()).status
    } else if method == "DELETE" {
        lockbox_tests::read(client.delete(&url).call()).status
    } else {
        lockbox_tests::read(
            client
                .post(&url)
                .header("Content-Type", "application/json")
                .send(body),
        )
        .status
    }
}

#[test]
fn public_and_dev_routes_answer_as_the_matrix_says_on_both_servers() {
    let (_server, prod_like) = lockbox_tests::prod_like();
    // dev/seed runs the sweep: keep it out of the cron tests' windows.
    let _cron = lockbox_tests::cron_lock();
    let mut failures = Vec::new();
    for (method, path, body, dev, prod) in PUBLIC_CELLS {
        for (base, expected) in [(lockbox_tests::base_url(), dev), (prod_like.clone(), prod)] {
            let status = anonymous(&base, method, path, body);
            if status != *expected {
                failures.push(format!(
                    "{method} {path} on {base}: expected {expected}, got {status}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_matrix_calls_every_route_the_api_documents() {
    let mut called: HashSet<(String, String)> = PUBLIC_CELLS
        .iter()
        .map(|(method, path, ..)| {
            let path = path.split('?').next().unwrap_or_default();
            (
                method.to_string(),
                path.replace("/records/1/", "/records/{id}/")
                    .replace("svc:none", "{service_id}")
                    .replace(
                        "/provider/tenants/7c0a8f4e-5a1b-4c3d-9e2f-000000000002/",
                        "/provider/tenants/{id}/",
                    )
                    .replace(
                        "/tenant-objects/7c0a8f4e-5a1b-4c3d-9e2f-000000000002",
                        "/tenant-objects/{id}",
                    ),
            )
        })
        .collect();
    let id = "00000000-0000-4000-8000-000000000000";
    for (action, ..) in MATRIX {
        for tenant in [CONTOSO, FABRIKAM] {
            let (method, path, _) = call_of(*action, tenant, tenant, id);
            called.insert((
                method.to_owned(),
                path.split('?')
                    .next()
                    .unwrap_or_default()
                    .replace(id, "{id}"),
            ));
            let (method, path, _) = call_of(*action, tenant, CONTOSO, id);
            let path = path
                .split('?')
                .next()
                .unwrap_or_default()
                .replace(id, "{id}");
            called.insert((method.to_owned(), path));
            if *action == Action::ManageNotifications {
                // The own tenant's cell reads the settings between adding
                // and removing (`manage_notifications`).
                called.insert((
                    "GET".to_owned(),
                    "/api/v1/settings/notifications".to_owned(),
                ));
                called.insert((
                    "POST".to_owned(),
                    "/api/v1/settings/notifications/webhooks/{id}/rotate-secret".to_owned(),
                ));
            }
            if *action == Action::ReadLockboxSetting {
                called.insert(("GET".to_owned(), "/api/v1/settings/freeze".to_owned()));
                called.insert(("GET".to_owned(), "/api/v1/settings/approvals".to_owned()));
                called.insert(("GET".to_owned(), "/api/v1/settings/language".to_owned()));
                called.insert(("GET".to_owned(), "/api/v1/settings/emergency".to_owned()));
            }
            if *action == Action::ReadRequest {
                called.insert(("GET".to_owned(), "/api/v1/requests/{id}/receipt".to_owned()));
                called.insert(("GET".to_owned(), "/api/v1/requests/{id}/report".to_owned()));
            }
            if *action == Action::ReviewEmergency {
                called.insert((
                    "POST".to_owned(),
                    "/api/v1/requests/{id}/dispute".to_owned(),
                ));
            }
            if *action == Action::RunOperation {
                called.insert((
                    method.to_owned(),
                    "/api/v1/tenants/{tenant_id}/services/{service}/operations/{operation}"
                        .to_owned(),
                ));
            }
        }
    }
    let missing: Vec<_> = documented_routes().difference(&called).cloned().collect();
    assert!(
        missing.is_empty(),
        "routes no matrix cell calls: {missing:?}"
    );
}

#[test]
fn every_identity_gets_exactly_what_the_matrix_says() {
    // Holds the switch still: SetLockboxSetting cells set it to its value.
    let _switch = lockbox_tests::switch_lock();
    let fixtures = make_fixtures();
    let sessions: Vec<Session> = PEOPLE.iter().map(|email| sign_in(email)).collect();
    let mut asserted = 0;
    let mut sent = 0;
    let mut seen: HashMap<(usize, &str, String, String), (char, String)> = HashMap::new();
    let mut failures = Vec::new();
    for (action, fixture, own, other) in MATRIX {
        for (person, session) in sessions.iter().enumerate() {
            let (own_tenant, other_tenant) = tenants_of(PEOPLE[person]);
            for (is_other, codes, tenant) in [(false, own, own_tenant), (true, other, other_tenant)]
            {
                let expect = codes.as_bytes()[person] as char;
                let id = fixtures
                    .get(&(person, *action, *fixture, is_other))
                    .map(String::as_str);
                let (method, path, body) = call_of(
                    *action,
                    tenant,
                    own_tenant,
                    id.unwrap_or("00000000-0000-4000-8000-000000000000"),
                );
                let cell = format!(
                    "{} {action:?} ({fixture:?}) on {}",
                    PEOPLE[person],
                    if is_other { "other" } else { "own" }
                );
                if let Some((earlier, earlier_cell)) =
                    seen.get(&(person, method, path.clone(), body.clone()))
                {
                    if *earlier != expect {
                        failures.push(format!("{cell} expects {expect}, but the identical call of {earlier_cell} expects {earlier}"));
                    }
                    asserted += 1;
                    continue;
                }
                seen.insert((person, method, path, body), (expect, cell));
                sent += 1;
                let (status, fault) = perform(session, *action, tenant, id);
                let ok = match expect {
                    'A' => (200..300).contains(&status),
                    'D' => status == 403,
                    'H' => status == 404,
                    'C' => status == 409,
                    _ => false,
                };
                let target = if is_other { "other" } else { "own" };
                if !ok {
                    failures.push(format!(
                        "{} {action:?} ({fixture:?}) on {target} tenant: expected {expect}, got {status}",
                        PEOPLE[person]
                    ));
                }
                if let Some(fault) = fault {
                    failures.push(format!(
                        "{} {action:?} on {target} tenant: {fault}",
                        PEOPLE[person]
                    ));
                }
                asserted += 1;
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {asserted} cells wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(asserted, MATRIX.len() * PEOPLE.len() * 2);
    println!("authorization matrix: {asserted} cells asserted, {sent} distinct calls sent");
}
