//! One CPU machine with two ways to execute a handler: interpret its IR
//! ([`interpret`], the reference backend) or call the original Rust
//! function ([`native`], the native backend). Everything but the handler
//! body is shared, exactly as `docs/protocol.md` specifies it, so the two
//! backends cannot drift apart.
//!
//! # The machine
//!
//! - [`CpuMachine`] owns the ring, the control block and the user buffers
//!   of one program instance, with the memory operations of the
//!   [`Engine`](crate::engine::Engine) trait (range-checked, never
//!   panicking), the passes [`prepare`](CpuMachine::prepare),
//!   [`maintain`](CpuMachine::maintain) and
//!   [`finalize`](CpuMachine::finalize), and the scheduler primitives a lane
//!   uses: [`claim`](CpuMachine::claim), [`complete`](CpuMachine::complete),
//!   [`fault`](CpuMachine::fault), [`spawn`](CpuMachine::spawn),
//!   [`printf`](CpuMachine::printf), [`shutdown`](CpuMachine::shutdown)
//!   (a lane's state between them is a [`LaneSched`], a claimed slot a
//!   [`Claimed`]).
//! - Inside a task, [`TaskState`] keeps what protocol.md's "Inside a task"
//!   asks for (the first [`TaskFault`], the task's loop iterations), and the
//!   `task_*` methods of [`CpuMachine`] apply its rules: a faulting
//!   operation records the fault and yields 0, and once a fault is recorded
//!   no store, atomic, spawn, printf or shutdown happens.
//! - [`WorkPass`] is the one part a way of executing handlers supplies: how
//!   the `W` dispatch runs its lanes. [`CpuEngine`] turns any work pass into
//!   a complete [`Engine`](crate::engine::Engine): it runs `M, (W, M) ×
//!   rounds` with the shared passes and serves the memory operations.
//!
//! # The two work passes
//!
//! - [`interpret::Interleaved`] keeps one small-step state machine per
//!   lane and interleaves the lanes statement by statement under a seeded
//!   schedule, evaluating the IR through the `task_*` primitives
//!   ([`interpret::ReferenceEngine`]).
//! - The native work pass runs the lanes one after another, each claimed
//!   task to completion, by calling the handler's `__native` function
//!   from the program's [`NativeTable`](crate::program::NativeTable); its
//!   `Ctx` and buffers forward spawns, printf and shutdown to the machine
//!   and its faults unwind to the lane ([`native::NativeEngine`]).

#[macro_use]
mod engine;
mod fault;
pub mod interpret;
mod machine;
pub mod native;
mod passes;
mod sched;
mod task;
mod work;

pub use engine::CpuEngine;
pub use fault::TaskFault;
pub use machine::{CpuMachine, MAX_BUFFER_ELEMENTS, MAX_LANES};
pub use sched::{Claimed, LaneSched};
pub use task::TaskState;
pub use work::WorkPass;
