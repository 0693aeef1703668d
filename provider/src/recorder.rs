//! Recording actions in the customer's log before touching content.
//!
//! The recorder signs a fresh assertion per attempt, sends the batch, and
//! retries a lost or failed attempt with the **same** `batch_id` (Lockbox
//! records a batch once, however often it arrives). Every error means the
//! same thing to the caller: the action was not recorded, so the content
//! must not be touched.

use std::future::Future;

use crate::actions::{Action, ActionBatch, BatchProblem, RecordedBatch};
use crate::assertion::ServiceKey;

/// The path of the action log.
pub const ACTIONS_PATH: &str = "/api/v1/provider/actions";

/// How the recorder reaches Lockbox: over HTTP, a service binding, or a
/// test double. No I/O is done anywhere else.
pub trait Transport {
    /// POSTs the JSON `body` to `path` with `Authorization: Bearer
    /// <bearer>`; the answer's status and body, or why there was none
    /// (a timeout, a refused connection).
    fn post(
        &self,
        path: &str,
        bearer: &str,
        body: &str,
    ) -> impl Future<Output = Result<(u16, String), String>>;
    /// Waits `ms` milliseconds before a retry.
    fn sleep(&self, ms: u64) -> impl Future<Output = ()>;
}

/// Why a batch was not recorded. Whatever the variant: fail closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordError {
    /// The batch is malformed (checked before sending).
    Invalid(BatchProblem),
    /// 409: the grant is not live (ended, revoked, frozen, not started).
    NotLive(String),
    /// 403: the grant does not cover this (another tenant, service or
    /// operation).
    Forbidden(String),
    /// 401: Lockbox did not accept the service's assertion.
    Unauthorized(String),
    /// Another refusal (400, 404, 422, …).
    Refused { status: u16, detail: String },
    /// No answer after every attempt (timeouts, 5xx, 429).
    Unavailable(String),
}

impl std::fmt::Display for RecordError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RecordError::Invalid(p) => write!(f, "batch not sent: {p}"),
            RecordError::NotLive(d) => write!(f, "grant not live: {d}"),
            RecordError::Forbidden(d) => write!(f, "not covered by the grant: {d}"),
            RecordError::Unauthorized(d) => write!(f, "Lockbox refused the service: {d}"),
            RecordError::Refused { status, detail } => {
                write!(f, "Lockbox refused ({status}): {detail}")
            }
            RecordError::Unavailable(d) => write!(f, "Lockbox did not answer: {d}"),
        }
    }
}

impl std::error::Error for RecordError {}

/// Records batches for one service.
pub struct Recorder<T> {
    key: ServiceKey,
    audience: String,
    transport: T,
    attempts: u32,
    backoff_ms: u64,
}

fn detail_of(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("detail").and_then(|d| d.as_str()).map(str::to_owned))
        .unwrap_or_else(|| body.chars().take(200).collect())
}

impl<T: Transport> Recorder<T> {
    /// A recorder for the service of `key`, talking to the Lockbox
    /// deployment `audience` (`https://<deployment>`) through `transport`;
    /// three attempts per batch.
    pub fn new(key: ServiceKey, audience: impl Into<String>, transport: T) -> Self {
        Self {
            key,
            audience: audience.into(),
            transport,
            attempts: 3,
            backoff_ms: 200,
        }
    }

    /// The same recorder with `attempts` tries per batch (at least one) and
    /// `backoff_ms` before the first retry (doubling after each).
    pub fn with_retries(mut self, attempts: u32, backoff_ms: u64) -> Self {
        self.attempts = attempts.max(1);
        self.backoff_ms = backoff_ms;
        self
    }

    /// Records `actions` under `grant` (the token, or the request id) as
    /// the batch `batch_id`; `now` gives the time in seconds. Returns the
    /// records written, or why nothing may be touched.
    pub async fn record(
        &self,
        grant: &str,
        batch_id: &str,
        actions: Vec<Action>,
        now: impl Fn() -> i64,
    ) -> Result<RecordedBatch, RecordError> {
        let batch = ActionBatch {
            grant: grant.to_owned(),
            batch_id: batch_id.to_owned(),
            actions,
        };
        batch.check().map_err(RecordError::Invalid)?;
        let body = serde_json::to_string(&batch).map_err(|e| {
            RecordError::Invalid(BatchProblem {
                field: "actions".into(),
                message: e.to_string(),
            })
        })?;
        let mut last = String::new();
        let mut wait = self.backoff_ms;
        for attempt in 0..self.attempts {
            if attempt > 0 {
                self.transport.sleep(wait).await;
                wait = wait.saturating_mul(2);
            }
            let at = now();
            let jti = format!("{batch_id}.{attempt}.{at}");
            let bearer = self.key.assert(&self.audience, at, 60, &jti);
            match self.transport.post(ACTIONS_PATH, &bearer, &body).await {
                Ok((200 | 201, text)) => {
                    return serde_json::from_str(&text)
                        .map_err(|e| RecordError::Unavailable(format!("unreadable answer: {e}")))
                }
                Ok((409, text)) => return Err(RecordError::NotLive(detail_of(&text))),
                Ok((403, text)) => return Err(RecordError::Forbidden(detail_of(&text))),
                Ok((401, text)) => return Err(RecordError::Unauthorized(detail_of(&text))),
                Ok((status, text)) if status == 429 || status >= 500 => {
                    last = format!("{status}: {}", detail_of(&text));
                }
                Ok((status, text)) => {
                    return Err(RecordError::Refused {
                        status,
                        detail: detail_of(&text),
                    })
                }
                Err(why) => last = why,
            }
        }
        Err(RecordError::Unavailable(last))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    struct Script {
        answers: RefCell<Vec<Result<(u16, String), String>>>,
        sent: RefCell<Vec<(String, String)>>,
    }

    impl Transport for &Script {
        async fn post(
            &self,
            _path: &str,
            bearer: &str,
            body: &str,
        ) -> Result<(u16, String), String> {
            self.sent
                .borrow_mut()
                .push((bearer.to_owned(), body.to_owned()));
            self.answers.borrow_mut().remove(0)
        }
        async fn sleep(&self, _ms: u64) {}
    }

    fn block_on<F: Future>(future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        match future.as_mut().poll(&mut cx) {
            std::task::Poll::Ready(out) => out,
            std::task::Poll::Pending => panic!("the test transport never waits"),
        }
    }

    fn recorder(script: &Script) -> Recorder<&Script> {
        let key = ServiceKey {
            service: "svc:mail".into(),
            kid: "k".into(),
            key: ed25519_dalek::SigningKey::from_bytes(&[4; 32]),
        };
        Recorder::new(key, "https://lockbox.example", script)
    }

    const OK: &str = r#"{"batch_id":"b","request_id":"r","tenant_id":"t","recorded_at":1,"records":[{"id":"i","seq":7,"leaf_hash":"h"}]}"#;

    #[test]
    fn a_lost_answer_is_retried_with_the_same_batch_and_a_fresh_assertion() {
        let script = Script {
            answers: RefCell::new(vec![
                Err("timeout".into()),
                Ok((503, "{}".into())),
                Ok((201, OK.into())),
            ]),
            sent: RefCell::new(vec![]),
        };
        let out =
            block_on(recorder(&script).record("g", "b", vec![Action::op("Get-Message")], || 100));
        assert_eq!(out.map(|r| r.records[0].seq), Ok(7));
        let sent = script.sent.borrow();
        assert_eq!(sent.len(), 3);
        assert!(
            sent.iter().all(|(_, body)| *body == sent[0].1),
            "same batch each time"
        );
        assert_ne!(sent[0].0, sent[1].0, "a fresh assertion each time");
    }

    #[test]
    fn a_refusal_is_not_retried_and_fails_closed() {
        let script = Script {
            answers: RefCell::new(vec![Ok((409, r#"{"detail":"revoked"}"#.into()))]),
            sent: RefCell::new(vec![]),
        };
        let out =
            block_on(recorder(&script).record("g", "b", vec![Action::op("Get-Message")], || 100));
        assert_eq!(out, Err(RecordError::NotLive("revoked".into())));
        assert_eq!(script.sent.borrow().len(), 1);
    }

    #[test]
    fn no_answer_at_all_fails_closed() {
        let script = Script {
            answers: RefCell::new(vec![
                Err("timeout".into()),
                Err("timeout".into()),
                Err("timeout".into()),
            ]),
            sent: RefCell::new(vec![]),
        };
        let out =
            block_on(recorder(&script).record("g", "b", vec![Action::op("Get-Message")], || 100));
        assert!(matches!(out, Err(RecordError::Unavailable(_))));
    }

    #[test]
    fn a_malformed_batch_is_never_sent() {
        let script = Script {
            answers: RefCell::new(vec![]),
            sent: RefCell::new(vec![]),
        };
        let out = block_on(recorder(&script).record("g", "b", vec![], || 100));
        assert!(matches!(out, Err(RecordError::Invalid(_))));
        assert!(script.sent.borrow().is_empty());
    }
}
