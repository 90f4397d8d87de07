//! The reference backend: a CPU interpreter of the handler IR, the oracle
//! for the WGSL lowering.
//!
//! It runs the protocol of `docs/protocol.md` on a
//! [`CpuMachine`](crate::cpu::CpuMachine) — the same memory, passes and
//! lane primitives as every CPU backend — with its own work pass,
//! [`Interleaved`]: every lane is a small-step state machine, and the
//! lanes are interleaved one statement at a time under a seeded schedule.
//! The same seed gives the same results; different seeds explore
//! different interleavings, which must not change the results of a
//! deterministic workload.

mod eval;
mod lane;
pub mod ops;
mod schedule;

pub use schedule::{Interleaved, SplitMix64};

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
        let machine = CpuMachine::new(program.clone(), lanes)?;
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

    fn write_ring(&mut self, offset: u64, words: &[u32]) -> Result<()> {
        self.inner.write_ring(offset, words)
    }

    fn write_control(&mut self, offset: u64, words: &[u32]) -> Result<()> {
        self.inner.write_control(offset, words)
    }

    fn read_control(&mut self, offset: u64, len: u64) -> Result<Vec<u32>> {
        self.inner.read_control(offset, len)
    }

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
