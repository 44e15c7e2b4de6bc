//! Sessions and outside accounts: what is stored of each.

use chrono::{DateTime, Utc};

use crate::org::{MemberId, PhoneNumber};
use crate::volunteer::ResidentId;

crate::define_id!(
    /// A session: every refresh token rotated from one sign-in shares it.
    SessionFamilyId
);
crate::define_id!(
    /// One refresh token (stored only as the SHA-256 of its value).
    RefreshTokenId
);

/// Who a session belongs to: a roster member, or a resident (a WeChat user who is not a
/// Party member and files 96345 requests). The two never stand in for each other: a
/// resident's tokens are refused wherever a member is required.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Principal {
    Member(MemberId),
    Resident(ResidentId),
}

crate::string_enum::string_enum!(
    /// Which kind of [`Principal`] a session or token belongs to, as stored and as carried
    /// in access tokens.
    PrincipalKind {
        Member => "member",
        Resident => "resident",
    }
);

impl Principal {
    pub fn kind(&self) -> PrincipalKind {
        match self {
            Principal::Member(_) => PrincipalKind::Member,
            Principal::Resident(_) => PrincipalKind::Resident,
        }
    }

    pub fn id(&self) -> uuid::Uuid {
        match self {
            Principal::Member(id) => id.as_uuid(),
            Principal::Resident(id) => id.as_uuid(),
        }
    }

    /// The principal of `kind` with `id`.
    pub fn of(kind: PrincipalKind, id: uuid::Uuid) -> Self {
        match kind {
            PrincipalKind::Member => Principal::Member(MemberId::from_uuid(id)),
            PrincipalKind::Resident => Principal::Resident(ResidentId::from_uuid(id)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshToken {
    pub id: RefreshTokenId,
    pub family_id: SessionFamilyId,
    /// Whose session this is.
    pub principal: Principal,
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

/// A mini-program user as WeChat names them to this app: only what signing in needs (the
/// session key WeChat also hands out is never kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeChatSession {
    /// The user's stable id within this mini-program (the subject of [`WECHAT_PROVIDER`]).
    pub openid: String,
}

/// The phone WeChat vouches for, as issued to this mini-program. `Debug` leaves the number
/// out: it is personal data and never logged.
#[derive(Clone, PartialEq, Eq)]
pub struct VouchedPhone {
    country_code: String,
    national_number: String,
}

impl VouchedPhone {
    /// `country_code` as WeChat gives it (`86`, or empty when WeChat leaves it out);
    /// `national_number` without it.
    pub fn new(country_code: impl Into<String>, national_number: impl Into<String>) -> Self {
        Self {
            country_code: country_code.into(),
            national_number: national_number.into(),
        }
    }

    /// The number as the roster would hold it: only mainland numbers (country code `86`,
    /// or none given) that parse as a [`PhoneNumber`] can belong to a member.
    pub fn roster_number(&self) -> Option<PhoneNumber> {
        if !matches!(self.country_code.as_str(), "86" | "") {
            return None;
        }
        PhoneNumber::parse(&self.national_number).ok()
    }
}

impl std::fmt::Debug for VouchedPhone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VouchedPhone")
            .field("country_code", &self.country_code)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::VouchedPhone;

    #[test]
    fn a_mainland_number_is_a_roster_number_and_a_foreign_one_is_not() {
        for (country, number, on_roster) in [
            ("86", "13800000001", true),
            ("", "13800000001", true),
            ("852", "13800000001", false),
            ("86", "not-a-number", false),
        ] {
            let phone = VouchedPhone::new(country, number);
            assert_eq!(
                phone.roster_number().is_some(),
                on_roster,
                "{country} {number}"
            );
        }
    }

    #[test]
    fn debug_leaves_the_number_out() {
        let shown = format!("{:?}", VouchedPhone::new("86", "13800000001"));
        assert!(!shown.contains("13800000001"), "{shown}");
    }
}
