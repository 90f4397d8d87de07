//! WGSL lowering: a [`Program`] becomes one WGSL module holding the whole
//! persistent megakernel — the ring protocol of `docs/protocol.md` and
//! every handler.
//!
//! The module has four entry points (five with the place pass) that share one bind group layout
//! (every entry point may use every binding; the runtime builds the layout
//! explicitly rather than deriving it per entry point):
//!
//! | entry point | workgroup size | dispatch |
//! |---|---|---|
//! | [`ENTRY_PREPARE`] | 1 | one workgroup |
//! | [`ENTRY_MAINTAIN`] | [`MAINTAIN_WORKGROUP_SIZE`] | enough for one invocation per slot; slot = `gid.y * (groups.x * 256) + gid.x`, so a ring of more than 65,535 workgroups may be spread over y |
//! | [`ENTRY_FINALIZE`] | 1 | one workgroup |
//! | [`ENTRY_WORK`] | `config.workgroup_size` | `lanes / workgroup_size` workgroups in x; lane = `global_invocation_id.x` |
//! | [`ENTRY_PLACE`] | [`MAINTAIN_WORKGROUP_SIZE`] | indirect, sized by each placing prepare: one invocation per inbox entry it took, up to [`PLACE_SPREAD`] invocations per lane of the full work grid, past which an invocation takes several (only in programs that [place and run](Program::places_and_runs)) |
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
//!
//! # Reading of `docs/protocol.md`
//!
//! Where the protocol leaves a choice, the lowering (and the CPU backends,
//! which must match it bit for bit) does this:
//!
//! * **Task priority** — `ctx.priority()`, the `EXECUTED_BY_PRIORITY`
//!   index and the priority word of fault records are the partition the
//!   slot belongs to (the list it was claimed from; in *maintain*, the
//!   slot's partition), never the slot's raw priority word. Both agree for
//!   every slot the host or a spawn writes, and the partition is always a
//!   valid index.
//! * **Evaluation order** — operands left to right; `Select` evaluates its
//!   condition, then the value if true, then the value if false; `&&` and
//!   `||` short-circuit. A store, atomic store, atomic operation or
//!   compare-exchange evaluates its index, then its operand(s), and only
//!   then checks the bounds: `buf[99] = x / 0` (99 out of bounds) reports
//!   DIVIDE_BY_ZERO, `buf[buf[99]] = x / 0` reports OUT_OF_BOUNDS.
//!   `spawn` evaluates the priority, then the arguments; `fault(code)`
//!   evaluates the code first (a fault there is the one reported).
//! * **Fault details** — DIVIDE_BY_ZERO has detail 0; BAD_PRIORITY the
//!   priority value; LOOP_LIMIT the limit; UNKNOWN_OPCODE the opcode;
//!   OUT_OF_BOUNDS the index; LOOP_CUT the task's loop iterations when
//!   the cut was found. The fault record's round is the ROUND word
//!   when the fault is recorded (0 for a BAD_TENANT found by the first
//!   maintenance pass of a fresh control block).
//! * **After a fault** within a statement, loads still read (their value
//!   cannot matter), atomics and compare-exchange yield 0 / (0, false)
//!   without touching memory, spawn yields false without touching any
//!   counter, printf takes no record number.
//! * **Loops** — a `for` evaluates start then end, once; a fault there
//!   ends the task before any iteration. A `while` evaluates its
//!   condition before every iteration; a fault there ends the task
//!   without counting that iteration. Each iteration then adds 1 to the
//!   task's count (also the iteration that trips the limit) before the
//!   body runs; a task count above `loop_limit` faults. The lane's count,
//!   read only when the lane claims, receives the task's count when the
//!   task ends.
//! * **Loops the driver cuts** — every handler loop carries an exit state
//!   that the program sets wherever it leaves the loop and that crosses
//!   the back-edge to the loop's only `break`; after the loop, a state
//!   nothing set means the driver ended it (Mesa's lavapipe stops an
//!   invocation's loops after about 65,535 back-edges in all), and the
//!   task faults with LOOP_CUT instead of going on with a half-finished
//!   loop (`handler` module, "Loops a driver may cut"). A spawn has no
//!   loop. The scheduler's own loops either cannot be cut silently (argument
//!   copies are unrolled; claim scans keep their last result) or only end a lane's claiming early, which loses
//!   nothing in the per-lane claim loop (the comments of `vy_work`). The
//!   cooperative claim loop meets at workgroup barriers and assumes no
//!   cuts; the runtime uses per-lane claims on software adapters, the
//!   drivers that cut (`GpuContext::lower_options`). The CPU backends
//!   never record LOOP_CUT.
//! * **Spawn** takes the next free-list entry the lane reserved, or
//!   reserves `n` with `atomicAdd(FREE_NEXT[p], n)` (1 for a task's first
//!   [`SPAWN_SINGLES`] reservations in a partition, then doubling up to
//!   [`SPAWN_BLOCK`]),
//!   with no load first (`FREE_LEN` is read once per lane and
//!   pass; a lane that found the list used up refuses its later spawns
//!   into it without touching the control block) and writes only the
//!   callee's argument words, passed as values to a helper per argument
//!   count (`vy_spawn_<n>`). What it owes the task's ticket (refusals,
//!   children it follows) is added once, at the task's end.
//! * **Claims** — a ticket whose slot number is not below `slots` or whose
//!   slot is not PUBLISHED (a corrupted list) counts as a claim and is
//!   skipped; a claim is that status check, not a compare-exchange (each
//!   ticket goes to one lane), and CLAIMED is not stored (nothing can
//!   observe the slot before it is emptied or FAULT). The streak is updated
//!   with wrapping arithmetic.
//! * **Strong compare-exchange** retries spurious failures of WGSL's weak
//!   one at most [`CAS_TRIES`] times; `exchanged` is `old == current &&
//!   r.exchanged`, so after that many spurious failures in a row it reports
//!   `(current, false)`.
//! * **Counters** — EXECUTED, FAULTED, EXECUTED_BY_PRIORITY,
//!   `executed_by_op`, SPAWNED and SPAWN_OVERFLOW are summed per lane and
//!   added at the end of the work dispatch; FAULT_COUNT, PRINTF_COUNT
//!   (record numbers) and SHUTDOWN are written when they happen; PLACED is
//!   added once by finalize.
//! * **Lanes** — a work invocation whose `lane_state` word lies outside
//!   the control buffer returns at once.
//! * **`len()`** is `max(arrayLength, 1) - 1`.
//! * **Scalars** — integer results are exactly Rust's wrapping ones (the
//!   handler language's); `clamp` is `min(max(x, lo), hi)` (`hi` when
//!   `lo > hi`, where Rust would panic); `f32 as u32/i32` truncates,
//!   saturates and maps NaN to 0; `round` is half away from zero. Float
//!   operations otherwise follow WGSL: `min`/`max`/`clamp` with a NaN
//!   operand, `powf` of a negative base, `%` (computed as
//!   `x - y * trunc(x / y)`), integer-to-float rounding and subnormals
//!   (which a GPU may flush) are within WGSL's accuracy, not Rust's.

mod array;
mod expr;
mod field;
mod function;
mod handler;
mod helpers;
mod loops;
mod names;
mod program_wgsl;
mod scheduler;
mod spawn;
mod template;
mod wide;

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
/// Entry point of the *place* pass (`@workgroup_size(MAINTAIN_WORKGROUP_SIZE)`,
/// the inbox entries the prepare before it took, several an invocation past
/// [`PLACE_SPREAD`] invocations per work lane): the pass after each prepare
/// that places on an empty ring, placing entries and running them at once
/// (`docs/protocol.md`, "Place and run"). Only programs that
/// [place and run](Program::places_and_runs) have it.
pub const ENTRY_PLACE: &str = "vy_place";
/// Entry point of the *expand* pass (`@workgroup_size(EXPAND_WORKGROUP_SIZE)`):
/// writes the inbox entries of `publish_range` descriptors. Dispatched
/// `(x, descriptors, 1)`; each row walks its descriptor's entries with a
/// grid stride.
pub const ENTRY_EXPAND: &str = "vy_expand";
/// Every entry point of a submission, in the order a submission first runs
/// them (prepare, maintain, finalize, work); [`ENTRY_EXPAND`] runs apart.
pub const ENTRY_POINTS: [&str; 4] = [ENTRY_PREPARE, ENTRY_MAINTAIN, ENTRY_FINALIZE, ENTRY_WORK];

/// Workgroup size of the expand pass.
pub const EXPAND_WORKGROUP_SIZE: u32 = 256;

/// Workgroup size of the maintain pass: dispatch
/// `slots.div_ceil(MAINTAIN_WORKGROUP_SIZE)` workgroups (optionally split
/// over x and y). A workgroup reads the control words its slots share and
/// takes its inbox tickets and list positions once, so fewer, larger
/// workgroups queue less at the control block (`docs/protocol.md`,
/// maintain).
pub const MAINTAIN_WORKGROUP_SIZE: u32 = 256;

/// The most free-list positions a spawn reserves at once. A task's first
/// [`SPAWN_SINGLES`] reservations in a partition take one position each;
/// each later one takes twice as many as the last (2, 4, …), up to this
/// many, so that a task spawning a long run of children (BFS discovering a
/// hub: 1,253 spawns) makes one read-modify-write of `FREE_NEXT` per block
/// instead of one per child (`docs/protocol.md`, "Spawn"). Positions a
/// lane reserved and did not use stay EMPTY and join the free list at the
/// next maintenance pass.
pub const SPAWN_BLOCK: u32 = 32;

/// Reservations of one position each that a task makes in a partition
/// before it reserves blocks ([`SPAWN_BLOCK`]): a task that spawns this
/// many children or fewer into a partition reserves exactly what it uses,
/// so the free list is handed out exactly as one position per spawn would
/// hand it out. Two, not eight: BFS's tasks discover about eight vertices
/// each, and with eight singles most of their spawns were single adds on
/// the hottest word (RMAT scale 22 on an H100: 11.20 ms with eight, 10.54
/// with four, 10.08–10.12 with two, `docs/benchmarks.md`, session 26);
/// with one (blocks from the first) a fan of four reserves 1 + 2 + 4
/// positions, leaves three EMPTY, and a nearly full partition refuses
/// more than one position per spawn would (`tests/sharded.rs`).
pub const SPAWN_SINGLES: u32 = 2;

// A block doubles up to SPAWN_BLOCK, so the WGSL counts doublings
// (`vy_SPAWN_DOUBLINGS`, its base-2 logarithm).
const _: () = assert!(SPAWN_BLOCK.is_power_of_two() && SPAWN_BLOCK >= 2);

/// Invocations of a place dispatch per lane of the work pass's full grid,
/// at most: an inbox of more entries than `PLACE_SPREAD` × the work grid's
/// lanes gives each invocation several, so that each workgroup's control
/// reads and counter adds serve more tasks, on as many lanes as the
/// adapter's tuned dispatch keeps busy.
pub const PLACE_SPREAD: u32 = 4;

// A maintain workgroup reads its shared control words one per invocation
// (the ring's words outnumber the partitions).
const _: () = assert!(MAINTAIN_WORKGROUP_SIZE as usize >= crate::protocol::RING_WORDS);

/// The bind group of the ring, control block, inboxes and declared
/// buffers: every pass binds it.
pub const BIND_GROUP: u32 = 0;
/// Binding of the ring buffer (`vy_ring`).
pub const RING_BINDING: u32 = 0;
/// Binding of the control buffer (`vy_ctrl`).
pub const CTRL_BINDING: u32 = 1;
/// Binding of the inboxes (`vy_inbox`): compact entries the host writes
/// (and the expand pass), the maintain pass reads.
pub const INBOX_BINDING: u32 = 2;
/// Binding of declared buffer 0; declared buffer `i` is at
/// `FIRST_BUFFER_BINDING + i`.
pub const FIRST_BUFFER_BINDING: u32 = 3;
/// The bind group of the indirect dispatch arguments, bound only for the
/// finalize pass: the work and maintain dispatches read the same buffer as
/// their indirect arguments, which wgpu forbids while it is bound for
/// writing in the same dispatch.
pub const INDIRECT_GROUP: u32 = 1;
/// Binding of the indirect dispatch arguments (`vy_indirect`) in
/// [`INDIRECT_GROUP`].
pub const INDIRECT_BINDING: u32 = 0;

/// Tries of a handler's strong `compare_exchange` built on WGSL's weak one;
/// only spurious failures are retried. After this many spurious failures
/// in a row the exchange reports failure with `old == current`.
pub const CAS_TRIES: u32 = 16;
// The ring and the control block come before the declared buffers.
const _: () = assert!(
    RING_BINDING != CTRL_BINDING
        && RING_BINDING < FIRST_BUFFER_BINDING
        && CTRL_BINDING < FIRST_BUFFER_BINDING
        && INBOX_BINDING < FIRST_BUFFER_BINDING
        && INBOX_BINDING != RING_BINDING
        && INBOX_BINDING != CTRL_BINDING
);

/// What `vy_dispatch` returns for an unknown opcode.
const NO_HANDLER: u32 = u32::MAX;

/// The binding number of declared buffer `index`.
pub fn buffer_binding(index: usize) -> u32 {
    FIRST_BUFFER_BINDING.saturating_add(u32::try_from(index).unwrap_or(u32::MAX))
}

/// How work lanes take claim tickets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClaimVariant {
    /// Every lane scans the lists and takes its own ticket: one global
    /// atomic per claim.
    PerLane,
    /// The lanes of a workgroup claim together: per iteration one leader
    /// takes the tickets of every lane that wants one, one atomic per
    /// list, in the order the lanes' own scans would have taken them.
    /// Its iterations meet at workgroup barriers, so it assumes a driver
    /// that does not cut loops short (not lavapipe: see
    /// `GpuContext::lower_options`).
    Cooperative,
}

impl ClaimVariant {
    /// Every variant.
    pub const ALL: [ClaimVariant; 2] = [ClaimVariant::PerLane, ClaimVariant::Cooperative];
}

/// Variants of the generated scheduler that the runtime chooses between
/// by driver ([`GpuContext::lower_options`](crate::gpu::GpuContext::lower_options)).
/// Every variant implements the same protocol: the same tasks run, at the
/// same priorities, with the same counters, faults and accounting.
/// [`LowerOptions::default`] is the fastest measured on hardware
/// (`docs/benchmarks.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LowerOptions {
    /// The work pass's claims.
    pub claims: ClaimVariant,
    /// Whether handler loops carry an exit state that detects a loop the
    /// driver cut short (`LOOP_CUT`, see `lower/loops.rs`). Drivers that
    /// cut loops are software ones (lavapipe); on hardware the guard only
    /// costs time (measured on an H100: a 256-round hash loop 32% slower),
    /// so [`GpuContext::lower_options`](crate::gpu::GpuContext::lower_options)
    /// turns it off there. On by default: WGSL of unknown destination is
    /// safe everywhere.
    pub guard_loops: bool,
}

impl LowerOptions {
    /// Every lowering the product can choose: each claim variant, with and
    /// without loop guards (what tests and the bench iterate over).
    pub fn all() -> impl Iterator<Item = LowerOptions> {
        ClaimVariant::ALL.into_iter().flat_map(|claims| {
            [true, false].map(|guard_loops| LowerOptions {
                claims,
                guard_loops,
            })
        })
    }
}

impl Default for LowerOptions {
    /// Cooperative claims: the fastest measured on an H100
    /// (`docs/benchmarks.md`, "Optimisations").
    fn default() -> Self {
        LowerOptions {
            claims: ClaimVariant::Cooperative,
            guard_loops: true,
        }
    }
}

/// Lowers `program` to one WGSL module (see the module documentation for
/// its entry points and bindings). Every valid program lowers to WGSL that
/// naga validates; this function never panics.
pub fn wgsl(program: &Program) -> String {
    wgsl_with(program, &LowerOptions::default())
}

/// [`wgsl`] in the scheduler variant `options`.
pub fn wgsl_with(program: &Program, options: &LowerOptions) -> String {
    crate::trace::stage!("wgsl", program = program.name());
    let mut helpers = helpers::Helpers::default();
    let mut handlers = String::from("// ---- handlers ----\n\n");
    for index in 0..program.handlers().len() {
        handler::lower_handler(
            program,
            index,
            options.guard_loops,
            &mut helpers,
            &mut handlers,
        );
    }
    let mut out = String::new();
    scheduler::header(program, &mut out);
    scheduler::bindings(program, &mut out);
    scheduler::constants(program, &mut out);
    scheduler::runtime(&mut out);
    scheduler::requests(program, &mut out);
    helpers.emit(&mut out);
    out.push_str(&handlers);
    scheduler::dispatch(program, &helpers.tail_call(), &mut out);
    scheduler::entry_points(options, program, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_point_constants_name_the_generated_functions() {
        for (claims, sharded) in ClaimVariant::ALL
            .into_iter()
            .flat_map(|c| [(c, false), (c, true)])
        {
            // A program that neither spawns nor reads its lane gets the
            // place pass too.
            let mut h = crate::ir::HandlerBuilder::new(1, "nop");
            h.body(|_| {});
            let program = Program::builder("entry points")
                .config(crate::ProgramConfig {
                    sharded,
                    ..crate::ProgramConfig::default()
                })
                .opcode(h.finish().expect("nop"))
                .build()
                .expect("program");
            assert!(program.places_and_runs());
            let mut text = String::new();
            scheduler::entry_points(
                &LowerOptions {
                    claims,
                    ..LowerOptions::default()
                },
                &program,
                &mut text,
            );
            assert!(text.contains(&format!("@workgroup_size(1)\nfn {ENTRY_PREPARE}(")));
            for entry in [ENTRY_MAINTAIN, ENTRY_PLACE] {
                assert!(text.contains(&format!(
                    "@workgroup_size(vy_MAINTAIN_WORKGROUP_SIZE)\nfn {entry}("
                )));
            }
            assert!(text.contains(&format!("@workgroup_size(1)\nfn {ENTRY_FINALIZE}(")));
            assert!(text.contains(&format!(
                "@workgroup_size(vy_WORKGROUP_SIZE)\nfn {ENTRY_WORK}("
            )));
        }
    }

    #[test]
    fn buffer_bindings_follow_the_ring_and_control_block() {
        assert_eq!(buffer_binding(0), FIRST_BUFFER_BINDING);
        assert_eq!(buffer_binding(3), FIRST_BUFFER_BINDING + 3);
        assert_eq!(buffer_binding(usize::MAX), u32::MAX);
    }
}
