//! The machinery shared by the CPU backends (`reference` and, later,
//! `native`): the protocol's memory held in plain Rust, the three small
//! passes, and the lane-side primitives of the work pass, all exactly as
//! `docs/protocol.md` specifies them.
//!
//! # Layers
//!
//! - [`CpuMachine`] owns the ring, the control block and the user buffers
//!   of one program instance, with the memory operations of the
//!   [`Engine`](crate::engine::Engine) trait (range-checked, never
//!   panicking), the passes [`prepare`](CpuMachine::prepare),
//!   [`maintain`](CpuMachine::maintain) and
//!   [`finalize`](CpuMachine::finalize), and the scheduler primitives a lane
//!   uses: [`claim`](CpuMachine::claim), [`complete`](CpuMachine::complete),
//!   [`fault`](CpuMachine::fault), [`spawn`](CpuMachine::spawn),
//!   [`printf`](CpuMachine::printf), [`shutdown`](CpuMachine::shutdown).
//! - Inside a task, [`TaskState`] keeps what protocol.md's "Inside a task"
//!   asks for (first fault, the task's loop iterations), and the `task_*`
//!   methods of [`CpuMachine`] apply its rules: a faulting operation records
//!   the fault and yields 0, and once a fault is recorded no store, atomic,
//!   spawn, printf or shutdown happens. Both CPU backends call these, so
//!   their memory semantics cannot drift apart.
//! - [`WorkPass`] is what a backend supplies: how the `W` dispatch runs
//!   its lanes. [`CpuEngine`] turns any `WorkPass` into a complete
//!   [`Engine`](crate::engine::Engine): it runs `M, (W, M) × rounds` with
//!   the shared passes and serves the memory operations.
//!
//! # Two work passes
//!
//! - The reference interpreter
//!   ([`reference::Interleaved`](crate::reference::Interleaved)) implements
//!   [`WorkPass`] directly: it keeps one small-step state machine per lane
//!   and interleaves the lanes statement by statement under a seeded
//!   schedule, calling the primitives above.
//! - A backend that runs one claimed task at a time, to completion, only
//!   implements [`TaskRunner`] and wraps it in [`SequentialWork`], which
//!   runs the lanes one after another with the protocol's claim loop
//!   (budgets, starvation streaks, CAS, shutdown) and records each task's
//!   outcome.
//!
//! # How `native` plugs in
//!
//! `megakernel!` will generate a [`TaskRunner`] whose
//! [`run`](TaskRunner::run) matches [`TaskContext::handler`] (the program
//! index of the claimed opcode) and calls the original Rust function of
//! that `#[opcode]` with the task's arguments ([`TaskContext::arg`]
//! decoded by type) and host-side buffers/`Ctx` that forward to the
//! [`TaskContext`]: element reads to [`TaskContext::load`], writes to
//! [`TaskContext::store`], atomic methods to [`TaskContext::atomic`] and
//! [`TaskContext::compare_exchange`], `len()` to [`TaskContext::len`],
//! every loop iteration to [`TaskContext::loop_iteration`], integer `/`
//! and `%` by zero to [`TaskContext::fault`] with
//! [`TaskFault::divide_by_zero`], `ctx.spawn` to [`TaskContext::spawn`],
//! `printf!` to [`TaskContext::printf`], `ctx.fault(code)` to
//! [`TaskContext::fault`] with [`TaskFault::user`] and `ctx.shutdown()` to
//! [`TaskContext::shutdown`]. The engine is then
//! `CpuEngine::new(machine, SequentialWork::new(runner))` — no other code:
//! memory, passes, counters, fault and printf records are all shared.
//! Because a Rust function cannot be stopped at a statement boundary, the
//! generated code should return as soon as [`TaskContext::faulted`] turns
//! true; whatever it does in between has no side effects, since the
//! context suppresses them once a fault is recorded.

mod machine;
mod passes;
mod sched;
mod task;
mod work;

pub use machine::{CpuMachine, MAX_BUFFER_ELEMENTS, MAX_LANES};
pub use sched::{Claimed, LaneSched};
pub use task::{TaskFault, TaskState};
pub use work::{CpuEngine, SequentialWork, TaskContext, TaskRunner, WorkPass};
