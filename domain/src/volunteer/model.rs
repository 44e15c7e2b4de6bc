//! The volunteer context's identifiers and closed sets.

use crate::org::OrgId;

crate::define_id!(
    /// Identifies one 96345 service request.
    ServiceRequestId
);

crate::define_id!(
    /// Identifies one professional team (专业队伍).
    TeamId
);

crate::define_id!(
    /// Identifies one resident: a WeChat user who is not a Party member on the roster and
    /// files requests for themselves.
    ResidentId
);

crate::define_id!(
    /// Identifies one entry of the volunteer-hours ledger.
    HoursEntryId
);

crate::string_enum::string_enum!(
    /// The five kinds of service (domain.md glossary).
    ServiceKind {
        Hotline => "hotline",
        Thematic => "thematic",
        HomeVisit => "home_visit",
        Outreach => "outreach",
        Wish => "wish",
    }
);

impl ServiceKind {
    /// The kind as people read it.
    pub fn label_zh(&self) -> &'static str {
        match self {
            ServiceKind::Hotline => "热线求助",
            ServiceKind::Thematic => "围绕中心专题",
            ServiceKind::HomeVisit => "上门入户结对",
            ServiceKind::Outreach => "上街下乡推送",
            ServiceKind::Wish => "点亮心愿",
        }
    }
}

crate::string_enum::string_enum!(
    /// How soon the requester needs help: an urgent request is due the same day.
    Urgency {
        Normal => "normal",
        Urgent => "urgent",
    }
);

crate::string_enum::string_enum!(
    /// Where a request stands in its lifecycle (moderation is kept apart, see
    /// [`super::Moderation`]).
    RequestState {
        Submitted => "submitted",
        Accepted => "accepted",
        Claimed => "claimed",
        InProgress => "in_progress",
        Completed => "completed",
        Closed => "closed",
        Cancelled => "cancelled",
        Rejected => "rejected",
    }
);

/// Who a request is dispatched to: a branch (its members claim it), a professional team
/// (its active members claim it), or, for a wish, the township's wish list (any of its
/// members claims it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Assignee {
    Branch(OrgId),
    Team(TeamId),
    WishList(OrgId),
}
