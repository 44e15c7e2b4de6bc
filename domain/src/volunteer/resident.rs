//! Residents (群众): WeChat users who are not Party members and file 96345 requests for
//! themselves. One resident per openid; an openid bound to a roster member is that member's
//! and never becomes a resident. WeChat vouches for the openid (`wx.login`) and, when the
//! resident taps the phone button, for the phone; a phone typed in is only the resident's word.

use chrono::{DateTime, Duration, Utc};

use super::ResidentId;
use crate::error::{ErrorCode, FieldError};
use crate::org::PhoneNumber;
use crate::text::clean_text;

/// How long after a WeChat sign-in an openid may be content-checked: WeChat's
/// `msg_sec_check` refuses users who have not used the mini-program within two hours.
pub const CONTENT_CHECK_WINDOW: Duration = Duration::hours(2);

#[derive(Clone, PartialEq, Eq)]
pub struct Resident {
    pub id: ResidentId,
    /// The resident's id within this mini-program (never logged: `Debug` leaves it out).
    pub openid: String,
    /// The number volunteers and operators call back.
    pub phone: PhoneNumber,
    /// Whether WeChat vouched for the phone (`getPhoneNumber`), rather than the resident
    /// typing it in twice.
    pub phone_verified: bool,
    /// How the resident likes to be addressed (称呼), if they said.
    pub name: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The last WeChat sign-in (`code2session`) of this openid.
    pub last_seen_at: DateTime<Utc>,
}

impl Resident {
    pub const MAX_NAME_CHARS: usize = 32;

    /// Trimmed, 1 to [`Self::MAX_NAME_CHARS`] printable characters.
    pub fn validate_name(raw: &str) -> Result<String, FieldError> {
        clean_text(
            raw,
            Self::MAX_NAME_CHARS,
            "/name",
            ErrorCode::ResidentNameInvalid,
        )
    }

    /// Whether WeChat will check this resident's text at `now` (signed in within
    /// [`CONTENT_CHECK_WINDOW`]).
    pub fn content_checkable(&self, now: DateTime<Utc>) -> bool {
        now.signed_duration_since(self.last_seen_at) <= CONTENT_CHECK_WINDOW
    }
}

impl std::fmt::Debug for Resident {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resident")
            .field("id", &self.id)
            .field("phone", &self.phone)
            .field("phone_verified", &self.phone_verified)
            .field("created_at", &self.created_at)
            .field("last_seen_at", &self.last_seen_at)
            .finish_non_exhaustive()
    }
}

/// The phone a resident signs in with, and whether WeChat vouched for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResidentPhone {
    pub number: PhoneNumber,
    pub verified: bool,
}

impl ResidentPhone {
    /// A phone WeChat vouched for.
    pub fn vouched(number: PhoneNumber) -> Self {
        Self {
            number,
            verified: true,
        }
    }

    /// A phone typed in twice: both must parse as the same mainland number (they may be
    /// written differently: `+86 138…` and `138…`).
    pub fn typed(phone: &str, confirm: &str) -> Result<Self, Vec<FieldError>> {
        let first = PhoneNumber::parse(phone);
        let second = PhoneNumber::parse(confirm).map_err(|mut e| {
            e.pointer = "/phoneConfirm".to_owned();
            e
        });
        match (first, second) {
            (Ok(a), Ok(b)) if a == b => Ok(Self {
                number: a,
                verified: false,
            }),
            (Ok(_), Ok(_)) => Err(vec![FieldError::new(
                "/phoneConfirm",
                ErrorCode::ResidentPhoneMismatch,
                "phoneConfirm must be the same number as phone",
            )]),
            (a, b) => Err([a.err(), b.err()].into_iter().flatten().collect()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resident(last_seen_at: DateTime<Utc>) -> Resident {
        Resident {
            id: ResidentId::new(),
            openid: "o-secret-openid".into(),
            phone: PhoneNumber::parse("13800000001").unwrap_or_else(|e| panic!("{e:?}")),
            phone_verified: true,
            name: None,
            created_at: last_seen_at,
            last_seen_at,
        }
    }

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap_or_default()
    }

    #[test]
    fn a_typed_phone_must_be_the_same_number_twice_however_written() {
        let ok = ResidentPhone::typed("+86 138-0000-0001", "13800000001");
        assert_eq!(
            ok.map(|p| (p.number.as_str().to_owned(), p.verified)),
            Ok(("13800000001".to_owned(), false))
        );
        let mismatch = ResidentPhone::typed("13800000001", "13800000002");
        assert_eq!(
            mismatch.err().map(|e| (e[0].pointer.clone(), e[0].code)),
            Some(("/phoneConfirm".to_owned(), ErrorCode::ResidentPhoneMismatch))
        );
        let bad = ResidentPhone::typed("12", "x");
        let pointers: Vec<_> = bad
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.pointer)
            .collect();
        assert_eq!(pointers, ["/phone", "/phoneConfirm"]);
    }

    #[test]
    fn a_resident_is_checkable_for_two_hours_after_signing_in() {
        let r = resident(at(0));
        assert!(r.content_checkable(at(2 * 3600)));
        assert!(!r.content_checkable(at(2 * 3600 + 1)));
    }

    #[test]
    fn debug_leaves_the_openid_and_the_full_phone_out() {
        let shown = format!("{:?}", resident(at(0)));
        assert!(!shown.contains("o-secret-openid"), "{shown}");
        assert!(!shown.contains("13800000001"), "{shown}");
    }
}
