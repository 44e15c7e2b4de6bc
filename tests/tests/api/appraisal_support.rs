//! What the appraisal tests share: the campaign they open (on the test clock, 2026-11-05 at
//! 08:30 Beijing: mobilisation that day, self-assessment 6-15 November, peer review 17-20,
//! rating 21-25, a week of publication from the 26th), a complete self-assessment, and
//! requests that carry `If-Match`.

use reqwest::Method;
use serde_json::{json, Value};
use tests::TestApp;

use domain::org::{Member, Org};

pub fn schedule() -> Value {
    json!({
        "mobilisation": {"startsOn": "2026-11-05", "endsOn": "2026-11-05"},
        "selfAssessment": {"startsOn": "2026-11-06", "endsOn": "2026-11-15"},
        "peerReview": {"startsOn": "2026-11-17", "endsOn": "2026-11-20"},
        "rating": {"startsOn": "2026-11-21", "endsOn": "2026-11-25"},
        "publication": {"startsOn": "2026-11-26"},
    })
}

/// Opens the campaign on `org` as `who`: the answer as it came.
pub async fn open(app: &TestApp, who: &Member, org: &Org) -> (u16, Value) {
    app.call(
        who,
        Method::POST,
        &format!("/api/v1/orgs/{}/appraisals", org.id),
        Some(json!({
            "name": " 2026年度民主评议党员 ",
            "period": "2026",
            "stages": schedule(),
        })),
    )
    .await
}

/// Opens the campaign on `org` as `who`, which must succeed: its id.
pub async fn opened(app: &TestApp, who: &Member, org: &Org) -> String {
    let (s, c) = open(app, who, org).await;
    assert_eq!(s, 201, "{c}");
    c["id"].as_str().unwrap_or_default().to_owned()
}

/// A complete self-assessment with one problem found, due on `due`.
pub fn complete(due: &str) -> Value {
    let dims = [
        "thought",
        "work_style",
        "discipline",
        "duties",
        "role",
        "morality",
    ];
    let dimensions: Vec<Value> = dims
        .iter()
        .map(|d| json!({"dimension": d, "text": "认真履职", "grade": "qualified"}))
        .collect();
    let qualifications: Vec<Value> = ["political", "discipline", "morality", "role"]
        .iter()
        .map(|q| json!({"qualification": q, "met": true}))
        .collect();
    let looks: Vec<Value> = (1..=5)
        .map(|l| json!({"look": l, "answer": "未发现明显问题"}))
        .collect();
    json!({
        "dimensions": dimensions,
        "qualifications": qualifications,
        "positive": [{"item": 3, "note": "按时参加主题党日"}],
        "negative": [],
        "fiveLooks": looks,
        "problems": [{"problem": "理论学习不够系统", "measure": "每周学习两次", "dueOn": due}],
        "summary": "一年来认真履行党员义务。",
    })
}

/// Sends `body` as `who` with `If-Match` (none when `None`): the status, the `ETag` and
/// the body.
pub async fn with_if_match(
    app: &TestApp,
    who: &Member,
    method: Method,
    path: &str,
    if_match: Option<&str>,
    body: Option<Value>,
) -> (u16, Option<String>, Value) {
    let mut req = app
        .client
        .request(method, app.url(path))
        .bearer_auth(app.token_for(who.id));
    if let Some(v) = if_match {
        req = req.header("If-Match", v);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap_or_else(|e| panic!("{path}: {e}"));
    let status = res.status().as_u16();
    let etag = res
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let text = res.text().await.unwrap_or_default();
    (
        status,
        etag,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}
