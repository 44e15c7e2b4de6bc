//! Which half years still take claims and deductions: the current one (Beijing), and the
//! one before while its index has not been computed — the half year just ended stays open
//! until the township computes it, so what happened in its last days can still be
//! recorded. A computed half year never changes again.

use chrono::{DateTime, Utc};

use crate::error::{DomainError, ErrorCode};
use crate::volunteer::HalfYear;

/// Refuses a change to a half year whose index has been computed (`last_computed` is the
/// newest one computed).
pub fn not_computed(half: HalfYear, last_computed: Option<HalfYear>) -> Result<(), DomainError> {
    if last_computed.is_some_and(|last| last >= half) {
        Err(DomainError::conflict(
            ErrorCode::PioneerHalfClosed,
            format!("the pioneer index of {half} has been computed; it no longer changes"),
        ))
    } else {
        Ok(())
    }
}

/// The half year a new claim or deduction goes into: `requested`, or the current one by
/// default. Only the current half year and the one before are open (422 otherwise), and
/// neither once computed (409).
pub fn open_half(
    requested: Option<HalfYear>,
    now: DateTime<Utc>,
    last_computed: Option<HalfYear>,
) -> Result<HalfYear, DomainError> {
    let current = HalfYear::containing(now);
    let half = requested.unwrap_or(current);
    if half != current && half != current.previous() {
        return Err(DomainError::refused(
            ErrorCode::PioneerHalfNotOpen,
            format!("only {current} and {} are open", current.previous()),
        ));
    }
    not_computed(half, last_computed)?;
    Ok(half)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn half(raw: &str) -> HalfYear {
        HalfYear::parse(raw).unwrap_or_else(|| panic!("{raw}"))
    }

    fn code(r: Result<HalfYear, DomainError>) -> Option<&'static str> {
        r.err().and_then(|e| e.code()).map(|c| c.as_str())
    }

    #[test]
    fn the_half_year_before_crosses_the_new_year() {
        assert_eq!(half("2027-H1").previous(), half("2026-H2"));
        assert_eq!(half("2027-H2").previous(), half("2027-H1"));
    }

    #[test]
    fn the_current_half_year_is_beijings() {
        // 2026-12-31 16:30 UTC is already 2027-01-01 in Beijing.
        let new_year = Utc
            .with_ymd_and_hms(2026, 12, 31, 16, 30, 0)
            .single()
            .unwrap_or_else(|| panic!("a valid instant"));
        assert_eq!(open_half(None, new_year, None).ok(), Some(half("2027-H1")));
        assert_eq!(
            open_half(Some(half("2026-H2")), new_year, None).ok(),
            Some(half("2026-H2"))
        );
    }

    #[test]
    fn only_the_current_and_the_previous_uncomputed_half_years_are_open() {
        let now = Utc
            .with_ymd_and_hms(2027, 1, 10, 2, 0, 0)
            .single()
            .unwrap_or_else(|| panic!("a valid instant"));
        for far in ["2026-H1", "2027-H2", "2030-H1"] {
            assert_eq!(
                code(open_half(Some(half(far)), now, None)),
                Some("pioneer_half_not_open"),
                "{far}"
            );
        }
        let computed = Some(half("2026-H2"));
        assert_eq!(
            code(open_half(Some(half("2026-H2")), now, computed)),
            Some("pioneer_half_closed")
        );
        assert_eq!(open_half(None, now, computed).ok(), Some(half("2027-H1")));
        assert_eq!(
            code(open_half(None, now, Some(half("2027-H1")))),
            Some("pioneer_half_closed")
        );
    }
}
