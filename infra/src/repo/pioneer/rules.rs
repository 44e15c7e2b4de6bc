//! Rule sets: one row per version, the rules as JSON in the shape below (the API's shape,
//! which may change without touching stored rows: only this one is read back).

use async_trait::async_trait;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::{Deserialize, Serialize};

use crate::entity::pioneer_rule_set;
use crate::error::map_db_err;
use crate::repo::Repos;
use domain::error::RepoError;
use domain::org::{MemberCategory, MemberId, OrgId, OrgSector};
use domain::pioneer::{
    BasicItem, BasicMetric, Exclusion, FortressItem, FortressMetric, NegativeItem, PioneerRuleRepo,
    PositiveItem, Profile, RuleSet, RuleSetId, Rules, ZeroingItem,
};
use domain::volunteer::HalfYear;

fn corrupt(what: &str, detail: impl std::fmt::Display) -> RepoError {
    RepoError::Other(format!("stored {what} is invalid: {detail}").into())
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RulesJson {
    scale: u32,
    exclusions: Vec<ExclusionJson>,
    profiles: Vec<ProfileJson>,
    /// Absent from rule sets stored before the fortress index: they read as the standard
    /// fortress items.
    #[serde(default = "standard_fortress")]
    fortress: Vec<FortressJson>,
}

#[derive(Serialize, Deserialize)]
struct FortressJson {
    metric: String,
    points: u32,
}

fn standard_fortress() -> Vec<FortressJson> {
    fortress_json(&Rules::standard_fortress())
}

fn fortress_json(items: &[FortressItem]) -> Vec<FortressJson> {
    items
        .iter()
        .map(|i| FortressJson {
            metric: i.metric.as_str().to_owned(),
            points: i.points,
        })
        .collect()
}

#[derive(Serialize, Deserialize)]
struct ExclusionJson {
    category: String,
    reason: String,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProfileJson {
    name: String,
    sectors: Vec<String>,
    categories: Vec<String>,
    basic: Vec<BasicJson>,
    positive: Vec<PositiveJson>,
    negative: Vec<NegativeJson>,
    zeroing: Vec<ZeroingJson>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BasicJson {
    metric: String,
    points: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    target_hours: Option<u32>,
}

#[derive(Serialize, Deserialize)]
struct PositiveJson {
    code: String,
    name: String,
    points: u32,
    cap: u32,
}

#[derive(Serialize, Deserialize)]
struct NegativeJson {
    code: String,
    name: String,
    points: u32,
}

#[derive(Serialize, Deserialize)]
struct ZeroingJson {
    code: String,
    name: String,
}

fn to_json(r: &Rules) -> Result<String, RepoError> {
    let json = RulesJson {
        scale: r.scale,
        exclusions: r
            .exclusions
            .iter()
            .map(|e| ExclusionJson {
                category: e.category.as_str().to_owned(),
                reason: e.reason.clone(),
            })
            .collect(),
        profiles: r
            .profiles
            .iter()
            .map(|p| ProfileJson {
                name: p.name.clone(),
                sectors: p.sectors.iter().map(|s| s.as_str().to_owned()).collect(),
                categories: p.categories.iter().map(|c| c.as_str().to_owned()).collect(),
                basic: p
                    .basic
                    .iter()
                    .map(|b| BasicJson {
                        metric: b.metric.as_str().to_owned(),
                        points: b.points,
                        target_hours: b.target_hours,
                    })
                    .collect(),
                positive: p
                    .positive
                    .iter()
                    .map(|i| PositiveJson {
                        code: i.code.clone(),
                        name: i.name.clone(),
                        points: i.points,
                        cap: i.cap,
                    })
                    .collect(),
                negative: p
                    .negative
                    .iter()
                    .map(|i| NegativeJson {
                        code: i.code.clone(),
                        name: i.name.clone(),
                        points: i.points,
                    })
                    .collect(),
                zeroing: p
                    .zeroing
                    .iter()
                    .map(|i| ZeroingJson {
                        code: i.code.clone(),
                        name: i.name.clone(),
                    })
                    .collect(),
            })
            .collect(),
        fortress: fortress_json(&r.fortress),
    };
    serde_json::to_string(&json)
        .map_err(|e| RepoError::Other(format!("rules do not serialise: {e}").into()))
}

fn parse<T>(what: &str, raw: &str, f: fn(&str) -> Option<T>) -> Result<T, RepoError> {
    f(raw).ok_or_else(|| corrupt(what, raw))
}

fn from_json(raw: &str) -> Result<Rules, RepoError> {
    let json: RulesJson = serde_json::from_str(raw).map_err(|e| corrupt("rules", e))?;
    let mut profiles = Vec::with_capacity(json.profiles.len());
    for p in json.profiles {
        profiles.push(Profile {
            name: p.name,
            sectors: p
                .sectors
                .iter()
                .map(|s| parse("sector", s, OrgSector::parse))
                .collect::<Result<_, _>>()?,
            categories: p
                .categories
                .iter()
                .map(|c| parse("category", c, MemberCategory::parse))
                .collect::<Result<_, _>>()?,
            basic: p
                .basic
                .into_iter()
                .map(|b| {
                    Ok(BasicItem {
                        metric: parse("metric", &b.metric, BasicMetric::parse)?,
                        points: b.points,
                        target_hours: b.target_hours,
                    })
                })
                .collect::<Result<_, RepoError>>()?,
            positive: p
                .positive
                .into_iter()
                .map(|i| PositiveItem {
                    code: i.code,
                    name: i.name,
                    points: i.points,
                    cap: i.cap,
                })
                .collect(),
            negative: p
                .negative
                .into_iter()
                .map(|i| NegativeItem {
                    code: i.code,
                    name: i.name,
                    points: i.points,
                })
                .collect(),
            zeroing: p
                .zeroing
                .into_iter()
                .map(|i| ZeroingItem {
                    code: i.code,
                    name: i.name,
                })
                .collect(),
        });
    }
    Ok(Rules {
        scale: json.scale,
        exclusions: json
            .exclusions
            .into_iter()
            .map(|e| {
                Ok(Exclusion {
                    category: parse("category", &e.category, MemberCategory::parse)?,
                    reason: e.reason,
                })
            })
            .collect::<Result<_, RepoError>>()?,
        profiles,
        fortress: json
            .fortress
            .into_iter()
            .map(|i| {
                Ok(FortressItem {
                    metric: parse("fortress metric", &i.metric, FortressMetric::parse)?,
                    points: i.points,
                })
            })
            .collect::<Result<_, RepoError>>()?,
    })
}

fn set_of(r: pioneer_rule_set::Model) -> Result<RuleSet, RepoError> {
    Ok(RuleSet {
        id: RuleSetId::from_uuid(r.id),
        committee_id: OrgId::from_uuid(r.committee_id),
        version: u32::try_from(r.version).map_err(|e| corrupt("rule set version", e))?,
        effective_from: HalfYear::from_ordinal(r.effective_half)
            .ok_or_else(|| corrupt("rule set half year", r.effective_half))?,
        rules: from_json(&r.rules)?,
        created_by: MemberId::from_uuid(r.created_by),
        created_at: r.created_at,
    })
}

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> PioneerRuleRepo for Repos<C> {
    async fn latest(&self, committee: OrgId) -> Result<Option<RuleSet>, RepoError> {
        pioneer_rule_set::Entity::find()
            .filter(pioneer_rule_set::Column::CommitteeId.eq(committee.as_uuid()))
            .order_by_desc(pioneer_rule_set::Column::Version)
            .one(&self.conn)
            .await
            .map_err(map_db_err)?
            .map(set_of)
            .transpose()
    }

    async fn in_force(
        &self,
        committee: OrgId,
        half: HalfYear,
    ) -> Result<Option<RuleSet>, RepoError> {
        pioneer_rule_set::Entity::find()
            .filter(pioneer_rule_set::Column::CommitteeId.eq(committee.as_uuid()))
            .filter(pioneer_rule_set::Column::EffectiveHalf.lte(half.ordinal()))
            .order_by_desc(pioneer_rule_set::Column::Version)
            .one(&self.conn)
            .await
            .map_err(map_db_err)?
            .map(set_of)
            .transpose()
    }

    async fn insert(&self, set: &RuleSet) -> Result<(), RepoError> {
        let version = i32::try_from(set.version)
            .map_err(|e| RepoError::Other(format!("version out of range: {e}").into()))?;
        pioneer_rule_set::Entity::insert(pioneer_rule_set::ActiveModel {
            id: Set(set.id.as_uuid()),
            committee_id: Set(set.committee_id.as_uuid()),
            version: Set(version),
            effective_half: Set(set.effective_from.ordinal()),
            rules: Set(to_json(&set.rules)?),
            created_by: Set(set.created_by.as_uuid()),
            created_at: Set(set.created_at),
        })
        .exec_without_returning(&self.conn)
        .await
        .map_err(map_db_err)?;
        Ok(())
    }

    async fn last_computed(&self, committee: OrgId) -> Result<Option<HalfYear>, RepoError> {
        use crate::entity::pioneer_run::{Column as R, Entity as Run};
        // Computed once is computed for good: a run asked for again keeps its `computed_at`
        // until it is computed anew.
        let last: Option<Option<i32>> = Run::find()
            .select_only()
            .column_as(R::Half.max(), "last")
            .filter(R::CommitteeId.eq(committee.as_uuid()))
            .filter(R::ComputedAt.is_not_null())
            .into_tuple()
            .one(&self.conn)
            .await
            .map_err(map_db_err)?;
        match last.flatten() {
            None => Ok(None),
            Some(n) => HalfYear::from_ordinal(n)
                .map(Some)
                .ok_or_else(|| corrupt("computed half year", n)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_rules_survive_the_round_trip() {
        let rules = Rules::standard();
        let json = to_json(&rules).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(from_json(&json).unwrap_or_else(|e| panic!("{e}")), rules);
    }

    #[test]
    fn a_rule_set_stored_before_the_fortress_index_reads_with_the_standard_items() {
        let mut rules = Rules::standard();
        rules.fortress.clear();
        let json = to_json(&rules).unwrap_or_else(|e| panic!("{e}"));
        let mut stored: serde_json::Value =
            serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
        let removed = stored
            .as_object_mut()
            .and_then(|o| o.remove("fortress"))
            .unwrap_or_else(|| panic!("the fortress items are stored"));
        assert_eq!(removed, serde_json::json!([]));
        let read = from_json(&stored.to_string()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(read.fortress, Rules::standard_fortress());
        assert_eq!(read.profiles, rules.profiles);
    }

    #[test]
    fn fortress_items_keep_their_order_and_an_empty_list_stays_empty() {
        let mut rules = Rules::standard();
        rules.fortress.reverse();
        rules.fortress.truncate(2);
        let json = to_json(&rules).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(from_json(&json).unwrap_or_else(|e| panic!("{e}")), rules);
        rules.fortress.clear();
        let json = to_json(&rules).unwrap_or_else(|e| panic!("{e}"));
        assert!(from_json(&json)
            .unwrap_or_else(|e| panic!("{e}"))
            .fortress
            .is_empty());
    }
}
