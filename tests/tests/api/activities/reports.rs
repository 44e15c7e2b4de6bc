//! The township's compliance report, as JSON and as an Excel file.

use reqwest::Method;
use serde_json::Value;

use super::world::*;

#[tokio::test]
async fn the_compliance_report_shows_each_branch_and_its_excel_file_holds_the_same_rows() {
    use calamine::{DataType, Reader, Xlsx};
    let w = World::new().await;
    let t = &w.t;
    seeded_month(&w).await;
    // After the theme day ended.
    w.set_clock(at(&w.app, 240));
    let (s, r) = w
        .get(&t.admin, "/api/v1/reports/compliance?month=2026-11")
        .await;
    assert_eq!(s, 200, "{r}");
    let branches = r["branches"].as_array().unwrap();
    assert_eq!(branches.len(), 2);
    let a = branches
        .iter()
        .find(|b| b["branchName"] == "虞北村第一党支部")
        .unwrap();
    let b = branches
        .iter()
        .find(|b| b["branchName"] == "镇机关党支部")
        .unwrap();
    assert_eq!(a["themeDayHeld"], true);
    assert_eq!(b["themeDayHeld"], false);
    assert_eq!(a["attendance"]["rate"], 0.25);
    assert_eq!(a["absentees"], 2);
    let state = |b: &Value, kind: &str| {
        b["obligations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["kind"] == kind)
            .map(|o| o["state"].as_str().unwrap().to_owned())
    };
    assert_eq!(state(a, "theme_day").as_deref(), Some("met"));
    assert_eq!(state(b, "theme_day").as_deref(), Some("due"));
    assert_eq!(state(a, "committee_meeting").as_deref(), Some("due"));
    assert_eq!(state(a, "group_meeting").as_deref(), Some("due"));
    assert_eq!(state(b, "group_meeting"), None, "branch B has no groups");
    // A past month with nothing held is overdue everywhere.
    let (_, october) = w
        .get(&t.admin, "/api/v1/reports/compliance?month=2026-10")
        .await;
    for b in october["branches"].as_array().unwrap() {
        assert_eq!(state(b, "theme_day").as_deref(), Some("overdue"));
    }
    // Scope: branch A's secretary sees only branch A; members none.
    let (_, mine) = w
        .get(&t.secretary_a, "/api/v1/reports/compliance?month=2026-11")
        .await;
    assert_eq!(mine["branches"].as_array().unwrap().len(), 1);
    assert_eq!(
        w.get(&t.member_a, "/api/v1/reports/compliance?month=2026-11")
            .await
            .0,
        403
    );
    let (s, e) = w
        .get(&t.admin, "/api/v1/reports/compliance?month=2026-13")
        .await;
    assert_eq!(
        (s, e["errors"][0]["code"].as_str()),
        (422, Some("month_invalid"))
    );
    // The same as an Excel file, by parameter and by Accept.
    let token = w.app.token_for(t.admin.id);
    for (path, accept) in [
        (
            "/api/v1/reports/compliance?month=2026-11&format=xlsx",
            "*/*",
        ),
        (
            "/api/v1/reports/compliance?month=2026-11",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ] {
        let res = w
            .app
            .send(
                Method::GET,
                path,
                &[
                    ("authorization", &format!("Bearer {token}")),
                    ("accept", accept),
                ],
            )
            .await;
        assert_eq!(res.status().as_u16(), 200);
        assert_eq!(
            res.headers()["content-type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        let bytes = res.bytes().await.unwrap();
        let mut book: Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
        let sheet = book.worksheet_range("合规情况").unwrap();
        let rows: Vec<_> = sheet.rows().collect();
        assert_eq!(rows.len(), 3, "header and two branches");
        assert_eq!(rows[0][0].get_string(), Some("党支部"));
        let row_a = rows
            .iter()
            .find(|r| r[0].get_string() == Some("虞北村党总支/虞北村第一党支部"))
            .unwrap();
        assert_eq!(row_a[2].get_string(), Some("已开展"));
        // 组织生活会 (column 8) is not held this year yet.
        assert_eq!(row_a[8].get_string(), Some("待完成"));
        assert_eq!(row_a[9].get_float(), Some(5.0));
        assert_eq!(row_a[10].get_float(), Some(1.0));
        assert_eq!(row_a[14].get_float(), Some(0.25));
        let absent = book.worksheet_range("缺席名单").unwrap();
        let mut names: Vec<(String, String)> = absent
            .rows()
            .skip(1)
            .map(|r| {
                (
                    r[1].get_string().unwrap().to_owned(),
                    r[2].get_string().unwrap().to_owned(),
                )
            })
            .collect();
        names.sort();
        assert_eq!(names.len(), 2);
        assert_eq!(names[0].0, "党员乙");
        assert_eq!(names[1].0, "支委乙");
        assert!(
            names.iter().all(|(_, phone)| phone.contains("****")),
            "{names:?}"
        );
        assert_eq!(
            names[0].1,
            t.member_a2.phone.masked(),
            "the absentee's masked phone"
        );
    }
}

#[tokio::test]
async fn the_compliance_excel_file_names_branches_by_path_with_date_cells_under_a_frozen_filtered_header(
) {
    use crate::xlsx;
    let w = World::new().await;
    let t = &w.t;
    village_with_branch(&w, "新舍村党总支", "第一党支部").await;
    village_with_branch(&w, "虞南村党总支", "第一党支部").await;
    seeded_month(&w).await;
    w.set_clock(at(&w.app, 240));
    let token = w.app.token_for(t.admin.id);
    let res = w
        .app
        .send(
            Method::GET,
            "/api/v1/reports/compliance?month=2026-11&format=xlsx",
            &[("authorization", &format!("Bearer {token}"))],
        )
        .await;
    assert_eq!(res.status().as_u16(), 200);
    let (ascii, name) = xlsx::file_names(&res);
    assert_eq!(name, "主题党日及三会一课落实情况-2026-11.xlsx");
    assert_eq!(ascii, "compliance-2026-11.xlsx");
    let bytes = res.bytes().await.unwrap();
    xlsx::assert_laid_out(&bytes);
    xlsx::assert_columns_fit(&bytes, 1);
    xlsx::assert_columns_fit(&bytes, 2);

    let rows = xlsx::rows(&bytes, "合规情况");
    let mut branches: Vec<String> = rows.iter().skip(1).map(|r| r[0].to_string()).collect();
    branches.sort();
    assert_eq!(
        branches,
        [
            "新舍村党总支/第一党支部",
            "虞北村党总支/虞北村第一党支部",
            "虞南村党总支/第一党支部",
            "镇机关党支部",
        ],
        "the path below the committee tells the two 第一党支部 apart"
    );
    let month = xlsx::column(&rows, "月份");
    for r in rows.iter().skip(1) {
        assert_eq!(xlsx::date_time(&r[month]), shanghai(2026, 11, 1, 0, 0));
    }
    let absent = xlsx::rows(&bytes, "缺席名单");
    assert_eq!(absent.len(), 3, "header and two absentees");
    let when = xlsx::column(&absent, "活动时间");
    for r in absent.iter().skip(1) {
        assert_eq!(r[0].to_string(), "虞北村党总支/虞北村第一党支部");
        assert_eq!(
            xlsx::date_time(&r[when]),
            shanghai(2026, 11, 5, 9, 0),
            "the theme day's start, Beijing time"
        );
    }
}
