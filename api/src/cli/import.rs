//! `api import roster <file.xlsx|file.csv> [--dry-run]`: loading a township's roster.
//!
//! The file is read whole, every row checked ([`domain::org::roster::plan`]), and only a
//! file without a bad row is written, in one unit of work with one audit entry. Re-running
//! the same file writes nothing. Progress goes to stderr: a bar on a terminal, plain lines
//! otherwise (CI logs, pipes).

use std::collections::HashSet;
use std::io::IsTerminal;
use std::path::Path;

use chrono::{DateTime, Utc};

use super::{failed, CliError};
use domain::audit::{AuditAction, AuditEntry, AuditId, NewAuditEntry};
use domain::org::roster::{self, Existing, RosterPlan, RosterRow, RowError};
use domain::org::PhoneNumber;
use domain::uow::{Transactional, UnitOfWork};
use infra::Db;

/// The columns, by the header names people write (Chinese) or the API's field names.
const COLUMNS: [(&str, &[&str], bool); 9] = [
    (
        "组织路径",
        &["组织路径", "组织", "orgPath", "org_path"],
        true,
    ),
    (
        "组织类别",
        &["组织类别", "sector", "orgSector", "org_sector"],
        false,
    ),
    ("姓名", &["姓名", "name"], true),
    ("手机号", &["手机号", "手机号码", "phone"], true),
    ("党员类别", &["党员类别", "category"], true),
    ("党小组", &["党小组", "group"], false),
    (
        "领导干部",
        &["领导干部", "是否领导干部", "leadingCadre", "leading_cadre"],
        false,
    ),
    ("职务", &["职务", "role"], false),
    (
        "预备党员",
        &["预备党员", "是否预备党员", "probationary"],
        false,
    ),
];

/// What an import did, or would do (`dry_run`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub rows: usize,
    pub new_orgs: usize,
    pub new_members: usize,
    pub updated_members: usize,
    pub new_roles: usize,
    pub unchanged_members: usize,
    pub dry_run: bool,
}

impl std::fmt::Display for ImportReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let verb = if self.dry_run {
            "校验通过（试运行，未写入）"
        } else {
            "导入完成"
        };
        write!(
            f,
            "{verb}：{} 行；新建组织 {} 个，新增党员 {} 名，更新党员 {} 名，新授职务 {} 项，{} 名党员无变化",
            self.rows,
            self.new_orgs,
            self.new_members,
            self.updated_members,
            self.new_roles,
            self.unchanged_members
        )
    }
}

/// Why an import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be read as a roster at all.
    #[error("{0}")]
    File(String),
    /// Some rows are bad: all of them, in row order.
    #[error("{} 行有误（共 {} 处），未导入任何数据：\n{}", bad_lines(.0), .0.len(), .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Rows(Vec<RowError>),
    #[error("{0}")]
    Store(String),
}

fn bad_lines(errors: &[RowError]) -> usize {
    errors.iter().map(|e| e.line).collect::<HashSet<_>>().len()
}

/// Reads a roster file: `.csv` (UTF-8, with or without a BOM) or a spreadsheet
/// (`.xlsx`, `.xlsm`, `.xls`, `.ods`; the first sheet). Blank rows are skipped.
pub fn read_rows(path: &Path) -> Result<Vec<RosterRow>, ImportError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let table = match ext.as_str() {
        "csv" => read_csv(path)?,
        "xlsx" | "xlsm" | "xls" | "ods" => read_sheet(path)?,
        _ => {
            return Err(ImportError::File(format!(
                "{}: 只能导入 .xlsx 或 .csv 文件",
                path.display()
            )))
        }
    };
    rows_of(table)
}

/// Cells by row, each with the row number the spreadsheet shows.
type Table = Vec<(usize, Vec<String>)>;

fn read_csv(path: &Path) -> Result<Table, ImportError> {
    let bytes =
        std::fs::read(path).map_err(|e| ImportError::File(format!("{}: {e}", path.display())))?;
    let text = std::str::from_utf8(&bytes).map_err(|_| {
        ImportError::File(format!(
            "{}: 不是 UTF-8 编码的 CSV（在 Excel 中另存为“CSV UTF-8”）",
            path.display()
        ))
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut table = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| ImportError::File(format!("{}: {e}", path.display())))?;
        // The physical line the record starts on, as a spreadsheet numbers it (the csv
        // crate's own line count does not count blank lines).
        let line = record.position().map_or(table.len() + 1, |p| {
            let bytes = text.as_bytes();
            let mut at = usize::try_from(p.byte())
                .unwrap_or(usize::MAX)
                .min(bytes.len());
            // The position may sit on blank lines skipped before the record.
            while matches!(bytes.get(at), Some(b'\n' | b'\r')) {
                at += 1;
            }
            bytes[..at].iter().filter(|b| **b == b'\n').count() + 1
        });
        table.push((line, record.iter().map(str::to_owned).collect()));
    }
    Ok(table)
}

fn read_sheet(path: &Path) -> Result<Table, ImportError> {
    use calamine::{open_workbook_auto, Data, Reader};
    let mut book = open_workbook_auto(path)
        .map_err(|e| ImportError::File(format!("{}: {e}", path.display())))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| ImportError::File(format!("{}: 没有工作表", path.display())))?
        .map_err(|e| ImportError::File(format!("{}: {e}", path.display())))?;
    let first_row = range.start().map_or(0, |(r, _)| r as usize);
    let first_col = range.start().map_or(0, |(_, c)| c as usize);
    let cell = |d: &Data| match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        // Phones typed into a number cell: 13800000001 arrives as a float.
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Int(i) => i.to_string(),
        Data::Bool(true) => "是".to_owned(),
        Data::Bool(false) => "否".to_owned(),
        other => other.to_string(),
    };
    Ok(range
        .rows()
        .enumerate()
        .map(|(i, row)| {
            let mut cells = vec![String::new(); first_col];
            cells.extend(row.iter().map(cell));
            (first_row + i + 1, cells)
        })
        .collect())
}

/// Finds the header row (the first non-blank one), maps its columns and reads the rest.
fn rows_of(table: Table) -> Result<Vec<RosterRow>, ImportError> {
    let mut rows = table
        .into_iter()
        .filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()));
    let Some((_, header)) = rows.next() else {
        return Err(ImportError::File("文件是空的".into()));
    };
    let mut index = [None; COLUMNS.len()];
    for (slot, (label, names, required)) in index.iter_mut().zip(COLUMNS) {
        *slot = header
            .iter()
            .position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)));
        if required && slot.is_none() {
            return Err(ImportError::File(format!(
                "缺少“{label}”列（表头应含：组织路径、组织类别、姓名、手机号、党员类别、党小组、领导干部、职务、预备党员）"
            )));
        }
    }
    // An absent column reads as None, a present one as its cell (empty if short).
    let column =
        |cells: &[String], i: usize| index[i].map(|c| cells.get(c).cloned().unwrap_or_default());
    let get = |cells: &[String], i: usize| column(cells, i).unwrap_or_default();
    Ok(rows
        .map(|(line, cells)| RosterRow {
            line,
            org_path: get(&cells, 0),
            sector: get(&cells, 1),
            name: get(&cells, 2),
            phone: get(&cells, 3),
            category: get(&cells, 4),
            group: column(&cells, 5),
            leading_cadre: column(&cells, 6),
            role: get(&cells, 7),
            probationary: column(&cells, 8),
        })
        .collect())
}

/// What the database holds that `rows` may refer to: the trees of the committees they
/// name, the members holding their phones and those members' roles.
async fn existing(uow: &dyn UnitOfWork, rows: &[RosterRow]) -> Result<Existing, ImportError> {
    let store = |e: domain::error::RepoError| ImportError::Store(e.to_string());
    let roots: HashSet<&str> = rows
        .iter()
        .filter_map(|r| {
            r.org_path
                .split(['/', '／'])
                .map(str::trim)
                .find(|s| !s.is_empty())
        })
        .collect();
    let mut out = Existing::default();
    for root in uow.orgs().roots().await.map_err(store)? {
        if roots.contains(root.name.as_str()) {
            out.orgs
                .extend(uow.orgs().subtree(&root.path).await.map_err(store)?);
        }
    }
    let phones: HashSet<PhoneNumber> = rows
        .iter()
        .filter_map(|r| PhoneNumber::parse(&r.phone).ok())
        .collect();
    for phone in &phones {
        if let Some(member) = uow.members().find_by_phone(phone).await.map_err(store)? {
            out.roles
                .extend(uow.roles().of_member(member.id).await.map_err(store)?);
            out.members.push(member);
        }
    }
    Ok(out)
}

/// Imports the roster at `path` into `db` (or only checks it, `dry_run`).
pub async fn run(
    db: &Db,
    now: DateTime<Utc>,
    path: &Path,
    dry_run: bool,
) -> Result<ImportReport, ImportError> {
    let rows = read_rows(path)?;
    progress_line(&format!("读取 {} 行，校验中…", rows.len()));
    let store = |e: domain::error::RepoError| ImportError::Store(e.to_string());
    // Read what is there and write inside one unit of work: on SQLite it holds the write
    // lock throughout; on PostgreSQL an org or member added meanwhile by someone else makes
    // the commit fail on the (parent, name) or phone index rather than duplicate it.
    let uow = db.begin().await.map_err(store)?;
    let existing = existing(uow.as_ref(), &rows).await?;
    let plan = roster::plan(&rows, &existing, now).map_err(ImportError::Rows)?;
    let report = report(&rows, &plan, dry_run);
    if dry_run || plan.is_empty() {
        uow.rollback().await.map_err(store)?;
        return Ok(report);
    }
    let mut bar = Progress::new(plan.rows.len());
    roster::apply(uow.as_ref(), &plan, &mut |done| bar.set(done))
        .await
        .map_err(store)?;
    let root = plan
        .new_orgs()
        .next()
        .map(|o| o.path.clone())
        .or_else(|| plan.new_members().next().map(|m| m.branch_path.clone()))
        .or_else(|| plan.updated_members().next().map(|m| m.branch_path.clone()))
        .or_else(|| plan.new_roles().next().map(|g| g.org_path.clone()));
    let root = root
        .as_ref()
        .and_then(|p| p.root_id().map(|id| (id, domain::org::OrgPath::root(id))));
    let file = path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let entry = AuditEntry::record(
        AuditId::at(now),
        NewAuditEntry {
            actor: None,
            action: AuditAction::known("roster.import"),
            object_type: "roster".to_owned(),
            object_id: file.chars().take(200).collect(),
            org_id: root.as_ref().map(|(id, _)| id.as_uuid()),
            org_path: root.as_ref().map(|(_, p)| p.as_str().to_owned()),
            request_id: None,
        },
        now,
    );
    uow.audit().append(&entry).await.map_err(store)?;
    uow.commit().await.map_err(store)?;
    bar.finish();
    Ok(report)
}

fn report(rows: &[RosterRow], plan: &RosterPlan, dry_run: bool) -> ImportReport {
    ImportReport {
        rows: rows.len(),
        new_orgs: plan.new_orgs().count(),
        new_members: plan.new_members().count(),
        updated_members: plan.updated_members().count(),
        new_roles: plan.new_roles().count(),
        unchanged_members: plan.unchanged_members,
        dry_run,
    }
}

fn progress_line(text: &str) {
    eprintln!("{text}");
}

/// A bar on a terminal; otherwise a plain line about every tenth of the way.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    total: usize,
    step: usize,
    next: usize,
}

impl Progress {
    fn new(total: usize) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new(total as u64);
            if let Ok(style) =
                indicatif::ProgressStyle::with_template("写入 [{bar:30}] {pos}/{len} 行 ({eta})")
            {
                bar.set_style(style.progress_chars("=> "));
            }
            bar
        });
        let step = (total / 10).max(1);
        Self {
            bar,
            total,
            step,
            next: step,
        }
    }

    fn set(&mut self, done: usize) {
        match &self.bar {
            Some(bar) => bar.set_position(done as u64),
            None if done >= self.next || done == self.total => {
                progress_line(&format!("写入 {done}/{}", self.total));
                self.next = done + self.step;
            }
            None => {}
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// The `import roster` command: in the embedded mode the demo township is there first, as
/// when serving, so the sample roster imports on a fresh machine.
pub async fn import_roster(
    settings: &crate::config::Settings,
    path: &Path,
    dry_run: bool,
) -> Result<ImportReport, CliError> {
    let state = super::state(settings).await?;
    if settings.seed_demo && state.db.backend() == infra::db::Backend::Sqlite {
        super::demo::seed(&state.db, state.clock.now())
            .await
            .map_err(failed)?;
    }
    run(&state.db, state.clock.now(), path, dry_run)
        .await
        .map_err(|e| CliError::Failed(e.to_string()))
}
