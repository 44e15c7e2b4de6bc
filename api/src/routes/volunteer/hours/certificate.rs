//! The service certificate (志愿服务证明) as an Excel workbook: who, and their confirmed
//! hours in all (证明), every confirmed entry with corrections as their own lines (服务记录),
//! and the totals per month and per half year (分期汇总). Hours to one decimal place.

use actix_web::HttpResponse;

use crate::error::ApiError;
use crate::http::xlsx::{self, Cell, Table};
use domain::volunteer::service::HoursCertificate;
use domain::volunteer::HoursSource;

const SUMMARY: &[&str] = &[
    "姓名",
    "所在党支部",
    "志愿服务时长（小时）",
    "培训时长（小时）",
    "出具时间",
];
const ENTRIES: &[&str] = &[
    "服务日期",
    "类别",
    "时长（分钟）",
    "来源",
    "说明",
    "确认时间",
];
const PERIODS: &[&str] = &["期间", "志愿服务时长（小时）", "培训时长（小时）"];

fn hours(minutes: i64) -> Cell {
    Cell::Number((minutes as f64 / 6.0).round() / 10.0)
}

fn workbook(c: &HoursCertificate) -> Result<Vec<u8>, ApiError> {
    let mut summary = Table::new("证明", SUMMARY);
    summary.rows.push(vec![
        Cell::text(c.member.name.clone()),
        Cell::text(c.branch_name.clone()),
        hours(c.totals.service),
        hours(c.totals.training),
        Cell::Time(c.issued_at),
    ]);
    let mut entries = Table::new("服务记录", ENTRIES);
    for e in &c.entries {
        let source = match e.source {
            HoursSource::Correction { .. } => "更正",
            other => other.label_zh(),
        };
        entries.rows.push(vec![
            Cell::text(e.occurred_on.format("%Y-%m-%d").to_string()),
            Cell::text(e.category.label_zh()),
            Cell::Number(f64::from(e.minutes)),
            Cell::text(source),
            Cell::text(e.note.clone()),
            Cell::time(e.decision.as_ref().map(|d| d.at)),
        ]);
    }
    let mut periods = Table::new("分期汇总", PERIODS);
    for h in &c.totals.half_years {
        periods.rows.push(vec![
            Cell::text(h.period.to_string()),
            hours(h.service),
            hours(h.training),
        ]);
    }
    for m in &c.totals.months {
        periods.rows.push(vec![
            Cell::text(m.period.to_string()),
            hours(m.service),
            hours(m.training),
        ]);
    }
    xlsx::workbook(&[summary, entries, periods]).map_err(ApiError::internal)
}

/// The certificate as a download named after the member.
pub fn download(c: &HoursCertificate) -> Result<HttpResponse, ApiError> {
    let bytes = workbook(c)?;
    let name = format!("志愿服务证明-{}", xlsx::file_name_part(&c.member.name, 40));
    Ok(xlsx::download(
        bytes,
        &name,
        &format!("volunteer-certificate-{}", c.member.id),
    ))
}
