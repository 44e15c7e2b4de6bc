//! Deductions: negative and zeroing items recorded against members, the member's one
//! objection and the township's one answer.

pub mod answer;
pub mod dto;
pub mod list;
pub mod object;
pub mod record;
