use domain::error::ErrorCode;
use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::web::BytesMut;
use actix_web::{FromRequest, HttpRequest};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use super::{field_problem, BodyLimit, Validate};
use crate::error::ApiError;

/// A JSON request body, parsed strictly and validated.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

fn is_json(req: &HttpRequest) -> bool {
    let Some(value) = req.headers().get(header::CONTENT_TYPE) else {
        return false;
    };
    let Ok(value) = value.to_str() else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

impl<T: DeserializeOwned + Validate + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req
            .app_data::<BodyLimit>()
            .map(|l| l.0)
            .unwrap_or(1024 * 1024);
        let json = is_json(req);
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if !json {
                return Err(ApiError::unsupported_media_type());
            }
            if declared.is_some_and(|len| len > limit) {
                return Err(ApiError::payload_too_large(limit));
            }
            let mut body = BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| {
                    ApiError::bad_request(ErrorCode::RequestBodyUnreadable, e.to_string())
                })?;
                if body.len() + chunk.len() > limit {
                    return Err(ApiError::payload_too_large(limit));
                }
                body.extend_from_slice(&chunk);
            }
            let value = parse::<T>(&body)?;
            value.validate().map_err(ApiError::validation)?;
            Ok(Json(value))
        })
    }
}

/// Parses `body`: syntax errors (including an empty or truncated body) are 400 wherever they
/// are, shape errors 422 with the pointer of the offending field; a JSON array is never read
/// as an object (see [`Strict`](super::strict::Strict)).
pub(crate) fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    // Syntax first, over the whole body: an unknown field before a syntax error must not
    // turn a malformed body into a 422.
    serde_json::from_slice::<serde::de::IgnoredAny>(body).map_err(|e| syntax(&e))?;
    let mut de = serde_json::Deserializer::from_slice(body);
    let value =
        serde_path_to_error::deserialize::<_, T>(super::strict::Strict(&mut de)).map_err(|e| {
            let inner = e.inner();
            match inner.classify() {
                serde_json::error::Category::Data => {
                    let message = strip_position(&inner.to_string());
                    ApiError::json_shape(vec![field_problem(e.path(), &message)])
                }
                _ => syntax(inner),
            }
        })?;
    de.end().map_err(|e| syntax(&e))?;
    Ok(value)
}

fn syntax(e: &serde_json::Error) -> ApiError {
    ApiError::json_syntax(e.line(), e.column(), &strip_position(&e.to_string()))
}

/// serde_json appends " at line L column C"; the problem reports the position separately.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}
