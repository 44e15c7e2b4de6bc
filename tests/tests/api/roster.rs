//! Roster import (`api import roster`), against the test database of either backend.

use std::path::{Path, PathBuf};

use api::cli::import::{run, ImportError, ImportReport};
use domain::audit::AuditRepo;
use domain::clock::Clock;
use domain::org::{MemberCategory, MemberRepo, OrgKind, OrgRepo, PhoneNumber, RoleKind, RoleRepo};
use domain::page::PageRequest;
use tests::fixtures::Township;
use tests::TestApp;

const HEADER: &str = "组织路径,组织类别,姓名,手机号,党员类别,党小组,领导干部,职务\n";

fn write(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, body).unwrap();
    path
}

async fn member_named(app: &TestApp, phone: &str) -> Option<domain::org::Member> {
    app.db
        .repos()
        .find_by_phone(&PhoneNumber::parse(phone).unwrap())
        .await
        .unwrap()
}

async fn org_count(app: &TestApp, t: &Township) -> usize {
    app.db
        .repos()
        .subtree(&t.committee.path)
        .await
        .unwrap()
        .len()
}

async fn audit_count(app: &TestApp) -> usize {
    let page = PageRequest::new(Some(100), None).unwrap();
    AuditRepo::list(&app.db.repos(), None, &page)
        .await
        .unwrap()
        .items
        .len()
}

#[tokio::test]
async fn a_file_with_bad_rows_imports_nothing_and_lists_every_bad_row() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let dir = tempfile::tempdir().unwrap();
    let body = format!(
        "{HEADER}\
         盖北镇党委/虞北村党总支/新建党支部,农村,好人,13700000001,农村,,否,\n\
         盖北镇党委/虞北村党总支/虞北村第一党支部,,坏号,１３７０００,农村,,,\n\
         盖北镇党委/虞北村党总支/虞北村第一党支部,,加号,+87 13700000003,农村,,,\n\
         盖北镇党委/虞北村党总支/虞北村第一党支部,,类别,13700000004,群众,,,\n\
         盖北镇党委/虞北村党总支/虞北村第一党支部,,重号,137-0000-0001,农村,,,\n\
         盖北镇党委/无此党总支/某党支部,农村,孤儿,13700000006,农村,,,\n\
         无此镇党委/某党支部,农村,外人,13700000007,农村,,,\n\
         盖北镇党委/虞北村党总支/虞北村第一党支部,,干部,13700000008,农村,,也许,校长\n\
         \n\
         盖北镇党委/虞北村党总支/虞北村第一党支部,,改名,{},农村,,,\n",
        t.member_a.phone.as_str()
    );
    let file = write(dir.path(), "bad.csv", &body);
    let (orgs, audits) = (org_count(&app, &t).await, audit_count(&app).await);
    let Err(ImportError::Rows(errors)) = run(&app.db, app.clock.now(), &file, false).await else {
        panic!("a file with bad rows was accepted");
    };
    let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![3, 4, 5, 6, 7, 8, 9, 9, 11], "{errors:#?}");
    let reason = |line: usize| {
        errors
            .iter()
            .filter(|e| e.line == line)
            .map(|e| e.reason.as_str())
            .collect::<Vec<_>>()
            .join(" | ")
    };
    assert!(reason(3).contains("手机号"), "{}", reason(3));
    assert!(
        reason(4).contains("手机号"),
        "+87 is not a mainland prefix: {}",
        reason(4)
    );
    assert!(reason(5).contains("党员类别"), "{}", reason(5));
    assert!(reason(6).contains("第 2 行重复"), "{}", reason(6));
    assert!(reason(7).contains("上级组织"), "{}", reason(7));
    assert!(reason(8).contains("上级党委"), "{}", reason(8));
    assert!(
        reason(9).contains("领导干部") && reason(9).contains("职务"),
        "{}",
        reason(9)
    );
    assert!(reason(11).contains("另一名党员"), "{}", reason(11));
    // The good row was not written either: nothing half-imported.
    assert!(member_named(&app, "13700000001").await.is_none());
    assert_eq!(org_count(&app, &t).await, orgs);
    assert_eq!(audit_count(&app).await, audits);
}

#[tokio::test]
async fn a_good_file_imports_once_and_a_rerun_changes_nothing() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let dir = tempfile::tempdir().unwrap();
    let body = format!(
        "{HEADER}\
         盖北镇党委/东山村党总支/东山村第一党支部,,新书记,+86 137 0000 0012,农村,一组,否,书记\n\
         盖北镇党委/东山村党总支,农村,,,,,,\n\
         盖北镇党委/东山村党总支/东山村第一党支部,,新党员,１３７００００００１１,流动,一组,否,\n\
         盖北镇党委/镇机关党支部,机关事业单位,老干部,13700000013,在职,,是,支委\n\
         盖北镇党委/虞北村党总支/虞北村第一党支部,,{},{},离退休,第一党小组,否,\n",
        t.member_a.name,
        t.member_a.phone.as_str()
    );
    let file = write(dir.path(), "roster.csv", &body);
    let audits = audit_count(&app).await;
    let dry = run(&app.db, app.clock.now(), &file, true).await.unwrap();
    assert!(
        member_named(&app, "13700000011").await.is_none(),
        "dry run wrote"
    );
    let report = run(&app.db, app.clock.now(), &file, false).await.unwrap();
    assert_eq!(
        report,
        ImportReport {
            dry_run: false,
            ..dry.clone()
        }
    );
    assert_eq!(
        (
            report.new_orgs,
            report.new_members,
            report.updated_members,
            report.new_roles
        ),
        (3, 3, 1, 2),
        "{report:?}"
    );
    // The declared general branch, its branch and the group made from the group column.
    let secretary = member_named(&app, "13700000012").await.unwrap();
    let repos = app.db.repos();
    let branch = OrgRepo::get(&repos, secretary.branch_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (branch.name.as_str(), branch.kind),
        ("东山村第一党支部", OrgKind::Branch)
    );
    let general = OrgRepo::get(&repos, branch.parent_id.unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(general.kind, OrgKind::GeneralBranch);
    let group = OrgRepo::get(&repos, secretary.group_id.unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((group.name.as_str(), group.kind), ("一组", OrgKind::Group));
    let joined = member_named(&app, "13700000011").await.unwrap();
    assert_eq!(joined.group_id, secretary.group_id, "one group, not two");
    let roles = repos.of_member(secretary.id).await.unwrap();
    assert_eq!(
        roles.iter().map(|g| (g.kind, g.org_id)).collect::<Vec<_>>(),
        vec![(RoleKind::Secretary, branch.id)]
    );
    let cadre = member_named(&app, "13700000013").await.unwrap();
    assert!(cadre.leading_cadre);
    // The existing member moved category and group; name and id kept.
    let a = member_named(&app, t.member_a.phone.as_str()).await.unwrap();
    assert_eq!(a.id, t.member_a.id);
    assert_eq!(a.category, MemberCategory::Retired);
    assert_eq!(a.group_id, Some(t.group_a.id));
    assert_eq!(
        audit_count(&app).await,
        audits + 1,
        "one audit entry per import"
    );

    let orgs = org_count(&app, &t).await;
    let again = run(&app.db, app.clock.now(), &file, false).await.unwrap();
    assert_eq!(
        (
            again.new_orgs,
            again.new_members,
            again.updated_members,
            again.new_roles,
            again.unchanged_members
        ),
        (0, 0, 0, 0, 4),
        "{again:?}"
    );
    assert_eq!(org_count(&app, &t).await, orgs);
    assert_eq!(
        audit_count(&app).await,
        audits + 1,
        "a rerun audits nothing"
    );
}

#[tokio::test]
async fn names_with_combining_marks_zero_width_and_astral_characters_are_stored_exactly() {
    let app = TestApp::spawn().await;
    Township::create(&app.db, app.clock.now()).await;
    let dir = tempfile::tempdir().unwrap();
    let names = [
        ("13700000021", "Zoe\u{0308} 阿依古丽"),
        ("13700000022", "张\u{200B}三\u{200D}"),
        ("13700000023", "𠀀𪚥\u{20BB7}"),
        ("13700000024", "\u{FEFF}李四"),
    ];
    let mut body = HEADER.to_owned();
    for (phone, name) in names {
        body.push_str(&format!(
            "盖北镇党委/镇机关党支部,,{name},{phone},在职,,,\n"
        ));
    }
    let file = write(dir.path(), "names.csv", &body);
    run(&app.db, app.clock.now(), &file, false).await.unwrap();
    for (phone, name) in names {
        let stored = member_named(&app, phone).await.unwrap().name;
        assert_eq!(
            stored.chars().map(u32::from).collect::<Vec<_>>(),
            name.chars().map(u32::from).collect::<Vec<_>>(),
            "{name}"
        );
    }
}

#[tokio::test]
async fn a_spreadsheet_imports_like_a_csv_with_phones_in_number_cells() {
    let app = TestApp::spawn().await;
    Township::create(&app.db, app.clock.now()).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("roster.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (col, h) in HEADER.trim().split(',').enumerate() {
        sheet.write_string(0, col as u16, h).unwrap();
    }
    sheet.write_string(1, 0, "盖北镇党委/镇机关党支部").unwrap();
    sheet.write_string(1, 2, "表格党员").unwrap();
    sheet.write_number(1, 3, 13700000031.0).unwrap();
    sheet.write_string(1, 4, "在职").unwrap();
    sheet.write_boolean(1, 6, true).unwrap();
    sheet.write_string(2, 0, "盖北镇党委/镇机关党支部").unwrap();
    sheet.write_string(2, 2, "坏号").unwrap();
    sheet.write_number(2, 3, 1370.5).unwrap();
    sheet.write_string(2, 4, "在职").unwrap();
    book.save(&path).unwrap();
    let Err(ImportError::Rows(errors)) = run(&app.db, app.clock.now(), &path, false).await else {
        panic!("a bad phone was accepted");
    };
    assert_eq!(errors.iter().map(|e| e.line).collect::<Vec<_>>(), vec![3]);

    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (col, h) in HEADER.trim().split(',').enumerate() {
        sheet.write_string(0, col as u16, h).unwrap();
    }
    sheet.write_string(1, 0, "盖北镇党委/镇机关党支部").unwrap();
    sheet.write_string(1, 2, "表格党员").unwrap();
    sheet.write_number(1, 3, 13700000031.0).unwrap();
    sheet.write_string(1, 4, "在职").unwrap();
    sheet.write_boolean(1, 6, true).unwrap();
    book.save(&path).unwrap();
    let report = run(&app.db, app.clock.now(), &path, false).await.unwrap();
    assert_eq!(report.new_members, 1);
    let m = member_named(&app, "13700000031").await.unwrap();
    assert_eq!(m.name, "表格党员");
    assert!(m.leading_cadre);
}

#[tokio::test]
async fn the_sample_roster_imports_into_the_demo_township() {
    let app = TestApp::spawn().await;
    api::cli::demo::seed(&app.db, app.clock.now())
        .await
        .unwrap();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples/roster.csv");
    let report = run(&app.db, app.clock.now(), &sample, false).await.unwrap();
    assert!(report.new_members >= 5, "{report:?}");
    let again = run(&app.db, app.clock.now(), &sample, false).await.unwrap();
    assert_eq!(again.unchanged_members, report.new_members);
    assert_eq!(again.new_orgs + again.new_roles + again.updated_members, 0);
    let dir = tempfile::tempdir().unwrap();
    let unknown = write(dir.path(), "roster.txt", "not a roster");
    assert!(matches!(
        run(&app.db, app.clock.now(), &unknown, false).await,
        Err(ImportError::File(_))
    ));
}

#[tokio::test]
async fn absent_columns_keep_what_members_have_and_a_stated_sector_wins_over_a_blank_one() {
    let app = TestApp::spawn().await;
    Township::create(&app.db, app.clock.now()).await;
    let dir = tempfile::tempdir().unwrap();
    let full = write(
        dir.path(),
        "full.csv",
        &format!(
            "{HEADER}\
             盖北镇党委/西岭村党支部,,组长,13700000041,农村,一组,是,\n\
             盖北镇党委/西岭村党支部,学校、卫生院,校医,13700000042,在职,,,\n"
        ),
    );
    let report = run(&app.db, app.clock.now(), &full, false).await.unwrap();
    assert_eq!(report.new_orgs, 2, "{report:?}");
    let leader = member_named(&app, "13700000041").await.unwrap();
    let branch = OrgRepo::get(&app.db.repos(), leader.branch_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        branch.sector,
        domain::org::OrgSector::SchoolHospital,
        "the sector a row states, not the parent's"
    );
    assert!(leader.leading_cadre && leader.group_id.is_some());
    // A file without the group and cadre columns leaves them as they are.
    let short = write(
        dir.path(),
        "short.csv",
        "组织路径,姓名,手机号,党员类别\n盖北镇党委/西岭村党支部,组长,13700000041,农村\n",
    );
    let again = run(&app.db, app.clock.now(), &short, false).await.unwrap();
    assert_eq!((again.updated_members, again.unchanged_members), (0, 1));
    let kept = member_named(&app, "13700000041").await.unwrap();
    assert_eq!(kept, leader);
    // A bad phone is shown back masked: it may be a real number mistyped.
    let bad = write(
        dir.path(),
        "bad.csv",
        "组织路径,姓名,手机号,党员类别\n盖北镇党委/西岭村党支部,某人,1370000004,农村\n",
    );
    let Err(ImportError::Rows(errors)) = run(&app.db, app.clock.now(), &bad, false).await else {
        panic!("a ten-digit phone was accepted");
    };
    assert!(
        errors[0].reason.contains("137****04") && !errors[0].reason.contains("1370000004"),
        "{errors:?}"
    );
}

/// An `.xlsx` file of text cells, the first row the header.
fn sheet(path: &Path, rows: &[&[&str]]) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, cells) in rows.iter().enumerate() {
        for (c, text) in cells.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *text).unwrap();
        }
    }
    book.save(path).unwrap();
}

const WITH_PROBATIONARY: &[&str] = &[
    "组织路径",
    "组织类别",
    "姓名",
    "手机号",
    "党员类别",
    "党小组",
    "领导干部",
    "职务",
    "预备党员",
];
const OFFICE: &str = "盖北镇党委/镇机关党支部";

#[tokio::test]
async fn a_spreadsheet_with_a_probationary_column_marks_probationary_members() {
    let app = TestApp::spawn().await;
    Township::create(&app.db, app.clock.now()).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("roster.xlsx");
    sheet(
        &path,
        &[
            WITH_PROBATIONARY,
            &[
                OFFICE,
                "",
                "预备甲",
                "13700000071",
                "在职",
                "",
                "",
                "",
                "是",
            ],
            &[
                OFFICE,
                "",
                "正式乙",
                "13700000072",
                "在职",
                "",
                "",
                "",
                "否",
            ],
            &[OFFICE, "", "正式丙", "13700000073", "在职", "", "", "", ""],
        ],
    );
    let report = run(&app.db, app.clock.now(), &path, false).await.unwrap();
    assert_eq!(report.new_members, 3, "{report:?}");
    for (phone, probationary) in [
        ("13700000071", true),
        ("13700000072", false),
        ("13700000073", false),
    ] {
        let m = member_named(&app, phone).await.unwrap();
        assert_eq!(m.probationary, probationary, "{}", m.name);
    }
    // Admitted as a full member: the same file with 否 updates the flag.
    sheet(
        &path,
        &[
            WITH_PROBATIONARY,
            &[
                OFFICE,
                "",
                "预备甲",
                "13700000071",
                "在职",
                "",
                "",
                "",
                "否",
            ],
        ],
    );
    let again = run(&app.db, app.clock.now(), &path, false).await.unwrap();
    assert_eq!(again.updated_members, 1, "{again:?}");
    assert!(
        !member_named(&app, "13700000071")
            .await
            .unwrap()
            .probationary
    );
}

#[tokio::test]
async fn a_spreadsheet_without_the_probationary_column_keeps_what_members_have() {
    let app = TestApp::spawn().await;
    Township::create(&app.db, app.clock.now()).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("roster.xlsx");
    sheet(
        &path,
        &[
            WITH_PROBATIONARY,
            &[
                OFFICE,
                "",
                "预备甲",
                "13700000081",
                "在职",
                "",
                "",
                "",
                "是",
            ],
        ],
    );
    run(&app.db, app.clock.now(), &path, false).await.unwrap();
    let before = member_named(&app, "13700000081").await.unwrap();
    assert!(before.probationary);

    let header: Vec<&str> = HEADER.trim().split(',').collect();
    sheet(
        &path,
        &[
            &header,
            &[OFFICE, "", "预备甲", "13700000081", "在职", "", "", ""],
            &[OFFICE, "", "新党员", "13700000082", "在职", "", "", ""],
        ],
    );
    let report = run(&app.db, app.clock.now(), &path, false).await.unwrap();
    assert_eq!(
        (report.unchanged_members, report.new_members),
        (1, 1),
        "{report:?}"
    );
    assert_eq!(member_named(&app, "13700000081").await.unwrap(), before);
    assert!(
        !member_named(&app, "13700000082")
            .await
            .unwrap()
            .probationary
    );
}

#[tokio::test]
async fn a_bad_probationary_cell_is_reported_like_other_bad_cells_and_nothing_is_imported() {
    let app = TestApp::spawn().await;
    Township::create(&app.db, app.clock.now()).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("roster.xlsx");
    sheet(
        &path,
        &[
            WITH_PROBATIONARY,
            &[OFFICE, "", "好人", "13700000091", "在职", "", "", "", "是"],
            &[
                OFFICE,
                "",
                "坏格",
                "13700000092",
                "在职",
                "",
                "",
                "",
                "预备",
            ],
            &[
                OFFICE,
                "",
                "两处",
                "13700000093",
                "群众",
                "",
                "",
                "",
                "也许",
            ],
        ],
    );
    let audits = audit_count(&app).await;
    let Err(ImportError::Rows(errors)) = run(&app.db, app.clock.now(), &path, false).await else {
        panic!("a bad 预备党员 cell was accepted");
    };
    let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![3, 4, 4], "{errors:#?}");
    assert!(
        errors[0].reason.contains("预备党员") && errors[0].reason.contains("「预备」"),
        "{}",
        errors[0]
    );
    assert!(
        errors[1..].iter().any(|e| e.reason.contains("「也许」")),
        "{errors:?}"
    );
    assert!(member_named(&app, "13700000091").await.is_none());
    assert_eq!(audit_count(&app).await, audits);
}
