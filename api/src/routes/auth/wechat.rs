//! WeChat as the sign-in routes see it: the domain's port, 503 when no mini-program is
//! configured, and each failure as the problem the client is told.

use domain::auth::{WeChatFailure, WeChatSignIn};
use domain::error::ErrorCode;

use crate::error::{ApiError, RETRY_AFTER_SECS};
use crate::state::AppState;

/// The sign-in port, or 503 when no mini-program is configured.
pub fn configured(state: &AppState) -> Result<&dyn WeChatSignIn, ApiError> {
    state.wechat_sign_in.as_deref().ok_or_else(|| {
        ApiError::new(ErrorCode::WechatNotConfigured)
            .with_detail("set wechat_app_id and wechat_app_secret to enable WeChat sign-in")
    })
}

/// A failed phone code exchange as the client is told it: a bad or spent phone code means
/// tapping the phone button again.
pub fn phone_failure(e: WeChatFailure) -> ApiError {
    match e {
        WeChatFailure::CodeInvalid | WeChatFailure::CodeUsed => {
            ApiError::new(ErrorCode::WechatPhoneCodeInvalid)
                .with_detail("ask the member to tap the phone button again")
        }
        other => login_failure(other),
    }
}

/// A failed `wx.login` code exchange as the client is told it (and what a phone code
/// exchange answers alike).
pub fn login_failure(e: WeChatFailure) -> ApiError {
    match e {
        WeChatFailure::CodeInvalid => ApiError::new(ErrorCode::WechatCodeInvalid),
        WeChatFailure::CodeUsed => ApiError::new(ErrorCode::WechatCodeUsed),
        WeChatFailure::WrongApp => ApiError::new(ErrorCode::WechatPhoneWrongApp),
        WeChatFailure::RateLimited => {
            ApiError::new(ErrorCode::WechatRateLimited).with_retry_after(RETRY_AFTER_SECS)
        }
        WeChatFailure::Busy => ApiError::new(ErrorCode::WechatBusy)
            .with_detail("please retry shortly")
            .with_retry_after(RETRY_AFTER_SECS),
        WeChatFailure::Cache(e) => e.into(),
        WeChatFailure::Unavailable(cause) => {
            ApiError::new(ErrorCode::WechatUnavailable).with_cause(cause)
        }
    }
}
