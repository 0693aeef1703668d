//! Enums whose variants have one stored / API name each.
//!
//! [`named_enum!`] writes the name once per variant and derives from it
//! `as_str`, `parse`, `ALL`, `Display` and the serde form, so the name a
//! variant is stored, sent and searched under cannot differ between them.

/// Declares a fieldless enum whose variants each have one name:
///
/// ```ignore
/// named_enum! {
///     /// Doc.
///     pub enum Colour {
///         /// Doc.
///         Red => "red",
///     }
/// }
/// ```
#[macro_export]
macro_rules! named_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $(
                $(#[$vmeta:meta])*
                $variant:ident => $text:literal,
            )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $(
                $(#[$vmeta])*
                $variant,
            )+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The one name of the variant: stored, sent and searched for.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            /// The variant with this name, if any.
            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Visitor;
                impl ::serde::de::Visitor<'_> for Visitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                        f.write_str(concat!("one of the names of ", stringify!($name)))
                    }
                    fn visit_str<E: ::serde::de::Error>(self, v: &str) -> Result<$name, E> {
                        $name::parse(v).ok_or_else(|| {
                            E::invalid_value(::serde::de::Unexpected::Str(v), &self)
                        })
                    }
                }
                deserializer.deserialize_str(Visitor)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    named_enum! {
        /// A test enum.
        pub enum Colour {
            /// Red.
            Red => "red",
            /// Dark blue.
            DarkBlue => "Dark-Blue",
        }
    }

    #[test]
    fn every_name_round_trips_through_parse_and_serde() {
        for c in Colour::ALL.iter().copied() {
            assert_eq!(Colour::parse(c.as_str()), Some(c));
            let json = serde_json::to_string(&c).expect("serialises");
            assert_eq!(json, format!("\"{}\"", c.as_str()));
            assert_eq!(serde_json::from_str::<Colour>(&json).expect("parses"), c);
        }
        assert!(serde_json::from_str::<Colour>("\"DarkBlue\"").is_err());
        assert_eq!(Colour::parse("blue"), None);
    }
}
