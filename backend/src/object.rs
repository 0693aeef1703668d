//! A tenant's Durable Object (`TenantObject`, binding `TENANTS`, one per
//! tenant, addressed by the tenant's id): its own SQLite, with the same
//! migrations as D1, applied on first use. Today it answers what it holds;
//! the tenant's data moves into it next (its command interface replaces
//! the Worker's statements on D1).

use lockbox_shared::api::TenantObjectStatus;
use worker::{durable_object, DurableObject, Env, Request, Response, Result, State};

use crate::store::object::{ObjectSql, Statements, MIGRATIONS};

/// The header the Worker names the tenant in.
pub const TENANT_HEADER: &str = "x-lockbox-tenant";

#[durable_object(fetch)]
pub struct TenantObject {
    state: State,
}

impl DurableObject for TenantObject {
    fn new(state: State, _env: Env) -> Self {
        Self { state }
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
            }),
            // One transaction of the Worker's statements on this tenant's
            // data.
            "/statements" => {
                let mut req = req;
                let answer = match req.json::<Statements>().await {
                    Ok(wire) => db.run(wire.statements),
                    Err(err) => Err(crate::store::DbError::Other(format!(
                        "the statements sent are not readable: {err}"
                    ))),
                };
                Response::from_json(&answer)
            }
            path => crate::error::AppError::NotFound {
                path: path.to_owned(),
            }
            .into_response(),
        }
    }
}
