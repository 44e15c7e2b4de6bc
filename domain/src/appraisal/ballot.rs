//! The secret peer ballot (党员互评): what a ballot holds, the campaign's ballot secret and
//! the reviewer's keyed tag, who reviews whom, and the secretary's aggregates.
//!
//! Secrecy: a stored ballot carries no reviewer id and nothing time-ordered, only
//! `tag = HMAC-SHA256(campaign secret, reviewer id)`, so the reviewer (and nobody without the
//! secret) finds their own ballot again to replace it. The secret is erased when the stage is
//! over; from then on no key exists that turns a member id into a stored tag.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::campaign::{CampaignId, Participant};
use super::model::{Dimension, Grade, PeerScope};
use crate::error::{ErrorCode, FieldError};
use crate::org::{MemberId, OrgId};
use crate::text::clean_text;

/// Ballots a reviewee needs before anything about them is shown.
pub const MIN_BALLOTS_SHOWN: usize = 3;
/// Turnout under this percentage is flagged.
pub const TURNOUT_WARNING_PERCENT: usize = 80;
/// The longest comment.
pub const MAX_COMMENT_CHARS: usize = 500;

fn hex(bytes: &[u8]) -> String {
    use fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(2 * bytes.len()), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

fn unhex(raw: &str) -> Option<Vec<u8>> {
    if !raw.len().is_multiple_of(2) || !raw.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..raw.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(raw.get(i..i + 2)?, 16).ok())
        .collect()
}

/// A campaign's ballot secret: 32 random bytes, made outside the domain and handed in. Its
/// `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct BallotSecret([u8; 32]);

impl BallotSecret {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The stored form: 64 lower-case hex digits.
    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }

    pub fn from_hex(raw: &str) -> Option<Self> {
        let bytes: [u8; 32] = unhex(raw)?.try_into().ok()?;
        Some(Self(bytes))
    }

    /// The reviewer's tag under this secret: HMAC-SHA256 over the member id's bytes.
    pub fn tag(&self, reviewer: MemberId) -> ReviewerTag {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0)
            .unwrap_or_else(|e| unreachable!("HMAC accepts keys of any length: {e}"));
        mac.update(reviewer.as_uuid().as_bytes());
        ReviewerTag(hex(&mac.finalize().into_bytes()))
    }
}

impl fmt::Debug for BallotSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BallotSecret(..)")
    }
}

/// Who cast a ballot, as storage knows it: 64 hex digits that only the campaign's secret
/// ties to a member.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReviewerTag(String);

impl ReviewerTag {
    pub fn parse(raw: &str) -> Option<Self> {
        (raw.len() == 64 && raw.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
            .then(|| Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One ballot: the overall grade and a grade on each of the six dimensions, in
/// [`Dimension::ALL`] order, and an optional comment. It names its reviewee only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ballot {
    pub campaign_id: CampaignId,
    pub reviewee_id: MemberId,
    pub overall: Grade,
    pub dimensions: [Grade; 6],
    pub comment: Option<String>,
}

impl Ballot {
    /// Validates a ballot as sent: every dimension exactly once (errors point at
    /// `/dimensions/<i>/dimension` for a repeat, `/dimensions` for a missing one) and a
    /// comment of 1-500 printable characters.
    pub fn new(
        campaign_id: CampaignId,
        reviewee_id: MemberId,
        overall: Grade,
        entries: &[(Dimension, Grade)],
        comment: Option<&str>,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut grades: [Option<Grade>; 6] = [None; 6];
        for (i, (d, g)) in entries.iter().enumerate() {
            let slot = &mut grades[Self::index(*d)];
            if slot.is_some() {
                errors.push(FieldError::new(
                    format!("/dimensions/{i}/dimension"),
                    ErrorCode::PeerReviewDimensionRepeated,
                    format!("{} is graded twice", d.as_str()),
                ));
            }
            *slot = Some(*g);
        }
        for d in Dimension::ALL {
            if grades[Self::index(*d)].is_none() {
                errors.push(FieldError::new(
                    "/dimensions",
                    ErrorCode::PeerReviewDimensionMissing,
                    format!("{} is not graded", d.as_str()),
                ));
            }
        }
        let comment = comment
            .map(|c| {
                clean_text(
                    c,
                    MAX_COMMENT_CHARS,
                    "/comment",
                    ErrorCode::PeerReviewCommentInvalid,
                )
            })
            .transpose()
            .map_err(|e| errors.push(e))
            .ok()
            .flatten();
        let dims = grades.map(|g| g.unwrap_or(Grade::Qualified));
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Self {
            campaign_id,
            reviewee_id,
            overall,
            dimensions: dims,
            comment,
        })
    }

    pub fn index(d: Dimension) -> usize {
        Dimension::ALL.iter().position(|x| *x == d).unwrap_or(0)
    }

    /// The dimensions with their grades, in order.
    pub fn graded(&self) -> impl Iterator<Item = (Dimension, Grade)> + '_ {
        Dimension::ALL.iter().copied().zip(self.dimensions)
    }
}

/// Whether `reviewer` grades `reviewee` in a campaign of this peer scope: another
/// participant of their branch (`branch`) or of their own 党小组 (`group`; a member without a
/// group reviews nobody), graded (not excused, not probationary). An excused reviewer
/// reviews nobody.
pub fn reviews(scope: PeerScope, reviewer: &Participant, reviewee: &Participant) -> bool {
    if reviewer.member_id == reviewee.member_id
        || reviewer.excused.is_some()
        || !reviewee.graded()
        || reviewer.branch_id != reviewee.branch_id
    {
        return false;
    }
    match scope {
        PeerScope::Branch => true,
        PeerScope::Group => reviewer.group_id.is_some() && reviewer.group_id == reviewee.group_id,
    }
}

/// The points of a grade in the dimension averages: 优秀 4, 合格 3, 基本合格 2, 不合格 1.
pub fn points(g: Grade) -> u32 {
    match g {
        Grade::Excellent => 4,
        Grade::Qualified => 3,
        Grade::BasicallyQualified => 2,
        Grade::Unqualified => 1,
    }
}

/// Counts per grade, in [`Grade::ALL`] order.
pub type GradeCounts = [usize; 4];

fn grade_index(g: Grade) -> usize {
    Grade::ALL.iter().position(|x| *x == g).unwrap_or(0)
}

/// What the secretary sees of one dimension of a reviewee.
#[derive(Debug, Clone, PartialEq)]
pub struct DimensionTally {
    pub dimension: Dimension,
    pub counts: GradeCounts,
    /// Mean points (4 … 1), to two decimals.
    pub average: f64,
}

/// The aggregates of a reviewee with at least [`MIN_BALLOTS_SHOWN`] ballots.
#[derive(Debug, Clone, PartialEq)]
pub struct Tally {
    pub ballots: usize,
    pub overall: GradeCounts,
    pub dimensions: Vec<DimensionTally>,
    /// In an order drawn at random, without author.
    pub comments: Vec<String>,
}

/// A graded participant and their aggregates, withheld (`None`) under three ballots.
#[derive(Debug, Clone, PartialEq)]
pub struct RevieweeTally {
    pub reviewee: Participant,
    pub tally: Option<Tally>,
}

/// Voters over eligible reviewers of one branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turnout {
    pub branch_id: OrgId,
    pub voters: usize,
    pub eligible: usize,
}

impl Turnout {
    /// Under 80 % of the eligible reviewers voted.
    pub fn warning(&self) -> bool {
        self.voters * 100 < self.eligible * TURNOUT_WARNING_PERCENT
    }
}

/// Aggregates of the `ballots` per graded participant among `participants`. Comments are
/// ordered by a keyed hash under `seed` (random per request), never by anything stored.
pub fn tally(participants: &[Participant], ballots: &[Ballot], seed: &[u8]) -> Vec<RevieweeTally> {
    participants
        .iter()
        .filter(|p| p.graded())
        .map(|p| {
            let mine: Vec<&Ballot> = ballots
                .iter()
                .filter(|b| b.reviewee_id == p.member_id)
                .collect();
            let tally = (mine.len() >= MIN_BALLOTS_SHOWN).then(|| {
                let mut overall = [0; 4];
                for b in &mine {
                    overall[grade_index(b.overall)] += 1;
                }
                let dimensions = Dimension::ALL
                    .iter()
                    .map(|d| {
                        let mut counts = [0; 4];
                        let mut sum = 0u32;
                        for b in &mine {
                            let g = b.dimensions[Ballot::index(*d)];
                            counts[grade_index(g)] += 1;
                            sum += points(g);
                        }
                        let n = u32::try_from(mine.len()).unwrap_or(u32::MAX).max(1);
                        let average = (f64::from(sum) / f64::from(n) * 100.0).round() / 100.0;
                        DimensionTally {
                            dimension: *d,
                            counts,
                            average,
                        }
                    })
                    .collect();
                let comments = shuffled(
                    mine.iter().filter_map(|b| b.comment.clone()).collect(),
                    seed,
                );
                Tally {
                    ballots: mine.len(),
                    overall,
                    dimensions,
                    comments,
                }
            });
            RevieweeTally {
                reviewee: p.clone(),
                tally,
            }
        })
        .collect()
}

/// The items in the order of their keyed hashes under `seed`: a permutation as random as the
/// seed, independent of the order storage returned them in.
pub fn shuffled(items: Vec<String>, seed: &[u8]) -> Vec<String> {
    let mut keyed: Vec<([u8; 32], String)> = items
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let mut mac = Hmac::<Sha256>::new_from_slice(seed)
                .unwrap_or_else(|e| unreachable!("HMAC accepts keys of any length: {e}"));
            mac.update(&(i as u64).to_be_bytes());
            (mac.finalize().into_bytes().into(), s)
        })
        .collect();
    keyed.sort();
    keyed.into_iter().map(|(_, s)| s).collect()
}

/// Turnout per branch among `participants`: eligible are those who review anyone, voters
/// those of them in `voters`.
pub fn turnout(
    scope: PeerScope,
    participants: &[Participant],
    voters: &[MemberId],
) -> Vec<Turnout> {
    let mut out: Vec<Turnout> = Vec::new();
    for p in participants {
        let eligible = participants.iter().any(|q| reviews(scope, p, q));
        let at = match out.iter().position(|t| t.branch_id == p.branch_id) {
            Some(i) => i,
            None => {
                out.push(Turnout {
                    branch_id: p.branch_id,
                    voters: 0,
                    eligible: 0,
                });
                out.len() - 1
            }
        };
        if eligible {
            out[at].eligible += 1;
            if voters.contains(&p.member_id) {
                out[at].voters += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::appraisal::campaign::Excusal;
    use crate::org::OrgPath;

    fn member(branch: OrgId, group: Option<OrgId>) -> Participant {
        Participant {
            campaign_id: CampaignId::from_uuid(uuid::Uuid::nil()),
            member_id: MemberId::new(),
            name: "党员".into(),
            branch_id: branch,
            branch_path: OrgPath::root(branch),
            group_id: group,
            probationary: false,
            excused: None,
        }
    }

    fn all(g: Grade) -> Vec<(Dimension, Grade)> {
        Dimension::ALL.iter().map(|d| (*d, g)).collect()
    }

    #[test]
    fn tags_are_keyed_per_reviewer_and_secret_and_never_the_id() {
        let s = BallotSecret::from_bytes([7; 32]);
        let other = BallotSecret::from_bytes([8; 32]);
        let (a, b) = (MemberId::new(), MemberId::new());
        assert_eq!(s.tag(a), s.tag(a));
        assert_ne!(s.tag(a), s.tag(b));
        assert_ne!(s.tag(a), other.tag(a));
        assert!(!s
            .tag(a)
            .as_str()
            .contains(&a.as_uuid().simple().to_string()));
        assert_eq!(ReviewerTag::parse(s.tag(a).as_str()), Some(s.tag(a)));
        assert_eq!(BallotSecret::from_hex(&s.to_hex()), Some(s.clone()));
        assert_eq!(format!("{s:?}"), "BallotSecret(..)");
        assert_eq!(BallotSecret::from_hex("zz"), None);
    }

    #[test]
    fn a_ballot_grades_every_dimension_once() {
        let (c, m) = (CampaignId::new(), MemberId::new());
        assert!(Ballot::new(c, m, Grade::Qualified, &all(Grade::Excellent), Some(" 好 ")).is_ok());
        let mut twice = all(Grade::Qualified);
        twice[5] = (Dimension::Thought, Grade::Qualified);
        let Err(e) = Ballot::new(c, m, Grade::Qualified, &twice, None) else {
            panic!("a repeated dimension passed")
        };
        let codes: Vec<_> = e.iter().map(|f| (f.pointer.as_str(), f.code)).collect();
        assert_eq!(
            codes,
            [
                (
                    "/dimensions/5/dimension",
                    ErrorCode::PeerReviewDimensionRepeated
                ),
                ("/dimensions", ErrorCode::PeerReviewDimensionMissing),
            ]
        );
        let Err(e) = Ballot::new(
            c,
            m,
            Grade::Qualified,
            &all(Grade::Qualified),
            Some("\u{7}"),
        ) else {
            panic!("a control character passed")
        };
        assert_eq!(e[0].code, ErrorCode::PeerReviewCommentInvalid);
    }

    #[test]
    fn reviewers_grade_others_of_their_scope_who_are_graded() {
        let (branch, other) = (OrgId::new(), OrgId::new());
        let group = Some(OrgId::new());
        let a = member(branch, group);
        let b = member(branch, group);
        let c = member(branch, None);
        let d = member(other, group);
        assert!(!reviews(PeerScope::Branch, &a, &a));
        assert!(reviews(PeerScope::Branch, &a, &c));
        assert!(!reviews(PeerScope::Branch, &a, &d));
        assert!(reviews(PeerScope::Group, &a, &b));
        assert!(!reviews(PeerScope::Group, &a, &c));
        assert!(!reviews(PeerScope::Group, &c, &a), "no group, nobody");
        let probationary = Participant {
            probationary: true,
            ..b.clone()
        };
        assert!(!reviews(PeerScope::Branch, &a, &probationary));
        assert!(reviews(PeerScope::Branch, &probationary, &a));
        let excused = Participant {
            excused: Some(Excusal {
                reason: "病休".into(),
                by: a.member_id,
                at: chrono::DateTime::UNIX_EPOCH,
            }),
            ..b
        };
        assert!(!reviews(PeerScope::Branch, &a, &excused));
        assert!(!reviews(PeerScope::Branch, &excused, &a));
    }

    #[test]
    fn aggregates_need_three_ballots_and_average_the_points() {
        let branch = OrgId::new();
        let people: Vec<Participant> = (0..4).map(|_| member(branch, None)).collect();
        let c = people[0].campaign_id;
        let to = |i: usize, g: Grade, comment: Option<&str>| {
            Ballot::new(c, people[i].member_id, g, &all(g), comment)
                .unwrap_or_else(|e| panic!("{e:?}"))
        };
        let ballots = vec![
            to(0, Grade::Excellent, Some("带头作用好")),
            to(0, Grade::Qualified, None),
            to(0, Grade::Unqualified, Some("参加活动少")),
            to(1, Grade::Qualified, Some("只有两票")),
            to(1, Grade::Qualified, None),
        ];
        let t = tally(&people, &ballots, b"seed");
        let Some(first) = &t[0].tally else {
            panic!("three ballots are shown")
        };
        assert_eq!(first.ballots, 3);
        assert_eq!(first.overall, [1, 1, 0, 1]);
        assert!((first.dimensions[0].average - 2.67).abs() < 1e-9);
        assert_eq!(first.comments.len(), 2);
        assert_eq!(t[1].tally, None, "two ballots are withheld");
        assert_eq!(t[2].tally, None);
    }

    #[test]
    fn turnout_counts_eligible_reviewers_and_warns_under_eighty_percent() {
        let branch = OrgId::new();
        let people: Vec<Participant> = (0..5).map(|_| member(branch, None)).collect();
        let voters: Vec<MemberId> = people[..4].iter().map(|p| p.member_id).collect();
        let t = turnout(PeerScope::Branch, &people, &voters);
        assert_eq!(t[0].voters, 4);
        assert_eq!(t[0].eligible, 5);
        assert!(!t[0].warning(), "80 % is enough");
        let t = turnout(PeerScope::Branch, &people, &voters[..3]);
        assert!(t[0].warning());
    }

    #[test]
    fn shuffling_keeps_every_item() {
        let items: Vec<String> = (0..20).map(|i| i.to_string()).collect();
        let mut out = shuffled(items.clone(), b"one");
        assert_ne!(out, items, "20 items come back in another order");
        out.sort_by_key(|s| s.parse::<u32>().unwrap_or(0));
        assert_eq!(out, items);
    }
}
