//! Scheduling, changing and listing activities, and who may lecture.

use reqwest::Method;
use serde_json::json;

use domain::org::Member;

use super::world::*;

#[tokio::test]
async fn a_month_of_activities_is_listed_for_members_of_the_branch_only() {
    let w = World::new().await;
    let t = &w.t;
    let id = w.theme_day(json!({})).await;
    let list = |org: &domain::org::Org| format!("/api/v1/orgs/{}/activities?month=2026-11", org.id);
    let (s, l) = w.get(&t.member_a, &list(&t.branch_a)).await;
    assert_eq!((s, l["items"][0]["id"].as_str()), (200, Some(id.as_str())));
    let (_, l) = w.get(&t.admin, &list(&t.committee)).await;
    assert_eq!(l["items"].as_array().unwrap().len(), 1);
    let (_, l) = w
        .get(
            &t.member_a,
            &format!("/api/v1/orgs/{}/activities?month=2026-12", t.branch_a.id),
        )
        .await;
    assert_eq!(l["items"].as_array().unwrap().len(), 0);
    assert_eq!(w.get(&t.member_b, &list(&t.branch_a)).await.0, 404);
    assert_eq!(
        w.get(&t.member_b, &format!("/api/v1/activities/{id}"))
            .await
            .0,
        404
    );
    let (s, a) = w
        .get(&t.member_a, &format!("/api/v1/activities/{id}"))
        .await;
    assert_eq!(
        (s, a["checkInOpensAt"].as_str()),
        (200, Some("2026-11-05T08:30:00+08:00"))
    );
}

/// What the README says of the list: a whole month, `month` required, not paged.
#[tokio::test]
async fn the_activity_list_is_one_whole_month_and_is_not_paged() {
    let w = World::new().await;
    let t = &w.t;
    w.theme_day(json!({})).await;
    let base = format!("/api/v1/orgs/{}/activities", t.branch_a.id);
    let (s, l) = w.get(&t.member_a, &format!("{base}?month=2026-11")).await;
    assert_eq!(s, 200, "{l}");
    assert_eq!(l["items"].as_array().unwrap().len(), 1);
    assert!(l.get("nextCursor").is_none(), "no cursor: {l}");
    for query in [
        "",
        "?limit=10",
        "?month=2026-11&limit=10",
        "?month=2026-11&cursor=x",
    ] {
        let (s, p) = w.get(&t.member_a, &format!("{base}{query}")).await;
        assert_eq!(
            (s, p["code"].as_str()),
            (422, Some("request_query_invalid")),
            "{query}: {p}"
        );
    }
}

#[tokio::test]
async fn a_groups_page_lists_its_meetings_and_only_its_members_are_expected() {
    let w = World::new().await;
    let t = &w.t;
    // Member A2 moves into branch A's group.
    let (s, m) = w
        .call(
            &t.secretary_a,
            Method::PATCH,
            &format!("/api/v1/members/{}", t.member_a2.id),
            Some(json!({"orgId": t.group_a.id})),
        )
        .await;
    assert_eq!(s, 200, "{m}");
    let theme_day = w.theme_day(json!({})).await;
    let (s, meeting) = w
        .post(
            &t.secretary_a,
            &format!("/api/v1/orgs/{}/activities", t.group_a.id),
            json!({
                "kind": "group_meeting", "title": "党小组学习", "startsAt": rfc(at(&w.app, 30)),
                "endsAt": rfc(at(&w.app, 90)), "proof": "location",
                "geofence": {"center": {"lat": LAT, "lng": LNG}, "radiusM": 100.0},
            }),
        )
        .await;
    assert_eq!(s, 201, "{meeting}");
    assert_eq!(meeting["groupId"], json!(t.group_a.id));
    let meeting = meeting["id"].as_str().unwrap().to_owned();
    // A group meeting belongs on a group, everything else on a branch.
    let (s, e) = w
        .post(
            &t.secretary_a,
            &format!("/api/v1/orgs/{}/activities", t.branch_a.id),
            json!({"kind": "group_meeting", "title": "x", "startsAt": rfc(at(&w.app, 30)),
                   "endsAt": rfc(at(&w.app, 90))}),
        )
        .await;
    assert_eq!(
        (s, e["errors"][0]["code"].as_str()),
        (422, Some("activity_org_mismatch"))
    );
    let (s, list) = w
        .get(
            &t.member_a2,
            &format!("/api/v1/orgs/{}/activities?month=2026-11", t.group_a.id),
        )
        .await;
    assert_eq!(s, 200, "{list}");
    let mut ids: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    let mut want = vec![theme_day.as_str(), meeting.as_str()];
    want.sort_unstable();
    assert_eq!(ids, want);
    let (s, e) = w.check_in(&t.member_a, &meeting, here()).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("check_in_not_expected"))
    );
    assert_eq!(w.check_in(&t.member_a2, &meeting, here()).await.0, 201);
    let (_, att) = w
        .get(
            &t.secretary_a,
            &format!("/api/v1/activities/{meeting}/attendance"),
        )
        .await;
    assert_eq!(att["counts"]["expected"], 1, "{att}");
    let (s, e) = w
        .get(
            &t.secretary_a,
            &format!("/api/v1/orgs/{}/exemptions", t.group_a.id),
        )
        .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("exemptions_listed_per_branch"))
    );
}

#[tokio::test]
async fn a_lecturer_is_a_member_the_scheduler_may_see() {
    let w = World::new().await;
    let t = &w.t;
    let lesson = |lecturer: &Member| {
        json!({"kind": "party_lesson", "title": "书记讲党课", "startsAt": rfc(at(&w.app, 30)),
               "endsAt": rfc(at(&w.app, 90)), "lecturerId": lecturer.id})
    };
    let create = format!("/api/v1/orgs/{}/activities", t.branch_a.id);
    let (s, a) = w
        .post(&t.secretary_a, &create, lesson(&t.secretary_a))
        .await;
    assert_eq!(s, 201, "{a}");
    assert_eq!(a["lecturerName"], "书记甲");
    assert_eq!(a["lecturerIsSecretary"], true);
    let (s, a) = w.post(&t.secretary_a, &create, lesson(&t.member_a)).await;
    assert_eq!((s, &a["lecturerIsSecretary"]), (201, &json!(false)));
    for outsider in [&t.member_b, &t.other_secretary] {
        let (s, e) = w.post(&t.secretary_a, &create, lesson(outsider)).await;
        assert_eq!(
            (s, e["errors"][0]["code"].as_str()),
            (422, Some("lecturer_unknown"))
        );
    }
}

#[tokio::test]
async fn a_cancelled_activity_takes_no_check_in_and_no_further_change() {
    let w = World::new().await;
    let t = &w.t;
    let located = w.theme_day(json!({})).await;
    let path = format!("/api/v1/activities/{located}");
    let (s, a) = w
        .call(
            &t.secretary_a,
            Method::PATCH,
            &path,
            Some(json!({"cancelReason": "台风预警"})),
        )
        .await;
    assert_eq!((s, a["status"].as_str()), (200, Some("cancelled")), "{a}");
    let (s, e) = w.check_in(&t.member_a2, &located, here()).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("check_in_activity_cancelled"))
    );
    let (s, e) = w
        .call(
            &t.secretary_a,
            Method::PATCH,
            &path,
            Some(json!({"title": "改期"})),
        )
        .await;
    assert_eq!((s, e["code"].as_str()), (409, Some("activity_cancelled")));
}

#[tokio::test]
async fn creating_an_activity_takes_a_scheduler_in_scope_a_theme_category_and_sensible_times() {
    let w = World::new().await;
    let t = &w.t;
    // Creating: members may not, a theme day needs its category, times must make sense.
    let create = format!("/api/v1/orgs/{}/activities", t.branch_a.id);
    let base = json!({
        "kind": "theme_day", "title": "x", "startsAt": rfc(at(&w.app, 30)),
        "endsAt": rfc(at(&w.app, 90)),
    });
    assert_eq!(w.post(&t.member_a, &create, base.clone()).await.0, 403);
    let (s, e) = w.post(&t.secretary_a, &create, base).await;
    assert_eq!(
        (s, e["errors"][0]["code"].as_str()),
        (422, Some("theme_category_required"))
    );
    let (s, e) = w
        .post(
            &t.secretary_a,
            &create,
            json!({"kind": "party_lesson", "title": "x", "startsAt": rfc(at(&w.app, 90)),
                   "endsAt": rfc(at(&w.app, 30))}),
        )
        .await;
    assert_eq!(
        (s, e["errors"][0]["code"].as_str()),
        (422, Some("activity_time_invalid"))
    );
    // Times far outside the calendar are refused before any arithmetic on them.
    let (s, e) = w
        .post(
            &t.secretary_a,
            &create,
            json!({"kind": "party_lesson", "title": "x", "startsAt": "+262142-01-01T00:00:00Z",
                   "endsAt": "+262142-01-01T01:00:00Z"}),
        )
        .await;
    assert_eq!(
        (s, e["errors"][0]["code"].as_str()),
        (422, Some("activity_time_invalid")),
        "{e}"
    );
    let other_branch = format!("/api/v1/orgs/{}/activities", t.branch_b.id);
    let body = json!({"kind": "party_lesson", "title": "x", "startsAt": rfc(at(&w.app, 30)),
                      "endsAt": rfc(at(&w.app, 90))});
    assert_eq!(w.post(&t.secretary_a, &other_branch, body).await.0, 404);
}
