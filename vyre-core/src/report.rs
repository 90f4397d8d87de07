//! What a run did: [`RunReport`].

use std::fmt;
use std::time::Duration;

use crate::protocol::{fault, Priority, PRIORITIES};

/// Why a fault happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FaultKind {
    /// A buffer index was out of bounds.
    OutOfBounds {
        /// The index.
        index: u32,
    },
    /// Integer division or remainder by zero.
    DivideByZero,
    /// A loop exceeded the per-task iteration limit.
    LoopLimit {
        /// The limit.
        limit: u32,
    },
    /// The slot held an opcode the program does not have.
    UnknownOpcode,
    /// The task's tenant is outside the tenant table.
    BadTenant,
    /// The handler called `ctx.fault(code)`.
    User {
        /// The user's code.
        code: u32,
    },
    /// A spawn asked for a priority above 4.
    BadPriority {
        /// The priority asked for.
        priority: u32,
    },
    /// The GPU driver ended one of the task's loops, or the slot probe of
    /// one of its spawns, before the program left it, so the task was
    /// stopped rather than allowed to go on with a half-finished loop
    /// (wgpu backend only). Mesa's software Vulkan driver, lavapipe, stops
    /// a shader invocation's loops after about 65,535 iterations in total
    /// (every loop of the invocation counts, the scheduler's too, across
    /// the tasks a lane runs in one dispatch); hardware drivers do not. A
    /// task that needs more iterations than that on lavapipe faults with
    /// this kind on every run: give it less work per task (split it into
    /// several tasks) or run it on hardware or a CPU backend.
    LoopCut {
        /// The task's loop iterations (as counted for `loop_limit`) when
        /// the cut was found.
        iterations: u32,
    },
    /// The host could not serve the device→host request whose
    /// continuation this task was (`docs/protocol.md`, "Host requests"):
    /// the continuation never ran. [`Fault::message`] has the handler's
    /// error or panic.
    Request {
        /// The request kind.
        kind: u32,
        /// What went wrong.
        problem: RequestProblem,
    },
    /// A fault code this version does not know.
    Unknown {
        /// The code.
        code: u32,
        /// The detail word.
        detail: u32,
    },
}

impl FaultKind {
    /// Decodes a record's code and detail words.
    pub fn from_words(code: u32, detail: u32) -> Self {
        match code {
            fault::OUT_OF_BOUNDS => FaultKind::OutOfBounds { index: detail },
            fault::DIVIDE_BY_ZERO => FaultKind::DivideByZero,
            fault::LOOP_LIMIT => FaultKind::LoopLimit { limit: detail },
            fault::UNKNOWN_OPCODE => FaultKind::UnknownOpcode,
            fault::BAD_TENANT => FaultKind::BadTenant,
            fault::USER => FaultKind::User { code: detail },
            fault::BAD_PRIORITY => FaultKind::BadPriority { priority: detail },
            fault::LOOP_CUT => FaultKind::LoopCut { iterations: detail },
            code => FaultKind::Unknown { code, detail },
        }
    }

    /// The protocol's fault code.
    pub fn code(&self) -> u32 {
        match self {
            FaultKind::OutOfBounds { .. } => fault::OUT_OF_BOUNDS,
            FaultKind::DivideByZero => fault::DIVIDE_BY_ZERO,
            FaultKind::LoopLimit { .. } => fault::LOOP_LIMIT,
            FaultKind::UnknownOpcode => fault::UNKNOWN_OPCODE,
            FaultKind::BadTenant => fault::BAD_TENANT,
            FaultKind::User { .. } => fault::USER,
            FaultKind::BadPriority { .. } => fault::BAD_PRIORITY,
            FaultKind::LoopCut { .. } => fault::LOOP_CUT,
            FaultKind::Request { .. } => fault::REQUEST,
            FaultKind::Unknown { code, .. } => *code,
        }
    }
}

impl fmt::Display for FaultKind {
    /// A short description: `index 7 out of bounds`, `more than 100 loop
    /// iterations`, …
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FaultKind::OutOfBounds { index } => write!(f, "index {index} out of bounds"),
            FaultKind::DivideByZero => f.write_str("integer division or remainder by zero"),
            FaultKind::LoopLimit { limit } => write!(f, "more than {limit} loop iterations"),
            FaultKind::UnknownOpcode => f.write_str("unknown opcode"),
            FaultKind::BadTenant => f.write_str("unknown tenant"),
            FaultKind::User { code } => write!(f, "ctx.fault({code})"),
            FaultKind::BadPriority { priority } => {
                write!(f, "spawn with priority {priority} (priorities are 0 ..= 4)")
            }
            FaultKind::LoopCut { iterations } => write!(
                f,
                "the GPU driver cut a loop short (after {iterations} loop iterations of the task)"
            ),
            FaultKind::Request { kind, problem } => {
                write!(
                    f,
                    "the host could not serve its request of kind {kind}: {problem}"
                )
            }
            FaultKind::Unknown { code, detail } => {
                write!(f, "fault code {code} (detail {detail})")
            }
        }
    }
}

/// Why the host could not serve a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestProblem {
    /// No handler is registered for the request's kind
    /// ([`Runtime::on_request`](crate::Runtime::on_request)).
    NoHandler,
    /// The handler returned an error.
    Failed,
    /// The handler panicked.
    Panicked,
    /// The handler's reply did not have the words the kind declares.
    ReplyWords {
        /// The words the kind's reply takes.
        expected: u32,
        /// The words the handler replied.
        found: u32,
    },
    /// A buffer write of the reply did not fit the buffer.
    Write,
}

impl fmt::Display for RequestProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestProblem::NoHandler => f.write_str("no handler is registered for it"),
            RequestProblem::Failed => f.write_str("its handler returned an error"),
            RequestProblem::Panicked => f.write_str("its handler panicked"),
            RequestProblem::ReplyWords { expected, found } => write!(
                f,
                "its handler replied {found} words where the kind's reply takes {expected}"
            ),
            RequestProblem::Write => f.write_str("a buffer write of its reply did not fit"),
        }
    }
}

/// One faulted task.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fault {
    /// The ring slot it ran in.
    pub slot: u32,
    /// Its opcode id.
    pub opcode: u32,
    /// The handler's name, when the opcode is known.
    pub opcode_name: Option<String>,
    /// What went wrong.
    pub kind: FaultKind,
    /// The task's tenant.
    pub tenant: u32,
    /// The task's priority (0 = CRITICAL).
    pub priority: u32,
    /// The round it faulted in.
    pub round: u32,
    /// The lane that ran it (`u32::MAX`: faulted by the scheduler or
    /// the host).
    pub lane: u32,
    /// What the host said, for a [`FaultKind::Request`] whose handler
    /// failed or panicked.
    pub message: Option<String>,
}

/// Tasks executed by one opcode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpcodeCount {
    /// Opcode id.
    pub id: u32,
    /// Handler name.
    pub name: String,
    /// Tasks executed to completion.
    pub executed: u64,
}

/// Why `run()` returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// No runnable work was left (parked or blocked work may remain).
    Idle,
    /// A handler called `ctx.shutdown()`.
    Shutdown,
    /// The round limit was reached.
    RoundLimit,
    /// The time limit was reached.
    TimeLimit,
}

/// How long one submission of a run took (a submission is one command
/// buffer of `rounds` rounds; see `docs/protocol.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubmissionTime {
    /// Rounds the submission encoded.
    pub rounds: u32,
    /// Wall time from handing the submission to the backend until its
    /// summary was back on the host.
    pub wall: Duration,
    /// GPU time from the start to the end of its compute pass, where the
    /// adapter supports timestamp queries.
    pub gpu: Option<Duration>,
    /// The GPU time split by pass, when `VYRE_PASS_TIMES=1` asked for it
    /// and the adapter can write timestamps between dispatches (a
    /// diagnostic: the timestamps themselves cost a little).
    pub passes: Option<PassTimes>,
}

/// A submission's GPU time split by the passes of `docs/protocol.md`
/// ("One submission"), measured with a timestamp after every dispatch
/// (`VYRE_PASS_TIMES=1`). Each dispatch is charged the time since the
/// dispatch before it ended, so the fields add up to the submission's GPU
/// time up to its last dispatch (a little less than `gpu`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PassTimes {
    /// The first prepare dispatch, which also waits for the writes queued
    /// before the submission (inbox uploads, ticket entries).
    pub lead: Duration,
    /// The place pass, in a submission that starts on an empty ring of a
    /// program that [places and runs](crate::Program::places_and_runs):
    /// it places the first inbox entries and runs them at once.
    pub place: Duration,
    /// The first maintain dispatch: it places the inbox entries into
    /// slots (none after the place pass).
    pub first_maintain: Duration,
    /// Every work dispatch.
    pub work: Duration,
    /// The rounds' maintain dispatches.
    pub maintain: Duration,
    /// Every other prepare and finalize dispatch.
    pub small: Duration,
}

impl std::ops::Add for PassTimes {
    type Output = PassTimes;

    /// The sum of two splits, field by field.
    fn add(self, other: PassTimes) -> PassTimes {
        PassTimes {
            lead: self.lead + other.lead,
            place: self.place + other.place,
            first_maintain: self.first_maintain + other.first_maintain,
            work: self.work + other.work,
            maintain: self.maintain + other.maintain,
            small: self.small + other.small,
        }
    }
}

impl PassTimes {
    /// The splits of `submissions` added up; `None` unless every one of
    /// them was split (`VYRE_PASS_TIMES=1` on an adapter that can).
    pub fn total<'a>(
        submissions: impl IntoIterator<Item = &'a SubmissionTime>,
    ) -> Option<PassTimes> {
        submissions
            .into_iter()
            .try_fold(PassTimes::default(), |sum, t| t.passes.map(|p| sum + p))
    }
}

/// What one `run()` did.
#[derive(Debug, Clone, PartialEq)]
pub struct RunReport {
    /// The backend that ran it (`wgpu`, `reference`, `native`).
    pub backend: String,
    /// The adapter (GPU name, or the CPU backend's description).
    pub adapter: String,
    /// Why the run ended.
    pub stop: StopReason,
    /// Tasks executed to completion, per opcode, in program order.
    pub executed_by_opcode: Vec<OpcodeCount>,
    /// Tasks executed to completion, per priority (CRITICAL first).
    pub executed_by_priority: [u64; PRIORITIES],
    /// Tasks executed to completion.
    pub executed: u64,
    /// Faulted tasks, in the order the device logged them.
    pub faults: Vec<Fault>,
    /// Tasks the host published that this run took in.
    pub published: u64,
    /// Tasks spawned on the device.
    pub spawned: u64,
    /// Spawns refused because the target partition was full.
    pub spawn_overflows: u64,
    /// At the end: tasks of disabled tenants waiting in the ring.
    pub parked: u64,
    /// At the end: runnable tasks still waiting (host queue, inbox, or
    /// unclaimed slots), e.g. after a round or time limit, or because a
    /// partition is full of parked work.
    pub waiting: u64,
    /// Lines printed by `printf!`, in the order the device logged them.
    pub printf: Vec<String>,
    /// `printf!` records dropped because the log was full.
    pub printf_dropped: u64,
    /// Rounds run.
    pub rounds: u64,
    /// Submissions (device round trips).
    pub submissions: u64,
    /// Compute dispatches recorded.
    pub dispatches: u64,
    /// Wall-clock time of the run.
    pub wall_time: Duration,
    /// GPU time, where the adapter supports timestamp queries.
    pub gpu_time: Option<Duration>,
    /// Each submission's timing, in order: how long the device was held by
    /// one command buffer (with `RunLimits::max_rounds_per_submission: 1`,
    /// one round — the longest single dispatch the scheduler can cause).
    pub submission_times: Vec<SubmissionTime>,
}

impl RunReport {
    /// Tasks executed at `priority`.
    pub fn executed_at(&self, priority: Priority) -> u64 {
        self.executed_by_priority[priority.index()]
    }

    /// The longest GPU time of one submission, where the adapter supports
    /// timestamp queries.
    pub fn longest_submission_gpu_time(&self) -> Option<Duration> {
        self.submission_times.iter().filter_map(|s| s.gpu).max()
    }

    /// The longest wall time of one submission.
    pub fn longest_submission_wall_time(&self) -> Option<Duration> {
        self.submission_times.iter().map(|s| s.wall).max()
    }

    /// Tasks executed by the opcode with id `id`.
    pub fn executed_by(&self, id: u32) -> u64 {
        self.executed_by_opcode
            .iter()
            .find(|c| c.id == id)
            .map_or(0, |c| c.executed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_kinds_round_trip_through_their_words() {
        let kinds = [
            FaultKind::OutOfBounds { index: 7 },
            FaultKind::LoopLimit { limit: 100 },
            FaultKind::User { code: 3 },
            FaultKind::BadPriority { priority: 9 },
            FaultKind::LoopCut { iterations: 35_523 },
        ];
        for kind in kinds {
            let detail = match kind {
                FaultKind::OutOfBounds { index: d }
                | FaultKind::LoopLimit { limit: d }
                | FaultKind::User { code: d }
                | FaultKind::BadPriority { priority: d }
                | FaultKind::LoopCut { iterations: d } => d,
                _ => 0,
            };
            assert_eq!(FaultKind::from_words(kind.code(), detail), kind);
        }
        assert_eq!(fault::LOOP_CUT, 8);
        assert_eq!(
            FaultKind::LoopCut { iterations: 12 }.to_string(),
            "the GPU driver cut a loop short (after 12 loop iterations of the task)"
        );
        assert_eq!(
            FaultKind::OutOfBounds { index: 7 }.to_string(),
            "index 7 out of bounds"
        );
    }
}
