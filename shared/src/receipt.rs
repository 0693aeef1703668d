//! Decision receipts: what the customer decided on one request, quoted from
//! the audit log, for the deployment to sign (`tlog::SigningKey::sign_text`)
//! and anyone to check offline with the audit log's public key.
//!
//! A receipt lets the engineer prove their access was approved, and the
//! customer prove what they approved (or denied, or ended). It is issued
//! for whoever may read the request; provider staff get it as they see the
//! log, without the customer person who decided.

use serde::{Deserialize, Serialize};

use crate::audit::{utc_ms, Activity, AuditRecord, LockboxActivity};
use crate::lifecycle::AccessRequest;

/// The receipt's `type`: a signed text that is not a checkpoint, and the
/// version of its fields. Version 2 adds the operations asked for and
/// those the grant allows.
pub const RECEIPT_TYPE: &str = "lockbox-decision-receipt/v2";

/// The first version's `type` (no operations), which receipts issued
/// before version 2 carry and verifiers still accept.
pub const RECEIPT_TYPE_V1: &str = "lockbox-decision-receipt/v1";

/// The facts of a request, as its audit records state them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptRequest {
    pub id: String,
    pub tenant_id: String,
    pub service: String,
    pub ticket: String,
    pub reason: String,
    /// Who asked (a provider engineer).
    pub requester: String,
    pub created_at: String,
    pub requested_minutes: u32,
    /// The operations asked for (version 2; absent on version 1, and on a
    /// request from before requests named them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operations: Option<Vec<String>>,
}

impl ReceiptRequest {
    /// The facts of `request`.
    pub fn of(request: &AccessRequest) -> Self {
        Self {
            id: request.id.as_str().to_owned(),
            tenant_id: request.tenant_id.as_str().to_owned(),
            service: request.service.as_str().to_owned(),
            ticket: request.ticket.as_str().to_owned(),
            reason: request.reason.as_str().to_owned(),
            requester: request.requester.email.clone(),
            created_at: utc_ms(request.created_at),
            requested_minutes: request.duration.minutes(),
            operations: request.operations.as_ref().map(|ops| ops.names().to_vec()),
        }
    }
}

/// One decision of the customer's, and the audit record that logged it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptDecision {
    /// `Approve`, `Deny` or `Revoke`; for emergency access, `Ratify` or `Dispute`.
    pub decision: String,
    /// Who decided; absent on receipts issued to provider staff, who never
    /// see which customer person decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    pub at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The record's position in the tenant's audit log (its leaf is
    /// `audit_seq - 1` of the log's tree).
    pub audit_seq: i64,
    pub audit_record_id: String,
}

/// The window access was granted for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptGrant {
    pub starts_at: String,
    pub ends_at: String,
    /// The operations the grant allows: what every approver allowed of
    /// those asked for (version 2; absent as the request's are).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operations: Option<Vec<String>>,
}

/// A decision receipt, as signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// Always [`RECEIPT_TYPE`].
    #[serde(rename = "type")]
    pub kind: String,
    /// The deployment that signs (the audit key's name is
    /// `<deployment>/audit`).
    pub deployment: String,
    /// `customer` or `provider`: whom it was issued to.
    pub audience: String,
    pub issued_at: String,
    pub request: ReceiptRequest,
    /// The customer's decisions, in the log's order.
    pub decisions: Vec<ReceiptDecision>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant: Option<ReceiptGrant>,
    /// The request's state when the receipt was issued.
    pub state: String,
}

/// Why a request has no receipt yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoDecision(pub String);

fn detail(record: &AuditRecord, key: &str) -> Option<String> {
    record
        .record
        .details
        .get(key)
        .filter(|v| !v.is_empty())
        .cloned()
}

impl Receipt {
    /// The receipt of `request` from its audit records (`history`, as the
    /// caller may see them), issued to `audience` at `now` by `deployment`.
    pub fn of(
        request: &AccessRequest,
        history: &[AuditRecord],
        deployment: &str,
        audience: &str,
        now: i64,
    ) -> Result<Self, NoDecision> {
        let decisions: Vec<ReceiptDecision> = history
            .iter()
            .filter_map(|r| {
                let (decision, by) = match r.record.activity {
                    Activity::Lockbox(LockboxActivity::CustomerDecision) => {
                        (detail(r, "ApprovalDecision")?, detail(r, "Approver"))
                    }
                    Activity::Lockbox(LockboxActivity::RevokeGrant) => {
                        ("Revoke".to_owned(), detail(r, "RevokedBy"))
                    }
                    // An emergency's verdict (a lapsed review is nobody's).
                    Activity::Lockbox(LockboxActivity::ReviewEmergency) => {
                        let verdict = detail(r, "Verdict")?;
                        let decision = match verdict.as_str() {
                            "Ratified" => "Ratify",
                            "Disputed" => "Dispute",
                            _ => return None,
                        };
                        (decision.to_owned(), detail(r, "ReviewedBy"))
                    }
                    _ => return None,
                };
                Some(ReceiptDecision {
                    decision,
                    by,
                    at: utc_ms(r.occurred_at),
                    comment: detail(r, "Comment"),
                    audit_seq: r.seq,
                    audit_record_id: r.id.clone(),
                })
            })
            .collect();
        if decisions.is_empty() {
            return Err(NoDecision(match request.customer_approval_required() {
                Some(false) if request.emergency.is_some() => "This emergency access was \
                    granted by two support managers without the customer's approval: its receipt \
                    exists once the customer ratifies or disputes it."
                    .to_owned(),
                Some(false) => "This request was granted without the customer's approval \
                    (Customer Lockbox was off for the tenant): there is no customer decision \
                    to give a receipt for."
                    .to_owned(),
                _ => "Nobody at the customer has approved or denied this request yet; its \
                    receipt exists from the first decision on."
                    .to_owned(),
            }));
        }
        Ok(Self {
            kind: RECEIPT_TYPE.to_owned(),
            deployment: deployment.to_owned(),
            audience: audience.to_owned(),
            issued_at: utc_ms(now),
            request: ReceiptRequest::of(request),
            decisions,
            grant: request.grant().map(|g| ReceiptGrant {
                starts_at: utc_ms(g.starts_at),
                ends_at: utc_ms(g.ends_at),
                operations: request.allowed_operations(),
            }),
            state: request.effective_state(now).as_str().to_owned(),
        })
    }

    /// The text that is signed: the receipt as indented JSON and a newline.
    pub fn text(&self) -> String {
        // Plain data of strings and numbers always serialises.
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// A signed text's receipt, if it is one.
    pub fn from_text(text: &str) -> Result<Self, String> {
        let receipt: Receipt = serde_json::from_str(text)
            .map_err(|e| format!("the signed text is not a decision receipt: {e}"))?;
        match receipt.kind.as_str() {
            RECEIPT_TYPE => Ok(receipt),
            // Version 1 knew no operations: one that names some is not one.
            RECEIPT_TYPE_V1
                if receipt.request.operations.is_none()
                    && receipt
                        .grant
                        .as_ref()
                        .is_none_or(|g| g.operations.is_none()) =>
            {
                Ok(receipt)
            }
            other => Err(format!(
                "the signed text is a {other:?}, not a {RECEIPT_TYPE} (or {RECEIPT_TYPE_V1})"
            )),
        }
    }
}
