//! One task of a handler, interpreted on a fresh [`CpuMachine`] with the
//! scheduler's values chosen by the caller: what a test compares with the
//! handler's original Rust function (run with `Ctx::run`) to check that the
//! IR `#[opcode]` generated does what the function does.
//!
//! The task is not published and claimed: it runs directly on the lane,
//! slot, tenant and priority given, statement by statement as in a work
//! dispatch, through the same `task_*` primitives of the machine (fault
//! rules, bounds checks, spawns into the ring, printf records, shutdown).
//! Its slot is never emptied or marked FAULT; what it did is read back from
//! the machine's memory.

use std::sync::Arc;

use super::lane::TaskExec;
use crate::cpu::{Claimed, CpuMachine};
use crate::error::{Error, Result};
use crate::program::Program;
use crate::protocol::{ctrl, slot, status, Priority, MAX_ARGS, PRINTF_RECORD_WORDS, SLOT_WORDS};
use crate::report::FaultKind;

/// The scheduler's side of one task: what `ctx` reports to the handler
/// and its argument words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskSetup {
    /// The opcode to run.
    pub opcode: u32,
    /// The argument words: one per task argument of the handler, two
    /// (low first) for a `u64` or `i64`.
    pub args: Vec<u32>,
    /// `ctx.lane()`.
    pub lane: u32,
    /// `ctx.slot()`: a slot of the program's ring.
    pub slot: u32,
    /// `ctx.tenant()`: a tenant of the program's table.
    pub tenant: u32,
    /// `ctx.priority()`.
    pub priority: Priority,
}

/// A task spawned by the task: where it went and its words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpawnedTask {
    /// The partition (priority index, 0 = CRITICAL).
    pub priority: u32,
    /// The opcode.
    pub opcode: u32,
    /// The argument words, as many as the target handler takes (all of a
    /// slot's when the program has no such handler).
    pub args: Vec<u32>,
}

/// What one task did.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskRun {
    /// Every declared buffer's words afterwards, in declaration order.
    pub buffers: Vec<Vec<u32>>,
    /// The task's fault, if it faulted.
    pub fault: Option<FaultKind>,
    /// The tasks it spawned into the ring, in the order it spawned them
    /// (spawns that found their partition full are not listed).
    pub spawns: Vec<SpawnedTask>,
    /// Its `printf!` lines, rendered.
    pub prints: Vec<String>,
    /// Whether it asked the scheduler to stop.
    pub shutdown: bool,
}

/// Runs one task of `program` as [`TaskSetup`] describes it, on a fresh
/// machine whose declared buffer `i` holds `buffers[i]` (missing ones are
/// empty), with the program's loop limit.
///
/// ```
/// use vyre_core::cpu::interpret::{run_task, TaskSetup};
/// use vyre_core::ir::{ctx, Access, BufferKind, CtxValue, HandlerBuilder, ScalarType};
/// use vyre_core::program::Program;
/// use vyre_core::Priority;
///
/// let mut h = HandlerBuilder::new(1, "note");
/// let out = h.buffer("out", ScalarType::U32, Access::ReadWrite);
/// let i = h.arg("i", ScalarType::U32);
/// h.body(|b| b.store(out, i, ctx(CtxValue::Slot)));
/// let program = Program::builder("p")
///     .buffer("out", BufferKind::plain(ScalarType::U32))
///     .opcode(h.finish()?)
///     .build()?;
/// let setup = TaskSetup { opcode: 1, args: vec![1], lane: 0, slot: 9, tenant: 0, priority: Priority::Normal };
/// let run = run_task(&program, &[vec![0, 0]], &setup)?;
/// assert_eq!(run.buffers[0], vec![0, 9]);
/// assert_eq!(run.fault, None);
///
/// let run = run_task(&program, &[vec![0, 0]], &TaskSetup { args: vec![5], ..setup })?;
/// assert_eq!(run.fault, Some(vyre_core::FaultKind::OutOfBounds { index: 5 }));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Errors: [`Error::UnknownOpcode`] for an opcode the program does not
/// have; [`Error::ArgumentCount`] when `args` does not match the handler;
/// [`Error::InvalidRunOption`] for a slot outside the ring or a lane above
/// [`MAX_LANES`](crate::cpu::MAX_LANES); [`Error::UnknownTenant`] for a
/// tenant outside the table; the machine's errors for buffers that do not
/// fit.
pub fn run_task(program: &Program, buffers: &[Vec<u32>], setup: &TaskSetup) -> Result<TaskRun> {
    let index = program
        .handler_index(setup.opcode)
        .ok_or(Error::UnknownOpcode { id: setup.opcode })?;
    let (Some(handler), Some(info)) = (program.handlers().get(index), program.handler_info(index))
    else {
        return Err(Error::UnknownOpcode { id: setup.opcode });
    };
    if setup.args.len() != handler.arg_words() {
        return Err(Error::ArgumentCount {
            opcode: handler.name.clone(),
            expected: handler.arg_words(),
            found: setup.args.len(),
        });
    }
    let config = program.config();
    if setup.slot >= config.slots {
        return Err(Error::InvalidRunOption {
            option: "slot",
            reason: format!("slot {} of a ring of {} slots", setup.slot, config.slots),
        });
    }
    if setup.tenant >= config.tenants {
        return Err(Error::UnknownTenant {
            tenant: setup.tenant,
            tenants: config.tenants,
        });
    }
    let lanes = setup.lane.checked_add(1).ok_or(Error::InvalidRunOption {
        option: "lane",
        reason: format!("lane {}", setup.lane),
    })?;
    let mut machine = CpuMachine::new(Arc::new(program.clone()), lanes)?;
    for (i, words) in buffers.iter().enumerate() {
        let per = program
            .buffers()
            .get(i)
            .map_or(1, |b| b.kind.element_words());
        machine.resize_buffer(i, words.len() as u64 / u64::from(per))?;
        machine.write_buffer(i, 0, words)?;
    }
    // The task holds its slot; maintain then lists every other slot as
    // free, so that the task's spawns find room as they would in a ring
    // with nothing else in it.
    machine.set_slot_word(setup.slot, slot::STATUS, status::CLAIMED);
    machine.prepare();
    machine.maintain();

    let mut args = [0u32; MAX_ARGS];
    for (w, a) in args.iter_mut().zip(&setup.args) {
        *w = *a;
    }
    let task = Claimed {
        slot: setup.slot,
        opcode: setup.opcode,
        handler: Some(index),
        tenant: setup.tenant,
        ticket: 0,
        priority: setup.priority as u32,
        args,
    };
    let mut lane = machine.begin_lane(setup.lane);
    let mut exec = TaskExec::new(task, index, handler, info, program);
    let mut spawns = Vec::new();
    loop {
        let spawned = control_word(&machine, ctrl::SPAWNED);
        let ended = exec.step(&mut machine, &mut lane);
        // A step runs at most one statement, so at most one spawn: the
        // PENDING slot not listed yet.
        if control_word(&machine, ctrl::SPAWNED) != spawned {
            if let Some(s) = new_spawn(&machine, &spawns) {
                spawns.push(s);
            }
        }
        if ended {
            break;
        }
    }

    let buffers = (0..program.buffers().len())
        .map(|i| machine.read_buffer(i, 0, machine.buffer_len(i)))
        .collect::<Result<Vec<_>>>()?;
    Ok(TaskRun {
        buffers,
        fault: exec.state().fault().map(|f| f.kind()),
        spawns: spawns.into_iter().map(|(_, s)| s).collect(),
        prints: prints(&machine),
        shutdown: machine.shutdown_requested(),
    })
}

/// The first PENDING slot of the ring not in `seen`, with its task.
fn new_spawn(machine: &CpuMachine, seen: &[(u32, SpawnedTask)]) -> Option<(u32, SpawnedTask)> {
    let program = machine.program();
    let slots = program.config().slots;
    let s = (0..slots)
        .find(|s| machine.status(*s) == status::PENDING && !seen.iter().any(|(x, _)| x == s))?;
    let word = |w: u32| {
        let at = s as usize * SLOT_WORDS as usize + w as usize;
        machine.ring().get(at).copied().unwrap_or(0)
    };
    let opcode = word(slot::OPCODE);
    let count = program
        .handler_index(opcode)
        .and_then(|h| program.handlers().get(h))
        .map_or(MAX_ARGS, |h| h.arg_words());
    Some((
        s,
        SpawnedTask {
            priority: machine.partition_of(s).unwrap_or(0) as u32,
            opcode,
            args: (0..count as u32).map(|i| word(slot::ARG0 + i)).collect(),
        },
    ))
}

/// The printf records of the control block, rendered.
fn prints(machine: &CpuMachine) -> Vec<String> {
    let program = machine.program();
    let layout = machine.layout();
    let count = control_word(machine, ctrl::PRINTF_COUNT).min(program.config().printf_capacity);
    (0..count)
        .filter_map(|n| {
            let base = layout.printf_log as usize + (n * PRINTF_RECORD_WORDS) as usize;
            let record = machine
                .ctrl()
                .get(base..base + PRINTF_RECORD_WORDS as usize)?;
            let format = program.printf_formats().get(record[0] as usize)?;
            Some(format.render(&record[1..]))
        })
        .collect()
}

/// Control word `index` (0 outside the block).
fn control_word(machine: &CpuMachine, index: u32) -> u32 {
    machine.ctrl().get(index as usize).copied().unwrap_or(0)
}
