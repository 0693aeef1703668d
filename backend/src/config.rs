//! Bindings and variables, read once per invocation.

use worker::{D1Database, Env};

use crate::error::AppError;

/// Everything a handler needs from the environment.
pub struct App {
    /// The D1 database (binding `DB`).
    pub db: D1Database,
}

impl App {
    /// Reads the bindings; a missing one is a deployment mistake, reported as such.
    pub fn from_env(env: &Env) -> Result<Self, AppError> {
        let db = env
            .d1("DB")
            .map_err(|err| AppError::Misconfigured(format!("D1 binding `DB`: {err}")))?;
        Ok(Self { db })
    }
}
