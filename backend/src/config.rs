//! Bindings and variables, read once per invocation.

use worker::{D1Database, Env};

use crate::auth::{DevKeys, Verifier};
use crate::error::AppError;

/// Everything a handler needs from the environment.
pub struct App {
    /// The D1 database (binding `DB`).
    pub db: D1Database,
    /// How tokens are checked, or why they cannot be.
    pub verifier: Result<Verifier, String>,
    /// The local sign-in, present only when the dev-only variables are set.
    pub dev: Option<DevKeys>,
    /// The user the audit log shows for Lockbox itself.
    pub service_account: String,
}

fn var(env: &Env, name: &str) -> Option<String> {
    env.var(name)
        .ok()
        .map(|v| v.to_string())
        .filter(|v| !v.trim().is_empty())
}

impl App {
    /// Reads the bindings; a missing one is a deployment mistake, reported as such.
    pub fn from_env(env: &Env) -> Result<Self, AppError> {
        let db = env
            .d1("DB")
            .map_err(|err| AppError::Misconfigured(format!("D1 binding `DB`: {err}")))?;

        // The dev sign-in exists only when `wrangler dev` is started with
        // these variables (scripts/lib.sh passes them with --var); they are
        // never in wrangler.toml, so a deployment cannot have them.
        let dev = match (
            var(env, "LOCKBOX_DEV_AUTH").as_deref(),
            var(env, "LOCKBOX_DEV_PRIVATE_KEY"),
            var(env, "LOCKBOX_DEV_PUBLIC_KEY"),
        ) {
            (Some("1"), Some(private), Some(public)) => Some(
                DevKeys::from_base64_der(&private, &public)
                    .map_err(|err| AppError::Misconfigured(format!("dev keys: {err}")))?,
            ),
            _ => None,
        };

        let verifier = match &dev {
            Some(keys) => Ok(Verifier::dev(keys)),
            None => match (var(env, "ACCESS_ISSUER"), var(env, "ACCESS_AUD")) {
                (Some(issuer), Some(audience)) => Ok(Verifier::access(issuer, audience)),
                _ => Err("ACCESS_ISSUER and ACCESS_AUD must be set to the Cloudflare Access team domain and application audience".to_owned()),
            },
        };
        let deployment =
            var(env, "LOCKBOX_DEPLOYMENT").unwrap_or_else(|| "lockbox.local".to_owned());
        Ok(Self {
            db,
            verifier,
            dev,
            service_account: lockbox_shared::audit::service_account(&deployment),
        })
    }
}
