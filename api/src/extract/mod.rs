//! Request extractors that answer every client mistake with a precise problem:
//! syntax → 400 with line and column, wrong shape → 422 with JSON Pointers, failed
//! validation → 422, wrong content type → 415, oversized body → 413.

mod json;
mod query;
mod strict;

pub use json::Json;
pub use query::Query;

use domain::error::ErrorCode;
use domain::error::FieldError;

/// Reads an integer field from any JSON number with an integral value: JSON Schema's
/// `integer` counts `7.0` as 7, so a client (or a validator) may send it that way. A
/// fraction, or a value outside `T`, is refused as serde would refuse it.
/// Use with `#[serde(deserialize_with = "crate::extract::integral")]`.
pub fn integral<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: TryFrom<i64>,
{
    use serde::de::{Error, Unexpected, Visitor};
    struct Integral;
    impl Visitor<'_> for Integral {
        type Value = i64;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an integer")
        }
        fn visit_i64<E: Error>(self, v: i64) -> Result<i64, E> {
            Ok(v)
        }
        fn visit_u64<E: Error>(self, v: u64) -> Result<i64, E> {
            i64::try_from(v).map_err(|_| E::invalid_value(Unexpected::Unsigned(v), &self))
        }
        fn visit_f64<E: Error>(self, v: f64) -> Result<i64, E> {
            // Exactly representable integers only (|v| < 2^53), so nothing is rounded.
            if v.fract() == 0.0 && v.abs() < 9_007_199_254_740_992.0 {
                Ok(v as i64)
            } else {
                Err(E::invalid_type(Unexpected::Float(v), &self))
            }
        }
    }
    let v = deserializer.deserialize_any(Integral)?;
    T::try_from(v)
        .map_err(|_| D::Error::invalid_value(Unexpected::Signed(v), &"an integer in range"))
}

/// [`integral`] for an optional field (absent or `null`: `None`). Use with
/// `#[serde(default, deserialize_with = "crate::extract::integral_opt")]`.
pub fn integral_opt<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: TryFrom<i64>,
{
    use serde::de::{Error, Unexpected};
    use serde::Deserialize;
    let Some(n) = Option::<serde_json::Number>::deserialize(deserializer)? else {
        return Ok(None);
    };
    let v = match (n.as_i64(), n.as_f64()) {
        (Some(i), _) => i,
        // Exactly representable integers only (|v| < 2^53), so nothing is rounded.
        (None, Some(f)) if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 => f as i64,
        (None, Some(f)) => return Err(D::Error::invalid_type(Unexpected::Float(f), &"an integer")),
        (None, None) => {
            return Err(D::Error::invalid_value(
                Unexpected::Other("number"),
                &"an integer in range",
            ))
        }
    };
    T::try_from(v)
        .map(Some)
        .map_err(|_| D::Error::invalid_value(Unexpected::Signed(v), &"an integer in range"))
}

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
        (ErrorCode::MissingField, Some(field))
    } else if let Some(field) = named("unknown field `") {
        (ErrorCode::UnknownField, Some(field))
    } else if message.starts_with("invalid type") {
        (ErrorCode::InvalidType, None)
    } else if message.starts_with("invalid length") {
        (ErrorCode::InvalidLength, None)
    } else if message.starts_with("unknown variant") {
        (ErrorCode::UnknownVariant, None)
    } else {
        (ErrorCode::InvalidValue, None)
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
