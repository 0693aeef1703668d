pub mod dialog;
pub mod error;
pub mod live;
pub mod router;
pub mod session;
pub mod shell;
pub mod status;
pub mod time;
