//! The pages, each compiled into the part of the app that shows it
//! (`routes::Bundle`).

#[cfg(feature = "admin")]
pub mod audit;
#[cfg(feature = "admin")]
pub mod dev_outbox;
#[cfg(feature = "console")]
pub mod grant;
pub mod not_found;
#[cfg(feature = "admin")]
pub mod notifications;
#[cfg(feature = "console")]
pub mod preapprovals;
#[cfg(feature = "console")]
pub mod provider_requests;
#[cfg(feature = "console")]
pub mod provider_services;
#[cfg(any(feature = "approve", feature = "console"))]
pub mod request_detail;
#[cfg(feature = "approve")]
pub mod requests;
#[cfg(feature = "admin")]
pub mod roles;
#[cfg(feature = "admin")]
pub mod security_privacy;
#[cfg(feature = "admin")]
pub mod sign_in;
pub mod status;
