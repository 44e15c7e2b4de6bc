//! A township's pioneer-index rule set (先锋指数考评细则), kept as data: which members are
//! left out of the pool, and per sector and member category a profile of basic items scored
//! from records, positive items claimed with evidence (each capped per half year), negative
//! items and zeroing items.
//!
//! Points are counted in hundredths ("centi-points") everywhere below, so the same records
//! always give the same index to the last digit, with no floating point involved.

use std::collections::BTreeSet;

use crate::error::{ErrorCode, FieldError};
use crate::org::{MemberCategory, OrgSector};
use crate::string_enum::string_enum;
use crate::text::clean_text;

/// Hundredths of a point.
pub type Centi = i64;

string_enum!(
    /// What a basic item is scored from. Each is a share of what was asked of the member in
    /// the half year (required materials completed of those assigned, 月送党课 lessons
    /// completed of those pushed, theme days and 三会一课 meetings attended of those expected,
    /// exemptions left out), except volunteer hours (confirmed service hours against the
    /// item's target) and the organisation's appraisal grade (优秀 all, 合格 80 %, 基本合格
    /// 50 %, 不合格 nothing; not graded counts as 合格).
    BasicMetric {
        RequiredStudy => "required_study",
        MonthlyLessons => "monthly_lessons",
        ThemeDayAttendance => "theme_day_attendance",
        MeetingAttendance => "meeting_attendance",
        VolunteerHours => "volunteer_hours",
        AppraisalGrade => "appraisal_grade",
    }
);

impl BasicMetric {
    pub fn label_zh(&self) -> &'static str {
        match self {
            BasicMetric::RequiredStudy => "必学资料完成率",
            BasicMetric::MonthlyLessons => "月送党课完成率",
            BasicMetric::ThemeDayAttendance => "主题党日参加率",
            BasicMetric::MeetingAttendance => "三会一课参加率",
            BasicMetric::VolunteerHours => "志愿服务时长",
            BasicMetric::AppraisalGrade => "民主评议等次",
        }
    }
}

string_enum!(
    /// What an item of the fortress index (堡垒指数) of a branch is scored from, each a share
    /// of what was asked of the branch in the half year: theme days held of those due (the
    /// compliance report's obligations), the other 三会一课 obligations met of those due
    /// (group meetings per group), required materials and monthly lessons completed of those
    /// assigned to its members, theme days and meetings attended of those expected,
    /// self-assessments submitted of its members taking part (excused apart) in appraisals
    /// opened in the half year, rectification items done by their due date of those due,
    /// and 96345 requests dispatched to it completed by their deadline of those completed.
    FortressMetric {
        ThemeDays => "theme_days",
        Meetings => "meetings",
        Study => "study",
        Attendance => "attendance",
        AppraisalTurnout => "appraisal_turnout",
        Rectifications => "rectifications",
        ServiceOnTime => "service_on_time",
    }
);

impl FortressMetric {
    pub fn label_zh(&self) -> &'static str {
        match self {
            FortressMetric::ThemeDays => "主题党日落实率",
            FortressMetric::Meetings => "三会一课落实率",
            FortressMetric::Study => "学习完成率",
            FortressMetric::Attendance => "组织生活参加率",
            FortressMetric::AppraisalTurnout => "民主评议参评率",
            FortressMetric::Rectifications => "整改按期完成率",
            FortressMetric::ServiceOnTime => "96345按时办结率",
        }
    }
}

/// An item of the fortress index: up to `points` from its metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FortressItem {
    pub metric: FortressMetric,
    pub points: u32,
}

/// A basic item: up to `points` from its metric. `target_hours` is the hours that earn the
/// whole item (volunteer hours only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BasicItem {
    pub metric: BasicMetric,
    pub points: u32,
    pub target_hours: Option<u32>,
}

/// A positive item (加分项): `points` per approved claim, at most `cap` points a half year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PositiveItem {
    pub code: String,
    pub name: String,
    pub points: u32,
    pub cap: u32,
}

/// A negative item (扣分项): `points` off for each recorded occurrence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NegativeItem {
    pub code: String,
    pub name: String,
    pub points: u32,
}

/// A zeroing item (一票否决): one recorded occurrence sets the index to 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZeroingItem {
    pub code: String,
    pub name: String,
}

/// The items for the members of some sectors and categories (empty: any).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub name: String,
    pub sectors: Vec<OrgSector>,
    pub categories: Vec<MemberCategory>,
    pub basic: Vec<BasicItem>,
    pub positive: Vec<PositiveItem>,
    pub negative: Vec<NegativeItem>,
    pub zeroing: Vec<ZeroingItem>,
}

impl Profile {
    pub fn applies_to(&self, sector: OrgSector, category: MemberCategory) -> bool {
        (self.sectors.is_empty() || self.sectors.contains(&sector))
            && (self.categories.is_empty() || self.categories.contains(&category))
    }

    pub fn positive_item(&self, code: &str) -> Option<&PositiveItem> {
        self.positive.iter().find(|i| i.code == code)
    }

    pub fn negative_item(&self, code: &str) -> Option<&NegativeItem> {
        self.negative.iter().find(|i| i.code == code)
    }

    pub fn zeroing_item(&self, code: &str) -> Option<&ZeroingItem> {
        self.zeroing.iter().find(|i| i.code == code)
    }
}

/// Members of a category left out of the pool (not scored, not in the denominator).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exclusion {
    pub category: MemberCategory,
    pub reason: String,
}

/// A rule set's content. Profiles are tried in order; the first that applies to a member
/// scores them. The fortress items score each branch out of their own points (at most
/// 1000 in all), whatever the members' scale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    /// The total scale (满分), 100 by default.
    pub scale: u32,
    pub exclusions: Vec<Exclusion>,
    pub profiles: Vec<Profile>,
    /// The branches' fortress index (堡垒指数): each metric at most once.
    pub fortress: Vec<FortressItem>,
}

/// Where a member stands under a rule set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement<'a> {
    Scored(&'a Profile),
    Excluded(String),
}

impl Rules {
    pub const DEFAULT_SCALE: u32 = 100;
    pub const MAX_SCALE: u32 = 1000;
    pub const MAX_PROFILES: usize = 8;
    pub const MAX_ITEMS: usize = 30;
    pub const MAX_NAME_CHARS: usize = 32;
    pub const MAX_REASON_CHARS: usize = 64;
    pub const MAX_CODE_LEN: usize = 32;
    pub const MAX_POINTS: u32 = 1000;
    pub const MAX_TARGET_HOURS: u32 = 1000;
    /// One item per fortress metric at most.
    pub const MAX_FORTRESS_ITEMS: usize = 7;

    /// Whether a member of `sector` and `category` is scored, and by which profile; or why
    /// they are left out.
    pub fn place(&self, sector: OrgSector, category: MemberCategory) -> Placement<'_> {
        if let Some(e) = self.exclusions.iter().find(|e| e.category == category) {
            return Placement::Excluded(e.reason.clone());
        }
        match self
            .profiles
            .iter()
            .find(|p| p.applies_to(sector, category))
        {
            Some(p) => Placement::Scored(p),
            None => Placement::Excluded("考评细则未覆盖该领域或类别的党员".to_owned()),
        }
    }

    /// Checks a rule set as written, every problem at once, with JSON pointers into the body
    /// (`/profiles/0/basic/1/points`, …). Names and reasons are cleaned.
    pub fn validate(mut self) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let bad = |errors: &mut Vec<FieldError>, pointer: String, code, message: &str| {
            errors.push(FieldError::new(pointer, code, message));
        };
        if !(1..=Self::MAX_SCALE).contains(&self.scale) {
            bad(
                &mut errors,
                "/scale".into(),
                ErrorCode::PioneerRulesInvalid,
                "the scale is 1 to 1000",
            );
        }
        let mut excluded = BTreeSet::new();
        for (i, e) in self.exclusions.iter_mut().enumerate() {
            if !excluded.insert(e.category) {
                bad(
                    &mut errors,
                    format!("/exclusions/{i}/category"),
                    ErrorCode::PioneerRulesInvalid,
                    "each category is left out once",
                );
            }
            match clean_text(
                &e.reason,
                Self::MAX_REASON_CHARS,
                &format!("/exclusions/{i}/reason"),
                ErrorCode::PioneerRulesInvalid,
            ) {
                Ok(r) => e.reason = r,
                Err(f) => errors.push(f),
            }
        }
        if self.profiles.is_empty() || self.profiles.len() > Self::MAX_PROFILES {
            bad(
                &mut errors,
                "/profiles".into(),
                ErrorCode::PioneerRulesInvalid,
                "a rule set has 1 to 8 profiles",
            );
        }
        let scale = Centi::from(self.scale);
        for (p, profile) in self.profiles.iter_mut().enumerate() {
            let at = format!("/profiles/{p}");
            match clean_text(
                &profile.name,
                Self::MAX_NAME_CHARS,
                &format!("{at}/name"),
                ErrorCode::PioneerRulesInvalid,
            ) {
                Ok(n) => profile.name = n,
                Err(f) => errors.push(f),
            }
            // A sector or category named twice says nothing more, and would let a profile
            // list more of them than there are.
            for (i, sector) in profile.sectors.iter().enumerate() {
                if profile.sectors[..i].contains(sector) {
                    bad(
                        &mut errors,
                        format!("{at}/sectors/{i}"),
                        ErrorCode::PioneerRulesInvalid,
                        "each sector is named once in a profile",
                    );
                }
            }
            for (i, category) in profile.categories.iter().enumerate() {
                if profile.categories[..i].contains(category) {
                    bad(
                        &mut errors,
                        format!("{at}/categories/{i}"),
                        ErrorCode::PioneerRulesInvalid,
                        "each category is named once in a profile",
                    );
                }
            }
            let mut metrics = BTreeSet::new();
            let mut basic_total: Centi = 0;
            for (i, item) in profile.basic.iter().enumerate() {
                let at = format!("{at}/basic/{i}");
                if !metrics.insert(item.metric) {
                    bad(
                        &mut errors,
                        format!("{at}/metric"),
                        ErrorCode::PioneerRulesInvalid,
                        "each metric is scored once in a profile",
                    );
                }
                if !(1..=Self::MAX_POINTS).contains(&item.points) {
                    bad(
                        &mut errors,
                        format!("{at}/points"),
                        ErrorCode::PioneerRulesInvalid,
                        "points are 1 to 1000",
                    );
                }
                basic_total += Centi::from(item.points);
                match (item.metric, item.target_hours) {
                    (BasicMetric::VolunteerHours, Some(h))
                        if (1..=Self::MAX_TARGET_HOURS).contains(&h) => {}
                    (BasicMetric::VolunteerHours, _) => bad(
                        &mut errors,
                        format!("{at}/targetHours"),
                        ErrorCode::PioneerRulesInvalid,
                        "volunteer hours need a target of 1 to 1000 hours",
                    ),
                    (_, Some(_)) => bad(
                        &mut errors,
                        format!("{at}/targetHours"),
                        ErrorCode::PioneerRulesInvalid,
                        "only volunteer hours have a target",
                    ),
                    (_, None) => {}
                }
            }
            if basic_total > scale {
                bad(
                    &mut errors,
                    format!("{at}/basic"),
                    ErrorCode::PioneerRulesInvalid,
                    "the basic items add up to more than the scale",
                );
            }
            let mut codes = BTreeSet::new();
            let mut item = |errors: &mut Vec<FieldError>,
                            at: String,
                            code: &str,
                            name: &mut String,
                            points: Option<u32>| {
                if !valid_code(code) {
                    bad(
                        errors,
                        format!("{at}/code"),
                        ErrorCode::PioneerRulesInvalid,
                        "a code is 1 to 32 of a-z, 0-9 and _",
                    );
                } else if !codes.insert(code.to_owned()) {
                    bad(
                        errors,
                        format!("{at}/code"),
                        ErrorCode::PioneerRulesInvalid,
                        "each code is used once in a profile",
                    );
                }
                match clean_text(
                    name,
                    Self::MAX_NAME_CHARS,
                    &format!("{at}/name"),
                    ErrorCode::PioneerRulesInvalid,
                ) {
                    Ok(n) => *name = n,
                    Err(f) => errors.push(f),
                }
                if points.is_some_and(|p| !(1..=Self::MAX_POINTS).contains(&p)) {
                    bad(
                        errors,
                        format!("{at}/points"),
                        ErrorCode::PioneerRulesInvalid,
                        "points are 1 to 1000",
                    );
                }
            };
            if [
                profile.positive.len(),
                profile.negative.len(),
                profile.zeroing.len(),
            ]
            .iter()
            .any(|n| *n > Self::MAX_ITEMS)
            {
                bad(
                    &mut errors,
                    at.clone(),
                    ErrorCode::PioneerRulesInvalid,
                    "at most 30 positive, 30 negative and 30 zeroing items in a profile",
                );
            }
            for (i, it) in profile.positive.iter_mut().enumerate() {
                let here = format!("{at}/positive/{i}");
                item(
                    &mut errors,
                    here.clone(),
                    &it.code,
                    &mut it.name,
                    Some(it.points),
                );
                if it.cap < it.points || it.cap > Self::MAX_POINTS {
                    bad(
                        &mut errors,
                        format!("{here}/cap"),
                        ErrorCode::PioneerRulesInvalid,
                        "the cap is at least the item's points and at most 1000",
                    );
                }
            }
            for (i, it) in profile.negative.iter_mut().enumerate() {
                item(
                    &mut errors,
                    format!("{at}/negative/{i}"),
                    &it.code,
                    &mut it.name,
                    Some(it.points),
                );
            }
            for (i, it) in profile.zeroing.iter_mut().enumerate() {
                item(
                    &mut errors,
                    format!("{at}/zeroing/{i}"),
                    &it.code,
                    &mut it.name,
                    None,
                );
            }
        }
        if self.fortress.len() > Self::MAX_FORTRESS_ITEMS {
            bad(
                &mut errors,
                "/fortress".into(),
                ErrorCode::PioneerRulesInvalid,
                "at most 7 fortress items, one per metric",
            );
        }
        let mut fortress_metrics = BTreeSet::new();
        let mut fortress_total: Centi = 0;
        for (i, item) in self.fortress.iter().enumerate() {
            if !fortress_metrics.insert(item.metric) {
                bad(
                    &mut errors,
                    format!("/fortress/{i}/metric"),
                    ErrorCode::PioneerRulesInvalid,
                    "each metric is scored once in the fortress index",
                );
            }
            if !(1..=Self::MAX_POINTS).contains(&item.points) {
                bad(
                    &mut errors,
                    format!("/fortress/{i}/points"),
                    ErrorCode::PioneerRulesInvalid,
                    "points are 1 to 1000",
                );
            }
            fortress_total += Centi::from(item.points);
        }
        // A branch's index is out of its own items' points, not the members' scale: a
        // township that scores members out of 50 keeps the standard 100-point fortress items
        // (and a rule set stored before the items existed reads as those).
        if fortress_total > Centi::from(Self::MAX_SCALE) {
            bad(
                &mut errors,
                "/fortress".into(),
                ErrorCode::PioneerRulesInvalid,
                "the fortress items add up to more than 1000 points",
            );
        }
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(errors)
        }
    }

    /// The fortress items a township starts from: 100 points, the obligations and their
    /// attendance weighing most.
    pub fn standard_fortress() -> Vec<FortressItem> {
        [
            (FortressMetric::ThemeDays, 20),
            (FortressMetric::Meetings, 20),
            (FortressMetric::Study, 15),
            (FortressMetric::Attendance, 15),
            (FortressMetric::AppraisalTurnout, 10),
            (FortressMetric::Rectifications, 10),
            (FortressMetric::ServiceOnTime, 10),
        ]
        .into_iter()
        .map(|(metric, points)| FortressItem { metric, points })
        .collect()
    }

    /// The rule set a township starts from: one profile for everyone, study, attendance,
    /// service and appraisal in the basic items (80 points), the common positive, negative
    /// and zeroing items, frail and mobile members left out, and the standard fortress
    /// items.
    pub fn standard() -> Self {
        let item = |code: &str, name: &str| (code.to_owned(), name.to_owned());
        let positive = [
            (item("pledge", "带头承诺践诺"), 5, 10),
            (item("volunteer", "志愿服务表现突出"), 5, 10),
            (item("task_force", "参加突击队、急难险重任务"), 5, 10),
            (item("model_deed", "先进事迹受到表彰"), 10, 20),
        ];
        let negative = [
            (item("absent_unexcused", "无故缺席组织生活"), 5),
            (item("dues_late", "未按时交纳党费"), 5),
            (item("no_role", "不发挥党员作用、群众反映差"), 10),
        ];
        let zeroing = [
            item("discipline_violation", "受到党纪政务处分"),
            item("law_violation", "违法犯罪"),
        ];
        Rules {
            scale: Self::DEFAULT_SCALE,
            exclusions: vec![
                Exclusion {
                    category: MemberCategory::Frail,
                    reason: "年老体弱党员不参加考评".to_owned(),
                },
                Exclusion {
                    category: MemberCategory::Mobile,
                    reason: "流动党员由流入地考评".to_owned(),
                },
            ],
            profiles: vec![Profile {
                name: "全体党员".to_owned(),
                sectors: Vec::new(),
                categories: Vec::new(),
                basic: vec![
                    basic(BasicMetric::RequiredStudy, 15),
                    basic(BasicMetric::MonthlyLessons, 10),
                    basic(BasicMetric::ThemeDayAttendance, 15),
                    basic(BasicMetric::MeetingAttendance, 10),
                    BasicItem {
                        metric: BasicMetric::VolunteerHours,
                        points: 10,
                        target_hours: Some(8),
                    },
                    basic(BasicMetric::AppraisalGrade, 20),
                ],
                positive: positive
                    .into_iter()
                    .map(|((code, name), points, cap)| PositiveItem {
                        code,
                        name,
                        points,
                        cap,
                    })
                    .collect(),
                negative: negative
                    .into_iter()
                    .map(|((code, name), points)| NegativeItem { code, name, points })
                    .collect(),
                zeroing: zeroing
                    .into_iter()
                    .map(|(code, name)| ZeroingItem { code, name })
                    .collect(),
            }],
            fortress: Self::standard_fortress(),
        }
    }
}

fn basic(metric: BasicMetric, points: u32) -> BasicItem {
    BasicItem {
        metric,
        points,
        target_hours: None,
    }
}

/// An item code: 1 to 32 of `a-z`, `0-9` and `_`.
pub fn valid_code(code: &str) -> bool {
    (1..=Rules::MAX_CODE_LEN).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pointers(rules: Rules) -> Vec<String> {
        match rules.validate() {
            Ok(_) => Vec::new(),
            Err(errors) => errors.into_iter().map(|e| e.pointer).collect(),
        }
    }

    #[test]
    fn the_standard_rule_set_is_valid_and_places_members() {
        let rules = Rules::standard()
            .validate()
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert!(matches!(
            rules.place(OrgSector::Rural, MemberCategory::Rural),
            Placement::Scored(p) if p.name == "全体党员"
        ));
        assert!(matches!(
            rules.place(OrgSector::Rural, MemberCategory::Frail),
            Placement::Excluded(r) if r.contains("年老体弱")
        ));
    }

    #[test]
    fn the_first_profile_that_applies_scores_and_none_leaves_a_member_out() {
        let mut rules = Rules::standard();
        let mut government = rules.profiles[0].clone();
        government.name = "机关".into();
        government.sectors = vec![OrgSector::Government];
        rules.profiles[0].sectors = vec![OrgSector::Rural];
        rules.profiles.insert(0, government);
        let rules = rules.validate().unwrap_or_else(|e| panic!("{e:?}"));
        assert!(matches!(
            rules.place(OrgSector::Government, MemberCategory::InService),
            Placement::Scored(p) if p.name == "机关"
        ));
        assert!(matches!(
            rules.place(OrgSector::Rural, MemberCategory::Rural),
            Placement::Scored(p) if p.name == "全体党员"
        ));
        assert!(matches!(
            rules.place(OrgSector::Enterprise, MemberCategory::InService),
            Placement::Excluded(_)
        ));
    }

    #[test]
    fn every_problem_is_named_by_its_pointer() {
        let mut rules = Rules::standard();
        rules.scale = 0;
        rules.exclusions.push(rules.exclusions[0].clone());
        let p = &mut rules.profiles[0];
        p.basic[0].points = 0;
        p.basic.push(basic(BasicMetric::RequiredStudy, 5));
        p.basic[4].target_hours = None;
        p.basic[1].target_hours = Some(3);
        p.positive[0].code = "Bad Code".into();
        p.positive[1].code = p.positive[2].code.clone();
        p.positive[3].cap = 1;
        p.negative[0].name = "  ".into();
        p.zeroing[0].code = String::new();
        p.sectors = vec![OrgSector::Rural, OrgSector::Enterprise, OrgSector::Rural];
        p.categories = vec![MemberCategory::Retired, MemberCategory::Retired];
        let got = pointers(rules);
        for want in [
            "/scale",
            "/exclusions/2/category",
            "/profiles/0/basic/0/points",
            "/profiles/0/basic/6/metric",
            "/profiles/0/basic/4/targetHours",
            "/profiles/0/basic/1/targetHours",
            "/profiles/0/positive/0/code",
            "/profiles/0/positive/2/code",
            "/profiles/0/positive/3/cap",
            "/profiles/0/negative/0/name",
            "/profiles/0/zeroing/0/code",
            "/profiles/0/sectors/2",
            "/profiles/0/categories/1",
        ] {
            assert!(got.iter().any(|g| g == want), "{want} missing in {got:?}");
        }
    }

    #[test]
    fn basic_items_may_not_exceed_the_scale_and_profiles_are_one_to_eight() {
        let mut rules = Rules::standard();
        rules.scale = 50;
        // The fortress items are out of their own points: the standard 100 still fit.
        assert_eq!(pointers(rules), ["/profiles/0/basic"]);
        let mut rules = Rules::standard();
        rules.profiles.clear();
        assert_eq!(pointers(rules), ["/profiles"]);
        let mut rules = Rules::standard();
        let p = rules.profiles[0].clone();
        rules.profiles = vec![p; 9];
        assert_eq!(pointers(rules), ["/profiles"]);
    }

    #[test]
    fn the_standard_fortress_items_add_up_to_the_scale() {
        let rules = Rules::standard();
        assert_eq!(rules.fortress.len(), FortressMetric::ALL.len());
        let total: u32 = rules.fortress.iter().map(|i| i.points).sum();
        assert_eq!(total, rules.scale);
    }

    #[test]
    fn fortress_items_are_named_by_their_pointer() {
        let mut rules = Rules::standard();
        rules.fortress[1].metric = FortressMetric::ThemeDays;
        rules.fortress[2].points = 0;
        rules.fortress[3].points = 1001;
        let got = pointers(rules);
        for want in [
            "/fortress/1/metric",
            "/fortress/2/points",
            "/fortress/3/points",
        ] {
            assert!(got.iter().any(|g| g == want), "{want} missing in {got:?}");
        }
        // 1001 points make the items add up to more than 1000 too.
        assert!(got.iter().any(|g| g == "/fortress"), "{got:?}");
    }

    #[test]
    fn fortress_items_may_not_exceed_a_thousand_points_nor_seven() {
        let mut rules = Rules::standard();
        rules.fortress[0].points = 921;
        assert_eq!(pointers(rules), ["/fortress"]);
        let mut rules = Rules::standard();
        rules.fortress[0].points = 920;
        assert_eq!(pointers(rules), Vec::<String>::new());
        let mut rules = Rules::standard();
        rules.fortress.push(FortressItem {
            metric: FortressMetric::Study,
            points: 1,
        });
        rules.scale = 200;
        assert_eq!(pointers(rules), ["/fortress", "/fortress/7/metric"]);
        let mut rules = Rules::standard();
        rules.fortress.clear();
        assert_eq!(pointers(rules), Vec::<String>::new());
    }

    #[test]
    fn codes_are_lowercase_words() {
        assert!(valid_code("task_force2"));
        for bad in ["", "Task", "a-b", "带头", &"a".repeat(33)] {
            assert!(!valid_code(bad), "{bad}");
        }
    }
}
