//! The Lockbox Worker: `/api/v1/*` over D1, and the scheduled sweep.
//!
//! Bindings and configuration are read once here, at the edge, and passed
//! inward as typed handles.

// A panic in a Worker poisons the whole isolate, so request and cron paths
// must not unwrap; tests may.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
// Nor may they index out of bounds: `x[i]` panics, `x.get(i)` says so.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

mod auth;
mod config;
pub mod cron;
mod delivery;
pub mod demo;
pub mod error;
pub mod export;
mod jwt;
pub mod keys;
pub mod limits;
pub mod object;
mod page;
mod routes;
pub mod sealing;
pub mod service;
mod service_auth;
pub mod store;
pub mod tend;

use worker::{
    event, Context, Date, Env, MessageBatch, Method, Request, Response, ScheduleContext,
    ScheduledEvent,
};

use crate::config::App;

#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> worker::Result<Response> {
    let app = match App::from_env(&env) {
        Ok(app) => app,
        Err(err) => return err.into_response(),
    };
    // A change that stores notices has them delivered after the answer, so
    // that a slow or failing mail provider never delays a decision: with
    // the notices queue bound, by its consumer, which sends many changes'
    // messages in one pass (the change names its tenant to it); without,
    // by this invocation, from the messages the batch that stored them
    // leased. Either way the messages are stored with the change, and
    // what this misses (a lost queue message, retries) the scheduled job
    // delivers; a lease keeps two passes from sending one twice.
    if page::serves(&req) {
        return page::requests(req, app, Date::now().as_millis() as i64).await;
    }
    if !matches!(req.method(), Method::Get | Method::Head) {
        app.db.after_answer(app.notices.is_some());
    }
    let response = routes::handle(req, &app).await;
    let after = app.db.take_after_answer();
    if !after.is_empty() {
        ctx.wait_until(async move {
            delivery::after_answer(&app, after, Date::now().as_millis() as i64).await;
        });
    }
    response
}

#[event(scheduled)]
async fn scheduled(event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    let app = match App::from_env(&env) {
        Ok(app) => app,
        Err(err) => {
            err.log();
            return;
        }
    };
    // The event's own time, not the wall clock: a late or replayed run sweeps
    // as of when it was due, and tests can pick the time.
    let now_ms = event.schedule() as i64;
    if let Err(err) = cron::run(&app, now_ms, &event.cron()).await {
        err.log();
    }
}

/// The notices queue's consumer: each message names a tenant whose change
/// stored messages; one pass sends every due message of the batch's
/// tenants. It never fails the batch: what a pass could not send stays
/// due, and the next pass or the scheduled job sends it.
#[event(queue)]
async fn queue(
    batch: MessageBatch<delivery::Queued>,
    env: Env,
    _ctx: Context,
) -> worker::Result<()> {
    match App::from_env(&env) {
        Ok(app) => {
            let tenants = batch
                .iter()
                .filter_map(|message| message.ok())
                .filter_map(|message| message.into_body().tenant())
                .collect();
            delivery::consume(&app, tenants, Date::now().as_millis() as i64).await;
        }
        Err(err) => err.log(),
    }
    batch.ack_all();
    Ok(())
}
