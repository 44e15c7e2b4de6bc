//! Starting a real township (`api init`): the committee, its office branch and the first
//! township admin, written together, against the test database of either backend.

use std::path::Path;

use reqwest::Method;
use serde_json::json;

use api::cli::import::run as import_roster;
use domain::audit::AuditRepo;
use domain::clock::Clock;
use domain::org::township::{self, FoundError, NewTownship, TownshipRequest};
use domain::org::{MemberRepo, OrgRepo, PhoneNumber};
use domain::page::PageRequest;
use domain::uow::Transactional;
use tests::TestApp;

fn request(committee: &str, phone: &str) -> TownshipRequest {
    TownshipRequest {
        committee: committee.into(),
        sector: "rural".into(),
        admin_name: "沈组织".into(),
        admin_phone: phone.into(),
        office_branch: None,
    }
}

async fn found(app: &TestApp, req: &TownshipRequest) -> Result<NewTownship, FoundError> {
    let uow = app.db.begin().await.unwrap();
    let new = township::found(uow.as_ref(), req, app.clock.now()).await?;
    uow.commit().await.unwrap();
    Ok(new)
}

async fn audit_actions(app: &TestApp) -> Vec<String> {
    let page = PageRequest::new(Some(100), None).unwrap();
    AuditRepo::list(&app.db.repos(), None, &page)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|e| e.action.as_str().to_owned())
        .collect()
}

#[tokio::test]
async fn a_started_township_is_run_by_its_admin_and_takes_the_sample_roster() {
    let app = TestApp::spawn().await;
    let t = found(&app, &request("盖北镇党委", "13700000001"))
        .await
        .unwrap();
    assert_eq!(audit_actions(&app).await, ["township.init"]);

    let (s, me) = app.call(&t.admin, Method::GET, "/api/v1/me", None).await;
    assert_eq!(s, 200, "{me}");
    assert!(me.to_string().contains("township_admin"), "{me}");
    let (s, children) = app
        .call(
            &t.admin,
            Method::GET,
            &format!("/api/v1/orgs/{}/children", t.committee.id),
            None,
        )
        .await;
    assert_eq!(s, 200, "{children}");
    assert_eq!(children["items"][0]["name"], "镇机关党支部", "{children}");
    // The admin can build the tree further through the API.
    let (s, created) = app
        .call(
            &t.admin,
            Method::POST,
            &format!("/api/v1/orgs/{}/children", t.committee.id),
            Some(json!({"kind": "general_branch", "name": "新舍村党总支"})),
        )
        .await;
    assert_eq!(s, 201, "{created}");

    // The sample roster names the committee and the office branch by name.
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples/roster.csv");
    let report = import_roster(&app.db, app.clock.now(), &sample, false)
        .await
        .unwrap();
    assert_eq!(report.new_members, 6, "{report:?}");
    let clerk = app
        .db
        .repos()
        .find_by_phone(&PhoneNumber::parse("13900000006").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        clerk.branch_id, t.office_branch.id,
        "镇机关党支部 is the one init made"
    );
}

#[tokio::test]
async fn a_second_init_of_the_same_committee_or_phone_writes_nothing() {
    let app = TestApp::spawn().await;
    let first = found(&app, &request("盖北镇党委", "13700000001"))
        .await
        .unwrap();
    match found(&app, &request("盖北镇党委", "13700000002")).await {
        Err(FoundError::CommitteeExists { id, .. }) => assert_eq!(id, first.committee.id),
        other => panic!("expected CommitteeExists, got {other:?}"),
    }
    match found(&app, &request("邻镇党委", "13700000001")).await {
        Err(FoundError::PhoneTaken { member, .. }) => assert_eq!(member, first.admin.id),
        other => panic!("expected PhoneTaken, got {other:?}"),
    }
    let roots = app.db.repos().roots().await.unwrap();
    assert_eq!(roots.len(), 1);
    assert!(app
        .db
        .repos()
        .find_by_phone(&PhoneNumber::parse("13700000002").unwrap())
        .await
        .unwrap()
        .is_none());
    assert_eq!(audit_actions(&app).await, ["township.init"]);
}
