//! The org, member and role repositories on the configured backend.

use domain::error::RepoError;
use domain::org::{
    Member, MemberCategory, MemberId, MemberQuery, MemberRepo, MemberStatus, MemberVisibility, Org,
    OrgId, OrgKind, OrgPath, OrgRepo, OrgSector, PhoneNumber, RoleGrant, RoleGrantId, RoleKind,
    RoleRepo,
};
use domain::page::PageRequest;
use domain::uow::Transactional;
use infra::Db;
use tests::{default_test_instant, TestDatabase};

fn org(parent: Option<&Org>, kind: OrgKind, name: &str) -> Org {
    let id = OrgId::new();
    Org {
        id,
        parent_id: parent.map(|p| p.id),
        kind,
        sector: OrgSector::Rural,
        name: name.into(),
        path: parent.map_or_else(|| OrgPath::root(id), |p| p.path.child(id)),
        created_at: default_test_instant(),
    }
}

fn member(branch: &Org, name: &str, phone: &str) -> Member {
    Member {
        id: MemberId::new(),
        name: name.into(),
        phone: PhoneNumber::parse(phone).unwrap(),
        category: MemberCategory::Rural,
        branch_id: branch.id,
        group_id: None,
        branch_path: branch.path.clone(),
        leading_cadre: false,
        status: MemberStatus::Active,
        created_at: default_test_instant(),
        updated_at: default_test_instant(),
    }
}

struct Tree {
    committee: Org,
    general: Org,
    branch_a: Org,
    branch_b: Org,
}

async fn tree(db: &Db) -> Tree {
    let committee = org(None, OrgKind::Committee, "盖北镇党委");
    let general = org(Some(&committee), OrgKind::GeneralBranch, "虞北村党总支");
    let branch_a = org(Some(&general), OrgKind::Branch, "第一党支部");
    let branch_b = org(Some(&committee), OrgKind::Branch, "机关党支部");
    for o in [&committee, &general, &branch_a, &branch_b] {
        OrgRepo::insert(&db.repos(), o).await.unwrap();
    }
    Tree {
        committee,
        general,
        branch_a,
        branch_b,
    }
}

#[tokio::test]
async fn orgs_round_trip_and_children_page_in_creation_order() {
    let t = TestDatabase::create().await;
    let db = t.connect().await;
    let tree = tree(&db).await;
    let repos = db.repos();

    let stored = OrgRepo::get(&repos, tree.general.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored, tree.general);
    let first = repos
        .children(tree.committee.id, &PageRequest::first(1))
        .await
        .unwrap();
    assert_eq!(first.items, vec![tree.general.clone()]);
    let next = PageRequest::new(Some(1), first.next).unwrap();
    let second = repos.children(tree.committee.id, &next).await.unwrap();
    assert_eq!(second.items, vec![tree.branch_b.clone()]);
    assert!(second.next.is_none());

    let mut renamed = tree.branch_b.clone();
    renamed.name = "镇机关党支部".into();
    renamed.sector = OrgSector::Government;
    OrgRepo::update(&repos, &renamed).await.unwrap();
    assert_eq!(
        OrgRepo::get(&repos, renamed.id).await.unwrap().unwrap(),
        renamed
    );
    assert!(OrgRepo::get(&repos, OrgId::new()).await.unwrap().is_none());
    let ghost = org(None, OrgKind::Committee, "ghost");
    assert!(matches!(
        OrgRepo::update(&repos, &ghost).await,
        Err(RepoError::NotFound)
    ));
}

#[tokio::test]
async fn members_list_by_branch_or_subtree_with_literal_name_search() {
    let t = TestDatabase::create().await;
    let db = t.connect().await;
    let tree = tree(&db).await;
    let repos = db.repos();
    let a1 = member(&tree.branch_a, "王建国", "13800000001");
    let a2 = member(&tree.branch_a, "李100%_", "13800000002");
    let b1 = member(&tree.branch_b, "王芳", "13800000003");
    for m in [&a1, &a2, &b1] {
        MemberRepo::insert(&repos, m).await.unwrap();
    }
    let query = |org: &Org, subtree: bool, q: Option<&str>| MemberQuery {
        org: org.path.clone(),
        include_subtree: subtree,
        name_contains: q.map(str::to_owned),
        group: None,
    };
    let names = |page: domain::page::Page<Member>| {
        page.items.into_iter().map(|m| m.name).collect::<Vec<_>>()
    };
    let all = PageRequest::first(100);

    assert_eq!(
        names(
            repos
                .list(&query(&tree.branch_a, false, None), &all)
                .await
                .unwrap()
        ),
        ["王建国", "李100%_"]
    );
    assert!(repos
        .list(&query(&tree.general, false, None), &all)
        .await
        .unwrap()
        .items
        .is_empty());
    assert_eq!(
        names(
            repos
                .list(&query(&tree.general, true, None), &all)
                .await
                .unwrap()
        ),
        ["王建国", "李100%_"]
    );
    assert_eq!(
        repos
            .list(&query(&tree.committee, true, None), &all)
            .await
            .unwrap()
            .items
            .len(),
        3
    );
    assert_eq!(
        names(
            repos
                .list(&query(&tree.committee, true, Some("王")), &all)
                .await
                .unwrap()
        ),
        ["王建国", "王芳"]
    );
    // LIKE wildcards in the search text match themselves only.
    assert_eq!(
        names(
            repos
                .list(&query(&tree.committee, true, Some("%_")), &all)
                .await
                .unwrap()
        ),
        ["李100%_"]
    );
    assert!(
        repos
            .list(&query(&tree.committee, true, Some("_")), &all)
            .await
            .unwrap()
            .items
            .len()
            == 1
    );

    let found = repos
        .find_by_phone(&PhoneNumber::parse("138-0000-0003").unwrap())
        .await
        .unwrap();
    assert_eq!(found.map(|m| m.id), Some(b1.id));
}

#[tokio::test]
async fn a_phone_belongs_to_one_member_and_updates_are_stored() {
    let t = TestDatabase::create().await;
    let db = t.connect().await;
    let tree = tree(&db).await;
    let repos = db.repos();
    let m = member(&tree.branch_a, "王建国", "13800000001");
    MemberRepo::insert(&repos, &m).await.unwrap();
    let twin = member(&tree.branch_b, "王建国", "13800000001");
    assert!(matches!(
        MemberRepo::insert(&repos, &twin).await,
        Err(RepoError::Conflict { .. })
    ));

    let mut moved = m.clone();
    moved.branch_id = tree.branch_b.id;
    moved.branch_path = tree.branch_b.path.clone();
    moved.status = MemberStatus::Deactivated;
    MemberRepo::update(&repos, &moved).await.unwrap();
    assert_eq!(MemberRepo::get(&repos, m.id).await.unwrap().unwrap(), moved);
}

#[tokio::test]
async fn role_grants_are_unique_per_member_kind_and_org_and_revocable() {
    let t = TestDatabase::create().await;
    let db = t.connect().await;
    let tree = tree(&db).await;
    let m = member(&tree.branch_a, "王建国", "13800000001");
    MemberRepo::insert(&db.repos(), &m).await.unwrap();
    let grant = RoleGrant {
        id: RoleGrantId::new(),
        member_id: m.id,
        kind: RoleKind::Secretary,
        org_id: tree.branch_a.id,
        org_path: tree.branch_a.path.clone(),
        can_review: false,
        granted_at: default_test_instant(),
    };
    // Written in a unit of work, as services do.
    let uow = db.begin().await.unwrap();
    uow.roles().insert(&grant).await.unwrap();
    uow.commit().await.unwrap();

    let again = RoleGrant {
        id: RoleGrantId::new(),
        ..grant.clone()
    };
    assert!(matches!(
        RoleRepo::insert(&db.repos(), &again).await,
        Err(RepoError::Conflict { .. })
    ));
    assert_eq!(
        db.repos().of_member(m.id).await.unwrap(),
        vec![grant.clone()]
    );
    RoleRepo::delete(&db.repos(), grant.id).await.unwrap();
    assert!(db.repos().of_member(m.id).await.unwrap().is_empty());
    assert!(matches!(
        RoleRepo::delete(&db.repos(), grant.id).await,
        Err(RepoError::NotFound)
    ));
}

#[tokio::test]
async fn single_member_reads_are_scoped_in_the_query_itself() {
    let t = TestDatabase::create().await;
    let db = t.connect().await;
    let tree = tree(&db).await;
    let repos = db.repos();
    let a1 = member(&tree.branch_a, "王建国", "13800000001");
    let b1 = member(&tree.branch_b, "王芳", "13800000003");
    for m in [&a1, &b1] {
        MemberRepo::insert(&repos, m).await.unwrap();
    }
    let seen = |subtrees: Vec<&Org>, branch: &Org, me: MemberId| MemberVisibility {
        subtrees: subtrees.into_iter().map(|o| o.path.clone()).collect(),
        branch: branch.path.clone(),
        member: me,
    };
    let visible = |w: MemberVisibility, id: MemberId| {
        let repos = db.repos();
        async move { repos.get_visible(id, &w).await.unwrap().map(|m| m.id) }
    };
    // A plain member of branch B: themself and branch B only.
    assert_eq!(
        visible(seen(vec![], &tree.branch_b, b1.id), b1.id).await,
        Some(b1.id)
    );
    assert_eq!(
        visible(seen(vec![], &tree.branch_b, b1.id), a1.id).await,
        None
    );
    // A role on the general branch covers branch A beneath it, not branch B.
    assert_eq!(
        visible(seen(vec![&tree.general], &tree.branch_b, b1.id), a1.id).await,
        Some(a1.id)
    );
    let stranger = MemberId::new();
    assert_eq!(
        visible(seen(vec![&tree.general], &tree.branch_b, stranger), b1.id).await,
        Some(b1.id)
    );
    assert_eq!(
        visible(seen(vec![&tree.general], &tree.branch_a, stranger), b1.id).await,
        None
    );
    assert_eq!(
        visible(seen(vec![&tree.committee], &tree.branch_a, stranger), b1.id).await,
        Some(b1.id)
    );
}
