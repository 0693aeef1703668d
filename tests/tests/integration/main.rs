//! Integration tests against a running `wrangler dev` (real workerd, local D1).
//! One binary; each module is one concern.

mod audit;
mod cron;
mod emergency;
mod extensions;
mod freeze;
mod health;
mod identity;
mod language;
mod lifecycle;
mod matrix;
mod notifications;
mod objects;
mod operations;
mod provider;
mod quorum;
mod receipts;
mod reports;
mod roles;
mod spa;
mod web_safety;
