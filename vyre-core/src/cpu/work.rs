//! The work-pass abstraction: [`WorkPass`] (what a CPU backend supplies),
//! [`TaskRunner`] + [`SequentialWork`] (for backends that run one claimed
//! task at a time), and [`CpuEngine`], which makes any work pass a full
//! [`Engine`].

use super::machine::CpuMachine;
use super::sched::{Claimed, LaneSched};
use super::task::{TaskFault, TaskState};
use crate::engine::{BackendKind, Engine, Submission};
use crate::error::Result;
use crate::ir::AtomicOp;

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

/// Runs one claimed task to completion through a [`TaskContext`]. This is
/// the whole of what the `native` backend supplies (see the
/// [module docs](crate::cpu)); [`SequentialWork`] does the rest.
pub trait TaskRunner: Send {
    /// The backend this runner makes (`Native` for the generated runner).
    fn kind(&self) -> BackendKind;

    /// A short description of the runner, for the adapter string.
    fn describe(&self) -> String;

    /// Runs the task in `ctx` (its handler is known: unknown opcodes are
    /// faulted before a runner sees them). Faults go through
    /// [`TaskContext::fault`]; an `Err` aborts the submission.
    fn run(&mut self, ctx: &mut TaskContext<'_>) -> Result<()>;
}

/// One running task as a [`TaskRunner`] sees it: its words, the lane, and
/// the operations of protocol.md's "Inside a task", with its fault rules.
#[derive(Debug)]
pub struct TaskContext<'m> {
    machine: &'m mut CpuMachine,
    lane: &'m mut LaneSched,
    task: &'m Claimed,
    handler: usize,
    state: TaskState,
}

impl<'m> TaskContext<'m> {
    /// A context for `task` (handler `handler`) claimed by `lane`.
    pub fn new(
        machine: &'m mut CpuMachine,
        lane: &'m mut LaneSched,
        task: &'m Claimed,
        handler: usize,
    ) -> Self {
        TaskContext {
            machine,
            lane,
            task,
            handler,
            state: TaskState::new(),
        }
    }

    /// The claimed slot's words.
    pub fn task(&self) -> &Claimed {
        self.task
    }

    /// Program index of the task's handler.
    pub fn handler(&self) -> usize {
        self.handler
    }

    /// Argument word `i` (0 past the twelfth).
    pub fn arg(&self, i: usize) -> u32 {
        self.task.args.get(i).copied().unwrap_or(0)
    }

    /// `ctx.lane()`.
    pub fn lane(&self) -> u32 {
        self.lane.lane
    }

    /// The task's state so far (its fault and loop iterations).
    pub fn state(&self) -> &TaskState {
        &self.state
    }

    /// Whether a fault is recorded: the runner should return soon; until
    /// it does, nothing it asks for has a side effect.
    pub fn faulted(&self) -> bool {
        self.state.faulted()
    }

    /// Records a fault (the first one wins): [`TaskFault::user`] for
    /// `ctx.fault(code)`, [`TaskFault::divide_by_zero`] for an integer
    /// `/` or `%` by zero, ...
    pub fn fault(&mut self, fault: TaskFault) {
        self.state.record(fault);
    }

    /// Accounts one loop iteration before the body runs; false when the
    /// task exceeded `loop_limit` (faulted: leave the loop and return).
    pub fn loop_iteration(&mut self) -> bool {
        let limit = self.machine.program().config().loop_limit;
        self.state.loop_iteration(self.lane, limit)
    }

    /// `buf.len()` of buffer parameter `param`.
    pub fn len(&self, param: u32) -> u32 {
        self.machine.task_len(self.handler, param)
    }

    /// `buf[index]` of buffer parameter `param` (bits; 0 when out of
    /// bounds, which faults).
    pub fn load(&mut self, param: u32, index: u32) -> u32 {
        self.machine
            .task_load(&mut self.state, self.handler, param, index)
    }

    /// `buf[index] = value` on buffer parameter `param`.
    pub fn store(&mut self, param: u32, index: u32, value: u32) {
        self.machine
            .task_store(&mut self.state, self.handler, param, index, value);
    }

    /// An atomic method on `buf[index]`; yields the previous value.
    pub fn atomic(&mut self, param: u32, op: AtomicOp, index: u32, operand: u32) -> u32 {
        self.machine
            .task_atomic(&mut self.state, self.handler, param, op, index, operand)
    }

    /// `buf[index].store(value)` on an atomic buffer.
    pub fn atomic_store(&mut self, param: u32, index: u32, value: u32) {
        self.machine
            .task_atomic_store(&mut self.state, self.handler, param, index, value);
    }

    /// `buf[index].compare_exchange(current, new)`: `(previous, exchanged)`.
    pub fn compare_exchange(
        &mut self,
        param: u32,
        index: u32,
        current: u32,
        new: u32,
    ) -> (u32, bool) {
        self.machine.task_compare_exchange(
            &mut self.state,
            self.handler,
            param,
            index,
            current,
            new,
        )
    }

    /// `ctx.spawn(priority, opcode::task(args))`: whether it was queued.
    pub fn spawn(&mut self, priority: u32, opcode: u32, args: &[u32]) -> bool {
        self.machine
            .task_spawn(&mut self.state, self.task, priority, opcode, args)
    }

    /// `printf!` with the program's format id `format_id`.
    pub fn printf(&mut self, format_id: u32, args: &[u32]) {
        let lane = self.lane.lane;
        self.machine.task_printf(&self.state, format_id, args, lane);
    }

    /// `ctx.shutdown()`.
    pub fn shutdown(&mut self) {
        self.machine.task_shutdown(&self.state);
    }
}

/// A [`WorkPass`] that runs the lanes one after another, each through the
/// protocol's claim loop, and every claimed task to completion with a
/// [`TaskRunner`]. That is one legal schedule of the GPU's lanes (no lane
/// ever waits for another), so the results of deterministic workloads are
/// the GPU's.
#[derive(Debug, Clone)]
pub struct SequentialWork<R> {
    runner: R,
}

impl<R: TaskRunner> SequentialWork<R> {
    /// Wraps `runner`.
    pub fn new(runner: R) -> Self {
        SequentialWork { runner }
    }

    /// The runner.
    pub fn runner(&self) -> &R {
        &self.runner
    }
}

impl<R: TaskRunner> WorkPass for SequentialWork<R> {
    fn kind(&self) -> BackendKind {
        self.runner.kind()
    }

    fn describe(&self, lanes: u32) -> String {
        format!(
            "{} (CPU, {lanes} lanes, sequential)",
            self.runner.describe()
        )
    }

    fn run(&mut self, machine: &mut CpuMachine) -> Result<()> {
        for lane in 0..machine.lanes() {
            let mut sched = machine.begin_lane(lane);
            while let Some(task) = machine.claim(&mut sched) {
                let Some(handler) = task.handler else {
                    machine.fault(&task, TaskFault::unknown_opcode(task.opcode), lane);
                    continue;
                };
                let state = {
                    let mut ctx = TaskContext::new(machine, &mut sched, &task, handler);
                    self.runner.run(&mut ctx)?;
                    ctx.state
                };
                machine.finish_task(&task, &state, lane);
            }
            machine.end_lane(&sched);
        }
        Ok(())
    }
}

/// A complete [`Engine`] made of a [`CpuMachine`] and a [`WorkPass`]: the
/// memory operations are the machine's, and a submission is
/// [`CpuMachine::submit`] with the work pass as `W`.
#[derive(Debug, Clone)]
pub struct CpuEngine<W> {
    machine: CpuMachine,
    work: W,
}

impl<W: WorkPass> CpuEngine<W> {
    /// An engine over `machine` whose work dispatch is `work`.
    pub fn new(machine: CpuMachine, work: W) -> Self {
        CpuEngine { machine, work }
    }

    /// The memory.
    pub fn machine(&self) -> &CpuMachine {
        &self.machine
    }

    /// The memory, writable.
    pub fn machine_mut(&mut self) -> &mut CpuMachine {
        &mut self.machine
    }

    /// The work pass.
    pub fn work(&self) -> &W {
        &self.work
    }
}

impl<W: WorkPass> Engine for CpuEngine<W> {
    fn kind(&self) -> BackendKind {
        self.work.kind()
    }

    fn adapter(&self) -> String {
        self.work.describe(self.machine.lanes())
    }

    fn lanes(&self) -> u32 {
        self.machine.lanes()
    }

    fn write_ring(&mut self, offset: u64, words: &[u32]) -> Result<()> {
        self.machine.write_ring(offset, words)
    }

    fn write_control(&mut self, offset: u64, words: &[u32]) -> Result<()> {
        self.machine.write_control(offset, words)
    }

    fn read_control(&mut self, offset: u64, len: u64) -> Result<Vec<u32>> {
        self.machine.read_control(offset, len)
    }

    fn write_buffer(&mut self, buffer: usize, offset: u64, words: &[u32]) -> Result<()> {
        self.machine.write_buffer(buffer, offset, words)
    }

    fn read_buffer(&mut self, buffer: usize, offset: u64, len: u64) -> Result<Vec<u32>> {
        self.machine.read_buffer(buffer, offset, len)
    }

    fn resize_buffer(&mut self, buffer: usize, len: u64) -> Result<()> {
        self.machine.resize_buffer(buffer, len)
    }

    fn buffer_len(&self, buffer: usize) -> u64 {
        self.machine.buffer_len(buffer)
    }

    fn submit(&mut self, rounds: u32) -> Result<Submission> {
        self.machine.submit(&mut self.work, rounds)
    }
}
