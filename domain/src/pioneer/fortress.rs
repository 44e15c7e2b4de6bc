//! 堡垒指数: every half year each branch of a township gets an index from what the service
//! recorded of it — its 三会一课 and theme-day obligations, its members' study and
//! attendance, appraisal turnout, rectifications done on time and 96345 requests completed
//! on time — by the fortress items of the same rule set as the pioneer index. A pure
//! function, in hundredths of a point like the members' index: the same figures give the
//! same index to the last digit.

use super::rules::{Centi, FortressItem, FortressMetric};
use super::run::IndexRunId;
use super::score::Share;
use crate::org::{OrgId, OrgPath};

/// What was asked of one branch in one half year, and how much of it was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FortressFigures {
    /// Theme days held of the months due.
    pub theme_days: Share,
    /// The other 三会一课 obligations met of those due (group meetings per group).
    pub meetings: Share,
    /// Required materials and monthly lessons completed of those assigned, over members.
    pub study: Share,
    /// Theme days and meetings attended of those expected, over members.
    pub attendance: Share,
    /// Self-assessments submitted of the members taking part, excused apart.
    pub appraisal_turnout: Share,
    /// Rectification items done by the end of their due date of those due.
    pub rectifications: Share,
    /// 96345 requests completed by their deadline of those completed.
    pub service_on_time: Share,
}

impl FortressFigures {
    pub fn share(&self, metric: FortressMetric) -> Share {
        match metric {
            FortressMetric::ThemeDays => self.theme_days,
            FortressMetric::Meetings => self.meetings,
            FortressMetric::Study => self.study,
            FortressMetric::Attendance => self.attendance,
            FortressMetric::AppraisalTurnout => self.appraisal_turnout,
            FortressMetric::Rectifications => self.rectifications,
            FortressMetric::ServiceOnTime => self.service_on_time,
        }
    }
}

/// One line of a branch's breakdown: the item, its points, what it scored (hundredths) and
/// the figures it scored from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FortressLine {
    pub metric: FortressMetric,
    pub name: String,
    pub points: u32,
    pub score: Centi,
    pub done: u32,
    pub of: u32,
}

/// A branch's fortress index and how it came about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FortressScore {
    /// The sum of the lines, in hundredths.
    pub total: Centi,
    pub lines: Vec<FortressLine>,
}

/// Scores `figures` by `items`: each item its points times done ÷ asked, floored to the
/// hundredth; nothing asked scores the whole item (a branch is not marked down for what
/// nobody asked of it).
pub fn score_fortress(items: &[FortressItem], figures: &FortressFigures) -> FortressScore {
    let lines: Vec<FortressLine> = items
        .iter()
        .map(|item| {
            let share = figures.share(item.metric);
            FortressLine {
                metric: item.metric,
                name: item.metric.label_zh().to_owned(),
                points: item.points,
                score: share.of_points(Centi::from(item.points) * 100),
                done: share.done,
                of: share.of,
            }
        })
        .collect();
    FortressScore {
        total: lines.iter().map(|l| l.score).sum(),
        lines,
    }
}

/// One branch's stored fortress index of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BranchFortress {
    pub run_id: IndexRunId,
    pub branch_id: OrgId,
    pub branch_path: OrgPath,
    /// The branch by its names below the committee (`虞北村党总支/第一党支部`), as it was
    /// when computed.
    pub branch_name: String,
    pub total: Centi,
    pub lines: Vec<FortressLine>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pioneer::rules::Rules;

    fn full() -> FortressFigures {
        FortressFigures {
            theme_days: Share::new(6, 6),
            meetings: Share::new(14, 14),
            study: Share::new(40, 40),
            attendance: Share::new(120, 120),
            appraisal_turnout: Share::new(20, 20),
            rectifications: Share::new(5, 5),
            service_on_time: Share::new(3, 3),
        }
    }

    fn line(s: &FortressScore, metric: FortressMetric) -> &FortressLine {
        s.lines
            .iter()
            .find(|l| l.metric == metric)
            .unwrap_or_else(|| panic!("no line for {metric:?}"))
    }

    #[test]
    fn everything_done_scores_the_scale_and_the_same_figures_the_same_index() {
        let items = Rules::standard().fortress;
        let a = score_fortress(&items, &full());
        assert_eq!(a.total, 100 * 100);
        assert_eq!(a.lines.len(), 7);
        assert_eq!(score_fortress(&items, &full()), a);
        assert_eq!(
            line(&a, FortressMetric::ServiceOnTime).name,
            "96345按时办结率"
        );
    }

    #[test]
    fn nothing_asked_scores_the_whole_item() {
        let items = Rules::standard().fortress;
        let s = score_fortress(&items, &FortressFigures::default());
        assert_eq!(s.total, 100 * 100);
        let theme = line(&s, FortressMetric::ThemeDays);
        assert_eq!((theme.score, theme.done, theme.of), (2000, 0, 0));
    }

    #[test]
    fn shares_are_floored_in_hundredths() {
        let items = Rules::standard().fortress;
        let mut f = full();
        f.theme_days = Share::new(1, 6); // 20 × 1/6 = 3.33
        f.meetings = Share::new(2, 3); // 20 × 2/3 = 13.33
        f.study = Share::new(0, 9); // 0
        f.attendance = Share::new(7, 9); // 15 × 7/9 = 11.66
        f.service_on_time = Share::new(1, 3); // 10 × 1/3 = 3.33
        let s = score_fortress(&items, &f);
        assert_eq!(line(&s, FortressMetric::ThemeDays).score, 333);
        assert_eq!(line(&s, FortressMetric::Meetings).score, 1333);
        assert_eq!(line(&s, FortressMetric::Study).score, 0);
        assert_eq!(line(&s, FortressMetric::Attendance).score, 1166);
        assert_eq!(line(&s, FortressMetric::ServiceOnTime).score, 333);
        assert_eq!(s.total, 333 + 1333 + 1166 + 1000 + 1000 + 333);
        let a = line(&s, FortressMetric::Attendance);
        assert_eq!((a.points, a.done, a.of), (15, 7, 9));
    }

    #[test]
    fn only_the_rules_items_are_scored_in_their_order() {
        let items = [
            FortressItem {
                metric: FortressMetric::Rectifications,
                points: 60,
            },
            FortressItem {
                metric: FortressMetric::ThemeDays,
                points: 40,
            },
        ];
        let mut f = full();
        f.rectifications = Share::new(1, 2);
        let s = score_fortress(&items, &f);
        let metrics: Vec<_> = s.lines.iter().map(|l| l.metric).collect();
        assert_eq!(
            metrics,
            [FortressMetric::Rectifications, FortressMetric::ThemeDays]
        );
        assert_eq!(s.total, 3000 + 4000);
        assert_eq!(score_fortress(&[], &f).total, 0);
    }
}
