//! The wire forms of a township's deadlines.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::routes::volunteer::request::dto::{ServiceKind, ServiceUrgency};
use domain::error::FieldError;
use domain::volunteer::{self as vo, Allowance, DeadlinePolicy};

/// The working days one kind and urgency has, counted on the township's holiday calendar
/// from the day of dispatch (0: by the end of that day).
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AllowanceDto {
    /// Working days to be claimed (0-30); no more than `completeDays`.
    #[serde(deserialize_with = "crate::extract::integral")]
    #[schema(minimum = 0, maximum = 30, example = 1)]
    pub claim_days: u32,
    /// Working days to be completed (0-90).
    #[serde(deserialize_with = "crate::extract::integral")]
    #[schema(minimum = 0, maximum = 90, example = 3)]
    pub complete_days: u32,
}

/// One kind's deadlines by urgency; an urgency left out follows the default again.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KindDeadlinesDto {
    /// By default: a hotline call 1 and 3 working days, a wish 5 and 20, the others 2 and 10.
    #[serde(default)]
    pub normal: Option<AllowanceDto>,
    /// By default the same day (0 and 0).
    #[serde(default)]
    pub urgent: Option<AllowanceDto>,
}

/// The township's deadlines, by kind (the wire names of `ServiceKind`). The whole set is
/// replaced: a kind or urgency left out follows the default again, so `{}` restores every
/// default.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "hotline": {"normal": {"claimDays": 1, "completeDays": 2}},
    "wish": {"normal": {"claimDays": 5, "completeDays": 30}, "urgent": {"claimDays": 1, "completeDays": 2}}
}))]
pub struct ServiceDeadlinesRequest {
    /// 热线求助.
    #[serde(default)]
    pub hotline: Option<KindDeadlinesDto>,
    /// 围绕中心专题.
    #[serde(default)]
    pub thematic: Option<KindDeadlinesDto>,
    /// 上门入户结对.
    #[serde(default)]
    pub home_visit: Option<KindDeadlinesDto>,
    /// 上街下乡推送.
    #[serde(default)]
    pub outreach: Option<KindDeadlinesDto>,
    /// 点亮心愿.
    #[serde(default)]
    pub wish: Option<KindDeadlinesDto>,
}

impl ServiceDeadlinesRequest {
    /// What the township sets, kind by kind.
    pub fn into_set(self) -> Vec<(vo::ServiceKind, vo::Urgency, Allowance)> {
        let kinds = [
            (vo::ServiceKind::Hotline, self.hotline),
            (vo::ServiceKind::Thematic, self.thematic),
            (vo::ServiceKind::HomeVisit, self.home_visit),
            (vo::ServiceKind::Outreach, self.outreach),
            (vo::ServiceKind::Wish, self.wish),
        ];
        let mut set = Vec::new();
        for (kind, k) in kinds {
            let Some(k) = k else { continue };
            for (urgency, a) in [
                (vo::Urgency::Normal, k.normal),
                (vo::Urgency::Urgent, k.urgent),
            ] {
                if let Some(a) = a {
                    set.push((
                        kind,
                        urgency,
                        Allowance {
                            claim_days: a.claim_days,
                            complete_days: a.complete_days,
                        },
                    ));
                }
            }
        }
        set
    }
}

impl crate::extract::Validate for ServiceDeadlinesRequest {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        Ok(())
    }
}

/// The deadlines of one kind and urgency.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServiceDeadlineView {
    pub kind: ServiceKind,
    pub urgency: ServiceUrgency,
    /// Working days to be claimed.
    #[schema(minimum = 0, maximum = 30, example = 1)]
    pub claim_days: u32,
    /// Working days to be completed.
    #[schema(minimum = 0, maximum = 90, example = 3)]
    pub complete_days: u32,
    /// The township set nothing here: the built-in default applies.
    pub is_default: bool,
}

/// Every kind and urgency (10 rows): kinds in the order `hotline`, `thematic`,
/// `home_visit`, `outreach`, `wish`, each `normal` then `urgent`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServiceDeadlinesView {
    pub items: Vec<ServiceDeadlineView>,
}

impl From<&DeadlinePolicy> for ServiceDeadlinesView {
    fn from(p: &DeadlinePolicy) -> Self {
        let mut items = Vec::new();
        for kind in vo::ServiceKind::ALL {
            for urgency in vo::Urgency::ALL {
                let a = p.allowance(*kind, *urgency);
                items.push(ServiceDeadlineView {
                    kind: (*kind).into(),
                    urgency: (*urgency).into(),
                    claim_days: a.claim_days,
                    complete_days: a.complete_days,
                    is_default: p.is_default(*kind, *urgency),
                });
            }
        }
        Self { items }
    }
}
