//! Storage: the database layer (`db`, and the D1 and SQLite drivers) and
//! one module per area. Everything goes through the [`Database`] trait, and
//! every write batch touches the rows of exactly one tenant.

pub mod audit;
pub mod cron_runs;
pub mod d1;
pub mod db;
pub mod handles;
pub mod object;
pub mod outbox;
pub mod people;
pub mod plan;
pub mod provider_index;
pub mod requests;
pub mod services;
pub mod settings;
#[cfg(feature = "sqlite")]
pub mod sqlite;
pub mod tree;

pub use db::{
    first, json_list, Condition, Database, DbError, Statement, Value, MAX_BOUND_PARAMETERS,
};
pub use handles::{Global, Stores, Tenant};
