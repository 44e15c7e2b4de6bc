//! The index itself: one member's records for a half year, scored by their profile, with a
//! line per item beside the total. A pure function: the same rules and records give the
//! same index and breakdown, to the hundredth of a point.

use std::collections::BTreeMap;

use super::rules::{BasicMetric, Centi, Profile, Rules};
use crate::appraisal::Grade;

/// Done out of asked. Nothing asked (`of == 0`) scores the whole item: a member is not
/// marked down for what their branch never asked of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Share {
    pub done: u32,
    pub of: u32,
}

impl Share {
    pub fn new(done: u32, of: u32) -> Self {
        Self {
            done: done.min(of),
            of,
        }
    }

    pub(crate) fn of_points(self, points: Centi) -> Centi {
        if self.of == 0 {
            points
        } else {
            points * Centi::from(self.done) / Centi::from(self.of)
        }
    }
}

/// What the service recorded of one member in one half year.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Records {
    pub required_study: Share,
    pub monthly_lessons: Share,
    pub theme_days: Share,
    pub meetings: Share,
    /// Confirmed service minutes in the volunteer ledger (training apart).
    pub service_minutes: i64,
    /// The organisation's latest grade within the year before the half year ends, if any.
    pub grade: Option<Grade>,
    /// Approved claims per positive item code.
    pub claims: BTreeMap<String, u32>,
    /// Recorded negative items per code (objections upheld are not recorded here).
    pub negatives: BTreeMap<String, u32>,
    /// Recorded zeroing items.
    pub zeroing: Vec<String>,
}

/// Which part of the rule set a line of the breakdown comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LineKind {
    Basic,
    Positive,
    Negative,
    Zeroing,
}

impl LineKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            LineKind::Basic => "basic",
            LineKind::Positive => "positive",
            LineKind::Negative => "negative",
            LineKind::Zeroing => "zeroing",
        }
    }
}

/// One line of the breakdown: the item, what was recorded (`"3/4"`, `"6.5h"`, `"合格"`,
/// `"×2"`) and the points it gave (negative for deductions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub kind: LineKind,
    pub item: String,
    pub name: String,
    pub recorded: String,
    pub points: Centi,
}

/// A member's index and how it came about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scored {
    pub profile: String,
    /// 0 to the scale, in hundredths.
    pub total: Centi,
    /// The code of the zeroing item that set the index to 0, if one did.
    pub zeroed_by: Option<String>,
    pub lines: Vec<Line>,
}

fn grade_share(grade: Option<Grade>) -> (Share, String) {
    match grade {
        // Not graded (a probationary member, or no rating in the year): counted as 合格, so
        // a member is neither marked down nor ahead for a rating that was not given.
        None => (Share::new(80, 100), "未评定（按合格计）".to_owned()),
        Some(g) => {
            let percent = match g {
                Grade::Excellent => 100,
                Grade::Qualified => 80,
                Grade::BasicallyQualified => 50,
                Grade::Unqualified => 0,
            };
            (Share::new(percent, 100), g.title().to_owned())
        }
    }
}

fn hours_text(minutes: i64) -> String {
    format!("{}.{}h", minutes / 60, (minutes % 60) * 10 / 60)
}

/// Scores `records` by `profile` on `rules`' scale.
pub fn score(rules: &Rules, profile: &Profile, records: &Records) -> Scored {
    let mut lines = Vec::new();
    for item in &profile.basic {
        let points = Centi::from(item.points) * 100;
        let (share, recorded) = match item.metric {
            BasicMetric::RequiredStudy => share_line(records.required_study),
            BasicMetric::MonthlyLessons => share_line(records.monthly_lessons),
            BasicMetric::ThemeDayAttendance => share_line(records.theme_days),
            BasicMetric::MeetingAttendance => share_line(records.meetings),
            BasicMetric::VolunteerHours => {
                let target = i64::from(item.target_hours.unwrap_or(1).max(1)) * 60;
                let minutes = records.service_minutes.clamp(0, target);
                (
                    Share::new(
                        u32::try_from(minutes).unwrap_or(u32::MAX),
                        u32::try_from(target).unwrap_or(u32::MAX),
                    ),
                    hours_text(records.service_minutes.max(0)),
                )
            }
            BasicMetric::AppraisalGrade => grade_share(records.grade),
        };
        lines.push(Line {
            kind: LineKind::Basic,
            item: item.metric.as_str().to_owned(),
            name: item.metric.label_zh().to_owned(),
            recorded,
            points: share.of_points(points),
        });
    }
    for item in &profile.positive {
        let count = records.claims.get(&item.code).copied().unwrap_or(0);
        if count == 0 {
            continue;
        }
        let earned = (Centi::from(item.points) * Centi::from(count)).min(Centi::from(item.cap));
        lines.push(Line {
            kind: LineKind::Positive,
            item: item.code.clone(),
            name: item.name.clone(),
            recorded: format!("×{count}"),
            points: earned * 100,
        });
    }
    for item in &profile.negative {
        let count = records.negatives.get(&item.code).copied().unwrap_or(0);
        if count == 0 {
            continue;
        }
        lines.push(Line {
            kind: LineKind::Negative,
            item: item.code.clone(),
            name: item.name.clone(),
            recorded: format!("×{count}"),
            points: -(Centi::from(item.points) * Centi::from(count) * 100),
        });
    }
    let zeroed_by = profile
        .zeroing
        .iter()
        .find(|z| records.zeroing.contains(&z.code));
    if let Some(z) = zeroed_by {
        lines.push(Line {
            kind: LineKind::Zeroing,
            item: z.code.clone(),
            name: z.name.clone(),
            recorded: "×1".to_owned(),
            points: 0,
        });
    }
    let scale = Centi::from(rules.scale) * 100;
    let total = if zeroed_by.is_some() {
        0
    } else {
        lines
            .iter()
            .map(|l| l.points)
            .sum::<Centi>()
            .clamp(0, scale)
    };
    Scored {
        profile: profile.name.clone(),
        total,
        zeroed_by: zeroed_by.map(|z| z.code.clone()),
        lines,
    }
}

fn share_line(share: Share) -> (Share, String) {
    let text = if share.of == 0 {
        "无要求".to_owned()
    } else {
        format!("{}/{}", share.done, share.of)
    };
    (share, text)
}

/// Hundredths as the decimal people read: `8750` → `"87.5"`, `8000` → `"80"`.
pub fn points_text(centi: Centi) -> String {
    let sign = if centi < 0 { "-" } else { "" };
    let abs = centi.unsigned_abs();
    let (whole, frac) = (abs / 100, abs % 100);
    match frac {
        0 => format!("{sign}{whole}"),
        f if f % 10 == 0 => format!("{sign}{whole}.{}", f / 10),
        f => format!("{sign}{whole}.{f:02}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::{MemberCategory, OrgSector};
    use crate::pioneer::rules::Placement;

    fn standard() -> (Rules, Profile) {
        let rules = Rules::standard()
            .validate()
            .unwrap_or_else(|e| panic!("{e:?}"));
        let Placement::Scored(p) = rules.place(OrgSector::Rural, MemberCategory::Rural) else {
            panic!("the standard rules score a rural member");
        };
        let p = p.clone();
        (rules, p)
    }

    fn full() -> Records {
        Records {
            required_study: Share::new(4, 4),
            monthly_lessons: Share::new(6, 6),
            theme_days: Share::new(6, 6),
            meetings: Share::new(12, 12),
            service_minutes: 8 * 60,
            grade: Some(Grade::Excellent),
            ..Records::default()
        }
    }

    #[test]
    fn full_records_score_every_basic_point_and_the_same_records_the_same_index() {
        let (rules, p) = standard();
        let a = score(&rules, &p, &full());
        assert_eq!(a.total, 80 * 100);
        assert_eq!(a.lines.len(), 6);
        assert_eq!(score(&rules, &p, &full()), a);
    }

    #[test]
    fn shares_are_floored_in_hundredths_and_nothing_asked_scores_the_item() {
        let (rules, p) = standard();
        let mut r = full();
        r.required_study = Share::new(1, 3); // 15 × 1/3 = 5.00
        r.theme_days = Share::new(0, 0); // nothing asked: 15
        r.meetings = Share::new(2, 3); // 10 × 2/3 = 6.66
        r.service_minutes = 90; // 1.5 h of 8: 10 × 90/480 = 1.87
        r.grade = Some(Grade::Qualified); // 20 × 80 % = 16
        let s = score(&rules, &p, &r);
        let by = |item: &str| {
            s.lines
                .iter()
                .find(|l| l.item == item)
                .unwrap_or_else(|| panic!("missing"))
                .points
        };
        assert_eq!(by("required_study"), 500);
        assert_eq!(by("theme_day_attendance"), 1500);
        assert_eq!(by("meeting_attendance"), 666);
        assert_eq!(by("volunteer_hours"), 187);
        assert_eq!(by("appraisal_grade"), 1600);
        assert_eq!(s.total, 500 + 1000 + 1500 + 666 + 187 + 1600);
        let hours = s
            .lines
            .iter()
            .find(|l| l.item == "volunteer_hours")
            .unwrap_or_else(|| panic!("missing"));
        assert_eq!(hours.recorded, "1.5h");
    }

    #[test]
    fn no_grade_counts_as_qualified() {
        let (rules, p) = standard();
        let mut r = full();
        r.grade = None;
        assert_eq!(score(&rules, &p, &r).total, 76 * 100);
        r.grade = Some(Grade::Qualified);
        assert_eq!(score(&rules, &p, &r).total, 76 * 100);
    }

    #[test]
    fn positive_items_stop_at_their_cap_and_negatives_are_taken_off() {
        let (rules, p) = standard();
        let mut r = full();
        r.claims.insert("pledge".into(), 5); // 5 × 5 capped at 10
        r.claims.insert("model_deed".into(), 1); // 10
        r.negatives.insert("dues_late".into(), 2); // -10
        let s = score(&rules, &p, &r);
        assert_eq!(s.total, (80 + 10 + 10 - 10) * 100);
        let pledge = s
            .lines
            .iter()
            .find(|l| l.item == "pledge")
            .unwrap_or_else(|| panic!("missing"));
        assert_eq!((pledge.points, pledge.recorded.as_str()), (1000, "×5"));
        let dues = s
            .lines
            .iter()
            .find(|l| l.item == "dues_late")
            .unwrap_or_else(|| panic!("missing"));
        assert_eq!(dues.points, -1000);
    }

    #[test]
    fn the_total_stays_within_zero_and_the_scale() {
        let (rules, p) = standard();
        let mut r = Records {
            grade: Some(Grade::Unqualified),
            required_study: Share::new(0, 4),
            monthly_lessons: Share::new(0, 6),
            theme_days: Share::new(0, 6),
            meetings: Share::new(0, 6),
            ..Records::default()
        };
        r.negatives.insert("no_role".into(), 9);
        assert_eq!(score(&rules, &p, &r).total, 0);
        let mut r = full();
        for code in ["pledge", "volunteer", "task_force", "model_deed"] {
            r.claims.insert(code.into(), 10);
        }
        assert_eq!(score(&rules, &p, &r).total, 100 * 100);
    }

    #[test]
    fn a_zeroing_item_sets_the_index_to_zero_whatever_else() {
        let (rules, p) = standard();
        let mut r = full();
        r.claims.insert("model_deed".into(), 2);
        r.zeroing.push("law_violation".into());
        let s = score(&rules, &p, &r);
        assert_eq!(s.total, 0);
        assert_eq!(s.zeroed_by.as_deref(), Some("law_violation"));
        assert!(s.lines.iter().any(|l| l.kind == LineKind::Zeroing));
    }

    #[test]
    fn codes_the_profile_does_not_know_are_ignored() {
        let (rules, p) = standard();
        let mut r = full();
        r.claims.insert("unknown".into(), 3);
        r.negatives.insert("unknown".into(), 3);
        r.zeroing.push("unknown".into());
        assert_eq!(score(&rules, &p, &r).total, 80 * 100);
    }

    #[test]
    fn points_read_as_decimals() {
        assert_eq!(points_text(8750), "87.5");
        assert_eq!(points_text(8000), "80");
        assert_eq!(points_text(666), "6.66");
        assert_eq!(points_text(-1000), "-10");
        assert_eq!(points_text(5), "0.05");
    }
}
