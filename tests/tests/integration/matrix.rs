//! The authorization matrix, through HTTP: every API action × every demo
//! identity × own tenant / other tenant → the answer expected.

use std::collections::HashSet;

use lockbox_shared::policy::Action;
use lockbox_tests::{sign_in, Session, CONTOSO, FABRIKAM};
use serde_json::json;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Own,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// 2xx.
    Allow,
    /// 403: may not.
    Deny,
    /// 404: the other tenant's object does not exist for this caller.
    Hidden,
}

use Expect::{Allow, Deny, Hidden};

/// (identity, [ReadOwnProfile, ListRoleHolders, ChangeRoles] for own tenant,
///  the same for the other tenant).
type Row = (&'static str, [Expect; 3], [Expect; 3]);

const MATRIX: &[Row] = &[
    (
        "admin@contoso.example",
        [Allow, Allow, Allow],
        [Allow, Allow, Hidden],
    ),
    (
        "approver1@contoso.example",
        [Allow, Allow, Deny],
        [Allow, Allow, Hidden],
    ),
    (
        "approver2@contoso.example",
        [Allow, Allow, Deny],
        [Allow, Allow, Hidden],
    ),
    (
        "auditor@contoso.example",
        [Allow, Allow, Deny],
        [Allow, Allow, Hidden],
    ),
    (
        "user@contoso.example",
        [Allow, Deny, Deny],
        [Allow, Deny, Hidden],
    ),
    (
        "admin@fabrikam.example",
        [Allow, Allow, Allow],
        [Allow, Allow, Hidden],
    ),
    (
        "approver@fabrikam.example",
        [Allow, Allow, Deny],
        [Allow, Allow, Hidden],
    ),
    (
        "engineer1@provider.example",
        [Allow, Deny, Deny],
        [Allow, Deny, Deny],
    ),
    (
        "engineer2@provider.example",
        [Allow, Deny, Deny],
        [Allow, Deny, Deny],
    ),
    (
        "manager@provider.example",
        [Allow, Deny, Deny],
        [Allow, Deny, Deny],
    ),
];

/// The order of the expectation columns above.
const ACTIONS: [Action; 3] = [
    Action::ReadOwnProfile,
    Action::ListRoleHolders,
    Action::ChangeRoles,
];

fn tenants_of(email: &str) -> (&'static str, &'static str) {
    if email.ends_with("@fabrikam.example") {
        (FABRIKAM, CONTOSO)
    } else {
        // Provider staff have no tenant: "own" is Contoso, "other" Fabrikam,
        // and both must be refused alike.
        (CONTOSO, FABRIKAM)
    }
}

/// Performs `action` as `session` against `tenant`; returns the status and,
/// for listings, the tenant the answer was about.
fn perform(session: &Session, action: Action, tenant: &str) -> (u16, Option<String>) {
    match action {
        Action::ReadOwnProfile => (session.get("/api/v1/me").status, None),
        Action::ListRoleHolders => {
            // A tenant named in the URL must be ignored: the tenant comes
            // from the caller, never from the URL alone.
            let answer = session.get(&format!("/api/v1/roles?tenant={tenant}"));
            let about = (answer.status == 200).then(|| {
                answer.json()["tenant_id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            });
            (answer.status, about)
        }
        Action::ChangeRoles => {
            // Removing a role the person does not hold: allowed callers get
            // 200 and nothing changes, so the matrix leaves no trace.
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
    }
}

#[test]
fn the_matrix_lists_every_action() {
    let listed: HashSet<Action> = ACTIONS.into_iter().collect();
    let all: HashSet<Action> = Action::ALL.into_iter().collect();
    assert_eq!(
        listed, all,
        "an action exists that the matrix does not list"
    );
}

#[test]
fn every_identity_gets_exactly_what_the_matrix_says() {
    let mut asserted = 0;
    let mut failures = Vec::new();
    for (email, own, other) in MATRIX {
        let session = sign_in(email);
        let (own_tenant, other_tenant) = tenants_of(email);
        for (target, expectations, tenant) in [
            (Target::Own, own, own_tenant),
            (Target::Other, other, other_tenant),
        ] {
            for (action, expect) in ACTIONS.iter().zip(expectations.iter()) {
                let (status, about) = perform(&session, *action, tenant);
                let ok = match expect {
                    Allow => (200..300).contains(&status),
                    Deny => status == 403,
                    Hidden => status == 404,
                };
                if !ok {
                    failures.push(format!(
                        "{email} {action:?} {target:?}: expected {expect:?}, got {status}"
                    ));
                }
                if let Some(about) = about {
                    if about != own_tenant {
                        failures.push(format!(
                            "{email} {action:?} {target:?}: answered about tenant {about}"
                        ));
                    }
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
    assert_eq!(asserted, MATRIX.len() * 2 * ACTIONS.len());
    println!("authorization matrix: {asserted} cells asserted");
}
