//! The locked content (SPEC §5): reads of one tenant's mailboxes, sites and
//! drive. Only the operator service reads it, and only after it has found a
//! live grant: a read is a [`Plan`] of queries that run in the same batch
//! as the call's audit record, which is written only if the grant is still
//! live and the item the call names exists ([`Plan::exists`]); what the
//! queries return is then decoded with [`decode`].

use lockbox_shared::api::{
    FileContent, FolderStatistics, ItemEntry, MailboxStatistics, MailboxSummary, Message,
    MessageHeader, OperationOutput, SiteSummary,
};
use lockbox_shared::ids::TenantId;
use lockbox_shared::operations::Invocation;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::db::{bit, Condition, DbError, Statement};

/// The queries of one call's read, in one batch with its audit record.
pub struct Plan {
    /// Holds when the item the call names exists (`None`: the call lists
    /// what the tenant has, which always answers). Its first query reads
    /// that item's row with the same condition, so the record is written
    /// exactly when [`decode`] finds the item.
    pub exists: Option<Condition>,
    pub queries: Vec<Statement>,
}

/// `more`'s arguments after the tenant's.
fn args(tenant: &TenantId, more: &[&str]) -> Vec<super::db::Value> {
    let mut all = vec![tenant.as_str().into()];
    all.extend(more.iter().map(|s| (*s).into()));
    all
}

/// The named item: the row of `table` in `tenant` where `is` holds, and
/// (from the same two) the condition that it exists.
struct Item<'a> {
    table: &'a str,
    is: &'a str,
    args: Vec<super::db::Value>,
}

impl<'a> Item<'a> {
    fn new(table: &'a str, tenant: &TenantId, is: &'a str, more: &[&str]) -> Self {
        Self {
            table,
            is,
            args: args(tenant, more),
        }
    }

    fn exists(&self) -> Condition {
        Condition::new(
            format!(
                "EXISTS (SELECT 1 FROM {} WHERE tenant_id = ? AND {})",
                self.table, self.is
            ),
            self.args.clone(),
        )
    }

    fn row(&self, columns: &str) -> Statement {
        Statement::new(
            format!(
                "SELECT {columns} FROM {} WHERE tenant_id = ? AND {}",
                self.table, self.is
            ),
            self.args.clone(),
        )
    }

    /// The plan: this item's row, then `more` queries.
    fn plan(self, columns: &str, more: Vec<Statement>) -> Plan {
        let mut queries = vec![self.row(columns)];
        queries.extend(more);
        Plan {
            exists: Some(self.exists()),
            queries,
        }
    }
}

fn query(sql: &str, tenant: &TenantId, more: &[&str]) -> Statement {
    Statement::new(sql, args(tenant, more))
}

const MAILBOX_COLUMNS: &str = "address, display_name, item_count, size_bytes";
const ITEM_COLUMNS: &str = "path, is_folder, size_bytes, modified_at, content";

/// What `call` reads of `tenant`'s content.
pub fn plan(tenant: &TenantId, call: &Invocation) -> Plan {
    let t = tenant;
    let mailbox = |a: &str| Item::new("mailboxes", t, "address = ?", &[a]);
    match call {
        Invocation::GetMailbox => Plan {
            exists: None,
            queries: vec![query(
                &format!(
                    "SELECT {MAILBOX_COLUMNS} FROM mailboxes WHERE tenant_id = ? ORDER BY address"
                ),
                t,
                &[],
            )],
        },
        Invocation::GetMailboxStatistics { identity } => {
            let a = identity.as_str();
            mailbox(a).plan(
                MAILBOX_COLUMNS,
                vec![query(
                    "SELECT MIN(received_at) AS oldest, MAX(received_at) AS newest \
                     FROM messages WHERE tenant_id = ? AND mailbox = ?",
                    t,
                    &[a],
                )],
            )
        }
        Invocation::GetMailboxFolderStatistics { identity } => {
            let a = identity.as_str();
            mailbox(a).plan(
                MAILBOX_COLUMNS,
                vec![query(
                    "SELECT folder, COUNT(*) AS item_count, \
                       SUM(length(body) + length(subject)) AS size_bytes \
                     FROM messages WHERE tenant_id = ? AND mailbox = ? \
                     GROUP BY folder ORDER BY folder",
                    t,
                    &[a],
                )],
            )
        }
        Invocation::GetMessage {
            identity,
            message_id: None,
        } => {
            let a = identity.as_str();
            mailbox(a).plan(
                MAILBOX_COLUMNS,
                vec![query(
                    "SELECT id, folder, sender, recipient, subject, received_at FROM messages \
                     WHERE tenant_id = ? AND mailbox = ? ORDER BY id",
                    t,
                    &[a],
                )],
            )
        }
        Invocation::GetMessage {
            identity,
            message_id: Some(id),
        } => {
            let mut message = Item::new(
                "messages",
                t,
                "mailbox = ? AND id = ?",
                &[identity.as_str()],
            );
            message.args.push(i64::from(*id).into());
            message.plan(
                "id, folder, sender, recipient, subject, received_at, body",
                vec![],
            )
        }
        Invocation::GetSite => Plan {
            exists: None,
            queries: vec![query(
                "SELECT s.url_path, s.title, \
                   (SELECT COUNT(*) FROM site_files f \
                    WHERE f.tenant_id = s.tenant_id AND f.site = s.url_path) AS file_count \
                 FROM sites s WHERE s.tenant_id = ? ORDER BY s.url_path",
                t,
                &[],
            )],
        },
        Invocation::GetSiteFileList { site } => {
            let s = site.as_str();
            Item::new("sites", t, "url_path = ?", &[s]).plan(
                "url_path",
                vec![query(
                    "SELECT path, 0 AS is_folder, size_bytes, modified_at FROM site_files \
                     WHERE tenant_id = ? AND site = ? ORDER BY path",
                    t,
                    &[s],
                )],
            )
        }
        Invocation::GetSiteFile { site, path } => Item::new(
            "site_files",
            t,
            "site = ? AND path = ?",
            &[site.as_str(), path.as_str()],
        )
        .plan(
            "path, 0 AS is_folder, size_bytes, modified_at, content",
            vec![],
        ),
        Invocation::GetDriveItemList { path } => {
            let p = path.as_str();
            let children = query(
                "SELECT path, is_folder, size_bytes, modified_at FROM drive_items \
                 WHERE tenant_id = ? AND parent = ? ORDER BY is_folder DESC, path",
                t,
                &[p],
            );
            if p == "/" {
                // The root always exists (one row stands for it).
                return Plan {
                    exists: None,
                    queries: vec![Statement::new("SELECT '/' AS path", vec![]), children],
                };
            }
            Item::new("drive_items", t, "path = ? AND is_folder = 1", &[p])
                .plan("path", vec![children])
        }
        Invocation::GetDriveItem { path } => Item::new(
            "drive_items",
            t,
            "path = ? AND is_folder = 0",
            &[path.as_str()],
        )
        .plan(ITEM_COLUMNS, vec![]),
    }
}

#[derive(Deserialize)]
struct MailboxRow {
    address: String,
    display_name: String,
    item_count: i64,
    size_bytes: i64,
}

impl From<MailboxRow> for MailboxSummary {
    fn from(r: MailboxRow) -> Self {
        MailboxSummary {
            address: r.address,
            display_name: r.display_name,
            item_count: r.item_count,
            size_bytes: r.size_bytes,
        }
    }
}

#[derive(Deserialize)]
struct SpanRow {
    oldest: Option<i64>,
    newest: Option<i64>,
}

#[derive(Deserialize)]
struct FolderRow {
    folder: String,
    item_count: i64,
    size_bytes: i64,
}

#[derive(Deserialize)]
struct MessageRow {
    id: i64,
    folder: String,
    sender: String,
    recipient: String,
    subject: String,
    received_at: i64,
    #[serde(default)]
    body: Option<String>,
}

impl MessageRow {
    fn header(self) -> (MessageHeader, Option<String>) {
        (
            MessageHeader {
                id: self.id,
                folder: self.folder,
                from: self.sender,
                to: self.recipient,
                subject: self.subject,
                received_at: self.received_at,
            },
            self.body,
        )
    }
}

#[derive(Deserialize)]
struct SiteRow {
    url_path: String,
    title: String,
    file_count: i64,
}

#[derive(Deserialize)]
struct ItemRow {
    path: String,
    is_folder: i64,
    size_bytes: i64,
    modified_at: i64,
    #[serde(default)]
    content: Option<String>,
}

impl ItemRow {
    fn entry(self) -> (ItemEntry, Option<String>) {
        (
            ItemEntry {
                path: self.path,
                is_folder: bit(self.is_folder),
                size_bytes: self.size_bytes,
                modified_at: self.modified_at,
            },
            self.content,
        )
    }
}

fn file(row: ItemRow) -> FileContent {
    let (entry, content) = row.entry();
    FileContent {
        entry,
        content: content.unwrap_or_default(),
    }
}

/// The result sets of a [`Plan`]'s queries, one by one.
struct Sets(std::vec::IntoIter<Vec<serde_json::Value>>);

impl Sets {
    fn next<T: DeserializeOwned>(&mut self) -> Result<Vec<T>, DbError> {
        super::db::decode(self.0.next())
    }

    /// The first set's first row, if any: the item a call names.
    fn item<T: DeserializeOwned>(&mut self) -> Result<Option<T>, DbError> {
        Ok(self.next()?.into_iter().next())
    }
}

/// What `call` returns, from the result sets of its [`plan`]; `None` when
/// the item it names does not exist.
pub fn decode(
    call: &Invocation,
    sets: Vec<Vec<serde_json::Value>>,
) -> Result<Option<OperationOutput>, DbError> {
    let mut sets = Sets(sets.into_iter());
    Ok(match call {
        Invocation::GetMailbox => Some(OperationOutput::Mailboxes {
            items: sets
                .next::<MailboxRow>()?
                .into_iter()
                .map(Into::into)
                .collect(),
        }),
        Invocation::GetMailboxStatistics { .. } => {
            let Some(mailbox) = sets.item::<MailboxRow>()? else {
                return Ok(None);
            };
            let span = sets.item::<SpanRow>()?;
            Some(OperationOutput::MailboxStatistics(MailboxStatistics {
                mailbox: mailbox.into(),
                oldest_received_at: span.as_ref().and_then(|s| s.oldest),
                newest_received_at: span.and_then(|s| s.newest),
            }))
        }
        Invocation::GetMailboxFolderStatistics { identity } => {
            if sets.item::<MailboxRow>()?.is_none() {
                return Ok(None);
            }
            let folders = sets
                .next::<FolderRow>()?
                .into_iter()
                .map(|r| FolderStatistics {
                    folder: r.folder,
                    item_count: r.item_count,
                    size_bytes: r.size_bytes,
                })
                .collect();
            Some(OperationOutput::FolderStatistics {
                identity: identity.as_str().to_owned(),
                folders,
            })
        }
        Invocation::GetMessage {
            identity,
            message_id: None,
        } => {
            if sets.item::<MailboxRow>()?.is_none() {
                return Ok(None);
            }
            let items = sets
                .next::<MessageRow>()?
                .into_iter()
                .map(|r| r.header().0)
                .collect();
            Some(OperationOutput::Messages {
                identity: identity.as_str().to_owned(),
                items,
            })
        }
        Invocation::GetMessage {
            message_id: Some(_),
            ..
        } => sets.item::<MessageRow>()?.map(|r| {
            let (header, body) = r.header();
            OperationOutput::Message(Message {
                header,
                body: body.unwrap_or_default(),
            })
        }),
        Invocation::GetSite => Some(OperationOutput::Sites {
            items: sets
                .next::<SiteRow>()?
                .into_iter()
                .map(|r| SiteSummary {
                    url_path: r.url_path,
                    title: r.title,
                    file_count: r.file_count,
                })
                .collect(),
        }),
        Invocation::GetSiteFileList { site } => {
            if sets.item::<serde_json::Value>()?.is_none() {
                return Ok(None);
            }
            Some(OperationOutput::Items {
                parent: site.as_str().to_owned(),
                items: sets
                    .next::<ItemRow>()?
                    .into_iter()
                    .map(|r| r.entry().0)
                    .collect(),
            })
        }
        Invocation::GetSiteFile { .. } | Invocation::GetDriveItem { .. } => sets
            .item::<ItemRow>()?
            .map(|r| OperationOutput::File(file(r))),
        Invocation::GetDriveItemList { path } => {
            if sets.item::<serde_json::Value>()?.is_none() {
                return Ok(None);
            }
            Some(OperationOutput::Items {
                parent: path.as_str().to_owned(),
                items: sets
                    .next::<ItemRow>()?
                    .into_iter()
                    .map(|r| r.entry().0)
                    .collect(),
            })
        }
    })
}
