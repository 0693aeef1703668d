//! The sample service's content: reads of one tenant's mailboxes, sites
//! and drive, in its own database. A read is a [`Plan`]: first whether the
//! item a call names exists (metadata, read before the action is recorded),
//! then the queries that read it (only once Lockbox has recorded the
//! action); what they return is then shown with [`decode`].

use lockbox_provider::display::{Cell, Column, Display, Fact, Kind, Table};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

use crate::catalog::Invocation;

/// One SQL statement and its arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub sql: String,
    pub args: Vec<Value>,
}

impl Statement {
    pub fn new(sql: impl Into<String>, args: Vec<Value>) -> Self {
        Self {
            sql: sql.into(),
            args,
        }
    }
}

/// The reads of one call.
pub struct Plan {
    /// One row when the item the call names exists (`None`: the call lists
    /// what the tenant has, which always answers).
    pub exists: Option<Statement>,
    /// The reads of the content, run once the action is recorded.
    pub queries: Vec<Statement>,
}

/// `more`'s arguments after the tenant's.
fn args(tenant: &str, more: &[&str]) -> Vec<Value> {
    let mut all = vec![tenant.into()];
    all.extend(more.iter().map(|s| (*s).into()));
    all
}

/// The named item: the row of `table` in `tenant` where `is` holds, and
/// (from the same two) the condition that it exists.
struct Item<'a> {
    table: &'a str,
    is: &'a str,
    args: Vec<Value>,
}

impl<'a> Item<'a> {
    fn new(table: &'a str, tenant: &str, is: &'a str, more: &[&str]) -> Self {
        Self {
            table,
            is,
            args: args(tenant, more),
        }
    }

    fn exists(&self) -> Statement {
        Statement::new(
            format!(
                "SELECT 1 AS found FROM {} WHERE tenant_id = ? AND {} LIMIT 1",
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

fn query(sql: &str, tenant: &'_ str, more: &[&str]) -> Statement {
    Statement::new(sql, args(tenant, more))
}

const MAILBOX_COLUMNS: &str = "address, display_name, item_count, size_bytes";
const ITEM_COLUMNS: &str = "path, is_folder, size_bytes, modified_at, content";

/// What `call` reads of `tenant`'s content.
pub fn plan(tenant: &str, call: &Invocation) -> Plan {
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
            message.args.push(Value::from(i64::from(*id)));
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

/// The result sets of a [`Plan`]'s queries, one by one.
struct Sets(std::vec::IntoIter<Vec<Value>>);

impl Sets {
    fn next<T: DeserializeOwned>(&mut self) -> Result<Vec<T>, String> {
        self.0
            .next()
            .unwrap_or_default()
            .into_iter()
            .map(|row| serde_json::from_value(row).map_err(|e| format!("a content row: {e}")))
            .collect()
    }

    /// The first set's first row, if any: the item a call names.
    fn item<T: DeserializeOwned>(&mut self) -> Result<Option<T>, String> {
        Ok(self.next()?.into_iter().next())
    }
}

fn table(caption: String, columns: &[(&str, Kind)], rows: Vec<Vec<Cell>>) -> Display {
    Display {
        table: Some(Table {
            caption,
            columns: columns
                .iter()
                .map(|(label, kind)| Column::new(label, *kind))
                .collect(),
            rows,
        }),
        ..Display::default()
    }
}

fn items(parent: &str, rows: Vec<ItemRow>) -> Display {
    table(
        format!("In {parent}"),
        &[
            ("Path", Kind::Address),
            ("Kind", Kind::Text),
            ("Size", Kind::Bytes),
            ("Modified", Kind::Time),
        ],
        rows.into_iter()
            .map(|r| {
                let folder = r.is_folder != 0;
                vec![
                    r.path.into(),
                    if folder { "Folder" } else { "File" }.into(),
                    if folder {
                        Cell::Null
                    } else {
                        r.size_bytes.into()
                    },
                    r.modified_at.into(),
                ]
            })
            .collect(),
    )
}

fn file(r: ItemRow) -> Display {
    Display {
        facts: vec![
            Fact::new("Path", Kind::Address, r.path),
            Fact::new("Size", Kind::Bytes, r.size_bytes),
            Fact::new("Modified", Kind::Time, r.modified_at),
        ],
        table: None,
        text: Some(r.content.unwrap_or_default()),
    }
}

/// What `call` returns, from the result sets of its [`plan`]'s queries;
/// `None` when the item it names is gone.
pub fn decode(call: &Invocation, sets: Vec<Vec<Value>>) -> Result<Option<Display>, String> {
    let mut sets = Sets(sets.into_iter());
    Ok(match call {
        Invocation::GetMailbox => Some(table(
            "Mailboxes".to_owned(),
            &[
                ("Address", Kind::Address),
                ("Name", Kind::Text),
                ("Items", Kind::Number),
                ("Size", Kind::Bytes),
            ],
            sets.next::<MailboxRow>()?
                .into_iter()
                .map(|m| {
                    vec![
                        m.address.into(),
                        m.display_name.into(),
                        m.item_count.into(),
                        m.size_bytes.into(),
                    ]
                })
                .collect(),
        )),
        Invocation::GetMailboxStatistics { .. } => {
            let Some(m) = sets.item::<MailboxRow>()? else {
                return Ok(None);
            };
            let span = sets.item::<SpanRow>()?;
            Some(Display {
                facts: vec![
                    Fact::new("Mailbox", Kind::Address, m.address),
                    Fact::new("Name", Kind::Text, m.display_name),
                    Fact::new("Items", Kind::Number, m.item_count),
                    Fact::new("Size", Kind::Bytes, m.size_bytes),
                    Fact::new(
                        "Oldest message",
                        Kind::Time,
                        span.as_ref().and_then(|s| s.oldest),
                    ),
                    Fact::new("Newest message", Kind::Time, span.and_then(|s| s.newest)),
                ],
                ..Display::default()
            })
        }
        Invocation::GetMailboxFolderStatistics { identity } => {
            if sets.item::<MailboxRow>()?.is_none() {
                return Ok(None);
            }
            Some(table(
                format!("Folders of {}", identity.as_str()),
                &[
                    ("Folder", Kind::Text),
                    ("Items", Kind::Number),
                    ("Size", Kind::Bytes),
                ],
                sets.next::<FolderRow>()?
                    .into_iter()
                    .map(|f| vec![f.folder.into(), f.item_count.into(), f.size_bytes.into()])
                    .collect(),
            ))
        }
        Invocation::GetMessage {
            identity,
            message_id: None,
        } => {
            if sets.item::<MailboxRow>()?.is_none() {
                return Ok(None);
            }
            Some(table(
                format!("Messages of {}", identity.as_str()),
                &[
                    ("No.", Kind::Number),
                    ("Received", Kind::Time),
                    ("From", Kind::Address),
                    ("Subject", Kind::Text),
                    ("Folder", Kind::Text),
                ],
                sets.next::<MessageRow>()?
                    .into_iter()
                    .map(|m| {
                        vec![
                            m.id.into(),
                            m.received_at.into(),
                            m.sender.into(),
                            m.subject.into(),
                            m.folder.into(),
                        ]
                    })
                    .collect(),
            ))
        }
        Invocation::GetMessage {
            message_id: Some(_),
            ..
        } => sets.item::<MessageRow>()?.map(|m| Display {
            facts: vec![
                Fact::new("From", Kind::Address, m.sender),
                Fact::new("To", Kind::Address, m.recipient),
                Fact::new("Subject", Kind::Text, m.subject),
                Fact::new("Received", Kind::Time, m.received_at),
                Fact::new("Folder", Kind::Text, m.folder),
            ],
            table: None,
            text: Some(m.body.unwrap_or_default()),
        }),
        Invocation::GetSite => Some(table(
            "Sites".to_owned(),
            &[
                ("Site", Kind::Address),
                ("Title", Kind::Text),
                ("Files", Kind::Number),
            ],
            sets.next::<SiteRow>()?
                .into_iter()
                .map(|s| vec![s.url_path.into(), s.title.into(), s.file_count.into()])
                .collect(),
        )),
        Invocation::GetSiteFileList { site } => {
            if sets.item::<Value>()?.is_none() {
                return Ok(None);
            }
            Some(items(site.as_str(), sets.next::<ItemRow>()?))
        }
        Invocation::GetSiteFile { .. } | Invocation::GetDriveItem { .. } => {
            sets.item::<ItemRow>()?.map(file)
        }
        Invocation::GetDriveItemList { path } => {
            if sets.item::<Value>()?.is_none() {
                return Ok(None);
            }
            Some(items(path.as_str(), sets.next::<ItemRow>()?))
        }
    })
}
