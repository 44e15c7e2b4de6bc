//! The peer-ballot repository (ballots under reviewer tags, the turnout record, the ballot
//! secret) on the configured backend.

use domain::appraisal::{Ballot, BallotRepo, BallotSecret, Campaign, Dimension, Grade};
use domain::org::{Member, MemberId};
use domain::uow::Transactional;
use infra::Db;
use tests::fixtures::Township;

use crate::appraisal_repo::{campaign, open, participant};
use crate::repo_support::township;

fn ballot(c: &Campaign, on: &Member, g: Grade, comment: Option<&str>) -> Ballot {
    let grades: Vec<(Dimension, Grade)> = Dimension::ALL.iter().map(|d| (*d, g)).collect();
    Ballot::new(c.id, on.id, g, &grades, comment).unwrap()
}

/// A branch-A campaign with branch A's and B's members taking part.
async fn campaign_of(db: &Db, t: &Township) -> Campaign {
    let c = campaign(&t.branch_a, 0, &t.secretary_a);
    let ps: Vec<_> = [&t.member_a, &t.member_a2, &t.secretary_a, &t.member_b]
        .into_iter()
        .map(|m| participant(&c, m))
        .collect();
    open(db, &c, &ps).await;
    c
}

fn secret(n: u8) -> BallotSecret {
    BallotSecret::from_bytes([n; 32])
}

#[tokio::test]
async fn a_second_ballot_of_the_same_reviewer_replaces_the_first() {
    let (_t, db, town) = township().await;
    let c = campaign_of(&db, &town).await;
    let repos = db.repos();
    let s = repos.create_secret(c.id, &secret(1)).await.unwrap();
    let tag = s.tag(town.member_a.id);
    let first = ballot(&c, &town.member_a2, Grade::Excellent, Some("很好"));
    repos.upsert_ballot(&tag, &first).await.unwrap();
    let second = ballot(&c, &town.member_a2, Grade::BasicallyQualified, None);
    repos.upsert_ballot(&tag, &second).await.unwrap();
    let all = repos
        .ballots_under(c.id, &town.branch_a.path)
        .await
        .unwrap();
    assert_eq!(all, vec![second.clone()]);
    assert_eq!(repos.ballots_by(c.id, &tag).await.unwrap(), vec![second]);
}

#[tokio::test]
async fn tags_keep_reviewers_apart_and_reads_stay_in_the_branch() {
    let (_t, db, town) = township().await;
    let c = campaign_of(&db, &town).await;
    let repos = db.repos();
    let s = repos.create_secret(c.id, &secret(2)).await.unwrap();
    let (mine, theirs) = (s.tag(town.member_a.id), s.tag(town.secretary_a.id));
    let my_ballot = ballot(&c, &town.member_a2, Grade::Qualified, None);
    repos.upsert_ballot(&mine, &my_ballot).await.unwrap();
    repos
        .upsert_ballot(
            &theirs,
            &ballot(&c, &town.member_a2, Grade::Excellent, None),
        )
        .await
        .unwrap();
    repos
        .upsert_ballot(&theirs, &ballot(&c, &town.member_b, Grade::Excellent, None))
        .await
        .unwrap();
    assert_eq!(
        repos.ballots_by(c.id, &mine).await.unwrap(),
        vec![my_ballot]
    );
    assert_eq!(repos.ballots_by(c.id, &theirs).await.unwrap().len(), 2);
    let in_a = repos
        .ballots_under(c.id, &town.branch_a.path)
        .await
        .unwrap();
    assert_eq!(in_a.len(), 2);
    assert!(in_a.iter().all(|b| b.reviewee_id == town.member_a2.id));
    let in_b = repos
        .ballots_under(c.id, &town.branch_b.path)
        .await
        .unwrap();
    assert_eq!(in_b.len(), 1);
}

#[tokio::test]
async fn the_first_secret_stays_and_erasing_it_unlinks_every_ballot() {
    let (_t, db, town) = township().await;
    let c = campaign_of(&db, &town).await;
    let repos = db.repos();
    assert_eq!(repos.secret(c.id).await.unwrap(), None);
    let s = repos.create_secret(c.id, &secret(3)).await.unwrap();
    assert_eq!(s, secret(3));
    assert_eq!(
        repos.create_secret(c.id, &secret(4)).await.unwrap(),
        secret(3),
        "a second first ballot agrees on the stored secret"
    );
    let tag = s.tag(town.member_a.id);
    for on in [&town.member_a2, &town.secretary_a] {
        repos
            .upsert_ballot(&tag, &ballot(&c, on, Grade::Qualified, Some("认真")))
            .await
            .unwrap();
    }
    let uow = db.begin().await.unwrap();
    assert!(uow.ballots().erase_secret(c.id).await.unwrap());
    uow.commit().await.unwrap();
    assert_eq!(repos.secret(c.id).await.unwrap(), None);
    assert!(!repos.erase_secret(c.id).await.unwrap(), "nothing left");
    assert_eq!(repos.ballots_by(c.id, &tag).await.unwrap(), vec![]);
    let kept = repos
        .ballots_under(c.id, &town.branch_a.path)
        .await
        .unwrap();
    assert_eq!(kept.len(), 2, "the ballots themselves stay");
    assert!(kept.iter().all(|b| b.comment.as_deref() == Some("认真")));
}

#[tokio::test]
async fn a_voter_is_recorded_once_and_counted_in_their_branch() {
    let (_t, db, town) = township().await;
    let c = campaign_of(&db, &town).await;
    let repos = db.repos();
    repos.record_voter(c.id, town.member_a.id).await.unwrap();
    repos.record_voter(c.id, town.member_a.id).await.unwrap();
    repos.record_voter(c.id, town.member_b.id).await.unwrap();
    let in_a: Vec<MemberId> = repos.voters(c.id, &town.branch_a.path).await.unwrap();
    assert_eq!(in_a, vec![town.member_a.id]);
    assert_eq!(
        repos
            .voters(c.id, &town.committee.path)
            .await
            .unwrap()
            .len(),
        2
    );
}
