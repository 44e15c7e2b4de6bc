//! The rectification repository on the configured backend.

use chrono::NaiveDate;

use domain::appraisal::{
    CampaignId, ProblemFound, Rectification, RectificationRepo, RectificationSource,
};
use domain::org::Member;

use crate::repo_support::{at, township};

fn problem(p: &str, due: &str) -> ProblemFound {
    ProblemFound {
        problem: p.into(),
        measure: "措施".into(),
        due_on: NaiveDate::parse_from_str(due, "%Y-%m-%d").unwrap(),
    }
}

fn lines(c: CampaignId, m: &Member, problems: &[ProblemFound], secs: i64) -> Vec<Rectification> {
    Rectification::from_problems(c, m.id, &m.branch_path, problems, at(secs))
}

#[tokio::test]
async fn a_resubmission_replaces_only_the_members_open_self_found_lines() {
    let (_t, db, town) = township().await;
    let repos = db.repos();
    let c = CampaignId::new();
    let first = lines(
        c,
        &town.member_a,
        &[problem("甲", "2027-01-31"), problem("乙", "2026-12-31")],
        0,
    );
    repos
        .replace_from_assessment(c, town.member_a.id, &first)
        .await
        .unwrap();
    // One is done; the secretary added another.
    repos
        .set_done(first[0].id, Some(&(at(10), "已完成".into())), at(10))
        .await
        .unwrap();
    let mut added = lines(c, &town.member_a, &[problem("丙", "2027-02-28")], 20).remove(0);
    added.source = RectificationSource::Secretary;
    repos.insert_rectification(&added).await.unwrap();
    let again = lines(c, &town.member_a, &[problem("丁", "2027-03-31")], 30);
    repos
        .replace_from_assessment(c, town.member_a.id, &again)
        .await
        .unwrap();
    let mine = repos.rectifications_of(c, town.member_a.id).await.unwrap();
    // By due date: 甲 (done, kept), 丙 (the secretary's), 丁 (new); 乙 is gone.
    let problems: Vec<&str> = mine.iter().map(|l| l.problem.as_str()).collect();
    assert_eq!(problems, ["甲", "丙", "丁"]);
    assert_eq!(mine[0].done, Some((at(10), "已完成".to_owned())));
    // Another member's and another campaign's lines are apart.
    repos
        .replace_from_assessment(
            c,
            town.member_b.id,
            &lines(c, &town.member_b, &[problem("戊", "2027-01-01")], 40),
        )
        .await
        .unwrap();
    assert_eq!(
        repos
            .rectifications_of(c, town.member_a.id)
            .await
            .unwrap()
            .len(),
        3
    );
    assert!(repos
        .rectifications_of(CampaignId::new(), town.member_a.id)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        repos
            .rectifications_under(c, &town.branch_a.path)
            .await
            .unwrap()
            .len(),
        3
    );
    assert_eq!(
        repos
            .rectifications_under(c, &town.committee.path)
            .await
            .unwrap()
            .len(),
        4
    );
}

#[tokio::test]
async fn a_line_is_marked_done_and_open_again_and_a_missing_one_is_not_found() {
    let (_t, db, town) = township().await;
    let repos = db.repos();
    let c = CampaignId::new();
    let l = lines(c, &town.member_a, &[problem("甲", "2027-01-31")], 0).remove(0);
    repos.insert_rectification(&l).await.unwrap();
    repos
        .set_done(l.id, Some(&(at(5), "完成".into())), at(5))
        .await
        .unwrap();
    assert!(repos
        .rectification(l.id)
        .await
        .unwrap()
        .unwrap()
        .done
        .is_some());
    repos.set_done(l.id, None, at(6)).await.unwrap();
    let back = repos.rectification(l.id).await.unwrap().unwrap();
    assert_eq!((back.done, back.updated_at), (None, at(6)));
    let missing = lines(c, &town.member_a, &[problem("乙", "2027-01-31")], 9).remove(0);
    assert!(matches!(
        repos.set_done(missing.id, None, at(9)).await,
        Err(domain::error::RepoError::NotFound)
    ));
}
