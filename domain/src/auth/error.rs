//! How a WeChat sign-in call can fail, by what the user should be told.

use crate::cache::CacheError;

/// Why WeChat could not name a user or vouch for a phone. The variants are what a client
/// is told; WeChat's own error codes and wire format stay with the adapter.
#[derive(Debug, thiserror::Error)]
pub enum WeChatFailure {
    /// The code (from `wx.login` or the phone button) is not valid.
    #[error("wechat: invalid code")]
    CodeInvalid,
    /// The code was already used.
    #[error("wechat: code already used")]
    CodeUsed,
    /// WeChat's rate limit for this user was hit.
    #[error("wechat: rate limited")]
    RateLimited,
    /// WeChat is busy; a retry shortly may succeed.
    #[error("wechat: busy")]
    Busy,
    /// The phone code was issued to another mini-program.
    #[error("wechat: phone code issued to another app")]
    WrongApp,
    /// WeChat timed out, could not be reached, refused the call for another reason or
    /// answered something unexpected. The cause is for the log, never for the client.
    #[error(transparent)]
    Unavailable(Box<dyn std::error::Error + Send + Sync>),
    /// The shared cache the adapter keeps its credentials in is unreachable.
    #[error(transparent)]
    Cache(#[from] CacheError),
}
