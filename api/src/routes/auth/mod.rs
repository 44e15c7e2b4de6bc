//! Session endpoints: refresh and logout. (Sign-in arrives with WeChat login.)

pub mod dto;
pub mod logout;
pub mod refresh;
