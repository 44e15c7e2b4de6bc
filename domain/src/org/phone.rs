use crate::error::ErrorCode;
use std::fmt;

use crate::error::FieldError;

/// A mainland mobile number, normalised to 11 ASCII digits starting with 1.
///
/// Accepts what rosters and people type: spaces and dashes, full-width digits, and a
/// `+86` / `86` / `0086` country prefix. `Debug` masks it, so it never reaches logs whole.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let mut digits = String::with_capacity(raw.len());
        let mut international = false;
        for (i, c) in raw.trim().chars().enumerate() {
            match c {
                '0'..='9' => digits.push(c),
                // Full-width digits (U+FF10..U+FF19), as typed on Chinese keyboards.
                '０'..='９' => digits.push(char::from(b'0' + (c as u32 - '０' as u32) as u8)),
                '+' | '＋' if i == 0 => international = true,
                ' ' | '-' | '\u{3000}' => {}
                _ => return Err(invalid()),
            }
        }
        // A country code other than 86 (`+1 380 000 1234`, `001…`) is a foreign number,
        // however mainland its remaining digits look.
        let national = if international {
            digits.strip_prefix("86").ok_or_else(not_mainland)?
        } else if let Some(rest) = digits.strip_prefix("00") {
            rest.strip_prefix("86").ok_or_else(not_mainland)?
        } else if digits.len() == 13 {
            digits.strip_prefix("86").unwrap_or(&digits)
        } else {
            &digits
        };
        if national.len() == 11 && national.starts_with('1') {
            Ok(Self(national.to_owned()))
        } else {
            Err(invalid())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `138****5678`: what everyone but the member and their branch's secretaries and
    /// township admins sees.
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }
}

fn invalid() -> FieldError {
    FieldError::new(
        "/phone",
        ErrorCode::PhoneInvalid,
        "phone must be an 11-digit mainland mobile number",
    )
}

fn not_mainland() -> FieldError {
    FieldError::new(
        "/phone",
        ErrorCode::PhoneNotMainland,
        "only mainland China mobile numbers are accepted (country code +86, or none)",
    )
}

impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PhoneNumber({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_spellings_normalise_to_eleven_digits() {
        for raw in [
            "13800001234",
            " 138 0000 1234 ",
            "138-0000-1234",
            "+8613800001234",
            "8613800001234",
            "008613800001234",
            "１３８００００１２３４",
        ] {
            assert_eq!(
                PhoneNumber::parse(raw).map(|p| p.0),
                Ok("13800001234".to_owned()),
                "{raw}"
            );
        }
    }

    #[test]
    fn non_mobile_numbers_are_refused() {
        for raw in [
            "",
            "1380000123",
            "138000012345",
            "23800001234",
            "0575-82123456",
            "1380000123x",
            "+86 1380000123",
            "138+00001234",
        ] {
            assert!(PhoneNumber::parse(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn numbers_of_other_countries_are_refused_even_when_their_digits_look_mainland() {
        for raw in [
            "+1 380 000 1234",
            "+13800001234",
            "＋44 13800001234",
            "001 380 000 1234",
            "0044 13800001234",
            "+852 13800001234",
        ] {
            assert_eq!(
                PhoneNumber::parse(raw).map_err(|e| e.code.as_str()),
                Err("phone_not_mainland"),
                "{raw}"
            );
        }
        assert!(PhoneNumber::parse("＋86 138 0000 1234").is_ok());
    }

    #[test]
    fn masking_keeps_the_first_three_and_last_four_digits() {
        let p = PhoneNumber::parse("13812345678").unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(p.masked(), "138****5678");
        assert_eq!(format!("{p:?}"), "PhoneNumber(138****5678)");
    }
}
