//! Claims of positive items: filed by members with evidence, decided once by their branch
//! (one by one or in a batch), read by township admins.

pub mod decide;
pub mod decide_batch;
pub mod dto;
pub mod file;
pub mod get;
pub mod list;
