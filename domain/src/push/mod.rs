//! Subscribe-message push (the 送 of 月送党课): an outbox of messages, each delivered at most
//! once per member through WeChat's `message/subscribe/send`, and only to members with a
//! consent left for the message's template (domain.md, "Study materials"; source document
//! 三(一), 四(六)3).
//!
//! Messages are written in the transaction of what causes them (a material published, a
//! check-in or exemption reviewed) or, for activity reminders, by the worker itself; the
//! worker ([`service::run_once`]) claims deliveries with a lease so several instances may
//! run it without sending anything twice.

pub mod model;
mod ports;
pub mod service;

pub use model::*;
pub use ports::{OutboxStats, PushRepo, PushSender, SendOutcome};
