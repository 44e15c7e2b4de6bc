//! The secret peer ballot: ballots under reviewer tags, the turnout record, and the
//! campaign's ballot secret. Reads hand out ballots without their tags.

use std::collections::BTreeMap;

use async_trait::async_trait;
use sea_orm::sea_query::{OnConflict, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::super::{subtree, Repos};
use super::{corrupt, from_json, to_json};
use crate::entity::{appraisal_participant, ballot_secret, peer_ballot, peer_voter};
use crate::error::map_db_err;
use domain::appraisal::{
    Ballot, BallotRepo, BallotSecret, CampaignId, Dimension, Grade, ReviewerTag,
};
use domain::error::RepoError;
use domain::org::{MemberId, OrgPath};

/// Ballots written per INSERT when they are rewritten: six columns each stays far under
/// SQLite's historical limit of 999 bound parameters.
const BALLOTS_PER_INSERT: usize = 150;

fn grade(raw: &str) -> Result<Grade, RepoError> {
    Grade::parse(raw).ok_or_else(|| corrupt("grade", raw))
}

fn dimensions_json(b: &Ballot) -> Result<String, RepoError> {
    let by_dimension: BTreeMap<&str, &str> =
        b.graded().map(|(d, g)| (d.as_str(), g.as_str())).collect();
    to_json("ballot dimensions", &by_dimension)
}

fn ballot_to_domain(r: peer_ballot::Model) -> Result<Ballot, RepoError> {
    let mut by_dimension: BTreeMap<String, String> = from_json("ballot dimensions", &r.dimensions)?;
    let mut dimensions = [Grade::Qualified; 6];
    for d in Dimension::ALL {
        let g = by_dimension
            .remove(d.as_str())
            .ok_or_else(|| corrupt("ballot dimensions", format!("no {}", d.as_str())))?;
        dimensions[Ballot::index(*d)] = grade(&g)?;
    }
    if let Some(extra) = by_dimension.keys().next() {
        return Err(corrupt("ballot dimensions", format!("unknown {extra}")));
    }
    Ok(Ballot {
        campaign_id: CampaignId::from_uuid(r.campaign_id),
        reviewee_id: MemberId::from_uuid(r.reviewee_id),
        overall: grade(&r.overall)?,
        dimensions,
        comment: r.comment,
    })
}

fn ballot_row(tag: &str, b: &Ballot) -> Result<peer_ballot::ActiveModel, RepoError> {
    Ok(peer_ballot::ActiveModel {
        campaign_id: Set(b.campaign_id.as_uuid()),
        reviewee_id: Set(b.reviewee_id.as_uuid()),
        reviewer_tag: Set(tag.to_owned()),
        overall: Set(b.overall.as_str().to_owned()),
        dimensions: Set(dimensions_json(b)?),
        comment: Set(b.comment.clone()),
    })
}

/// 64 hex digits from the operating system's randomness, tied to nobody.
fn random_tag() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

/// The member ids of a campaign's participants under `under`, as a subquery.
fn participants_under(
    campaign: CampaignId,
    under: &OrgPath,
) -> sea_orm::sea_query::SelectStatement {
    use appraisal_participant::Column as P;
    Query::select()
        .column(P::MemberId)
        .from(appraisal_participant::Entity)
        .and_where(P::CampaignId.eq(campaign.as_uuid()))
        .cond_where(subtree(P::BranchPath, under))
        .to_owned()
}

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> BallotRepo for Repos<C> {
    async fn secret(&self, campaign: CampaignId) -> Result<Option<BallotSecret>, RepoError> {
        ballot_secret::Entity::find_by_id(campaign.as_uuid())
            .one(&self.conn)
            .await
            .map_err(map_db_err)?
            .map(|r| {
                BallotSecret::from_hex(&r.secret)
                    .ok_or_else(|| corrupt("ballot secret", "not 64 hex digits"))
            })
            .transpose()
    }

    async fn create_secret(
        &self,
        campaign: CampaignId,
        fresh: &BallotSecret,
    ) -> Result<BallotSecret, RepoError> {
        let row = ballot_secret::ActiveModel {
            campaign_id: Set(campaign.as_uuid()),
            secret: Set(fresh.to_hex()),
        };
        ballot_secret::Entity::insert(row)
            .on_conflict_do_nothing_on([ballot_secret::Column::CampaignId])
            .exec_without_returning(&self.conn)
            .await
            .map_err(map_db_err)?;
        self.secret(campaign).await?.ok_or(RepoError::NotFound)
    }

    async fn with_secret(&self) -> Result<Vec<CampaignId>, RepoError> {
        use sea_orm::QuerySelect;
        let ids: Vec<uuid::Uuid> = ballot_secret::Entity::find()
            .select_only()
            .column(ballot_secret::Column::CampaignId)
            .into_tuple()
            .all(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(ids.into_iter().map(CampaignId::from_uuid).collect())
    }

    async fn erase_secret(&self, campaign: CampaignId) -> Result<bool, RepoError> {
        use peer_ballot::Column as B;
        let erased = ballot_secret::Entity::delete_by_id(campaign.as_uuid())
            .exec(&self.conn)
            .await
            .map_err(map_db_err)?;
        if erased.rows_affected == 0 {
            return Ok(false);
        }
        // Without the secret the tags are pseudonyms that still group a reviewer's ballots
        // (whose one missing reviewee is the reviewer) and rows keep the order and the
        // transaction they were written in. Rewriting every ballot under a random tag, in a
        // random order, in this transaction, leaves none of that.
        let rows = peer_ballot::Entity::find()
            .filter(B::CampaignId.eq(campaign.as_uuid()))
            .all(&self.conn)
            .await
            .map_err(map_db_err)?;
        peer_ballot::Entity::delete_many()
            .filter(B::CampaignId.eq(campaign.as_uuid()))
            .exec(&self.conn)
            .await
            .map_err(map_db_err)?;
        let mut ballots: Vec<(uuid::Uuid, Ballot)> = rows
            .into_iter()
            .map(|r| Ok((uuid::Uuid::new_v4(), ballot_to_domain(r)?)))
            .collect::<Result<_, RepoError>>()?;
        ballots.sort_by_key(|(k, _)| *k);
        let rows: Vec<peer_ballot::ActiveModel> = ballots
            .iter()
            .map(|(_, b)| ballot_row(&random_tag(), b))
            .collect::<Result<_, _>>()?;
        for chunk in rows.chunks(BALLOTS_PER_INSERT) {
            peer_ballot::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(&self.conn)
                .await
                .map_err(map_db_err)?;
        }
        Ok(true)
    }

    async fn upsert_ballot(&self, tag: &ReviewerTag, ballot: &Ballot) -> Result<(), RepoError> {
        use peer_ballot::Column as B;
        peer_ballot::Entity::insert(ballot_row(tag.as_str(), ballot)?)
            .on_conflict(
                OnConflict::columns([B::CampaignId, B::RevieweeId, B::ReviewerTag])
                    .update_columns([B::Overall, B::Dimensions, B::Comment])
                    .to_owned(),
            )
            .exec_without_returning(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(())
    }

    async fn ballots_by(
        &self,
        campaign: CampaignId,
        tag: &ReviewerTag,
    ) -> Result<Vec<Ballot>, RepoError> {
        use peer_ballot::Column as B;
        peer_ballot::Entity::find()
            .filter(B::CampaignId.eq(campaign.as_uuid()))
            .filter(B::ReviewerTag.eq(tag.as_str()))
            .order_by_asc(B::RevieweeId)
            .all(&self.conn)
            .await
            .map_err(map_db_err)?
            .into_iter()
            .map(ballot_to_domain)
            .collect()
    }

    async fn ballots_under(
        &self,
        campaign: CampaignId,
        under: &OrgPath,
    ) -> Result<Vec<Ballot>, RepoError> {
        use peer_ballot::Column as B;
        peer_ballot::Entity::find()
            .filter(B::CampaignId.eq(campaign.as_uuid()))
            .filter(B::RevieweeId.in_subquery(participants_under(campaign, under)))
            .order_by_asc(B::RevieweeId)
            .order_by_asc(B::ReviewerTag)
            .all(&self.conn)
            .await
            .map_err(map_db_err)?
            .into_iter()
            .map(ballot_to_domain)
            .collect()
    }

    async fn record_voter(&self, campaign: CampaignId, member: MemberId) -> Result<(), RepoError> {
        use peer_voter::Column as V;
        let row = peer_voter::ActiveModel {
            campaign_id: Set(campaign.as_uuid()),
            reviewer_id: Set(member.as_uuid()),
        };
        peer_voter::Entity::insert(row)
            .on_conflict_do_nothing_on([V::CampaignId, V::ReviewerId])
            .exec_without_returning(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(())
    }

    async fn voters(
        &self,
        campaign: CampaignId,
        under: &OrgPath,
    ) -> Result<Vec<MemberId>, RepoError> {
        use peer_voter::Column as V;
        Ok(peer_voter::Entity::find()
            .select_only()
            .column(V::ReviewerId)
            .filter(V::CampaignId.eq(campaign.as_uuid()))
            .filter(V::ReviewerId.in_subquery(participants_under(campaign, under)))
            .order_by_asc(V::ReviewerId)
            .into_tuple::<uuid::Uuid>()
            .all(&self.conn)
            .await
            .map_err(map_db_err)?
            .into_iter()
            .map(MemberId::from_uuid)
            .collect())
    }
}
