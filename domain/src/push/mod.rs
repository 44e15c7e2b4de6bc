//! Subscribe-message push (the 送 of 月送党课): an outbox of messages, each delivered at most
//! once per member through WeChat's `message/subscribe/send`, and only to members with a
//! consent left for the message's template (domain.md, "Study materials"; source document
//! 三(一), 四(六)3).
//!
//! Push knows only the message it delivers. The context a message is about builds it and
//! writes it, in the transaction of what causes it (a material published in `material`, a
//! check-in or exemption reviewed in `activity`) or, for activity reminders and obligation
//! notices, on the worker's round (`activity::service::notices`); the worker
//! ([`service::deliver_due`]) claims deliveries with a lease so several instances may run
//! it without sending anything twice, and asks the writing context ([`DeliveryCheck`])
//! whether each may still go.

pub mod model;
mod ports;
pub mod service;

pub use model::*;
pub use ports::{
    DeliveryCheck, OutboxStats, PushRepo, PushSender, RecipientRepo, SendOutcome, SubscriptionRepo,
    Verdict,
};
