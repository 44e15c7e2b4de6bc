use crate::string_enum::string_enum;

crate::define_id!(
    /// Identifies an activity (a theme day or one of 三会一课).
    ActivityId
);
crate::define_id!(
    /// Identifies one member's check-in to one activity.
    CheckInId
);
crate::define_id!(
    /// Identifies an exemption (请假) application.
    ExemptionId
);

string_enum!(
    /// 主题党日 / 党员大会 / 支委会 / 党小组会 / 党课.
    ActivityKind {
        ThemeDay => "theme_day",
        GeneralAssembly => "general_assembly",
        CommitteeMeeting => "committee_meeting",
        GroupMeeting => "group_meeting",
        PartyLesson => "party_lesson",
    }
);

string_enum!(
    /// 学习教育 / 党性锤炼 / 民主议事 / 走访联系 / 服务奉献 (四(五)2).
    ThemeCategory {
        Study => "study",
        PartySpirit => "party_spirit",
        Deliberation => "deliberation",
        Visiting => "visiting",
        Service => "service",
    }
);

string_enum!(
    /// What a check-in must show: the rotating QR code, a location inside the geofence, or
    /// either of them.
    ProofKind {
        Qr => "qr",
        Location => "location",
        Either => "either",
    }
);

string_enum!(
    ActivityStatus {
        Scheduled => "scheduled",
        Cancelled => "cancelled",
    }
);

string_enum!(
    /// How a check-in was proven.
    CheckInMethod {
        Qr => "qr",
        Location => "location",
        Online => "online",
    }
);

string_enum!(
    /// A check-in or exemption awaiting, passing or failing review.
    ReviewStatus {
        Pending => "pending",
        Approved => "approved",
        Rejected => "rejected",
    }
);

string_enum!(
    ReviewDecision {
        Approve => "approve",
        Reject => "reject",
    }
);
