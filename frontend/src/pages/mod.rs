pub mod not_found;
pub mod request_detail;
pub mod requests;
pub mod roles;
pub mod security_privacy;
pub mod sign_in;
pub mod status;
