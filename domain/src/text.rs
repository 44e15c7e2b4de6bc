//! Free text as the domain accepts it (titles, reasons, notes), shared by every context.
//! The API's published `printable` pattern accepts exactly what [`clean_text`] accepts.

use crate::error::ErrorCode;
use crate::error::FieldError;

/// Validates free text: trimmed, 1..=`max` characters, no control characters.
pub fn clean_text(
    raw: &str,
    max: usize,
    pointer: &str,
    code: ErrorCode,
) -> Result<String, FieldError> {
    let text = raw.trim();
    // The raw length counts, as the published schema's maxLength does.
    if text.is_empty() || raw.chars().count() > max || text.chars().any(char::is_control) {
        return Err(FieldError::new(
            pointer,
            code,
            format!("must be 1-{max} printable characters"),
        ));
    }
    Ok(text.to_owned())
}

/// Like [`clean_text`], but line breaks are kept (arrangements and notes are paragraphs).
pub fn clean_multiline(
    raw: &str,
    max: usize,
    pointer: &str,
    code: ErrorCode,
) -> Result<String, FieldError> {
    let text = raw.trim();
    let bad = |c: char| c.is_control() && c != '\n' && c != '\r';
    // The raw length counts, as the published schema's maxLength does.
    if text.is_empty() || raw.chars().count() > max || text.chars().any(bad) {
        return Err(FieldError::new(
            pointer,
            code,
            format!("must be 1-{max} printable characters (line breaks allowed)"),
        ));
    }
    Ok(text.to_owned())
}

/// An `https://` link without blanks or control characters, at most `max` characters
/// (photo links, evidence links). The API's published `https-url` pattern states the same.
pub fn is_https_link(raw: &str, max: usize) -> bool {
    raw.chars().count() <= max
        && raw.len() > "https://".len()
        && raw.starts_with("https://")
        && !raw.chars().any(|c| c.is_whitespace() || c.is_control())
}
