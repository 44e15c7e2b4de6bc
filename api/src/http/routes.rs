//! The route table behind the default service: it tells an unknown path (404) from a known
//! path asked with the wrong method (405 with `Allow`), which actix's route macros cannot.

use actix_web::{web, HttpRequest, HttpResponse};
use domain::error::ErrorCode;
use utoipa::openapi::OpenApi;

use crate::error::ApiError;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Param,
    /// Matches the rest of the path (`/docs/{tail:.*}`).
    Rest,
}

#[derive(Debug, Clone, Default)]
pub struct RouteTable {
    routes: Vec<(Vec<Segment>, Vec<String>)>,
    /// The operations (method, pattern) that take a request body.
    with_body: Vec<(String, Vec<Segment>)>,
}

fn segments(pattern: &str) -> Vec<Segment> {
    pattern
        .trim_start_matches('/')
        .split('/')
        .map(|s| {
            if s.starts_with('{') && s.ends_with(".*}") {
                Segment::Rest
            } else if s.starts_with('{') && s.ends_with('}') {
                Segment::Param
            } else {
                Segment::Literal(s.to_owned())
            }
        })
        .collect()
}

impl RouteTable {
    /// Every operation of the document, so the table cannot miss a documented route.
    pub fn from_openapi(doc: &OpenApi) -> Self {
        let mut table = Self::default();
        for (path, item) in &doc.paths.paths {
            let methods = [
                ("GET", item.get.is_some()),
                ("POST", item.post.is_some()),
                ("PUT", item.put.is_some()),
                ("PATCH", item.patch.is_some()),
                ("DELETE", item.delete.is_some()),
                ("HEAD", item.head.is_some()),
                ("OPTIONS", item.options.is_some()),
            ];
            let methods: Vec<&str> = methods
                .iter()
                .filter(|(_, on)| *on)
                .map(|(m, _)| *m)
                .collect();
            table.add(path, &methods);
            for (method, op) in [
                ("POST", &item.post),
                ("PUT", &item.put),
                ("PATCH", &item.patch),
                ("DELETE", &item.delete),
            ] {
                if op.as_ref().is_some_and(|o| o.request_body.is_some()) {
                    table.with_body.push((method.to_owned(), segments(path)));
                }
            }
        }
        table
    }

    /// Whether a request to `path` with `method` may carry a body: only operations that
    /// declare one (and paths no operation matches, which answer 404/405 anyway).
    pub fn takes_body(&self, method: &str, path: &str) -> bool {
        let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let known = self
            .routes_of(&parts)
            .iter()
            .any(|(_, methods)| methods.iter().any(|m| m == method));
        !known
            || self
                .with_body
                .iter()
                .any(|(m, pattern)| m == method && matches(pattern, &parts))
    }

    pub fn add(&mut self, pattern: &str, methods: &[&str]) {
        let segs = segments(pattern);
        let methods = methods.iter().map(|m| (*m).to_owned());
        match self.routes.iter_mut().find(|(s, _)| *s == segs) {
            Some((_, existing)) => existing.extend(methods),
            None => self.routes.push((segs, methods.collect())),
        }
    }

    /// The routes a path takes: of those whose shape it matches, the most specific ones. As
    /// OpenAPI has it, a concrete segment wins over a template at the same place, so
    /// `…/peer-reviews/todo` is not also `…/peer-reviews/{memberId}`.
    fn routes_of<'a>(&'a self, parts: &[&str]) -> Vec<&'a (Vec<Segment>, Vec<String>)> {
        let matching: Vec<_> = self
            .routes
            .iter()
            .filter(|(pattern, _)| matches(pattern, parts))
            .collect();
        let Some(best) = matching.iter().map(|(p, _)| specificity(p)).max() else {
            return matching;
        };
        matching
            .into_iter()
            .filter(|(p, _)| specificity(p) == best)
            .collect()
    }

    /// The methods a path supports, or `None` when no route has this shape.
    pub fn allowed(&self, path: &str) -> Option<Vec<String>> {
        let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let mut allowed: Vec<String> = Vec::new();
        for (_, methods) in self.routes_of(&parts) {
            allowed.extend(methods.iter().cloned());
        }
        if allowed.is_empty() {
            return None;
        }
        if allowed.iter().any(|m| m == "GET") {
            allowed.push("HEAD".to_owned());
        }
        allowed.sort();
        allowed.dedup();
        Some(allowed)
    }
}

/// The answer to a path whose id did not parse (`PathConfig`'s error handler). A malformed
/// id names no resource: 404, as for a missing one. But the segment may be no id at all:
/// `GET …/pioneer-claims/decisions` reaches `GET …/pioneer-claims/{id}` in actix, while the
/// path is the literal `POST …/pioneer-claims/decisions`, so it is that route's 405.
pub fn path_error(req: &HttpRequest) -> actix_web::Error {
    let wrong_method = req
        .app_data::<web::Data<RouteTable>>()
        .and_then(|t| t.allowed(req.path()))
        .filter(|methods| !methods.iter().any(|m| m == req.method().as_str()));
    match wrong_method {
        Some(methods) => ApiError::method_not_allowed(methods.join(", ")).into(),
        None => ApiError::not_found().into(),
    }
}

/// How specific a route is, segment by segment: a literal over a template over the rest.
fn specificity(pattern: &[Segment]) -> Vec<u8> {
    pattern
        .iter()
        .map(|s| match s {
            Segment::Literal(_) => 2,
            Segment::Param => 1,
            Segment::Rest => 0,
        })
        .collect()
}

fn matches(pattern: &[Segment], parts: &[&str]) -> bool {
    let mut i = 0;
    for seg in pattern {
        match seg {
            Segment::Rest => return true,
            Segment::Param => {
                if parts.get(i).is_none_or(|p| p.is_empty()) {
                    return false;
                }
            }
            Segment::Literal(lit) => {
                if parts.get(i) != Some(&lit.as_str()) {
                    return false;
                }
            }
        }
        i += 1;
    }
    i == parts.len()
}

/// Refuses a request body sent to an operation that takes none (400), before anything
/// reads it: such a body would otherwise be read and dropped unchecked.
pub async fn refuse_unexpected_body(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    use actix_web::http::header;
    let headers = req.headers();
    let has_body = headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim() != "0");
    if has_body {
        let takes_body = req
            .app_data::<web::Data<RouteTable>>()
            .is_none_or(|t| t.takes_body(req.method().as_str(), req.path()));
        if !takes_body {
            // An answered error (not an `Err`), so the request is logged, counted and
            // rendered with its request id like every other.
            let refusal = ApiError::bad_request(
                ErrorCode::RequestBodyUnexpected,
                "this operation takes no request body",
            );
            return Ok(req.error_response(refusal).map_into_right_body());
        }
    }
    next.call(req).await.map(|res| res.map_into_left_body())
}

/// The default service: the connection guard's refusals, then 405 with `Allow` for a known
/// path, 404 otherwise.
pub async fn fallback(
    req: HttpRequest,
    table: web::Data<RouteTable>,
) -> Result<HttpResponse, ApiError> {
    if let Some(refusal) = super::guard::refusal_of(&req) {
        return Err(refusal);
    }
    Err(match table.allowed(req.path()) {
        Some(methods) => ApiError::method_not_allowed(methods.join(", ")),
        None => ApiError::route_not_found(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> RouteTable {
        let mut t = RouteTable::default();
        t.add("/api/v1/orgs/{id}", &["GET"]);
        t.add("/api/v1/orgs/{id}", &["PATCH"]);
        t.add("/api/v1/orgs/{id}/children", &["GET", "POST"]);
        t.add("/docs/{tail:.*}", &["GET"]);
        t
    }

    #[test]
    fn a_concrete_segment_wins_over_a_template_at_the_same_place() {
        let mut t = RouteTable::default();
        t.add("/api/v1/appraisals/{id}/peer-reviews/todo", &["GET"]);
        t.add("/api/v1/appraisals/{id}/peer-reviews/{memberId}", &["PUT"]);
        assert_eq!(
            t.allowed("/api/v1/appraisals/x/peer-reviews/todo"),
            Some(vec!["GET".to_owned(), "HEAD".to_owned()])
        );
        assert_eq!(
            t.allowed("/api/v1/appraisals/x/peer-reviews/someone"),
            Some(vec!["PUT".to_owned()])
        );
    }

    #[test]
    fn a_literal_beside_a_template_is_its_own_route_for_the_path_error() {
        let mut t = RouteTable::default();
        t.add("/api/v1/pioneer-claims/{id}", &["GET"]);
        t.add("/api/v1/pioneer-claims/decisions", &["POST"]);
        let t = web::Data::new(t);
        let answer = |method: actix_web::http::Method, path: &str| {
            let req = actix_web::test::TestRequest::default()
                .method(method)
                .uri(path)
                .app_data(t.clone())
                .to_http_request();
            path_error(&req).as_response_error().status_code().as_u16()
        };
        use actix_web::http::Method;
        assert_eq!(answer(Method::GET, "/api/v1/pioneer-claims/decisions"), 405);
        assert_eq!(
            answer(Method::GET, "/api/v1/pioneer-claims/not-a-uuid"),
            404
        );
    }

    #[test]
    fn known_shapes_answer_their_methods_and_unknown_ones_none() {
        let t = table();
        let methods =
            |list: &[&str]| Some(list.iter().map(|m| (*m).to_owned()).collect::<Vec<_>>());
        assert_eq!(
            t.allowed("/api/v1/orgs/abc"),
            methods(&["GET", "HEAD", "PATCH"])
        );
        assert_eq!(
            t.allowed("/api/v1/orgs/abc/children"),
            methods(&["GET", "HEAD", "POST"])
        );
        assert_eq!(t.allowed("/docs/index.css"), methods(&["GET", "HEAD"]));
        assert_eq!(t.allowed("/api/v1/orgs"), None);
        assert_eq!(t.allowed("/api/v1/orgs//children"), None);
        assert_eq!(t.allowed("/api/v1/orgs/abc/children/x"), None);
        assert_eq!(t.allowed("/nope"), None);
    }
}
