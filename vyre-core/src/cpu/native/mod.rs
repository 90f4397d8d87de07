//! The native backend: a megakernel run on the host by calling the
//! original Rust functions of its handlers (DESIGN §5). It is the fastest
//! CPU path and the oracle for the `#[opcode]` translator: the reference
//! interpreter runs the IR the macro produced, native runs the code the
//! user wrote, and the parity suite compares them (and wgpu).
//!
//! # Pieces
//!
//! - [`NativeFn`] / [`NativeTable`]: for each opcode id, the `__native`
//!   function `#[opcode]` emits, which decodes the task's argument words,
//!   borrows its buffers from [`HostBuffers`](crate::host::HostBuffers)
//!   and calls the original function. `megakernel!` builds the table and
//!   attaches it to the [`Program`](crate::Program) with
//!   [`ProgramBuilder::native`](crate::program::ProgramBuilder::native).
//! - [`NativeEngine`]: an [`Engine`](crate::engine::Engine) made of the
//!   shared [`CpuMachine`](crate::cpu::CpuMachine) — ring, control block,
//!   the three maintenance passes, claim/complete/fault/spawn/printf — and
//!   a work pass that calls the table's functions. The user buffers are
//!   host buffers, so the functions borrow them directly.
//!
//! # Selection
//!
//! [`Gpu::engine`](crate::Gpu::engine) builds a `NativeEngine` for
//! [`BackendKind::Native`](crate::BackendKind::Native) (`Gpu::cpu()`,
//! `VYRE_BACKEND=native`, or `Gpu::auto()` without a hardware adapter)
//! when the program carries a native table; programs built from IR alone
//! run on the reference interpreter there instead.
//!
//! # The glue between `Ctx` and the machine
//!
//! A work pass moves the machine into a small shared cell for its
//! duration. The task's [`Ctx`](crate::host::Ctx) is made with
//! [`Ctx::with_sink`](crate::host::Ctx::with_sink): its sink forwards
//! `spawn` and `shutdown` to that machine, and the thread's print hook
//! ([`host::native::set_print_hook`](crate::host::native::set_print_hook))
//! turns `printf!` into the printf record of the running handler's format.
//! Faults unwind in the host's fault mode and are caught per task with
//! [`host::native::catch`](crate::host::native::catch); the per-task loop
//! count of [`loop_tick`](crate::host::loop_tick) also feeds the lane's
//! iteration budget, as the protocol asks.

mod engine;
mod memory;

pub use crate::program::{NativeFn, NativeTable};
pub use engine::NativeEngine;
