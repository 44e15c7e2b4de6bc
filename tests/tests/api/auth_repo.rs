//! The session repositories on the configured backend: refresh tokens, the record of ended
//! sessions (checked with every access token), and links to outside accounts.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use domain::auth::{
    ExternalIdentity, ExternalIdentityRepo, Principal, RefreshToken, RefreshTokenId,
    RefreshTokenRepo, SessionFamilyId, WECHAT_PROVIDER,
};
use domain::org::{Member, MemberId};
use domain::uow::Transactional;
use infra::Db;

use crate::repo_support::{assert_conflict, at, township};

fn token(member: &Member, family: SessionFamilyId, created: DateTime<Utc>) -> RefreshToken {
    let id = RefreshTokenId::new();
    RefreshToken {
        id,
        family_id: family,
        principal: Principal::Member(member.id),
        token_hash: format!("{:064x}", id.as_uuid().as_u128()),
        created_at: created,
        expires_at: created + Duration::days(30),
        used_at: None,
        revoked_at: None,
    }
}

async fn stored(db: &Db, t: &RefreshToken) -> RefreshToken {
    db.repos()
        .find_by_hash(&t.token_hash)
        .await
        .unwrap()
        .unwrap()
}

/// Whether an access token with these claims, issued at `issued`, was revoked.
async fn revoked(
    db: &Db,
    member: MemberId,
    session: Option<SessionFamilyId>,
    jti: Option<uuid::Uuid>,
    issued: DateTime<Utc>,
) -> bool {
    db.repos()
        .caller(member, session.map(|s| s.as_uuid()), jti, issued)
        .await
        .unwrap()
        .unwrap()
        .revoked
}

#[tokio::test]
async fn refresh_tokens_are_found_by_hash_and_a_hash_is_stored_once() {
    let (_t, db, town) = township().await;
    let t = token(&town.member_a, SessionFamilyId::new(), at(0));
    db.repos().insert(&t).await.unwrap();

    assert_eq!(stored(&db, &t).await, t);
    assert_eq!(db.repos().find_by_hash("0").await.unwrap(), None);
    let same_hash = RefreshToken {
        id: RefreshTokenId::new(),
        principal: Principal::Member(town.member_b.id),
        ..t.clone()
    };
    assert_conflict(db.repos().insert(&same_hash).await, "ux_refresh_token_hash");
}

#[tokio::test]
async fn a_token_is_marked_used_once_and_never_once_revoked_or_expired() {
    let (_t, db, town) = township().await;
    let family = SessionFamilyId::new();
    let fresh = token(&town.member_a, family, at(0));
    let expiring = token(&town.member_a, family, at(0));
    let expired = token(&town.member_a, family, at(0));
    let mut revoked_one = token(&town.member_a, family, at(0));
    revoked_one.revoked_at = Some(at(10));
    for t in [&fresh, &expiring, &expired, &revoked_one] {
        db.repos().insert(t).await.unwrap();
    }
    let repos = db.repos();

    assert!(repos.mark_used(fresh.id, at(20)).await.unwrap());
    assert!(!repos.mark_used(fresh.id, at(21)).await.unwrap());
    assert_eq!(stored(&db, &fresh).await.used_at, Some(at(20)));
    // Good until just before it expires; at the instant it expires, no longer.
    let last_moment = expiring.expires_at - Duration::seconds(1);
    assert!(repos.mark_used(expiring.id, last_moment).await.unwrap());
    assert!(!repos
        .mark_used(expired.id, expired.expires_at)
        .await
        .unwrap());
    assert!(!repos.mark_used(revoked_one.id, at(20)).await.unwrap());
    assert!(!repos
        .mark_used(RefreshTokenId::new(), at(20))
        .await
        .unwrap());
    assert_eq!(stored(&db, &expired).await.used_at, None);
}

#[tokio::test]
async fn racing_exchanges_of_one_token_have_exactly_one_winner() {
    let (_t, db, town) = township().await;
    let t = token(&town.member_a, SessionFamilyId::new(), at(0));
    db.repos().insert(&t).await.unwrap();
    let db = Arc::new(db);

    let racers: Vec<_> = (0..8)
        .map(|i| {
            let db = db.clone();
            tokio::spawn(async move { db.repos().mark_used(t.id, at(10 + i)).await.unwrap() })
        })
        .collect();
    let mut winners = 0;
    for r in racers {
        if r.await.unwrap() {
            winners += 1;
        }
    }

    assert_eq!(winners, 1);
}

#[tokio::test]
async fn ending_a_session_ends_its_tokens_and_no_other_session() {
    let (_t, db, town) = township().await;
    let m = &town.member_a;
    let (ended, kept) = (SessionFamilyId::new(), SessionFamilyId::new());
    let t1 = token(m, ended, at(0));
    let t2 = token(m, ended, at(5));
    let t3 = token(m, kept, at(0));
    for t in [&t1, &t2, &t3] {
        db.repos().insert(t).await.unwrap();
    }

    db.repos().revoke_family(ended, m.id, at(60)).await.unwrap();

    assert_eq!(stored(&db, &t1).await.revoked_at, Some(at(60)));
    assert_eq!(stored(&db, &t2).await.revoked_at, Some(at(60)));
    assert_eq!(stored(&db, &t3).await.revoked_at, None);
    // Access tokens of the session, issued before or after the moment, are revoked.
    assert!(revoked(&db, m.id, Some(ended), None, at(30)).await);
    assert!(revoked(&db, m.id, Some(ended), None, at(90)).await);
    assert!(!revoked(&db, m.id, Some(kept), None, at(30)).await);
    assert!(!revoked(&db, m.id, None, None, at(30)).await);

    // Ending it again keeps the first moment.
    db.repos()
        .revoke_family(ended, m.id, at(120))
        .await
        .unwrap();
    assert_eq!(stored(&db, &t1).await.revoked_at, Some(at(60)));
}

#[tokio::test]
async fn ending_one_token_ends_that_access_token_only() {
    let (_t, db, town) = township().await;
    let m = &town.member_a;
    let (jti, other_jti) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());

    db.repos().revoke_token(jti, m.id, at(60)).await.unwrap();

    assert!(revoked(&db, m.id, None, Some(jti), at(0)).await);
    assert!(!revoked(&db, m.id, None, Some(other_jti), at(0)).await);
    assert!(!revoked(&db, town.member_b.id, None, None, at(0)).await);
}

#[tokio::test]
async fn ending_every_session_of_a_member_covers_tokens_issued_at_or_before_that_moment() {
    let (_t, db, town) = township().await;
    let m = &town.member_a;
    let t = token(m, SessionFamilyId::new(), at(0));
    let theirs = token(&town.member_b, SessionFamilyId::new(), at(0));
    for x in [&t, &theirs] {
        db.repos().insert(x).await.unwrap();
    }

    db.repos().revoke_member(m.id, at(60)).await.unwrap();

    assert_eq!(stored(&db, &t).await.revoked_at, Some(at(60)));
    assert_eq!(stored(&db, &theirs).await.revoked_at, None);
    assert!(revoked(&db, m.id, None, None, at(59)).await);
    assert!(revoked(&db, m.id, None, None, at(60)).await);
    assert!(!revoked(&db, m.id, None, None, at(61)).await);
    assert!(!revoked(&db, town.member_b.id, None, None, at(0)).await);
}

#[tokio::test]
async fn a_member_revocation_only_ever_moves_later() {
    let (_t, db, town) = township().await;
    let m = &town.member_a;
    db.repos().revoke_member(m.id, at(60)).await.unwrap();

    // Taken at an earlier instant (another instance, a slower request): the gap stays shut.
    db.repos().revoke_member(m.id, at(30)).await.unwrap();
    assert!(revoked(&db, m.id, None, None, at(45)).await);
    assert!(revoked(&db, m.id, None, None, at(60)).await);

    db.repos().revoke_member(m.id, at(120)).await.unwrap();
    assert!(revoked(&db, m.id, None, None, at(90)).await);
    assert!(!revoked(&db, m.id, None, None, at(121)).await);
}

#[tokio::test]
async fn a_member_revocation_ends_their_sessions_even_for_tokens_issued_after_it() {
    let (_t, db, town) = township().await;
    let m = &town.member_a;
    let family = SessionFamilyId::new();
    db.repos().insert(&token(m, family, at(0))).await.unwrap();

    let uow = db.begin().await.unwrap();
    uow.refresh_tokens()
        .revoke_member(m.id, at(60))
        .await
        .unwrap();
    // A refresh racing the revocation (or an instance whose clock runs ahead) issues a
    // token of the same session after the moment.
    let late = token(m, family, at(90));
    uow.refresh_tokens().insert(&late).await.unwrap();
    uow.commit().await.unwrap();

    assert!(revoked(&db, m.id, Some(family), None, at(90)).await);
    // A session begun after the revocation is a new one.
    assert!(!revoked(&db, m.id, Some(SessionFamilyId::new()), None, at(90)).await);
}

#[tokio::test]
async fn the_caller_is_the_member_the_token_names_or_nobody() {
    let (_t, db, town) = township().await;

    let caller = db
        .repos()
        .caller(town.member_a.id, None, None, at(0))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(caller.member, town.member_a);
    assert!(!caller.revoked);
    let nobody = db
        .repos()
        .caller(MemberId::new(), Some(uuid::Uuid::now_v7()), None, at(0))
        .await
        .unwrap();
    assert!(nobody.is_none());
}

fn identity(subject: &str, member: &Member) -> ExternalIdentity {
    ExternalIdentity {
        provider: WECHAT_PROVIDER.into(),
        subject: subject.into(),
        member_id: member.id,
        linked_at: at(0),
    }
}

#[tokio::test]
async fn an_account_links_to_one_member_and_a_member_to_one_account_per_provider() {
    let (_t, db, town) = township().await;
    let repos = db.repos();
    let linked = identity("openid-a", &town.member_a);
    repos.link(&linked).await.unwrap();

    assert_eq!(
        repos.find(WECHAT_PROVIDER, "openid-a").await.unwrap(),
        Some(linked.clone())
    );
    assert_eq!(
        repos
            .of_member(WECHAT_PROVIDER, town.member_a.id)
            .await
            .unwrap(),
        Some(linked.clone())
    );
    assert_eq!(repos.find(WECHAT_PROVIDER, "openid-b").await.unwrap(), None);
    assert_eq!(repos.find("other", "openid-a").await.unwrap(), None);
    assert_eq!(
        repos
            .of_member(WECHAT_PROVIDER, town.member_b.id)
            .await
            .unwrap(),
        None
    );

    assert_conflict(
        repos.link(&identity("openid-a", &town.member_b)).await,
        "external_identity_pkey",
    );
    assert_conflict(
        repos.link(&identity("openid-b", &town.member_a)).await,
        "ux_external_identity_provider_member",
    );
    // Another provider is another account, for the same subject and member alike.
    let elsewhere = ExternalIdentity {
        provider: "other".into(),
        ..identity("openid-a", &town.member_a)
    };
    repos.link(&elsewhere).await.unwrap();
    assert_eq!(
        repos.of_member("other", town.member_a.id).await.unwrap(),
        Some(elsewhere)
    );
}

#[tokio::test]
async fn unlinking_answers_whether_there_was_an_account_and_frees_both_sides() {
    let (_t, db, town) = township().await;
    let repos = db.repos();
    repos
        .link(&identity("openid-a", &town.member_a))
        .await
        .unwrap();
    let kept = ExternalIdentity {
        provider: "other".into(),
        ..identity("openid-x", &town.member_a)
    };
    repos.link(&kept).await.unwrap();

    assert!(repos
        .unlink(WECHAT_PROVIDER, town.member_a.id)
        .await
        .unwrap());
    assert!(!repos
        .unlink(WECHAT_PROVIDER, town.member_a.id)
        .await
        .unwrap());
    assert_eq!(repos.find(WECHAT_PROVIDER, "openid-a").await.unwrap(), None);
    assert_eq!(
        repos.of_member("other", town.member_a.id).await.unwrap(),
        Some(kept)
    );

    // The account and the member are both free again.
    repos
        .link(&identity("openid-a", &town.member_b))
        .await
        .unwrap();
    repos
        .link(&identity("openid-c", &town.member_a))
        .await
        .unwrap();
}
