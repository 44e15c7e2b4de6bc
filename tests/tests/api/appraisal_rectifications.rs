//! The rectification list (整改清单): a submitted self-assessment's problems become lines, the
//! secretary adds lines, members follow up their own, overdue lines come first, and the
//! township counts them per branch.

use chrono::Duration;
use reqwest::Method;
use serde_json::{json, Value};
use tests::fixtures::Township;
use tests::TestApp;

use domain::clock::Clock;
use domain::org::Member;

use crate::appraisal_support::{complete, opened};

async fn send(
    app: &TestApp,
    who: &Member,
    method: Method,
    path: &str,
    if_match: &str,
    body: Option<Value>,
) -> u16 {
    let mut req = app
        .client
        .request(method, app.url(path))
        .bearer_auth(app.token_for(who.id))
        .header("If-Match", if_match);
    if let Some(b) = body {
        req = req.json(&b);
    }
    req.send()
        .await
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .status()
        .as_u16()
}

#[tokio::test]
async fn submitted_problems_become_lines_the_member_follows_up() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let id = opened(&app, &t.secretary_a, &t.branch_a).await;
    app.clock.advance(Duration::days(1));
    let mine = format!("/api/v1/appraisals/{id}/self-assessment");
    assert_eq!(
        send(
            &app,
            &t.member_a,
            Method::PUT,
            &mine,
            "\"0\"",
            Some(complete("2026-11-30"))
        )
        .await,
        200
    );
    // A draft's problems are not yet a list.
    let list = format!("/api/v1/appraisals/{id}/rectifications/mine");
    let (_, l) = app.call(&t.member_a, Method::GET, &list, None).await;
    assert_eq!(l["items"].as_array().map(Vec::len), Some(0), "{l}");
    assert_eq!(
        send(
            &app,
            &t.member_a,
            Method::POST,
            &format!("{mine}/submit"),
            "\"1\"",
            None
        )
        .await,
        200
    );
    let (s, l) = app.call(&t.member_a, Method::GET, &list, None).await;
    assert_eq!(s, 200, "{l}");
    assert_eq!(l["items"][0]["problem"], "理论学习不够系统", "{l}");
    assert_eq!(
        (
            l["items"][0]["status"].as_str(),
            l["items"][0]["source"].as_str()
        ),
        (Some("open"), Some("self_assessment"))
    );
    let line = l["items"][0]["id"].as_str().unwrap_or_default().to_owned();

    // The secretary adds one from the peer review; it comes due later.
    let (s, added) = app
        .call(&t.secretary_a, Method::POST, &format!("/api/v1/appraisals/{id}/rectifications"), Some(json!({
            "memberId": t.member_a.id, "problem": "组织生活参加不够积极", "measure": "按时参加主题党日", "dueOn": "2027-03-31",
        })))
        .await;
    assert_eq!(
        (s, added["source"].as_str()),
        (201, Some("secretary")),
        "{added}"
    );
    let (s, e) = app
        .call(&t.secretary_a, Method::POST, &format!("/api/v1/appraisals/{id}/rectifications"), Some(json!({
            "memberId": t.member_a.id, "problem": "问题", "measure": "措施", "dueOn": "2030-01-01",
        })))
        .await;
    assert_eq!(s, 422, "{e}");
    assert_eq!(e["errors"][0]["code"], "assessment_due_date_invalid", "{e}");
    assert_eq!(
        app.call(&t.secretary_a, Method::POST, &format!("/api/v1/appraisals/{id}/rectifications"), Some(json!({
            "memberId": t.member_b.id, "problem": "问题", "measure": "措施", "dueOn": "2027-03-31",
        }))).await.0,
        404
    );

    // 2026-12-01: the first line is overdue and comes first for the secretary.
    app.clock.advance(Duration::days(25));
    let (s, branch) = app
        .call(
            &t.secretary_a,
            Method::GET,
            &format!("/api/v1/appraisals/{id}/rectifications"),
            None,
        )
        .await;
    assert_eq!(s, 200, "{branch}");
    assert_eq!(
        (
            branch["items"][0]["id"].as_str(),
            branch["items"][0]["status"].as_str()
        ),
        (Some(line.as_str()), Some("overdue")),
        "{branch}"
    );
    let (s, sum) = app
        .call(
            &t.admin,
            Method::GET,
            &format!("/api/v1/appraisals/{id}/rectifications/summary"),
            None,
        )
        .await;
    assert_eq!(s, 200, "{sum}");
    let a = sum["items"]
        .as_array()
        .and_then(|i| {
            i.iter()
                .find(|b| b["branchId"] == t.branch_a.id.to_string())
                .cloned()
        })
        .unwrap_or_default();
    assert_eq!(
        (
            a["overdue"].as_u64(),
            a["open"].as_u64(),
            a["done"].as_u64()
        ),
        (Some(1), Some(1), Some(0)),
        "{sum}"
    );

    // Only the member marks their line, and says how.
    let mark = format!("/api/v1/appraisals/{id}/rectifications/{line}");
    assert_eq!(
        app.call(
            &t.member_a2,
            Method::PATCH,
            &mark,
            Some(json!({"done": true, "note": "完成"}))
        )
        .await
        .0,
        404
    );
    assert_eq!(
        app.call(
            &t.member_a,
            Method::PATCH,
            &mark,
            Some(json!({"done": true}))
        )
        .await
        .0,
        422
    );
    let (s, m) = app
        .call(
            &t.member_a,
            Method::PATCH,
            &mark,
            Some(json!({"done": true, "note": "已系统学习党章"})),
        )
        .await;
    assert_eq!((s, m["status"].as_str()), (200, Some("done")), "{m}");
    let (s, m) = app
        .call(
            &t.member_a,
            Method::PATCH,
            &mark,
            Some(json!({"done": false})),
        )
        .await;
    assert_eq!(
        (s, m["status"].as_str(), m["doneNote"].clone()),
        (200, Some("overdue"), Value::Null),
        "{m}"
    );
    // Members see no branch list.
    assert_eq!(
        app.call(
            &t.member_a,
            Method::GET,
            &format!("/api/v1/appraisals/{id}/rectifications"),
            None
        )
        .await
        .0,
        403
    );
}
