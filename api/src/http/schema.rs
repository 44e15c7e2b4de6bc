//! Patterns that state the server's input rules, so the published document refuses what
//! the server refuses and accepts what it accepts (generated clients, validators and fuzzers
//! read them). Each pattern mirrors one validation function; the tests below hold the two
//! together on a corpus of awkward strings.
//!
//! Patterns are ECMA-262 and Python `re` alike: only `\uXXXX` escapes and character classes,
//! no `\s`, `\d` or `\p{…}` (whose meaning differs between engines).

/// What Rust's `str::trim` removes (Unicode `White_Space`).
const WS: &str =
    r"\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";
/// `char::is_control` (Unicode `Cc`).
const CC: &str = r"\u0000-\u001F\u007F-\u009F";

/// Free text as the domain's validators take it: surrounding white space (line breaks
/// included) is trimmed; what remains is not blank (unless `empty_ok`) and holds no control
/// character other than those in `inside` (e.g. `\u000A` where line breaks may stand).
fn text_pattern(inside: &str, empty_ok: bool) -> String {
    let letter = format!("[^{WS}{CC}]");
    let middle = if inside.is_empty() {
        format!("[^{CC}]")
    } else {
        format!("(?:[^{CC}]|[{inside}])")
    };
    let body = format!("{letter}(?:{middle}*{letter})?[{WS}]*");
    if empty_ok {
        format!("^[{WS}]*(?:{body})?$")
    } else {
        format!("^[{WS}]*{body}$")
    }
}

/// One line of text (`clean_text`, org and member names).
pub fn printable_pattern() -> String {
    text_pattern("", false)
}

/// Paragraphs: line breaks (`\n`, `\r`) may stand inside (study plans).
pub fn multiline_pattern() -> String {
    text_pattern(r"\u000A\u000D", false)
}

/// Material titles and summaries: `\n` may stand inside; a summary may be empty.
pub fn material_text_pattern(empty_ok: bool) -> String {
    text_pattern(r"\u000A", empty_ok)
}

/// `YYYY-MM` from 2000-01 to 2100-12 (`YearMonth::parse`).
pub const MONTH_PATTERN: &str = "^(?:20[0-9]{2}|2100)-(?:0[1-9]|1[0-2])$";

/// `YYYY-H1` or `YYYY-H2` from 2000 to 2100 (`HalfYear::parse`).
pub const HALF_YEAR_PATTERN: &str = "^(?:20[0-9]{2}|2100)-H[12]$";

/// 1-128 visible ASCII characters (tokens, tickets and codes the server or WeChat issued).
pub const VISIBLE_ASCII_PATTERN: &str = r"^[\u0021-\u007E]+$";

/// A mainland mobile number as `PhoneNumber::parse` accepts it: 11 digits starting with 1,
/// optionally after `+86`, `86` or `0086`; full-width digits; spaces, `-` and U+3000
/// anywhere after the `+`; surrounding white space.
pub fn phone_pattern() -> String {
    let d = "[0-9\\uFF10-\\uFF19]";
    let s = "[\\u0020\\u002D\\u3000]*";
    let digit = |c: char| {
        let wide = char::from_u32(c as u32 - '0' as u32 + 0xFF10).unwrap_or(c);
        format!("[{c}\\u{:04X}]", wide as u32)
    };
    let national = format!("{}(?:{s}{d}){{10}}", digit('1'));
    let cc = format!("{}{s}{}{s}", digit('8'), digit('6'));
    let zero = digit('0');
    format!(
        "^[{WS}]*(?:[+\\uFF0B]{s}{cc}{national}|{s}(?:{cc}|{zero}{s}{zero}{s}{cc})?{national}){s}[{WS}]*$"
    )
}

/// 1-`max` visible ASCII characters: what [`VISIBLE_ASCII_PATTERN`] with that length says.
pub fn visible_ascii(s: &str, max: usize) -> bool {
    (1..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_graphic())
}

/// An attachment's title: no control character anywhere (not even around it), not blank.
pub fn attachment_title_pattern() -> String {
    format!("^[^{CC}]*[^{WS}{CC}][^{CC}]*$")
}

/// A link's host, port and rest: what `domain::text::is_web_link` accepts after the scheme.
fn link_after_scheme() -> String {
    let port = "[0-9]{1,4}|[0-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]";
    format!("[A-Za-z0-9.-]+(?::(?:{port}))?(?:[/?#][^{WS}{CC}]*)?")
}

/// An absolute http(s) URL: `domain::text::is_web_link`.
pub fn http_url_pattern() -> String {
    format!("^https?://{}$", link_after_scheme())
}

/// An absolute https URL (photo links, evidence links): `domain::text::is_https_link`.
pub fn https_url_pattern() -> String {
    format!("^https://{}$", link_after_scheme())
}

/// No control character (search text).
pub fn no_control_pattern() -> String {
    format!("^[^{CC}]*$")
}

/// The pattern a DTO names in `#[schema(pattern = "…")]` / `#[param(pattern = "…")]`:
/// DTOs name the rule, the published document carries the regular expression (see
/// `crate::openapi`). A pattern that is already a regular expression (it starts with `^`)
/// stays as written; an unknown name is `None`.
pub fn named_pattern(name: &str) -> Option<String> {
    Some(match name {
        "printable" => printable_pattern(),
        "lines" => multiline_pattern(),
        "material-title" => material_text_pattern(false),
        "material-summary" => material_text_pattern(true),
        "attachment-title" => attachment_title_pattern(),
        "http-url" => http_url_pattern(),
        "https-url" => https_url_pattern(),
        "no-control" => no_control_pattern(),
        "month" => MONTH_PATTERN.to_owned(),
        "half-year" => HALF_YEAR_PATTERN.to_owned(),
        "visible-ascii" => VISIBLE_ASCII_PATTERN.to_owned(),
        "phone" => phone_pattern(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::org::{Org, PhoneNumber};
    use domain::text::clean_text;
    use regex::Regex;

    fn compile(pattern: &str) -> Regex {
        match Regex::new(pattern) {
            Ok(r) => r,
            Err(e) => panic!("{pattern}: {e}"),
        }
    }

    /// Strings from an alphabet of the characters the rules treat specially, every
    /// combination up to `len`, plus some longer ones.
    fn corpus(alphabet: &[char], len: usize) -> Vec<String> {
        let mut out = vec![String::new()];
        let mut frontier = vec![String::new()];
        for _ in 0..len {
            let mut next = Vec::new();
            for s in &frontier {
                for c in alphabet {
                    let mut t = s.clone();
                    t.push(*c);
                    next.push(t);
                }
            }
            out.extend(next.iter().cloned());
            frontier = next;
        }
        out
    }

    #[test]
    fn printable_pattern_accepts_exactly_what_clean_text_accepts() {
        let re = compile(&printable_pattern());
        let alphabet = [
            'a', '党', ' ', '\t', '\n', '\r', '\u{85}', '\u{a0}', '\u{3000}', '\u{0}', '\u{7f}',
            '\u{9f}', '\u{200b}', '\u{feff}', '😀',
        ];
        for s in corpus(&alphabet, 4) {
            let server = clean_text(&s, 1000, "/x", domain::error::ErrorCode::InvalidValue).is_ok();
            assert_eq!(re.is_match(&s), server, "{s:?}");
            assert_eq!(Org::validate_name(&s).is_ok(), server, "{s:?}");
        }
    }

    #[test]
    fn link_patterns_accept_exactly_what_the_server_accepts() {
        let https = compile(&https_url_pattern());
        let http = compile(&http_url_pattern());
        let alphabet = [
            'a', '.', '-', ':', '7', '/', '[', ']', '@', ' ', '\u{3000}', '\u{0}', '党',
        ];
        for port in [
            "0", "80", "65535", "65536", "70000", "99999", "00443", "123456",
        ] {
            let s = format!("https://a.cn:{port}/x");
            let server = domain::text::is_https_link(&s, 2048);
            assert_eq!(https.is_match(&s), server, "{s:?}");
            assert_eq!(
                server,
                port.len() <= 5 && port.parse::<u32>().is_ok_and(|n| n <= 65_535),
                "{s:?}"
            );
        }
        for tail in corpus(&alphabet, 4) {
            for scheme in ["https://", "http://", "ftp://", ""] {
                let s = format!("{scheme}{tail}");
                let one = domain::text::is_https_link(&s, 2048);
                let both = domain::text::is_web_link(&s, 2048, &["https://", "http://"]);
                assert_eq!(https.is_match(&s), one, "{s:?}");
                assert_eq!(http.is_match(&s), both, "{s:?}");
            }
        }
        for bad in [
            "https://[",
            "https://[::1]/a",
            "https://a.cn@b.cn/",
            "https://a.cn:123456/",
        ] {
            assert!(
                !https.is_match(bad) && !domain::text::is_https_link(bad, 2048),
                "{bad}"
            );
        }
        for good in [
            "https://img.example.cn/a.jpg?x=1#y",
            "http://10.0.0.1:8080",
            "https://a.cn/党",
        ] {
            assert!(
                http.is_match(good)
                    && domain::text::is_web_link(good, 2048, &["https://", "http://"]),
                "{good}"
            );
        }
    }

    #[test]
    fn multiline_pattern_accepts_exactly_what_plans_accept() {
        let re = compile(&multiline_pattern());
        let alphabet = ['a', ' ', '\t', '\n', '\r', '\u{3000}', '\u{0}', '\u{85}'];
        for s in corpus(&alphabet, 5) {
            let server = domain::text::clean_multiline(
                &s,
                1000,
                "/x",
                domain::error::ErrorCode::InvalidValue,
            )
            .is_ok();
            assert_eq!(re.is_match(&s), server, "{s:?}");
        }
    }

    #[test]
    fn month_pattern_accepts_exactly_what_year_month_parses() {
        let re = compile(MONTH_PATTERN);
        for y in [
            "1999", "2000", "2026", "2099", "2100", "2101", "0000", "99", "20260",
        ] {
            for m in ["00", "01", "09", "10", "12", "13", "1", "001", ""] {
                for s in [format!("{y}-{m}"), format!("{y}{m}"), format!("{y}-{m}\n")] {
                    let server = domain::calendar::YearMonth::parse(&s).is_some();
                    assert_eq!(re.is_match(&s), server, "{s:?}");
                }
            }
        }
    }

    #[test]
    fn phone_pattern_accepts_exactly_what_phone_number_parses() {
        let re = compile(&phone_pattern());
        let mut samples = Vec::new();
        for prefix in [
            "",
            "+86",
            "86",
            "0086",
            "+",
            "+1",
            "00",
            "0",
            "＋８６",
            "-",
            " ",
        ] {
            for number in [
                "13800001234",
                "１３８００００１２３４",
                "23800001234",
                "1380000123",
            ] {
                for sep in ["", " ", "-", "\u{3000}", "\t"] {
                    let spaced: String = number
                        .chars()
                        .enumerate()
                        .map(|(i, c)| {
                            if i == 3 || i == 7 {
                                format!("{sep}{c}")
                            } else {
                                c.to_string()
                            }
                        })
                        .collect();
                    for around in ["", " ", "\t", "-", "x"] {
                        samples.push(format!("{around}{prefix}{spaced}{around}"));
                        samples.push(format!("{prefix}{sep}{spaced}{around}"));
                    }
                }
            }
        }
        samples.extend(corpus(&['1', '8', '6', '0', '+', ' '], 5));
        for s in samples {
            assert_eq!(re.is_match(&s), PhoneNumber::parse(&s).is_ok(), "{s:?}");
        }
    }

    #[test]
    fn visible_ascii_pattern_is_bytes_33_to_126() {
        let re = compile(VISIBLE_ASCII_PATTERN);
        for b in 0u8..=255 {
            let s = char::from(b).to_string();
            assert_eq!(re.is_match(&s), b.is_ascii_graphic(), "{b}");
        }
    }
}
