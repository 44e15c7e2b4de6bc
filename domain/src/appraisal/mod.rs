//! Appraisal (党性分析, 民主评议党员): campaigns held at the branch's 组织生活会, their stage
//! machine, members' self-assessments, the secret peer ballot, the organisation's rating,
//! publication with objections and appeals, and the rectification list (source document
//! 四(五)3, 三(二), 四(四)2).

pub mod assessment;
pub mod ballot;
pub mod campaign;
pub mod model;
pub mod notice;
pub mod ports;
pub mod rating;
pub mod rectification;
pub mod service;
pub mod stage;

pub use assessment::{
    AssessmentContent, DimensionEntry, ListTick, LookAnswer, ProblemFound, QualificationEntry,
};
pub use ballot::{Ballot, BallotSecret, RevieweeTally, ReviewerTag, Tally, Turnout};
pub use campaign::{
    AssessmentStatus, Campaign, CampaignId, Excusal, Participant, SelfAssessment, Share,
};
pub use model::{Dimension, Grade, PeerScope, Period, Qualification};
pub use ports::{
    AppraisalRepo, AssessmentProgress, BallotRepo, CampaignQuery, RatingRepo, RectificationRepo,
};
pub use rating::{Answer, Objection, ObjectionKind, Rating, Verdict};
pub use rectification::{
    Rectification, RectificationCounts, RectificationId, RectificationSource, RectificationStatus,
};
pub use stage::{Schedule, Stage, StageClock, StageDates, Standing};
