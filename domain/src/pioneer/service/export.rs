//! A half year's results as one list for a spreadsheet: every result the caller may read
//! under an org (the same scope as the paged list), each member's branch named by its path
//! below the committee (villages reuse branch names).

use std::collections::{BTreeSet, HashMap};

use super::index::results_scope;
use crate::context::ReadContext;
use crate::error::DomainError;
use crate::org::names::path_labels;
use crate::org::OrgId;
use crate::pioneer::run::{IndexResult, IndexRun};
use crate::volunteer::HalfYear;

/// One member's result with their branch's label.
#[derive(Debug, Clone)]
pub struct ExportRow {
    pub branch_label: String,
    pub result: IndexResult,
}

/// The run and its rows, by branch path, then member name and id (no ranking).
#[derive(Debug, Clone)]
pub struct ResultExport {
    pub run: IndexRun,
    pub rows: Vec<ExportRow>,
}

pub async fn export_results(
    ctx: &ReadContext<'_>,
    committee_id: OrgId,
    half: HalfYear,
    org: Option<OrgId>,
) -> Result<ResultExport, DomainError> {
    let (run, under) = results_scope(ctx, committee_id, half, org).await?;
    let mut results: Vec<IndexResult> = ctx
        .repos
        .pioneer_index()
        .all_results(run.id)
        .await?
        .into_iter()
        .filter(|r| under.path.covers(&r.branch_path))
        .collect();
    results.sort_by(|a, b| {
        (a.branch_path.as_str(), &a.member_name, a.member_id).cmp(&(
            b.branch_path.as_str(),
            &b.member_name,
            b.member_id,
        ))
    });
    let branch_ids: BTreeSet<OrgId> = results.iter().map(|r| r.branch_id).collect();
    let mut branches = Vec::with_capacity(branch_ids.len());
    for id in branch_ids {
        if let Some(org) = ctx.repos.orgs().get(id).await? {
            branches.push(org);
        }
    }
    let labels: HashMap<OrgId, String> =
        path_labels(ctx.repos.orgs(), &branches.iter().collect::<Vec<_>>()).await?;
    let rows = results
        .into_iter()
        .map(|r| ExportRow {
            branch_label: labels
                .get(&r.branch_id)
                .cloned()
                .unwrap_or_else(|| "—".to_owned()),
            result: r,
        })
        .collect();
    Ok(ResultExport { run, rows })
}
