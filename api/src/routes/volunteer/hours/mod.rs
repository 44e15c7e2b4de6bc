//! The volunteer-hours ledger: recording, deciding, correcting, reading, certificates.

pub mod certificate;
pub mod correct;
pub mod decide;
pub mod dto;
pub mod member;
pub mod member_certificate;
pub mod mine;
pub mod mine_certificate;
pub mod record;
