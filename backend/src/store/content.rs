//! The locked content (SPEC §5): reads of one tenant's mailboxes, sites and
//! drive. Only the operator service calls these, and only after it has
//! found a live grant; the read is then recorded in the same batch as the
//! grant's check (`service::operations`).

use lockbox_shared::api::{
    FileContent, FolderStatistics, ItemEntry, MailboxStatistics, MailboxSummary, Message,
    MessageHeader, SiteSummary,
};
use lockbox_shared::ids::TenantId;
use serde::Deserialize;

use super::db::{bit, first, Database, DbError, Statement};

fn by_tenant(sql: &str, tenant: &TenantId, more: &[&str]) -> Statement {
    let mut args = vec![tenant.as_str().into()];
    args.extend(more.iter().map(|s| (*s).into()));
    Statement::new(sql, args)
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

/// Every mailbox of the tenant.
pub async fn mailboxes<D: Database>(
    db: &D,
    tenant: &TenantId,
) -> Result<Vec<MailboxSummary>, DbError> {
    let rows: Vec<MailboxRow> = db
        .query(by_tenant(
            "SELECT address, display_name, item_count, size_bytes FROM mailboxes \
             WHERE tenant_id = ? ORDER BY address",
            tenant,
            &[],
        ))
        .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

async fn mailbox<D: Database>(
    db: &D,
    tenant: &TenantId,
    address: &str,
) -> Result<Option<MailboxSummary>, DbError> {
    let row: Option<MailboxRow> = first(
        db,
        by_tenant(
            "SELECT address, display_name, item_count, size_bytes FROM mailboxes \
             WHERE tenant_id = ? AND address = ?",
            tenant,
            &[address],
        ),
    )
    .await?;
    Ok(row.map(Into::into))
}

#[derive(Deserialize)]
struct SpanRow {
    oldest: Option<i64>,
    newest: Option<i64>,
}

/// One mailbox's statistics, if the tenant has that mailbox.
pub async fn mailbox_statistics<D: Database>(
    db: &D,
    tenant: &TenantId,
    address: &str,
) -> Result<Option<MailboxStatistics>, DbError> {
    let Some(mailbox) = mailbox(db, tenant, address).await? else {
        return Ok(None);
    };
    let span: Option<SpanRow> = first(
        db,
        by_tenant(
            "SELECT MIN(received_at) AS oldest, MAX(received_at) AS newest FROM messages \
             WHERE tenant_id = ? AND mailbox = ?",
            tenant,
            &[address],
        ),
    )
    .await?;
    Ok(Some(MailboxStatistics {
        mailbox,
        oldest_received_at: span.as_ref().and_then(|s| s.oldest),
        newest_received_at: span.and_then(|s| s.newest),
    }))
}

#[derive(Deserialize)]
struct FolderRow {
    folder: String,
    item_count: i64,
    size_bytes: i64,
}

/// One mailbox's folders, if the tenant has that mailbox.
pub async fn folder_statistics<D: Database>(
    db: &D,
    tenant: &TenantId,
    address: &str,
) -> Result<Option<Vec<FolderStatistics>>, DbError> {
    if mailbox(db, tenant, address).await?.is_none() {
        return Ok(None);
    }
    let rows: Vec<FolderRow> = db
        .query(by_tenant(
            "SELECT folder, COUNT(*) AS item_count, SUM(length(body) + length(subject)) AS size_bytes \
             FROM messages WHERE tenant_id = ? AND mailbox = ? GROUP BY folder ORDER BY folder",
            tenant,
            &[address],
        ))
        .await?;
    Ok(Some(
        rows.into_iter()
            .map(|r| FolderStatistics {
                folder: r.folder,
                item_count: r.item_count,
                size_bytes: r.size_bytes,
            })
            .collect(),
    ))
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

/// One mailbox's messages without bodies, if the tenant has that mailbox.
pub async fn messages<D: Database>(
    db: &D,
    tenant: &TenantId,
    address: &str,
) -> Result<Option<Vec<MessageHeader>>, DbError> {
    if mailbox(db, tenant, address).await?.is_none() {
        return Ok(None);
    }
    let rows: Vec<MessageRow> = db
        .query(by_tenant(
            "SELECT id, folder, sender, recipient, subject, received_at FROM messages \
             WHERE tenant_id = ? AND mailbox = ? ORDER BY id",
            tenant,
            &[address],
        ))
        .await?;
    Ok(Some(rows.into_iter().map(|r| r.header().0).collect()))
}

/// One message with its body, if the tenant's mailbox has it.
pub async fn message<D: Database>(
    db: &D,
    tenant: &TenantId,
    address: &str,
    id: u32,
) -> Result<Option<Message>, DbError> {
    let mut statement = by_tenant(
        "SELECT id, folder, sender, recipient, subject, received_at, body FROM messages \
         WHERE tenant_id = ? AND mailbox = ? AND id = ?",
        tenant,
        &[address],
    );
    statement.args.push(i64::from(id).into());
    let row: Option<MessageRow> = first(db, statement).await?;
    Ok(row.map(|r| {
        let (header, body) = r.header();
        Message {
            header,
            body: body.unwrap_or_default(),
        }
    }))
}

#[derive(Deserialize)]
struct SiteRow {
    url_path: String,
    title: String,
    file_count: i64,
}

/// Every site of the tenant with its number of files.
pub async fn sites<D: Database>(db: &D, tenant: &TenantId) -> Result<Vec<SiteSummary>, DbError> {
    let rows: Vec<SiteRow> = db
        .query(by_tenant(
            "SELECT s.url_path, s.title, \
               (SELECT COUNT(*) FROM site_files f WHERE f.tenant_id = s.tenant_id AND f.site = s.url_path) AS file_count \
             FROM sites s WHERE s.tenant_id = ? ORDER BY s.url_path",
            tenant,
            &[],
        ))
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| SiteSummary {
            url_path: r.url_path,
            title: r.title,
            file_count: r.file_count,
        })
        .collect())
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

#[derive(Deserialize)]
struct Exists {
    n: i64,
}

async fn exists<D: Database>(db: &D, statement: Statement) -> Result<bool, DbError> {
    let row: Option<Exists> = first(db, statement).await?;
    Ok(row.is_some_and(|r| r.n > 0))
}

/// One site's files without content, if the tenant has that site.
pub async fn site_files<D: Database>(
    db: &D,
    tenant: &TenantId,
    site: &str,
) -> Result<Option<Vec<ItemEntry>>, DbError> {
    let known = exists(
        db,
        by_tenant(
            "SELECT COUNT(*) AS n FROM sites WHERE tenant_id = ? AND url_path = ?",
            tenant,
            &[site],
        ),
    )
    .await?;
    if !known {
        return Ok(None);
    }
    let rows: Vec<ItemRow> = db
        .query(by_tenant(
            "SELECT path, 0 AS is_folder, size_bytes, modified_at FROM site_files \
             WHERE tenant_id = ? AND site = ? ORDER BY path",
            tenant,
            &[site],
        ))
        .await?;
    Ok(Some(rows.into_iter().map(|r| r.entry().0).collect()))
}

/// One site file with its content, if the tenant's site has it.
pub async fn site_file<D: Database>(
    db: &D,
    tenant: &TenantId,
    site: &str,
    path: &str,
) -> Result<Option<FileContent>, DbError> {
    let row: Option<ItemRow> = first(
        db,
        by_tenant(
            "SELECT path, 0 AS is_folder, size_bytes, modified_at, content FROM site_files \
             WHERE tenant_id = ? AND site = ? AND path = ?",
            tenant,
            &[site, path],
        ),
    )
    .await?;
    Ok(row.map(file))
}

fn file(row: ItemRow) -> FileContent {
    let (entry, content) = row.entry();
    FileContent {
        entry,
        content: content.unwrap_or_default(),
    }
}

/// What is directly in one folder of the tenant's drive, if it is a folder.
pub async fn drive_children<D: Database>(
    db: &D,
    tenant: &TenantId,
    folder: &str,
) -> Result<Option<Vec<ItemEntry>>, DbError> {
    if folder != "/" {
        let known = exists(
            db,
            by_tenant(
                "SELECT COUNT(*) AS n FROM drive_items WHERE tenant_id = ? AND path = ? AND is_folder = 1",
                tenant,
                &[folder],
            ),
        )
        .await?;
        if !known {
            return Ok(None);
        }
    }
    let rows: Vec<ItemRow> = db
        .query(by_tenant(
            "SELECT path, is_folder, size_bytes, modified_at FROM drive_items \
             WHERE tenant_id = ? AND parent = ? ORDER BY is_folder DESC, path",
            tenant,
            &[folder],
        ))
        .await?;
    Ok(Some(rows.into_iter().map(|r| r.entry().0).collect()))
}

/// One file of the tenant's drive with its content, if it is a file.
pub async fn drive_file<D: Database>(
    db: &D,
    tenant: &TenantId,
    path: &str,
) -> Result<Option<FileContent>, DbError> {
    let row: Option<ItemRow> = first(
        db,
        by_tenant(
            "SELECT path, is_folder, size_bytes, modified_at, content FROM drive_items \
             WHERE tenant_id = ? AND path = ? AND is_folder = 0",
            tenant,
            &[path],
        ),
    )
    .await?;
    Ok(row.map(file))
}
