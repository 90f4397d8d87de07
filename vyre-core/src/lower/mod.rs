//! WGSL lowering: a [`Program`] becomes one WGSL module holding the whole
//! persistent megakernel — the ring protocol of `docs/protocol.md` and
//! every handler.
//!
//! The module has four entry points that share one bind group layout
//! (every entry point may use every binding; the runtime builds the layout
//! explicitly rather than deriving it per entry point):
//!
//! | entry point | workgroup size | dispatch |
//! |---|---|---|
//! | [`ENTRY_PREPARE`] | 1 | one workgroup |
//! | [`ENTRY_MAINTAIN`] | [`MAINTAIN_WORKGROUP_SIZE`] | enough for one invocation per slot; slot = `gid.y * (groups.x * 64) + gid.x`, so a ring of more than 65,535 workgroups may be spread over y |
//! | [`ENTRY_FINALIZE`] | 1 | one workgroup |
//! | [`ENTRY_WORK`] | `config.workgroup_size` | `lanes / workgroup_size` workgroups in x; lane = `global_invocation_id.x` |
//!
//! Bindings, all in group [`BIND_GROUP`]: [`RING_BINDING`] is the ring,
//! [`CTRL_BINDING`] the control block, and declared buffer `i` is at
//! `FIRST_BUFFER_BINDING + i` (`array<atomic<T>>` for atomic buffers,
//! read-write when some handler stores into it, read-only otherwise).
//!
//! Layout of the generated text: header, bindings, constants, the task's
//! private state and runtime helpers, the on-demand helpers, one
//! `op_<name>` function per handler, `vy_dispatch`, the entry points.
//! Names are hygienic (see the `names` module): user names never collide
//! with generated ones or with WGSL keywords.

mod expr;
mod handler;
mod helpers;
mod names;
mod scheduler;

use crate::program::Program;

/// Entry point of the *prepare* pass (`@workgroup_size(1)`).
pub const ENTRY_PREPARE: &str = "vy_prepare";
/// Entry point of the *maintain* pass
/// (`@workgroup_size(MAINTAIN_WORKGROUP_SIZE)`, one invocation per slot).
pub const ENTRY_MAINTAIN: &str = "vy_maintain";
/// Entry point of the *finalize* pass (`@workgroup_size(1)`).
pub const ENTRY_FINALIZE: &str = "vy_finalize";
/// Entry point of the *work* pass (`@workgroup_size(config.workgroup_size)`,
/// one invocation per lane).
pub const ENTRY_WORK: &str = "vy_work";
/// Every entry point, in the order a submission first runs them
/// (prepare, maintain, finalize, work).
pub const ENTRY_POINTS: [&str; 4] = [ENTRY_PREPARE, ENTRY_MAINTAIN, ENTRY_FINALIZE, ENTRY_WORK];

/// Workgroup size of the maintain pass: dispatch
/// `slots.div_ceil(MAINTAIN_WORKGROUP_SIZE)` workgroups (optionally split
/// over x and y).
pub const MAINTAIN_WORKGROUP_SIZE: u32 = 64;

/// The bind group every binding lives in.
pub const BIND_GROUP: u32 = 0;
/// Binding of the ring buffer (`vy_ring`).
pub const RING_BINDING: u32 = 0;
/// Binding of the control buffer (`vy_ctrl`).
pub const CTRL_BINDING: u32 = 1;
/// Binding of declared buffer 0; declared buffer `i` is at
/// `FIRST_BUFFER_BINDING + i`.
pub const FIRST_BUFFER_BINDING: u32 = 2;

/// Tries of the compare-exchange that claims a slot or reserves one for a
/// spawn; only spurious failures (the status still had the expected value)
/// are retried (`docs/protocol.md`: at most 8).
pub const CLAIM_TRIES: u32 = 8;
/// Tries of a handler's strong `compare_exchange` built on WGSL's weak one;
/// only spurious failures are retried. After this many spurious failures
/// in a row the exchange reports failure with `old == current`.
pub const CAS_TRIES: u32 = 16;
/// What `vy_dispatch` returns for an unknown opcode.
const NO_HANDLER: u32 = u32::MAX;

/// The binding number of declared buffer `index`.
pub fn buffer_binding(index: usize) -> u32 {
    FIRST_BUFFER_BINDING.saturating_add(u32::try_from(index).unwrap_or(u32::MAX))
}

/// Lowers `program` to one WGSL module (see the module documentation for
/// its entry points and bindings). Every valid program lowers to WGSL that
/// naga validates; this function never panics.
pub fn wgsl(program: &Program) -> String {
    let mut helpers = helpers::Helpers::default();
    let mut handlers = String::from("// ---- handlers ----\n\n");
    for index in 0..program.handlers().len() {
        handler::lower_handler(program, index, &mut helpers, &mut handlers);
    }
    let mut out = String::new();
    scheduler::header(program, &mut out);
    scheduler::bindings(program, &mut out);
    scheduler::constants(program, &mut out);
    out.push_str(scheduler::RUNTIME);
    helpers.emit(&mut out);
    out.push_str(&handlers);
    scheduler::dispatch(program, &mut out);
    out.push_str(scheduler::ENTRY_POINTS);
    out
}
