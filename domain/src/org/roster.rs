//! Roster import: turning a township's spreadsheet of members into orgs, members and roles.
//!
//! Every row is checked before anything is written: [`plan`] answers either the whole
//! change or every bad row with its reason. The plan is then applied in one unit of work.
//! Importing the same file again plans nothing.
//!
//! Rules:
//! - `组织路径` names an org by its names from the township committee down
//!   (`盖北镇党委/虞北村党总支/第一党支部`). The committee must exist. Any other org on a path
//!   must exist or be named by the path of some row of the file (a row with only a path
//!   and a sector creates a general branch); its parent likewise, or the row is refused
//!   with an unknown parent. A new org named `…总支…` is a general branch, any other a branch.
//! - A row with a name and phone is a member of the branch its path names. The phone (after
//!   normalising full-width digits and a `+86` prefix) identifies the member: a known phone
//!   updates that member's branch, group, category, leading-cadre and probationary flags;
//!   the same phone under a different name is refused (a typo must not rename somebody else).
//! - `党小组` names a group in the branch, created if missing. `领导干部` and `预备党员` are 是 or
//!   否 (empty: 否). A file without the `党小组`, `领导干部` or `预备党员` column leaves those of
//!   existing members as they are. `职务` gives the member a role on their branch (书记, 支委)
//!   unless they already hold it.
//! - Names are stored exactly as written, bar surrounding whitespace: combining marks,
//!   zero-width characters and characters outside the BMP are kept.

use crate::error::ErrorCode;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::model::{
    Member, MemberCategory, MemberId, MemberStatus, Org, OrgId, OrgKind, OrgSector, RoleGrant,
    RoleGrantId, RoleKind,
};
use super::phone::PhoneNumber;
use super::service::role_fits;

/// One data row as read from the file, cells as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RosterRow {
    /// The row number as the spreadsheet shows it (the header is row 1).
    pub line: usize,
    pub org_path: String,
    pub sector: String,
    pub name: String,
    pub phone: String,
    pub category: String,
    /// `None` when the file has no such column: an existing member's group is kept.
    pub group: Option<String>,
    /// `None` when the file has no such column: an existing member's flag is kept.
    pub leading_cadre: Option<String>,
    pub role: String,
    /// 预备党员; `None` when the file has no such column: an existing member's flag is kept.
    pub probationary: Option<String>,
}

/// A refused row and why, in words for the person who wrote the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: usize,
    pub reason: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "第 {} 行：{}", self.line, self.reason)
    }
}

/// What the database holds that the file may refer to.
#[derive(Debug, Clone, Default)]
pub struct Existing {
    /// Every org in the trees of the committees the file names.
    pub orgs: Vec<Org>,
    /// Members already holding phones the file lists.
    pub members: Vec<Member>,
    /// Roles those members hold.
    pub roles: Vec<RoleGrant>,
}

/// The change an import makes, row by row in the order to write it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RosterPlan {
    /// Every row of the file, those that write nothing included, ordered so that whatever a
    /// row needs is written before it: shallow org paths before deep ones, then file order.
    pub rows: Vec<RowChange>,
    /// Member rows that match the database already.
    pub unchanged_members: usize,
}

/// What one row of the file writes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowChange {
    pub line: usize,
    /// Orgs this row is the first to need: its own org, then its group; parent first.
    pub new_orgs: Vec<Org>,
    pub member: Option<MemberChange>,
    pub new_role: Option<RoleGrant>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberChange {
    New(Member),
    Updated(Member),
}

impl RowChange {
    fn writes_nothing(&self) -> bool {
        self.new_orgs.is_empty() && self.member.is_none() && self.new_role.is_none()
    }
}

impl RosterPlan {
    pub fn is_empty(&self) -> bool {
        self.rows.iter().all(RowChange::writes_nothing)
    }

    pub fn new_orgs(&self) -> impl Iterator<Item = &Org> {
        self.rows.iter().flat_map(|r| &r.new_orgs)
    }

    pub fn new_members(&self) -> impl Iterator<Item = &Member> {
        self.rows.iter().filter_map(|r| match &r.member {
            Some(MemberChange::New(m)) => Some(m),
            _ => None,
        })
    }

    pub fn updated_members(&self) -> impl Iterator<Item = &Member> {
        self.rows.iter().filter_map(|r| match &r.member {
            Some(MemberChange::Updated(m)) => Some(m),
            _ => None,
        })
    }

    pub fn new_roles(&self) -> impl Iterator<Item = &RoleGrant> {
        self.rows.iter().filter_map(|r| r.new_role.as_ref())
    }
}

pub fn parse_sector(raw: &str) -> Option<OrgSector> {
    match raw.trim() {
        "农村" => Some(OrgSector::Rural),
        "机关事业单位" | "机关" => Some(OrgSector::Government),
        "非公企业和社会组织" | "两新组织" | "企业" => Some(OrgSector::Enterprise),
        "学校、卫生院" | "学校" | "卫生院" => Some(OrgSector::SchoolHospital),
        other => OrgSector::parse(other),
    }
}

pub fn parse_category(raw: &str) -> Option<MemberCategory> {
    match raw.trim() {
        "在职" | "在职党员" => Some(MemberCategory::InService),
        "农村" | "农村党员" => Some(MemberCategory::Rural),
        "离退休" | "离退休党员" => Some(MemberCategory::Retired),
        "年老体弱" | "年老体弱党员" => Some(MemberCategory::Frail),
        "流动" | "流动党员" => Some(MemberCategory::Mobile),
        other => MemberCategory::parse(other),
    }
}

fn parse_yes_no(raw: &str) -> Option<bool> {
    match raw.trim().to_lowercase().as_str() {
        "" | "否" | "n" | "no" | "false" | "0" => Some(false),
        "是" | "y" | "yes" | "true" | "1" => Some(true),
        _ => None,
    }
}

fn parse_role(raw: &str) -> Result<Option<RoleKind>, ()> {
    match raw.trim() {
        "" | "党员" => Ok(None),
        "书记" | "支部书记" => Ok(Some(RoleKind::Secretary)),
        "支委" | "委员" | "支部委员" => Ok(Some(RoleKind::Committee)),
        other => match RoleKind::parse(other) {
            Some(k @ (RoleKind::Secretary | RoleKind::Committee)) => Ok(Some(k)),
            _ => Err(()),
        },
    }
}

/// A bad phone cell as shown back: its ends only, as it may be a real number mistyped.
fn mask_cell(raw: &str) -> String {
    let chars: Vec<char> = raw.chars().collect();
    if chars.len() < 7 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 2..].iter().collect();
    format!("{head}****{tail}")
}

/// The names of a path, root first; `/` or `／` between them.
fn segments(raw: &str) -> Vec<String> {
    raw.split(['/', '／'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// An org the file refers to by names, resolved or to be created.
#[derive(Debug, Clone)]
enum Slot {
    Known(Org),
    /// Two siblings share the name: the path cannot say which is meant.
    Ambiguous,
}

struct Tree {
    /// Orgs by their name path (`a/b/c`).
    by_names: HashMap<String, Slot>,
}

impl Tree {
    fn new(orgs: &[Org]) -> Self {
        let by_id: HashMap<OrgId, &Org> = orgs.iter().map(|o| (o.id, o)).collect();
        let mut by_names = HashMap::new();
        for org in orgs {
            let mut names = Vec::new();
            let mut cur = Some(org);
            while let Some(o) = cur {
                names.push(o.name.as_str());
                cur = o.parent_id.and_then(|p| by_id.get(&p).copied());
            }
            names.reverse();
            let key = names.join("/");
            by_names
                .entry(key)
                .and_modify(|s| *s = Slot::Ambiguous)
                .or_insert_with(|| Slot::Known(org.clone()));
        }
        Self { by_names }
    }

    fn get(&self, names: &[String]) -> Option<&Slot> {
        self.by_names.get(&names.join("/"))
    }

    fn insert(&mut self, names: &[String], org: Org) {
        self.by_names.insert(names.join("/"), Slot::Known(org));
    }
}

/// Checks every row and answers the change, or every bad row.
pub fn plan(
    rows: &[RosterRow],
    existing: &Existing,
    now: DateTime<Utc>,
) -> Result<RosterPlan, Vec<RowError>> {
    let mut errors = Vec::new();
    let mut err = |line: usize, reason: String| errors.push(RowError { line, reason });
    let mut tree = Tree::new(&existing.orgs);
    let mut changes: HashMap<usize, RowChange> = HashMap::new();
    let mut unchanged_members = 0;

    // Paths the file declares (each row's own path), so a parent may come from any row.
    let declared: HashSet<String> = rows
        .iter()
        .map(|r| segments(&r.org_path).join("/"))
        .collect();

    // The sectors rows state for their org: the first one stated names a new org's sector;
    // another row stating a different one is refused.
    let mut stated: HashMap<String, (OrgSector, usize)> = HashMap::new();
    let mut bad_sector: HashSet<usize> = HashSet::new();
    for row in rows {
        if row.sector.trim().is_empty() {
            continue;
        }
        let key = segments(&row.org_path).join("/");
        match parse_sector(&row.sector) {
            None => {
                err(
                    row.line,
                    format!(
                        "未知组织类别「{}」（应为 农村、机关事业单位、非公企业和社会组织 或 学校、卫生院）",
                        row.sector.trim()
                    ),
                );
                bad_sector.insert(row.line);
            }
            Some(sector) => match stated.get(&key) {
                Some((first, line)) if *first != sector => {
                    err(row.line, format!("组织类别与第 {line} 行不一致"));
                    bad_sector.insert(row.line);
                }
                Some(_) => {}
                None => {
                    stated.insert(key, (sector, row.line));
                }
            },
        }
    }

    // Orgs first, shallow paths before deep ones, so parents exist when children are made.
    let mut order: Vec<&RosterRow> = rows.iter().collect();
    order.sort_by_key(|r| (segments(&r.org_path).len(), r.line));
    let mut row_org: HashMap<usize, Org> = HashMap::new();
    for row in order {
        let names = segments(&row.org_path);
        if names.is_empty() {
            err(row.line, "缺少组织路径".into());
            continue;
        }
        if bad_sector.contains(&row.line) {
            continue;
        }
        let sector = stated.get(&names.join("/")).map(|(s, _)| *s);
        match resolve(&mut tree, &declared, &names, sector, now) {
            Ok((org, created)) => {
                if let Some(new) = created {
                    change(&mut changes, row.line).new_orgs.push(new);
                } else if !row.sector.trim().is_empty() && sector.is_some_and(|s| s != org.sector) {
                    err(row.line, "组织类别与已有组织不一致".into());
                    continue;
                }
                row_org.insert(row.line, org);
            }
            Err(reason) => err(row.line, reason),
        }
    }

    // Then members, in file order.
    let by_phone: HashMap<&PhoneNumber, &Member> =
        existing.members.iter().map(|m| (&m.phone, m)).collect();
    let mut seen_phones: HashMap<PhoneNumber, usize> = HashMap::new();
    let mut groups_made: HashMap<(OrgId, String), Org> = HashMap::new();
    for row in rows {
        // A row whose org could not be resolved is still checked, so all its faults show.
        let org = row_org.get(&row.line);
        let has_member = !row.name.trim().is_empty() || !row.phone.trim().is_empty();
        if !has_member {
            for (cell, label) in [
                (Some(&row.category), "党员类别"),
                (row.group.as_ref(), "党小组"),
                (row.leading_cadre.as_ref(), "领导干部"),
                (Some(&row.role), "职务"),
                (row.probationary.as_ref(), "预备党员"),
            ] {
                if cell.is_some_and(|c| !c.trim().is_empty()) {
                    err(row.line, format!("填写了{label}但缺少姓名和手机号"));
                }
            }
            continue;
        }
        let mut reasons = Vec::new();
        if org.is_some_and(|o| o.kind != OrgKind::Branch) {
            reasons.push("党员须编入党支部（组织路径的最后一级应为党支部）".to_owned());
        }
        let name = match Member::validate_name(&row.name) {
            Ok(n) => Some(n),
            Err(_) => {
                reasons.push(format!(
                    "姓名须为 1-{} 个字符，不含控制字符",
                    Member::MAX_NAME_CHARS
                ));
                None
            }
        };
        let phone = match PhoneNumber::parse(&row.phone) {
            Ok(p) => Some(p),
            Err(e) if e.code == ErrorCode::PhoneNotMainland => {
                reasons.push(format!(
                    "手机号「{}」不是大陆手机号（只接受 +86 或不带国家码的 11 位手机号）",
                    mask_cell(row.phone.trim())
                ));
                None
            }
            Err(_) => {
                reasons.push(format!(
                    "手机号「{}」无效（应为 11 位大陆手机号，可带 +86）",
                    mask_cell(row.phone.trim())
                ));
                None
            }
        };
        if let Some(p) = &phone {
            if let Some(first) = seen_phones.get(p) {
                reasons.push(format!("手机号与第 {first} 行重复"));
            } else {
                seen_phones.insert(p.clone(), row.line);
            }
        }
        let category = parse_category(&row.category);
        if category.is_none() {
            reasons.push(format!(
                "未知党员类别「{}」（应为 在职、农村、离退休、年老体弱 或 流动）",
                row.category.trim()
            ));
        }
        // Some(None): the column is absent, keep what the member has.
        let cadre = match &row.leading_cadre {
            None => Some(None),
            Some(raw) => parse_yes_no(raw).map(Some),
        };
        if cadre.is_none() {
            reasons.push(format!(
                "领导干部应填 是 或 否，而非「{}」",
                row.leading_cadre.as_deref().unwrap_or_default().trim()
            ));
        }
        let probationary = match &row.probationary {
            None => Some(None),
            Some(raw) => parse_yes_no(raw).map(Some),
        };
        if probationary.is_none() {
            reasons.push(format!(
                "预备党员应填 是 或 否，而非「{}」",
                row.probationary.as_deref().unwrap_or_default().trim()
            ));
        }
        let role = parse_role(&row.role).ok();
        if role.is_none() {
            reasons.push(format!(
                "未知职务「{}」（应为 书记、支委 或留空）",
                row.role.trim()
            ));
        }
        let group_name = row.group.as_deref().map(str::trim).unwrap_or_default();
        if !group_name.is_empty() && Org::validate_name(group_name).is_err() {
            reasons.push("党小组名称无效".into());
        }
        let existing_member = phone.as_ref().and_then(|p| by_phone.get(p).copied());
        if let (Some(m), Some(n)) = (existing_member, &name) {
            if &m.name != n {
                reasons.push(format!("手机号 {} 已属于另一名党员", m.phone.masked()));
            }
        }
        let (
            Some(org),
            Some(name),
            Some(phone),
            Some(category),
            Some(cadre),
            Some(probationary),
            Some(role),
            true,
        ) = (
            org,
            name,
            phone,
            category,
            cadre,
            probationary,
            role,
            reasons.is_empty(),
        )
        else {
            for r in reasons {
                err(row.line, r);
            }
            continue;
        };
        // Some(None): no group; None: the column is absent, keep the member's group.
        let group_id = if row.group.is_none() {
            None
        } else if group_name.is_empty() {
            Some(None)
        } else {
            let names: Vec<String> = segments(&row.org_path)
                .into_iter()
                .chain([group_name.to_owned()])
                .collect();
            match tree.get(&names) {
                Some(Slot::Known(g)) if g.kind == OrgKind::Group => Some(Some(g.id)),
                Some(Slot::Known(_)) | Some(Slot::Ambiguous) => {
                    err(row.line, format!("党小组「{group_name}」无法确定"));
                    continue;
                }
                None => {
                    let g = match groups_made.entry((org.id, group_name.to_owned())) {
                        Entry::Occupied(made) => made.get().id,
                        Entry::Vacant(slot) => {
                            let id = OrgId::at(now);
                            let group = Org {
                                id,
                                parent_id: Some(org.id),
                                kind: OrgKind::Group,
                                sector: org.sector,
                                name: group_name.to_owned(),
                                path: org.path.child(id),
                                created_at: now,
                            };
                            change(&mut changes, row.line).new_orgs.push(group.clone());
                            slot.insert(group).id
                        }
                    };
                    Some(Some(g))
                }
            }
        };
        let member = match existing_member {
            Some(m) => {
                let mut updated = m.clone();
                updated.branch_id = org.id;
                updated.branch_path = org.path.clone();
                if let Some(group_id) = group_id {
                    updated.group_id = group_id;
                }
                updated.category = category;
                if let Some(cadre) = cadre {
                    updated.leading_cadre = cadre;
                }
                if let Some(probationary) = probationary {
                    updated.probationary = probationary;
                }
                if &updated == m {
                    unchanged_members += 1;
                } else {
                    updated.updated_at = now;
                    change(&mut changes, row.line).member =
                        Some(MemberChange::Updated(updated.clone()));
                }
                updated
            }
            None => {
                let m = Member {
                    id: MemberId::at(now),
                    name,
                    phone,
                    category,
                    branch_id: org.id,
                    group_id: group_id.flatten(),
                    branch_path: org.path.clone(),
                    leading_cadre: cadre.unwrap_or(false),
                    probationary: probationary.unwrap_or(false),
                    status: MemberStatus::Active,
                    created_at: now,
                    updated_at: now,
                };
                change(&mut changes, row.line).member = Some(MemberChange::New(m.clone()));
                m
            }
        };
        if let Some(kind) = role {
            let held = existing
                .roles
                .iter()
                .any(|g| g.member_id == member.id && g.kind == kind && g.org_id == org.id);
            if !held && role_fits(kind, org.kind) {
                change(&mut changes, row.line).new_role = Some(RoleGrant {
                    id: RoleGrantId::at(now),
                    member_id: member.id,
                    kind,
                    org_id: org.id,
                    org_path: org.path.clone(),
                    can_review: false,
                    granted_at: now,
                });
            }
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.line);
        return Err(errors);
    }
    // The order orgs were resolved in: a row's org is made by the first row naming it in
    // this order, its parent by a shallower row, its group by the row itself or an earlier
    // row of the same path.
    let mut order: Vec<&RosterRow> = rows.iter().collect();
    order.sort_by_key(|r| (segments(&r.org_path).len(), r.line));
    Ok(RosterPlan {
        rows: order
            .into_iter()
            .map(|r| {
                changes.remove(&r.line).unwrap_or(RowChange {
                    line: r.line,
                    ..RowChange::default()
                })
            })
            .collect(),
        unchanged_members,
    })
}

fn change(changes: &mut HashMap<usize, RowChange>, line: usize) -> &mut RowChange {
    changes.entry(line).or_insert_with(|| RowChange {
        line,
        ..RowChange::default()
    })
}

/// The org at `names`: known, or made now if its parent is known (or declared by the file
/// and already made, since rows are taken shallow first).
fn resolve(
    tree: &mut Tree,
    declared: &HashSet<String>,
    names: &[String],
    sector: Option<OrgSector>,
    now: DateTime<Utc>,
) -> Result<(Org, Option<Org>), String> {
    match tree.get(names) {
        Some(Slot::Known(org)) => return Ok((org.clone(), None)),
        Some(Slot::Ambiguous) => {
            return Err(format!("组织「{}」有重名，无法确定", names.join("/")))
        }
        None => {}
    }
    let Some((last, parent_names)) = names.split_last() else {
        return Err("缺少组织路径".into());
    };
    if parent_names.is_empty() {
        return Err(format!("上级党委「{last}」不存在，请先建立镇党委"));
    }
    let parent = match tree.get(parent_names) {
        Some(Slot::Known(p)) => p.clone(),
        Some(Slot::Ambiguous) => {
            return Err(format!(
                "上级组织「{}」有重名，无法确定",
                parent_names.join("/")
            ))
        }
        None if parent_names.len() == 1 => {
            return Err(format!(
                "上级党委「{}」不存在，请先建立镇党委",
                parent_names.join("/")
            ))
        }
        None => {
            let hint = if declared.contains(&parent_names.join("/")) {
                "（该上级组织所在行有误）"
            } else {
                ""
            };
            return Err(format!(
                "上级组织「{}」不存在{hint}",
                parent_names.join("/")
            ));
        }
    };
    if Org::validate_name(last).is_err() {
        return Err(format!("组织名称须为 1-{} 个字符", Org::MAX_NAME_CHARS));
    }
    let kind = if last.contains("总支") {
        OrgKind::GeneralBranch
    } else {
        OrgKind::Branch
    };
    if !parent.kind.may_contain(kind) {
        return Err(format!("「{last}」不能建在「{}」之下", parent.name));
    }
    let id = OrgId::at(now);
    let org = Org {
        id,
        parent_id: Some(parent.id),
        kind,
        sector: sector.unwrap_or(parent.sector),
        name: last.clone(),
        path: parent.path.child(id),
        created_at: now,
    };
    tree.insert(names, org.clone());
    Ok((org.clone(), Some(org)))
}

/// Writes `plan` through `uow` (the caller commits), row by row, reporting to `progress`
/// how many rows are written. Answers that number.
pub async fn apply(
    uow: &dyn crate::uow::UnitOfWork,
    plan: &RosterPlan,
    progress: &mut (dyn FnMut(usize) + Send),
) -> Result<usize, crate::error::RepoError> {
    for (done, row) in plan.rows.iter().enumerate() {
        for org in &row.new_orgs {
            uow.orgs().insert(org).await?;
        }
        match &row.member {
            Some(MemberChange::New(m)) => uow.members().insert(m).await?,
            Some(MemberChange::Updated(m)) => uow.members().update(m).await?,
            None => {}
        }
        if let Some(grant) = &row.new_role {
            uow.roles().insert(grant).await?;
        }
        progress(done + 1);
    }
    Ok(plan.rows.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::OrgPath;

    fn now() -> DateTime<Utc> {
        "2026-11-05T00:30:00Z"
            .parse()
            .unwrap_or_else(|e| panic!("instant: {e}"))
    }

    /// 盖北镇党委 with one branch, 第一党支部.
    fn township() -> (Existing, Org) {
        let committee_id = OrgId::new();
        let committee = Org {
            id: committee_id,
            parent_id: None,
            kind: OrgKind::Committee,
            sector: OrgSector::Rural,
            name: "盖北镇党委".into(),
            path: OrgPath::root(committee_id),
            created_at: now(),
        };
        let branch_id = OrgId::new();
        let branch = Org {
            id: branch_id,
            parent_id: Some(committee_id),
            kind: OrgKind::Branch,
            sector: OrgSector::Rural,
            name: "第一党支部".into(),
            path: committee.path.child(branch_id),
            created_at: now(),
        };
        let existing = Existing {
            orgs: vec![committee, branch.clone()],
            ..Existing::default()
        };
        (existing, branch)
    }

    fn row(line: usize, phone: &str, probationary: Option<&str>) -> RosterRow {
        RosterRow {
            line,
            org_path: "盖北镇党委/第一党支部".into(),
            name: format!("党员{line}"),
            phone: phone.into(),
            category: "农村".into(),
            probationary: probationary.map(str::to_owned),
            ..RosterRow::default()
        }
    }

    fn member_on(branch: &Org, name: &str, phone: &str, probationary: bool) -> Member {
        Member {
            id: MemberId::new(),
            name: name.into(),
            phone: PhoneNumber::parse(phone).unwrap_or_else(|e| panic!("{phone}: {e:?}")),
            category: MemberCategory::Rural,
            branch_id: branch.id,
            group_id: None,
            branch_path: branch.path.clone(),
            leading_cadre: false,
            probationary,
            status: MemberStatus::Active,
            created_at: now(),
            updated_at: now(),
        }
    }

    fn new_members(plan: &RosterPlan) -> Vec<(String, bool)> {
        plan.new_members()
            .map(|m| (m.name.clone(), m.probationary))
            .collect()
    }

    #[test]
    fn probationary_reads_yes_no_and_an_empty_cell_as_no() {
        let (existing, _) = township();
        let rows = [
            row(2, "13700000001", Some("是")),
            row(3, "13700000002", Some(" 否 ")),
            row(4, "13700000003", Some("")),
            row(5, "13700000004", None),
        ];
        let plan = plan(&rows, &existing, now()).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            new_members(&plan),
            [
                ("党员2".to_owned(), true),
                ("党员3".to_owned(), false),
                ("党员4".to_owned(), false),
                ("党员5".to_owned(), false),
            ]
        );
    }

    #[test]
    fn a_bad_probationary_cell_is_reported_with_its_row_and_value() {
        let (existing, _) = township();
        let rows = [
            row(2, "13700000001", Some("是")),
            row(3, "13700000002", Some("预备")),
        ];
        let errors = plan(&rows, &existing, now()).err().unwrap_or_default();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].line, 3);
        assert!(
            errors[0].reason.contains("预备党员") && errors[0].reason.contains("「预备」"),
            "{}",
            errors[0]
        );
    }

    #[test]
    fn a_probationary_cell_without_a_member_is_refused() {
        let (existing, _) = township();
        let rows = [RosterRow {
            line: 2,
            org_path: "盖北镇党委/第一党支部".into(),
            probationary: Some("是".into()),
            ..RosterRow::default()
        }];
        let errors = plan(&rows, &existing, now()).err().unwrap_or_default();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].reason.contains("预备党员"), "{}", errors[0]);
    }

    #[test]
    fn an_existing_member_keeps_the_flag_without_the_column_and_takes_it_with_it() {
        let (mut existing, branch) = township();
        let known = member_on(&branch, "党员2", "13700000001", true);
        existing.members.push(known.clone());

        let absent = plan(&[row(2, "13700000001", None)], &existing, now())
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert!(absent.is_empty(), "{absent:?}");
        assert_eq!(absent.unchanged_members, 1);

        let admitted = plan(&[row(2, "13700000001", Some("否"))], &existing, now())
            .unwrap_or_else(|e| panic!("{e:?}"));
        let updated: Vec<&Member> = admitted.updated_members().collect();
        assert_eq!(updated.len(), 1);
        assert!(!updated[0].probationary);
        assert_eq!(updated[0].id, known.id);
    }
}
