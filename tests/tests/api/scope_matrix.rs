//! Out of sight must look like missing (domain.md, "Organisation and access"): for every
//! operation that takes an object id, in its path, its query or its body, and for every
//! kind of caller, an id the caller cannot see gets exactly the answer a random id gets:
//! the same status, the same problem `code` and the same field codes. (Whether that answer
//! is 403 or 404 is for the other tests; here only indistinguishability is checked.)
//!
//! The operations are a table ([`ops`]): one line per operation, with placeholders for the
//! ids. `{org}`, `{branch}`, `{committee}`, `{activity}`, `{check_in}`, `{exemption}`,
//! `{material}`, `{member}`, `{grant}`, `{team}` (a volunteer team), `{hours}` (an hours
//! entry), `{request}` (a 96345 service request), `{claim}` (a pioneer-index claim) and
//! `{deduction}` (a pioneer-index deduction) are objects of a [`Site`] the caller cannot see
//! (and random ids in the comparison); `{own_branch}`, `{own_activity}`, `{own_lesson}` (a
//! party lesson), `{own_material}` and `{own_member}` are the caller's own, kept in both
//! calls, so that an id in the body is compared on its own. A line whose placeholders a site lacks is skipped for it.

use std::collections::HashMap;

use reqwest::Method;
use serde_json::{json, Value};
use tests::fixtures::Township;
use tests::TestApp;
use uuid::Uuid;

use domain::clock::Clock;
use domain::org::{Member, MemberId, MemberRepo, RoleRepo};

struct Op {
    method: Method,
    path: &'static str,
    body: Option<Value>,
}

fn op(method: Method, path: &'static str, body: Option<Value>) -> Op {
    Op { method, path, body }
}

fn pioneer_rules() -> Value {
    json!({"profiles": [{"name": "全体党员", "basic": [{"metric": "required_study", "points": 50}]}]})
}

/// Every operation with an object id. Adding one is one line.
#[rustfmt::skip]
fn ops() -> Vec<Op> {
    use Method as M;
    let rename = || Some(json!({"name": "改名"}));
    let theme_day = || Some(theme_day_body(None));
    let new_member = || Some(json!({"name": "新党员", "phone": "13700000001", "category": "rural"}));
    let approve = || Some(json!({"decision": "approve"}));
    let campaign = || Some(campaign_body());
    let publish = |org: &str| Some(material_body("新资料", org));
    let plan = |material: Option<&str>| {
        let ids: Vec<&str> = material.into_iter().collect();
        Some(json!({"title": "年度学习计划", "quarters": [
            {"quarter": 4, "arrangement": "学党规", "tasks": [
                {"month": 11, "title": "学习党规", "materialIds": ids},
            ]},
        ]}))
    };
    vec![
        // Orgs.
        op(M::GET, "/api/v1/orgs/{org}", None),
        op(M::GET, "/api/v1/orgs/{branch}", None),
        op(M::GET, "/api/v1/orgs/{committee}", None),
        op(M::PATCH, "/api/v1/orgs/{org}", rename()),
        op(M::PATCH, "/api/v1/orgs/{branch}", rename()),
        op(M::PATCH, "/api/v1/orgs/{committee}", rename()),
        op(M::GET, "/api/v1/orgs/{org}/children", None),
        op(M::GET, "/api/v1/orgs/{committee}/children", None),
        op(M::POST, "/api/v1/orgs/{branch}/children", Some(json!({"kind": "group", "name": "新小组"}))),
        op(M::POST, "/api/v1/orgs/{org}/children", Some(json!({"kind": "group", "name": "新小组"}))),
        op(M::POST, "/api/v1/orgs/{committee}/children", Some(json!({"kind": "branch", "name": "新支部"}))),
        op(M::GET, "/api/v1/orgs/{org}/members", None),
        op(M::GET, "/api/v1/orgs/{branch}/members", None),
        op(M::GET, "/api/v1/orgs/{committee}/members?includeSubtree=true", None),
        op(M::POST, "/api/v1/orgs/{branch}/members", new_member()),
        op(M::POST, "/api/v1/orgs/{org}/members", new_member()),
        op(M::GET, "/api/v1/orgs/{branch}/activities?month=2026-11", None),
        op(M::GET, "/api/v1/orgs/{org}/activities?month=2026-11", None),
        op(M::POST, "/api/v1/orgs/{branch}/activities", theme_day()),
        op(M::POST, "/api/v1/orgs/{org}/activities", theme_day()),
        op(M::GET, "/api/v1/orgs/{branch}/activity-plan?month=2026-11", None),
        op(M::GET, "/api/v1/orgs/{org}/activity-plan?month=2026-11", None),
        op(M::GET, "/api/v1/orgs/{branch}/exemptions", None),
        op(M::GET, "/api/v1/orgs/{org}/exemptions", None),
        op(M::GET, "/api/v1/orgs/{committee}/exemptions", None),
        op(M::GET, "/api/v1/orgs/{committee}/holidays/2026", None),
        op(M::GET, "/api/v1/orgs/{branch}/holidays/2026", None),
        op(M::GET, "/api/v1/orgs/{org}/holidays/2026", None),
        op(M::PUT, "/api/v1/orgs/{committee}/holidays/2026", Some(json!({"holidays": ["2026-10-01"], "workdays": []}))),
        op(M::PUT, "/api/v1/orgs/{branch}/holidays/2026", Some(json!({"holidays": ["2026-10-01"], "workdays": []}))),
        op(M::GET, "/api/v1/orgs/{committee}/pioneer-rules", None),
        op(M::GET, "/api/v1/orgs/{branch}/pioneer-rules?half=2026-H2", None),
        op(M::PUT, "/api/v1/orgs/{committee}/pioneer-rules", Some(pioneer_rules())),
        op(M::PUT, "/api/v1/orgs/{branch}/pioneer-rules", Some(pioneer_rules())),
        op(M::GET, "/api/v1/orgs/{committee}/pioneer-index?half=2026-H2", None),
        op(M::POST, "/api/v1/orgs/{committee}/pioneer-index?half=2026-H2", None),
        op(M::GET, "/api/v1/orgs/{committee}/pioneer-index/results?half=2026-H2", None),
        op(M::GET, "/api/v1/orgs/{committee}/fortress-index?half=2026-H2", None),
        op(M::GET, "/api/v1/orgs/{branch}/fortress-index?half=2026-H2&format=xlsx", None),
        op(M::GET, "/api/v1/orgs/{committee}/pioneer-index/results?half=2026-H2&orgId={branch}", None),
        op(M::POST, "/api/v1/orgs/{committee}/pioneer-index/confirmation?half=2026-H2", Some(json!({"warningMemberIds": []}))),
        op(M::GET, "/api/v1/orgs/{committee}/pioneer-index/objections?half=2026-H2", None),
        op(M::POST, "/api/v1/orgs/{committee}/pioneer-index/objections/{own_member}/answer?half=2026-H2", Some(json!({"upheld": false, "reply": "维持"}))),
        op(M::GET, "/api/v1/orgs/{committee}/help-branch", None),
        op(M::PUT, "/api/v1/orgs/{committee}/help-branch", Some(json!({"branchId": "{own_branch}"}))),
        op(M::POST, "/api/v1/orgs/{committee}/pioneer-index/transfers?half=2026-H2", None),
        op(M::GET, "/api/v1/orgs/{committee}/help-transfers", None),
        op(M::POST, "/api/v1/members/{member}/help-return", None),
        op(M::GET, "/api/v1/orgs/{branch}/study-plans", None),
        op(M::GET, "/api/v1/orgs/{org}/study-plans", None),
        op(M::GET, "/api/v1/orgs/{branch}/study-plans/2026", None),
        op(M::GET, "/api/v1/orgs/{org}/study-plans/2026", None),
        op(M::PUT, "/api/v1/orgs/{branch}/study-plans/2026", plan(None)),
        op(M::PUT, "/api/v1/orgs/{org}/study-plans/2026", plan(None)),
        op(M::PUT, "/api/v1/orgs/{own_branch}/study-plans/2026", plan(Some("{material}"))),
        // Members and roles.
        op(M::GET, "/api/v1/members/{member}", None),
        op(M::PATCH, "/api/v1/members/{member}", rename()),
        op(M::PATCH, "/api/v1/members/{own_member}", Some(json!({"orgId": "{branch}"}))),
        op(M::POST, "/api/v1/members/{member}/invite-code", None),
        op(M::DELETE, "/api/v1/members/{member}/wechat", None),
        op(M::GET, "/api/v1/members/{member}/roles", None),
        op(M::POST, "/api/v1/members/{member}/roles", Some(json!({"kind": "committee", "orgId": "{own_branch}"}))),
        op(M::POST, "/api/v1/members/{own_member}/roles", Some(json!({"kind": "committee", "orgId": "{branch}"}))),
        op(M::POST, "/api/v1/members/{own_member}/roles", Some(json!({"kind": "township_admin", "orgId": "{committee}"}))),
        op(M::DELETE, "/api/v1/members/{member}/roles/{grant}", None),
        op(M::DELETE, "/api/v1/members/{own_member}/roles/{grant}", None),
        // The audit log.
        op(M::GET, "/api/v1/audit?orgId={org}", None),
        op(M::GET, "/api/v1/audit?orgId={branch}", None),
        op(M::GET, "/api/v1/audit?orgId={committee}", None),
        // Activities, check-ins, exemptions.
        op(M::GET, "/api/v1/activities/{activity}", None),
        op(M::PATCH, "/api/v1/activities/{activity}", Some(json!({"title": "改题"}))),
        op(M::GET, "/api/v1/activities/{activity}/attendance", None),
        op(M::GET, "/api/v1/activities/{activity}/check-ins", None),
        op(M::POST, "/api/v1/activities/{activity}/check-ins", Some(here())),
        op(M::POST, "/api/v1/activities/{activity}/check-out", None),
        op(M::GET, "/api/v1/activities/{activity}/qr-token", None),
        op(M::POST, "/api/v1/activities/{activity}/check-ins/review", Some(json!({"ids": ["{check_in}"], "decision": "approve"}))),
        op(M::POST, "/api/v1/activities/{own_activity}/check-ins/review", Some(json!({"ids": ["{check_in}"], "decision": "approve"}))),
        op(M::POST, "/api/v1/check-ins/{check_in}/review", approve()),
        op(M::POST, "/api/v1/orgs/{own_branch}/activities", Some(party_lesson_body(Some("{member}")))),
        op(M::PATCH, "/api/v1/activities/{own_lesson}", Some(json!({"lecturerId": "{member}"}))),
        op(M::POST, "/api/v1/exemptions", Some(json!({"activityId": "{activity}", "reason": "住院治疗"}))),
        op(M::POST, "/api/v1/exemptions/{exemption}/review", approve()),
        // Materials, plans, reports.
        op(M::GET, "/api/v1/materials/{material}", None),
        op(M::PUT, "/api/v1/materials/{material}/progress", Some(json!({"position": 1, "secondsSpent": 0, "completed": false}))),
        op(M::PATCH, "/api/v1/materials/{material}", Some(json!({"title": "改题"}))),
        op(M::PATCH, "/api/v1/materials/{own_material}", Some(json!({"audience": {"orgId": "{branch}"}}))),
        op(M::PATCH, "/api/v1/materials/{own_material}", Some(json!({"audience": {"orgId": "{committee}"}}))),
        op(M::POST, "/api/v1/materials", publish("{branch}")),
        op(M::POST, "/api/v1/materials", publish("{org}")),
        op(M::POST, "/api/v1/materials", publish("{committee}")),
        op(M::GET, "/api/v1/reports/study?materialId={material}", None),
        op(M::PUT, "/api/v1/me/study-plans/2026", Some(json!({"title": "个人学习计划", "items": [
            {"month": 11, "title": "学习党规", "materialIds": ["{material}"]},
        ]}))),
        // Appraisal campaigns.
        op(M::POST, "/api/v1/orgs/{branch}/appraisals", campaign()),
        op(M::POST, "/api/v1/orgs/{org}/appraisals", campaign()),
        op(M::POST, "/api/v1/orgs/{committee}/appraisals", campaign()),
        op(M::GET, "/api/v1/appraisals/{campaign}", None),
        op(M::POST, "/api/v1/appraisals/{campaign}/advance", None),
        op(M::GET, "/api/v1/appraisals/{campaign}/self-assessment", None),
        op(M::GET, "/api/v1/appraisals/{campaign}/self-assessments", None),
        op(M::GET, "/api/v1/appraisals/{campaign}/self-assessments/{member}", None),
        op(M::POST, "/api/v1/appraisals/{campaign}/self-assessments/{member}/reopen", Some(json!({"reason": "请补充"}))),
        op(M::PUT, "/api/v1/appraisals/{campaign}/participants/{member}/excusal", Some(json!({"reason": "长期病休"}))),
        op(M::DELETE, "/api/v1/appraisals/{campaign}/participants/{member}/excusal", None),
        op(M::PUT, "/api/v1/appraisals/{campaign}/ratings/{member}", Some(json!({"grade": "qualified", "rationale": "合格"}))),
        op(M::GET, "/api/v1/appraisals/{campaign}/ratings", None),
        op(M::GET, "/api/v1/appraisals/{campaign}/export", None),
        op(M::GET, "/api/v1/appraisals/{campaign}/registers", None),
        op(M::GET, "/api/v1/appraisals/{campaign}/result", None),
        op(M::GET, "/api/v1/appraisals/{campaign}/results", None),
        op(M::POST, "/api/v1/appraisals/{campaign}/objection", Some(json!({"reason": "异议"}))),
        op(M::POST, "/api/v1/appraisals/{campaign}/appeal", Some(json!({"reason": "申诉"}))),
        op(M::POST, "/api/v1/appraisals/{campaign}/objections/{member}/answer", Some(json!({"verdict": "rejected", "reason": "维持"}))),
        op(M::POST, "/api/v1/appraisals/{campaign}/appeals/{member}/answer", Some(json!({"verdict": "rejected", "reason": "维持"}))),
        op(M::GET, "/api/v1/appraisals/{campaign}/rectifications", None),
        op(M::GET, "/api/v1/appraisals/{campaign}/rectifications/mine", None),
        op(M::GET, "/api/v1/appraisals/{campaign}/rectifications/summary", None),
        op(M::POST, "/api/v1/appraisals/{campaign}/rectifications", Some(json!({"memberId": "{member}", "problem": "问题", "measure": "措施", "dueOn": "2027-03-31"}))),
        op(M::GET, "/api/v1/appraisals/{campaign}/peer-reviews/todo", None),
        op(M::GET, "/api/v1/appraisals/{campaign}/peer-reviews/results", None),
        op(M::PUT, "/api/v1/appraisals/{campaign}/peer-reviews/{member}", Some(peer_ballot_body())),
        // Volunteer teams and hours.
        op(M::POST, "/api/v1/orgs/{committee}/volunteer-teams", Some(json!({"name": "新服务队", "leaderId": "{own_member}"}))),
        op(M::POST, "/api/v1/orgs/{branch}/volunteer-teams", Some(json!({"name": "新服务队", "leaderId": "{own_member}"}))),
        op(M::GET, "/api/v1/volunteer-teams/{team}", None),
        op(M::PATCH, "/api/v1/volunteer-teams/{team}", rename()),
        op(M::POST, "/api/v1/volunteer-teams/{team}/join-requests", Some(json!({}))),
        op(M::POST, "/api/v1/volunteer-teams/{team}/members/{member}/decision", approve()),
        op(M::DELETE, "/api/v1/volunteer-teams/{team}/members/{member}", None),
        op(M::POST, "/api/v1/volunteer-hours/{hours}/decision", approve()),
        op(M::POST, "/api/v1/volunteer-hours/{hours}/corrections", Some(json!({"minutes": -1, "reason": "更正"}))),
        // 96345 service requests, and each township's deadlines for them.
        op(M::GET, "/api/v1/orgs/{committee}/service-deadlines", None),
        op(M::GET, "/api/v1/orgs/{branch}/service-deadlines", None),
        op(M::GET, "/api/v1/orgs/{org}/service-deadlines", None),
        op(M::PUT, "/api/v1/orgs/{committee}/service-deadlines", Some(json!({"hotline": {"normal": {"claimDays": 1, "completeDays": 2}}}))),
        op(M::PUT, "/api/v1/orgs/{branch}/service-deadlines", Some(json!({"hotline": {"normal": {"claimDays": 1, "completeDays": 2}}}))),
        op(M::GET, "/api/v1/service-requests/{request}", None),
        op(M::GET, "/api/v1/service-requests/{request}/dispatch-suggestions", None),
        op(M::POST, "/api/v1/service-requests/{request}/dispatch", Some(json!({"orgId": "{own_branch}"}))),
        op(M::POST, "/api/v1/service-requests/{request}/text-approval", None),
        op(M::POST, "/api/v1/service-requests/{request}/reject", Some(json!({"reason": "out_of_scope"}))),
        op(M::POST, "/api/v1/service-requests/{request}/cancel", Some(json!({}))),
        op(M::POST, "/api/v1/service-requests/{request}/return", Some(json!({"reason": "不属于本支部"}))),
        op(M::POST, "/api/v1/service-requests/{request}/claims", None),
        op(M::POST, "/api/v1/service-requests/{request}/claims/mine/release", None),
        op(M::POST, "/api/v1/service-requests/{request}/start", None),
        op(M::POST, "/api/v1/service-requests/{request}/complete", Some(json!({"summary": "已完成", "hours": [{"memberId": "{own_member}", "minutes": 30}]}))),
        op(M::POST, "/api/v1/service-requests/{request}/rating", Some(json!({"rating": 5}))),
        op(M::POST, "/api/v1/service-requests/{request}/follow-up", Some(json!({"satisfied": true, "rating": 5}))),
        op(M::POST, "/api/v1/service-requests/{request}/pause", Some(json!({"note": "等待回复"}))),
        op(M::POST, "/api/v1/service-requests/{request}/resume", None),
        op(M::POST, "/api/v1/service-requests/{request}/extension", Some(json!({"days": 2, "reason": "等待配件"}))),
        op(M::POST, "/api/v1/service-requests/{request}/extension/decision", approve()),
        op(M::GET, "/api/v1/members/{member}/volunteer-hours", None),
        op(M::GET, "/api/v1/members/{member}/volunteer-hours/certificate", None),
        // Pioneer-index claims and deductions.
        op(M::GET, "/api/v1/pioneer-claims/{claim}", None),
        op(M::POST, "/api/v1/pioneer-claims/{claim}/decision", approve()),
        op(M::POST, "/api/v1/pioneer-claims/decisions", Some(json!({"ids": ["{claim}"], "decision": "approve"}))),
        op(M::GET, "/api/v1/pioneer-claims?orgId={org}", None),
        op(M::GET, "/api/v1/pioneer-claims?orgId={branch}", None),
        op(M::GET, "/api/v1/pioneer-claims?orgId={committee}", None),
        op(M::POST, "/api/v1/members/{member}/pioneer-deductions", Some(json!({"itemCode": "dues_late", "reason": "未交党费"}))),
        op(M::GET, "/api/v1/pioneer-deductions?memberId={member}", None),
        op(M::GET, "/api/v1/pioneer-deductions?orgId={org}", None),
        op(M::GET, "/api/v1/pioneer-deductions?orgId={committee}", None),
        op(M::POST, "/api/v1/pioneer-deductions/{deduction}/objection", Some(json!({"text": "异议"}))),
        op(M::POST, "/api/v1/pioneer-deductions/{deduction}/objection/answer", Some(json!({"upheld": false, "reply": "维持"}))),
        // Last: would withdraw the material from the lines above if it ever succeeded.
        op(M::POST, "/api/v1/materials/{material}/unpublish", None),
    ]
}

const LAT: f64 = 30.0;
const LNG: f64 = 120.0;

fn rfc(minutes: i64) -> String {
    (tests::default_test_instant() + chrono::Duration::minutes(minutes))
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .to_rfc3339()
}

fn here() -> Value {
    json!({"location": {"lat": LAT, "lng": LNG}})
}

/// A theme day from 15 minutes after the test instant, its check-in window open now.
fn theme_day_body(title: Option<&str>) -> Value {
    json!({
        "kind": "theme_day",
        "themeCategory": "study",
        "title": title.unwrap_or("重温入党誓词"),
        "startsAt": rfc(15),
        "endsAt": rfc(75),
        "proof": "either",
        "geofence": {"center": {"lat": LAT, "lng": LNG}, "radiusM": 100.0},
    })
}

fn party_lesson_body(lecturer: Option<&str>) -> Value {
    let mut body = json!({
        "kind": "party_lesson",
        "title": "专题党课",
        "startsAt": rfc(15),
        "endsAt": rfc(75),
        "proof": "qr",
    });
    if let Some(l) = lecturer {
        body["lecturerId"] = json!(l);
    }
    body
}

/// A ballot grading every dimension 合格.
fn peer_ballot_body() -> Value {
    let dims: Vec<Value> = [
        "thought",
        "work_style",
        "discipline",
        "duties",
        "role",
        "morality",
    ]
    .iter()
    .map(|d| json!({"dimension": d, "grade": "qualified"}))
    .collect();
    json!({"overall": "qualified", "dimensions": dims})
}

/// A campaign whose self-assessment stage begins the day after the test instant.
fn campaign_body() -> Value {
    json!({
        "name": "民主评议党员",
        "period": "2026",
        "stages": {
            "mobilisation": {"startsOn": "2026-11-05", "endsOn": "2026-11-05"},
            "selfAssessment": {"startsOn": "2026-11-06", "endsOn": "2026-11-15"},
            "peerReview": {"startsOn": "2026-11-17", "endsOn": "2026-11-20"},
            "rating": {"startsOn": "2026-11-21", "endsOn": "2026-11-25"},
            "publication": {"startsOn": "2026-11-26"},
        },
    })
}

fn material_body(title: &str, org: &str) -> Value {
    json!({
        "title": title,
        "summary": "摘要",
        "body": "<p>正文</p>",
        "category": "party_constitution",
        "required": true,
        "audience": {"orgId": org},
    })
}

/// Objects in one place of the tree, by placeholder name.
struct Site {
    name: &'static str,
    ids: HashMap<&'static str, String>,
}

/// A caller, the sites it cannot see, and its own objects.
struct Caller<'a> {
    name: &'static str,
    who: &'a Member,
    out_of_sight: Vec<&'a Site>,
    own: HashMap<&'static str, String>,
}

/// What an answer says, without what may differ between two ids (detail, instance).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Answer {
    status: u16,
    code: Option<String>,
    field_codes: Vec<String>,
}

impl std::fmt::Display for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.code.as_deref().unwrap_or("-"))?;
        if !self.field_codes.is_empty() {
            write!(f, " {:?}", self.field_codes)?;
        }
        Ok(())
    }
}

/// Replaces every `{name}` in `template`; `None` when one has no value.
fn fill(template: &str, ids: &HashMap<&str, String>) -> Option<String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let end = start + rest[start..].find('}')?;
        out.push_str(&rest[..start]);
        out.push_str(ids.get(&rest[start + 1..end])?);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

fn fill_json(v: &Value, ids: &HashMap<&str, String>) -> Option<Value> {
    Some(match v {
        Value::String(s) => Value::String(fill(s, ids)?),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|i| fill_json(i, ids))
                .collect::<Option<_>>()?,
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, i)| Some((k.clone(), fill_json(i, ids)?)))
                .collect::<Option<_>>()?,
        ),
        other => other.clone(),
    })
}

async fn answer(
    app: &TestApp,
    who: MemberId,
    method: &Method,
    path: &str,
    body: &Option<Value>,
) -> Answer {
    let token = app.token_for(who);
    let res = match body {
        Some(b) => app.send_json_as(&token, method.clone(), path, b).await,
        None => app.send_as(&token, method.clone(), path).await,
    };
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    let json: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        code: json["code"].as_str().map(str::to_owned),
        field_codes: json["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(|e| e["code"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

async fn create(app: &TestApp, who: MemberId, path: &str, body: Value) -> String {
    let res = app
        .send_json_as(&app.token_for(who), Method::POST, path, &body)
        .await;
    let status = res.status().as_u16();
    let created: Value = tests::json_body(res).await;
    assert!(status == 201, "{path}: {status} {created}");
    created["id"].as_str().unwrap().to_owned()
}

async fn grant_of(app: &TestApp, member: &Member) -> String {
    let grants = RoleRepo::of_member(&app.db.repos(), member.id)
        .await
        .unwrap();
    grants[0].id.to_string()
}

#[tokio::test]
async fn an_id_out_of_sight_gets_the_answer_a_random_id_gets_for_every_operation_and_caller() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let repos = app.db.repos();
    // Leading cadres, so that personal study plans get as far as their materials.
    for m in [
        &t.member_a,
        &t.member_b,
        &t.secretary_a,
        &t.committee_a,
        &t.reviewer_a,
        &t.admin,
        &t.operator,
        &t.other_secretary,
        &t.other_admin,
    ] {
        let mut cadre = m.clone();
        cadre.leading_cadre = true;
        MemberRepo::update(&repos, &cadre).await.unwrap();
    }

    let other_member = create(
        &app,
        t.other_admin.id,
        &format!("/api/v1/orgs/{}/members", t.other_branch.id),
        json!({"name": "邻镇党员", "phone": "13700000077", "category": "rural"}),
    )
    .await;
    let other_member_id = MemberId::from_uuid(Uuid::parse_str(&other_member).unwrap());

    let activity = |who: &Member, branch: &domain::org::Org, body: Value| {
        let (who, path) = (who.id, format!("/api/v1/orgs/{}/activities", branch.id));
        let app = &app;
        async move { create(app, who, &path, body).await }
    };
    let act_a = activity(&t.secretary_a, &t.branch_a, theme_day_body(None)).await;
    let act_b = activity(&t.admin, &t.branch_b, theme_day_body(None)).await;
    let act_o = activity(&t.other_secretary, &t.other_branch, theme_day_body(None)).await;
    let lesson_a = activity(&t.secretary_a, &t.branch_a, party_lesson_body(None)).await;
    let lesson_b = activity(&t.admin, &t.branch_b, party_lesson_body(None)).await;
    let lesson_o = activity(&t.other_secretary, &t.other_branch, party_lesson_body(None)).await;

    let check_in = |who: MemberId, act: &str| {
        let (app, path) = (&app, format!("/api/v1/activities/{act}/check-ins"));
        async move { create(app, who, &path, here()).await }
    };
    let ci_a = check_in(t.member_a.id, &act_a).await;
    let ci_b = check_in(t.member_b.id, &act_b).await;
    let ci_o = check_in(other_member_id, &act_o).await;

    let leave = json!({"fromDate": "2026-12-01", "toDate": "2026-12-31", "reason": "住院治疗"});
    let ex_a = create(&app, t.member_a2.id, "/api/v1/exemptions", leave.clone()).await;
    let ex_b = create(&app, t.member_b.id, "/api/v1/exemptions", leave.clone()).await;
    let ex_o = create(&app, other_member_id, "/api/v1/exemptions", leave).await;

    let material = |who: &Member, org: &domain::org::Org| {
        let (who, body) = (who.id, material_body("学习资料", &org.id.to_string()));
        let app = &app;
        async move { create(app, who, "/api/v1/materials", body).await }
    };
    let mat_a = material(&t.secretary_a, &t.branch_a).await;
    let mat_b = material(&t.admin, &t.branch_b).await;
    let mat_home = material(&t.admin, &t.committee).await;
    let mat_o = material(&t.other_secretary, &t.other_branch).await;

    let campaign = |who: &Member, org: &domain::org::Org| {
        let (who, path) = (who.id, format!("/api/v1/orgs/{}/appraisals", org.id));
        let app = &app;
        async move { create(app, who, &path, campaign_body()).await }
    };
    let camp_a = campaign(&t.secretary_a, &t.branch_a).await;
    let camp_b = campaign(&t.admin, &t.branch_b).await;
    let camp_o = campaign(&t.other_secretary, &t.other_branch).await;

    let team = |who: &Member, committee: &domain::org::Org| {
        let (who, path) = (
            who.id,
            format!("/api/v1/orgs/{}/volunteer-teams", committee.id),
        );
        let body = json!({"name": "医疗服务队", "leaderId": who});
        let app = &app;
        async move { create(app, who, &path, body).await }
    };
    let team_home = team(&t.admin, &t.committee).await;
    let team_o = team(&t.other_admin, &t.other_committee).await;
    let hours = |who: MemberId| {
        let body = json!({"category": "service", "minutes": 60, "occurredOn": "2026-11-01", "note": "清扫村道"});
        let app = &app;
        async move { create(app, who, "/api/v1/me/volunteer-hours", body).await }
    };
    let request = |who: MemberId| {
        let body = json!({"kind": "hotline", "title": "帮忙买药", "description": "代购降压药",
            "address": "新舍村12号", "contactName": "王阿婆", "contactPhone": "13700000001"});
        let app = &app;
        async move { create(app, who, "/api/v1/service-requests", body).await }
    };
    // None in site A: the township's operator, who has site A out of sight, dispatches
    // every request of the township.
    let req_b = request(t.member_b.id).await;
    let req_o = request(other_member_id).await;
    let claim = |who: MemberId| {
        let body = json!({"itemCode": "pledge", "description": "带头承诺践诺"});
        let app = &app;
        async move { create(app, who, "/api/v1/pioneer-claims", body).await }
    };
    let claim_a = claim(t.member_a2.id).await;
    let claim_b = claim(t.member_b.id).await;
    let claim_o = claim(other_member_id).await;
    let deduction = |who: MemberId, member: String| {
        let body = json!({"itemCode": "dues_late", "reason": "未按时交纳党费"});
        let path = format!("/api/v1/members/{member}/pioneer-deductions");
        let app = &app;
        async move { create(app, who, &path, body).await }
    };
    let deduction_a = deduction(t.secretary_a.id, t.member_a2.id.to_string()).await;
    let deduction_b = deduction(t.admin.id, t.member_b.id.to_string()).await;
    let deduction_o = deduction(t.other_admin.id, other_member.clone()).await;
    let hours_a = hours(t.member_a2.id).await;
    let hours_b = hours(t.member_b.id).await;
    let hours_o = hours(other_member_id).await;

    let site = |name, ids: &[(&'static str, String)]| Site {
        name,
        ids: ids.iter().cloned().collect(),
    };
    let s = |x: &dyn ToString| x.to_string();
    let a = site(
        "A",
        &[
            ("org", s(&t.group_a.id)),
            ("branch", s(&t.branch_a.id)),
            ("activity", act_a.clone()),
            ("check_in", ci_a),
            ("exemption", ex_a),
            ("material", mat_a.clone()),
            ("campaign", camp_a),
            ("hours", hours_a),
            ("claim", claim_a),
            ("deduction", deduction_a),
            ("member", s(&t.member_a2.id)),
            ("grant", grant_of(&app, &t.committee_a).await),
        ],
    );
    let b = site(
        "B",
        &[
            ("org", s(&t.branch_b.id)),
            ("branch", s(&t.branch_b.id)),
            ("activity", act_b.clone()),
            ("check_in", ci_b),
            ("exemption", ex_b),
            ("material", mat_b.clone()),
            ("campaign", camp_b),
            ("hours", hours_b),
            ("request", req_b),
            ("claim", claim_b),
            ("deduction", deduction_b),
            ("member", s(&t.member_b.id)),
            ("grant", grant_of(&app, &t.operator).await),
        ],
    );
    let home = site(
        "home committee",
        &[
            ("org", s(&t.general.id)),
            ("committee", s(&t.committee.id)),
            ("material", mat_home.clone()),
            ("team", team_home),
            ("member", s(&t.admin.id)),
            ("grant", grant_of(&app, &t.admin).await),
        ],
    );
    let general = site("general branch", &[("org", s(&t.general.id))]);
    let other = site(
        "other township",
        &[
            ("org", s(&t.other_branch.id)),
            ("branch", s(&t.other_branch.id)),
            ("committee", s(&t.other_committee.id)),
            ("activity", act_o.clone()),
            ("check_in", ci_o),
            ("exemption", ex_o),
            ("material", mat_o.clone()),
            ("campaign", camp_o),
            ("team", team_o),
            ("hours", hours_o),
            ("request", req_o),
            ("claim", claim_o),
            ("deduction", deduction_o),
            ("member", other_member.clone()),
            ("grant", grant_of(&app, &t.other_secretary).await),
        ],
    );

    let own = |branch: &domain::org::Org, [activity, lesson, material, member]: [&str; 4]| {
        HashMap::from([
            ("own_branch", branch.id.to_string()),
            ("own_activity", activity.to_owned()),
            ("own_lesson", lesson.to_owned()),
            ("own_material", material.to_owned()),
            ("own_member", member.to_owned()),
        ])
    };
    let (member_a2, member_b) = (s(&t.member_a2.id), s(&t.member_b.id));
    let own_a = || own(&t.branch_a, [&act_a, &lesson_a, &mat_a, &member_a2]);
    let own_b = || own(&t.branch_b, [&act_b, &lesson_b, &mat_b, &member_b]);
    let own_o = || own(&t.other_branch, [&act_o, &lesson_o, &mat_o, &other_member]);
    let callers = [
        Caller {
            name: "member_a",
            who: &t.member_a,
            out_of_sight: vec![&b, &other],
            own: own_a(),
        },
        Caller {
            name: "member_b",
            who: &t.member_b,
            out_of_sight: vec![&a, &general, &other],
            own: own_b(),
        },
        Caller {
            name: "secretary_a",
            who: &t.secretary_a,
            out_of_sight: vec![&b, &other],
            own: own_a(),
        },
        Caller {
            name: "committee_a",
            who: &t.committee_a,
            out_of_sight: vec![&b, &other],
            own: own_a(),
        },
        Caller {
            name: "reviewer_a",
            who: &t.reviewer_a,
            out_of_sight: vec![&b, &other],
            own: own_a(),
        },
        Caller {
            name: "admin",
            who: &t.admin,
            out_of_sight: vec![&other],
            own: own(&t.branch_b, [&act_b, &lesson_b, &mat_home, &member_b]),
        },
        Caller {
            name: "operator",
            who: &t.operator,
            out_of_sight: vec![&a, &general, &other],
            own: own_b(),
        },
        Caller {
            name: "other_secretary",
            who: &t.other_secretary,
            out_of_sight: vec![&a, &b, &home],
            own: own_o(),
        },
        Caller {
            name: "other_admin",
            who: &t.other_admin,
            out_of_sight: vec![&a, &b, &home],
            own: own_o(),
        },
    ];

    let table = ops();
    let mut compared = 0;
    let mut mismatches = Vec::new();
    for caller in &callers {
        for site in &caller.out_of_sight {
            for op in &table {
                let mut real = caller.own.clone();
                real.extend(site.ids.iter().map(|(k, v)| (*k, v.clone())));
                let mut random = caller.own.clone();
                random.extend(site.ids.keys().map(|k| (*k, Uuid::new_v4().to_string())));
                let (Some(path), Some(random_path)) =
                    (fill(op.path, &real), fill(op.path, &random))
                else {
                    continue;
                };
                let fill_body = |ids| match &op.body {
                    None => Some(None),
                    Some(b) => fill_json(b, ids).map(Some),
                };
                let (Some(body), Some(random_body)) = (fill_body(&real), fill_body(&random)) else {
                    continue;
                };
                let seen = answer(&app, caller.who.id, &op.method, &path, &body).await;
                let missing =
                    answer(&app, caller.who.id, &op.method, &random_path, &random_body).await;
                compared += 1;
                if seen != missing {
                    let body = op.body.as_ref().map(Value::to_string).unwrap_or_default();
                    mismatches.push(format!(
                        "{:<15} {:<6} {} {body} [{}]: out of sight {seen}, random {missing}",
                        caller.name, op.method, op.path, site.name
                    ));
                }
            }
        }
    }
    assert!(compared > 500, "only {compared} comparisons ran");
    assert!(
        mismatches.is_empty(),
        "{} of {compared} comparisons tell an id out of sight from a random one:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}
