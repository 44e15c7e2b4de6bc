use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use super::{field_problem, Validate};
use crate::error::ApiError;

/// Query parameters, parsed strictly: a value of the wrong type is 422 with `/name` as the
/// pointer; semantic checks run through [`Validate`].
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T> Query<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: DeserializeOwned + Validate> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(parse(req.query_string()))
    }
}

fn parse<T: DeserializeOwned + Validate>(query: &str) -> Result<Query<T>, ApiError> {
    let de = serde_urlencoded::Deserializer::new(url::form_urlencoded::parse(query.as_bytes()));
    let value: T = serde_path_to_error::deserialize(de).map_err(|e| {
        let message = e.inner().to_string();
        ApiError::query_invalid(vec![field_problem(e.path(), &message)])
    })?;
    value.validate().map_err(ApiError::validation)?;
    Ok(Query(value))
}
