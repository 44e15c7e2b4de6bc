//! Reminding those who must act before a dispatched request's deadline.

use chrono::{DateTime, TimeDelta, Utc};

use crate::error::DomainError;
use crate::org::{MemberId, RoleKind};
use crate::uow::{Repositories, Transactional};
use crate::volunteer::model::Assignee;
use crate::volunteer::notice::{deadline_message, Deadline};
use crate::volunteer::request::ServiceRequest;

/// Who must act on `r` before `which` falls due: the volunteers holding a place once
/// someone has claimed it; before that, the branch's secretaries and committee members, or
/// the team's leader (a wish on the township's list reminds nobody: anyone may claim it).
async fn to_remind(
    repos: &dyn Repositories,
    r: &ServiceRequest,
    which: Deadline,
) -> Result<Vec<MemberId>, DomainError> {
    if which == Deadline::Complete && r.claimed > 0 {
        let claims = repos.service_requests().claims(r.id).await?;
        return Ok(claims.into_iter().map(|c| c.member_id).collect());
    }
    Ok(match r.assignee {
        Some(Assignee::Branch(branch)) => repos
            .roles()
            .held_on(branch)
            .await?
            .into_iter()
            .filter(|g| matches!(g.kind, RoleKind::Secretary | RoleKind::Committee))
            .map(|g| g.member_id)
            .collect(),
        Some(Assignee::Team(team)) => repos
            .volunteer_teams()
            .team(team)
            .await?
            .map(|t| vec![t.leader_id])
            .unwrap_or_default(),
        Some(Assignee::WishList(_)) | None => Vec::new(),
    })
}

/// Writes a reminder for every deadline falling due within `lead` of `now` that still
/// binds its request, once per request, deadline and due instant, whichever instance
/// writes it; answers how many it wrote. The push worker runs it on its rounds.
pub async fn enqueue_deadline_reminders(
    tx: &dyn Transactional,
    repos: &dyn Repositories,
    template: &str,
    now: DateTime<Utc>,
    lead: TimeDelta,
) -> Result<u64, DomainError> {
    let mut written = 0;
    for r in repos
        .service_requests()
        .due_between(now, now + lead)
        .await?
    {
        for which in [Deadline::Claim, Deadline::Complete] {
            let Some(due) = which.of(&r) else { continue };
            if !which.binds(&r) || due <= now || due > now + lead {
                continue;
            }
            let message = deadline_message(&r, which, due, template, now);
            if repos.push().message_exists(&message.key).await? {
                continue;
            }
            let members = to_remind(repos, &r, which).await?;
            if members.is_empty() {
                continue;
            }
            let uow = tx.begin().await?;
            if uow.push().enqueue(&message, &members, now).await? {
                written += 1;
            }
            uow.commit().await?;
        }
    }
    Ok(written)
}
