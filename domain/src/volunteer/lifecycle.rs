//! The lifecycle of a 96345 request as a pure state machine: which step may follow which.
//! Who may take a step (the requester, the dispatcher, a claimant) is the service's
//! business; this type only knows the order of things.
//!
//! ```text
//! submitted ──dispatch──▶ accepted ──claim──▶ claimed ──start──▶ in_progress ──complete──▶ completed ──close──▶ closed
//!     │  ▲                  │  ▲ ▲              │  │                                          │
//!     │  └──────return──────┘  │ └──release─────┘  │                                          │
//!     │                        └───────────reopen (unsatisfied follow-up)────────────────────┘
//!     ├─reject──▶ rejected
//!     └─cancel (also from accepted, claimed) ──▶ cancelled
//! ```
//!
//! Waiting on the requester pauses the clock in `accepted`, `claimed` and `in_progress`
//! without changing the state; a paused request takes no step but `resume` (and `cancel`
//! or `return`, which end the wait).

use super::model::RequestState;

/// A step of the lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    /// The dispatcher sends it to a branch, team or the township's wish list.
    Dispatch,
    /// The dispatcher refuses it (duplicate, referred elsewhere, out of scope).
    Reject,
    /// The requester withdraws it, before the service has begun.
    Cancel,
    /// The assigned branch or team sends it back to the dispatcher as misrouted (退单).
    Return,
    /// A volunteer takes one of its places.
    Claim,
    /// A volunteer gives their place back; the last one leaving makes it `accepted` again.
    Release,
    /// A claimant begins the service.
    Start,
    /// A claimant reports it done, with hours.
    Complete,
    /// The requester's rating, or the operator's follow-up call, closes it.
    Close,
    /// An unsatisfied follow-up sends it back to be served again.
    Reopen,
    /// Waiting on the requester: the clock stops.
    Pause,
    /// The requester answered: the clock runs again.
    Resume,
}

impl Step {
    pub const ALL: [Step; 12] = [
        Step::Dispatch,
        Step::Reject,
        Step::Cancel,
        Step::Return,
        Step::Claim,
        Step::Release,
        Step::Start,
        Step::Complete,
        Step::Close,
        Step::Reopen,
        Step::Pause,
        Step::Resume,
    ];

    /// The audit action of the step.
    pub fn action(&self) -> &'static str {
        match self {
            Step::Dispatch => "service_request.dispatched",
            Step::Reject => "service_request.rejected",
            Step::Cancel => "service_request.cancelled",
            Step::Return => "service_request.returned",
            Step::Claim => "service_request.claimed",
            Step::Release => "service_request.released",
            Step::Start => "service_request.started",
            Step::Complete => "service_request.completed",
            Step::Close => "service_request.closed",
            Step::Reopen => "service_request.reopened",
            Step::Pause => "service_request.paused",
            Step::Resume => "service_request.resumed",
        }
    }
}

/// Where a request stands, as far as the lifecycle is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub state: RequestState,
    /// Waiting on the requester.
    pub paused: bool,
    /// Volunteers holding a place.
    pub claimed: u32,
    /// Places in all.
    pub capacity: u32,
}

/// Why a step cannot be taken now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not from this state (or not while paused, or only while paused).
    State,
    /// Every place is taken.
    Full,
}

impl Position {
    /// Where `step` leads from here, or why it cannot be taken.
    pub fn after(&self, step: Step) -> Result<Position, Refusal> {
        use RequestState::*;
        let at = |state: RequestState| Position {
            state,
            paused: false,
            ..*self
        };
        let open = matches!(self.state, Accepted | Claimed | InProgress);
        if self.paused && !matches!(step, Step::Resume | Step::Cancel | Step::Return) {
            return Err(Refusal::State);
        }
        match (step, self.state) {
            (Step::Dispatch, Submitted) => Ok(Position {
                claimed: 0,
                ..at(Accepted)
            }),
            (Step::Reject, Submitted) => Ok(at(Rejected)),
            (Step::Cancel, Submitted | Accepted | Claimed) => Ok(Position {
                claimed: 0,
                ..at(Cancelled)
            }),
            (Step::Return, Accepted | Claimed) => Ok(Position {
                claimed: 0,
                ..at(Submitted)
            }),
            (Step::Claim, Accepted | Claimed) => {
                if self.claimed >= self.capacity {
                    Err(Refusal::Full)
                } else {
                    Ok(Position {
                        claimed: self.claimed + 1,
                        ..at(Claimed)
                    })
                }
            }
            (Step::Release, Claimed) if self.claimed > 0 => {
                let claimed = self.claimed - 1;
                Ok(Position {
                    claimed,
                    ..at(if claimed == 0 { Accepted } else { Claimed })
                })
            }
            (Step::Start, Claimed) => Ok(at(InProgress)),
            (Step::Complete, InProgress) => Ok(at(Completed)),
            (Step::Close, Completed) => Ok(at(Closed)),
            (Step::Reopen, Completed) => Ok(Position {
                claimed: 0,
                ..at(Accepted)
            }),
            (Step::Pause, _) if open && !self.paused => Ok(Position {
                paused: true,
                ..*self
            }),
            (Step::Resume, _) if open && self.paused => Ok(Position {
                paused: false,
                ..*self
            }),
            _ => Err(Refusal::State),
        }
    }
}

impl RequestState {
    /// Whether the request is still being handled (the requester's personal data is shown to
    /// its volunteers only while it is).
    pub fn is_open(&self) -> bool {
        !matches!(
            self,
            RequestState::Closed | RequestState::Cancelled | RequestState::Rejected
        )
    }

    /// The state as the requester reads it.
    pub fn label_zh(&self) -> &'static str {
        match self {
            RequestState::Submitted => "已提交",
            RequestState::Accepted => "已受理",
            RequestState::Claimed => "已认领",
            RequestState::InProgress => "服务中",
            RequestState::Completed => "已完成",
            RequestState::Closed => "已办结",
            RequestState::Cancelled => "已撤销",
            RequestState::Rejected => "未受理",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RequestState::*;

    fn pos(state: RequestState, paused: bool, claimed: u32, capacity: u32) -> Position {
        Position {
            state,
            paused,
            claimed,
            capacity,
        }
    }

    /// Every step from every state, paused or not, with a free place and with none: exactly
    /// the legal ones lead somewhere, and there.
    #[test]
    fn every_step_from_every_position() {
        for &state in RequestState::ALL {
            for paused in [false, true] {
                for (claimed, capacity) in [(0, 1), (1, 2), (2, 2)] {
                    let from = pos(state, paused, claimed, capacity);
                    for step in Step::ALL {
                        let got = from.after(step);
                        let open = matches!(state, Accepted | Claimed | InProgress);
                        let expected: Result<Position, Refusal> = match (step, state, paused) {
                            (Step::Resume, _, true) if open => {
                                Ok(pos(state, false, claimed, capacity))
                            }
                            (Step::Cancel, Submitted | Accepted | Claimed, _) => {
                                Ok(pos(Cancelled, false, 0, capacity))
                            }
                            (Step::Return, Accepted | Claimed, _) => {
                                Ok(pos(Submitted, false, 0, capacity))
                            }
                            (_, _, true) => Err(Refusal::State),
                            (Step::Dispatch, Submitted, _) => Ok(pos(Accepted, false, 0, capacity)),
                            (Step::Reject, Submitted, _) => {
                                Ok(pos(Rejected, false, claimed, capacity))
                            }
                            (Step::Claim, Accepted | Claimed, _) if claimed < capacity => {
                                Ok(pos(Claimed, false, claimed + 1, capacity))
                            }
                            (Step::Claim, Accepted | Claimed, _) => Err(Refusal::Full),
                            (Step::Release, Claimed, _) if claimed > 0 => Ok(pos(
                                if claimed == 1 { Accepted } else { Claimed },
                                false,
                                claimed - 1,
                                capacity,
                            )),
                            (Step::Start, Claimed, _) => {
                                Ok(pos(InProgress, false, claimed, capacity))
                            }
                            (Step::Complete, InProgress, _) => {
                                Ok(pos(Completed, false, claimed, capacity))
                            }
                            (Step::Close, Completed, _) => {
                                Ok(pos(Closed, false, claimed, capacity))
                            }
                            (Step::Reopen, Completed, _) => Ok(pos(Accepted, false, 0, capacity)),
                            (Step::Pause, _, false) if open => {
                                Ok(pos(state, true, claimed, capacity))
                            }
                            _ => Err(Refusal::State),
                        };
                        assert_eq!(got, expected, "{step:?} from {from:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn the_last_place_goes_once_and_a_cancel_after_the_start_is_refused() {
        let one_left = pos(Claimed, false, 1, 2);
        let full = one_left
            .after(Step::Claim)
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(full.claimed, 2);
        assert_eq!(full.after(Step::Claim), Err(Refusal::Full));
        let started = full.after(Step::Start).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(started.after(Step::Cancel), Err(Refusal::State));
    }

    #[test]
    fn only_closed_cancelled_and_rejected_requests_are_over() {
        let over: Vec<_> = RequestState::ALL.iter().filter(|s| !s.is_open()).collect();
        assert_eq!(over, [&Closed, &Cancelled, &Rejected]);
    }
}
