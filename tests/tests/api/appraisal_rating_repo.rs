//! The appraisal rating repository (ratings, objections, appeals) on the configured
//! backend.

use domain::appraisal::{
    Answer, CampaignId, Grade, Objection, ObjectionKind, Rating, RatingRepo, Verdict,
};
use domain::org::Member;

use crate::repo_support::{assert_conflict, at, township};

fn rating(c: CampaignId, m: &Member, grade: Grade, secs: i64, by: &Member) -> Rating {
    Rating {
        campaign_id: c,
        member_id: m.id,
        branch_path: m.branch_path.clone(),
        grade,
        rationale: "表现良好".into(),
        negative_items: if grade == Grade::Unqualified {
            vec![4]
        } else {
            vec![]
        },
        rated_by: by.id,
        rated_at: at(secs),
    }
}

fn objection(c: CampaignId, m: &Member, kind: ObjectionKind, secs: i64) -> Objection {
    Objection {
        campaign_id: c,
        member_id: m.id,
        kind,
        branch_path: m.branch_path.clone(),
        reason: "本人全年按时参加组织生活".into(),
        lodged_at: at(secs),
        answer: None,
    }
}

#[tokio::test]
async fn a_rating_replaces_the_one_before_and_ratings_are_read_by_subtree() {
    let (_t, db, town) = township().await;
    let repos = db.repos();
    let c = CampaignId::new();
    let other = CampaignId::new();
    repos
        .put_rating(&rating(
            c,
            &town.member_a,
            Grade::Excellent,
            0,
            &town.secretary_a,
        ))
        .await
        .unwrap();
    repos
        .put_rating(&rating(c, &town.member_b, Grade::Qualified, 0, &town.admin))
        .await
        .unwrap();
    repos
        .put_rating(&rating(
            other,
            &town.member_a,
            Grade::Qualified,
            0,
            &town.secretary_a,
        ))
        .await
        .unwrap();
    let changed = rating(c, &town.member_a, Grade::Unqualified, 60, &town.admin);
    repos.put_rating(&changed).await.unwrap();
    assert_eq!(
        repos.rating(c, town.member_a.id).await.unwrap(),
        Some(changed)
    );
    let in_a = repos.ratings(c, &town.branch_a.path).await.unwrap();
    assert_eq!(
        in_a.iter().map(|r| r.member_id).collect::<Vec<_>>(),
        [town.member_a.id]
    );
    assert_eq!(
        repos.ratings(c, &town.committee.path).await.unwrap().len(),
        2
    );
    assert!(repos.rating(c, town.member_a2.id).await.unwrap().is_none());
}

#[tokio::test]
async fn an_objection_is_lodged_once_per_kind_and_answered_once() {
    let (_t, db, town) = township().await;
    let repos = db.repos();
    let c = CampaignId::new();
    let o = objection(c, &town.member_a, ObjectionKind::Objection, 0);
    repos.insert_objection(&o).await.unwrap();
    assert_conflict(
        repos
            .insert_objection(&objection(c, &town.member_a, ObjectionKind::Objection, 5))
            .await,
        "appraisal_objection_pkey",
    );
    // An appeal is a kind of its own.
    repos
        .insert_objection(&objection(c, &town.member_a, ObjectionKind::Appeal, 10))
        .await
        .unwrap();
    let answer = Answer {
        verdict: Verdict::Upheld,
        reason: "经核实属实".into(),
        grade: Some(Grade::Qualified),
        by: town.secretary_a.id,
        at: at(20),
    };
    assert!(repos
        .answer_objection(c, town.member_a.id, ObjectionKind::Objection, &answer)
        .await
        .unwrap());
    let again = Answer {
        verdict: Verdict::Rejected,
        grade: None,
        ..answer.clone()
    };
    assert!(!repos
        .answer_objection(c, town.member_a.id, ObjectionKind::Objection, &again)
        .await
        .unwrap());
    assert!(!repos
        .answer_objection(c, town.member_b.id, ObjectionKind::Objection, &again)
        .await
        .unwrap());
    let stored = repos
        .objection(c, town.member_a.id, ObjectionKind::Objection)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.answer, Some(answer));
    let appeal = repos
        .objection(c, town.member_a.id, ObjectionKind::Appeal)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(appeal.answer, None);
}

#[tokio::test]
async fn objections_are_listed_by_kind_and_subtree_oldest_first() {
    let (_t, db, town) = township().await;
    let repos = db.repos();
    let c = CampaignId::new();
    repos
        .insert_objection(&objection(c, &town.member_a2, ObjectionKind::Objection, 30))
        .await
        .unwrap();
    repos
        .insert_objection(&objection(c, &town.member_a, ObjectionKind::Objection, 10))
        .await
        .unwrap();
    repos
        .insert_objection(&objection(c, &town.member_b, ObjectionKind::Objection, 20))
        .await
        .unwrap();
    repos
        .insert_objection(&objection(c, &town.member_a, ObjectionKind::Appeal, 40))
        .await
        .unwrap();
    let in_a = repos
        .objections(c, &town.branch_a.path, ObjectionKind::Objection)
        .await
        .unwrap();
    assert_eq!(
        in_a.iter().map(|o| o.member_id).collect::<Vec<_>>(),
        [town.member_a.id, town.member_a2.id]
    );
    let all = repos
        .objections(c, &town.committee.path, ObjectionKind::Objection)
        .await
        .unwrap();
    assert_eq!(all.len(), 3);
    let appeals = repos
        .objections(c, &town.committee.path, ObjectionKind::Appeal)
        .await
        .unwrap();
    assert_eq!(appeals.len(), 1);
    assert!(repos
        .objections(
            CampaignId::new(),
            &town.committee.path,
            ObjectionKind::Objection
        )
        .await
        .unwrap()
        .is_empty());
}
