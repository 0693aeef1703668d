pub mod session;
pub mod shell;
