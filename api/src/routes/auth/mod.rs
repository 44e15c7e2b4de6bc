//! Session endpoints: WeChat sign-in, refresh and logout.

pub mod dto;
pub mod logout;
pub mod refresh;
pub mod wechat_bind;
pub mod wechat_login;
