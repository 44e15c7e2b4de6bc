//! What the derive macros cannot say about the contract, added to the generated document:
//! the regular expressions DTOs name, the `Idempotency-Key` header's shape, either/or
//! bodies, the study report's either/or query, the refusals no schema can express (the
//! business rules), and the links from each create operation to what it created.

use domain::error::ErrorCode;
use serde_json::{json, Value};
use utoipa::openapi::extensions::Extensions;
use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::path::Parameter;
use utoipa::openapi::path::{Operation, ParameterBuilder, ParameterIn, ParameterStyle};
use utoipa::openapi::schema::{
    AdditionalProperties, ArrayItems, Object, ObjectBuilder, OneOfBuilder, Schema, SchemaFormat,
    Type,
};
use utoipa::openapi::{KnownFormat, OpenApi as OpenApiDoc, RefOr, Required};

use crate::http::schema::{named_pattern, MONTH_PATTERN, VISIBLE_ASCII_PATTERN};

/// Every operation of the document, with its path.
fn operations(doc: &mut OpenApiDoc) -> Vec<(String, &mut Operation)> {
    let mut out = Vec::new();
    for (path, item) in doc.paths.paths.iter_mut() {
        for op in [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            out.push((path.clone(), op));
        }
    }
    out
}

/// An operation's parameters written in place (the document has no shared ones).
fn inline_params(op: &mut Operation) -> Vec<&mut Parameter> {
    op.parameters
        .iter_mut()
        .flatten()
        .filter_map(|p| match p {
            RefOr::T(p) => Some(p),
            RefOr::Ref(_) => None,
        })
        .collect()
}

/// Calls `f` on every object schema inside `schema` (properties, items, combinators).
fn walk(schema: &mut RefOr<Schema>, f: &mut dyn FnMut(&mut Object)) {
    let RefOr::T(schema) = schema else { return };
    match schema {
        Schema::Object(o) => {
            f(o);
            for p in o.properties.values_mut() {
                walk(p, f);
            }
            if let Some(AdditionalProperties::RefOr(r)) = o.additional_properties.as_deref_mut() {
                walk(r, f);
            }
        }
        Schema::Array(a) => {
            if let ArrayItems::RefOrSchema(items) = &mut a.items {
                walk(items, f);
            }
        }
        Schema::OneOf(x) => x.items.iter_mut().for_each(|i| walk(i, f)),
        Schema::AllOf(x) => x.items.iter_mut().for_each(|i| walk(i, f)),
        Schema::AnyOf(x) => x.items.iter_mut().for_each(|i| walk(i, f)),
        _ => {}
    }
}

/// Calls `f` on every object schema of the document: components, parameters, bodies.
fn walk_all(doc: &mut OpenApiDoc, f: &mut dyn FnMut(&mut Object)) {
    if let Some(components) = doc.components.as_mut() {
        for schema in components.schemas.values_mut() {
            walk(schema, f);
        }
    }
    for (_, op) in operations(doc) {
        for p in inline_params(op) {
            if let Some(s) = p.schema.as_mut() {
                walk(s, f);
            }
        }
        if let Some(RefOr::T(body)) = op.request_body.as_mut() {
            for c in body.content.values_mut() {
                if let RefOr::T(c) = c {
                    if let Some(s) = c.schema.as_mut() {
                        walk(s, f);
                    }
                }
            }
        }
    }
}

/// DTOs name their rule (`pattern = "printable"`); the document carries its expression.
pub fn expand_patterns(doc: &mut OpenApiDoc) {
    walk_all(doc, &mut |o| {
        if let Some(p) = o.pattern.as_mut() {
            if let Some(expanded) = named_pattern(p) {
                *p = expanded;
            }
        }
    });
}

/// `Idempotency-Key`: 1-128 visible ASCII characters (`http::idempotency`).
pub fn declare_idempotency_key(doc: &mut OpenApiDoc) {
    for (_, op) in operations(doc) {
        for p in inline_params(op) {
            if p.name.eq_ignore_ascii_case("Idempotency-Key")
                && p.parameter_in == ParameterIn::Header
            {
                p.schema = Some(RefOr::T(Schema::Object(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .min_length(Some(1))
                        .max_length(Some(128))
                        .pattern(Some(VISIBLE_ASCII_PATTERN))
                        .examples(["01HZX3Q7M5-checkin-1"])
                        .build(),
                )));
            }
        }
    }
}

/// `If-Match`: the quoted version a write read (`http::if_match`).
pub fn declare_if_match(doc: &mut OpenApiDoc) {
    for (_, op) in operations(doc) {
        for p in inline_params(op) {
            if p.name.eq_ignore_ascii_case("If-Match") && p.parameter_in == ParameterIn::Header {
                p.required = Required::True;
                p.schema = Some(RefOr::T(Schema::Object(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .pattern(Some(crate::http::if_match::PATTERN))
                        .examples(["\"3\""])
                        .build(),
                )));
            }
        }
    }
}

fn object() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::Object)
}

/// A body in which every one of `fields` is present and not null.
fn present(fields: &[&str]) -> Value {
    let properties: serde_json::Map<String, Value> = fields
        .iter()
        .map(|f| ((*f).to_owned(), json!({ "not": { "type": "null" } })))
        .collect();
    json!({ "required": fields, "properties": properties })
}

/// A body in which `field` is present and holds one of `values`.
fn holds(field: &str, values: &[Value]) -> Value {
    json!({ "required": [field], "properties": { field: { "enum": values } } })
}

/// A body in which `field` is present and holds none of `values`.
fn holds_none_of(field: &str, values: &[Value]) -> Value {
    json!({ "required": [field], "properties": { field: { "not": { "enum": values } } } })
}

fn both(a: Value, b: Value) -> Value {
    json!({ "allOf": [a, b] })
}

fn absent(fields: &[&str]) -> Value {
    // "No field of `fields` holds a value": none of them present and not null.
    let any: Vec<Value> = fields.iter().map(|f| present(&[f])).collect();
    json!({ "not": { "anyOf": any } })
}

/// Refuses, in the component schema `name`, every body that matches one of `violations`:
/// a `not` beside the schema's own properties. Not `oneOf`/`anyOf` branches: code
/// generators (openapi-generator) merge the branches' properties and `required` lists into
/// the model, which then demands fields the server does not (and types an excluded one as a
/// `Null` model that does not exist); a `not` they leave alone, and validators and fuzzers
/// read it as written.
fn forbid(doc: &mut OpenApiDoc, name: &str, violations: Vec<Value>) {
    let schema = doc
        .components
        .as_mut()
        .and_then(|c| c.schemas.get_mut(name));
    let Some(RefOr::T(Schema::Object(object))) = schema else {
        // Only reachable if a DTO stops being a plain object; the contract tests then fail.
        return;
    };
    let not = match <[Value; 1]>::try_from(violations) {
        Ok([one]) => one,
        Err(many) => json!({ "anyOf": many }),
    };
    // utoipa's `Object` has no `not`; its extensions are written flat into the object,
    // so the keyword goes there.
    object
        .extensions
        .get_or_insert_with(Extensions::default)
        .insert("not".to_owned(), not);
}

/// Bodies whose fields depend on one another, as the validators say (each refusal is a
/// `validation_failed` the schema now predicts).
pub fn declare_either_or(doc: &mut OpenApiDoc) {
    // ApplyExemption: one activity, or a date range (`exemption_scope_invalid`).
    forbid(
        doc,
        "ApplyExemption",
        vec![
            present(&["activityId", "fromDate"]),
            present(&["activityId", "toDate"]),
            absent(&["activityId", "fromDate"]),
            absent(&["activityId", "toDate"]),
        ],
    );
    // A request goes to a branch (or the wish list) or to a team, one of them
    // (`service_request_assignee_invalid`).
    forbid(
        doc,
        "DispatchServiceRequest",
        vec![present(&["orgId", "teamId"]), absent(&["orgId", "teamId"])],
    );
    // A duplicate names the request it repeats; no other reason does
    // (`service_request_reason_invalid`).
    forbid(
        doc,
        "RejectServiceRequest",
        vec![
            both(
                holds("reason", &[json!("duplicate")]),
                absent(&["duplicateOf"]),
            ),
            both(
                holds_none_of("reason", &[json!("duplicate")]),
                present(&["duplicateOf"]),
            ),
        ],
    );
    // A rejection needs a reason (`review_reason_required`).
    for name in [
        "ReviewRequest",
        "BatchReviewRequest",
        "TeamJoinDecisionRequest",
        "HoursDecisionRequest",
    ] {
        forbid(
            doc,
            name,
            vec![both(
                holds_none_of("decision", &[json!("approve")]),
                absent(&["reason"]),
            )],
        );
    }
    // A field and its `clear…`/`remove…` switch exclude each other (`*_conflict`).
    let switched_on_and_given =
        |switch: &str, field: &str| both(holds(switch, &[json!(true)]), present(&[field]));
    forbid(
        doc,
        "UpdateMaterial",
        vec![
            switched_on_and_given("clearLessonMonth", "lessonMonth"),
            switched_on_and_given("clearStudyDeadline", "studyDeadline"),
        ],
    );
    forbid(
        doc,
        "UpdateActivity",
        vec![switched_on_and_given("removeGeofence", "geofence")],
    );
    // A new activity's parts that hang together (`theme_category_required`,
    // `geofence_required`, `lecturer_only_for_party_lesson`).
    forbid(
        doc,
        "CreateActivity",
        vec![
            both(
                holds("kind", &[json!("theme_day")]),
                absent(&["themeCategory"]),
            ),
            both(
                holds_none_of("proof", &[json!("qr"), json!("either"), Value::Null]),
                absent(&["geofence"]),
            ),
            both(
                holds_none_of("kind", &[json!("party_lesson")]),
                json!({ "anyOf": [present(&["lecturerId"]), present(&["lecturerName"])] }),
            ),
        ],
    );
    // 不合格 names at least one negative situation (`rating_needs_negative_item`); an upheld
    // objection or appeal gives the new grade (`objection_grade_required`).
    forbid(
        doc,
        "RateRequest",
        vec![both(
            holds("grade", &[json!("unqualified")]),
            json!({ "not": { "required": ["negativeItems"],
                             "properties": { "negativeItems": { "minItems": 1 } } } }),
        )],
    );
    // A line marked done says how (`rectification_text_invalid`).
    forbid(
        doc,
        "MarkRectification",
        vec![both(holds("done", &[json!(true)]), absent(&["note"]))],
    );
    forbid(
        doc,
        "AnswerRequest",
        vec![both(
            holds("verdict", &[json!("upheld")]),
            absent(&["grade"]),
        )],
    );
    // A resident's phone: vouched for by WeChat, or typed twice; never both, never neither,
    // never half typed (`resident_phone_source_invalid`).
    forbid(
        doc,
        "ResidentSignInRequest",
        vec![
            present(&["phoneCode", "phone"]),
            present(&["phoneCode", "phoneConfirm"]),
            absent(&["phoneCode", "phone", "phoneConfirm"]),
            both(present(&["phone"]), absent(&["phoneConfirm"])),
            both(present(&["phoneConfirm"]), absent(&["phone"])),
        ],
    );
    // A correction changes something (`volunteer_hours_minutes_invalid`).
    forbid(
        doc,
        "HoursCorrectionRequest",
        vec![json!({ "required": ["minutes"], "properties": { "minutes": { "const": 0 } } })],
    );
    // Only committee members are granted review separately (`role_can_review_committee_only`).
    forbid(
        doc,
        "GrantRole",
        vec![both(
            holds("canReview", &[json!(true)]),
            holds_none_of("kind", &[json!("committee")]),
        )],
    );
}

/// The study report takes `?month=` or `?materialId=`, never both nor neither
/// (`study_report_selection_invalid`): one exploded object parameter with a `oneOf`.
pub fn declare_study_report_selection(doc: &mut OpenApiDoc) {
    for (path, op) in operations(doc) {
        if path != "/api/v1/reports/study" {
            continue;
        }
        let Some(params) = op.parameters.as_mut() else {
            continue;
        };
        params.retain(|p| !matches!(p, RefOr::T(p) if p.name == "month" || p.name == "materialId"));
        let by_month = object()
            .title(Some("ByMonth"))
            .required("month")
            .property(
                "month",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(MONTH_PATTERN))
                    .description(Some(
                        "`YYYY-MM`: that month's monthly lessons and required materials",
                    ))
                    .examples(["2026-12"]),
            )
            .additional_properties(Some(AdditionalProperties::FreeForm(false)));
        let by_material = object()
            .title(Some("ByMaterial"))
            .required("materialId")
            .property(
                "materialId",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
                    .description(Some("One material")),
            )
            .additional_properties(Some(AdditionalProperties::FreeForm(false)));
        let selection = ParameterBuilder::new()
            .name("selection")
            .parameter_in(ParameterIn::Query)
            .required(Required::True)
            .style(Some(ParameterStyle::Form))
            .explode(Some(true))
            .description(Some(
                "What to report on: exactly one of `month` or `materialId`, each its own \
                 query parameter (`?month=2026-12` or `?materialId=…`; form style, exploded; \
                 the name `selection` never appears on the wire; clients that write it as \
                 `selection[month]=…` are understood too)",
            ))
            .schema(Some(Schema::OneOf(
                OneOfBuilder::new()
                    .item(Schema::Object(by_month.build()))
                    .item(Schema::Object(by_material.build()))
                    .build(),
            )))
            .build();
        params.insert(0, RefOr::T(selection));
    }
}

/// Refusals that depend on stored state, on the clock, or on fields related in ways JSON
/// Schema cannot state: a schema-valid request may still get them. Each is listed in the
/// response's description and, for machines, in its `x-business-rules`.
/// (operation id, status, [(code, why)]).
type Rules = &'static [(
    &'static str,
    &'static str,
    &'static [(ErrorCode, &'static str)],
)];

const BUSINESS_RULES: Rules = &[
    ("putPioneerRules", "422", &[
        (ErrorCode::PioneerNeedsCommittee, "the org is not a township committee"),
        (ErrorCode::PioneerRulesInvalid, "rules across fields: a metric or an exclusion's category twice, a profile's sector or category twice, item codes repeated in a profile, `targetHours` present exactly for `volunteer_hours`, a cap below its item's points, basic points adding up to more than the scale, a fortress metric twice, fortress points adding up to more than 1000"),
    ]),
    ("getPioneerRules", "422", &[(ErrorCode::PioneerNeedsCommittee, "the org is not a township committee")]),
    ("computePioneerIndex", "422", &[
        (ErrorCode::PioneerNeedsCommittee, "the org is not a township committee"),
        (ErrorCode::PioneerHalfNotBegun, "the half year has not begun (Beijing)"),
    ]),
    ("getPioneerIndex", "422", &[(ErrorCode::PioneerNeedsCommittee, "the org is not a township committee")]),
    ("getFortressIndex", "422", &[(ErrorCode::PioneerNeedsCommittee, "the org is not a township committee")]),
    ("listPioneerResultObjections", "422", &[(ErrorCode::PioneerNeedsCommittee, "the org is not a township committee")]),
    ("answerPioneerResultObjection", "422", &[
        (ErrorCode::PioneerNeedsCommittee, "the org is not a township committee"),
        (ErrorCode::PioneerWarningBelowQuota, "upheld, it would leave fewer warning-level members than the quota"),
    ]),
    ("getHelpBranch", "422", &[(ErrorCode::PioneerNeedsCommittee, "the org is not a township committee")]),
    ("listHelpTransfers", "422", &[(ErrorCode::PioneerNeedsCommittee, "the org is not a township committee")]),
    ("moveToHelpBranch", "422", &[(ErrorCode::PioneerNeedsCommittee, "the org is not a township committee")]),
    ("setHelpBranch", "422", &[
        (ErrorCode::PioneerNeedsCommittee, "the org is not a township committee"),
        (ErrorCode::PioneerHelpBranchInvalid, "`branchId` is no branch of the township"),
    ]),
    ("returnFromHelpBranch", "422", &[(ErrorCode::PioneerReturnNotDue, "no later half year, confirmed, has the member in its pool without rating them warning-level")]),
    ("listPioneerResults", "422", &[(ErrorCode::PioneerNeedsCommittee, "the org is not a township committee")]),
    ("confirmPioneerIndex", "422", &[
        (ErrorCode::PioneerNeedsCommittee, "the org is not a township committee"),
        (ErrorCode::PioneerWarningBelowQuota, "fewer members than ⌈5‰ × pool⌉"),
        (ErrorCode::PioneerWarningLowestLeftOut, "a member proposed below a tie is left out"),
        (ErrorCode::PioneerWarningNotInPool, "a member who is not in the half year's pool"),
    ]),
    ("filePioneerClaim", "409", &[(ErrorCode::PioneerHalfClosed, "the half year's index has been computed")]),
    ("filePioneerClaim", "422", &[
        (ErrorCode::PioneerHalfNotOpen, "`half` is neither the current half year (Beijing, the server's clock) nor the one before"),
        (ErrorCode::PioneerMemberExcluded, "the rules in force leave the caller out of the index (their category or sector)"),
        (ErrorCode::PioneerItemNotApplicable, "`itemCode` is no positive item of the caller's profile under the rules in force"),
        (ErrorCode::IdempotencyKeyReused, "the `Idempotency-Key` was used with another body"),
    ]),
    ("decidePioneerClaim", "409", &[
        (ErrorCode::PioneerClaimNotPending, "the claim is decided already"),
        (ErrorCode::PioneerHalfClosed, "the claim's half year has been computed"),
    ]),
    ("decidePioneerClaim", "422", &[
        (ErrorCode::PioneerClaimOwn, "the claim is the caller's own"),
        (ErrorCode::PioneerClaimOverCap, "approving it would take the member past the item's cap for the half year"),
        (ErrorCode::PioneerItemNotApplicable, "the item is no longer on the member's profile under the rules in force"),
        (ErrorCode::PioneerMemberExcluded, "the rules in force now leave the member out"),
    ]),
    ("decidePioneerClaims", "409", &[(ErrorCode::PioneerClaimNotPending, "a claim was decided by someone else meanwhile")]),
    ("decidePioneerClaims", "422", &[
        (ErrorCode::PioneerClaimNotFound, "an id is unknown or outside the caller's scope"),
        (ErrorCode::PioneerClaimOwn, "an id is the caller's own claim"),
        (ErrorCode::PioneerClaimNotPending, "an id is decided already"),
        (ErrorCode::PioneerHalfClosed, "an id's half year has been computed"),
        (ErrorCode::PioneerClaimOverCap, "approving an id would take its member past the item's cap (the batch's own approvals counted)"),
        (ErrorCode::PioneerItemNotApplicable, "an id's item is no longer on its member's profile"),
        (ErrorCode::PioneerMemberExcluded, "the rules in force now leave an id's member out"),
    ]),
    ("recordPioneerDeduction", "403", &[(ErrorCode::PioneerZeroingByTownship, "a zeroing item, recorded by a secretary or committee member")]),
    ("recordPioneerDeduction", "409", &[(ErrorCode::PioneerHalfClosed, "the half year's index has been computed")]),
    ("recordPioneerDeduction", "422", &[
        (ErrorCode::PioneerHalfNotOpen, "`half` is neither the current half year (Beijing, the server's clock) nor the one before"),
        (ErrorCode::PioneerMemberExcluded, "the rules in force leave the member out of the index"),
        (ErrorCode::PioneerItemNotApplicable, "`itemCode` is no negative or zeroing item of the member's profile under the rules in force"),
        (ErrorCode::IdempotencyKeyReused, "the `Idempotency-Key` was used with another body"),
    ]),
    ("objectToPioneerDeduction", "409", &[
        (ErrorCode::PioneerObjectionExists, "the caller has objected to it already"),
        (ErrorCode::PioneerHalfClosed, "its half year has been computed"),
    ]),
    ("answerPioneerObjection", "409", &[
        (ErrorCode::PioneerObjectionMissing, "the member has not objected"),
        (ErrorCode::PioneerObjectionAnswered, "the objection is answered already"),
        (ErrorCode::PioneerHalfClosed, "its half year has been computed"),
    ]),
    ("createChildOrg", "422", &[(ErrorCode::OrgKindNotAllowedHere, "the kind cannot stand under the parent's kind (a group only under a branch, …)")]),
    ("createMember", "422", &[(ErrorCode::MemberOrgNotABranch, "the path's org is not a branch or a group")]),
    ("updateMember", "422", &[(ErrorCode::MemberOrgNotABranch, "the destination `orgId` is not a branch or a group")]),
    ("grantRole", "422", &[(ErrorCode::RoleOrgKindMismatch, "the role cannot be held on that org's kind")]),
    ("createActivity", "422", &[
        (ErrorCode::ActivityOrgMismatch, "a group meeting goes on a group, anything else on a branch"),
        (ErrorCode::ActivityTimeInvalid, "the end must follow the start within 24 hours, and times fall in 2000-2100 (Beijing)"),
        (ErrorCode::CheckInWindowInvalid, "the check-in window must close after it opens"),
        (ErrorCode::LecturerUnknown, "`lecturerId` is no active member the caller can see"),
    ]),
    ("updateActivity", "422", &[
        (ErrorCode::ActivityTimeInvalid, "with the stored times: the end must follow the start within 24 hours, in 2000-2100"),
        (ErrorCode::CheckInWindowInvalid, "with the stored window: it must close after it opens"),
        (ErrorCode::ThemeCategoryRequired, "the activity is a theme day"),
        (ErrorCode::GeofenceRequired, "the proof is (or becomes) `location` without a geofence"),
        (ErrorCode::LecturerOnlyForPartyLesson, "the activity is not a party lesson"),
        (ErrorCode::LecturerUnknown, "`lecturerId` is no active member the caller can see"),
    ]),
    ("getActivityQrToken", "422", &[
        (ErrorCode::CheckInActivityCancelled, "the activity is cancelled"),
        (ErrorCode::ActivityQrNotUsed, "the activity's proof does not use a QR code"),
    ]),
    ("checkIn", "422", &[
        (ErrorCode::CheckInWindowNotOpen, "too early (the server's clock decides)"),
        (ErrorCode::CheckInWindowClosed, "too late"),
        (ErrorCode::CheckInQrInvalid, "not the activity's current QR code"),
        (ErrorCode::CheckInQrExpired, "a QR code older than the previous one"),
        (ErrorCode::CheckInOutsideGeofence, "the location is outside the geofence"),
        (ErrorCode::CheckInOnlineNotAllowed, "online attendance is not allowed for this activity or member"),
        (ErrorCode::CheckInNotExpected, "the caller is not expected at this activity"),
        (ErrorCode::CheckInExempted, "the caller is exempted"),
        (ErrorCode::CheckInActivityCancelled, "the activity is cancelled"),
        (ErrorCode::CheckInProofRequired, "the activity requires a proof this request does not carry"),
        (ErrorCode::IdempotencyKeyReused, "the `Idempotency-Key` was used with another body"),
    ]),
    ("checkOut", "409", &[(ErrorCode::CheckOutAlreadyRecorded, "the caller, or a call racing this one, checked out of this activity already")]),
    ("checkOut", "422", &[
        (ErrorCode::CheckOutNotServiceActivity, "the activity's theme category is not `service`"),
        (ErrorCode::CheckInActivityCancelled, "the activity is cancelled"),
        (ErrorCode::CheckOutNotCheckedIn, "the caller has no check-in to the activity"),
        (ErrorCode::CheckOutCheckInRejected, "the caller's check-in was rejected"),
        (ErrorCode::CheckOutWindowClosed, "more than 2 hours after the activity's end, by the server's clock"),
        (ErrorCode::CheckOutNoMinutes, "less than a minute between the later of check-in and start and the earlier of now and the end"),
    ]),
    ("reviewCheckIns", "422", &[
        (ErrorCode::CheckInNotFound, "an id is unknown or outside the caller's scope"),
        (ErrorCode::CheckInNotInActivity, "an id belongs to another activity"),
        (ErrorCode::CheckInNotPending, "an id is already decided"),
    ]),
    ("applyExemption", "422", &[
        (ErrorCode::CheckInActivityCancelled, "the activity is cancelled"),
        (ErrorCode::CheckInNotExpected, "the caller is not expected at the activity"),
        (ErrorCode::ExemptionRangeInvalid, "the range must run forwards, at most 366 days, within 2000-2100"),
        (ErrorCode::IdempotencyKeyReused, "the `Idempotency-Key` was used with another body"),
    ]),
    ("listExemptions", "422", &[(ErrorCode::ExemptionsListedPerBranch, "the org is not a branch")]),
    ("getActivityPlan", "422", &[(ErrorCode::ActivityPlanNeedsBranch, "the org is not a branch")]),
    ("getHolidays", "422", &[(ErrorCode::HolidaysNeedCommittee, "the org is not a township committee")]),
    ("putHolidays", "422", &[
        (ErrorCode::HolidaysNeedCommittee, "the org is not a township committee"),
        (ErrorCode::HolidayOutsideYear, "a date is not in the path's year"),
        (ErrorCode::HolidayAndWorkday, "a date is both a holiday and a working day"),
        (ErrorCode::WorkdayNotWeekend, "an adjusted working day is not a weekend day"),
    ]),
    ("listBranchStudyPlans", "422", &[(ErrorCode::StudyPlanNeedsBranch, "the org is not a branch")]),
    ("getBranchStudyPlan", "422", &[(ErrorCode::StudyPlanNeedsBranch, "the org is not a branch")]),
    ("putBranchStudyPlan", "422", &[
        (ErrorCode::StudyPlanNeedsBranch, "the org is not a branch"),
        (ErrorCode::StudyPlanQuarterInvalid, "a quarter appears twice"),
        (ErrorCode::StudyPlanMonthInvalid, "a task's month is outside its quarter"),
        (ErrorCode::StudyPlanTasksTooMany, "more than 60 tasks in all"),
        (ErrorCode::StudyPlanMaterialInvalid, "a material is unknown, unpublished or does not reach the branch"),
    ]),
    ("putMyStudyPlan", "422", &[
        (ErrorCode::StudyPlanCadresOnly, "the caller is not a leading cadre"),
        (ErrorCode::StudyPlanMaterialInvalid, "a material is unknown, unpublished or does not reach the caller"),
    ]),
    ("publishMaterial", "422", &[
        (ErrorCode::MaterialBodyTooLong, "the body is over 200 000 bytes once sanitised"),
        (ErrorCode::MaterialTimeInvalid, "`publishAt` or `studyDeadline` falls outside 2000-2100 (Beijing)"),
        (ErrorCode::MaterialDeadlineBeforePublish, "the study deadline is not after the publish time"),
        (ErrorCode::MaterialAudienceInvalid, "the audience org cannot receive materials"),
    ]),
    ("updateMaterial", "422", &[
        (ErrorCode::MaterialBodyTooLong, "the body is over 200 000 bytes once sanitised"),
        (ErrorCode::MaterialTimeInvalid, "`publishAt` or `studyDeadline` falls outside 2000-2100 (Beijing)"),
        (ErrorCode::MaterialDeadlineBeforePublish, "with the stored times, the deadline is not after the publish time"),
        (ErrorCode::MaterialAudienceInvalid, "the audience org cannot receive materials"),
    ]),
    ("addSubscriptionConsent", "422", &[
        (ErrorCode::SubscriptionTemplateUnknown, "templates are configured and this is not one of them"),
        (ErrorCode::IdempotencyKeyReused, "the `Idempotency-Key` was used with another body"),
    ]),
    ("openAppraisal", "422", &[
        (ErrorCode::AppraisalScheduleInvalid, "the stages must run in order without overlap, each ending on or after its first day, at most 366 days, in 2000-2100"),
        (ErrorCode::AppraisalShareInvalid, "the share's numerator exceeds its denominator"),
        (ErrorCode::AppraisalMeetingInvalid, "`meetingId` is no org_life_meeting activity of a branch in the campaign"),
        (ErrorCode::AppraisalOrgInvalid, "the org is a group"),
        (ErrorCode::AppraisalNoParticipants, "no active member belongs to the org's branches"),
    ]),
    ("advanceAppraisal", "422", &[
        (ErrorCode::AppraisalPublicationRunsItsCourse, "the campaign is in publication"),
        (ErrorCode::AppraisalClosed, "the campaign is closed"),
    ]),
    ("saveMySelfAssessment", "412", &[(ErrorCode::AssessmentVersionStale, "`If-Match` is not the stored version")]),
    ("saveMySelfAssessment", "422", &[
        (ErrorCode::AssessmentPartRepeated, "a dimension, qualification, list item or question appears twice"),
        (ErrorCode::AssessmentDueDateInvalid, "a problem's due date falls before the self-assessment stage or after the year following the period"),
        (ErrorCode::AssessmentSubmitted, "the self-assessment is submitted"),
        (ErrorCode::AppraisalExcused, "the caller is excused from the campaign"),
        (ErrorCode::AppraisalStageNotBegun, "the self-assessment stage has not begun"),
        (ErrorCode::AppraisalStageOver, "the self-assessment stage is over"),
    ]),
    ("submitMySelfAssessment", "412", &[(ErrorCode::AssessmentVersionStale, "`If-Match` is not the stored version")]),
    ("submitMySelfAssessment", "422", &[
        (ErrorCode::AssessmentIncomplete, "a dimension or its grade, a qualification, a 五看五查 answer or the summary is missing"),
        (ErrorCode::AssessmentSubmitted, "the self-assessment is already submitted"),
        (ErrorCode::AppraisalExcused, "the caller is excused from the campaign"),
        (ErrorCode::AppraisalStageNotBegun, "the self-assessment stage has not begun"),
        (ErrorCode::AppraisalStageOver, "the self-assessment stage is over"),
    ]),
    ("reopenSelfAssessment", "412", &[(ErrorCode::AssessmentVersionStale, "the member changed it meanwhile")]),
    ("reopenSelfAssessment", "422", &[
        (ErrorCode::AssessmentNotSubmitted, "the self-assessment is not submitted"),
        (ErrorCode::AppraisalStageNotBegun, "the self-assessment stage has not begun"),
        (ErrorCode::AppraisalStageOver, "the self-assessment stage is over"),
    ]),
    ("remindSelfAssessments", "409", &[(ErrorCode::AppraisalRemindersOff, "no subscribe-message template is configured for reminders")]),
    ("remindSelfAssessments", "422", &[
        (ErrorCode::AppraisalStageNotBegun, "the self-assessment stage has not begun"),
        (ErrorCode::AppraisalStageOver, "the self-assessment stage is over"),
    ]),
    ("fileServiceRequest", "422", &[
        (ErrorCode::IdempotencyKeyReused, "the `Idempotency-Key` was used with another body"),
        (ErrorCode::ServiceRequestEmergency, "the title or description describes a danger to life (call 110, 120 or 119)"),
        (ErrorCode::ServiceRequestContentRisky, "WeChat's content check refused a resident's text"),
        (ErrorCode::ServiceRequestCommitteeRequired, "a resident did not name the township"),
    ]),
    ("dispatchServiceRequest", "409", &[
        (ErrorCode::ServiceRequestHeld, "the content check held the text for an operator"),
        (ErrorCode::ServiceRequestStateConflict, "the request is not submitted"),
        (ErrorCode::ServiceRequestChanged, "the request changed meanwhile"),
    ]),
    ("dispatchServiceRequest", "422", &[
        (ErrorCode::ServiceRequestAssigneeInvalid, "the org is not a branch of the township (or, for a wish, the township itself)"),
    ]),
    ("putServiceDeadlines", "422", &[
        (ErrorCode::ServiceDeadlineClaimAfterComplete, "a kind and urgency allows more days to be claimed than to be completed"),
    ]),
    ("claimServiceRequest", "409", &[
        (ErrorCode::ServiceRequestFull, "every place is taken"),
        (ErrorCode::ServiceRequestClaimedAlready, "the caller holds a place already"),
        (ErrorCode::ServiceRequestStateConflict, "the request is not open for claims, or waits on the requester"),
    ]),
    ("completeServiceRequest", "422", &[
        (ErrorCode::ServiceRequestHoursInvalid, "the hours do not name every volunteer holding a place exactly once"),
    ]),
    ("rejectServiceRequest", "422", &[
        (ErrorCode::ServiceRequestReasonInvalid, "`duplicateOf` is no other request of the same township"),
    ]),
    ("requestServiceExtension", "409", &[
        (ErrorCode::ServiceRequestExtensionPending, "an extension waits for the dispatcher already"),
        (ErrorCode::ServiceRequestStateConflict, "the request is not being handled"),
    ]),
    ("decideServiceExtension", "409", &[
        (ErrorCode::ServiceRequestExtensionMissing, "no extension waits for a decision"),
    ]),
    ("cancelServiceRequest", "409", &[
        (ErrorCode::ServiceRequestStateConflict, "the service has begun, or the request is over"),
    ]),
    ("rateMember", "422", &[
        (ErrorCode::AssessmentPartRepeated, "a negative item appears twice"),
        (ErrorCode::RatingExcellentQuota, "the branch's share of 优秀 is used up"),
        (ErrorCode::RatingNotGraded, "the member is probationary or excused"),
        (ErrorCode::AppraisalStageNotBegun, "the rating stage has not begun"),
        (ErrorCode::AppraisalStageOver, "the rating stage is over"),
    ]),
    ("getBranchResults", "422", &[(ErrorCode::AppraisalStageNotBegun, "the publication window is not open")]),
    ("lodgeObjection", "409", &[(ErrorCode::ObjectionExists, "the caller has lodged one already")]),
    ("lodgeObjection", "422", &[
        (ErrorCode::ObjectionOutsideWindow, "the publication window is not open"),
        (ErrorCode::RatingMissing, "the caller has no result"),
    ]),
    ("lodgeAppeal", "409", &[(ErrorCode::ObjectionExists, "the caller has appealed already")]),
    ("lodgeAppeal", "422", &[
        (ErrorCode::ObjectionOutsideWindow, "not within 30 days after publication ended"),
        (ErrorCode::RatingMissing, "the caller has no result"),
        (ErrorCode::AppealNotUnqualified, "the caller's result is not 不合格"),
    ]),
    ("answerObjection", "409", &[(ErrorCode::ObjectionAnswered, "the objection is answered already")]),
    ("answerObjection", "422", &[(ErrorCode::RatingExcellentQuota, "the branch's share of 优秀 is used up")]),
    ("answerAppeal", "409", &[(ErrorCode::ObjectionAnswered, "the appeal is answered already")]),
    ("answerAppeal", "422", &[(ErrorCode::RatingExcellentQuota, "the branch's share of 优秀 is used up")]),
    ("addRectification", "422", &[(ErrorCode::AssessmentDueDateInvalid, "the due date falls before the self-assessment stage or after the year following the period")]),
    ("excuseParticipant", "422", &[(ErrorCode::AppraisalStageOver, "publication has begun")]),
    ("withdrawExcusal", "422", &[(ErrorCode::AppraisalStageOver, "publication has begun")]),
    ("castPeerBallot", "422", &[
        (ErrorCode::PeerReviewSelf, "the member graded is the caller"),
        (ErrorCode::PeerReviewDimensionRepeated, "a dimension is graded twice"),
        (ErrorCode::PeerReviewDimensionMissing, "a dimension is not graded"),
        (ErrorCode::AppraisalExcused, "the caller is excused from the campaign"),
        (ErrorCode::AppraisalStageNotBegun, "the peer-review stage has not begun"),
        (ErrorCode::AppraisalStageOver, "the peer-review stage is over"),
    ]),
    ("wechatResidentSignIn", "409", &[
        (ErrorCode::WechatAccountIsMember, "the ticket's WeChat account is bound to a roster member"),
        (ErrorCode::WechatPhoneOnRoster, "the phone WeChat vouches for belongs to an active roster member (bind with the same ticket instead)"),
        (ErrorCode::ResourceConflict, "the same account signed in as a resident twice at once"),
    ]),
    ("wechatResidentSignIn", "422", &[
        (ErrorCode::ResidentPhoneMismatch, "`phone` and `phoneConfirm` are not the same number"),
        (ErrorCode::PhoneNotMainland, "the phone WeChat vouches for is not a mainland number"),
    ]),
    ("getPeerReviewResults", "422", &[(ErrorCode::AppraisalStageNotBegun, "the peer-review stage has not begun")]),
    ("createVolunteerTeam", "409", &[(ErrorCode::VolunteerTeamNameTaken, "the committee has a team of that name, dissolved ones included")]),
    ("createVolunteerTeam", "422", &[
        (ErrorCode::VolunteerTeamNeedsCommittee, "the org is not a township committee"),
        (ErrorCode::VolunteerTeamLeaderInvalid, "`leaderId` is no active member of the committee's tree"),
    ]),
    ("updateVolunteerTeam", "409", &[
        (ErrorCode::VolunteerTeamNameTaken, "the committee has another team of that name"),
        (ErrorCode::VolunteerTeamDissolved, "the team is dissolved"),
    ]),
    ("updateVolunteerTeam", "422", &[(ErrorCode::VolunteerTeamLeaderInvalid, "`leaderId` is no active member of the committee's tree")]),
    ("requestToJoinVolunteerTeam", "409", &[
        (ErrorCode::VolunteerTeamAlreadyMember, "the caller is an active member of the team"),
        (ErrorCode::VolunteerTeamRequestPending, "the caller's request waits for a decision"),
        (ErrorCode::VolunteerTeamDissolved, "the team is dissolved"),
    ]),
    ("requestToJoinVolunteerTeam", "422", &[(ErrorCode::IdempotencyKeyReused, "the `Idempotency-Key` was used with another body")]),
    ("decideVolunteerTeamJoin", "409", &[
        (ErrorCode::VolunteerTeamRequestNotPending, "the member's request was decided already (or they left)"),
        (ErrorCode::VolunteerTeamDissolved, "the team is dissolved"),
    ]),
    ("removeVolunteerTeamMember", "409", &[
        (ErrorCode::VolunteerTeamLeaderStays, "the member leads the team"),
        (ErrorCode::VolunteerTeamDissolved, "the team is dissolved"),
    ]),
    ("recordMyVolunteerHours", "422", &[
        (ErrorCode::VolunteerHoursDateInvalid, "`occurredOn` is after today or more than 90 days ago (Beijing, the server's clock)"),
        (ErrorCode::IdempotencyKeyReused, "the `Idempotency-Key` was used with another body"),
    ]),
    ("decideVolunteerHours", "409", &[(ErrorCode::VolunteerHoursNotPending, "the entry was decided already")]),
    ("decideVolunteerHours", "422", &[(ErrorCode::VolunteerHoursOwnEntry, "the entry is the caller's own")]),
    ("correctVolunteerHours", "409", &[(ErrorCode::VolunteerHoursNotConfirmed, "the entry is pending, rejected, or itself a correction")]),
    ("correctVolunteerHours", "422", &[
        (ErrorCode::VolunteerHoursBelowZero, "the entry with its corrections would count less than zero minutes"),
        (ErrorCode::VolunteerHoursMinutesInvalid, "the entry with its corrections would count more than 1440 minutes"),
        (ErrorCode::VolunteerHoursOwnEntry, "the entry is the caller's own"),
        (ErrorCode::IdempotencyKeyReused, "the `Idempotency-Key` was used with another body"),
    ]),
];

/// The cursor is whatever `nextCursor` said: no schema can tell a stale or forged one.
const CURSOR_RULE: (ErrorCode, &str) = (
    ErrorCode::PaginationCursorInvalid,
    "not a `nextCursor` this list gave out",
);

fn add_rules(op: &mut Operation, status: &str, rules: &[(ErrorCode, &str)]) {
    let Some(RefOr::T(response)) = op.responses.responses.get_mut(status) else {
        return;
    };
    let listed = rules
        .iter()
        .map(|(code, why)| format!("`{code}` ({why})"))
        .collect::<Vec<_>>()
        .join("; ");
    response.description = format!(
        "{}. Business rules no schema can express: {listed}",
        response.description
    );
    let codes: Vec<serde_json::Value> = rules.iter().map(|(c, _)| json!(c.as_str())).collect();
    let extensions = response.extensions.get_or_insert_with(Extensions::default);
    extensions.insert("x-business-rules".to_owned(), json!(codes));
}

pub fn declare_business_rules(doc: &mut OpenApiDoc) {
    for (_, op) in operations(doc) {
        let id = op.operation_id.clone().unwrap_or_default();
        for (op_id, status, rules) in BUSINESS_RULES {
            if *op_id == id {
                add_rules(op, status, rules);
            }
        }
        let paged = inline_params(op)
            .iter()
            .any(|p| p.name == "cursor" && p.parameter_in == ParameterIn::Query);
        if paged {
            add_rules(op, "400", &[CURSOR_RULE]);
        }
    }
}

/// What a create operation (201) made: where it lives, and the operations on it.
struct Created {
    /// The create operation.
    by: &'static str,
    /// The path of the created thing; its last `{…}` is the created id.
    at: &'static str,
    /// Other operations to follow, with their parameters (runtime expressions).
    also: &'static [(&'static str, &'static [(&'static str, &'static str)])],
}

const CREATED: &[Created] = &[
    Created {
        by: "createChildOrg",
        at: "/api/v1/orgs/{id}",
        also: &[],
    },
    Created {
        by: "createMember",
        at: "/api/v1/members/{id}",
        also: &[],
    },
    Created {
        by: "grantRole",
        at: "/api/v1/members/{id}/roles/{roleId}",
        also: &[("listMemberRoles", &[("id", "$request.path.id")])],
    },
    Created {
        by: "createActivity",
        at: "/api/v1/activities/{id}",
        also: &[],
    },
    Created {
        by: "checkIn",
        at: "/api/v1/check-ins/{id}",
        also: &[
            ("listCheckIns", &[("id", "$response.body#/activityId")]),
            ("checkOut", &[("id", "$response.body#/activityId")]),
        ],
    },
    Created {
        by: "applyExemption",
        at: "/api/v1/exemptions/{id}",
        also: &[],
    },
    Created {
        by: "publishMaterial",
        at: "/api/v1/materials/{id}",
        also: &[],
    },
    Created {
        by: "fileServiceRequest",
        at: "/api/v1/service-requests/{id}",
        also: &[],
    },
    Created {
        by: "openAppraisal",
        at: "/api/v1/appraisals/{id}",
        also: &[],
    },
    Created {
        // A line is read back in the branch's list.
        by: "addRectification",
        at: "",
        also: &[("listRectifications", &[("id", "$request.path.id")])],
    },
    Created {
        // An objection or appeal is read back with the member's result.
        by: "lodgeObjection",
        at: "",
        also: &[("getMyResult", &[("id", "$request.path.id")])],
    },
    Created {
        by: "lodgeAppeal",
        at: "",
        also: &[("getMyResult", &[("id", "$request.path.id")])],
    },
    Created {
        by: "filePioneerClaim",
        at: "/api/v1/pioneer-claims/{id}",
        also: &[("listPioneerClaims", &[])],
    },
    Created {
        // A deduction is read back in the member's list, and objected to and answered
        // where it is.
        by: "recordPioneerDeduction",
        at: "",
        also: &[
            (
                "listPioneerDeductions",
                &[("memberId", "$response.body#/memberId")],
            ),
            ("objectToPioneerDeduction", &[("id", "$response.body#/id")]),
            ("answerPioneerObjection", &[("id", "$response.body#/id")]),
        ],
    },
    Created {
        by: "createVolunteerTeam",
        at: "/api/v1/volunteer-teams/{id}",
        also: &[],
    },
    Created {
        // A request is read back with its team, and decided there.
        by: "requestToJoinVolunteerTeam",
        at: "",
        also: &[
            ("getVolunteerTeam", &[("id", "$request.path.id")]),
            (
                "decideVolunteerTeamJoin",
                &[
                    ("id", "$request.path.id"),
                    ("memberId", "$response.body#/memberId"),
                ],
            ),
        ],
    },
    Created {
        by: "recordMyVolunteerHours",
        at: "/api/v1/volunteer-hours/{id}",
        also: &[("listMyVolunteerHours", &[])],
    },
    Created {
        // A correction is an entry of the member's ledger.
        by: "correctVolunteerHours",
        at: "",
        also: &[(
            "listMemberVolunteerHours",
            &[("id", "$response.body#/memberId")],
        )],
    },
    Created {
        // A code is no resource of its own: it is issued for the member in the path.
        by: "issueInviteCode",
        at: "",
        also: &[("getMember", &[("id", "$request.path.id")])],
    },
];

fn path_params(path: &str) -> Vec<&str> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .collect()
}

/// Links from each create operation's 201 to the reads and actions on what it created,
/// so a reader, and a fuzzer, can follow them.
pub fn declare_links(doc: &mut OpenApiDoc) {
    // Every operation by path, for the targets of each resource.
    let mut by_path: Vec<(String, String, Vec<String>)> = Vec::new();
    for (path, op) in operations(doc) {
        let id = op.operation_id.clone().unwrap_or_default();
        let params = path_params(&path).into_iter().map(str::to_owned).collect();
        by_path.push((path, id, params));
    }
    for (path, op) in operations(doc) {
        let id = op.operation_id.clone().unwrap_or_default();
        let Some(created) = CREATED.iter().find(|c| c.by == id) else {
            continue;
        };
        let Some(RefOr::T(response)) = op.responses.responses.get_mut("201") else {
            continue;
        };
        let own = path_params(&path);
        let created_id = path_params(created.at).last().map(|s| (*s).to_owned());
        for (target_path, target_id, params) in by_path.iter().filter(|_| !created.at.is_empty()) {
            let under =
                target_path == created.at || target_path.starts_with(&format!("{}/", created.at));
            if !under {
                continue;
            }
            let mut link = LinkBuilder::new().operation_id(target_id.clone());
            for name in params {
                let value = if Some(name) == created_id.as_ref() {
                    "$response.body#/id".to_owned()
                } else if own.contains(&name.as_str()) {
                    format!("$request.path.{name}")
                } else {
                    continue;
                };
                link = link.parameter(name.clone(), value);
            }
            response.links.insert(
                target_id.clone(),
                RefOr::T(
                    link.description(format!("What was created, at {target_path}"))
                        .build(),
                ),
            );
        }
        for (target_id, params) in created.also {
            let mut link = LinkBuilder::new().operation_id(*target_id);
            for (name, value) in *params {
                link = link.parameter(*name, *value);
            }
            response
                .links
                .insert((*target_id).to_owned(), RefOr::T(link.build()));
        }
    }
}
