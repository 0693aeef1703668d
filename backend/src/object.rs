//! A tenant's Durable Object (`TenantObject`, binding `TENANTS`, one per
//! tenant, addressed by the tenant's id): its own SQLite, with the same
//! migrations as D1, applied on first use. Once the tenant's data has
//! moved in, the Worker forwards each API call on that data here, as it
//! authenticated it ([`crate::routes::forward`]), and the object answers
//! it with the same handlers, its own SQLite for the tenant's data and D1
//! for what is global. Each transaction that writes hashes its new audit
//! records into the tenant's tree before it commits, so a checkpoint
//! covers every record written before it. The object keeps an alarm at
//! the tenant's next deadline: then it moves the requests due, warns of
//! grants about to end, writes what the provider's index lacks, and sends
//! its own messages ([`crate::tend`]); the scheduled job pokes it too
//! (`/tend`), when the index says a deadline of its tenant is due.

use lockbox_shared::api::{SweepOutcome, TenantObjectStatus};
use lockbox_shared::ids::TenantId;
use lockbox_shared::roles::Principal;
use worker::{
    durable_object, Date, DurableObject, Env, Request, Response, Result, SqlStorage, State,
};

use crate::config::App;
use crate::error::AppError;
use crate::routes::{Call, Route};
use crate::store::d1::Edge;
use crate::store::object::{
    ObjectSql, Statements, Within, IP_HEADER, LOCATED_HEADER, MIGRATIONS, NOW_HEADER,
    PRINCIPAL_HEADER,
};
use crate::store::DbError;

/// The header the Worker names the tenant in.
pub const TENANT_HEADER: &str = "x-lockbox-tenant";

/// Sealing steps (of 500 records) a write takes at most in its own
/// transaction; a bulk load beyond that is sealed by the alarm.
const SEAL_STEPS_PER_WRITE: u32 = 20;

/// An alarm never comes sooner than this after the last one.
const MIN_ALARM_GAP_MS: i64 = 1_000;

#[durable_object(alarm)]
pub struct TenantObject {
    state: State,
    env: Env,
}

/// Hashes a write's new audit records into the tenant's tree inside the
/// write's own transaction (the object's SQLite answers at once, so the
/// sealing's reads and writes complete without waiting on anything).
fn seal_in_write(sql: &SqlStorage, tenant: &TenantId) -> std::result::Result<(), DbError> {
    use futures_util::FutureExt;
    match crate::service::tree::seal(&Within(sql), tenant, SEAL_STEPS_PER_WRITE).now_or_never() {
        Some(Ok(_)) => Ok(()),
        Some(Err(err)) => Err(DbError::Other(format!(
            "hashing the write's audit records into the tree: {err:?}"
        ))),
        None => Err(DbError::Other(
            "hashing a write's audit records waited on something outside the object".to_owned(),
        )),
    }
}

impl TenantObject {
    /// The tenant whose data this object holds (its one directory row),
    /// once the data has moved in.
    fn tenant(&self) -> Option<TenantId> {
        #[derive(serde::Deserialize)]
        struct Row {
            id: String,
        }
        let sql = self.state.storage().sql();
        let rows: Vec<Row> = sql
            .exec("SELECT id FROM tenants LIMIT 1", None)
            .and_then(|cursor| cursor.to_array())
            .ok()?;
        rows.first().and_then(|r| TenantId::parse(&r.id).ok())
    }

    /// The object's SQLite, each write sealing its records.
    fn sql(&self, tenant: &TenantId) -> ObjectSql {
        ObjectSql::writing(self.state.storage(), tenant.clone(), seal_in_write)
    }

    /// The app as the object runs it: D1 for what is global, and this
    /// object's SQLite for its tenant.
    fn app(&self, tenant: &TenantId) -> std::result::Result<App, AppError> {
        let mut app = App::from_env(&self.env)?;
        let d1 = self
            .env
            .d1("DB")
            .map_err(|err| AppError::Misconfigured(format!("D1 binding `DB`: {err}")))?;
        let db = Edge::new(d1, self.env.durable_object("TENANTS").ok());
        app.db = std::rc::Rc::new(db.here(tenant.clone(), self.sql(tenant)));
        Ok(app)
    }

    /// Answers an API call the Worker forwarded, as the Worker would have.
    async fn call(&self, tenant: &TenantId, mut req: Request) -> Result<Response> {
        let changes = !matches!(req.method(), worker::Method::Get | worker::Method::Head);
        let answer = async {
            let app = self.app(tenant)?;
            let header = |name: &str| -> std::result::Result<String, AppError> {
                req.headers()
                    .get(name)?
                    .ok_or_else(|| AppError::Internal(format!("a forwarded call without {name}")))
            };
            let unreadable =
                |e: serde_json::Error| AppError::Internal(format!("a forwarded call: {e}"));
            let principal: Principal =
                serde_json::from_str(&header(PRINCIPAL_HEADER)?).map_err(unreadable)?;
            let now_ms = header(NOW_HEADER)?
                .parse::<i64>()
                .map_err(|e| AppError::Internal(format!("a forwarded call's time: {e}")))?;
            let ip = header(IP_HEADER)?;
            let located = match req.headers().get(LOCATED_HEADER)? {
                Some(text) => Some(serde_json::from_str(&text).map_err(unreadable)?),
                None => None,
            };
            let path = req.path();
            let route = Route::find(&req.method(), &path)
                .map_err(|_| AppError::NotFound { path: path.clone() })?;
            let body = if changes {
                req.bytes().await?
            } else {
                Vec::new()
            };
            let call = Call {
                params: route.params(&path).unwrap_or_default(),
                req,
                now_ms,
                ip,
                body,
            };
            match route {
                Route::Transition(verb) => {
                    crate::routes::requests::decide(&app, &call, verb, &principal, located, None)
                        .await
                }
                route => crate::routes::answer(&app, route, &call, &principal).await,
            }
        }
        .await;
        let response = match answer {
            Ok(response) => Ok(response),
            Err(err) if changes => err.on_change().into_response(),
            Err(err) => err.into_response(),
        };
        if changes {
            self.schedule_now(tenant).await;
        }
        response
    }

    /// The work the scheduled job pokes the object for (and its alarm
    /// does): what is due as of `now`, then the alarm re-set.
    async fn tend(&self, tenant: &TenantId, now: i64) -> SweepOutcome {
        let app = match self.app(tenant) {
            Ok(app) => app,
            Err(err) => {
                err.log();
                return SweepOutcome::default();
            }
        };
        let stores = &*app.db;
        let outcome = match crate::tend::tend(stores, tenant, now, &app.service_account).await {
            Ok(tended) => tended.outcome,
            Err(err) => {
                err.log();
                SweepOutcome {
                    more_due: true,
                    ..SweepOutcome::default()
                }
            }
        };
        crate::delivery::deliver_own(&app, stores, tenant, Date::now().as_millis() as i64).await;
        self.schedule_now(tenant).await;
        outcome
    }

    /// Sets the alarm at the tenant's next work, as of now.
    async fn schedule_now(&self, tenant: &TenantId) {
        let now = Date::now().as_millis() as i64;
        if let Err(err) = self.schedule(tenant, now).await {
            worker::console_error!("tenant {tenant}: setting the alarm: {err}");
        }
    }

    /// Sets the alarm at the tenant's next work, when that is sooner than
    /// the alarm set (or none is).
    async fn schedule(&self, tenant: &TenantId, now: i64) -> Result<()> {
        let db = ObjectSql::new(self.state.storage());
        let Ok(sets) = db.run(crate::tend::next_statements(tenant, now)) else {
            return Ok(());
        };
        let Some(at) = crate::tend::next_from(sets.into_iter().map(|(_, rows)| rows).collect())
        else {
            return Ok(());
        };
        let at = at.max(now + MIN_ALARM_GAP_MS);
        let storage = self.state.storage();
        match storage.get_alarm().await? {
            Some(set) if set <= at => Ok(()),
            // (An integer is an offset from now.)
            _ => storage.set_alarm(at - now).await,
        }
    }
}

impl DurableObject for TenantObject {
    fn new(state: State, env: Env) -> Self {
        Self { state, env }
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        let db = ObjectSql::new(self.state.storage());
        let applied_now = match db.migrate() {
            Ok(n) => n,
            Err(err) => return AppError::Internal(format!("tenant object: {err}")).into_response(),
        };
        match req.path().as_str() {
            "/status" => Response::from_json(&TenantObjectStatus {
                // The Worker names the tenant it addressed the object by.
                tenant_id: req.headers().get(TENANT_HEADER)?.unwrap_or_default(),
                migrations: MIGRATIONS.len() as u32,
                applied_now: applied_now as u32,
                database_bytes: self.state.storage().sql().database_size() as u64,
                requests: db.count("access_requests"),
                audit_records: db.count("audit_log"),
                sealed: db.count("audit_leaves"),
            }),
            // A move's page of rows, as they are (the records bring their
            // tree with them).
            "/copy" => {
                let mut req = req;
                let answer = match req.json::<Statements>().await {
                    Ok(wire) => db.run(wire.statements),
                    Err(err) => Err(unreadable(err)),
                };
                Response::from_json(&answer)
            }
            // One transaction of the Worker's statements on this tenant's
            // data (its records sealed in it); a change may bring the
            // tenant's next work nearer.
            "/statements" => {
                let mut req = req;
                let wire = match req.json::<Statements>().await {
                    Ok(wire) => wire,
                    Err(err) => {
                        let answer: crate::store::object::Answer = Err(unreadable(err));
                        return Response::from_json(&answer);
                    }
                };
                let Some(tenant) = self.tenant() else {
                    // Nothing of a tenant's here yet: nothing to seal.
                    return Response::from_json(&db.run(wire.statements));
                };
                let answer = self.sql(&tenant).run(wire.statements);
                if answer
                    .as_ref()
                    .is_ok_and(|results| results.iter().any(|(n, _)| *n > 0))
                {
                    self.schedule_now(&tenant).await;
                }
                Response::from_json(&answer)
            }
            // The scheduled job's poke: the tenant's work due as of `now`.
            "/tend" => {
                let mut req = req;
                #[derive(serde::Deserialize)]
                struct Poke {
                    now: i64,
                }
                let (Some(tenant), Ok(poke)) = (self.tenant(), req.json::<Poke>().await) else {
                    return Response::from_json(&SweepOutcome::default());
                };
                Response::from_json(&self.tend(&tenant, poke.now).await)
            }
            // An API call on this tenant's data.
            path if path.starts_with("/api/") => match self.tenant() {
                Some(tenant) => self.call(&tenant, req).await,
                None => AppError::Internal(format!(
                    "a call on {path} reached an object that holds no tenant's data"
                ))
                .into_response(),
            },
            path => AppError::NotFound {
                path: path.to_owned(),
            }
            .into_response(),
        }
    }

    async fn alarm(&self) -> Result<Response> {
        let db = ObjectSql::new(self.state.storage());
        if let Err(err) = db.migrate() {
            worker::console_error!("tenant object: {err}");
            return Response::ok("");
        }
        let Some(tenant) = self.tenant() else {
            return Response::ok("");
        };
        let outcome = self.tend(&tenant, Date::now().as_millis() as i64).await;
        if outcome.expired + outcome.completed > 0 {
            worker::console_log!(
                "tenant {tenant}: {} expired, {} completed at its alarm",
                outcome.expired,
                outcome.completed
            );
        }
        Response::ok("")
    }
}

fn unreadable(err: worker::Error) -> DbError {
    DbError::Other(format!("the statements sent are not readable: {err}"))
}
