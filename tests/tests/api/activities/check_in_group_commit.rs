//! Check-ins written together: concurrent check-ins of one instance share statements, yet
//! each caller hears its own answer (201, 200 with the stored row, or 422 exempted).

use std::collections::HashSet;

use serde_json::{json, Value};

use domain::activity::{ActivityId, CheckInRepo};
use domain::clock::Clock;
use domain::org::{Member, MemberCategory, MemberId, MemberRepo, MemberStatus, PhoneNumber};

use super::world::*;

/// `n` more plain members of branch A.
async fn members_of_branch_a(w: &World, n: u32) -> Vec<Member> {
    let now = w.app.clock.now();
    let repos = w.app.db.repos();
    let mut members = Vec::new();
    for i in 0..n {
        let m = Member {
            id: MemberId::new(),
            name: format!("党员{i}"),
            phone: PhoneNumber::parse(&format!("137{i:08}")).unwrap(),
            category: MemberCategory::Rural,
            branch_id: w.t.branch_a.id,
            group_id: None,
            branch_path: w.t.branch_a.path.clone(),
            leading_cadre: false,
            probationary: false,
            status: MemberStatus::Active,
            created_at: now,
            updated_at: now,
        };
        MemberRepo::insert(&repos, &m).await.unwrap();
        members.push(m);
    }
    members
}

/// Checks each member in at the venue, all at once; answers (status, body) in their order.
async fn check_in_together(w: &World, activity: &str, who: &[&Member]) -> Vec<(u16, Value)> {
    let url = w
        .app
        .url(&format!("/api/v1/activities/{activity}/check-ins"));
    let tasks: Vec<_> = who
        .iter()
        .map(|m| {
            let (client, url, token) = (reqwest::Client::new(), url.clone(), w.app.token_for(m.id));
            tokio::spawn(async move {
                let res = client
                    .post(url)
                    .bearer_auth(token)
                    .json(&here())
                    .send()
                    .await
                    .unwrap();
                let status = res.status().as_u16();
                (status, res.json::<Value>().await.unwrap_or(Value::Null))
            })
        })
        .collect();
    let mut answers = Vec::new();
    for t in tasks {
        answers.push(t.await.unwrap());
    }
    answers
}

async fn stored(w: &World, activity: &str) -> Vec<domain::activity::CheckIn> {
    w.app
        .db
        .repos()
        .all_of(ActivityId::from_uuid(activity.parse().unwrap()))
        .await
        .unwrap()
}

#[tokio::test]
async fn two_hundred_members_checking_in_at_once_are_each_created_once() {
    let w = World::new().await;
    let a = w.theme_day(json!({})).await;
    let members = members_of_branch_a(&w, 200).await;
    let who: Vec<&Member> = members.iter().collect();

    let answers = check_in_together(&w, &a, &who).await;

    for ((status, body), m) in answers.iter().zip(&members) {
        assert_eq!(*status, 201, "{body}");
        assert_eq!(body["memberId"], m.id.to_string(), "{body}");
    }
    let rows = stored(&w, &a).await;
    assert_eq!(rows.len(), 200);
    let stored_members: HashSet<MemberId> = rows.iter().map(|c| c.member_id).collect();
    assert!(members.iter().all(|m| stored_members.contains(&m.id)));
}

#[tokio::test]
async fn one_member_checking_in_ten_times_at_once_is_created_once_and_told_so_nine_times() {
    let w = World::new().await;
    let a = w.theme_day(json!({})).await;
    let who = vec![&w.t.member_a; 10];

    let answers = check_in_together(&w, &a, &who).await;

    let created = answers.iter().filter(|(s, _)| *s == 201).count();
    let repeated = answers.iter().filter(|(s, _)| *s == 200).count();
    assert_eq!((created, repeated), (1, 9), "{answers:?}");
    let rows = stored(&w, &a).await;
    assert_eq!(rows.len(), 1);
    let id = rows[0].id.to_string();
    assert!(
        answers.iter().all(|(_, b)| b["id"] == id.as_str()),
        "{answers:?}"
    );
}

#[tokio::test]
async fn an_exempted_member_checking_in_among_others_is_refused_alone_and_stores_nothing() {
    let w = World::new().await;
    let a = w.theme_day(json!({})).await;
    let (s, ex) = w
        .post(
            &w.t.member_a,
            "/api/v1/exemptions",
            json!({"activityId": a, "reason": "住院治疗"}),
        )
        .await;
    assert_eq!(s, 201, "{ex}");
    let (s, r) = w
        .post(
            &w.t.secretary_a,
            &format!("/api/v1/exemptions/{}/review", ex["id"].as_str().unwrap()),
            json!({"decision": "approve"}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    let others = members_of_branch_a(&w, 40).await;
    let mut who: Vec<&Member> = others.iter().collect();
    who.insert(20, &w.t.member_a);

    let answers = check_in_together(&w, &a, &who).await;

    for ((status, body), m) in answers.iter().zip(&who) {
        if m.id == w.t.member_a.id {
            assert_eq!(
                (*status, body["code"].as_str()),
                (422, Some("check_in_exempted"))
            );
        } else {
            assert_eq!(*status, 201, "{body}");
        }
    }
    let rows = stored(&w, &a).await;
    assert_eq!(rows.len(), 40);
    assert!(rows.iter().all(|c| c.member_id != w.t.member_a.id));
}
