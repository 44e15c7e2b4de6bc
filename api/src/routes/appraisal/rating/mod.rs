//! The organisation's rating, the published results, objections and appeals.

pub mod answer_appeal;
pub mod answer_objection;
pub mod export;
pub mod list;
pub mod lodge_appeal;
pub mod lodge_objection;
pub mod mine;
pub mod published;
pub mod rate;
pub mod registers;

use actix_web::HttpRequest;
use uuid::Uuid;

use super::dto::{AnswerRequest, ObjectionView};
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::write_context;
use crate::state::AppState;
use domain::appraisal::service::{self, AnswerInput};
use domain::appraisal::{CampaignId, ObjectionKind};
use domain::org::MemberId;

/// What answering an objection and an appeal share: the same body, another kind.
async fn answer(
    kind: ObjectionKind,
    req: &HttpRequest,
    state: &AppState,
    user: &AuthUser,
    (id, member): (Uuid, Uuid),
    body: AnswerRequest,
) -> Result<ObjectionView, ApiError> {
    let o = service::answer(
        &write_context(state, user, req),
        CampaignId::from_uuid(id),
        MemberId::from_uuid(member),
        kind,
        AnswerInput {
            verdict: body.verdict.into(),
            reason: body.reason,
            grade: body.grade.map(Into::into),
        },
    )
    .await?;
    Ok(ObjectionView::from(&o))
}
