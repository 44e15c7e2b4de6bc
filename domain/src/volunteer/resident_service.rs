//! Signing residents in, and checking their text.

use chrono::{DateTime, Utc};

use super::moderation::{ContentCheck, ContentScene, ContentVerdict};
use super::resident::{Resident, ResidentPhone};
use super::ResidentId;
use crate::auth::WECHAT_PROVIDER;
use crate::error::{DomainError, ErrorCode, RepoError};
use crate::uow::Transactional;

/// What a resident signs in with: the openid a spent sign-in ticket stood for, when WeChat
/// named it, and the phone.
#[derive(Debug, Clone)]
pub struct ResidentSignIn {
    pub openid: String,
    /// When WeChat's `code2session` named the openid.
    pub seen_at: DateTime<Utc>,
    pub phone: ResidentPhone,
    pub name: Option<String>,
}

/// Finds or creates the resident of `input.openid`, in one unit of work: a new one is
/// created; a known one takes the phone (a vouched phone is never replaced by a typed
/// one), the name if one is given, and the later sign-in time. An openid bound to a roster
/// member is refused (`wechat_account_is_member`): that person signs in as the member.
pub async fn sign_in_resident(
    tx: &dyn Transactional,
    input: ResidentSignIn,
    now: DateTime<Utc>,
) -> Result<Resident, DomainError> {
    let uow = tx.begin().await?;
    if uow
        .external_identities()
        .find(WECHAT_PROVIDER, &input.openid)
        .await?
        .is_some()
    {
        return Err(DomainError::conflict(
            ErrorCode::WechatAccountIsMember,
            "this WeChat account is bound to a Party member: sign in again to get the member's session",
        ));
    }
    let residents = uow.residents();
    let resident = match residents.find_by_openid(&input.openid).await? {
        Some(known) => {
            let updated = updated(known, &input);
            residents.update(&updated).await?;
            updated
        }
        None => {
            let new = Resident {
                id: ResidentId::at(now),
                openid: input.openid.clone(),
                phone: input.phone.number.clone(),
                phone_verified: input.phone.verified,
                name: input.name.clone(),
                created_at: now,
                last_seen_at: input.seen_at,
            };
            residents.insert(&new).await.map_err(|e| match e {
                // Two first sign-ins of one openid at once: the other one won; sign in again.
                RepoError::Conflict { .. } => DomainError::conflict(
                    ErrorCode::ResourceConflict,
                    "this resident was registered meanwhile; sign in again",
                ),
                other => other.into(),
            })?;
            new
        }
    };
    uow.commit().await?;
    Ok(resident)
}

fn updated(known: Resident, input: &ResidentSignIn) -> Resident {
    let keep_vouched = known.phone_verified && !input.phone.verified;
    Resident {
        phone: if keep_vouched {
            known.phone.clone()
        } else {
            input.phone.number.clone()
        },
        phone_verified: known.phone_verified || input.phone.verified,
        name: input.name.clone().or(known.name.clone()),
        last_seen_at: known.last_seen_at.max(input.seen_at),
        ..known
    }
}

/// Checks a resident's text with `check`, never failing: a resident who has not signed in
/// with WeChat within [`CONTENT_CHECK_WINDOW`](super::CONTENT_CHECK_WINDOW) cannot be checked by WeChat, and a check that
/// fails says nothing; either way the text is held for an operator
/// ([`ContentVerdict::Review`]), so nothing unchecked is ever shown.
pub async fn check_resident_text(
    check: &dyn ContentCheck,
    resident: &Resident,
    text: &str,
    scene: ContentScene,
    now: DateTime<Utc>,
) -> ContentVerdict {
    if !resident.content_checkable(now) {
        return ContentVerdict::Review;
    }
    match check.check(&resident.openid, text, scene).await {
        Ok(verdict) => verdict,
        Err(e) => {
            tracing::warn!(error = %e, "content check failed; the text is held for an operator");
            ContentVerdict::Review
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::PhoneNumber;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap_or_default()
    }

    fn resident(last_seen_at: DateTime<Utc>) -> Resident {
        Resident {
            id: ResidentId::new(),
            openid: "o-1".into(),
            phone: PhoneNumber::parse("13800000001").unwrap_or_else(|e| panic!("{e:?}")),
            phone_verified: true,
            name: None,
            created_at: last_seen_at,
            last_seen_at,
        }
    }

    #[test]
    fn a_vouched_phone_is_not_replaced_by_a_typed_one_and_sign_in_times_only_move_on() {
        let known = resident(at(100));
        let typed = ResidentSignIn {
            openid: known.openid.clone(),
            seen_at: at(50),
            phone: ResidentPhone::typed("13900000009", "13900000009")
                .unwrap_or_else(|e| panic!("{e:?}")),
            name: Some("王阿姨".into()),
        };
        let after = updated(known.clone(), &typed);
        assert_eq!(after.phone, known.phone);
        assert!(after.phone_verified);
        assert_eq!(after.name.as_deref(), Some("王阿姨"));
        assert_eq!(after.last_seen_at, at(100));
        let unverified = Resident {
            phone_verified: false,
            ..known
        };
        let after = updated(unverified, &typed);
        assert_eq!(after.phone.as_str(), "13900000009");
        assert!(!after.phone_verified);
    }

    struct Says(Result<ContentVerdict, ()>);

    #[async_trait::async_trait]
    impl ContentCheck for Says {
        async fn check(
            &self,
            _: &str,
            _: &str,
            _: ContentScene,
        ) -> Result<ContentVerdict, DomainError> {
            self.0.map_err(|()| DomainError::Forbidden)
        }
    }

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        // The futures here never wait on anything: one poll finishes them.
        let mut f = std::pin::pin!(f);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        match f.as_mut().poll(&mut cx) {
            std::task::Poll::Ready(v) => v,
            std::task::Poll::Pending => panic!("the future waited"),
        }
    }

    #[test]
    fn text_is_held_when_the_resident_is_not_checkable_or_the_check_fails() {
        let r = resident(at(0));
        let check =
            |c: &Says, now| block_on(check_resident_text(c, &r, "t", ContentScene::Forum, now));
        let risky = Says(Ok(ContentVerdict::Risky));
        assert_eq!(check(&risky, at(60)), ContentVerdict::Risky);
        assert_eq!(check(&risky, at(3 * 3600)), ContentVerdict::Review);
        assert_eq!(check(&Says(Err(())), at(60)), ContentVerdict::Review);
        assert_eq!(
            check(&Says(Ok(ContentVerdict::Pass)), at(60)),
            ContentVerdict::Pass
        );
    }
}
