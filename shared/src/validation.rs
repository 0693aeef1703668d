//! Inputs parsed once at the boundary into types that stay valid: a value of
//! one of these types has passed its checks (parse, don't validate).

use serde::{Deserialize, Serialize};

/// The longest grant that can be asked for, in minutes (4 hours).
pub const MAX_GRANT_MINUTES: u32 = 4 * 60;
/// Longest reason accepted, in characters.
pub const MAX_REASON_CHARS: usize = 1000;
/// Longest decision comment accepted, in characters.
pub const MAX_COMMENT_CHARS: usize = 1000;
/// Longest ticket number accepted, in characters.
pub const MAX_TICKET_CHARS: usize = 64;

/// An input that failed validation: which field and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// The field, as named in the API.
    pub field: &'static str,
    /// A sentence saying what is accepted.
    pub message: String,
}

pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> Invalid {
    Invalid {
        field,
        message: message.into(),
    }
}

/// Whether `c` is invisible formatting that can make text read differently
/// from what it is: bidirectional overrides and isolates, zero-width
/// characters, the byte-order mark.
fn is_deceptive_format(c: char) -> bool {
    matches!(c,
        '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Free text as a person typed it, less what no person types on purpose:
/// control characters (line breaks survive where `multiline`; a tab becomes
/// a space), bidirectional overrides and zero-width characters. Trimmed.
pub fn clean_text(s: &str, multiline: bool) -> String {
    let cleaned: String = s
        .chars()
        .filter_map(|c| match c {
            '\t' => Some(' '),
            '\n' if multiline => Some('\n'),
            '\r' if multiline => None,
            c if c.is_control() || is_deceptive_format(c) => None,
            c => Some(c),
        })
        .collect();
    cleaned.trim().to_owned()
}

/// How long the grant lasts: more than zero, at most 4 hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct GrantDuration(u32);

impl GrantDuration {
    /// Parses minutes, refusing 0 and anything over 4 hours.
    pub fn from_minutes(minutes: u32) -> Result<Self, Invalid> {
        if minutes == 0 || minutes > MAX_GRANT_MINUTES {
            return Err(invalid(
                "duration_minutes",
                format!(
                    "Access can be asked for between 1 and {MAX_GRANT_MINUTES} minutes ({} hours).",
                    MAX_GRANT_MINUTES / 60
                ),
            ));
        }
        Ok(Self(minutes))
    }

    /// The duration in minutes.
    pub const fn minutes(self) -> u32 {
        self.0
    }

    /// The duration in milliseconds.
    pub const fn millis(self) -> i64 {
        self.0 as i64 * 60_000
    }

    /// The shorter of the two.
    pub fn min_of(self, other: Self) -> Self {
        Self(self.0.min(other.0))
    }

    /// What an approver grants of this duration asked for: `minutes`, from
    /// 1 up to what was asked (an approver may grant less, never more).
    pub fn granting(self, minutes: u32) -> Result<Self, Invalid> {
        if minutes == 0 || minutes > self.0 {
            return Err(invalid(
                "duration_minutes",
                format!(
                    "You can grant between 1 and the {} minutes asked for, not {minutes}.",
                    self.0
                ),
            ));
        }
        Ok(Self(minutes))
    }
}

impl TryFrom<u32> for GrantDuration {
    type Error = String;
    fn try_from(minutes: u32) -> Result<Self, String> {
        Self::from_minutes(minutes).map_err(|e| e.message)
    }
}

impl From<GrantDuration> for u32 {
    fn from(d: GrantDuration) -> u32 {
        d.0
    }
}

/// The most approvals a tenant can require of a request.
pub const MAX_APPROVALS_REQUIRED: u8 = 3;

/// How many distinct people at the customer must approve a request: 1 to
/// [`MAX_APPROVALS_REQUIRED`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct ApprovalsRequired(u8);

impl ApprovalsRequired {
    /// One approver (the default).
    pub const ONE: Self = Self(1);
    /// The most that can be required.
    pub const MOST: Self = Self(MAX_APPROVALS_REQUIRED);

    /// Parses a count, refusing 0 and more than [`MAX_APPROVALS_REQUIRED`].
    pub fn parse(n: i64) -> Result<Self, Invalid> {
        match u8::try_from(n) {
            Ok(n @ 1..=MAX_APPROVALS_REQUIRED) => Ok(Self(n)),
            _ => Err(invalid(
                "required",
                format!(
                    "A request can need between 1 and {MAX_APPROVALS_REQUIRED} approvals, not {n}."
                ),
            )),
        }
    }

    /// The count.
    pub const fn count(self) -> usize {
        self.0 as usize
    }
}

/// "1 approval", "2 approvals": how a number of approvals is written.
pub fn approvals_phrase(n: u8) -> String {
    if n == 1 {
        "1 approval".to_owned()
    } else {
        format!("{n} approvals")
    }
}

impl TryFrom<u8> for ApprovalsRequired {
    type Error = String;
    fn try_from(n: u8) -> Result<Self, String> {
        Self::parse(i64::from(n)).map_err(|e| e.message)
    }
}

impl From<ApprovalsRequired> for u8 {
    fn from(n: ApprovalsRequired) -> u8 {
        n.0
    }
}

macro_rules! text_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                Self::parse(&s).map_err(|e| e.message)
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }
    };
}

text_type!(
    /// The provider's support ticket the request is for.
    TicketNumber
);

impl TicketNumber {
    /// 1–64 characters: letters, digits and `- _ # . /`.
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let s = s.trim();
        let ok_char = |c: char| c.is_ascii_alphanumeric() || "-_#./".contains(c);
        if s.is_empty() || s.chars().count() > MAX_TICKET_CHARS || !s.chars().all(ok_char) {
            return Err(invalid(
                "ticket",
                format!("The ticket number must be 1 to {MAX_TICKET_CHARS} letters, digits or - _ # . / characters."),
            ));
        }
        Ok(Self(s.to_owned()))
    }
}

text_type!(
    /// The provider's incident an emergency access is for.
    IncidentId
);

impl IncidentId {
    /// 1–64 characters: letters, digits and `- _ # . /`, as a ticket.
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let s = s.trim();
        let ok_char = |c: char| c.is_ascii_alphanumeric() || "-_#./".contains(c);
        if s.is_empty() || s.chars().count() > MAX_TICKET_CHARS || !s.chars().all(ok_char) {
            return Err(invalid(
                "incident",
                format!("The incident id must be 1 to {MAX_TICKET_CHARS} letters, digits or - _ # . / characters."),
            ));
        }
        Ok(Self(s.to_owned()))
    }
}

text_type!(
    /// Why the engineer needs access: required, bounded, cleaned.
    Reason
);

impl Reason {
    /// 1 to [`MAX_REASON_CHARS`] characters after [`clean_text`].
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let s = clean_text(s, true);
        if s.is_empty() {
            return Err(invalid(
                "reason",
                "Say why access to the customer's content is needed.",
            ));
        }
        if s.chars().count() > MAX_REASON_CHARS {
            return Err(invalid(
                "reason",
                format!("The reason can be at most {MAX_REASON_CHARS} characters."),
            ));
        }
        Ok(Self(s))
    }
}

text_type!(
    /// A comment on a decision: non-empty, bounded, cleaned.
    Comment
);

impl Comment {
    /// 1 to [`MAX_COMMENT_CHARS`] characters after [`clean_text`].
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let s = clean_text(s, true);
        if s.is_empty() {
            return Err(invalid("comment", "A comment cannot be empty."));
        }
        if s.chars().count() > MAX_COMMENT_CHARS {
            return Err(invalid(
                "comment",
                format!("The comment can be at most {MAX_COMMENT_CHARS} characters."),
            ));
        }
        Ok(Self(s))
    }

    /// An optional comment: absent, or blank after cleaning, is `None`.
    pub fn parse_optional(s: Option<&str>) -> Result<Option<Self>, Invalid> {
        match s.map(|s| clean_text(s, true)).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(s) => Self::parse(&s).map(Some),
        }
    }
}

text_type!(
    /// A service whose content a grant opens (`mail`, `sites`, …).
    ServiceName
);

impl ServiceName {
    /// 1–32 lower-case letters, digits or dashes.
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let s = s.trim();
        let ok = !s.is_empty()
            && s.len() <= 32
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !ok {
            return Err(invalid(
                "service",
                "The service must be one of the tenant's services, such as mail, sites or files.",
            ));
        }
        Ok(Self(s.to_owned()))
    }
}

/// The most operations one request may name.
pub const MAX_OPERATIONS: usize = 64;

/// Operations by name: what a request asks for, what an approver allows,
/// what a grant allows. At least one, each once, in name order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<String>", into = "Vec<String>")]
pub struct OperationSet(Vec<String>);

impl OperationSet {
    /// 1 to [`MAX_OPERATIONS`] operation names (a letter, then letters,
    /// digits and dashes, as services name them); `field` is the API's
    /// name for the list.
    pub fn parse(field: &'static str, names: &[String]) -> Result<Self, Invalid> {
        let mut set: Vec<String> = Vec::with_capacity(names.len());
        for name in names {
            let name = name.trim();
            if !lockbox_provider::actions::is_operation_name(name) {
                return Err(invalid(
                    field,
                    format!(
                        "{name:?} is not the name of an operation: operations are named like Get-MailboxStatistics."
                    ),
                ));
            }
            set.push(name.to_owned());
        }
        set.sort();
        set.dedup();
        if set.is_empty() {
            return Err(invalid(
                field,
                "Name at least one operation, such as Get-MailboxStatistics.",
            ));
        }
        if set.len() > MAX_OPERATIONS {
            return Err(invalid(
                field,
                format!("Name at most {MAX_OPERATIONS} operations."),
            ));
        }
        Ok(Self(set))
    }

    /// The names, in order.
    pub fn names(&self) -> &[String] {
        &self.0
    }

    /// Whether `name` is one of them.
    pub fn contains(&self, name: &str) -> bool {
        self.0.binary_search_by(|n| n.as_str().cmp(name)).is_ok()
    }

    /// The first of these that `other` lacks, if any.
    pub fn first_outside(&self, other: &OperationSet) -> Option<&str> {
        self.0
            .iter()
            .find(|n| !other.contains(n))
            .map(String::as_str)
    }

    /// Those in both, if any are.
    pub fn intersection(&self, other: &OperationSet) -> Option<OperationSet> {
        let both: Vec<String> = self
            .0
            .iter()
            .filter(|n| other.contains(n))
            .cloned()
            .collect();
        (!both.is_empty()).then_some(Self(both))
    }

    /// The names joined with ", " (as audit records show them).
    pub fn joined(&self) -> String {
        self.0.join(", ")
    }
}

impl TryFrom<Vec<String>> for OperationSet {
    type Error = String;
    fn try_from(names: Vec<String>) -> Result<Self, String> {
        Self::parse("operations", &names).map_err(|e| e.message)
    }
}

impl From<OperationSet> for Vec<String> {
    fn from(set: OperationSet) -> Vec<String> {
        set.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ops(names: &[&str]) -> Result<OperationSet, Invalid> {
        let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        OperationSet::parse("operations", &names)
    }

    #[test]
    fn an_operation_set_names_each_operation_once_in_order_and_never_none() {
        let set = ops(&["Get-Message", " Get-Mailbox", "Get-Message"]).expect("valid");
        assert_eq!(set.names(), ["Get-Mailbox", "Get-Message"]);
        assert!(set.contains("Get-Message") && !set.contains("Get-Site"));
        assert!(ops(&[]).is_err_and(|e| e.message.contains("at least one")));
        assert!(ops(&["Get Message"]).is_err_and(|e| e.message.contains("\"Get Message\"")));
        let many: Vec<String> = (0..=MAX_OPERATIONS).map(|n| format!("Op-{n}")).collect();
        assert!(OperationSet::parse("operations", &many).is_err());
        let fewer = ops(&["Get-Mailbox", "Get-Site"]).expect("valid");
        assert_eq!(fewer.first_outside(&set), Some("Get-Site"));
        assert_eq!(set.first_outside(&set), None);
        assert_eq!(
            set.intersection(&fewer).map(|s| s.joined()),
            Some("Get-Mailbox".to_owned())
        );
        let other = ops(&["Get-Site"]).expect("valid");
        assert_eq!(set.intersection(&other), None);
        let json = serde_json::to_string(&set).expect("json");
        assert_eq!(json, r#"["Get-Mailbox","Get-Message"]"#);
        assert!(serde_json::from_str::<OperationSet>("[]").is_err());
    }

    #[test]
    fn a_grant_can_be_at_most_four_hours_and_not_zero() {
        assert!(GrantDuration::from_minutes(240).is_ok());
        assert!(GrantDuration::from_minutes(241).is_err());
        assert!(GrantDuration::from_minutes(0).is_err());
        assert!(serde_json::from_str::<GrantDuration>("300").is_err());
    }

    #[test]
    fn one_to_three_approvals_can_be_required() {
        assert_eq!(ApprovalsRequired::parse(1), Ok(ApprovalsRequired::ONE));
        assert_eq!(
            ApprovalsRequired::parse(3).map(ApprovalsRequired::count),
            Ok(3)
        );
        for n in [0, 4, -1, 256] {
            assert_eq!(
                ApprovalsRequired::parse(n).expect_err("refused").field,
                "required"
            );
        }
        assert!(serde_json::from_str::<ApprovalsRequired>("4").is_err());
    }

    #[test]
    fn inputs_are_validated_with_a_field_and_a_sentence() {
        assert_eq!(Reason::parse("  ").expect_err("empty").field, "reason");
        assert!(Reason::parse(&"x".repeat(MAX_REASON_CHARS + 1)).is_err());
        assert!(TicketNumber::parse("SR 1; DROP").is_err());
        assert!(ServiceName::parse("Mail").is_err());
        assert_eq!(Comment::parse_optional(Some("  ")).expect("ok"), None);
        assert!(serde_json::from_str::<Reason>("\"  \"").is_err());
    }

    #[test]
    fn bidi_overrides_zero_width_and_control_characters_are_removed() {
        let typed = "Invoice\u{202E}fdp.exe\u{200B} is\u{0007} broken\r\n\tsee log";
        assert_eq!(
            Reason::parse(typed).expect("valid").as_str(),
            "Invoicefdp.exe is broken\n see log"
        );
        assert_eq!(clean_text("a\nb", false), "ab");
        assert_eq!(
            Comment::parse_optional(Some("\u{2066}\u{2069}")).expect("ok"),
            None
        );
        assert_eq!(
            Comment::parse("Grüße, 東京 — ok").expect("valid").as_str(),
            "Grüße, 東京 — ok"
        );
    }
}
