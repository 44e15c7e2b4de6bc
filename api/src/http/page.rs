//! The list envelope and opaque cursors shared by every list endpoint.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ProblemField};
use domain::page::{CursorKey, Page, PageRequest};

const CURSOR_VERSION: &str = "c1:";

/// `{ "items": [...], "nextCursor": "…" | null }`: pass `nextCursor` back as `?cursor=` for
/// the next page; `null` means this is the last page.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListEnvelope<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> ListEnvelope<T> {
    pub fn from_page<D>(page: Page<D>, f: impl FnMut(D) -> T) -> Self {
        let next_cursor = page.next.as_ref().map(encode_cursor);
        Self {
            items: page.items.into_iter().map(f).collect(),
            next_cursor,
        }
    }
}

pub fn encode_cursor(key: &CursorKey) -> String {
    URL_SAFE_NO_PAD.encode(format!("{CURSOR_VERSION}{}", key.as_str()))
}

pub fn decode_cursor(raw: &str) -> Result<CursorKey, ApiError> {
    let invalid = ApiError::invalid_cursor;
    let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let key = text.strip_prefix(CURSOR_VERSION).ok_or_else(invalid)?;
    if key.is_empty() {
        return Err(invalid());
    }
    Ok(CursorKey::new(key))
}

/// Turns `?cursor=&limit=` into a page request: an invalid cursor is 400, a limit outside
/// 1..=100 is 422.
pub fn page_request(cursor: Option<&str>, limit: Option<u32>) -> Result<PageRequest, ApiError> {
    let after = cursor
        .filter(|c| !c.is_empty())
        .map(decode_cursor)
        .transpose()?;
    PageRequest::new(limit, after).map_err(|e| ApiError::query_invalid(vec![ProblemField::from(e)]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_foreign_ones_are_refused() {
        let key = CursorKey::new("0192f5a4-0000-7000-8000-000000000000");
        let encoded = encode_cursor(&key);
        assert_eq!(decode_cursor(&encoded).ok(), Some(key));
        for bad in ["", "%%%", "bm90LW91cnM", "YzE6"] {
            assert!(decode_cursor(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn limit_over_one_hundred_is_unprocessable_and_bad_cursor_is_bad_request() {
        let over = page_request(None, Some(101))
            .err()
            .map(|e| e.status().as_u16());
        assert_eq!(over, Some(422));
        let bad = page_request(Some("garbage!"), None)
            .err()
            .map(|e| e.status().as_u16());
        assert_eq!(bad, Some(400));
    }
}
