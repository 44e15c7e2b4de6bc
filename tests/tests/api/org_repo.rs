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

use crate::repo_support::{
    after, assert_conflict, assert_invalid_cursor, assert_not_found, bad_cursor,
};

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
        probationary: false,
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
    assert_conflict(MemberRepo::insert(&repos, &twin).await, "ux_member_phone");

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
    assert_conflict(
        RoleRepo::insert(&db.repos(), &again).await,
        "ux_role_grant_member_kind_org",
    );
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

#[tokio::test]
async fn org_paths_and_names_under_one_parent_are_unique() {
    let t = TestDatabase::create().await;
    let db = t.connect().await;
    let tree = tree(&db).await;
    let repos = db.repos();

    let same_path = Org {
        id: OrgId::new(),
        name: "另一个支部".into(),
        ..tree.branch_a.clone()
    };
    assert_conflict(OrgRepo::insert(&repos, &same_path).await, "ux_org_path");
    let same_name = org(Some(&tree.general), OrgKind::Branch, "第一党支部");
    assert_conflict(
        OrgRepo::insert(&repos, &same_name).await,
        "ux_org_parent_name",
    );
    // The same name under another parent is another org.
    let elsewhere = org(Some(&tree.committee), OrgKind::Branch, "第一党支部");
    OrgRepo::insert(&repos, &elsewhere).await.unwrap();
    assert_eq!(
        OrgRepo::get(&repos, elsewhere.id).await.unwrap(),
        Some(elsewhere)
    );
}

#[tokio::test]
async fn tree_questions_answer_in_creation_order_and_stay_in_their_subtree() {
    let t = TestDatabase::create().await;
    let db = t.connect().await;
    let committee = org(None, OrgKind::Committee, "盖北镇党委");
    let general = org(Some(&committee), OrgKind::GeneralBranch, "虞北村党总支");
    let branch_a = org(Some(&general), OrgKind::Branch, "第一党支部");
    let group = org(Some(&branch_a), OrgKind::Group, "第一党小组");
    let branch_b = org(Some(&committee), OrgKind::Branch, "机关党支部");
    let other = org(None, OrgKind::Committee, "邻镇党委");
    let other_branch = org(Some(&other), OrgKind::Branch, "邻镇支部");
    // Written newest first: the answers follow creation (id) order, not the order of writing.
    for o in [
        &other_branch,
        &other,
        &branch_b,
        &group,
        &branch_a,
        &general,
        &committee,
    ] {
        OrgRepo::insert(&db.repos(), o).await.unwrap();
    }
    let repos = db.repos();

    assert_eq!(repos.roots().await.unwrap(), vec![committee.clone(), other]);
    assert_eq!(
        repos.all_children(committee.id).await.unwrap(),
        vec![general.clone(), branch_b.clone()]
    );
    assert!(repos.all_children(group.id).await.unwrap().is_empty());
    assert_eq!(
        repos.branches_under(&committee.path).await.unwrap(),
        vec![branch_a.clone(), branch_b.clone()]
    );
    assert_eq!(
        repos.branches_under(&general.path).await.unwrap(),
        vec![branch_a.clone()]
    );
    // The org itself is part of its subtree.
    assert_eq!(
        repos.branches_under(&branch_a.path).await.unwrap(),
        vec![branch_a.clone()]
    );
    let mut expected = vec![
        committee.clone(),
        general.clone(),
        branch_a.clone(),
        group.clone(),
        branch_b.clone(),
    ];
    expected.sort_by(|x, y| x.path.cmp(&y.path));
    assert_eq!(repos.subtree(&committee.path).await.unwrap(), expected);
    assert_eq!(
        repos.subtree(&general.path).await.unwrap(),
        vec![general, branch_a, group]
    );
}

#[tokio::test]
async fn a_page_cursor_that_is_not_an_id_is_invalid() {
    let t = TestDatabase::create().await;
    let db = t.connect().await;
    let tree = tree(&db).await;
    let repos = db.repos();
    let query = MemberQuery {
        org: tree.committee.path.clone(),
        include_subtree: true,
        name_contains: None,
        group: None,
    };

    assert_invalid_cursor(repos.children(tree.committee.id, &bad_cursor("x")).await);
    assert_invalid_cursor(repos.list(&query, &bad_cursor("12345")).await);
}

#[tokio::test]
async fn members_page_in_creation_order_and_filter_by_group() {
    let t = TestDatabase::create().await;
    let db = t.connect().await;
    let tree = tree(&db).await;
    let group = org(Some(&tree.branch_a), OrgKind::Group, "第一党小组");
    OrgRepo::insert(&db.repos(), &group).await.unwrap();
    let members: Vec<Member> = (1..=5)
        .map(|i| {
            let mut m = member(
                &tree.branch_a,
                &format!("党员{i}"),
                &format!("1380000000{i}"),
            );
            if i % 2 == 1 {
                m.group_id = Some(group.id);
            }
            m
        })
        .collect();
    for m in members.iter().rev() {
        MemberRepo::insert(&db.repos(), m).await.unwrap();
    }
    let repos = db.repos();
    let query = MemberQuery {
        org: tree.branch_a.path.clone(),
        include_subtree: false,
        name_contains: None,
        group: None,
    };
    let ids =
        |page: &domain::page::Page<Member>| page.items.iter().map(|m| m.id).collect::<Vec<_>>();

    let p1 = repos.list(&query, &PageRequest::first(2)).await.unwrap();
    assert_eq!(ids(&p1), [members[0].id, members[1].id]);
    let p2 = repos.list(&query, &after(2, &p1.next)).await.unwrap();
    assert_eq!(ids(&p2), [members[2].id, members[3].id]);
    let p3 = repos.list(&query, &after(2, &p2.next)).await.unwrap();
    assert_eq!(ids(&p3), [members[4].id]);
    assert_eq!(p3.next, None);

    let in_group = MemberQuery {
        group: Some(group.id),
        ..query.clone()
    };
    let grouped = repos.list(&in_group, &PageRequest::first(2)).await.unwrap();
    assert_eq!(ids(&grouped), [members[0].id, members[2].id]);
    let rest = repos
        .list(&in_group, &after(2, &grouped.next))
        .await
        .unwrap();
    assert_eq!(ids(&rest), [members[4].id]);
    assert_eq!(rest.next, None);
}

#[tokio::test]
async fn member_updates_keep_phones_unique_and_a_missing_member_is_not_found() {
    let t = TestDatabase::create().await;
    let db = t.connect().await;
    let tree = tree(&db).await;
    let repos = db.repos();
    let first = member(&tree.branch_a, "王建国", "13800000001");
    let second = member(&tree.branch_a, "李明", "13800000002");
    for m in [&first, &second] {
        MemberRepo::insert(&repos, m).await.unwrap();
    }

    let mut taking = second.clone();
    taking.phone = first.phone.clone();
    assert_conflict(MemberRepo::update(&repos, &taking).await, "ux_member_phone");
    assert_eq!(
        MemberRepo::get(&repos, second.id).await.unwrap(),
        Some(second)
    );
    let ghost = member(&tree.branch_a, "无名", "13800000009");
    assert_not_found(MemberRepo::update(&repos, &ghost).await);
    assert!(MemberRepo::get(&repos, ghost.id).await.unwrap().is_none());

    let uow = db.begin().await.unwrap();
    uow.members().lock(first.id).await.unwrap();
    assert_not_found(uow.members().lock(ghost.id).await);
}

#[tokio::test]
async fn active_in_branch_lists_that_branchs_active_members_in_creation_order() {
    let t = TestDatabase::create().await;
    let db = t.connect().await;
    let tree = tree(&db).await;
    let a1 = member(&tree.branch_a, "王建国", "13800000001");
    let mut gone = member(&tree.branch_a, "李明", "13800000002");
    gone.status = MemberStatus::Deactivated;
    let a3 = member(&tree.branch_a, "赵强", "13800000003");
    let b1 = member(&tree.branch_b, "王芳", "13800000004");
    for m in [&a3, &b1, &gone, &a1] {
        MemberRepo::insert(&db.repos(), m).await.unwrap();
    }
    let repos = db.repos();

    assert_eq!(
        repos.active_in_branch(&tree.branch_a.path).await.unwrap(),
        vec![a1, a3]
    );
    // Members of branches below are not members of the general branch itself.
    assert!(repos
        .active_in_branch(&tree.general.path)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn grants_are_found_by_id_and_by_the_org_they_are_held_on() {
    let t = TestDatabase::create().await;
    let db = t.connect().await;
    let tree = tree(&db).await;
    let m = member(&tree.branch_a, "王建国", "13800000001");
    let n = member(&tree.branch_a, "李明", "13800000002");
    for x in [&m, &n] {
        MemberRepo::insert(&db.repos(), x).await.unwrap();
    }
    let grant = |who: &Member, kind: RoleKind, on: &Org| RoleGrant {
        id: RoleGrantId::new(),
        member_id: who.id,
        kind,
        org_id: on.id,
        org_path: on.path.clone(),
        can_review: true,
        granted_at: default_test_instant(),
    };
    let secretary = grant(&m, RoleKind::Secretary, &tree.branch_a);
    let committee = grant(&n, RoleKind::Committee, &tree.branch_a);
    let above = grant(&m, RoleKind::TownshipAdmin, &tree.committee);
    for g in [&above, &committee, &secretary] {
        RoleRepo::insert(&db.repos(), g).await.unwrap();
    }
    let repos = db.repos();

    assert_eq!(
        RoleRepo::get(&repos, committee.id).await.unwrap(),
        Some(committee.clone())
    );
    assert!(RoleRepo::get(&repos, RoleGrantId::new())
        .await
        .unwrap()
        .is_none());
    // The port promises no order for these: compare them as sets.
    let by_id = |mut grants: Vec<RoleGrant>| {
        grants.sort_by_key(|g| g.id);
        grants
    };
    assert_eq!(
        by_id(repos.held_on(tree.branch_a.id).await.unwrap()),
        by_id(vec![secretary.clone(), committee])
    );
    // Held on the org itself only: a grant on the committee is not held on its branches.
    assert_eq!(
        repos.held_on(tree.committee.id).await.unwrap(),
        vec![above.clone()]
    );
    assert!(repos.held_on(tree.general.id).await.unwrap().is_empty());
    assert_eq!(
        by_id(repos.of_member(m.id).await.unwrap()),
        by_id(vec![secretary, above])
    );
}

#[tokio::test]
async fn a_backslash_in_the_search_text_matches_itself_only() {
    let t = TestDatabase::create().await;
    let db = t.connect().await;
    let tree = tree(&db).await;
    let slashed = member(&tree.branch_a, "王\\建国", "13800000001");
    let plain = member(&tree.branch_a, "王建国", "13800000002");
    for m in [&slashed, &plain] {
        MemberRepo::insert(&db.repos(), m).await.unwrap();
    }
    let query = |text: &str| MemberQuery {
        org: tree.committee.path.clone(),
        include_subtree: true,
        name_contains: Some(text.to_owned()),
        group: None,
    };
    let ids = |text: &'static str| {
        let repos = db.repos();
        let q = query(text);
        async move {
            repos
                .list(&q, &PageRequest::first(10))
                .await
                .unwrap()
                .items
                .into_iter()
                .map(|m| m.id)
                .collect::<Vec<_>>()
        }
    };

    assert_eq!(ids("\\").await, [slashed.id]);
    assert_eq!(ids("王\\建").await, [slashed.id]);
    assert_eq!(ids("建国").await, [slashed.id, plain.id]);
}
