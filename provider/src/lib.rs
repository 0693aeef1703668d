//! Put a service of your own behind Lockbox.
//!
//! A provider service that touches customer content follows one protocol
//! (Lockbox's SPEC §5):
//!
//! 1. The engineer brings a **grant token** that Lockbox minted for a live
//!    grant. [`grant::Verifier`] checks it offline: signature (EdDSA over
//!    Ed25519, `alg` and `typ` pinned), issuer, audience (this service),
//!    times, and — with a [`revocations::RevocationView`] — grants ended early.
//! 2. Before reading anything, the service **records** what it is about to
//!    do with [`recorder::Recorder`]: one call to Lockbox that checks the
//!    grant is still live and appends the audit records, all or nothing.
//!    Any refusal, error or timeout means: do not touch the content.
//! 3. Only then it reads and answers.
//!
//! Nothing here reads a clock or does I/O on its own: times are passed in,
//! and the recorder sends through a [`recorder::Transport`] you provide.

pub mod actions;
pub mod assertion;
pub mod display;
pub mod grant;
pub mod jose;
pub mod jwks;
pub mod recorder;
pub mod revocations;

/// The longest a grant token lives, in seconds (it never outlives its grant).
pub const MAX_GRANT_TOKEN_SECONDS: i64 = 5 * 60;
/// The longest a service's own assertion may live, in seconds.
pub const MAX_ASSERTION_SECONDS: i64 = 5 * 60;
/// Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds.
pub const LEEWAY_SECONDS: i64 = 30;

/// The key types, for callers that build keys themselves.
pub use ed25519_dalek::{SigningKey, VerifyingKey};
