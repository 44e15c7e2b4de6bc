//! Request extractors that answer every client mistake with a precise problem:
//! syntax → 400 with line and column, wrong shape → 422 with JSON Pointers, failed
//! validation → 422, wrong content type → 415, oversized body → 413.

mod json;
mod query;
mod strict;

pub use json::Json;
pub use query::Query;

use domain::error::FieldError;

/// Semantic checks a request DTO runs after it has been parsed.
pub trait Validate {
    fn validate(&self) -> Result<(), Vec<FieldError>>;
}

/// The configured maximum size of a request body, in bytes.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// Renders a serde path as a JSON Pointer (RFC 6901).
fn pointer_of(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path.iter() {
        let part = match segment {
            Segment::Seq { index } => index.to_string(),
            Segment::Map { key } => key.clone(),
            Segment::Enum { variant } => variant.clone(),
            Segment::Unknown => continue,
        };
        out.push('/');
        out.push_str(&part.replace('~', "~0").replace('/', "~1"));
    }
    out
}

/// Classifies a serde data error into a field problem. serde reports a missing or unknown
/// field on the enclosing object, so the field's name is taken from the message and
/// appended to the pointer.
fn field_problem(path: &serde_path_to_error::Path, message: &str) -> crate::error::ProblemField {
    let mut pointer = pointer_of(path);
    let named = |prefix: &str| {
        message
            .strip_prefix(prefix)
            .and_then(|rest| rest.split('`').next())
            .map(str::to_owned)
    };
    let (code, field) = if let Some(field) = named("missing field `") {
        ("missing_field", Some(field))
    } else if let Some(field) = named("unknown field `") {
        ("unknown_field", Some(field))
    } else if message.starts_with("invalid type") {
        ("invalid_type", None)
    } else if message.starts_with("invalid length") {
        ("invalid_length", None)
    } else if message.starts_with("unknown variant") {
        ("unknown_variant", None)
    } else {
        ("invalid_value", None)
    };
    if let Some(field) = field {
        let escaped = field.replace('~', "~0").replace('/', "~1");
        if !pointer.ends_with(&format!("/{escaped}")) {
            pointer.push('/');
            pointer.push_str(&escaped);
        }
    }
    crate::error::ProblemField {
        pointer,
        code: code.to_owned(),
        detail: message.to_owned(),
    }
}
