//! The published contract: the document the app serves at `/api-docs/openapi.json` and the
//! `openapi` crate writes to `openapi/openapi.json`.

use actix_web::dev::{ServiceFactory, ServiceRequest};
use domain::error::ErrorCode;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::OpenApi as OpenApiDoc;
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::{AppExt, UtoipaApp};

use crate::error::{Problem, ProblemField};
use crate::routes;

mod contract;

pub const DOC_PATH: &str = "/api-docs/openapi.json";

/// Extra routes mounted beside the application's own (tests mount probes here).
pub type ExtraRoutes =
    std::sync::Arc<dyn Fn(&mut utoipa_actix_web::service_config::ServiceConfig) + Send + Sync>;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "指尖上的课堂 API",
        description = "Backend of the 指尖上的课堂 WeChat mini-program: study materials, theme-day check-in, appraisal and 96345 volunteer services for township Party organisations. Errors are RFC 9457 problem+json documents with a stable `code`.",
        license(name = "MIT", identifier = "MIT"),
    ),
    components(schemas(Problem, ProblemField)),
    modifiers(&BearerAuth),
    tags(
        (name = "operations", description = "Liveness, readiness and metrics"),
        (name = "auth", description = "Sessions: refresh and logout"),
        (name = "me", description = "The caller's own profile"),
        (name = "orgs", description = "The organisation tree and its members"),
        (name = "members", description = "One member and their roles"),
        (name = "audit", description = "Who changed what (township admins)"),
        (name = "activities", description = "Theme days and 三会一课: scheduling, plans, holiday calendars, attendance"),
        (name = "check-ins", description = "Check-in (签到) and its review on the phone; check-out (签退) of a service activity into the volunteer-hours ledger"),
        (name = "exemptions", description = "Exemptions (请假) and their review"),
        (name = "reports", description = "Compliance reports, as JSON or Excel"),
        (name = "materials", description = "Study materials (学习资料, 月送党课): publishing, the member's feed, reading"),
        (name = "appraisals", description = "Appraisal campaigns (党性分析, 民主评议党员): stages, self-assessments (个人自评)"),
        (name = "service-requests", description = "96345 党员志愿服务: residents' requests, their dispatch to branches and the wish list, volunteers' claims and service, and each township's deadlines for them"),
        (name = "volunteer-teams", description = "96345 professional teams (专业队伍): forming them, joining, leading"),
        (name = "pioneer", description = "先锋指数: the township's rule sets, members' claims and deductions, the half-yearly index, the warning level (警示型) and the help branch"),
        (name = "volunteer-hours", description = "96345 volunteer hours: the append-only ledger, its decisions and corrections, totals and the service certificate (志愿服务证明)"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut OpenApiDoc) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.bearer_format = Some("JWT".to_owned());
        scheme.description =
            Some("An access token from the sign-in or refresh endpoints".to_owned());
        components.add_security_scheme("bearerAuth", SecurityScheme::Http(scheme));
    }
}

/// Mounts every documented route on `app`.
pub fn mount<T>(app: UtoipaApp<T>, extra: Option<&ExtraRoutes>) -> UtoipaApp<T>
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = actix_web::Error, InitError = ()>,
{
    let mut app = app.openapi(ApiDoc::openapi()).configure(routes::configure);
    if let Some(extra) = extra {
        app = app.configure(|cfg| extra(cfg));
    }
    app
}

/// The document of the application's routes (plus `extra`, when given).
pub fn document_with(extra: Option<&ExtraRoutes>) -> OpenApiDoc {
    let (_, mut doc) = mount(actix_web::App::new().into_utoipa_app(), extra).split_for_parts();
    declare_unexpected_body(&mut doc);
    contract::expand_patterns(&mut doc);
    contract::declare_idempotency_key(&mut doc);
    contract::declare_if_match(&mut doc);
    contract::declare_either_or(&mut doc);
    contract::declare_study_report_selection(&mut doc);
    contract::declare_business_rules(&mut doc);
    contract::declare_links(&mut doc);
    doc
}

/// Every operation that takes no request body refuses one with 400
/// `request_body_unexpected` (see `refuse_unexpected_body`): say so in each.
fn declare_unexpected_body(doc: &mut OpenApiDoc) {
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    const CODE: &str = ErrorCode::RequestBodyUnexpected.as_str();
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ];
        for op in operations.into_iter().flatten() {
            if op.request_body.is_some() {
                continue;
            }
            match op.responses.responses.get_mut("400") {
                Some(RefOr::T(existing)) => {
                    if !existing.description.contains(CODE) {
                        existing.description = format!("{} or {CODE}", existing.description);
                    }
                }
                Some(RefOr::Ref(_)) => {}
                None => {
                    let response = ResponseBuilder::new()
                        .description(format!("{CODE}: this operation takes no request body"))
                        .content(
                            "application/problem+json",
                            ContentBuilder::new()
                                .schema(Some(Ref::from_schema_name("Problem")))
                                .build(),
                        )
                        .build();
                    op.responses
                        .responses
                        .insert("400".to_owned(), RefOr::T(response));
                }
            }
        }
    }
}

/// The published document.
pub fn document() -> OpenApiDoc {
    document_with(None)
}

/// The published document as pretty JSON with a trailing newline (the checked-in form).
pub fn document_json() -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(&document()).map(|s| s + "\n")
}
