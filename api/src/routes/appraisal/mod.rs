//! Appraisal campaigns (党性分析, 民主评议党员): opening and moving them, and members'
//! self-assessments, and the secret peer ballot.

pub mod advance;
pub mod assessment;
pub mod dto;
pub mod excuse;
pub mod get;
pub mod list;
pub mod open;
pub mod peer;
pub mod rating;
pub mod rectification;
pub mod withdraw_excusal;
