//! Test support for the macro tests: one task of a handler run twice on the
//! same inputs, so that the IR `#[opcode]` generated can be compared with
//! the function the user wrote:
//!
//! * [`run_ir`]: the IR, interpreted by vyre's CPU machine
//!   ([`vyre::cpu::interpret::run_task`]: the reference backend's
//!   interpreter and the machine's task primitives, not a copy of them);
//! * [`run_native`]: the original function, through the `__native` entry
//!   point the native backend calls, with a recording [`Ctx`].
//!
//! [`handlers`] holds the handlers both macro suites test, and
//! [`validated`] the check they share.

// Shared by `tests/macros.rs` and `tests/macros_host.rs`, each of which
// uses only part of it.
#![allow(dead_code)]

pub mod handlers;

use vyre::cpu::interpret::{run_task, TaskSetup};
use vyre::host::{Ctx, HostBuffer, HostBuffers, Outcome};
use vyre::ir::{Access, BufferKind};
use vyre::program::{OpcodeHandler, Program, ProgramConfig};
use vyre::{FaultKind, Priority};

/// What one task did.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// The words of the handler's buffers afterwards.
    pub buffers: Vec<Vec<u32>>,
    /// Its fault.
    pub fault: Option<FaultKind>,
    /// `(priority, opcode, argument words)` of each spawn, in order.
    pub spawns: Vec<(u32, u32, Vec<u32>)>,
    /// Its `printf!` lines.
    pub prints: Vec<String>,
    /// Whether it asked for shutdown.
    pub shutdown: bool,
}

/// The declared kind that admits a parameter of `elem` and `access`.
fn kind(elem: vyre::ir::ScalarType, access: Access) -> BufferKind {
    if access == Access::Atomic {
        BufferKind::atomic(elem)
    } else {
        BufferKind::plain(elem)
    }
}

/// A program of `h` and the handlers it spawns (`targets`), declaring
/// every buffer they name, sized so that `ctx`'s slot and tenant exist,
/// with `loop_limit`.
fn program_of(
    h: &OpcodeHandler,
    targets: &[OpcodeHandler],
    ctx: [u32; 4],
    loop_limit: u32,
) -> Program {
    let defaults = ProgramConfig::default();
    let config = ProgramConfig {
        slots: defaults.slots.max(ctx[1] + 1),
        tenants: defaults.tenants.max(ctx[2] + 1),
        loop_limit,
        ..defaults
    };
    let mut builder = Program::builder(format!("run_{}", h.name)).config(config);
    let mut declared: Vec<&str> = Vec::new();
    for handler in std::iter::once(h).chain(targets) {
        for b in &handler.buffers {
            if !declared.contains(&b.name.as_str()) {
                declared.push(&b.name);
                builder = builder.buffer(b.name.clone(), kind(b.elem, b.access));
            }
        }
    }
    builder = builder.opcode(h.clone());
    for t in targets.iter().filter(|t| t.id != h.id) {
        builder = builder.opcode(t.clone());
    }
    match builder.build() {
        Ok(p) => p,
        Err(e) => panic!("a program of `{}` does not assemble: {e}", h.name),
    }
}

/// Runs `h`'s IR once with `args` over `buffers` (words), ctx values
/// `[lane, slot, tenant, priority]`, on vyre's CPU machine. `targets` are
/// the handlers `h` spawns (a program must contain them).
pub fn run_ir(
    h: &OpcodeHandler,
    targets: &[OpcodeHandler],
    buffers: &[Vec<u32>],
    args: &[u32],
    ctx: [u32; 4],
    loop_limit: u32,
) -> Run {
    let program = program_of(h, targets, ctx, loop_limit);
    let setup = TaskSetup {
        opcode: h.id,
        args: args.to_vec(),
        lane: ctx[0],
        slot: ctx[1],
        tenant: ctx[2],
        priority: Priority::from_index(ctx[3]).expect("a priority index"),
    };
    let run = match run_task(&program, buffers, &setup) {
        Ok(run) => run,
        Err(e) => panic!("`{}` could not run: {e}", h.name),
    };
    Run {
        buffers: run.buffers[..h.buffers.len()].to_vec(),
        fault: run.fault,
        spawns: run
            .spawns
            .into_iter()
            .map(|s| (s.priority, s.opcode, s.args))
            .collect(),
        prints: run.prints,
        shutdown: run.shutdown,
    }
}

/// Host buffers from words, of the handler's buffer kinds.
pub fn host_buffers(h: &OpcodeHandler, words: &[Vec<u32>]) -> HostBuffers {
    h.buffers
        .iter()
        .zip(words)
        .map(|(b, w)| HostBuffer::from_words(kind(b.elem, b.access), w))
        .collect()
}

/// Runs the original function through its `__native` entry point, the way
/// the native backend does, and reports the same things as `run_ir`.
pub fn run_native(
    h: &OpcodeHandler,
    native: fn(&Ctx, &HostBuffers, &[usize], &[u32]),
    words: &[Vec<u32>],
    args: &[u32],
    ctx: [u32; 4],
    loop_limit: u32,
) -> Run {
    let buffers = host_buffers(h, words);
    let bindings: Vec<usize> = (0..words.len()).collect();
    let ctx_obj = Ctx::new()
        .with_lane(ctx[0])
        .with_slot(ctx[1])
        .with_tenant(ctx[2])
        .with_priority(Priority::from_index(ctx[3]).unwrap())
        .with_loop_limit(loop_limit);
    let out: Outcome<()> = ctx_obj.run(|c| native(c, &buffers, &bindings, args));
    Run {
        buffers: (0..words.len())
            .map(|i| buffers.get(i).unwrap().to_words())
            .collect(),
        fault: out.fault(),
        spawns: out
            .spawns
            .iter()
            .map(|s| (s.priority as u32, s.task.opcode(), s.task.words().to_vec()))
            .collect(),
        prints: out.prints,
        shutdown: out.shutdown,
    }
}

/// Validates `h`, or panics with the error and the handler.
pub fn validated(h: &OpcodeHandler) {
    if let Err(e) = vyre::ir::validate_handler(h) {
        panic!("{e}\n{h:#?}");
    }
}
