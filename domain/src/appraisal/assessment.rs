//! A member's self-assessment (个人自评): what it holds, what a draft may hold, and what a
//! submission must. Lengths count characters; text is cleaned as everywhere else.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::model::{Dimension, Grade, Qualification, FIVE_LOOKS, LIST_ITEMS};
use crate::error::{ErrorCode, FieldError};
use crate::text::clean_multiline;

/// One dimension's text and the member's own grade for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DimensionEntry {
    pub dimension: Dimension,
    pub text: String,
    pub grade: Option<Grade>,
}

/// One of the 四个合格: met or not, with a note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QualificationEntry {
    pub qualification: Qualification,
    pub met: bool,
    pub note: Option<String>,
}

/// One item of a 双十条 list, ticked (it applies to the member), with an optional note.
/// `item` counts from 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListTick {
    pub item: u8,
    pub note: Option<String>,
}

/// The answer to one of the 五看五查 questions; `look` counts from 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LookAnswer {
    pub look: u8,
    pub answer: String,
}

/// A problem the member found, with the measure that will put it right and by when: one
/// line of their rectification list (整改清单).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProblemFound {
    pub problem: String,
    pub measure: String,
    pub due_on: NaiveDate,
}

/// What a self-assessment holds. A draft may hold any part of it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(default)]
pub struct AssessmentContent {
    pub dimensions: Vec<DimensionEntry>,
    pub qualifications: Vec<QualificationEntry>,
    pub positive: Vec<ListTick>,
    pub negative: Vec<ListTick>,
    pub five_looks: Vec<LookAnswer>,
    pub problems: Vec<ProblemFound>,
    pub summary: Option<String>,
}

impl AssessmentContent {
    pub const MAX_TEXT_CHARS: usize = 2000;
    pub const MAX_NOTE_CHARS: usize = 500;
    pub const MAX_SUMMARY_CHARS: usize = 5000;
    pub const MAX_PROBLEMS: usize = 20;
    pub const MAX_PROBLEM_CHARS: usize = 500;

    /// Cleans and checks a draft: every text within its length and printable, no part given
    /// twice, list items and questions in range, due dates in `due_range`. Returns the
    /// cleaned content, or every fault with its pointer.
    pub fn clean(
        self,
        due_range: std::ops::RangeInclusive<NaiveDate>,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut text = |raw: String, max: usize, ptr: String| -> String {
            match clean_multiline(&raw, max, &ptr, ErrorCode::AssessmentTextInvalid) {
                Ok(t) => t,
                Err(e) => {
                    errors.push(e);
                    raw
                }
            }
        };
        let mut out = AssessmentContent::default();
        for (i, d) in self.dimensions.into_iter().enumerate() {
            out.dimensions.push(DimensionEntry {
                text: text(
                    d.text,
                    Self::MAX_TEXT_CHARS,
                    format!("/dimensions/{i}/text"),
                ),
                ..d
            });
        }
        for (i, q) in self.qualifications.into_iter().enumerate() {
            out.qualifications.push(QualificationEntry {
                note: q
                    .note
                    .map(|n| text(n, Self::MAX_NOTE_CHARS, format!("/qualifications/{i}/note"))),
                ..q
            });
        }
        for (list, ticks) in [("positive", self.positive), ("negative", self.negative)] {
            let cleaned: Vec<ListTick> = ticks
                .into_iter()
                .enumerate()
                .map(|(i, t)| ListTick {
                    note: t
                        .note
                        .map(|n| text(n, Self::MAX_NOTE_CHARS, format!("/{list}/{i}/note"))),
                    ..t
                })
                .collect();
            if list == "positive" {
                out.positive = cleaned;
            } else {
                out.negative = cleaned;
            }
        }
        for (i, a) in self.five_looks.into_iter().enumerate() {
            out.five_looks.push(LookAnswer {
                answer: text(
                    a.answer,
                    Self::MAX_TEXT_CHARS,
                    format!("/fiveLooks/{i}/answer"),
                ),
                ..a
            });
        }
        for (i, p) in self.problems.into_iter().enumerate() {
            out.problems.push(ProblemFound {
                problem: text(
                    p.problem,
                    Self::MAX_PROBLEM_CHARS,
                    format!("/problems/{i}/problem"),
                ),
                measure: text(
                    p.measure,
                    Self::MAX_PROBLEM_CHARS,
                    format!("/problems/{i}/measure"),
                ),
                ..p
            });
        }
        out.summary = self
            .summary
            .map(|s| text(s, Self::MAX_SUMMARY_CHARS, "/summary".to_owned()));

        let dup = |ptr: String, what: &str| {
            FieldError::new(
                ptr,
                ErrorCode::AssessmentPartRepeated,
                format!("{what} is given more than once"),
            )
        };
        for (i, d) in out.dimensions.iter().enumerate() {
            if out.dimensions[..i]
                .iter()
                .any(|e| e.dimension == d.dimension)
            {
                errors.push(dup(
                    format!("/dimensions/{i}/dimension"),
                    d.dimension.as_str(),
                ));
            }
        }
        for (i, q) in out.qualifications.iter().enumerate() {
            if out.qualifications[..i]
                .iter()
                .any(|e| e.qualification == q.qualification)
            {
                errors.push(dup(
                    format!("/qualifications/{i}/qualification"),
                    q.qualification.as_str(),
                ));
            }
        }
        for (list, ticks) in [("positive", &out.positive), ("negative", &out.negative)] {
            for (i, t) in ticks.iter().enumerate() {
                let ptr = format!("/{list}/{i}/item");
                if !(1..=LIST_ITEMS).contains(&usize::from(t.item)) {
                    errors.push(FieldError::new(
                        ptr,
                        ErrorCode::AssessmentItemUnknown,
                        format!("items are numbered 1-{LIST_ITEMS}"),
                    ));
                } else if ticks[..i].iter().any(|e| e.item == t.item) {
                    errors.push(dup(ptr, &format!("item {}", t.item)));
                }
            }
        }
        for (i, a) in out.five_looks.iter().enumerate() {
            let ptr = format!("/fiveLooks/{i}/look");
            if !(1..=FIVE_LOOKS.len()).contains(&usize::from(a.look)) {
                errors.push(FieldError::new(
                    ptr,
                    ErrorCode::AssessmentItemUnknown,
                    format!("questions are numbered 1-{}", FIVE_LOOKS.len()),
                ));
            } else if out.five_looks[..i].iter().any(|e| e.look == a.look) {
                errors.push(dup(ptr, &format!("question {}", a.look)));
            }
        }
        if out.problems.len() > Self::MAX_PROBLEMS {
            errors.push(FieldError::new(
                "/problems",
                ErrorCode::AssessmentTooManyProblems,
                format!("at most {} problems", Self::MAX_PROBLEMS),
            ));
        }
        for (i, p) in out.problems.iter().enumerate() {
            if !due_range.contains(&p.due_on) {
                errors.push(FieldError::new(
                    format!("/problems/{i}/dueOn"),
                    ErrorCode::AssessmentDueDateInvalid,
                    format!(
                        "the due date must fall between {} and {}",
                        due_range.start(),
                        due_range.end()
                    ),
                ));
            }
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(errors)
        }
    }

    /// What a submission must hold besides a clean draft: every dimension with a grade,
    /// every one of the 四个合格, every 五看五查 question answered, and a summary. Each
    /// missing part is named by its pointer.
    pub fn incomplete(&self) -> Vec<FieldError> {
        let missing = |ptr: String, what: String| {
            FieldError::new(
                ptr,
                ErrorCode::AssessmentIncomplete,
                format!("{what} is missing"),
            )
        };
        let mut errors = Vec::new();
        for d in Dimension::ALL {
            match self.dimensions.iter().find(|e| e.dimension == *d) {
                None => errors.push(missing(
                    "/dimensions".to_owned(),
                    format!("the {} dimension", d.as_str()),
                )),
                Some(e) if e.grade.is_none() => {
                    let i = self.dimensions.iter().position(|x| x == e).unwrap_or(0);
                    errors.push(missing(
                        format!("/dimensions/{i}/grade"),
                        format!("the self-grade for {}", d.as_str()),
                    ));
                }
                Some(_) => {}
            }
        }
        for q in Qualification::ALL {
            if !self.qualifications.iter().any(|e| e.qualification == *q) {
                errors.push(missing(
                    "/qualifications".to_owned(),
                    format!("the {} qualification", q.as_str()),
                ));
            }
        }
        for look in 1..=FIVE_LOOKS.len() {
            if !self.five_looks.iter().any(|a| usize::from(a.look) == look) {
                errors.push(missing(
                    "/fiveLooks".to_owned(),
                    format!("the answer to question {look}"),
                ));
            }
        }
        if self.summary.is_none() {
            errors.push(missing("/summary".to_owned(), "the summary".to_owned()));
        }
        errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|e| panic!("{e:?}"))
    }

    fn range() -> std::ops::RangeInclusive<NaiveDate> {
        day("2027-07-02")..=day("2028-12-31")
    }

    pub(crate) fn complete() -> AssessmentContent {
        AssessmentContent {
            dimensions: Dimension::ALL
                .iter()
                .map(|d| DimensionEntry {
                    dimension: *d,
                    text: format!("{} 方面表现良好", d.title()),
                    grade: Some(Grade::Qualified),
                })
                .collect(),
            qualifications: Qualification::ALL
                .iter()
                .map(|q| QualificationEntry {
                    qualification: *q,
                    met: true,
                    note: None,
                })
                .collect(),
            positive: vec![ListTick {
                item: 3,
                note: Some("每月按时参加主题党日".into()),
            }],
            negative: vec![],
            five_looks: (1..=5)
                .map(|look| LookAnswer {
                    look,
                    answer: "经对照检查,未发现明显问题".into(),
                })
                .collect(),
            problems: vec![ProblemFound {
                problem: "理论学习不够系统".into(),
                measure: "每周学习两次".into(),
                due_on: day("2027-12-31"),
            }],
            summary: Some("一年来认真履行党员义务。".into()),
        }
    }

    #[test]
    fn a_complete_assessment_is_clean_and_submittable() {
        let c = complete()
            .clean(range())
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert!(c.incomplete().is_empty());
    }

    #[test]
    fn an_empty_draft_is_clean_but_names_every_missing_part_at_submission() {
        let c = AssessmentContent::default()
            .clean(range())
            .unwrap_or_else(|e| panic!("{e:?}"));
        let missing = c.incomplete();
        assert_eq!(missing.len(), 6 + 4 + 5 + 1);
        assert!(missing
            .iter()
            .all(|e| e.code == ErrorCode::AssessmentIncomplete));
    }

    #[test]
    fn a_dimension_without_its_grade_is_named_at_its_index() {
        let mut c = complete();
        c.dimensions[2].grade = None;
        let missing = c
            .clean(range())
            .unwrap_or_else(|e| panic!("{e:?}"))
            .incomplete();
        assert_eq!(missing.len(), 1);
        assert_eq!(missing[0].pointer, "/dimensions/2/grade");
    }

    #[test]
    fn texts_are_trimmed_and_bounded_in_characters() {
        let mut c = complete();
        c.summary = Some("  总结  ".into());
        c.dimensions[0].text = "党".repeat(AssessmentContent::MAX_TEXT_CHARS);
        let cleaned = c.clean(range()).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(cleaned.summary.as_deref(), Some("总结"));

        let mut c = complete();
        c.dimensions[0].text = "党".repeat(AssessmentContent::MAX_TEXT_CHARS + 1);
        c.problems[0].measure = "   ".into();
        c.positive[0].note = Some("bell\u{7}".into());
        let e = c
            .clean(range())
            .err()
            .unwrap_or_else(|| panic!("expected an error"));
        let pointers: Vec<_> = e.iter().map(|f| f.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/dimensions/0/text",
                "/positive/0/note",
                "/problems/0/measure"
            ]
        );
        assert!(e.iter().all(|f| f.code == ErrorCode::AssessmentTextInvalid));
    }

    #[test]
    fn repeated_parts_and_unknown_items_are_refused_by_pointer() {
        let mut c = complete();
        c.dimensions.push(c.dimensions[0].clone());
        c.negative = vec![
            ListTick {
                item: 0,
                note: None,
            },
            ListTick {
                item: 4,
                note: None,
            },
            ListTick {
                item: 4,
                note: None,
            },
            ListTick {
                item: 11,
                note: None,
            },
        ];
        c.five_looks.push(LookAnswer {
            look: 6,
            answer: "x".into(),
        });
        let e = c
            .clean(range())
            .err()
            .unwrap_or_else(|| panic!("expected an error"));
        let got: Vec<_> = e
            .iter()
            .map(|f| (f.pointer.as_str(), f.code.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("/dimensions/6/dimension", "assessment_part_repeated"),
                ("/negative/0/item", "assessment_item_unknown"),
                ("/negative/2/item", "assessment_part_repeated"),
                ("/negative/3/item", "assessment_item_unknown"),
                ("/fiveLooks/5/look", "assessment_item_unknown"),
            ]
        );
    }

    #[test]
    fn problems_are_bounded_in_number_and_due_dates() {
        let mut c = complete();
        c.problems = (0..=AssessmentContent::MAX_PROBLEMS)
            .map(|_| c.problems[0].clone())
            .collect();
        let e = c
            .clean(range())
            .err()
            .unwrap_or_else(|| panic!("expected an error"));
        assert_eq!(e[0].code, ErrorCode::AssessmentTooManyProblems);

        let mut c = complete();
        c.problems[0].due_on = day("2027-07-01");
        let e = c
            .clean(range())
            .err()
            .unwrap_or_else(|| panic!("expected an error"));
        assert_eq!(e[0].pointer, "/problems/0/dueOn");
        assert_eq!(e[0].code, ErrorCode::AssessmentDueDateInvalid);
    }
}
