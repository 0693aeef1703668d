//! A whole tenant as signed JSON lines (`lockbox_shared::tenant_export`):
//! its own tables wherever they live (the rows a move would copy), and
//! the global database's rows of it (its services, the provider's index of
//! its requests). Written a page at a time, so a tenant of any size
//! streams; the last line signs the digest of every line before it.

use lockbox_shared::ids::TenantId;
use lockbox_shared::tenant_export::{Digester, End, Header, Line, Row, KIND, VERSION};
use lockbox_shared::tlog::{self, SigningKey};

use super::relocate;
use crate::error::AppError;
use crate::store::{Database, Global, Tenant};

/// Rows one page reads: one database call each, so a tenant of n rows
/// takes about n / 2 000 of an invocation's calls (the audit export reads
/// 2 500 records a call).
pub const EXPORT_PAGE: i64 = 2_000;

/// The global database's tables with rows of one tenant's, after the
/// tenant's own.
const GLOBAL: [(&str, &str); 2] = [
    ("tenant_services", "tenant_id = ?"),
    ("request_index", "tenant_id = ?"),
];

/// Where an export stands: the next table (the tenant's own, then the
/// global ones), the last rowid written of it, the digest so far and the
/// rows written of each table.
pub struct Export {
    tenant: TenantId,
    key: SigningKey,
    checkpoint: String,
    table: usize,
    after: i64,
    digest: Digester,
    counts: Vec<(String, u64)>,
    done: bool,
}

impl Export {
    /// Seals the tenant's log (what is sealed is what the checkpoint
    /// covers: every record, for a log whose backlog a checkpoint can
    /// seal), signs its checkpoint, and gives the header line.
    pub async fn start<D: Database>(
        db: &Tenant<'_, D>,
        key: &SigningKey,
        deployment: &str,
        now: i64,
    ) -> Result<(Self, String), AppError> {
        let tenant = db.id().clone();
        let size = super::tree::seal(db, &tenant, super::tree::REPORT_STEPS).await?;
        let (sealed, root) = super::tree::sealed_root(db, &tenant).await?;
        if sealed != size {
            return Err(AppError::Internal(
                "the log was sealed further meanwhile".into(),
            ));
        }
        let checkpoint = key
            .sign_checkpoint(&tlog::origin(deployment, tenant.as_str()), sealed, root)
            .map_err(|e| AppError::Internal(format!("signing the checkpoint: {e}")))?;
        let header = Line::Header(Header {
            kind: KIND.to_owned(),
            version: VERSION,
            deployment: deployment.to_owned(),
            tenant_id: tenant.as_str().to_owned(),
            exported_at: now,
        });
        let mut export = Self {
            tenant,
            key: key.clone(),
            checkpoint,
            table: 0,
            after: 0,
            digest: Digester::default(),
            counts: Vec::new(),
            done: false,
        };
        let line = export.write(&header)?;
        Ok((export, line))
    }

    fn write(&mut self, line: &Line) -> Result<String, AppError> {
        let text = serde_json::to_string(line)
            .map_err(|e| AppError::Internal(format!("writing a line: {e}")))?;
        self.digest.line(&text);
        Ok(text)
    }

    /// The next lines (each ending in a newline): a page of rows, or the
    /// end line; `None` once the end line was given.
    pub async fn next<T: Database, G: Database>(
        &mut self,
        tenant: &Tenant<'_, T>,
        global: &Global<'_, G>,
    ) -> Result<Option<String>, AppError> {
        if self.done {
            return Ok(None);
        }
        let own = relocate::tenant_tables();
        let (name, rows, global_table) = match own.get(self.table) {
            Some((name, rows)) => (*name, *rows, false),
            None => match GLOBAL.get(self.table - own.len()) {
                Some((name, rows)) => (*name, *rows, true),
                None => return self.end().map(Some),
            },
        };
        let statement = relocate::page(name, rows, self.tenant.as_str(), self.after, EXPORT_PAGE);
        let page: Vec<serde_json::Map<String, serde_json::Value>> = if global_table {
            global.query(statement).await?
        } else {
            tenant.query(statement).await?
        };
        if self.counts.last().is_none_or(|(t, _)| t != name) {
            self.counts.push((name.to_owned(), 0));
        }
        let mut out = String::new();
        for mut row in page.iter().cloned() {
            if let Some(rowid) = row.remove("_moved_rowid").and_then(|v| v.as_i64()) {
                self.after = rowid;
            }
            let line = self.write(&Line::Row(Row {
                table: name.to_owned(),
                row,
            }))?;
            out.push_str(&line);
            out.push('\n');
        }
        if let Some((_, n)) = self.counts.last_mut() {
            *n += page.len() as u64;
        }
        if (page.len() as i64) < EXPORT_PAGE {
            self.table += 1;
            self.after = 0;
        }
        Ok(Some(out))
    }

    fn end(&mut self) -> Result<String, AppError> {
        self.done = true;
        let sha256 = self.digest.hex();
        let text =
            lockbox_shared::tenant_export::signed_text(self.tenant.as_str(), &sha256, &self.counts);
        let signature = self
            .key
            .sign_text(text.as_bytes())
            .map_err(|e| AppError::Internal(format!("signing the export: {e}")))?;
        let end = Line::End {
            end: End {
                rows: self.counts.clone(),
                sha256,
                checkpoint: self.checkpoint.clone(),
                signature,
            },
        };
        let text = serde_json::to_string(&end)
            .map_err(|e| AppError::Internal(format!("writing the end: {e}")))?;
        Ok(format!("{text}\n"))
    }
}

/// The tables an export writes, in order.
pub fn tables() -> Vec<&'static str> {
    relocate::tenant_tables()
        .into_iter()
        .map(|(name, _)| name)
        .chain(GLOBAL.iter().map(|(name, _)| *name))
        .collect()
}

/// A whole export of `tenant` in one string (tests, small tenants).
pub async fn whole<T: Database, G: Database>(
    tenant: &Tenant<'_, T>,
    global: &Global<'_, G>,
    key: &SigningKey,
    deployment: &str,
    now: i64,
) -> Result<String, AppError> {
    let (mut export, header) = Export::start(tenant, key, deployment, now).await?;
    let mut out = format!("{header}\n");
    while let Some(lines) = export.next(tenant, global).await? {
        out.push_str(&lines);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    /// The verifier's list of an export's tables is the one written.
    #[test]
    fn the_verifier_knows_every_table_an_export_writes() {
        assert_eq!(
            super::tables(),
            lockbox_shared::tenant_export::TABLES.to_vec()
        );
    }
}
