//! Platform settings: named values an operator can change at run time (e.g. a township's
//! study-point formula later). Every change is audited in the same unit of work.

pub mod lease;
mod model;
mod ports;
mod service;

pub use lease::JobLeaseRepo;
pub use model::{Setting, SettingKey};
pub use ports::SettingRepo;
pub use service::{set_setting, SetSetting};
