//! Session endpoints: WeChat sign-in (members and residents), refresh and logout.

pub mod bind_invite;
pub mod bind_phone;
mod binding;
pub mod dto;
pub mod logout;
pub mod refresh;
mod ticket;
mod wechat;
pub mod wechat_login;
pub mod wechat_resident;
