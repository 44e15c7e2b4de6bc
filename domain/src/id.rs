//! Identifiers: UUID v7 (time-ordered, not guessable) wrapped in newtypes per entity.

/// Declares a newtype id over [`uuid::Uuid`].
#[macro_export]
macro_rules! define_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(uuid::Uuid);

        impl $name {
            /// A fresh, time-ordered id.
            pub fn new() -> Self {
                Self(uuid::Uuid::now_v7())
            }

            /// An id whose time part is `instant`, so ids minted from the injected clock sort
            /// in that clock's order.
            pub fn at(instant: chrono::DateTime<chrono::Utc>) -> Self {
                let secs = u64::try_from(instant.timestamp()).unwrap_or(0);
                let ts = uuid::Timestamp::from_unix(uuid::NoContext, secs, instant.timestamp_subsec_nanos());
                Self(uuid::Uuid::new_v7(ts))
            }

            pub const fn from_uuid(id: uuid::Uuid) -> Self {
                Self(id)
            }

            pub const fn as_uuid(&self) -> uuid::Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}
