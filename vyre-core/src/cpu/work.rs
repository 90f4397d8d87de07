//! [`WorkPass`]: the work dispatch `W`, the one part of a submission that
//! differs between the CPU backends.

use super::machine::CpuMachine;
use crate::engine::BackendKind;
use crate::error::Result;

/// The work dispatch `W` of a CPU backend: runs every lane of one
/// dispatch over `machine`, using its lane primitives
/// ([`CpuMachine::begin_lane`], [`claim`](CpuMachine::claim), the `task_*`
/// operations, [`finish_task`](CpuMachine::finish_task),
/// [`end_lane`](CpuMachine::end_lane)). Everything else of a submission —
/// the `M` passes, the counters, the memory operations — is shared.
pub trait WorkPass: Send {
    /// Which backend this work pass makes.
    fn kind(&self) -> BackendKind;

    /// The adapter string of the engine, for a machine of `lanes` lanes.
    fn describe(&self, lanes: u32) -> String;

    /// Runs one work dispatch. An error aborts the submission (a backend
    /// that cannot run a handler, say); protocol faults are not errors.
    fn run(&mut self, machine: &mut CpuMachine) -> Result<()>;
}
