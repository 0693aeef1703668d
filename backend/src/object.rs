//! A tenant's Durable Object (`TenantObject`, binding `TENANTS`, one per
//! tenant, addressed by the tenant's id): its own SQLite, with the same
//! migrations as D1, applied on first use. Once the tenant's data has
//! moved in, the Worker sends it each transaction's statements on that
//! data (`/statements`), and the object keeps an alarm at the tenant's next
//! deadline: then it moves the requests due, warns of grants about to
//! end, writes what the provider's index lacks, seals its log, and sends
//! its own messages ([`crate::tend`]), with the global database (D1) for
//! what is global.

use lockbox_shared::api::TenantObjectStatus;
use lockbox_shared::ids::TenantId;
use worker::{durable_object, Date, DurableObject, Env, Request, Response, Result, State};

use crate::config::App;
use crate::store::d1::Edge;
use crate::store::handles::{Global, Stores, Tenant};
use crate::store::object::{Decide, ObjectSql, Statements, MIGRATIONS};

/// The header the Worker names the tenant in.
pub const TENANT_HEADER: &str = "x-lockbox-tenant";

/// Sealing steps (of 500 records) a write takes at most before it answers;
/// a bulk load beyond that is sealed by the alarm.
const SEAL_STEPS_PER_WRITE: u32 = 20;

/// An alarm never comes sooner than this after the last one.
const MIN_ALARM_GAP_MS: i64 = 1_000;

#[durable_object(alarm)]
pub struct TenantObject {
    state: State,
    env: Env,
}

/// Inside a tenant's object: D1 for what is global, the object's own
/// SQLite for the tenant.
struct ObjectStores {
    global: std::rc::Rc<Edge>,
    sql: ObjectSql,
}

impl Stores for ObjectStores {
    type Global = Edge;
    type Tenant = ObjectSql;
    fn global(&self) -> Global<'_, Edge> {
        Global::new(&self.global)
    }
    fn tenant(&self, id: TenantId) -> Tenant<'_, ObjectSql> {
        Tenant::new(&self.sql, id)
    }
}

impl TenantObject {
    /// After a write: its new audit records join the tree before the
    /// answer and before any other call reaches this object (nothing here
    /// waits on anything outside it), so no checkpoint ever leaves one out
    /// (a crash in between leaves them to the alarm); and the alarm is set
    /// at the tenant's next work.
    async fn after_write(&self, db: &ObjectSql) {
        let Some(tenant) = self.tenant() else {
            return;
        };
        if let Err(err) = crate::service::tree::seal(db, &tenant, SEAL_STEPS_PER_WRITE).await {
            err.log();
        }
        let now = Date::now().as_millis() as i64;
        if let Err(err) = self.schedule(db, &tenant, now).await {
            worker::console_error!("tenant {tenant}: setting the alarm: {err}");
        }
    }

    /// Runs a decision on the tenant's own data, with D1 for what is global.
    async fn decide(&self, db: ObjectSql, decide: Decide) -> Result<Response> {
        let app = match App::from_env(&self.env) {
            Ok(app) => app,
            Err(err) => return err.into_response(),
        };
        let answer = async {
            let id = lockbox_shared::ids::RequestId::parse(&decide.request_id)
                .map_err(crate::error::AppError::invalid)?;
            let verb = lockbox_shared::lifecycle::Verb::parse(&decide.verb).ok_or_else(|| {
                crate::error::AppError::bad_request(format!("{:?} is not a decision", decide.verb))
            })?;
            let comment =
                lockbox_shared::validation::Comment::parse_optional(decide.comment.as_deref())
                    .map_err(crate::error::AppError::invalid)?;
            let stores = ObjectStores {
                global: app.db.clone(),
                sql: db,
            };
            let stamp = crate::service::Stamp {
                now: decide.now,
                ip: &decide.ip,
                service_account: &decide.service_account,
            };
            crate::service::requests::act(
                &stores,
                &decide.principal,
                &id,
                verb,
                comment,
                decide.duration_minutes,
                decide.idempotency_key.as_deref(),
                &stamp,
                Some(decide.located),
            )
            .await
        }
        .await;
        match answer {
            Ok(view) => Ok(Response::from_json(&view)?.with_status(200)),
            Err(err) => err.on_change().into_response(),
        }
    }

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

    /// Sets the alarm at the tenant's next work, when that is sooner than
    /// the alarm set (or none is).
    async fn schedule(&self, db: &ObjectSql, tenant: &TenantId, now: i64) -> Result<()> {
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
            Err(err) => {
                return crate::error::AppError::Internal(format!("tenant object: {err}"))
                    .into_response()
            }
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
            // One transaction of the Worker's statements on this tenant's
            // data; a change may bring the tenant's next work nearer.
            "/statements" => {
                let mut req = req;
                let answer = match req.json::<Statements>().await {
                    Ok(wire) => db.run(wire.statements),
                    Err(err) => Err(crate::store::DbError::Other(format!(
                        "the statements sent are not readable: {err}"
                    ))),
                };
                let changed = answer
                    .as_ref()
                    .is_ok_and(|results| results.iter().any(|(n, _)| *n > 0));
                if changed {
                    self.after_write(&db).await;
                }
                Response::from_json(&answer)
            }
            // A decision, read, made and written here, next to the data.
            "/decide" => {
                let mut req = req;
                let answer = match req.json::<Decide>().await {
                    Ok(decide) => self.decide(db, decide).await,
                    Err(err) => crate::error::AppError::bad_request(format!(
                        "the decision sent is not readable: {err}"
                    ))
                    .into_response(),
                };
                self.after_write(&ObjectSql::new(self.state.storage()))
                    .await;
                answer
            }
            path => crate::error::AppError::NotFound {
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
        let app = match App::from_env(&self.env) {
            Ok(app) => app,
            Err(err) => {
                err.log();
                return Response::ok("");
            }
        };
        let now = Date::now().as_millis() as i64;
        let stores = ObjectStores {
            global: app.db.clone(),
            sql: ObjectSql::new(self.state.storage()),
        };
        match crate::tend::tend(&stores, &tenant, now, &app.service_account).await {
            Ok(tended) => {
                if tended.outcome.expired + tended.outcome.completed > 0 {
                    worker::console_log!(
                        "tenant {tenant}: {} expired, {} completed at its alarm",
                        tended.outcome.expired,
                        tended.outcome.completed
                    );
                }
            }
            Err(err) => err.log(),
        }
        crate::delivery::deliver_own(&app, &stores, &tenant, Date::now().as_millis() as i64).await;
        let now = Date::now().as_millis() as i64;
        if let Err(err) = self.schedule(&stores.sql, &tenant, now).await {
            worker::console_error!("tenant {tenant}: setting the alarm: {err}");
        }
        Response::ok("")
    }
}
