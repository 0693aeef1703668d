//! Identifiers, parsed once at the boundary. Their fields are private: an
//! id that exists has been through `parse` (or was made from a UUID).

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::validation::{invalid, Invalid};

/// A UUID in its canonical text form (lower case, hyphenated).
fn canonical_uuid(s: &str) -> Option<String> {
    uuid::Uuid::parse_str(s.trim())
        .ok()
        .map(|u| u.hyphenated().to_string())
}

macro_rules! uuid_id {
    ($(#[$meta:meta])* $name:ident, $field:literal, $what:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Parses a UUID, refusing anything else with a sentence that
            /// says what is expected.
            pub fn parse(s: &str) -> Result<Self, Invalid> {
                canonical_uuid(s).map(Self).ok_or_else(|| {
                    invalid(
                        $field,
                        concat!(
                            $what,
                            " is a UUID such as 1b4e28ba-2fa1-11d2-883f-0016d3cca427."
                        ),
                    )
                })
            }

            /// The id of a fresh UUID.
            pub fn from_uuid(id: uuid::Uuid) -> Self {
                Self(id.hyphenated().to_string())
            }

            /// The id as text.
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
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

uuid_id!(
    /// A tenant (a customer organisation) of the provider.
    TenantId,
    "tenant_id",
    "A tenant id"
);
uuid_id!(
    /// A person (or service identity) who can sign in.
    UserId,
    "user_id",
    "A user id"
);
uuid_id!(
    /// An access request.
    RequestId,
    "id",
    "A request id"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_canonical_uuids() {
        let id = RequestId::parse(" 1B4E28BA-2FA1-11D2-883F-0016D3CCA427 ").expect("valid");
        assert_eq!(id.as_str(), "1b4e28ba-2fa1-11d2-883f-0016d3cca427");
        assert_eq!(RequestId::parse("nope").expect_err("refused").field, "id");
        assert!(serde_json::from_str::<TenantId>("\"x\"").is_err());
        let back: UserId =
            serde_json::from_str("\"0b5e2d1c-0000-4000-8000-000000000101\"").expect("parses");
        assert_eq!(back.to_string(), "0b5e2d1c-0000-4000-8000-000000000101");
    }
}
