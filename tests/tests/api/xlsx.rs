//! Reading back the Excel files the service writes: cells through calamine; what calamine
//! does not show (frozen panes, autofilters, column widths) from the sheets' XML in the zip;
//! and the file name a download is saved under.

use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx};
use chrono::{Duration, NaiveDate, NaiveDateTime};

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

pub fn open(bytes: &[u8]) -> Xlsx<Cursor<Vec<u8>>> {
    calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap()
}

/// The rows of a sheet, header first.
pub fn rows(bytes: &[u8], sheet: &str) -> Vec<Vec<Data>> {
    let range = open(bytes).worksheet_range(sheet).unwrap();
    range.rows().map(<[Data]>::to_vec).collect()
}

/// The column holding `header`.
pub fn column(rows: &[Vec<Data>], header: &str) -> usize {
    rows[0]
        .iter()
        .position(|h| *h == header)
        .unwrap_or_else(|| panic!("no column {header}: {:?}", rows[0]))
}

/// A cell that Excel shows as a date or time (a serial number with a date format), as the
/// wall-clock time it shows; panics on text or a plain number.
pub fn date_time(cell: &Data) -> NaiveDateTime {
    match cell {
        Data::DateTime(d) if d.is_datetime() => {
            let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap();
            epoch + Duration::milliseconds((d.as_f64() * 86_400_000.0).round() as i64)
        }
        other => panic!("not a date cell: {other:?}"),
    }
}

/// The XML of the `n`th sheet (1-based), as the zip holds it.
pub fn sheet_xml(bytes: &[u8], n: usize) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).unwrap();
    let mut file = zip.by_name(&format!("xl/worksheets/sheet{n}.xml")).unwrap();
    let mut xml = String::new();
    file.read_to_string(&mut xml).unwrap();
    xml
}

/// The widths set on columns, by 0-based column.
pub fn column_widths(xml: &str) -> Vec<(usize, f64)> {
    let mut out = Vec::new();
    for col in xml.split("<col ").skip(1) {
        let attr = |name: &str| {
            col.split(&format!(" {name}=\""))
                .nth(1)
                .or_else(|| col.strip_prefix(&format!("{name}=\"")))
                .and_then(|v| v.split('"').next())
                .map(str::to_owned)
        };
        let (Some(min), Some(max), Some(width)) = (attr("min"), attr("max"), attr("width")) else {
            continue;
        };
        let (min, max): (usize, usize) = (min.parse().unwrap(), max.parse().unwrap());
        for c in min..=max {
            out.push((c - 1, width.parse().unwrap()));
        }
    }
    out
}

pub fn width_of(xml: &str, col: usize) -> f64 {
    column_widths(xml)
        .into_iter()
        .find(|(c, _)| *c == col)
        .map(|(_, w)| w)
        .unwrap_or_else(|| panic!("column {col} has no width: {xml}"))
}

/// How wide text shows: a CJK character about two Latin ones.
pub fn display_width(text: &str) -> f64 {
    text.chars()
        .map(|c| if (c as u32) >= 0x2E80 { 2.0 } else { 1.0 })
        .sum()
}

/// Every sheet of the file keeps its header row in view (frozen) with an autofilter on it,
/// and sets the width of every column it fills.
pub fn assert_laid_out(bytes: &[u8]) {
    let sheets = open(bytes).sheet_names().len();
    assert!(sheets > 0);
    for n in 1..=sheets {
        let xml = sheet_xml(bytes, n);
        let pane = xml
            .split("<pane ")
            .nth(1)
            .and_then(|p| p.split("/>").next())
            .unwrap_or_else(|| panic!("sheet {n} has no pane: {xml}"));
        assert!(
            pane.contains("ySplit=\"1\"")
                && pane.contains("topLeftCell=\"A2\"")
                && pane.contains("state=\"frozen\""),
            "sheet {n}: {pane}"
        );
        assert!(!pane.contains("xSplit"), "only the header row: {pane}");
        assert!(
            xml.contains("<autoFilter ref=\"A1:"),
            "sheet {n} has no autofilter on its header: {xml}"
        );
        let header_cells = rows_of_sheet(bytes, n).first().map_or(0, |r| {
            r.iter().filter(|c| !matches!(c, Data::Empty)).count()
        });
        let widths = column_widths(&xml);
        for c in 0..header_cells {
            assert!(
                widths.iter().any(|(col, _)| *col == c),
                "sheet {n} column {c} has no width: {xml}"
            );
        }
    }
}

fn rows_of_sheet(bytes: &[u8], n: usize) -> Vec<Vec<Data>> {
    let mut book = open(bytes);
    let name = book.sheet_names()[n - 1].clone();
    let range = book.worksheet_range(&name).unwrap();
    range.rows().map(<[Data]>::to_vec).collect()
}

/// Every column is at least as wide as each of its cells' text shows (CJK counted double).
pub fn assert_columns_fit(bytes: &[u8], n: usize) {
    let xml = sheet_xml(bytes, n);
    for row in rows_of_sheet(bytes, n) {
        for (c, cell) in row.iter().enumerate() {
            if let Data::String(s) = cell {
                let width = width_of(&xml, c);
                assert!(
                    width >= display_width(s),
                    "sheet {n} column {c} is {width} wide for {s:?}"
                );
            }
        }
    }
}

/// The names a download is saved under: the ASCII `filename` and the UTF-8 `filename*`
/// (RFC 6266, RFC 5987), decoded.
pub fn file_names(res: &reqwest::Response) -> (String, String) {
    let value = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(value.starts_with("attachment"), "{value}");
    let param = |name: &str| {
        value
            .split(';')
            .map(str::trim)
            .find_map(|p| p.strip_prefix(name))
            .unwrap_or_else(|| panic!("no {name} in {value}"))
            .to_owned()
    };
    let ascii = param("filename=").trim_matches('"').to_owned();
    let extended = param("filename*=");
    let encoded = extended
        .strip_prefix("UTF-8''")
        .unwrap_or_else(|| panic!("not UTF-8: {value}"));
    assert!(ascii.is_ascii() && !ascii.is_empty(), "{value}");
    (ascii, percent_decode(encoded))
}

fn percent_decode(raw: &str) -> String {
    let mut bytes = Vec::new();
    let mut it = raw.bytes();
    while let Some(b) = it.next() {
        if b == b'%' {
            let hex: String = [it.next().unwrap(), it.next().unwrap()]
                .iter()
                .map(|b| *b as char)
                .collect();
            bytes.push(u8::from_str_radix(&hex, 16).unwrap());
        } else {
            bytes.push(b);
        }
    }
    String::from_utf8(bytes).unwrap()
}
