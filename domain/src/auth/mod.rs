//! Sessions: rotating refresh tokens grouped in families. Access tokens are stateless JWTs
//! (minted and verified in the API layer); what must be remembered lives here. WeChat, the
//! provider members sign in with, is a port ([`WeChatSignIn`]) the infrastructure fills.

mod error;
mod model;
mod ports;
mod service;

pub use error::WeChatFailure;
pub use model::{
    Caller, ExternalIdentity, Principal, PrincipalKind, RefreshToken, RefreshTokenId,
    SessionFamilyId, VouchedPhone, WeChatSession, WECHAT_PROVIDER,
};
pub use ports::{ExternalIdentityRepo, RefreshTokenRepo, WeChatSignIn};
pub use service::{link_account, unlink_account, Unlinker};
