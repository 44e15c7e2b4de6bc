//! Naming orgs for people. Villages reuse branch names (every village has its 第一党支部),
//! so a report names a branch by its path of names below the committee:
//! `虞北村党总支/第一党支部`. When the orgs named span several committees, the committee's
//! name leads (`盖北镇党委/虞北村党总支/第一党支部`).

use std::collections::{HashMap, HashSet};

use super::model::{Org, OrgId};
use super::ports::OrgRepo;
use crate::error::RepoError;

/// The label of each of `orgs`, by id. Loads each org above them once.
pub async fn path_labels<R: OrgRepo + ?Sized>(
    repos: &R,
    orgs: &[&Org],
) -> Result<HashMap<OrgId, String>, RepoError> {
    let committees: HashSet<OrgId> = orgs.iter().filter_map(|o| o.path.root_id()).collect();
    let skip = usize::from(committees.len() <= 1);
    let mut names: HashMap<OrgId, Option<String>> =
        orgs.iter().map(|o| (o.id, Some(o.name.clone()))).collect();
    let mut out = HashMap::with_capacity(orgs.len());
    for org in orgs {
        let mut parts = Vec::new();
        for id in org.path.ids().skip(skip) {
            let name = match names.get(&id) {
                Some(name) => name.clone(),
                None => {
                    let name = OrgRepo::get(repos, id).await?.map(|o| o.name);
                    names.insert(id, name.clone());
                    name
                }
            };
            parts.extend(name);
        }
        let label = if parts.is_empty() {
            org.name.clone()
        } else {
            parts.join("/")
        };
        out.insert(org.id, label);
    }
    Ok(out)
}

/// The label of one org.
pub async fn path_label<R: OrgRepo + ?Sized>(repos: &R, org: &Org) -> Result<String, RepoError> {
    Ok(path_labels(repos, &[org])
        .await?
        .remove(&org.id)
        .unwrap_or_else(|| org.name.clone()))
}
