//! Command-line actions of the `api` binary besides serving: starting a township with its
//! first township admin, granting roles and minting tokens for trying the API. Each prints
//! only its result on stdout.

pub mod demo;
mod demo_pioneer;
mod demo_volunteer;
pub mod import;

use std::time::Duration;

use crate::auth::session::start_session;
use crate::auth::token::{mint, MAX_ACCESS_TTL};
use crate::config::Settings;
use crate::startup::{connect_dependencies, StartupError};
use crate::state::AppState;
use domain::audit::{AuditAction, AuditEntry, AuditId, NewAuditEntry};
use domain::org::{
    Member, MemberId, MemberRepo, OrgId, PhoneNumber, RoleGrant, RoleGrantId, RoleKind,
};
use domain::uow::Transactional;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Startup(#[from] StartupError),
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Failed(String),
}

fn failed(e: impl std::fmt::Display) -> CliError {
    CliError::Failed(e.to_string())
}

/// `15m`, `900s`, `900` (seconds), `1h`; at most 15 minutes.
pub fn parse_ttl(raw: &str) -> Result<Duration, CliError> {
    let raw = raw.trim();
    let (number, unit) = match raw.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => (&raw[..i], &raw[i..]),
        None => (raw, "s"),
    };
    let n: u64 = number
        .parse()
        .map_err(|_| CliError::Usage(format!("--ttl {raw}: expected e.g. 15m or 900s")))?;
    let secs = match unit {
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        _ => {
            return Err(CliError::Usage(format!(
                "--ttl {raw}: unit must be s, m or h"
            )))
        }
    };
    let ttl = Duration::from_secs(secs);
    if secs == 0 || ttl > MAX_ACCESS_TTL {
        return Err(CliError::Usage(
            "--ttl must be between 1s and 15m".to_owned(),
        ));
    }
    Ok(ttl)
}

async fn state(settings: &Settings) -> Result<AppState, CliError> {
    Ok(AppState::new(
        connect_dependencies(settings).await?,
        settings,
    ))
}

/// How a `--member` argument is echoed in messages: phones masked, ids as given.
fn shown(who: &str) -> String {
    PhoneNumber::parse(who).map_or_else(|_| who.to_owned(), |p| p.masked())
}

/// A member named by id or by phone.
async fn find_member(state: &AppState, who: &str) -> Result<Member, CliError> {
    let repos = state.db.repos();
    let found = match uuid::Uuid::parse_str(who) {
        Ok(id) => MemberRepo::get(&repos, MemberId::from_uuid(id)).await,
        Err(_) => {
            let phone = PhoneNumber::parse(who).map_err(|_| {
                CliError::Usage(format!("--member {who}: not a member id or phone"))
            })?;
            repos.find_by_phone(&phone).await
        }
    };
    found
        .map_err(failed)?
        .ok_or_else(|| CliError::Usage(format!("--member {}: no such member", shown(who))))
}

/// Mints an access token (and with `refresh`, starts a session) for an active member.
/// Returns the lines to print: the access token, then the refresh token if asked.
pub async fn token(
    settings: &Settings,
    who: &str,
    ttl: &str,
    refresh: bool,
) -> Result<Vec<String>, CliError> {
    let ttl = parse_ttl(ttl)?;
    let mut state = state(settings).await?;
    state.tokens.access_ttl = ttl;
    let member = find_member(&state, who).await?;
    if !member.is_active() {
        return Err(CliError::Usage(format!(
            "--member {who}: the member is not active"
        )));
    }
    if refresh {
        let pair = start_session(&state, &member).await.map_err(failed)?;
        return Ok(vec![pair.access_token, pair.refresh_token]);
    }
    let (token, _) = mint(
        &state.keys,
        &state.tokens,
        member.id,
        None,
        state.clock.now(),
        ttl,
    )
    .map_err(failed)?;
    Ok(vec![token])
}

/// Grants a role from the operator's shell (e.g. a second township admin).
pub async fn grant(
    settings: &Settings,
    who: &str,
    role: &str,
    org: &str,
) -> Result<String, CliError> {
    let kind = RoleKind::parse(role).ok_or_else(|| {
        CliError::Usage(format!(
            "--role {role}: one of secretary, committee, township_admin, hotline_operator"
        ))
    })?;
    let org_id = uuid::Uuid::parse_str(org)
        .map(OrgId::from_uuid)
        .map_err(|_| CliError::Usage(format!("--org {org}: not an org id")))?;
    let state = state(settings).await?;
    let member = find_member(&state, who).await?;
    let uow = state.db.begin().await.map_err(failed)?;
    let org = uow
        .orgs()
        .get(org_id)
        .await
        .map_err(failed)?
        .ok_or_else(|| CliError::Usage(format!("--org {org}: no such org")))?;
    if !domain::org::service::role_fits(kind, org.kind) {
        return Err(CliError::Usage(format!(
            "a {} role cannot be held on a {}",
            kind.as_str(),
            org.kind.as_str()
        )));
    }
    let now = state.clock.now();
    let grant = RoleGrant {
        id: RoleGrantId::at(now),
        member_id: member.id,
        kind,
        org_id: org.id,
        org_path: org.path.clone(),
        can_review: false,
        granted_at: now,
    };
    uow.roles().insert(&grant).await.map_err(|e| match e {
        domain::error::RepoError::Conflict { .. } => {
            CliError::Usage("the member already holds this role on this org".to_owned())
        }
        other => failed(other),
    })?;
    let entry = AuditEntry::record(
        AuditId::at(now),
        NewAuditEntry {
            actor: None,
            action: AuditAction::known("role.grant"),
            object_type: "role_grant".to_owned(),
            object_id: grant.id.to_string(),
            org_id: Some(org.id.as_uuid()),
            org_path: Some(org.path.as_str().to_owned()),
            request_id: None,
        },
        now,
    );
    uow.audit().append(&entry).await.map_err(failed)?;
    uow.commit().await.map_err(failed)?;
    Ok(grant.id.to_string())
}

/// What `api init` created, as printed: one `key=value` line each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitReport {
    pub committee_id: uuid::Uuid,
    pub office_branch_id: uuid::Uuid,
    pub admin_member_id: uuid::Uuid,
}

impl std::fmt::Display for InitReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "committee_id={}\noffice_branch_id={}\nadmin_member_id={}",
            self.committee_id, self.office_branch_id, self.admin_member_id
        )
    }
}

/// Starts a township: its committee, its office branch and its first township admin, in
/// one unit of work with one audit entry; refuses a committee name or a phone already
/// there, writing nothing (see [`domain::org::township`]).
pub async fn init(
    settings: &Settings,
    req: &domain::org::township::TownshipRequest,
) -> Result<InitReport, CliError> {
    use domain::org::township::{self, FoundError};
    // Arguments are checked before anything is connected or migrated.
    township::plan(req, chrono::Utc::now()).map_err(|e| CliError::Usage(e.to_string()))?;
    let state = state(settings).await?;
    let uow = state.db.begin().await.map_err(failed)?;
    let new = township::found(uow.as_ref(), req, state.clock.now())
        .await
        .map_err(|e| match e {
            FoundError::Store(e) => failed(e),
            refused => CliError::Usage(refused.to_string()),
        })?;
    uow.commit().await.map_err(failed)?;
    Ok(InitReport {
        committee_id: new.committee.id.as_uuid(),
        office_branch_id: new.office_branch.id.as_uuid(),
        admin_member_id: new.admin.id.as_uuid(),
    })
}

/// Seeds the demo township and returns what to print (`--json` or a table).
pub async fn seed_demo(settings: &Settings, as_json: bool) -> Result<String, CliError> {
    let state = state(settings).await?;
    let accounts = demo::seed(&state.db, state.clock.now())
        .await
        .map_err(failed)?;
    if as_json {
        serde_json::to_string_pretty(&accounts).map_err(failed)
    } else {
        Ok(demo::table(&accounts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttls_read_like_people_write_them_and_stop_at_fifteen_minutes() {
        assert_eq!(parse_ttl("15m").ok(), Some(Duration::from_secs(900)));
        assert_eq!(parse_ttl("90s").ok(), Some(Duration::from_secs(90)));
        assert_eq!(parse_ttl("120").ok(), Some(Duration::from_secs(120)));
        for bad in ["16m", "1h", "0s", "m", "5d", "-1m"] {
            assert!(parse_ttl(bad).is_err(), "{bad}");
        }
    }
}
