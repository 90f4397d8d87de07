//! The interface every backend implements: memory that holds the
//! protocol's buffers (`docs/protocol.md`) and a way to run submissions.
//! The host logic (publishing, the run loop, reports) lives once, in
//! [`crate::runtime`], on top of this trait.

use std::time::Duration;

use crate::error::Result;

/// Which backend runs a program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BackendKind {
    /// The generated WGSL on a wgpu adapter.
    Wgpu,
    /// The CPU interpreter of the IR, lanes interleaved under a seeded
    /// schedule.
    Reference,
    /// The original Rust functions, called on the CPU.
    Native,
}

impl BackendKind {
    /// `wgpu`, `reference` or `native`.
    pub fn name(self) -> &'static str {
        match self {
            BackendKind::Wgpu => "wgpu",
            BackendKind::Reference => "reference",
            BackendKind::Native => "native",
        }
    }

    /// Parses `wgpu`, `reference` or `native` (case-insensitive).
    pub fn parse(name: &str) -> Result<BackendKind> {
        match name.trim().to_ascii_lowercase().as_str() {
            "wgpu" | "gpu" => Ok(BackendKind::Wgpu),
            "reference" | "ref" => Ok(BackendKind::Reference),
            "native" => Ok(BackendKind::Native),
            _ => Err(crate::Error::UnknownBackend {
                name: name.to_string(),
            }),
        }
    }
}

impl std::fmt::Display for BackendKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What one submission returns.
#[derive(Debug, Clone, PartialEq)]
pub struct Submission {
    /// Control words `0 .. ControlLayout::summary_words()` as they were
    /// after the submission's last pass.
    pub summary: Vec<u32>,
    /// The first words of the ticket log after the last pass, as many as
    /// [`Engine::set_ticket_log_words`] asked for (read in the same copy
    /// as the summary, so that the tickets a submission ended cost no
    /// second read).
    pub ticket_log: Vec<u32>,
    /// Compute dispatches the submission recorded.
    pub dispatches: u64,
    /// GPU time of the submission, where the adapter has timestamp queries.
    pub gpu_time: Option<Duration>,
    /// Its GPU time split by pass (`VYRE_PASS_TIMES=1`, wgpu only).
    pub passes: Option<crate::report::PassTimes>,
}

/// A submission on its way ([`Engine::start_submit`]): the device runs it
/// while the host goes on, and [`wait`](Self::wait) returns its summary.
pub struct InFlight(Pending);

/// What an [`InFlight`] holds.
enum Pending {
    /// An engine that runs submissions on the calling thread has run it.
    Done(Box<Submission>),
    /// Waits for the device and reads the summary back; the probe, where
    /// the engine has one, tells whether the device is done.
    Waiting(
        Box<dyn FnOnce() -> Result<Submission> + Send>,
        Option<Box<dyn Fn() -> bool + Send>>,
    ),
}

impl InFlight {
    /// A submission that has already run.
    pub fn done(submission: Submission) -> InFlight {
        InFlight(Pending::Done(Box::new(submission)))
    }

    /// A submission whose summary `wait` will read once the device is done.
    pub fn waiting(wait: impl FnOnce() -> Result<Submission> + Send + 'static) -> InFlight {
        InFlight(Pending::Waiting(Box::new(wait), None))
    }

    /// A submission whose `wait` reads the summary once the device is
    /// done, and whose end `done` can tell without waiting.
    pub fn waiting_with_probe(
        wait: impl FnOnce() -> Result<Submission> + Send + 'static,
        done: impl Fn() -> bool + Send + 'static,
    ) -> InFlight {
        InFlight(Pending::Waiting(Box::new(wait), Some(Box::new(done))))
    }

    /// Whether the device has finished the submission, without waiting
    /// (`false` where the engine cannot tell before `wait`).
    pub fn is_done(&self) -> bool {
        match &self.0 {
            Pending::Done(_) => true,
            Pending::Waiting(_, done) => done.as_ref().is_some_and(|done| done()),
        }
    }

    /// Waits for the submission and returns what it reported.
    ///
    /// # Errors
    ///
    /// The device's errors, as [`Engine::submit`] returns them.
    pub fn wait(self) -> Result<Submission> {
        match self.0 {
            Pending::Done(s) => Ok(*s),
            Pending::Waiting(wait, _) => wait(),
        }
    }
}

impl std::fmt::Debug for InFlight {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match self.0 {
            Pending::Done(_) => "done",
            Pending::Waiting(..) => "waiting",
        };
        f.debug_tuple("InFlight").field(&state).finish()
    }
}

/// A write of a reply into one of the program's buffers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BufferWrite {
    /// The buffer's index among the program's buffers.
    pub buffer: usize,
    /// The first element written.
    pub offset: u64,
    /// Elements written.
    pub elements: u64,
    /// Their words.
    pub words: Vec<u32>,
}

/// Why a request's continuation faults: the problem and the handler's
/// message, if it gave one.
pub type RequestFailure = (crate::report::RequestProblem, Option<String>);

/// What serving a request gave: the continuation's argument words (the
/// given ones, then the reply) and the reply's buffer writes
/// [`BufferWrite`]s, or why the continuation faults.
pub type ServedReply = std::result::Result<(Vec<u32>, Vec<BufferWrite>), RequestFailure>;

/// A served request, for the runtime to finish: the reply's writes
/// landed and its continuation published, or the continuation faulted.
/// An engine that serves requests inside its tasks (the native backend)
/// hands them over after the submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServedRequest {
    /// The request kind.
    pub kind: u32,
    /// The continuation's priority index.
    pub priority: u32,
    /// The continuation's opcode.
    pub opcode: u32,
    /// The requester's tenant.
    pub tenant: u32,
    /// The continuation's ticket word (the requester's, when its ticket
    /// follows descendants: the engine counted the continuation live).
    pub ticket: u32,
    /// What the handler gave (the continuation's arguments and the
    /// reply's buffer writes, which the runtime lands before it publishes
    /// the continuation), or why the continuation faults.
    pub outcome: ServedReply,
}

/// One request as its handler sees it.
#[derive(Debug, Clone, Copy)]
pub struct HostRequest<'a> {
    /// The request kind.
    pub kind: u32,
    /// The request's argument words (each argument as the bits a task
    /// stores: `bool` 0 or 1, `i32` two's complement, `f32` its IEEE
    /// bits; `u64` and `i64` two words, low first).
    pub args: &'a [u32],
    /// The requesting task's tenant.
    pub tenant: u32,
}

impl HostRequest<'_> {
    /// Argument word `i`, or 0 past the arguments.
    pub fn word(&self, i: usize) -> u32 {
        self.args.get(i).copied().unwrap_or(0)
    }
}

/// What serves device→host requests inside the tasks that make them (the
/// runtime's handlers, for the native backend).
pub trait RequestServer: Send + Sync + std::fmt::Debug {
    /// Serves `call`, a request of `program`, whose continuation is
    /// `opcode` given `given` (its words past those the reply fills are
    /// ignored). The handler's error, a panic, a reply of another size
    /// than the kind's, or a kind without a handler is the continuation's
    /// fault.
    fn serve(
        &self,
        program: &crate::program::Program,
        call: &HostRequest<'_>,
        opcode: u32,
        given: &[u32],
    ) -> ServedReply;
}

/// A backend instance of one program: device memory laid out as in
/// `docs/protocol.md`, and the passes that run over it. Offsets and lengths
/// are in 32-bit words.
pub trait Engine: Send {
    /// Which backend this is.
    fn kind(&self) -> BackendKind;

    /// A human-readable description of the adapter (GPU name and driver,
    /// or the CPU backend).
    fn adapter(&self) -> String;

    /// Number of lanes a work dispatch runs.
    fn lanes(&self) -> u32;

    /// Writes words into the ring buffer (slots and inboxes).
    fn write_ring(&mut self, offset: u64, words: &[u32]) -> Result<()>;

    /// Reads words of the ring buffer (between submissions).
    fn read_ring(&mut self, offset: u64, len: u64) -> Result<Vec<u32>>;

    /// Writes words into the inboxes (`vy_inbox`).
    fn write_inbox(&mut self, offset: u64, words: &[u32]) -> Result<()>;

    /// Writes `units` units of `unit_words` words into the inboxes from
    /// word `offset`, produced by `fill(first_unit, words)` (whole units,
    /// in any order and possibly on several threads): the bulk path, which
    /// packs entries straight into the memory that goes to the device.
    fn write_inbox_with(
        &mut self,
        offset: u64,
        units: usize,
        unit_words: usize,
        fill: &(dyn Fn(usize, &mut [u32]) + Sync),
    ) -> Result<()>;

    /// Words of the inboxes.
    fn inbox_words(&self) -> u64;

    /// The most words the inboxes may have on this device.
    fn max_inbox_words(&self) -> u64;

    /// Replaces the inboxes by `words` zeroed words. The host calls it only
    /// while every inbox is empty, and then writes the new `INBOX_BASE` and
    /// `INBOX_MASK` words.
    fn resize_inbox(&mut self, words: u64) -> Result<()>;

    /// The most slots the ring may have on this device (the GPU's ring is
    /// one storage binding,
    /// [`ring_storage_words`](crate::protocol::ring_storage_words) long),
    /// and never more than [`MAX_SLOTS`](crate::program::MAX_SLOTS).
    fn max_ring_slots(&self) -> u32 {
        crate::program::MAX_SLOTS
    }

    /// Gives the ring the partitions `(start, size)` (contiguous from slot
    /// 0, CRITICAL first, none empty): a new, empty ring; the control block
    /// keeps its counters, tables and lane state, and gets the new sizes
    /// (`SLOTS`, `PART_START`, `PART_SIZE`) and longer claim lists and
    /// fault log. The host calls it only between submissions while every
    /// slot is EMPTY.
    fn resize_ring(&mut self, partitions: [(u32, u32); crate::protocol::PRIORITIES]) -> Result<()>;

    /// Runs the expand pass over the first `ranges` range descriptors the
    /// host wrote into the control block (`RANGE_COUNT` = `ranges`), the
    /// largest of which has `widest` entries. It runs before the next
    /// submission.
    fn expand(&mut self, ranges: u32, widest: u32) -> Result<()>;

    /// Writes words into the control buffer.
    fn write_control(&mut self, offset: u64, words: &[u32]) -> Result<()>;

    /// Reads words of the control buffer.
    fn read_control(&mut self, offset: u64, len: u64) -> Result<Vec<u32>>;

    /// Writes whole elements, as words (two per `u64`/`i64` element, low
    /// first), into declared buffer `buffer` (program order), at element
    /// `offset`. The caller has checked the range.
    fn write_buffer(&mut self, buffer: usize, offset: u64, words: &[u32]) -> Result<()>;

    /// Reads `len` elements of declared buffer `buffer` from element
    /// `offset`, as words (two per `u64`/`i64` element). The caller has
    /// checked the range.
    fn read_buffer(&mut self, buffer: usize, offset: u64, len: u64) -> Result<Vec<u32>>;

    /// Gives declared buffer `buffer` a logical length of `len` elements,
    /// keeping the common prefix and zero-filling the rest.
    fn resize_buffer(&mut self, buffer: usize, len: u64) -> Result<()>;

    /// Logical length of declared buffer `buffer`.
    fn buffer_len(&self, buffer: usize) -> u64;

    /// Runs one submission: `M, (W, M) × rounds` (`docs/protocol.md`).
    /// Its first pass zeroes the counters its summary reports
    /// ([`ctrl::SUBMISSION_COUNTERS`](crate::protocol::ctrl::SUBMISSION_COUNTERS)
    /// and `executed_by_op`), so the summary counts this submission alone;
    /// `FAULT_COUNT` is left to the host.
    fn submit(&mut self, rounds: u32) -> Result<Submission>;

    /// Starts one submission as [`submit`](Self::submit) does and returns
    /// before the device is done, where the engine can: until the
    /// [`InFlight`] is waited for, the host may only write into the
    /// inboxes and the control block (those writes land after the
    /// submission) and start at most one more submission (which runs
    /// after it); the two are waited for in the order they started.
    /// Engines that run submissions on the calling thread run it here.
    fn start_submit(&mut self, rounds: u32) -> Result<InFlight> {
        self.submit(rounds).map(InFlight::done)
    }

    /// How long a wait for a submission polls the device before it blocks
    /// (zero: it blocks at once, or the engine runs submissions on the
    /// calling thread). A service watches for CRITICAL calls as long while
    /// a submission runs.
    fn wait_spin(&self) -> std::time::Duration {
        std::time::Duration::ZERO
    }

    /// Tells the engine that the ring is empty as the next submission
    /// starts (every slot EMPTY: nothing claimable, parked or in flight)
    /// and that the program [places and runs](crate::Program::places_and_runs):
    /// it may start that submission with the place pass, which places each
    /// partition's first inbox entries and runs them at once, instead of
    /// the first maintain and work passes, and place again in later rounds
    /// while no task faults or parks (`docs/protocol.md`, "Place and
    /// run"). What runs, and every count, fault and ticket, is the same
    /// either way; engines without the pass (the reference interpreter)
    /// ignore it. `inbox_fits`: every partition's inbox entries fit its
    /// slots, so the place pass takes them all and the submission's
    /// rounds after it would find the ring idle (an engine may leave them
    /// out). Returns whether that submission's rounds only place: once a
    /// task parks or faults they place no more, and the entries left wait
    /// for the next submission (which the runtime then starts) instead of
    /// being placed by the rounds' maintain passes.
    fn next_starts_on_empty_ring(&mut self, _inbox_fits: bool) -> bool {
        false
    }

    /// How many words of the ticket log the next submissions return in
    /// [`Submission::ticket_log`] (at least
    /// [`ticket::LOG_HEAD`](crate::protocol::ticket::LOG_HEAD), at most
    /// [`ticket::ENTRIES`](crate::protocol::ticket::ENTRIES)): the host
    /// asks for as many as tickets are open, so that a submission's ended
    /// tickets all come back with its summary even when the next
    /// submission, already started, writes the log again.
    fn set_ticket_log_words(&mut self, words: u32) {
        let _ = words;
    }

    /// The device buffer of declared buffer `buffer` (it holds `len + 1`
    /// elements), for an application that draws from it; `None` on a
    /// backend without one (the CPU backends).
    fn wgpu_buffer(&self, buffer: usize) -> Option<wgpu::Buffer> {
        let _ = buffer;
        None
    }

    /// Makes `device_buffer` the device buffer of declared buffer
    /// `buffer`: its logical length becomes its size in elements, less
    /// the spare one. The caller has checked its size and usages; the CPU
    /// backends refuse with [`Error::Interop`](crate::Error::Interop).
    fn bind_wgpu_buffer(&mut self, buffer: usize, device_buffer: wgpu::Buffer) -> Result<()> {
        let _ = device_buffer;
        Err(crate::Error::Interop {
            buffer: format!("#{buffer}"),
            reason: format!("the {} backend has no wgpu device", self.kind().name()),
        })
    }

    /// Serves device→host requests inside the tasks that make them, with
    /// `server` (the runtime's handlers), where the engine can: the native backend
    /// runs on the host and calls the handler at once. Other engines leave
    /// requests in the request slots, which the runtime serves between
    /// submissions.
    fn serve_requests_with(&mut self, server: std::sync::Arc<dyn RequestServer>) {
        let _ = server;
    }

    /// The requests served inside tasks since the last call (see
    /// [`serve_requests_with`](Self::serve_requests_with)), for the runtime
    /// to publish their continuations or record their faults.
    fn take_served_requests(&mut self) -> Vec<ServedRequest> {
        Vec::new()
    }
}
