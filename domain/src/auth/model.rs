//! Sessions and outside accounts: what is stored of each.

use chrono::{DateTime, Utc};

use crate::org::MemberId;

crate::define_id!(
    /// A session: every refresh token rotated from one sign-in shares it.
    SessionFamilyId
);
crate::define_id!(
    /// One refresh token (stored only as the SHA-256 of its value).
    RefreshTokenId
);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshToken {
    pub id: RefreshTokenId,
    pub family_id: SessionFamilyId,
    pub member_id: MemberId,
    /// Hex SHA-256 of the opaque token; the token itself is never stored.
    pub token_hash: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// When it was exchanged for a new pair (each token is good for one exchange).
    pub used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// The member behind an access token, as [`RefreshTokenRepo::caller`] finds them.
#[derive(Debug, Clone)]
pub struct Caller {
    pub member: crate::org::Member,
    pub revoked: bool,
}

/// The provider name under which members' WeChat (mini-program) openids are linked.
pub const WECHAT_PROVIDER: &str = "wechat";

/// A member's account at an outside sign-in provider (the mini-program's user id): the
/// provider is a short name (`wechat`), the subject that provider's stable id for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalIdentity {
    pub provider: String,
    pub subject: String,
    pub member_id: MemberId,
    pub linked_at: DateTime<Utc>,
}
