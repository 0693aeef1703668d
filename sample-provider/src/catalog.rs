//! The sample service's operations: a fixed, read-only list per Lockbox
//! service (mail, sites, files), each with its parameters.
//!
//! Each operation's name, service, description and parameters are written
//! here once: the service's registration with Lockbox
//! ([`registration_operations`]) and its parsing of a call come from here.

use std::collections::BTreeMap;

use serde_json::Value;

/// A refused value, by the field it came in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub field: &'static str,
    pub message: String,
}

/// An enum whose variants each have one name (stored, sent, searched for).
macro_rules! named {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident => $text:literal, )+ }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name { $( $(#[$vmeta])* $variant, )+ }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The variant's name.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)+ }
            }

            /// The variant with this name, if any.
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

named! {
    /// A service whose content is locked behind grants.
    pub enum ContentService {
        /// Mailboxes and their messages.
        Mail => "mail",
        /// Sites and their files.
        Sites => "sites",
        /// A user's drive: folders and files.
        Files => "files",
    }
}

named! {
    /// The name of an operation, in the style administrators already see in
    /// their audit logs. It is also the activity its audit record is filed
    /// under.
    pub enum OperationName {
        /// Lists the tenant's mailboxes.
        GetMailbox => "Get-Mailbox",
        /// One mailbox's item count and size.
        GetMailboxStatistics => "Get-MailboxStatistics",
        /// One mailbox's folders with their item counts and sizes.
        GetMailboxFolderStatistics => "Get-MailboxFolderStatistics",
        /// One mailbox's message list, or one message with its body.
        GetMessage => "Get-Message",
        /// Lists the tenant's sites.
        GetSite => "Get-Site",
        /// One site's files.
        GetSiteFileList => "Get-SiteFileList",
        /// One site file with its content.
        GetSiteFile => "Get-SiteFile",
        /// The folders and files in one drive folder (the root by default).
        GetDriveItemList => "Get-DriveItemList",
        /// One drive file with its content.
        GetDriveItem => "Get-DriveItem",
    }
}

/// How a parameter's value is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    /// A mailbox's e-mail address.
    MailboxAddress,
    /// A site's URL path, such as `/sites/support`.
    SitePath,
    /// A file or folder path starting with `/`.
    ItemPath,
    /// A message's number within its mailbox (1 or more).
    MessageNumber,
}

impl ParamKind {
    /// What is accepted, as a sentence fragment for people.
    pub const fn describe(self) -> &'static str {
        match self {
            ParamKind::MailboxAddress => "an e-mail address such as alex@contoso.example",
            ParamKind::SitePath => "a site's URL path such as /sites/support",
            ParamKind::ItemPath => {
                "a path starting with / such as /Documents/report.txt, without .. segments"
            }
            ParamKind::MessageNumber => "a whole number from 1 to 1000000",
        }
    }
}

/// One parameter of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamSpec {
    /// Its name in the JSON body and in the audit record's details.
    pub name: &'static str,
    /// Whether the call must give it.
    pub required: bool,
    /// What it selects.
    pub description: &'static str,
    /// How its value is checked.
    pub kind: ParamKind,
}

const IDENTITY: ParamSpec = ParamSpec {
    name: "Identity",
    required: true,
    description: "The mailbox's e-mail address (from Get-Mailbox).",
    kind: ParamKind::MailboxAddress,
};
const SITE: ParamSpec = ParamSpec {
    name: "Site",
    required: true,
    description: "The site's URL path (from Get-Site).",
    kind: ParamKind::SitePath,
};

/// What an operation touches and does, with its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationSpec {
    /// Its service.
    pub service: ContentService,
    /// The kind of object it touches (shown with the operation).
    pub touches: &'static str,
    /// What it returns.
    pub description: &'static str,
    /// Its parameters.
    pub params: &'static [ParamSpec],
}

impl OperationName {
    /// Everything about the operation but its name.
    pub const fn spec(self) -> OperationSpec {
        use ContentService::{Files, Mail, Sites};
        use OperationName::*;
        let (service, touches, description, params): (_, _, _, &'static [ParamSpec]) = match self {
            GetMailbox => (
                Mail,
                "the tenant's mailboxes",
                "Lists the tenant's mailboxes with their display names, item counts and sizes.",
                &[],
            ),
            GetMailboxStatistics => (
                Mail,
                "one mailbox",
                "A mailbox's item count, total size and the times of its oldest and newest message.",
                &[IDENTITY],
            ),
            GetMailboxFolderStatistics => (
                Mail,
                "one mailbox",
                "A mailbox's folders with the item count and size of each.",
                &[IDENTITY],
            ),
            GetMessage => (
                Mail,
                "one mailbox or one message",
                "Without MessageId, a mailbox's messages (sender, recipient, subject, time; no bodies); with it, that message with its body.",
                &[
                    IDENTITY,
                    ParamSpec {
                        name: "MessageId",
                        required: false,
                        description: "The message's number in the mailbox (from Get-Message without it).",
                        kind: ParamKind::MessageNumber,
                    },
                ],
            ),
            GetSite => (
                Sites,
                "the tenant's sites",
                "Lists the tenant's sites with their titles and file counts.",
                &[],
            ),
            GetSiteFileList => (
                Sites,
                "one site",
                "A site's files with their sizes and modification times (no content).",
                &[SITE],
            ),
            GetSiteFile => (
                Sites,
                "one site file",
                "One file of a site with its content.",
                &[
                    SITE,
                    ParamSpec {
                        name: "Path",
                        required: true,
                        description: "The file's path within the site (from Get-SiteFileList).",
                        kind: ParamKind::ItemPath,
                    },
                ],
            ),
            GetDriveItemList => (
                Files,
                "one drive folder",
                "The folders and files directly in one folder of the drive (no content).",
                &[ParamSpec {
                    name: "Path",
                    required: false,
                    description: "The folder's path; the root (/) when absent.",
                    kind: ParamKind::ItemPath,
                }],
            ),
            GetDriveItem => (
                Files,
                "one drive file",
                "One file of the drive with its content.",
                &[ParamSpec {
                    name: "Path",
                    required: true,
                    description: "The file's path (from Get-DriveItemList).",
                    kind: ParamKind::ItemPath,
                }],
            ),
        };
        OperationSpec {
            service,
            touches,
            description,
            params,
        }
    }

    /// The operations of `service`, in declaration order.
    pub fn of(service: ContentService) -> impl Iterator<Item = OperationName> {
        Self::ALL
            .iter()
            .copied()
            .filter(move |op| op.spec().service == service)
    }
}

/// A mailbox's e-mail address, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxAddress(String);

/// A site's URL path (`/sites/…`), checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SitePath(String);

/// A file or folder path (`/…`, no `..`), checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemPath(String);

macro_rules! as_str {
    ($($t:ty),*) => {$(
        impl $t {
            /// The value as given.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
    )*};
}
as_str!(MailboxAddress, SitePath, ItemPath);

const MAX_PARAM_CHARS: usize = 400;

fn text(spec: &ParamSpec, value: &Value) -> Result<String, Invalid> {
    let wrong = || Invalid {
        field: spec.name,
        message: format!("`{}` must be {}.", spec.name, spec.kind.describe()),
    };
    let s = value.as_str().ok_or_else(wrong)?.trim();
    if s.is_empty() || s.chars().count() > MAX_PARAM_CHARS || s.chars().any(char::is_control) {
        return Err(wrong());
    }
    Ok(s.to_owned())
}

fn check(spec: &ParamSpec, ok: bool, value: String) -> Result<String, Invalid> {
    if ok {
        Ok(value)
    } else {
        Err(Invalid {
            field: spec.name,
            message: format!("`{}` must be {}.", spec.name, spec.kind.describe()),
        })
    }
}

fn is_path(s: &str) -> bool {
    s.starts_with('/') && !s.split('/').any(|seg| seg == ".." || seg == ".")
}

/// A parsed parameter value.
enum Arg {
    Mailbox(MailboxAddress),
    Site(SitePath),
    Path(ItemPath),
    Number(u32),
}

fn parse_arg(spec: &ParamSpec, value: &Value) -> Result<Arg, Invalid> {
    Ok(match spec.kind {
        ParamKind::MailboxAddress => {
            let s = text(spec, value)?;
            let ok = s.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty() && domain.contains('.') && !s.contains(char::is_whitespace)
            });
            Arg::Mailbox(MailboxAddress(check(spec, ok, s.to_lowercase())?))
        }
        ParamKind::SitePath => {
            let s = text(spec, value)?;
            let ok = is_path(&s) && s.starts_with("/sites/") && s.len() > "/sites/".len();
            Arg::Site(SitePath(check(
                spec,
                ok,
                s.trim_end_matches('/').to_owned(),
            )?))
        }
        ParamKind::ItemPath => {
            let s = text(spec, value)?;
            let ok = is_path(&s);
            let s = if s.len() > 1 {
                s.trim_end_matches('/').to_owned()
            } else {
                s
            };
            Arg::Path(ItemPath(check(spec, ok, s)?))
        }
        ParamKind::MessageNumber => {
            let n = value
                .as_u64()
                .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()))
                .filter(|n| (1..=1_000_000).contains(n))
                .ok_or_else(|| Invalid {
                    field: spec.name,
                    message: format!("`{}` must be {}.", spec.name, spec.kind.describe()),
                })?;
            Arg::Number(n as u32)
        }
    })
}

/// One call of an operation with its parameters parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invocation {
    /// `Get-Mailbox`.
    GetMailbox,
    /// `Get-MailboxStatistics -Identity`.
    GetMailboxStatistics { identity: MailboxAddress },
    /// `Get-MailboxFolderStatistics -Identity`.
    GetMailboxFolderStatistics { identity: MailboxAddress },
    /// `Get-Message -Identity [-MessageId]`.
    GetMessage {
        identity: MailboxAddress,
        message_id: Option<u32>,
    },
    /// `Get-Site`.
    GetSite,
    /// `Get-SiteFileList -Site`.
    GetSiteFileList { site: SitePath },
    /// `Get-SiteFile -Site -Path`.
    GetSiteFile { site: SitePath, path: ItemPath },
    /// `Get-DriveItemList [-Path]`.
    GetDriveItemList { path: ItemPath },
    /// `Get-DriveItem -Path`.
    GetDriveItem { path: ItemPath },
}

impl Invocation {
    /// Parses the JSON object of `op`'s parameters. An unknown parameter, a
    /// missing required one or a bad value is refused, naming the field.
    pub fn parse(
        op: OperationName,
        params: &serde_json::Map<String, Value>,
    ) -> Result<Self, Invalid> {
        let spec = op.spec();
        if let Some(unknown) = params
            .keys()
            .find(|k| !spec.params.iter().any(|p| p.name == k.as_str()))
        {
            let names: Vec<&str> = spec.params.iter().map(|p| p.name).collect();
            return Err(Invalid {
                field: "parameters",
                message: if names.is_empty() {
                    format!("{op} takes no parameters, so `{unknown}` is not accepted; send {{}}.")
                } else {
                    format!(
                        "{op} takes {}; `{unknown}` is not one of them.",
                        names.join(", ")
                    )
                },
            });
        }
        let mut args: BTreeMap<&'static str, Arg> = BTreeMap::new();
        for p in spec.params {
            match params.get(p.name).filter(|v| !v.is_null()) {
                Some(value) => {
                    args.insert(p.name, parse_arg(p, value)?);
                }
                None if p.required => {
                    return Err(Invalid {
                        field: p.name,
                        message: format!("{op} needs `{}`: {}.", p.name, p.kind.describe()),
                    })
                }
                None => {}
            }
        }
        let mailbox = |args: &mut BTreeMap<_, _>| match args.remove("Identity") {
            Some(Arg::Mailbox(m)) => m,
            _ => MailboxAddress(String::new()),
        };
        let site = |args: &mut BTreeMap<_, _>| match args.remove("Site") {
            Some(Arg::Site(s)) => s,
            _ => SitePath(String::new()),
        };
        let path = |args: &mut BTreeMap<_, _>| match args.remove("Path") {
            Some(Arg::Path(p)) => p,
            _ => ItemPath("/".to_owned()),
        };
        Ok(match op {
            OperationName::GetMailbox => Invocation::GetMailbox,
            OperationName::GetMailboxStatistics => Invocation::GetMailboxStatistics {
                identity: mailbox(&mut args),
            },
            OperationName::GetMailboxFolderStatistics => Invocation::GetMailboxFolderStatistics {
                identity: mailbox(&mut args),
            },
            OperationName::GetMessage => Invocation::GetMessage {
                identity: mailbox(&mut args),
                message_id: match args.remove("MessageId") {
                    Some(Arg::Number(n)) => Some(n),
                    _ => None,
                },
            },
            OperationName::GetSite => Invocation::GetSite,
            OperationName::GetSiteFileList => Invocation::GetSiteFileList {
                site: site(&mut args),
            },
            OperationName::GetSiteFile => Invocation::GetSiteFile {
                site: site(&mut args),
                path: path(&mut args),
            },
            OperationName::GetDriveItemList => Invocation::GetDriveItemList {
                path: path(&mut args),
            },
            OperationName::GetDriveItem => Invocation::GetDriveItem {
                path: path(&mut args),
            },
        })
    }

    /// The operation called.
    pub const fn operation(&self) -> OperationName {
        match self {
            Invocation::GetMailbox => OperationName::GetMailbox,
            Invocation::GetMailboxStatistics { .. } => OperationName::GetMailboxStatistics,
            Invocation::GetMailboxFolderStatistics { .. } => {
                OperationName::GetMailboxFolderStatistics
            }
            Invocation::GetMessage { .. } => OperationName::GetMessage,
            Invocation::GetSite => OperationName::GetSite,
            Invocation::GetSiteFileList { .. } => OperationName::GetSiteFileList,
            Invocation::GetSiteFile { .. } => OperationName::GetSiteFile,
            Invocation::GetDriveItemList { .. } => OperationName::GetDriveItemList,
            Invocation::GetDriveItem { .. } => OperationName::GetDriveItem,
        }
    }

    /// The object touched, as the audit record's item: a mailbox address,
    /// a file or folder path, or empty for a listing of the tenant.
    pub fn item(&self) -> String {
        match self {
            Invocation::GetMailbox | Invocation::GetSite => String::new(),
            Invocation::GetMailboxStatistics { identity }
            | Invocation::GetMailboxFolderStatistics { identity }
            | Invocation::GetMessage { identity, .. } => identity.as_str().to_owned(),
            Invocation::GetSiteFileList { site } => site.as_str().to_owned(),
            Invocation::GetSiteFile { site, path } => format!("{}{}", site.as_str(), path.as_str()),
            Invocation::GetDriveItemList { path } | Invocation::GetDriveItem { path } => {
                path.as_str().to_owned()
            }
        }
    }

    /// The parameters as given (after parsing), by name, for the audit
    /// record's details.
    pub fn parameters(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        let mut put = |k: &str, v: &str| {
            out.insert(k.to_owned(), v.to_owned());
        };
        match self {
            Invocation::GetMailbox | Invocation::GetSite => {}
            Invocation::GetMailboxStatistics { identity }
            | Invocation::GetMailboxFolderStatistics { identity } => {
                put("Identity", identity.as_str())
            }
            Invocation::GetMessage {
                identity,
                message_id,
            } => {
                put("Identity", identity.as_str());
                if let Some(n) = message_id {
                    put("MessageId", &n.to_string());
                }
            }
            Invocation::GetSiteFileList { site } => put("Site", site.as_str()),
            Invocation::GetSiteFile { site, path } => {
                put("Site", site.as_str());
                put("Path", path.as_str());
            }
            Invocation::GetDriveItemList { path } | Invocation::GetDriveItem { path } => {
                put("Path", path.as_str())
            }
        }
        out
    }
}

/// Whether an operation returns content or only metadata.
pub fn reads_content(op: OperationName) -> bool {
    matches!(
        op,
        OperationName::GetMessage | OperationName::GetSiteFile | OperationName::GetDriveItem
    )
}

/// The service's registration with Lockbox without its keys (the body of
/// `POST /api/v1/provider/services` but `id` and `keys`), as
/// `registration.json` holds it for local development.
pub fn registration() -> Value {
    serde_json::json!({
        "name": "Sample content service (demo)",
        "serves": ContentService::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        "operations": registration_operations(),
    })
}

/// The operations as the service registers them with Lockbox (the
/// `operations` of `POST /api/v1/provider/services`).
pub fn registration_operations() -> Value {
    Value::Array(
        OperationName::ALL
            .iter()
            .map(|op| {
                let spec = op.spec();
                serde_json::json!({
                    "name": op.as_str(),
                    "description": spec.description,
                    "kind": if reads_content(*op) { "content" } else { "metadata" },
                    "service": spec.service.as_str(),
                    "parameters": spec.params.iter().map(|p| serde_json::json!({
                        "name": p.name,
                        "description": format!("{} Accepted: {}.", p.description, p.kind.describe()),
                        "required": p.required,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn params(v: Value) -> serde_json::Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    /// `registration.json` (read by Lockbox's demo seed) is this catalog's
    /// registration; `LOCKBOX_WRITE_REGISTRATION=1` writes it again.
    #[test]
    fn the_registration_file_is_the_catalogs() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/registration.json");
        let expected = serde_json::to_string_pretty(&registration()).expect("json") + "\n";
        if std::env::var("LOCKBOX_WRITE_REGISTRATION").as_deref() == Ok("1") {
            std::fs::write(path, &expected).expect("write");
        }
        let found = std::fs::read_to_string(path).unwrap_or_default();
        assert_eq!(
            found, expected,
            "run LOCKBOX_WRITE_REGISTRATION=1 cargo test -p lockbox-sample-provider"
        );
    }

    #[test]
    fn every_service_has_an_operation_that_needs_no_parameters() {
        for service in ContentService::ALL.iter().copied() {
            assert!(
                OperationName::of(service).any(|op| op.spec().params.iter().all(|p| !p.required)),
                "{service}"
            );
        }
    }

    #[test]
    fn parameters_are_parsed_into_the_invocation_and_its_audit_details() {
        let call = Invocation::parse(
            OperationName::GetMessage,
            &params(json!({"Identity": "Alex@Contoso.example", "MessageId": 3})),
        );
        assert_eq!(
            call.as_ref().map(Invocation::item).ok(),
            Some("alex@contoso.example".to_owned())
        );
        let details = call.map(|c| c.parameters()).unwrap_or_default();
        assert_eq!(details.get("MessageId").map(String::as_str), Some("3"));
    }

    #[test]
    fn a_missing_required_parameter_is_refused_by_name() {
        let err = Invocation::parse(
            OperationName::GetSiteFile,
            &params(json!({"Site": "/sites/a"})),
        );
        assert_eq!(err.err().map(|e| e.field), Some("Path"));
    }

    #[test]
    fn an_unknown_parameter_or_a_path_that_climbs_is_refused() {
        let unknown = Invocation::parse(OperationName::GetMailbox, &params(json!({"X": 1})));
        assert_eq!(unknown.err().map(|e| e.field), Some("parameters"));
        let climbing = Invocation::parse(
            OperationName::GetDriveItem,
            &params(json!({"Path": "/a/../b"})),
        );
        assert_eq!(climbing.err().map(|e| e.field), Some("Path"));
    }

    #[test]
    fn the_drive_list_starts_at_the_root_without_a_path() {
        assert_eq!(
            Invocation::parse(OperationName::GetDriveItemList, &params(json!({})))
                .map(|c| c.item()),
            Ok("/".to_owned())
        );
    }
}
