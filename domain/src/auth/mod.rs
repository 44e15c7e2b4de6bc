//! Sessions: rotating refresh tokens grouped in families. Access tokens are stateless JWTs
//! (minted and verified in the API layer); what must be remembered lives here.

mod model;
mod ports;
mod service;

pub use model::{
    Caller, ExternalIdentity, RefreshToken, RefreshTokenId, SessionFamilyId, WECHAT_PROVIDER,
};
pub use ports::{ExternalIdentityRepo, RefreshTokenRepo};
pub use service::{link_account, unlink_account, Unlinker};
