//! A committee's holiday calendar, which moves the rural theme day off a holiday.

use crate::error::ErrorCode;
use chrono::NaiveDate;

use crate::activity::calendar::HolidayCalendar;
use crate::context::{ReadContext, WriteContext};
use crate::error::DomainError;
use crate::org::policy::{self, Action};
use crate::org::{Org, OrgKind};

fn require_committee(org: &Org) -> Result<(), DomainError> {
    if org.kind == OrgKind::Committee {
        Ok(())
    } else {
        Err(DomainError::refused(
            ErrorCode::HolidaysNeedCommittee,
            "holiday calendars are kept per township committee",
        ))
    }
}

/// A committee's holiday calendar for `year` (empty until a township admin sets it).
pub async fn get_holidays(
    ctx: &ReadContext<'_>,
    org_id: crate::org::OrgId,
    year: i32,
) -> Result<HolidayCalendar, DomainError> {
    let (orgs, holidays, actor) = (ctx.repos.orgs(), ctx.repos.holidays(), ctx.actor);
    let org = policy::load_in_scope(actor, Action::ReadOrg, orgs.get(org_id), |o| &o.path).await?;
    require_committee(&org)?;
    Ok(holidays.get(org.id, year).await?.unwrap_or_default())
}

/// Replaces a committee's holiday calendar for `year` (township admins).
pub async fn put_holidays(
    ctx: &WriteContext<'_>,
    org_id: crate::org::OrgId,
    year: i32,
    holidays: &[NaiveDate],
    workdays: &[NaiveDate],
) -> Result<HolidayCalendar, DomainError> {
    let calendar =
        HolidayCalendar::validate(year, holidays, workdays).map_err(DomainError::Validation)?;
    policy::may_somewhere(ctx.actor, Action::ManageOrgs)?;
    let uow = ctx.tx.begin().await?;
    let org = policy::load_in_scope(ctx.actor, Action::ManageOrgs, uow.orgs().get(org_id), |o| {
        &o.path
    })
    .await?;
    require_committee(&org)?;
    let now = ctx.clock.now();
    uow.holidays().put(org.id, year, &calendar, now).await?;
    ctx.commit_audited(
        uow,
        now,
        "holidays.update",
        "holiday_calendar",
        format!("{}/{year}", org.id),
        Some((org.id, &org.path)),
    )
    .await?;
    Ok(calendar)
}
