//! What the published document must state, so generated clients, validators and fuzzers
//! know the rules the server enforces (the Schemathesis run in CI checks the server
//! against it; these check the document itself).

use serde_json::Value;

fn document() -> Value {
    serde_json::to_value(api::openapi::document()).unwrap()
}

/// Every operation: (method, path, operation).
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            out.push((method.to_uppercase(), path.clone(), op.clone()));
        }
    }
    out
}

fn params(op: &Value) -> Vec<Value> {
    op["parameters"].as_array().cloned().unwrap_or_default()
}

/// Follows a local `$ref`.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => doc
            .pointer(r.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("dangling {r}")),
        None => schema,
    }
}

#[test]
fn every_limit_is_one_to_one_hundred() {
    let doc = document();
    let mut seen = 0;
    for (method, path, op) in operations(&doc) {
        for p in params(&op).iter().filter(|p| p["name"] == "limit") {
            seen += 1;
            assert_eq!(p["schema"]["minimum"], 1, "{method} {path}");
            assert_eq!(p["schema"]["maximum"], 100, "{method} {path}");
        }
    }
    assert!(seen >= 6, "only {seen} operations take a limit");
}

#[test]
fn months_years_and_ids_state_their_range_and_form() {
    let doc = document();
    for (method, path, op) in operations(&doc) {
        for p in params(&op) {
            let name = p["name"].as_str().unwrap();
            let schema = &p["schema"];
            match name {
                "month" | "lessonMonth" => assert_eq!(
                    schema["pattern"],
                    api::http::schema::MONTH_PATTERN,
                    "{method} {path} {name}"
                ),
                "year" => {
                    assert_eq!(schema["minimum"], 2000, "{method} {path}");
                    assert_eq!(schema["maximum"], 2100, "{method} {path}");
                }
                "id" | "roleId" => assert_eq!(schema["format"], "uuid", "{method} {path}"),
                "Idempotency-Key" => {
                    assert_eq!(schema["type"], "string", "{method} {path}");
                    assert_eq!(schema["minLength"], 1, "{method} {path}");
                    assert_eq!(schema["maxLength"], 128, "{method} {path}");
                    assert_eq!(
                        schema["pattern"],
                        api::http::schema::VISIBLE_ASCII_PATTERN,
                        "{method} {path}"
                    );
                }
                _ => {}
            }
        }
    }
}

#[test]
fn every_pattern_is_a_regular_expression_not_a_rule_name() {
    fn walk(v: &Value, at: &str) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(p)) = m.get("pattern") {
                    assert!(p.starts_with('^') && p.ends_with('$'), "{at}: {p}");
                    regex::Regex::new(p).unwrap_or_else(|e| panic!("{at}: {e}"));
                }
                for (k, v) in m {
                    walk(v, &format!("{at}/{k}"));
                }
            }
            Value::Array(a) => a
                .iter()
                .enumerate()
                .for_each(|(i, v)| walk(v, &format!("{at}/{i}"))),
            _ => {}
        }
    }
    walk(&document(), "");
}

#[test]
fn non_empty_strings_say_so() {
    let doc = document();
    let schemas = &doc["components"]["schemas"];
    let props = |name: &str| -> Value {
        let s = &schemas[name];
        let s = if s["allOf"].is_array() {
            &s["allOf"][0]
        } else {
            s
        };
        s["properties"].clone()
    };
    for (schema, field, max) in [
        ("RefreshRequest", "refreshToken", Some(256)),
        ("WeChatLoginRequest", "code", Some(128)),
        ("BindPhoneRequest", "ticket", Some(128)),
        ("BindPhoneRequest", "phoneCode", Some(128)),
        ("ResidentSignInRequest", "ticket", Some(128)),
        ("ResidentSignInRequest", "phoneCode", Some(128)),
        ("ResidentSignInRequest", "name", Some(32)),
        ("BindInviteRequest", "ticket", Some(128)),
        ("BindInviteRequest", "inviteCode", Some(32)),
        ("CreateOrg", "name", Some(64)),
        ("UpdateOrg", "name", Some(64)),
        ("CreateMember", "name", Some(32)),
        ("ApplyExemption", "reason", Some(200)),
        ("CreateActivity", "title", Some(64)),
        ("ConsentRequest", "templateId", Some(64)),
    ] {
        let p = &props(schema)[field];
        assert_eq!(p["minLength"], 1, "{schema}.{field}");
        if let Some(max) = max {
            assert_eq!(p["maxLength"], max, "{schema}.{field}");
        }
    }
    for (schema, field) in [
        ("CreateMember", "phone"),
        ("UpdateMember", "phone"),
        ("ResidentSignInRequest", "phone"),
        ("ResidentSignInRequest", "phoneConfirm"),
    ] {
        assert_eq!(
            props(schema)[field]["pattern"],
            api::http::schema::phone_pattern(),
            "{schema}.{field}"
        );
    }
}

#[test]
fn numeric_ranges_are_stated() {
    let doc = document();
    let schemas = &doc["components"]["schemas"];
    let field = |name: &str, f: &str| -> Value {
        let s = &schemas[name];
        let s = if s["allOf"].is_array() {
            &s["allOf"][0]
        } else {
            s
        };
        s["properties"][f].clone()
    };
    for (schema, f, min, max) in [
        ("ProgressRequest", "secondsSpent", 0, 10_000_000),
        ("ProgressRequest", "position", 0, 1_000_000_000),
        ("PlanTaskDto", "month", 1, 12),
        ("QuarterPlanDto", "quarter", 1, 4),
        ("Point", "lat", -90, 90),
        ("Point", "lng", -180, 180),
        ("GeofenceDto", "radiusM", 10, 5000),
        ("AllowanceDto", "claimDays", 0, 30),
        ("AllowanceDto", "completeDays", 0, 90),
    ] {
        let p = field(schema, f);
        assert_eq!(p["minimum"].as_f64(), Some(f64::from(min)), "{schema}.{f}");
        assert_eq!(p["maximum"].as_f64(), Some(f64::from(max)), "{schema}.{f}");
    }
    let ids = field("BatchReviewRequest", "ids");
    assert_eq!(
        (ids["minItems"].clone(), ids["maxItems"].clone()),
        (1.into(), 200.into())
    );
}

/// Whether `value` satisfies `schema`, for the keywords the either/or rules use
/// (`$ref`, `type`, `enum`, `const`, `required`, `properties`, `additionalProperties`,
/// `not`, `allOf`, `anyOf`, `oneOf`); formats, patterns and lengths are not checked.
fn satisfies(doc: &Value, schema: &Value, value: &Value) -> bool {
    let schema = resolve(doc, schema);
    if let Some(t) = schema.get("type") {
        let named = |t: &Value| {
            matches!(
                (t.as_str(), value),
                (Some("null"), Value::Null)
                    | (Some("boolean"), Value::Bool(_))
                    | (Some("string"), Value::String(_))
                    | (Some("number"), Value::Number(_))
                    | (Some("array"), Value::Array(_))
                    | (Some("object"), Value::Object(_))
            ) || (t == "integer" && value.is_i64())
        };
        let ok = match t {
            Value::Array(ts) => ts.iter().any(named),
            t => named(t),
        };
        if !ok {
            return false;
        }
    }
    if let Some(values) = schema["enum"].as_array() {
        if !values.contains(value) {
            return false;
        }
    }
    if let Some(c) = schema.get("const") {
        if c != value {
            return false;
        }
    }
    if let Value::Object(fields) = value {
        let required = schema["required"].as_array().cloned().unwrap_or_default();
        if !required
            .iter()
            .all(|r| r.as_str().is_some_and(|r| fields.contains_key(r)))
        {
            return false;
        }
        let declared = schema["properties"].as_object();
        for (name, v) in fields {
            match declared.and_then(|d| d.get(name)) {
                Some(s) if !satisfies(doc, s, v) => return false,
                None if schema["additionalProperties"] == false => return false,
                _ => {}
            }
        }
    }
    let all = |k: &str| schema[k].as_array().cloned().unwrap_or_default();
    if !all("allOf").iter().all(|s| satisfies(doc, s, value)) {
        return false;
    }
    if schema["anyOf"].is_array() && !all("anyOf").iter().any(|s| satisfies(doc, s, value)) {
        return false;
    }
    if schema["oneOf"].is_array()
        && all("oneOf")
            .iter()
            .filter(|s| satisfies(doc, s, value))
            .count()
            != 1
    {
        return false;
    }
    !schema.get("not").is_some_and(|n| satisfies(doc, n, value))
}

#[test]
fn either_or_bodies_are_one_of_the_other() {
    use serde_json::json;
    let doc = document();
    let id = "0190d5f0-0000-7000-8000-000000000001";
    let fence = json!({ "center": { "lat": 30.0, "lng": 120.0 }, "radiusM": 100 });
    let activity = |extra: Value| {
        let mut body = json!({
            "title": "主题党日", "kind": "general_assembly",
            "startsAt": "2026-12-01T09:00:00+08:00", "endsAt": "2026-12-01T11:00:00+08:00",
        });
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body
    };
    let cases = [
        // One activity, or a date range: never both, never neither.
        (
            "ApplyExemption",
            json!({ "reason": "病", "activityId": id }),
            true,
        ),
        (
            "ApplyExemption",
            json!({ "reason": "病", "activityId": id, "fromDate": null, "toDate": null }),
            true,
        ),
        (
            "ApplyExemption",
            json!({ "reason": "病", "fromDate": "2026-12-01", "toDate": "2026-12-31" }),
            true,
        ),
        (
            "ApplyExemption",
            json!({ "reason": "病", "activityId": null, "fromDate": "2026-12-01", "toDate": "2026-12-31" }),
            true,
        ),
        ("ApplyExemption", json!({ "reason": "病" }), false),
        (
            "ApplyExemption",
            json!({ "reason": "病", "activityId": null }),
            false,
        ),
        (
            "ApplyExemption",
            json!({ "reason": "病", "fromDate": "2026-12-01" }),
            false,
        ),
        (
            "ApplyExemption",
            json!({ "reason": "病", "activityId": id, "toDate": "2026-12-31" }),
            false,
        ),
        (
            "ApplyExemption",
            json!({ "reason": "病", "activityId": id, "fromDate": "2026-12-01", "toDate": "2026-12-31" }),
            false,
        ),
        // A resident's phone: vouched for, or typed twice; never both nor neither.
        (
            "ResidentSignInRequest",
            json!({ "ticket": "t", "phoneCode": "pc" }),
            true,
        ),
        (
            "ResidentSignInRequest",
            json!({ "ticket": "t", "phone": "13800000001", "phoneConfirm": "13800000001" }),
            true,
        ),
        (
            "ResidentSignInRequest",
            json!({ "ticket": "t", "phoneCode": "pc", "phone": null, "phoneConfirm": null }),
            true,
        ),
        ("ResidentSignInRequest", json!({ "ticket": "t" }), false),
        (
            "ResidentSignInRequest",
            json!({ "ticket": "t", "phone": "13800000001" }),
            false,
        ),
        (
            "ResidentSignInRequest",
            json!({ "ticket": "t", "phoneConfirm": "13800000001" }),
            false,
        ),
        (
            "ResidentSignInRequest",
            json!({ "ticket": "t", "phoneCode": "pc", "phone": "13800000001", "phoneConfirm": "13800000001" }),
            false,
        ),
        // A rejection needs a reason.
        ("ReviewRequest", json!({ "decision": "approve" }), true),
        (
            "ReviewRequest",
            json!({ "decision": "reject", "reason": "未到现场" }),
            true,
        ),
        ("ReviewRequest", json!({ "decision": "reject" }), false),
        (
            "ReviewRequest",
            json!({ "decision": "reject", "reason": null }),
            false,
        ),
        (
            "BatchReviewRequest",
            json!({ "decision": "approve", "ids": [id] }),
            true,
        ),
        (
            "BatchReviewRequest",
            json!({ "decision": "reject", "ids": [id] }),
            false,
        ),
        // A field and its clearing switch exclude each other.
        ("UpdateMaterial", json!({}), true),
        (
            "UpdateMaterial",
            json!({ "clearLessonMonth": true, "lessonMonth": null }),
            true,
        ),
        (
            "UpdateMaterial",
            json!({ "clearLessonMonth": false, "lessonMonth": "2026-12" }),
            true,
        ),
        (
            "UpdateMaterial",
            json!({ "clearLessonMonth": true, "lessonMonth": "2026-12" }),
            false,
        ),
        (
            "UpdateMaterial",
            json!({ "clearStudyDeadline": true, "studyDeadline": "2026-12-31T00:00:00+08:00" }),
            false,
        ),
        ("UpdateActivity", json!({ "removeGeofence": true }), true),
        (
            "UpdateActivity",
            json!({ "removeGeofence": true, "geofence": fence }),
            false,
        ),
        // A new activity's parts that hang together.
        ("CreateActivity", activity(json!({})), true),
        (
            "CreateActivity",
            activity(json!({ "kind": "theme_day" })),
            false,
        ),
        (
            "CreateActivity",
            activity(json!({ "kind": "theme_day", "themeCategory": "study" })),
            true,
        ),
        (
            "CreateActivity",
            activity(json!({ "proof": "location" })),
            false,
        ),
        (
            "CreateActivity",
            activity(json!({ "proof": "location", "geofence": fence })),
            true,
        ),
        ("CreateActivity", activity(json!({ "proof": "qr" })), true),
        (
            "CreateActivity",
            activity(json!({ "lecturerName": "王书记" })),
            false,
        ),
        (
            "CreateActivity",
            activity(json!({ "kind": "party_lesson", "lecturerName": "王书记" })),
            true,
        ),
        // Review is granted separately only to committee members.
        (
            "GrantRole",
            json!({ "orgId": id, "kind": "committee", "canReview": true }),
            true,
        ),
        (
            "GrantRole",
            json!({ "orgId": id, "kind": "secretary", "canReview": false }),
            true,
        ),
        (
            "GrantRole",
            json!({ "orgId": id, "kind": "secretary", "canReview": true }),
            false,
        ),
    ];
    let schemas = &doc["components"]["schemas"];
    for (name, body, valid) in cases {
        assert_eq!(
            satisfies(&doc, &schemas[name], &body),
            valid,
            "{name} {body}"
        );
        // The rules sit in a `not` beside the model's own properties, never in composed
        // branches that code generators would merge into the model.
        for k in ["allOf", "anyOf", "oneOf"] {
            assert!(schemas[name].get(k).is_none(), "{name} has {k}");
        }
    }
    let report = operations(&doc)
        .into_iter()
        .find(|(_, path, _)| path == "/api/v1/reports/study")
        .map(|(_, _, op)| op)
        .unwrap();
    let selection = params(&report)
        .into_iter()
        .find(|p| p["name"] == "selection")
        .unwrap();
    assert_eq!(selection["style"], "form");
    assert_eq!(selection["explode"], true);
    assert_eq!(selection["required"], true);
    let branches = selection["schema"]["oneOf"].as_array().unwrap();
    let required: Vec<_> = branches.iter().map(|b| b["required"][0].clone()).collect();
    assert_eq!(required, ["month", "materialId"]);
}

#[test]
fn xlsx_responses_are_binary_files() {
    const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    let doc = document();
    let mut seen = 0;
    for (method, path, op) in operations(&doc) {
        for (status, response) in op["responses"].as_object().unwrap() {
            if let Some(media) = response["content"].get(XLSX) {
                seen += 1;
                let schema = resolve(&doc, &media["schema"]);
                assert_eq!(schema["type"], "string", "{method} {path} {status}");
                assert_eq!(schema["contentMediaType"], XLSX, "{method} {path} {status}");
                assert_eq!(schema["format"], "binary", "{method} {path} {status}");
            }
        }
    }
    assert_eq!(
        seen, 10,
        "the compliance, study, attendance and volunteer reports, the appraisal results and \
         registers, the volunteer-service certificate (the member's own and a member's), the \
         pioneer-index results and the branches' fortress index"
    );
}

#[test]
fn every_create_operation_links_to_what_it_created() {
    let doc = document();
    let ops = operations(&doc);
    let by_id = |id: &str| {
        ops.iter()
            .find(|(_, _, op)| op["operationId"] == id)
            .unwrap_or_else(|| panic!("a link names {id}, which no operation is"))
    };
    let mut creates = 0;
    for (method, path, op) in &ops {
        let Some(created) = op["responses"].get("201") else {
            continue;
        };
        creates += 1;
        let links = created["links"]
            .as_object()
            .unwrap_or_else(|| panic!("{method} {path} creates but links nowhere"));
        assert!(!links.is_empty(), "{method} {path}");
        for (name, link) in links {
            let (_, target_path, target) = by_id(link["operationId"].as_str().unwrap());
            let names: Vec<_> = params(target).iter().map(|p| p["name"].clone()).collect();
            for (param, expr) in link["parameters"].as_object().into_iter().flatten() {
                assert!(
                    names.contains(&Value::from(param.as_str())),
                    "{method} {path} link {name}: {target_path} has no parameter {param}"
                );
                assert!(expr.as_str().unwrap().starts_with('$'), "{name}: {expr}");
            }
        }
    }
    assert!(creates >= 8, "only {creates} create operations");
    // The ones the brief names, by what they reach.
    let link_targets = |id: &str| -> Vec<String> {
        let (_, _, op) = by_id(id);
        op["responses"]["201"]["links"]
            .as_object()
            .unwrap()
            .values()
            .map(|l| l["operationId"].as_str().unwrap().to_owned())
            .collect()
    };
    for (create, target) in [
        ("createActivity", "getActivity"),
        ("createActivity", "updateActivity"),
        ("createActivity", "checkIn"),
        ("publishMaterial", "getMaterial"),
        ("publishMaterial", "updateMaterial"),
        ("publishMaterial", "putMaterialProgress"),
        ("createChildOrg", "getOrg"),
        ("createChildOrg", "createMember"),
        ("createMember", "getMember"),
        ("grantRole", "revokeRole"),
        ("applyExemption", "reviewExemption"),
        ("checkIn", "reviewCheckIn"),
    ] {
        assert!(
            link_targets(create).iter().any(|t| t == target),
            "{create} -> {target}"
        );
    }
}

#[test]
fn business_rules_are_listed_in_their_response() {
    let doc = document();
    let mut seen = 0;
    for (method, path, op) in operations(&doc) {
        for (status, response) in op["responses"].as_object().unwrap() {
            let Some(rules) = response.get("x-business-rules") else {
                continue;
            };
            let description = response["description"].as_str().unwrap();
            for code in rules.as_array().unwrap() {
                seen += 1;
                let code = code.as_str().unwrap();
                assert!(
                    description.contains(&format!("`{code}`")),
                    "{method} {path} {status}: {code} is not in the description"
                );
            }
        }
    }
    assert!(seen > 30, "only {seen} business rules");
    let rules_of = |id: &str| -> Value {
        operations(&doc)
            .into_iter()
            .find(|(_, _, op)| op["operationId"] == id)
            .map(|(_, _, op)| op["responses"]["422"]["x-business-rules"].clone())
            .unwrap()
    };
    for (id, code) in [
        ("createChildOrg", "org_kind_not_allowed_here"),
        ("createActivity", "activity_org_mismatch"),
        ("createMember", "member_org_not_a_branch"),
        ("getActivityPlan", "activity_plan_needs_branch"),
        ("putBranchStudyPlan", "study_plan_needs_branch"),
        ("getHolidays", "holidays_need_committee"),
        (
            "putServiceDeadlines",
            "service_deadline_claim_after_complete",
        ),
    ] {
        assert!(
            rules_of(id)
                .as_array()
                .unwrap()
                .contains(&Value::from(code)),
            "{id} does not list {code}"
        );
    }
}

/// Checks `value` against the parts of `schema` the document's examples use (type, enum,
/// pattern, lengths, ranges, properties and items); enough to catch an example that its
/// own schema refuses.
fn check(doc: &Value, schema: &Value, value: &Value, at: &str) {
    let schema = resolve(doc, schema);
    if let Some(all) = schema["allOf"].as_array() {
        all.iter().for_each(|s| check(doc, s, value, at));
    }
    if let Some(Value::String(p)) = schema.get("pattern") {
        if let Some(s) = value.as_str() {
            assert!(
                regex::Regex::new(p).unwrap().is_match(s),
                "{at}: {s:?} !~ {p}"
            );
        }
    }
    if let Some(s) = value.as_str() {
        let n = s.chars().count() as u64;
        if let Some(min) = schema["minLength"].as_u64() {
            assert!(n >= min, "{at}: {s:?} shorter than {min}");
        }
        if let Some(max) = schema["maxLength"].as_u64() {
            assert!(n <= max, "{at}: {s:?} longer than {max}");
        }
    }
    if let Some(x) = value.as_f64() {
        if let Some(min) = schema["minimum"].as_f64() {
            assert!(x >= min, "{at}: {x} < {min}");
        }
        if let Some(max) = schema["maximum"].as_f64() {
            assert!(x <= max, "{at}: {x} > {max}");
        }
    }
    if let Some(values) = schema["enum"].as_array() {
        assert!(values.contains(value), "{at}: {value} not in {values:?}");
    }
    if let (Some(props), Some(obj)) = (schema["properties"].as_object(), value.as_object()) {
        for (k, v) in obj {
            if let Some(s) = props.get(k) {
                check(doc, s, v, &format!("{at}/{k}"));
            }
        }
    }
    if let (Some(items), Some(arr)) = (schema.get("items"), value.as_array()) {
        arr.iter()
            .for_each(|v| check(doc, items, v, &format!("{at}[]")));
    }
}

#[test]
fn examples_satisfy_their_own_schemas() {
    fn walk(doc: &Value, v: &Value, at: &str, checked: &mut usize) {
        match v {
            Value::Object(m) => {
                if m.contains_key("type") || m.contains_key("pattern") {
                    for example in m.get("example").into_iter().chain(
                        m.get("examples")
                            .and_then(Value::as_array)
                            .into_iter()
                            .flatten(),
                    ) {
                        *checked += 1;
                        check(doc, v, example, at);
                    }
                }
                for (k, child) in m {
                    walk(doc, child, &format!("{at}/{k}"), checked);
                }
            }
            Value::Array(a) => {
                for (i, child) in a.iter().enumerate() {
                    walk(doc, child, &format!("{at}/{i}"), checked);
                }
            }
            _ => {}
        }
    }
    let doc = document();
    let mut checked = 0;
    walk(&doc, &doc, "", &mut checked);
    assert!(checked > 40, "only {checked} examples checked");
}

#[test]
fn every_error_code_is_in_the_document_as_one_enum() {
    use domain::error::ErrorCode;
    let doc = document();
    let schemas = &doc["components"]["schemas"];
    let listed: Vec<&str> = schemas["ErrorCode"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let catalogue: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(listed, catalogue);
    // The problem body and each of its field errors name their code by it.
    for (schema, field) in [("Problem", "code"), ("ProblemField", "code")] {
        assert_eq!(
            schemas[schema]["properties"][field]["$ref"], "#/components/schemas/ErrorCode",
            "{schema}.{field}"
        );
    }
    for code in ErrorCode::ALL {
        assert!(!code.title().trim().is_empty(), "{code} has no title");
    }
}
