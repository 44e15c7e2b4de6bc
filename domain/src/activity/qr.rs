//! The rotating QR code shown on the secretary's phone during an activity.
//!
//! Time is cut into slots of [`QR_SLOT_SECS`]; the code for a slot is `"{slot}.{mac}"`, where
//! `mac` is the first 16 bytes, in lower-case hex, of HMAC-SHA256 over the activity id and
//! the slot. A code is accepted during its own slot and the next one, so a photo passed on
//! to someone absent is useless within a minute, while a member who scans just before the
//! code changes still gets in.

use crate::error::ErrorCode;
use std::fmt;

use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::model::ActivityId;

/// How long one code is shown before the next replaces it.
pub const QR_SLOT_SECS: i64 = 30;

/// Separates these MACs from any other use of the same key.
const DOMAIN: &[u8] = b"qr-v1:";
/// Bytes of the MAC kept in the code: 128 bits is far beyond guessing within a minute.
const TAG_BYTES: usize = 16;

/// The server's secret for signing codes. Its `Debug` never shows the secret.
#[derive(Clone)]
pub struct QrKey(Vec<u8>);

impl QrKey {
    /// The caller supplies the secret; it should be at least 32 random bytes.
    pub fn new(secret: &[u8]) -> Self {
        Self(secret.to_vec())
    }

    fn mac(&self, activity: ActivityId, slot: i64) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0)
            .unwrap_or_else(|e| unreachable!("HMAC accepts keys of any length: {e}"));
        mac.update(DOMAIN);
        mac.update(activity.as_uuid().as_bytes());
        mac.update(&slot.to_be_bytes());
        mac
    }
}

impl fmt::Debug for QrKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("QrKey(..)")
    }
}

/// A code to display, the slot it belongs to, and when it stops being accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrToken {
    pub token: String,
    pub slot: i64,
    pub expires_at: DateTime<Utc>,
}

/// Why a scanned code was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum QrError {
    /// Not of the form `digits.32hex`.
    #[error("malformed check-in code")]
    Malformed,
    /// The MAC does not match (tampered, or made for another activity), or the slot lies in
    /// the future, which no genuine code can.
    #[error("forged check-in code")]
    Forged,
    /// Genuine but older than the previous slot.
    #[error("expired check-in code")]
    Expired,
}

impl QrError {
    /// The error code clients see; a malformed and a forged code are deliberately alike.
    pub fn code(&self) -> ErrorCode {
        match self {
            QrError::Malformed | QrError::Forged => ErrorCode::CheckInQrInvalid,
            QrError::Expired => ErrorCode::CheckInQrExpired,
        }
    }
}

/// The slot `now` falls in: whole [`QR_SLOT_SECS`] since the Unix epoch, rounded down.
pub fn slot_of(now: DateTime<Utc>) -> i64 {
    now.timestamp().div_euclid(QR_SLOT_SECS)
}

/// The code for `activity` in the current slot. It expires at the end of the next slot, the
/// last moment [`verify`] still takes it.
pub fn issue(key: &QrKey, activity: ActivityId, now: DateTime<Utc>) -> QrToken {
    let slot = slot_of(now);
    let tag = key.mac(activity, slot).finalize().into_bytes();
    let hex: String = tag[..TAG_BYTES]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    QrToken {
        token: format!("{slot}.{hex}"),
        slot,
        expires_at: DateTime::from_timestamp((slot + 2) * QR_SLOT_SECS, 0)
            .unwrap_or(DateTime::<Utc>::MAX_UTC),
    }
}

/// Checks a scanned code for `activity` at `now`: its form, then its MAC (in constant time),
/// then its slot, which must be the current or the previous one.
pub fn verify(
    key: &QrKey,
    activity: ActivityId,
    token: &str,
    now: DateTime<Utc>,
) -> Result<(), QrError> {
    let (slot, tag) = parse(token).ok_or(QrError::Malformed)?;
    key.mac(activity, slot)
        .verify_truncated_left(&tag)
        .map_err(|_| QrError::Forged)?;
    let current = slot_of(now);
    if slot > current {
        Err(QrError::Forged)
    } else if slot >= current - 1 {
        Ok(())
    } else {
        Err(QrError::Expired)
    }
}

/// Splits `digits.32hex` (lower-case hex) into the slot and the MAC bytes.
fn parse(token: &str) -> Option<(i64, [u8; TAG_BYTES])> {
    let (slot, hex) = token.split_once('.')?;
    if slot.is_empty() || !slot.bytes().all(|b| b.is_ascii_digit()) || hex.len() != 2 * TAG_BYTES {
        return None;
    }
    let slot = slot.parse().ok()?;
    let mut tag = [0u8; TAG_BYTES];
    for (byte, pair) in tag.iter_mut().zip(hex.as_bytes().chunks_exact(2)) {
        *byte = hex_digit(pair[0])? << 4 | hex_digit(pair[1])?;
    }
    Some((slot, tag))
}

fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;

    fn key() -> QrKey {
        QrKey::new(b"correct horse battery staple, 32b")
    }

    fn at(raw: &str) -> DateTime<Utc> {
        raw.parse().unwrap_or_else(|e| panic!("{raw}: {e}"))
    }

    #[test]
    fn slots_are_thirty_second_steps_since_the_epoch() {
        assert_eq!(slot_of(at("1970-01-01T00:00:29Z")), 0);
        assert_eq!(slot_of(at("1970-01-01T00:00:30Z")), 1);
        assert_eq!(slot_of(at("1969-12-31T23:59:59Z")), -1);
    }

    #[test]
    fn a_code_is_accepted_in_its_slot_and_the_next() {
        let activity = ActivityId::new();
        let now = at("2026-11-05T01:00:10Z");
        let code = issue(&key(), activity, now);
        assert_eq!(code.slot, slot_of(now));
        assert_eq!(code.expires_at, at("2026-11-05T01:01:00Z"));
        let (slot, mac) = code.token.split_once('.').unwrap_or_default();
        assert_eq!(slot, code.slot.to_string());
        assert_eq!(mac.len(), 32);

        assert_eq!(verify(&key(), activity, &code.token, now), Ok(()));
        let next_slot = now + TimeDelta::seconds(30);
        assert_eq!(verify(&key(), activity, &code.token, next_slot), Ok(()));
        let last_moment = code.expires_at - TimeDelta::nanoseconds(1);
        assert_eq!(verify(&key(), activity, &code.token, last_moment), Ok(()));
        assert_eq!(
            verify(&key(), activity, &code.token, code.expires_at),
            Err(QrError::Expired)
        );
        let two_slots_on = now + TimeDelta::seconds(60);
        assert_eq!(
            verify(&key(), activity, &code.token, two_slots_on),
            Err(QrError::Expired)
        );
        assert_eq!(QrError::Expired.code().as_str(), "check_in_qr_expired");
    }

    #[test]
    fn a_code_for_another_activity_or_key_is_forged() {
        let now = at("2026-11-05T01:00:10Z");
        let code = issue(&key(), ActivityId::new(), now);
        assert_eq!(
            verify(&key(), ActivityId::new(), &code.token, now),
            Err(QrError::Forged)
        );
        let activity = ActivityId::new();
        let code = issue(&key(), activity, now);
        assert_eq!(
            verify(&QrKey::new(b"another key"), activity, &code.token, now),
            Err(QrError::Forged)
        );
        assert_eq!(QrError::Forged.code().as_str(), "check_in_qr_invalid");
    }

    #[test]
    fn a_tampered_code_is_forged() {
        let activity = ActivityId::new();
        let now = at("2026-11-05T01:00:10Z");
        let code = issue(&key(), activity, now);
        let mut tampered = code.token.clone().into_bytes();
        let last = tampered.len() - 1;
        tampered[last] = if tampered[last] == b'0' { b'1' } else { b'0' };
        let tampered = String::from_utf8(tampered).unwrap_or_default();
        assert_eq!(
            verify(&key(), activity, &tampered, now),
            Err(QrError::Forged)
        );
        // An earlier slot with the current MAC is forged, not expired.
        let (_, mac) = code.token.split_once('.').unwrap_or_default();
        let replayed = format!("{}.{mac}", code.slot - 5);
        assert_eq!(
            verify(&key(), activity, &replayed, now),
            Err(QrError::Forged)
        );
    }

    #[test]
    fn a_code_from_the_future_is_forged() {
        let activity = ActivityId::new();
        let now = at("2026-11-05T01:00:10Z");
        let code = issue(&key(), activity, now + TimeDelta::seconds(30));
        assert_eq!(
            verify(&key(), activity, &code.token, now),
            Err(QrError::Forged)
        );
    }

    #[test]
    fn garbage_is_malformed() {
        let activity = ActivityId::new();
        let now = at("2026-11-05T01:00:10Z");
        let mac = "0123456789abcdef0123456789abcdef";
        for bad in [
            "".to_owned(),
            "hello".to_owned(),
            format!(".{mac}"),
            format!("-1.{mac}"),
            format!("+1.{mac}"),
            format!("12.{}", &mac[1..]),
            format!("12.{mac}0"),
            format!("12.{}", mac.to_uppercase()),
            format!("12.{}g", &mac[1..]),
            format!("99999999999999999999.{mac}"),
            format!("12.{mac}.3"),
        ] {
            assert_eq!(
                verify(&key(), activity, &bad, now),
                Err(QrError::Malformed),
                "{bad}"
            );
        }
        assert_eq!(QrError::Malformed.code().as_str(), "check_in_qr_invalid");
    }

    #[test]
    fn the_key_is_never_printed() {
        let printed = format!("{:?}", QrKey::new(b"s3cr3t-qr-signing-key"));
        assert!(!printed.contains("s3cr3t"), "{printed}");
        assert!(!printed.contains("115"), "{printed}");
        assert_eq!(printed, "QrKey(..)");
    }
}
