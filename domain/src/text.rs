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

/// An `https://` link a phone can open, at most `max` characters (photo links, evidence
/// links): see [`is_web_link`]. The API's published `https-url` pattern states the same.
pub fn is_https_link(raw: &str, max: usize) -> bool {
    is_web_link(raw, max, &["https://"])
}

/// An absolute link with one of `schemes` (each written with its `://`), at most `max`
/// characters: a host of ASCII letters, digits, dots and hyphens (a DNS name or an IPv4
/// address; an international name in its punycode form), an optional port (1-5 digits, at most 65535),
/// then optionally a path, query or fragment without blanks or control characters.
/// Refused: user info (`https://bank.cn@evil.cn`), bracketed hosts and anything else a
/// browser or URL parser would read differently from what the member was shown.
pub fn is_web_link(raw: &str, max: usize, schemes: &[&str]) -> bool {
    if raw.chars().count() > max {
        return false;
    }
    let Some(rest) = schemes.iter().find_map(|s| raw.strip_prefix(s)) else {
        return false;
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let (host, port) = match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    let host_ok = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    let port_ok = port.is_none_or(|p| {
        (1..=5).contains(&p.len())
            && p.bytes().all(|b| b.is_ascii_digit())
            && p.parse::<u32>().is_ok_and(|n| n <= 65_535)
    });
    host_ok && port_ok && !tail.chars().any(|c| c.is_whitespace() || c.is_control())
}
