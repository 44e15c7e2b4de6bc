//! Times on the wire: requests carry an offset, storage is UTC, answers are rendered in
//! Beijing time (the domain's one time zone).

use chrono::{DateTime, FixedOffset, Utc};

/// A request's instant, in UTC for the domain.
pub fn utc(t: DateTime<FixedOffset>) -> DateTime<Utc> {
    t.with_timezone(&Utc)
}

/// A stored instant as answered: Asia/Shanghai (+08:00).
pub fn beijing(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.with_timezone(&domain::calendar::shanghai())
}
