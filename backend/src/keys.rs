//! The keys the deployment signs with, over time: each is noted the first
//! time an isolate signs with it (one write per isolate), noting a newer
//! key of the same purpose ends the older ones' time in use, and the list
//! is published (`GET /api/v1/keys`) so that artefacts signed before a
//! rotation still verify with the key that signed them.

use lockbox_shared::tlog::{PublishedKey, SigningKeys};

use crate::store::{Database, DbError, Statement};

/// What a key signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Checkpoints, receipts and reports.
    Audit,
    /// Grant tokens.
    Grant,
}

impl Purpose {
    fn name(self) -> &'static str {
        match self {
            Purpose::Audit => "audit",
            Purpose::Grant => "grant",
        }
    }
}

/// A key in use now: its purpose, id and public form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InUse {
    pub purpose: Purpose,
    pub key_id: String,
    pub public_key: String,
}

/// The statements that note `key` as in use from `now` (if it is new)
/// and end the time in use of the older keys of its purpose. Both are
/// idempotent: an isolate still signing with the older key after a
/// rotation changes nothing.
pub fn note(key: &InUse, now: i64) -> Vec<Statement> {
    let purpose = key.purpose.name();
    vec![
        Statement::new(
            "INSERT INTO signing_keys (purpose, key_id, public_key, valid_from) \
             VALUES (?, ?, ?, ?) ON CONFLICT (purpose, key_id) DO NOTHING",
            vec![
                purpose.into(),
                key.key_id.as_str().into(),
                key.public_key.as_str().into(),
                now.into(),
            ],
        ),
        Statement::new(
            "UPDATE signing_keys SET valid_until = \
             (SELECT valid_from FROM signing_keys WHERE purpose = ?1 AND key_id = ?2) \
             WHERE purpose = ?1 AND key_id <> ?2 AND valid_until IS NULL \
             AND valid_from < (SELECT valid_from FROM signing_keys WHERE purpose = ?1 AND key_id = ?2)",
            vec![purpose.into(), key.key_id.as_str().into()],
        ),
    ]
}

/// Notes every key of `in_use` (one batch).
pub async fn note_all<D: Database>(db: &D, in_use: &[InUse], now: i64) -> Result<(), DbError> {
    let statements: Vec<Statement> = in_use.iter().flat_map(|k| note(k, now)).collect();
    if statements.is_empty() {
        return Ok(());
    }
    db.batch(statements).await.map(|_| ())
}

/// The published keys: every key noted, newest first, and the keys in
/// use now that no isolate has noted yet (without times).
pub async fn published<D: Database>(db: &D, in_use: &[InUse]) -> Result<SigningKeys, DbError> {
    #[derive(serde::Deserialize)]
    struct Row {
        purpose: String,
        key_id: String,
        public_key: String,
        valid_from: i64,
        valid_until: Option<i64>,
    }
    let rows: Vec<Row> = db
        .query(Statement::new(
            "SELECT purpose, key_id, public_key, valid_from, valid_until FROM signing_keys \
             ORDER BY valid_from DESC, key_id",
            vec![],
        ))
        .await?;
    let of = |purpose: Purpose| {
        let mut keys: Vec<PublishedKey> = in_use
            .iter()
            .filter(|k| k.purpose == purpose)
            .filter(|k| {
                !rows
                    .iter()
                    .any(|r| r.purpose == purpose.name() && r.key_id == k.key_id)
            })
            .map(|k| PublishedKey {
                key_id: k.key_id.clone(),
                key: k.public_key.clone(),
                valid_from: None,
                valid_until: None,
            })
            .collect();
        keys.extend(
            rows.iter()
                .filter(|r| r.purpose == purpose.name())
                .map(|r| PublishedKey {
                    key_id: r.key_id.clone(),
                    key: r.public_key.clone(),
                    valid_from: Some(r.valid_from),
                    valid_until: r.valid_until,
                }),
        );
        keys
    };
    Ok(SigningKeys {
        audit: of(Purpose::Audit),
        grant_tokens: of(Purpose::Grant),
    })
}
