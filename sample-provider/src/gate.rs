//! One operation run as the boundary asks (README, "Putting your service
//! behind Lockbox"): the grant token checked offline, the action recorded
//! in the customer's audit log, and only then the content read. Every
//! failure on the way answers a problem and reads nothing.

use std::future::Future;

use lockbox_provider::actions::Action;
use lockbox_provider::display::OperationAnswer;
use lockbox_provider::grant::{Refusal, Target, Verifier};
use lockbox_provider::recorder::{RecordError, Recorder, Transport};
use serde_json::Value;

use crate::catalog::{Invocation, OperationName};
use crate::content::{self, Statement};

/// The header an engineer's call carries its grant token in.
pub use lockbox_provider::grant::HEADER as GRANT_HEADER;

/// An RFC 9457 problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub status: u16,
    pub title: &'static str,
    pub detail: String,
    /// For a grant that is not live, the reason (`revoked`, …).
    pub reason: Option<String>,
    /// For invalid input, the field at fault.
    pub field: Option<String>,
}

impl Problem {
    pub fn new(status: u16, title: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status,
            title,
            detail: detail.into(),
            reason: None,
            field: None,
        }
    }

    /// The problem+json body.
    pub fn body(&self) -> String {
        let mut body = serde_json::json!({
            "type": "about:blank",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        });
        if let Some(map) = body.as_object_mut() {
            for (name, value) in [("reason", &self.reason), ("field", &self.field)] {
                if let Some(value) = value {
                    map.insert(name.into(), Value::String(value.clone()));
                }
            }
        }
        body.to_string()
    }
}

/// The service's content store.
pub trait Store {
    /// Whether `statement` finds a row.
    fn exists(&self, statement: &Statement) -> impl Future<Output = Result<bool, String>>;
    /// The rows of each of `statements`.
    fn read(
        &self,
        statements: &[Statement],
    ) -> impl Future<Output = Result<Vec<Vec<Value>>, String>>;
}

/// One engineer's call.
pub struct Call<'a> {
    pub tenant: &'a str,
    pub service: &'a str,
    pub operation: &'a str,
    pub params: &'a serde_json::Map<String, Value>,
    /// The engineer signed in (their Access token's e-mail).
    pub engineer: &'a str,
    /// The grant token sent in [`GRANT_HEADER`].
    pub grant_token: Option<&'a str>,
    /// The id of the batch that records this call.
    pub batch_id: &'a str,
}

fn refused(refusal: &Refusal) -> Problem {
    let status = match refusal {
        Refusal::Expired | Refusal::Revoked | Refusal::NotYetValid => 409,
        _ => 403,
    };
    let mut problem = Problem::new(
        status,
        "Grant refused",
        format!("{}: nothing was read.", capital(&refusal.to_string())),
    );
    if status == 409 {
        problem.reason = Some(
            match refusal {
                Refusal::Expired => "token-expired",
                Refusal::Revoked => "revoked",
                _ => "not-started",
            }
            .to_owned(),
        );
    }
    problem
}

fn capital(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// What a refusal to record means for the engineer: the same status for a
/// grant that is not live (409) or does not cover the call (403); Lockbox
/// not answering or refusing the service is this service's failure.
fn not_recorded(err: RecordError) -> Problem {
    let nothing = "nothing was read";
    match err {
        RecordError::NotLive(detail) => {
            let mut p = Problem::new(409, "Grant not live", format!("{detail} ({nothing})"));
            p.reason = Some("not-live".into());
            p
        }
        RecordError::Forbidden(detail) => {
            Problem::new(403, "Not covered by the grant", format!("{detail} ({nothing})"))
        }
        RecordError::Unavailable(why) => Problem::new(
            503,
            "Lockbox did not answer",
            format!("The action could not be written to the customer's audit log ({why}), so {nothing}; try again in a moment."),
        ),
        other => Problem::new(
            502,
            "Lockbox refused the record",
            format!("Lockbox did not record the action ({other}), so {nothing}; the service's registration needs its integration admin."),
        ),
    }
}

/// Runs `call`: the grant token checked, the item's existence looked up
/// (metadata), the action recorded, and only then the content read.
pub async fn run<S: Store, T: Transport>(
    store: &S,
    verifier: &Verifier,
    recorder: &Recorder<T>,
    call: &Call<'_>,
    now_ms: impl Fn() -> i64,
) -> Result<OperationAnswer, Problem> {
    let op = crate::catalog::OperationName::parse(call.operation)
        .filter(|op| op.spec().service.as_str() == call.service)
        .ok_or_else(|| {
            Problem::new(
                404,
                "Not found",
                format!(
                    "This service has no operation {:?} for {:?}.",
                    call.operation, call.service
                ),
            )
        })?;
    let invocation = Invocation::parse(op, call.params).map_err(|invalid| {
        let mut p = Problem::new(400, "Invalid request", invalid.message);
        p.field = Some(invalid.field.to_owned());
        p
    })?;
    let token = call.grant_token.map(str::trim).filter(|t| !t.is_empty()).ok_or_else(|| {
        Problem::new(
            401,
            "Grant token required",
            format!("Send the grant token Lockbox issued for your request (POST /api/v1/requests/{{id}}/grant-token) in the {GRANT_HEADER} header."),
        )
    })?;
    let seconds = || now_ms().div_euclid(1000);
    let grant = verifier.verify(token, seconds()).map_err(|r| refused(&r))?;
    grant
        .require(&Target {
            tenant: call.tenant,
            service: call.service,
            operation: op.as_str(),
            engineer: call.engineer,
        })
        .map_err(|r| refused(&r))?;
    let plan = content::plan(call.tenant, &invocation);
    let gone = || {
        Problem::new(
            404,
            "Not found",
            format!(
                "{} {:?} is not in this tenant.",
                capital(op.spec().touches),
                invocation.item()
            ),
        )
    };
    if let Some(exists) = &plan.exists {
        if !store.exists(exists).await.map_err(unavailable)? {
            return Err(gone());
        }
    }
    let action = Action {
        operation: op.as_str().to_owned(),
        item: Some(invocation.item()).filter(|i| !i.is_empty()),
        parameters: invocation.parameters(),
        count: None,
        digest: None,
    };
    let recorded = recorder
        .record(&grant.token, call.batch_id, vec![action], seconds)
        .await
        .map_err(not_recorded)?;
    let audit_id = recorded
        .records
        .first()
        .map(|r| r.id.clone())
        .unwrap_or_default();
    let sets = store.read(&plan.queries).await.map_err(unavailable)?;
    let result = content::decode(&invocation, sets)
        .map_err(unavailable)?
        .ok_or_else(gone)?;
    Ok(OperationAnswer {
        operation: op.as_str().to_owned(),
        tenant_id: call.tenant.to_owned(),
        service: call.service.to_owned(),
        request_id: grant.claims.gid,
        audit_id,
        ran_at: now_ms(),
        result,
    })
}

fn unavailable(why: String) -> Problem {
    Problem::new(
        503,
        "Content unavailable",
        format!("The content store did not answer ({why}); try again in a moment."),
    )
}

/// Whether `op` is one of this service's operations (for the router).
pub fn is_operation(op: &str) -> bool {
    OperationName::parse(op).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use lockbox_provider::assertion::ServiceKey;
    use lockbox_provider::grant::{GrantClaims, TYP};
    use lockbox_provider::jose;
    use lockbox_provider::jwks::{Jwk, Jwks};
    use lockbox_provider::SigningKey;
    use std::cell::RefCell;

    const NOW_MS: i64 = 1_800_000_000_000;
    const TENANT: &str = "7c0a8f4e-5a1b-4c3d-9e2f-000000000001";
    const ISSUER: &str = "https://lockbox.example";

    /// What happened, in order: the store's reads and Lockbox's calls.
    #[derive(Default)]
    struct Log(RefCell<Vec<&'static str>>);

    struct FakeStore<'a>(&'a Log);

    impl Store for FakeStore<'_> {
        async fn exists(&self, _s: &Statement) -> Result<bool, String> {
            self.0 .0.borrow_mut().push("exists");
            Ok(true)
        }
        async fn read(&self, statements: &[Statement]) -> Result<Vec<Vec<Value>>, String> {
            self.0 .0.borrow_mut().push("read");
            Ok(statements
                .iter()
                .map(|_| {
                    vec![serde_json::json!({"address": "ceo@contoso.example",
                        "display_name": "CEO", "item_count": 3, "size_bytes": 10})]
                })
                .collect())
        }
    }

    /// Lockbox as the transport sees it: one scripted answer per attempt.
    struct Lockbox<'a> {
        log: &'a Log,
        answer: Result<(u16, String), String>,
    }

    impl Transport for &Lockbox<'_> {
        async fn post(&self, _p: &str, _b: &str, _body: &str) -> Result<(u16, String), String> {
            self.log.0.borrow_mut().push("record");
            self.answer.clone()
        }
        async fn sleep(&self, _ms: u64) {}
    }

    fn block_on<F: Future>(future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        match future.as_mut().poll(&mut cx) {
            std::task::Poll::Ready(out) => out,
            std::task::Poll::Pending => panic!("nothing here waits"),
        }
    }

    fn lockbox_key() -> SigningKey {
        SigningKey::from_bytes(&[3; 32])
    }

    fn token(sub: &str, ops: &[&str]) -> String {
        let s = NOW_MS / 1000;
        let claims = GrantClaims {
            iss: ISSUER.into(),
            aud: vec!["svc:sample".into()],
            sub: sub.into(),
            tid: TENANT.into(),
            svc: "mail".into(),
            gid: "req-1".into(),
            tkt: "SR-1".into(),
            ops: ops.iter().map(|o| (*o).to_owned()).collect(),
            iat: s,
            nbf: s,
            exp: s + 300,
            jti: "j".into(),
        };
        jose::sign(&claims, TYP, "k1", &lockbox_key()).expect("sign")
    }

    fn run_with(
        answer: Result<(u16, String), String>,
        grant: &str,
    ) -> (Result<OperationAnswer, Problem>, Vec<&'static str>) {
        let log = Log::default();
        let verifier = Verifier::new(
            Jwks {
                keys: vec![Jwk::of(&lockbox_key().verifying_key(), "k1")],
            },
            ISSUER,
            "svc:sample",
        );
        let lockbox = Lockbox { log: &log, answer };
        let recorder = Recorder::new(
            ServiceKey {
                service: "svc:sample".into(),
                kid: "s".into(),
                key: SigningKey::from_bytes(&[5; 32]),
            },
            ISSUER,
            &lockbox,
        )
        .with_retries(2, 0);
        let params = serde_json::Map::new();
        let call = Call {
            tenant: TENANT,
            service: "mail",
            operation: "Get-Mailbox",
            params: &params,
            engineer: "engineer1@provider.example",
            grant_token: Some(grant),
            batch_id: "batch-1",
        };
        let result = block_on(run(&FakeStore(&log), &verifier, &recorder, &call, || {
            NOW_MS
        }));
        let happened = log.0.borrow().clone();
        (result, happened)
    }

    const RECORDED: &str = r#"{"batch_id":"batch-1","request_id":"req-1","tenant_id":"7c0a8f4e-5a1b-4c3d-9e2f-000000000001","recorded_at":1,"records":[{"id":"audit-1","seq":7,"leaf_hash":"h"}]}"#;

    #[test]
    fn content_is_read_only_after_the_action_is_recorded() {
        let (result, happened) = run_with(
            Ok((200, RECORDED.into())),
            &token("engineer1@provider.example", &["Get-Mailbox"]),
        );
        let answer = result.expect("answered");
        assert_eq!(answer.audit_id, "audit-1");
        assert_eq!(answer.request_id, "req-1");
        assert!(answer.result.table.is_some_and(|t| t.rows.len() == 1));
        assert_eq!(happened, ["record", "read"]);
    }

    #[test]
    fn lockbox_refusing_or_not_answering_reads_nothing() {
        let grant = token("engineer1@provider.example", &["Get-Mailbox"]);
        for (answer, status) in [
            (
                Ok((
                    409,
                    r#"{"detail":"The customer revoked the grant."}"#.to_owned(),
                )),
                409,
            ),
            (
                Ok((403, r#"{"detail":"Operation not granted."}"#.to_owned())),
                403,
            ),
            (Ok((503, String::new())), 503),
            (Err("timed out".to_owned()), 503),
            (Ok((401, r#"{"detail":"no"}"#.to_owned())), 502),
        ] {
            let (result, happened) = run_with(answer.clone(), &grant);
            let problem = result.expect_err("refused");
            assert_eq!(problem.status, status, "{answer:?}: {problem:?}");
            assert!(problem.detail.contains("nothing was read"), "{problem:?}");
            assert!(
                !happened.contains(&"read"),
                "{answer:?} read content: {happened:?}"
            );
        }
    }

    #[test]
    fn a_token_for_another_engineer_or_operation_is_refused_before_lockbox_is_asked() {
        for grant in [
            token("engineer2@provider.example", &["Get-Mailbox"]),
            token("engineer1@provider.example", &["Get-Message"]),
            "not-a-token".to_owned(),
        ] {
            let (result, happened) = run_with(Ok((200, RECORDED.into())), &grant);
            assert_eq!(result.expect_err("refused").status, 403);
            assert!(happened.is_empty(), "{happened:?}");
        }
    }
}
