//! Cursor pagination shared by every list: a page size and the sort key of the last item
//! the client has seen. The API layer makes the key opaque.

use crate::error::ErrorCode;
use crate::error::FieldError;

/// The sort key of the last item of a page, from which the next page continues.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CursorKey(String);

impl CursorKey {
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    limit: u32,
    after: Option<CursorKey>,
}

impl PageRequest {
    pub const DEFAULT_LIMIT: u32 = 20;
    pub const MAX_LIMIT: u32 = 100;

    /// A page of `limit` items (default 20) after `after`; `limit` outside 1..=100 is refused.
    pub fn new(limit: Option<u32>, after: Option<CursorKey>) -> Result<Self, FieldError> {
        let limit = limit.unwrap_or(Self::DEFAULT_LIMIT);
        if !(1..=Self::MAX_LIMIT).contains(&limit) {
            return Err(FieldError::new(
                "/limit",
                ErrorCode::PaginationLimitOutOfRange,
                format!("limit must be between 1 and {}", Self::MAX_LIMIT),
            ));
        }
        Ok(Self { limit, after })
    }

    pub fn first(limit: u32) -> Self {
        Self {
            limit: limit.clamp(1, Self::MAX_LIMIT),
            after: None,
        }
    }

    pub fn limit(&self) -> u32 {
        self.limit
    }

    pub fn after(&self) -> Option<&CursorKey> {
        self.after.as_ref()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Present when more items may follow.
    pub next: Option<CursorKey>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` fetched rows: the extra row only proves that a
    /// next page exists, so it is dropped and the cursor points at the last kept item.
    pub fn from_overfetch(mut rows: Vec<T>, limit: u32, key_of: impl Fn(&T) -> CursorKey) -> Self {
        let limit = limit as usize;
        let has_more = rows.len() > limit;
        rows.truncate(limit);
        let next = if has_more {
            rows.last().map(key_of)
        } else {
            None
        };
        Self { items: rows, next }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next: self.next,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_defaults_to_twenty_and_refuses_zero_and_over_one_hundred() {
        assert_eq!(PageRequest::new(None, None).map(|p| p.limit()), Ok(20));
        assert_eq!(
            PageRequest::new(Some(100), None).map(|p| p.limit()),
            Ok(100)
        );
        assert!(PageRequest::new(Some(101), None).is_err());
        assert!(PageRequest::new(Some(0), None).is_err());
    }

    #[test]
    fn overfetched_row_becomes_the_cursor_of_the_last_kept_item() {
        let page = Page::from_overfetch(vec![1, 2, 3], 2, |n| CursorKey::new(n.to_string()));
        assert_eq!(page.items, vec![1, 2]);
        assert_eq!(page.next, Some(CursorKey::new("2")));
        let last = Page::from_overfetch(vec![1, 2], 2, |n| CursorKey::new(n.to_string()));
        assert_eq!(last.next, None);
    }
}
