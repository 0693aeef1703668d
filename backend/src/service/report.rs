//! The signed report of an ended grant (`lockbox_shared::report`): read
//! from the tenant's log as the end record left it, proved against the
//! checkpoint of that size, and signed with the audit log's key.

use lockbox_shared::api::Audience;
use lockbox_shared::audit::AuditRecord;
use lockbox_shared::lifecycle::AccessRequest;
use lockbox_shared::report::{self, NotReported, Parts};
use lockbox_shared::tlog::{self, SigningKey};
use sha2::{Digest, Sha256};

use crate::error::AppError;
use crate::store::{audit, Database};

use super::tree;

/// What signs reports: the audit log's key and the deployment's name.
#[derive(Clone, Copy)]
pub struct Signer<'a> {
    pub key: &'a SigningKey,
    pub deployment: &'a str,
}

/// The signed report of `request`'s grant for `audience`, read from `db`
/// (its tenant's). A grant not yet ended (or whose end the sweep has not
/// written yet) has none: a conflict that says when it will.
pub async fn signed<D: Database>(
    db: &D,
    request: &AccessRequest,
    audience: Audience,
    signer: Signer<'_>,
    now: i64,
) -> Result<String, AppError> {
    let tenant = &request.tenant_id;
    let id = request.id.as_str();
    let end = audit::select(db, audit::by_id(tenant, &report::end_record_id(id)))
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| not_ended(request, now))?;
    let size = end.seq as u64;
    if tree::seal(db, tenant, tree::REPORT_STEPS).await? < size {
        return Err(AppError::NotEnded(
            "The audit log is still being sealed up to this grant's end; ask again in a minute."
                .to_owned(),
        ));
    }
    let history: Vec<AuditRecord> = audit::select(db, audit::history(tenant, id))
        .await?
        .into_iter()
        .filter(|r| r.seq <= end.seq)
        .map(|r| match audience {
            Audience::Provider => r.for_provider(),
            Audience::Customer => r,
        })
        .collect();
    let actions = audit::select(db, audit::actions_before(tenant, id, end.seq)).await?;
    let indexes: Vec<u64> = actions
        .iter()
        .chain(std::iter::once(&end))
        .map(|r| r.seq as u64 - 1)
        .collect();
    let (proofs, root) = tree::proofs(db, tenant, size, &indexes).await?;
    let checkpoint = signer
        .key
        .sign_checkpoint(
            &tlog::origin(signer.deployment, tenant.as_str()),
            size,
            root,
        )
        .map_err(|e| AppError::Internal(format!("signing a checkpoint: {e}")))?;
    let report = report::assemble(
        Parts {
            request,
            history,
            actions,
            end,
            checkpoint,
            proofs,
        },
        signer.deployment,
        audience.as_str(),
    )
    .map_err(|NotReported(why)| AppError::Internal(why))?;
    signer
        .key
        .sign_text(report.text().as_bytes())
        .map_err(|e| AppError::Internal(format!("signing a report: {e}")))
}

/// The SHA-256 of a signed report, as the summary e-mail quotes it
/// (lowercase hex, as `sha256sum` prints it).
pub fn sha256(note: &str) -> String {
    Sha256::digest(note.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn not_ended(request: &AccessRequest, now: i64) -> AppError {
    let why = match (request.grant(), request.effective_state(now)) {
        (None, _) => "This request was never granted: there is no access to report.".to_owned(),
        (Some(grant), lockbox_shared::lifecycle::State::Approved) => format!(
            "This grant is live until {}; its report is written when it ends.",
            lockbox_shared::audit::utc(grant.ends_at)
        ),
        (Some(_), _) => {
            "This grant has ended; its end is being recorded. Ask again in a minute.".to_owned()
        }
    };
    AppError::NotEnded(why)
}
