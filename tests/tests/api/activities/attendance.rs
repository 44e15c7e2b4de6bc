//! Attendance of one activity: every expected member, as JSON and as an Excel file.

use reqwest::Method;
use serde_json::json;

use super::world::*;

#[tokio::test]
async fn attendance_lists_every_expected_member_and_absentees() {
    let w = World::new().await;
    let t = &w.t;
    let a = seeded_month(&w).await;
    let (s, att) = w
        .get(
            &t.secretary_a,
            &format!("/api/v1/activities/{a}/attendance"),
        )
        .await;
    assert_eq!(s, 200, "{att}");
    let counts = &att["counts"];
    assert_eq!(
        [
            &counts["expected"],
            &counts["present"],
            &counts["pending"],
            &counts["excused"],
            &counts["absent"]
        ],
        [5, 1, 1, 1, 2]
    );
    assert_eq!(counts["rate"], 0.25);
    let status_of = |name: &str| {
        att["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == name)
            .map(|m| m["status"].as_str().unwrap().to_owned())
    };
    assert_eq!(status_of("党员乙").as_deref(), Some("absent"));
    assert_eq!(status_of("支委乙").as_deref(), Some("absent"));
    assert_eq!(status_of("支委甲").as_deref(), Some("excused"));
    assert_eq!(status_of("书记甲").as_deref(), Some("pending"));
    assert_eq!(status_of("党员甲").as_deref(), Some("present"));
    // The secretary sees full phones; the committee member masked ones; members nothing.
    let (_, as_committee) = w
        .get(
            &t.committee_a,
            &format!("/api/v1/activities/{a}/attendance"),
        )
        .await;
    assert!(as_committee["members"][0]["phone"]
        .as_str()
        .unwrap()
        .contains("****"));
    assert!(!att["members"][0]["phone"].as_str().unwrap().contains('*'));
    assert_eq!(
        w.get(&t.member_a, &format!("/api/v1/activities/{a}/attendance"))
            .await
            .0,
        403
    );
    assert_eq!(
        w.get(
            &t.other_secretary,
            &format!("/api/v1/activities/{a}/attendance")
        )
        .await
        .0,
        404
    );
}

#[tokio::test]
async fn members_who_joined_after_an_activity_ended_are_not_counted_absent() {
    let w = World::new().await;
    let t = &w.t;
    let a = w.theme_day(json!({})).await;
    let (_, before) = w
        .get(
            &t.secretary_a,
            &format!("/api/v1/activities/{a}/attendance"),
        )
        .await;
    w.set_clock(at(&w.app, 24 * 60));
    let (s, m) = w
        .post(
            &t.secretary_a,
            &format!("/api/v1/orgs/{}/members", t.branch_a.id),
            json!({"name": "新党员", "phone": "13912345678", "category": "rural"}),
        )
        .await;
    assert_eq!(s, 201, "{m}");
    let (_, after) = w
        .get(
            &t.secretary_a,
            &format!("/api/v1/activities/{a}/attendance"),
        )
        .await;
    assert_eq!(after["counts"], before["counts"]);
    assert_eq!(after["counts"]["expected"], 5);
}

#[tokio::test]
async fn attendance_exports_the_same_rows_as_an_excel_file_by_parameter_or_accept() {
    use crate::xlsx;
    let w = World::new().await;
    let t = &w.t;
    let a = seeded_month(&w).await;
    let path = format!("/api/v1/activities/{a}/attendance");
    // Phones as the JSON shows them to each caller: full to the secretary, masked to a
    // committee member.
    for (who, query, accept) in [
        (&t.secretary_a, "?format=xlsx", "*/*"),
        (&t.committee_a, "", xlsx::XLSX),
    ] {
        let (_, json) = w.get(who, &path).await;
        let token = w.app.token_for(who.id);
        let res = w
            .app
            .send(
                Method::GET,
                &format!("{path}{query}"),
                &[
                    ("authorization", &format!("Bearer {token}")),
                    ("accept", accept),
                ],
            )
            .await;
        assert_eq!(res.status().as_u16(), 200);
        assert_eq!(res.headers()["content-type"], xlsx::XLSX);
        let (ascii, name) = xlsx::file_names(&res);
        assert_eq!(
            name,
            "出勤情况-虞北村党总支-虞北村第一党支部-重温入党誓词-2026-11-05.xlsx"
        );
        assert_eq!(ascii, "attendance-2026-11-05.xlsx");
        let bytes = res.bytes().await.unwrap();
        xlsx::assert_laid_out(&bytes);
        xlsx::assert_columns_fit(&bytes, 1);

        let rows = xlsx::rows(&bytes, "出勤情况");
        let col = |h: &str| xlsx::column(&rows, h);
        let (branch, name, phone, status, starts, checked_in) = (
            col("党支部"),
            col("姓名"),
            col("手机号"),
            col("出勤情况"),
            col("活动开始"),
            col("签到时间"),
        );
        let mut sheet: Vec<(String, String, String)> = rows
            .iter()
            .skip(1)
            .map(|r| {
                (
                    r[name].to_string(),
                    r[phone].to_string(),
                    r[status].to_string(),
                )
            })
            .collect();
        let zh = |s: &str| match s {
            "present" => "出席",
            "pending" => "待审核",
            "excused" => "请假",
            "absent" => "缺席",
            other => panic!("{other}"),
        };
        let mut expected: Vec<(String, String, String)> = json["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["name"].as_str().unwrap().to_owned(),
                    m["phone"].as_str().unwrap().to_owned(),
                    zh(m["status"].as_str().unwrap()).to_owned(),
                )
            })
            .collect();
        sheet.sort();
        expected.sort();
        assert_eq!(sheet, expected, "the JSON's rows");
        assert_eq!(expected.len(), 5);
        for r in rows.iter().skip(1) {
            assert_eq!(r[branch].to_string(), "虞北村党总支/虞北村第一党支部");
            assert_eq!(xlsx::date_time(&r[starts]), shanghai(2026, 11, 5, 9, 0));
            match r[name].to_string().as_str() {
                // Checked in when the test began, 08:30 Beijing time.
                "党员甲" => assert_eq!(
                    xlsx::date_time(&r[checked_in]),
                    shanghai(2026, 11, 5, 8, 30)
                ),
                "党员乙" => assert!(
                    matches!(r[checked_in], calamine::Data::Empty),
                    "{:?}",
                    r[checked_in]
                ),
                _ => {}
            }
        }
    }
    // The same scope as the JSON.
    for (who, status) in [(&t.member_a, 403), (&t.other_secretary, 404)] {
        let token = w.app.token_for(who.id);
        let res = w
            .app
            .send(
                Method::GET,
                &format!("{path}?format=xlsx"),
                &[("authorization", &format!("Bearer {token}"))],
            )
            .await;
        assert_eq!(res.status().as_u16(), status);
        assert_eq!(res.headers()["content-type"], "application/problem+json");
    }
    let (s, e) = w.get(&t.secretary_a, &format!("{path}?format=pdf")).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("request_query_invalid"))
    );
}
