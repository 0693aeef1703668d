pub mod dialog;
pub mod error;
pub mod live;
pub mod session;
pub mod shell;
pub mod status;
pub mod time;
