//! Moderation of residents' text: WeChat's content check (`wxa/msg_sec_check` v2) decides
//! whether a request's text may be shown. A state of its own, apart from the lifecycle.

use async_trait::async_trait;

use crate::error::DomainError;

crate::string_enum::string_enum!(
    /// Where a request's text stands with moderation: `passed` the content check; `held`
    /// for an operator because the check asked for a person to look (`review`); `released`
    /// by an operator who looked at held text; `unchecked`, filed by a hotline operator for
    /// a caller and marked so.
    Moderation {
        Passed => "passed",
        Held => "held",
        Released => "released",
        Unchecked => "unchecked",
    }
);

/// What the content check said of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentVerdict {
    Pass,
    /// A person must look before it is shown.
    Review,
    /// Refused outright.
    Risky,
}

crate::string_enum::string_enum!(
    /// The scene WeChat weighs a text in (msg_sec_check v2 `scene`): 资料 (a profile), 评论
    /// (a comment, e.g. a rating's), 论坛 (a post: a request's title and description), 社交日志.
    ContentScene {
        Profile => "profile",
        Comment => "comment",
        Forum => "forum",
        Log => "log",
    }
);

impl ContentScene {
    /// WeChat's number for the scene.
    pub fn wechat_code(&self) -> u8 {
        match self {
            ContentScene::Profile => 1,
            ContentScene::Comment => 2,
            ContentScene::Forum => 3,
            ContentScene::Log => 4,
        }
    }
}

/// Checks a resident's text (WeChat in production, a stand-in in tests). `openid` must
/// have used the mini-program within the last two hours, as WeChat requires.
#[async_trait]
pub trait ContentCheck: Send + Sync {
    async fn check(
        &self,
        openid: &str,
        text: &str,
        scene: ContentScene,
    ) -> Result<ContentVerdict, DomainError>;
}
