//! DTO enums that mirror domain enums.

/// Declares a DTO enum mirroring a domain enum (snake_case on the wire) with conversions.
macro_rules! mirror_enum {
    ($(#[$meta:meta])* $dto:ident => $domain:ty { $($variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $dto { $($variant),+ }

        impl From<$dto> for $domain {
            fn from(v: $dto) -> Self {
                match v { $($dto::$variant => <$domain>::$variant),+ }
            }
        }

        impl From<$domain> for $dto {
            fn from(v: $domain) -> Self {
                match v { $(<$domain>::$variant => $dto::$variant),+ }
            }
        }
    };
}
pub(crate) use mirror_enum;
