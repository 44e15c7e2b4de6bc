//! The volunteer report (96345): per branch, per professional team, the township's wish list
//! and what is not dispatched yet, for one month (Asia/Shanghai): requests filed by kind and
//! by state, completions on time, what is overdue now, confirmed service hours and ratings,
//! with a totals line.
//!
//! Where things count: a request where it is dispatched (a branch, a team, the wish list;
//! not yet dispatched: its township's "undispatched" line); a volunteer's minutes with the
//! team they served through, the wish list for a wish, otherwise their own branch.
//!
//! Who reads it: secretaries and committee members (their branch), township admins and
//! hotline operators (their township); each sees only the lines their roles cover. Teams,
//! the wish list and the undispatched line belong to the township and are shown to those
//! covering it.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};

use super::model::{Assignee, RequestState, ServiceKind, TeamId};
use super::report_ports::{ReportedMinutes, ReportedRequest};
use crate::calendar::YearMonth;
use crate::context::ReadContext;
use crate::error::DomainError;
use crate::org::names::path_labels;
use crate::org::policy::{self, Action, Actor};
use crate::org::{Org, OrgId, OrgPath};
use crate::page::PageRequest;

/// A line of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LineKey {
    Branch(OrgId),
    Team(TeamId),
    /// The township's wish list (点亮心愿), by its committee.
    WishList(OrgId),
    /// Requests of the township not dispatched (submitted, rejected, or cancelled before
    /// dispatch), by its committee.
    Undispatched(OrgId),
}

/// The figures of a line (or of the totals).
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    /// Filed in the month.
    pub filed: u64,
    /// Of those filed in the month, by kind (every kind present).
    pub by_kind: BTreeMap<ServiceKind, u64>,
    /// Of those filed in the month, by the state they are in now (every state present).
    pub by_state: BTreeMap<RequestState, u64>,
    /// Completed in the month (their latest completion).
    pub completed: u64,
    /// Of those, completed by their deadline (`completed_at <= complete_due`).
    pub completed_on_time: u64,
    /// Overdue at the report's instant, whenever filed.
    pub overdue: u64,
    /// Confirmed minutes of service served on the month's days, corrections included.
    pub service_minutes: i64,
    /// Ratings of the requests closed in the month.
    pub ratings: u64,
    pub rating_sum: u64,
}

impl Default for Figures {
    fn default() -> Self {
        Self {
            filed: 0,
            by_kind: ServiceKind::ALL.iter().map(|k| (*k, 0)).collect(),
            by_state: RequestState::ALL.iter().map(|s| (*s, 0)).collect(),
            completed: 0,
            completed_on_time: 0,
            overdue: 0,
            service_minutes: 0,
            ratings: 0,
            rating_sum: 0,
        }
    }
}

impl Figures {
    /// completed on time ÷ completed; none when nothing was completed.
    pub fn on_time_share(&self) -> Option<f64> {
        (self.completed > 0).then(|| self.completed_on_time as f64 / self.completed as f64)
    }

    /// The mean rating (1-5); none without ratings.
    pub fn average_rating(&self) -> Option<f64> {
        (self.ratings > 0).then(|| self.rating_sum as f64 / self.ratings as f64)
    }

    fn add(&mut self, other: &Figures) {
        self.filed += other.filed;
        for (k, n) in &other.by_kind {
            *self.by_kind.entry(*k).or_default() += n;
        }
        for (s, n) in &other.by_state {
            *self.by_state.entry(*s).or_default() += n;
        }
        self.completed += other.completed;
        self.completed_on_time += other.completed_on_time;
        self.overdue += other.overdue;
        self.service_minutes += other.service_minutes;
        self.ratings += other.ratings;
        self.rating_sum += other.rating_sum;
    }

    /// Counts `r` as far as the month and the instant `now` make it count.
    fn count(&mut self, r: &ReportedRequest, month: YearMonth, now: DateTime<Utc>) {
        let within =
            |t: Option<DateTime<Utc>>| t.is_some_and(|t| month.start() <= t && t < month.end());
        if within(Some(r.created_at)) {
            self.filed += 1;
            *self.by_kind.entry(r.kind).or_default() += 1;
            *self.by_state.entry(r.state).or_default() += 1;
        }
        if let Some(done) = r.completed_at.filter(|t| within(Some(*t))) {
            self.completed += 1;
            if r.complete_due.is_none_or(|due| done <= due) {
                self.completed_on_time += 1;
            }
        }
        if r.overdue(now) {
            self.overdue += 1;
        }
        if let Some(rating) = r.rating.filter(|_| within(r.closed_at)) {
            self.ratings += 1;
            self.rating_sum += u64::from(rating);
        }
    }
}

impl ReportedRequest {
    /// Whether a deadline has passed at `now` while it still had to be met: exactly
    /// [`ServiceRequest::overdue`](super::ServiceRequest::overdue) (a unit test holds them
    /// together).
    pub fn overdue(&self, now: DateTime<Utc>) -> bool {
        if self.paused {
            return false;
        }
        let past = |due: Option<DateTime<Utc>>| due.is_some_and(|d| now >= d);
        match self.state {
            RequestState::Accepted => past(self.claim_due) || past(self.complete_due),
            RequestState::Claimed | RequestState::InProgress => past(self.complete_due),
            _ => false,
        }
    }

    /// The line it counts in, and the path that decides who sees it.
    fn line(&self, committee_path: &OrgPath) -> (LineKey, OrgPath) {
        match (self.assignee, &self.assignee_path) {
            (Some(Assignee::Branch(b)), Some(path)) => (LineKey::Branch(b), path.clone()),
            (Some(Assignee::Team(t)), _) => (LineKey::Team(t), committee_path.clone()),
            (Some(Assignee::WishList(c)), _) => (LineKey::WishList(c), committee_path.clone()),
            // A branch without its path cannot be placed: the township sees it.
            (Some(Assignee::Branch(_)), None) | (None, _) => (
                LineKey::Undispatched(self.committee_id),
                committee_path.clone(),
            ),
        }
    }
}

impl ReportedMinutes {
    /// The line the minutes count in, and the path that decides who sees it.
    fn line(&self, committee_path: &OrgPath) -> (LineKey, OrgPath) {
        let team = self.team.or(match self.request_assignee {
            Some(Assignee::Team(t)) => Some(t),
            _ => None,
        });
        match (team, self.request_assignee) {
            (Some(t), _) => (LineKey::Team(t), committee_path.clone()),
            (None, Some(Assignee::WishList(c))) => (LineKey::WishList(c), committee_path.clone()),
            _ => (LineKey::Branch(self.branch_id), self.branch_path.clone()),
        }
    }
}

/// One line: what it is, its name and its figures.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportLine {
    pub key: LineKey,
    /// A branch by its path of names below the committee (`虞北村党总支/第一党支部`), a
    /// team by its name, `点亮心愿` or `待派单` (the committee's name first when the report
    /// spans several townships).
    pub name: String,
    pub figures: Figures,
}

/// The report of one month.
#[derive(Debug, Clone, PartialEq)]
pub struct VolunteerReport {
    pub month: YearMonth,
    /// Branches in tree order, then teams by name, the wish list and the undispatched line.
    pub lines: Vec<ReportLine>,
    pub totals: Figures,
}

/// The subtrees the caller's report covers: where they read reports or dispatch requests,
/// nested subtrees dropped. Forbidden when there are none.
pub fn report_roots(actor: &Actor) -> Result<Vec<OrgPath>, DomainError> {
    let mut scopes = policy::scopes(actor, Action::ReadReports);
    scopes.extend(policy::scopes(actor, Action::DispatchServiceRequests));
    if scopes.is_empty() {
        return Err(DomainError::Forbidden);
    }
    scopes.sort_by_key(|p| p.depth());
    let mut roots: Vec<OrgPath> = Vec::new();
    for s in scopes {
        if !roots.iter().any(|r| r.covers(&s)) {
            roots.push(s);
        }
    }
    Ok(roots)
}

/// The figures of every line the `roots` cover, from the month's requests and minutes.
/// `committees` are the townships read, by id, with their paths.
pub fn tally(
    roots: &[OrgPath],
    committees: &HashMap<OrgId, OrgPath>,
    requests: &[ReportedRequest],
    minutes: &[ReportedMinutes],
    month: YearMonth,
    now: DateTime<Utc>,
) -> HashMap<LineKey, Figures> {
    let seen = |path: &OrgPath| roots.iter().any(|r| r.covers(path));
    let mut lines: HashMap<LineKey, Figures> = HashMap::new();
    for r in requests {
        let Some(committee) = committees.get(&r.committee_id) else {
            continue;
        };
        let (key, path) = r.line(committee);
        if seen(&path) {
            lines.entry(key).or_default().count(r, month, now);
        }
    }
    for m in minutes {
        let Some(committee) = committees.get(&m.committee_id) else {
            continue;
        };
        let (key, path) = m.line(committee);
        if seen(&path) {
            lines.entry(key).or_default().service_minutes += m.minutes;
        }
    }
    lines
}

/// The volunteer report of `month` for the caller, as things stand at the clock's now.
pub async fn volunteer_report(
    ctx: &ReadContext<'_>,
    month: YearMonth,
) -> Result<VolunteerReport, DomainError> {
    let repos = ctx.repos;
    let now = ctx.clock.now();
    let roots = report_roots(ctx.actor)?;
    // The townships concerned, and which of them the caller covers whole.
    let mut committees: HashMap<OrgId, OrgPath> = HashMap::new();
    for root in &roots {
        if let Some(id) = root.root_id() {
            committees.insert(id, OrgPath::root(id));
        }
    }
    let whole: Vec<OrgId> = committees
        .iter()
        .filter(|(_, path)| roots.iter().any(|r| r.covers(path)))
        .map(|(id, _)| *id)
        .collect();

    let mut branches: Vec<Org> = Vec::new();
    for root in &roots {
        branches.extend(repos.orgs().branches_under(root).await?);
    }
    let paths: Vec<OrgPath> = committees.values().cloned().collect();
    let ids: Vec<OrgId> = committees.keys().copied().collect();
    let requests = repos
        .volunteer_report()
        .reported_requests(&paths, month.start(), month.end(), now)
        .await?;
    let minutes = repos
        .volunteer_report()
        .confirmed_service_minutes(&ids, month.first_day(), month.last_day())
        .await?;
    let mut figures = tally(&roots, &committees, &requests, &minutes, month, now);

    // A branch the figures name that is not listed (moved out of the tree meanwhile) is
    // still shown, so the lines add up to the totals.
    for key in figures.keys() {
        if let LineKey::Branch(id) = key {
            if !branches.iter().any(|b| b.id == *id) {
                if let Some(org) = repos.orgs().get(*id).await? {
                    branches.push(org);
                }
            }
        }
    }
    let mut labels = path_labels(repos.orgs(), &branches.iter().collect::<Vec<_>>()).await?;
    let several = committees.len() > 1;
    let mut committee_names: HashMap<OrgId, String> = HashMap::new();
    if several {
        for id in committees.keys() {
            if let Some(org) = repos.orgs().get(*id).await? {
                committee_names.insert(*id, org.name);
            }
        }
    }
    let township = |id: OrgId, what: &str| match committee_names.get(&id) {
        Some(name) => format!("{name}/{what}"),
        None => what.to_owned(),
    };

    let mut lines = Vec::new();
    for b in &branches {
        let key = LineKey::Branch(b.id);
        if lines.iter().any(|l: &ReportLine| l.key == key) {
            continue;
        }
        lines.push(ReportLine {
            key,
            name: labels.remove(&b.id).unwrap_or_else(|| b.name.clone()),
            figures: figures.remove(&key).unwrap_or_default(),
        });
    }
    let mut teams = Vec::new();
    let mut page = PageRequest::first(PageRequest::MAX_LIMIT);
    loop {
        let got = repos.volunteer_teams().list_teams(&whole, &page).await?;
        teams.extend(got.items);
        match got.next {
            Some(next) => {
                page = PageRequest::new(Some(PageRequest::MAX_LIMIT), Some(next))
                    .map_err(|e| DomainError::Validation(vec![e]))?;
            }
            None => break,
        }
    }
    teams.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    for t in teams {
        let key = LineKey::Team(t.id);
        let f = figures.remove(&key);
        // A dissolved team is shown while it still has figures.
        if f.is_none() && t.status == super::team::TeamStatus::Dissolved {
            continue;
        }
        lines.push(ReportLine {
            key,
            name: township(t.committee_id, &t.name),
            figures: f.unwrap_or_default(),
        });
    }
    let mut whole_sorted = whole.clone();
    whole_sorted.sort();
    for c in &whole_sorted {
        for (key, what) in [
            (LineKey::WishList(*c), "点亮心愿"),
            (LineKey::Undispatched(*c), "待派单"),
        ] {
            lines.push(ReportLine {
                key,
                name: township(*c, what),
                figures: figures.remove(&key).unwrap_or_default(),
            });
        }
    }
    // Anything left (a team of another township, say) still counts, under its key.
    let mut rest: Vec<(LineKey, Figures)> = figures.into_iter().collect();
    rest.sort_by_key(|(k, _)| *k);
    for (key, f) in rest {
        lines.push(ReportLine {
            key,
            name: match key {
                LineKey::Branch(id) => id.to_string(),
                LineKey::Team(id) => id.to_string(),
                LineKey::WishList(c) => township(c, "点亮心愿"),
                LineKey::Undispatched(c) => township(c, "待派单"),
            },
            figures: f,
        });
    }
    let mut totals = Figures::default();
    for l in &lines {
        totals.add(&l.figures);
    }
    Ok(VolunteerReport {
        month,
        lines,
        totals,
    })
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;
    use crate::org::policy::ActorRole;
    use crate::org::{OrgPath, RoleKind};
    use crate::volunteer::model::ServiceRequestId;

    fn at(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0)
            .single()
            .unwrap_or_else(Utc::now)
    }

    fn month() -> YearMonth {
        YearMonth::new(2026, 11).unwrap_or_else(|| unreachable!())
    }

    struct Tree {
        committee: OrgPath,
        branch_a: OrgPath,
        branch_b: OrgPath,
    }

    fn tree() -> Tree {
        let committee = OrgPath::root(OrgId::new());
        Tree {
            branch_a: committee.child(OrgId::new()),
            branch_b: committee.child(OrgId::new()),
            committee,
        }
    }

    fn id(p: &OrgPath) -> OrgId {
        p.ids().last().unwrap_or_else(|| unreachable!())
    }

    fn request(t: &Tree, assignee: Option<Assignee>) -> ReportedRequest {
        let assignee_path = match assignee {
            Some(Assignee::Branch(b)) if b == id(&t.branch_a) => Some(t.branch_a.clone()),
            Some(Assignee::Branch(_)) => Some(t.branch_b.clone()),
            Some(Assignee::WishList(_)) => Some(t.committee.clone()),
            _ => None,
        };
        ReportedRequest {
            id: ServiceRequestId::new(),
            committee_id: id(&t.committee),
            kind: ServiceKind::Hotline,
            state: RequestState::Accepted,
            paused: false,
            assignee,
            assignee_path,
            claim_due: Some(at(6, 16)),
            complete_due: Some(at(10, 16)),
            completed_at: None,
            closed_at: None,
            rating: None,
            created_at: at(5, 1),
        }
    }

    fn committees(t: &Tree) -> HashMap<OrgId, OrgPath> {
        HashMap::from([(id(&t.committee), t.committee.clone())])
    }

    fn actor(kind: RoleKind, path: &OrgPath) -> Actor {
        Actor {
            member_id: crate::org::MemberId::new(),
            branch_path: path.clone(),
            roles: vec![ActorRole {
                kind,
                org_path: path.clone(),
                can_review: false,
            }],
        }
    }

    #[test]
    fn the_report_is_for_secretaries_committee_members_admins_and_operators() {
        let t = tree();
        for kind in [
            RoleKind::Secretary,
            RoleKind::Committee,
            RoleKind::TownshipAdmin,
            RoleKind::HotlineOperator,
        ] {
            assert!(report_roots(&actor(kind, &t.branch_a)).is_ok(), "{kind:?}");
        }
        let plain = Actor {
            roles: Vec::new(),
            ..actor(RoleKind::Secretary, &t.branch_a)
        };
        assert!(matches!(report_roots(&plain), Err(DomainError::Forbidden)));
    }

    #[test]
    fn the_reported_overdue_is_the_requests_own() {
        use crate::volunteer::request::{Filer, ServiceRequest};
        use crate::volunteer::{Moderation, Urgency};
        let t = tree();
        let now = at(8, 0);
        for state in RequestState::ALL {
            for paused in [false, true] {
                for (claim_due, complete_due) in [
                    (None, None),
                    (Some(at(7, 0)), Some(at(9, 0))),
                    (Some(at(9, 0)), Some(at(7, 0))),
                    (Some(at(8, 0)), Some(at(10, 0))),
                    (Some(at(9, 0)), Some(at(10, 0))),
                ] {
                    let r = ReportedRequest {
                        state: *state,
                        paused,
                        claim_due,
                        complete_due,
                        ..request(&t, None)
                    };
                    let full = ServiceRequest {
                        id: r.id,
                        committee_id: r.committee_id,
                        committee_path: t.committee.clone(),
                        kind: r.kind,
                        urgency: Urgency::Normal,
                        title: String::new(),
                        description: String::new(),
                        contact: None,
                        preferred_time: None,
                        tags: Vec::new(),
                        photos: Vec::new(),
                        filer: Filer::Member(crate::org::MemberId::new()),
                        moderation: Moderation::Unchecked,
                        state: *state,
                        paused_since: paused.then_some(now),
                        capacity: 1,
                        claimed: 0,
                        assignee: None,
                        assignee_path: None,
                        claim_due,
                        complete_due,
                        summary: None,
                        completed_at: None,
                        rating: None,
                        rating_comment: None,
                        followed_up: false,
                        closed_at: None,
                        reason: None,
                        duplicate_of: None,
                        extension: None,
                        erased_at: None,
                        version: 1,
                        created_at: now,
                        updated_at: now,
                    };
                    assert_eq!(r.overdue(now), full.overdue(now), "{state:?} {paused}");
                }
            }
        }
    }

    #[test]
    fn requests_count_where_they_were_dispatched_by_the_month_they_were_filed() {
        let t = tree();
        let a = Some(Assignee::Branch(id(&t.branch_a)));
        let team = TeamId::new();
        let on_time = ReportedRequest {
            state: RequestState::Closed,
            completed_at: Some(at(9, 0)),
            closed_at: Some(at(9, 5)),
            rating: Some(5),
            ..request(&t, a)
        };
        let late = ReportedRequest {
            kind: ServiceKind::HomeVisit,
            state: RequestState::Closed,
            completed_at: Some(at(12, 0)),
            closed_at: Some(at(12, 5)),
            rating: Some(2),
            ..request(&t, Some(Assignee::Team(team)))
        };
        let overdue_from_october = ReportedRequest {
            created_at: at(1, 0) - Duration::days(10),
            ..request(&t, a)
        };
        let wish = ReportedRequest {
            kind: ServiceKind::Wish,
            ..request(&t, Some(Assignee::WishList(id(&t.committee))))
        };
        let waiting = request(&t, None);
        let rows = [on_time, late, overdue_from_october, wish, waiting];
        let now = at(20, 0);
        let lines = tally(
            std::slice::from_ref(&t.committee),
            &committees(&t),
            &rows,
            &[],
            month(),
            now,
        );
        let a = &lines[&LineKey::Branch(id(&t.branch_a))];
        assert_eq!((a.filed, a.completed, a.completed_on_time), (1, 1, 1));
        assert_eq!(a.overdue, 1, "the October request, overdue now");
        assert_eq!(a.average_rating(), Some(5.0));
        let tm = &lines[&LineKey::Team(team)];
        assert_eq!((tm.filed, tm.completed, tm.completed_on_time), (1, 1, 0));
        assert_eq!(tm.on_time_share(), Some(0.0));
        assert_eq!(tm.by_kind[&ServiceKind::HomeVisit], 1);
        assert_eq!(tm.by_state[&RequestState::Closed], 1);
        let wish = &lines[&LineKey::WishList(id(&t.committee))];
        assert_eq!((wish.filed, wish.by_kind[&ServiceKind::Wish]), (1, 1));
        let waiting = &lines[&LineKey::Undispatched(id(&t.committee))];
        assert_eq!(waiting.filed, 1);
    }

    #[test]
    fn a_branch_root_sees_its_branch_only_and_minutes_follow_team_and_wish() {
        let t = tree();
        let team = TeamId::new();
        let minutes = |team: Option<TeamId>, assignee: Option<Assignee>, branch: &OrgPath, n| {
            ReportedMinutes {
                committee_id: id(&t.committee),
                branch_id: id(branch),
                branch_path: branch.clone(),
                team,
                request_assignee: assignee,
                minutes: n,
            }
        };
        let rows = [
            minutes(None, None, &t.branch_a, 60),
            minutes(
                None,
                Some(Assignee::Branch(id(&t.branch_a))),
                &t.branch_a,
                30,
            ),
            minutes(None, None, &t.branch_a, -10),
            minutes(Some(team), Some(Assignee::Team(team)), &t.branch_a, 45),
            minutes(
                None,
                Some(Assignee::WishList(id(&t.committee))),
                &t.branch_b,
                20,
            ),
            minutes(None, None, &t.branch_b, 15),
        ];
        let requests = [
            request(&t, Some(Assignee::Branch(id(&t.branch_a)))),
            request(&t, Some(Assignee::Branch(id(&t.branch_b)))),
            request(&t, Some(Assignee::Team(team))),
        ];
        let whole = tally(
            std::slice::from_ref(&t.committee),
            &committees(&t),
            &requests,
            &rows,
            month(),
            at(5, 2),
        );
        assert_eq!(whole[&LineKey::Branch(id(&t.branch_a))].service_minutes, 80);
        assert_eq!(whole[&LineKey::Team(team)].service_minutes, 45);
        assert_eq!(
            whole[&LineKey::WishList(id(&t.committee))].service_minutes,
            20
        );
        assert_eq!(whole[&LineKey::Branch(id(&t.branch_b))].service_minutes, 15);

        let mine = tally(
            std::slice::from_ref(&t.branch_a),
            &committees(&t),
            &requests,
            &rows,
            month(),
            at(5, 2),
        );
        let keys: Vec<&LineKey> = mine.keys().collect();
        assert_eq!(keys, [&LineKey::Branch(id(&t.branch_a))]);
        assert_eq!(mine[&LineKey::Branch(id(&t.branch_a))].filed, 1);
    }
}
