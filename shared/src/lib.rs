//! The Lockbox domain, shared by the Worker (`backend`) and the SPA
//! (`frontend`): the types both sides speak and the rules both must agree on.
//!
//! Nothing in this crate performs I/O or reads a clock: callers pass time in.

pub mod names;

pub mod api;
pub mod audit;
pub mod emergency;
pub mod i18n;
pub mod ids;
pub mod integration;
pub mod lifecycle;
pub mod notify;
pub mod operations;
pub mod plan;
pub mod policy;
pub mod problem;
pub mod receipt;
#[cfg(feature = "tlog")]
pub mod report;
pub mod roles;
pub mod screen;
#[cfg(feature = "tlog")]
pub mod tenant_export;
pub mod text;
#[cfg(feature = "tlog")]
pub mod tlog;
pub mod validation;
