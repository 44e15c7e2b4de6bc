//! Session endpoints: WeChat sign-in, refresh and logout.

pub mod bind_invite;
pub mod bind_phone;
pub mod dto;
pub mod logout;
pub mod refresh;
pub mod wechat_login;
