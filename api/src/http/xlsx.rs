//! The Excel files the service writes, all alike: a bold header row that stays in view
//! (frozen) with an autofilter on it, columns as wide as their text shows (a CJK character
//! takes about two Latin widths), times as real date cells in Beijing time, and a download
//! name in Chinese (RFC 6266 `filename*`) with an ASCII fallback for old clients.

use actix_web::http::header::{
    self, Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
};
use actix_web::{HttpRequest, HttpResponse};
use chrono::{DateTime, Datelike, Timelike, Utc};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use serde::Deserialize;
use unicode_width::UnicodeWidthStr;
use utoipa::ToSchema;

use domain::calendar::{shanghai, YearMonth};

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// An Excel workbook: the response body is the file's bytes (not JSON), so generated
/// clients download it as a binary (a `Blob`).
#[derive(utoipa::ToSchema)]
#[schema(
    value_type = String,
    format = Binary,
    content_media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)]
pub struct XlsxFile(#[allow(dead_code)] Vec<u8>);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportFormat {
    Json,
    Xlsx,
}

/// `?format=` decides; without it, an `Accept` naming the XLSX media type.
pub fn wants_xlsx(req: &HttpRequest, format: Option<ReportFormat>) -> bool {
    match format {
        Some(f) => f == ReportFormat::Xlsx,
        None => req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains(XLSX)),
    }
}

/// One cell's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    /// A share, 0-1, shown as `25.0%`.
    Percent(f64),
    /// An instant, shown as its Beijing date and time.
    Time(DateTime<Utc>),
    /// A calendar month, as a date cell (its first day) shown `2026-11`.
    Month(YearMonth),
    Empty,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Self {
        Cell::Text(s.into())
    }

    pub fn count(n: u64) -> Self {
        Cell::Number(n as f64)
    }

    pub fn time(t: Option<DateTime<Utc>>) -> Self {
        t.map_or(Cell::Empty, Cell::Time)
    }

    /// How many Latin characters wide the cell shows.
    fn display_width(&self) -> usize {
        match self {
            Cell::Text(s) => s.lines().map(UnicodeWidthStr::width).max().unwrap_or(0),
            Cell::Number(n) => format!("{n}").len(),
            Cell::Percent(_) => "100.0%".len(),
            Cell::Time(_) => "2026-11-05 09:00".len(),
            Cell::Month(_) => "2026-11".len(),
            Cell::Empty => 0,
        }
    }
}

/// One worksheet: a name, the header and the rows below it.
#[derive(Debug, Clone)]
pub struct Table {
    /// The sheet's name (Excel: at most 31 characters, none of `[]:*?/\`).
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// A sheet with `headers`: fixed ones, or built from the data (the items of a rule set).
    pub fn new(name: impl Into<String>, headers: &[&str]) -> Self {
        Self {
            name: name.into(),
            headers: headers.iter().map(|h| (*h).to_owned()).collect(),
            rows: Vec::new(),
        }
    }
}

/// Narrowest and widest columns, in Latin characters; long titles wrap past the widest.
const MIN_WIDTH: usize = 6;
const MAX_WIDTH: usize = 60;
/// Room for the autofilter's drop-down button beside a header.
const FILTER_BUTTON: usize = 3;

/// The workbook of `tables`, one sheet each, in order.
pub fn workbook(tables: &[Table]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let formats = Formats::new();
    for table in tables {
        let sheet = book.add_worksheet().set_name(&table.name)?;
        write_table(sheet, table, &formats)?;
    }
    book.save_to_buffer()
}

struct Formats {
    header: Format,
    percent: Format,
    time: Format,
    month: Format,
    wrap: Format,
}

impl Formats {
    fn new() -> Self {
        Self {
            header: Format::new().set_bold(),
            percent: Format::new().set_num_format("0.0%"),
            time: Format::new().set_num_format("yyyy-mm-dd hh:mm"),
            month: Format::new().set_num_format("yyyy-mm"),
            wrap: Format::new().set_text_wrap(),
        }
    }
}

fn write_table(sheet: &mut Worksheet, table: &Table, f: &Formats) -> Result<(), XlsxError> {
    let mut widths: Vec<usize> = table
        .headers
        .iter()
        .map(|h| h.width() + FILTER_BUTTON)
        .collect();
    for (c, h) in table.headers.iter().enumerate() {
        sheet.write_string_with_format(0, col(c)?, h, &f.header)?;
    }
    for (i, row) in table.rows.iter().enumerate() {
        let r = u32::try_from(i + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        for (c, cell) in row.iter().enumerate() {
            let cn = col(c)?;
            let width = cell.display_width();
            match cell {
                Cell::Text(s) if width > MAX_WIDTH => {
                    sheet.write_string_with_format(r, cn, s, &f.wrap)?;
                }
                Cell::Text(s) => {
                    sheet.write_string(r, cn, s)?;
                }
                Cell::Number(n) => {
                    sheet.write_number(r, cn, *n)?;
                }
                Cell::Percent(p) => {
                    sheet.write_number_with_format(r, cn, *p, &f.percent)?;
                }
                Cell::Time(t) => {
                    sheet.write_datetime_with_format(r, cn, beijing(*t)?, &f.time)?;
                }
                Cell::Month(m) => {
                    sheet.write_datetime_with_format(r, cn, first_day(*m)?, &f.month)?;
                }
                Cell::Empty => {}
            }
            match widths.get_mut(c) {
                Some(w) => *w = (*w).max(width),
                None => widths.push(width),
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        // Two characters of margin, as Excel's own autofit leaves.
        let w = (w + 2).clamp(MIN_WIDTH, MAX_WIDTH);
        sheet.set_column_width(col(c)?, w as f64)?;
    }
    let last_col = col(widths.len().max(1) - 1)?;
    let last_row = u32::try_from(table.rows.len()).map_err(|_| XlsxError::RowColumnLimitError)?;
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, last_row, last_col)?;
    Ok(())
}

fn col(c: usize) -> Result<u16, XlsxError> {
    u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)
}

/// The Beijing wall-clock time of `t`, which is what Excel shows (it knows no time zones).
fn beijing(t: DateTime<Utc>) -> Result<ExcelDateTime, XlsxError> {
    let local = t.with_timezone(&shanghai());
    let year = u16::try_from(local.year()).map_err(|_| {
        XlsxError::DateTimeRangeError(format!("year {} out of range", local.year()))
    })?;
    let seconds = f64::from(local.second()) + f64::from(local.nanosecond() / 1_000_000) / 1000.0;
    ExcelDateTime::from_ymd(year, local.month() as u8, local.day() as u8)?.and_hms(
        local.hour() as u16,
        local.minute() as u8,
        seconds,
    )
}

fn first_day(m: YearMonth) -> Result<ExcelDateTime, XlsxError> {
    let year = u16::try_from(m.year())
        .map_err(|_| XlsxError::DateTimeRangeError(format!("year {} out of range", m.year())))?;
    ExcelDateTime::from_ymd(year, m.month() as u8, 1)
}

/// `200` with the workbook as a download named `name` (its `.xlsx` added), `ascii` for
/// clients that do not read RFC 5987's `filename*`.
pub fn download(bytes: Vec<u8>, name: &str, ascii: &str) -> HttpResponse {
    let disposition = ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![
            DispositionParam::Filename(format!("{}.xlsx", ascii_only(ascii))),
            DispositionParam::FilenameExt(ExtendedValue {
                charset: Charset::Ext("UTF-8".to_owned()),
                language_tag: None,
                value: format!("{}.xlsx", file_name_part(name, 120)).into_bytes(),
            }),
        ],
    };
    HttpResponse::Ok()
        .content_type(XLSX)
        .insert_header(disposition)
        .body(bytes)
}

/// `text` made fit for a file name on Windows, macOS and phones: characters those refuse
/// (`\ / : * ? " < > |`, controls) become `_`, surrounding dots and spaces go, and it is
/// cut to `max` characters.
pub fn file_name_part(text: &str, max: usize) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| match c {
            '\\' | '/' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .take(max)
        .collect();
    cleaned
        .trim_matches(|c: char| c == '.' || c.is_whitespace())
        .to_owned()
}

fn ascii_only(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// A sheet name for `text`: the characters Excel refuses become `_`, at most 31 characters,
/// and ` (2)`, ` (3)` … after a name already in `taken`.
pub fn sheet_name(text: &str, taken: &[String]) -> String {
    let clean: String = text
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .collect();
    let base: String = clean.trim().chars().take(26).collect();
    let base = if base.is_empty() {
        "Sheet".to_owned()
    } else {
        base
    };
    let mut name = base.clone();
    let mut n = 2;
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&name)) {
        name = format!("{base} ({n})");
        n += 1;
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cjk_character_counts_two_latin_widths() {
        assert_eq!(Cell::text("第一党支部").display_width(), 10);
        assert_eq!(Cell::text("a/第一").display_width(), 6);
    }

    #[test]
    fn file_names_lose_only_what_file_systems_refuse() {
        assert_eq!(
            file_name_part(" \"二十大\"精神/第一讲: 学习? ", 120),
            "_二十大_精神_第一讲_ 学习_"
        );
        assert_eq!(file_name_part("十一月党课", 3), "十一月");
        assert_eq!(ascii_only("study-2026-11"), "study-2026-11");
        assert_eq!(ascii_only("学习"), "__");
    }

    #[test]
    fn sheet_names_are_what_excel_takes_and_never_twice() {
        let taken = vec!["张三".to_owned()];
        assert_eq!(super::sheet_name("张三", &taken), "张三 (2)");
        assert_eq!(super::sheet_name("a/b:c", &[]), "a_b_c");
        assert_eq!(super::sheet_name("  ", &[]), "Sheet");
        assert!(super::sheet_name(&"长".repeat(40), &[]).chars().count() <= 31);
    }
}
