//! The reference backend: a CPU interpreter of the handler IR, the oracle
//! for the WGSL lowering.
//!
//! It runs the protocol of `docs/protocol.md` on a
//! [`CpuMachine`] — the same memory, passes and
//! lane primitives as every CPU backend — with its own work pass,
//! [`Interleaved`]: every lane is a small-step state machine, and the
//! lanes are interleaved one statement at a time under a seeded schedule.
//! The same seed gives the same results; different seeds explore
//! different interleavings, which must not change the results of a
//! deterministic workload.
//!
//! The interpreter infers no types: values carry theirs, and where a word
//! read from memory needs one (a load, an atomic, a compare-exchange's old
//! value, a zero for a fault) it is the one validation recorded in the
//! program's [`HandlerInfo`](crate::ir::HandlerInfo), found by numbering
//! the statements and expressions as they are reached.
//!
//! [`run_task`] runs a single task of a handler on a fresh machine, with
//! the scheduler's values chosen by the caller: how tests compare the IR
//! `#[opcode]` generated with the function the user wrote.
//!
//! # Schedule
//!
//! One step is: a claim (one turn of the protocol's claim loop; a task
//! with an unknown opcode is faulted within that step), one statement, or
//! one loop head. For `if`, `match`, `for`, `while`, `loop` and `{ }` the
//! statement step evaluates the head (condition, selector, both range
//! bounds) and enters the chosen body; each later iteration's head (the
//! `while` condition, the next `for` value, and the iteration accounting)
//! is a step of its own. Leaving a finished block costs nothing, and a task
//! becomes EMPTY or FAULT in the step that runs its last statement. At each
//! step the seeded generator picks one lane among those still in the
//! dispatch, where lanes not started yet enter in index order.
//!
//! # Readings of `docs/protocol.md`
//!
//! Where the protocol leaves a choice, this interpreter (and every user of
//! [`CpuMachine`]) decides as follows — the same choices as the WGSL
//! lowering:
//! - A task's priority is the partition it was claimed from (or, for a
//!   BAD_TENANT record, the partition of the slot): it indexes
//!   `EXECUTED_BY_PRIORITY`, fills the record's priority word and is
//!   `ctx.priority()`. It equals the slot's priority word for every task
//!   written by the host or a spawn, and is always a valid index.
//! - *maintain* visits slots in ascending order, so inbox entries go to
//!   EMPTY slots in slot order and claim lists are in slot order.
//! - A store, atomic or compare-exchange evaluates all its operands (index
//!   first) and then the access, whose bounds check may fault: a fault in
//!   the value expression wins over an out-of-bounds index. A load checks
//!   its index when it is evaluated.
//! - Once a fault is recorded, atomics (`load` included) do nothing and
//!   yield 0, a compare-exchange yields `(0, false)`, a spawn yields false;
//!   plain loads still read, having no side effect.
//! - DIVIDE_BY_ZERO carries detail 0. `ctx.fault(code)` evaluates `code`
//!   first, so a fault inside it wins over the user fault.
//! - A `bool` argument word is true when non-zero.
//! - `for` evaluates start, then end, once; the loop variable takes each
//!   value, and the iteration is accounted, before the body runs. A
//!   `while` condition is evaluated (and may fault) at every head, before
//!   the accounting.
//! - `clamp` is Rust's algorithm without its `lo <= hi` assertion: raise to
//!   `lo`, then lower to `hi` (so `lo > hi` yields `hi`, as WGSL's
//!   `min(max(x, lo), hi)`); an `f32` NaN receiver stays NaN, as in Rust,
//!   where WGSL may differ (f32 parity is within WGSL's accuracy).
//! - Compare-exchanges are strong: claims and reservations never retry.
//!   A claim-list entry that is not a slot, or a slot that is not
//!   PUBLISHED, counts as a claim and the lane goes on.
//! - Counters are updated as events happen (the protocol allows per-lane
//!   accumulation; only values after a dispatch are the contract).
//! - Shutdown stops claiming but not the submission: the remaining rounds
//!   run, as on the GPU, whose command buffer is already recorded.

mod eval;
mod lane;
mod one_task;
pub mod ops;
mod schedule;

pub use one_task::{run_task, SpawnedTask, TaskRun, TaskSetup};
pub use schedule::{Interleaved, SplitMix64};

use std::sync::Arc;

use crate::cpu::{CpuEngine, CpuMachine};
use crate::engine::{BackendKind, Engine, Submission};
use crate::error::Result;
use crate::program::Program;

/// The reference interpreter as an [`Engine`].
///
/// ```
/// use vyre_core::ir::{Access, BufferKind, HandlerBuilder, ScalarType};
/// use vyre_core::program::Program;
/// use vyre_core::reference::ReferenceEngine;
/// use vyre_core::Engine;
///
/// let mut h = HandlerBuilder::new(1, "bump");
/// let hits = h.buffer("hits", ScalarType::U32, Access::Atomic);
/// h.body(|b| b.eval(hits.fetch_add(0u32, 1u32)));
/// let program = Program::builder("counter")
///     .buffer("hits", BufferKind::atomic(ScalarType::U32))
///     .opcode(h.finish()?)
///     .build()?;
/// let mut engine = ReferenceEngine::new(&program, 4, 7)?;
/// assert_eq!(engine.submit(2)?.dispatches, 3 + 4 * 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct ReferenceEngine {
    inner: CpuEngine<Interleaved>,
}

impl ReferenceEngine {
    /// An instance of `program` with zeroed memory, whose work dispatches
    /// run `lanes` lanes (workgroups × workgroup size, as the runtime
    /// chooses) interleaved under the schedule seeded by `seed`.
    ///
    /// Errors: [`Error::InvalidRunOption`](crate::Error::InvalidRunOption)
    /// when `lanes` is 0 or above [`MAX_LANES`](crate::cpu::MAX_LANES);
    /// [`Error::BufferTooLarge`](crate::Error::BufferTooLarge) when the
    /// memory cannot be allocated.
    pub fn new(program: &Program, lanes: u32, seed: u64) -> Result<ReferenceEngine> {
        ReferenceEngine::from_shared(Arc::new(program.clone()), lanes, seed)
    }

    /// As [`new`](Self::new), sharing `program` instead of copying it (the
    /// runtime already holds its program in an `Arc`).
    pub fn from_shared(program: Arc<Program>, lanes: u32, seed: u64) -> Result<ReferenceEngine> {
        let machine = CpuMachine::new(program, lanes)?;
        Ok(ReferenceEngine {
            inner: CpuEngine::new(machine, Interleaved::new(seed)),
        })
    }

    /// The schedule's seed.
    pub fn seed(&self) -> u64 {
        self.inner.work().seed()
    }

    /// The memory (ring, control block, buffers), for inspection.
    pub fn machine(&self) -> &CpuMachine {
        self.inner.machine()
    }

    /// The memory, writable.
    pub fn machine_mut(&mut self) -> &mut CpuMachine {
        self.inner.machine_mut()
    }
}

impl Engine for ReferenceEngine {
    fn kind(&self) -> BackendKind {
        self.inner.kind()
    }

    fn adapter(&self) -> String {
        self.inner.adapter()
    }

    fn lanes(&self) -> u32 {
        self.inner.lanes()
    }

    forward_protocol_memory!(inner);

    fn write_buffer(&mut self, buffer: usize, offset: u64, words: &[u32]) -> Result<()> {
        self.inner.write_buffer(buffer, offset, words)
    }

    fn read_buffer(&mut self, buffer: usize, offset: u64, len: u64) -> Result<Vec<u32>> {
        self.inner.read_buffer(buffer, offset, len)
    }

    fn resize_buffer(&mut self, buffer: usize, len: u64) -> Result<()> {
        self.inner.resize_buffer(buffer, len)
    }

    fn buffer_len(&self, buffer: usize) -> u64 {
        self.inner.buffer_len(buffer)
    }

    fn submit(&mut self, rounds: u32) -> Result<Submission> {
        self.inner.submit(rounds)
    }
}
