//! People, their tenants and roles.

use lockbox_shared::api::{DevPerson, RoleHolder, RoleMembers, TenantMember, TenantRoles};
use lockbox_shared::audit::NewAuditRecord;
use lockbox_shared::i18n::Lang;
use lockbox_shared::ids::{TenantId, UserId};
use lockbox_shared::roles::{CustomerRole, Membership, Principal, ProviderRole};
use serde::Deserialize;

use super::audit;
use super::db::{first, Condition, Database, DbError, Statement};

/// A person as stored.
#[derive(Debug, Clone, Deserialize)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub tenant_id: Option<String>,
    pub tenant_name: Option<String>,
}

/// A person, parsed.
#[derive(Debug, Clone)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub tenant_id: Option<TenantId>,
}

fn corrupt(what: &str, why: String) -> DbError {
    DbError::Corrupt(format!("{what}: {why}"))
}

/// The person with this e-mail (case-insensitive), if any.
pub async fn user_by_email<D: Database>(db: &D, email: &str) -> Result<Option<UserRow>, DbError> {
    first(
        db,
        Statement::new(
            "SELECT u.id, u.email, u.display_name, u.tenant_id, t.name AS tenant_name \
             FROM users u LEFT JOIN tenants t ON t.id = u.tenant_id WHERE u.email = ?",
            vec![email.into()],
        ),
    )
    .await
}

/// A person's own language and their organisation's default (none for
/// provider staff).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Languages {
    pub language: Option<Lang>,
    pub tenant_language: Option<Lang>,
}

/// The languages of the person `user_id` (none when there is no such
/// person).
pub async fn languages<D: Database>(db: &D, user_id: &UserId) -> Result<Languages, DbError> {
    Ok(first(
        db,
        Statement::new(
            "SELECT u.language, t.default_language AS tenant_language \
             FROM users u LEFT JOIN tenants t ON t.id = u.tenant_id WHERE u.id = ?",
            vec![user_id.as_str().into()],
        ),
    )
    .await?
    .unwrap_or_default())
}

/// Keeps `language` as the person's own choice (`None`: no choice).
pub async fn set_language<D: Database>(
    db: &D,
    user_id: &UserId,
    language: Option<Lang>,
) -> Result<(), DbError> {
    db.batch(vec![Statement::new(
        "UPDATE users SET language = ? WHERE id = ?",
        vec![language.map(Lang::as_str).into(), user_id.as_str().into()],
    )])
    .await?;
    Ok(())
}

/// The person with this e-mail, with parsed ids.
pub async fn user<D: Database>(db: &D, email: &str) -> Result<Option<User>, DbError> {
    let Some(row) = user_by_email(db, email).await? else {
        return Ok(None);
    };
    let what = format!("user {}", row.id);
    Ok(Some(User {
        id: UserId::parse(&row.id).map_err(|e| corrupt(&what, e.message))?,
        email: row.email,
        tenant_id: row
            .tenant_id
            .map(|t| TenantId::parse(&t))
            .transpose()
            .map_err(|e| corrupt(&what, e.message))?,
    }))
}

/// A person with their roles, as [`principal_statement`] selects them:
/// each side's roles joined by commas (role names have none).
#[derive(Deserialize)]
pub struct PrincipalRow {
    id: String,
    email: String,
    display_name: String,
    tenant_id: Option<String>,
    tenant_name: Option<String>,
    customer_roles: Option<String>,
    provider_roles: Option<String>,
}

/// The person with this e-mail and every role they hold, in one query:
/// their tenant's roles for a customer person, provider roles otherwise.
pub fn principal_statement(identity: &str) -> Statement {
    Statement::new(
        "SELECT u.id, u.email, u.display_name, u.tenant_id, t.name AS tenant_name, \
         (SELECT group_concat(r.role) FROM customer_roles r \
          WHERE r.user_id = u.id AND r.tenant_id = u.tenant_id) AS customer_roles, \
         (SELECT group_concat(r.role) FROM provider_roles r WHERE r.user_id = u.id) AS provider_roles \
         FROM users u LEFT JOIN tenants t ON t.id = u.tenant_id WHERE u.email = ?",
        vec![identity.into()],
    )
}

/// The roles a comma-joined list names, sorted; an unknown name is an error.
fn roles<R: Ord>(
    joined: Option<&str>,
    parse: fn(&str) -> Option<R>,
    whose: &str,
) -> Result<Vec<R>, DbError> {
    let mut roles = joined
        .unwrap_or_default()
        .split(',')
        .filter(|name| !name.is_empty())
        .map(|name| parse(name).ok_or_else(|| corrupt(whose, format!("role {name:?}"))))
        .collect::<Result<Vec<_>, _>>()?;
    roles.sort();
    Ok(roles)
}

/// The principal [`principal_statement`]'s rows describe, if any.
pub fn principal_from(rows: Vec<PrincipalRow>) -> Result<Option<Principal>, DbError> {
    let Some(user) = rows.into_iter().next() else {
        return Ok(None);
    };
    let what = format!("user {}", user.id);
    let user_id = UserId::parse(&user.id).map_err(|e| corrupt(&what, e.message))?;
    let membership = match (user.tenant_id, user.tenant_name) {
        (Some(tenant_id), Some(tenant_name)) => Membership::Customer {
            tenant_id: TenantId::parse(&tenant_id).map_err(|e| corrupt(&what, e.message))?,
            tenant_name,
            roles: roles(user.customer_roles.as_deref(), CustomerRole::parse, &what)?,
        },
        _ => Membership::Provider {
            roles: roles(user.provider_roles.as_deref(), ProviderRole::parse, &what)?,
        },
    };
    Ok(Some(Principal {
        user_id,
        email: user.email,
        display_name: user.display_name,
        membership,
    }))
}

/// Resolves a verified identity to a principal with its roles (one query).
pub async fn principal<D: Database>(db: &D, identity: &str) -> Result<Option<Principal>, DbError> {
    principal_from(db.query(principal_statement(identity)).await?)
}

/// [`principal`], and the rows of two more queries, in one round trip.
pub async fn principal_and_two<D: Database, A, B>(
    db: &D,
    identity: &str,
    (a, b): (Statement, Statement),
) -> Result<(Option<Principal>, Vec<A>, Vec<B>), DbError>
where
    A: serde::de::DeserializeOwned,
    B: serde::de::DeserializeOwned,
{
    let (rows, a, b) = super::db::query_triple(db, principal_statement(identity), a, b).await?;
    Ok((principal_from(rows)?, a, b))
}

/// [`principal`], and the rows of each of `then` (as JSON, for
/// [`super::db::decode`]), in one round trip. `then` must not depend on the
/// principal (write it in terms of the identity).
pub async fn principal_and_all<D: Database>(
    db: &D,
    identity: &str,
    then: Vec<Statement>,
) -> Result<(Option<Principal>, Vec<Vec<serde_json::Value>>), DbError> {
    let mut statements = vec![principal_statement(identity)];
    statements.extend(then);
    let mut sets = db.query_batch(statements).await?.into_iter();
    let principal = principal_from(super::db::decode(sets.next())?)?;
    Ok((principal, sets.collect()))
}

/// [`principal`], and the rows of `then`, in one round trip. `then` must
/// not depend on the principal (write it in terms of the identity).
pub async fn principal_and<D: Database, T: serde::de::DeserializeOwned>(
    db: &D,
    identity: &str,
    then: Statement,
) -> Result<(Option<Principal>, Vec<T>), DbError> {
    let (rows, then) = super::db::query_pair(db, principal_statement(identity), then).await?;
    Ok((principal_from(rows)?, then))
}

/// The tenant's roles with their holders, and its people.
pub async fn tenant_roles<D: Database>(
    db: &D,
    tenant_id: &TenantId,
    tenant_name: &str,
) -> Result<TenantRoles, DbError> {
    #[derive(Deserialize)]
    struct HolderRow {
        role: String,
        user_id: UserId,
        email: String,
        display_name: String,
        granted_by: Option<String>,
        granted_at: i64,
    }
    let holders: Vec<HolderRow> = db
        .query(Statement::new(
            "SELECT r.role, u.id AS user_id, u.email, u.display_name, r.granted_by, r.granted_at \
             FROM customer_roles r JOIN users u ON u.id = r.user_id \
             WHERE r.tenant_id = ? ORDER BY u.display_name",
            vec![tenant_id.as_str().into()],
        ))
        .await?;
    let members: Vec<TenantMember> = db
        .query(Statement::new(
            "SELECT id AS user_id, email, display_name FROM users WHERE tenant_id = ? ORDER BY display_name",
            vec![tenant_id.as_str().into()],
        ))
        .await?;
    let roles = CustomerRole::ALL
        .iter()
        .map(|&role| RoleMembers {
            role,
            label: role.label().to_owned(),
            assignable: role.is_assignable(),
            holders: holders
                .iter()
                .filter(|h| h.role == role.as_str())
                .map(|h| RoleHolder {
                    user_id: h.user_id.clone(),
                    email: h.email.clone(),
                    display_name: h.display_name.clone(),
                    granted_by: h.granted_by.clone(),
                    granted_at: h.granted_at,
                })
                .collect(),
        })
        .collect();
    Ok(TenantRoles {
        tenant_id: tenant_id.clone(),
        tenant_name: tenant_name.to_owned(),
        roles,
        members,
    })
}

/// "`user` holds (or, negated, does not hold) `role` in `tenant`".
fn holds_role(tenant: &TenantId, user: &UserId, role: CustomerRole, holds: bool) -> Condition {
    let not = if holds { "" } else { "NOT " };
    Condition::new(
        format!(
            "{not}EXISTS (SELECT 1 FROM customer_roles WHERE tenant_id = ? AND user_id = ? AND role = ?)"
        ),
        vec![tenant.as_str().into(), user.as_str().into(), role.as_str().into()],
    )
}

/// Gives `role` to `user` of `tenant`, with its audit record, unless they
/// already hold it. Returns whether anything changed.
pub async fn assign_role<D: Database>(
    db: &D,
    tenant: &TenantId,
    user: &UserId,
    role: CustomerRole,
    record: &NewAuditRecord,
    now: i64,
    notices: impl FnOnce(&Condition, &str) -> Vec<Statement>,
) -> Result<bool, DbError> {
    let absent = holds_role(tenant, user, role, false);
    let audit_id = audit::new_id();
    let mut statements = vec![audit::insert(record, &audit_id, now, Some(&absent))];
    statements.extend(notices(&absent, &audit_id));
    // The record's user is who granted it.
    statements.push(role_copy(
        tenant,
        user,
        role,
        Some(record.user.as_str()),
        now,
    ));
    let changes = super::db::batch_storing(db, tenant, statements).await?;
    Ok(changes.last() == Some(&1))
}

/// Takes `role` from `user` of `tenant`, with its audit record, if they
/// hold it. Returns whether anything changed.
pub async fn remove_role<D: Database>(
    db: &D,
    tenant: &TenantId,
    user: &UserId,
    role: CustomerRole,
    record: &NewAuditRecord,
    now: i64,
    notices: impl FnOnce(&Condition, &str) -> Vec<Statement>,
) -> Result<bool, DbError> {
    let held = holds_role(tenant, user, role, true);
    let audit_id = audit::new_id();
    let mut statements = vec![audit::insert(record, &audit_id, now, Some(&held))];
    statements.extend(notices(&held, &audit_id));
    statements.push(role_copy(tenant, user, role, None, now));
    let changes = super::db::batch_storing(db, tenant, statements).await?;
    Ok(changes.last() == Some(&1))
}

/// A role's row written: `granted_by` gives the role, `None` takes it
/// (writing it again changes nothing). A tenant's change and the
/// directory's copy of it are both this statement.
pub fn role_copy(
    tenant: &TenantId,
    user: &UserId,
    role: CustomerRole,
    granted_by: Option<&str>,
    now: i64,
) -> Statement {
    match granted_by {
        Some(by) => Statement::new(
            "INSERT INTO customer_roles (tenant_id, user_id, role, granted_by, granted_at) \
             VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            vec![
                tenant.as_str().into(),
                user.as_str().into(),
                role.as_str().into(),
                by.into(),
                now.into(),
            ],
        ),
        None => Statement::new(
            "DELETE FROM customer_roles WHERE tenant_id = ? AND user_id = ? AND role = ?",
            vec![
                tenant.as_str().into(),
                user.as_str().into(),
                role.as_str().into(),
            ],
        ),
    }
}

/// Everyone who can sign in, with their roles, for the local sign-in page.
pub async fn dev_people<D: Database>(db: &D) -> Result<Vec<DevPerson>, DbError> {
    #[derive(Deserialize)]
    struct Row {
        email: String,
        display_name: String,
        tenant_name: Option<String>,
        roles: Option<String>,
    }
    let rows: Vec<Row> = db
        .query(Statement::new(
            "SELECT u.email, u.display_name, t.name AS tenant_name, \
                    COALESCE((SELECT GROUP_CONCAT(role, ',') FROM customer_roles r WHERE r.user_id = u.id), \
                             (SELECT GROUP_CONCAT(role, ',') FROM provider_roles p WHERE p.user_id = u.id)) AS roles \
             FROM users u LEFT JOIN tenants t ON t.id = u.tenant_id \
             ORDER BY t.name IS NULL, t.name, u.email",
            vec![],
        ))
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| DevPerson {
            email: row.email,
            display_name: row.display_name,
            tenant_name: row.tenant_name,
            roles: row
                .roles
                .unwrap_or_default()
                .split(',')
                .filter_map(|r| {
                    CustomerRole::parse(r)
                        .map(|c| c.label().to_owned())
                        .or_else(|| ProviderRole::parse(r).map(|p| p.label().to_owned()))
                })
                .collect(),
        })
        .collect())
}

/// How many distinct people of `tenant` may take `action` now (the holders
/// of the roles the policy allows it to).
pub async fn count_allowed<D: Database>(
    db: &D,
    action: lockbox_shared::policy::Action,
    tenant: &TenantId,
) -> Result<u32, DbError> {
    #[derive(Deserialize)]
    struct Count {
        n: u32,
    }
    let (who, args) = super::outbox::holders(action.allowed(), Some(tenant));
    let rows: Vec<Count> = db
        .query(Statement::new(
            format!("SELECT COUNT(*) AS n FROM users u WHERE {who}"),
            args,
        ))
        .await?;
    Ok(rows.first().map_or(0, |c| c.n))
}

/// The provider's people the notices of a change may go to, with the
/// language of each, read from the global database before the tenant's
/// write (so that the write reads nothing global).
#[derive(Debug, Clone, Default)]
pub struct ProviderReaders {
    /// The language of each requester asked for, by user id.
    languages: std::collections::BTreeMap<String, Lang>,
    /// Every support manager (none unless asked for).
    pub managers: Vec<super::outbox::Reader>,
}

impl ProviderReaders {
    /// Only `requester`, whose messages are written in `language`.
    pub fn requester(requester: &UserId, language: Lang) -> Self {
        Self {
            languages: [(requester.as_str().to_owned(), language)].into(),
            managers: Vec::new(),
        }
    }

    /// The language of `requester`'s messages (English for someone not
    /// read, as for anyone who chose none).
    pub fn language_of(&self, requester: &UserId) -> Lang {
        self.languages
            .get(requester.as_str())
            .copied()
            .unwrap_or_default()
    }
}

/// The languages of `requesters` and, when `managers`, every support
/// manager with theirs, in one round trip.
pub async fn provider_readers<'a, D: Database>(
    global: &super::handles::Global<'_, D>,
    requesters: impl IntoIterator<Item = &'a UserId>,
    managers: bool,
) -> Result<ProviderReaders, DbError> {
    use super::outbox::{holders, language_of, Reader};
    let select = format!(
        "SELECT u.id, u.email, {} AS language FROM users u",
        language_of("u")
    );
    let requesters = super::db::json_list(requesters.into_iter().map(UserId::as_str));
    let (who, args) = if managers {
        holders(lockbox_shared::policy::Action::Preapprove.allowed(), None)
    } else {
        ("0".to_owned(), Vec::new())
    };
    let (named, managers): (Vec<Reader>, Vec<Reader>) = super::db::query_pair(
        global,
        Statement::new(
            format!("{select} WHERE u.id IN (SELECT value FROM json_each(?))"),
            vec![requesters],
        ),
        Statement::new(format!("{select} WHERE {who} ORDER BY u.id"), args),
    )
    .await?;
    Ok(ProviderReaders {
        languages: named.into_iter().map(|r| (r.id, r.language)).collect(),
        managers,
    })
}
