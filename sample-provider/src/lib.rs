//! The sample provider service: the demo tenants' mailboxes, sites and
//! files, behind Lockbox through the integration boundary only (the SDK,
//! `/api/v1/provider/actions`, the published grant-token keys). It is what
//! a provider's own service does: sign the engineer in, verify the grant
//! token offline, record the action, and only then read the content.

pub mod catalog;
pub mod content;
pub mod gate;

#[cfg(target_arch = "wasm32")]
mod worker_main;
