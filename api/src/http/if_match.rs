//! `If-Match` for writes that must not overwrite a newer version (a self-assessment edited
//! from two phones): the client sends back the `ETag` it read, a quoted version number.

use actix_web::HttpRequest;
use domain::error::ErrorCode;

use crate::error::ApiError;

pub const HEADER: &str = "if-match";
/// What the published document states of the header.
pub const PATTERN: &str = r#"^(?:W/)?"[0-9]{1,18}"$"#;

/// The `ETag` of a version.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// The version the request's `If-Match` names: 428 without one, 400 when it is not an
/// `ETag` this API gave out (`*` included: a write must name the version it saw).
pub fn version(req: &HttpRequest) -> Result<i64, ApiError> {
    let Some(raw) = req.headers().get(HEADER) else {
        return Err(ApiError::new(ErrorCode::RequestPreconditionRequired)
            .with_detail("send If-Match with the ETag you read (GET it first)"));
    };
    raw.to_str().ok().and_then(parse).ok_or_else(|| {
        ApiError::bad_request(
            ErrorCode::RequestIfMatchInvalid,
            "If-Match must be the ETag you read, e.g. \"3\"",
        )
    })
}

fn parse(raw: &str) -> Option<i64> {
    let tag = raw.trim();
    let tag = tag.strip_prefix("W/").unwrap_or(tag);
    let digits = tag.strip_prefix('"')?.strip_suffix('"')?;
    if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn only_a_quoted_version_is_an_etag() {
        assert_eq!(parse("\"3\""), Some(3));
        assert_eq!(parse("W/\"0\""), Some(0));
        assert_eq!(parse(" \"12\" "), Some(12));
        for bad in [
            "3",
            "*",
            "\"\"",
            "\"-1\"",
            "\"1\", \"2\"",
            "\"1234567890123456789\"",
            "W/3",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
