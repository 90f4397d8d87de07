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
            // The remaining lanes would find no ticket and leave at once:
            // skipping them is the same schedule, and keeps a dispatch of
            // many lanes as cheap as its work.
            if !machine.tickets_left() {
                break;
            }
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

#[cfg(test)]
mod tests {
    //! `native`'s plug-in point exercised with a hand-written runner: the
    //! Rust twin of an IR program, run by `SequentialWork`, must leave the
    //! same memory as the reference interpreter.

    use super::*;
    use crate::ir::{Access, BufferKind, HandlerBuilder, ScalarType};
    use crate::program::{Program, ProgramConfig};
    use crate::protocol::{ctrl, fault, slot, Priority, PRIORITIES, SLOT_WORDS};
    use crate::reference::ReferenceEngine;
    use crate::Error;

    const SUM: u32 = 0x51;
    const SPIN: u32 = 0x52;

    /// `sum(i)`: `acc[0] += data[i]; if i + 1 < data.len() { spawn sum(i + 1) }`,
    /// and `spin()`: `loop {}`.
    fn program() -> Program {
        let mut h = HandlerBuilder::new(SUM, "sum");
        let data = h.buffer("data", ScalarType::U32, Access::Read);
        let acc = h.buffer("acc", ScalarType::U32, Access::Atomic);
        let i = h.arg("i", ScalarType::U32);
        h.body(|b| {
            b.eval(acc.fetch_add(0u32, data.at(i)));
            b.if_((i + 1u32).lt(data.len()), |b| {
                b.spawn(Priority::Low, SUM, vec![i + 1u32]);
            });
        });
        let mut spin = HandlerBuilder::new(SPIN, "spin");
        spin.body(|b| b.loop_(|_| {}));
        Program::builder("native_twin")
            .config(ProgramConfig {
                slots: 20,
                loop_limit: 7,
                ..ProgramConfig::default()
            })
            .buffer("data", BufferKind::plain(ScalarType::U32))
            .buffer("acc", BufferKind::atomic(ScalarType::U32))
            .opcode(h.finish().unwrap())
            .opcode(spin.finish().unwrap())
            .build()
            .unwrap()
    }

    /// The Rust twin of `program()`, as `megakernel!` would generate it.
    struct Twin {
        fail: bool,
    }

    impl TaskRunner for Twin {
        fn kind(&self) -> BackendKind {
            BackendKind::Native
        }

        fn describe(&self) -> String {
            "twin".into()
        }

        fn run(&mut self, ctx: &mut TaskContext<'_>) -> Result<()> {
            if self.fail {
                return Err(Error::BackendUnavailable {
                    backend: "native".into(),
                    reason: "no native handler".into(),
                });
            }
            match ctx.handler() {
                0 => {
                    let i = ctx.arg(0);
                    let v = ctx.load(0, i);
                    ctx.atomic(1, AtomicOp::FetchAdd, 0, v);
                    if i.wrapping_add(1) < ctx.len(0) {
                        ctx.spawn(Priority::Low as u32, SUM, &[i + 1]);
                    }
                }
                _ => while ctx.loop_iteration() {},
            }
            Ok(())
        }
    }

    fn drive(engine: &mut dyn Engine, program: &Program) -> (Vec<u32>, Vec<u32>, Vec<u32>) {
        let layout = program.control_layout();
        engine
            .write_control(layout.tenant_enabled as u64, &[1])
            .unwrap();
        engine.resize_buffer(0, 6).unwrap();
        engine.write_buffer(0, 0, &[1, 2, 3, 4, 5, 6]).unwrap();
        engine.resize_buffer(1, 1).unwrap();
        for (p, opcode) in [(Priority::Normal, SUM), (Priority::High, SPIN)] {
            let mut entry = [0u32; SLOT_WORDS as usize];
            entry[slot::OPCODE as usize] = opcode;
            entry[slot::PRIORITY as usize] = p as u32;
            engine
                .write_ring(program.config().inbox_base(p.index()), &entry)
                .unwrap();
            engine
                .write_control((ctrl::INBOX_TAIL + p as u32) as u64, &[1])
                .unwrap();
        }
        let summary = engine.submit(10).unwrap().summary;
        let acc = engine.read_buffer(1, 0, 1).unwrap();
        let log = engine.read_control(layout.fault_log as u64, 8).unwrap();
        (summary, acc, log)
    }

    #[test]
    fn a_task_runner_plugs_in_and_matches_the_reference() {
        let program = program();
        let machine = CpuMachine::new(program.clone(), 4).unwrap();
        let mut native = CpuEngine::new(machine, SequentialWork::new(Twin { fail: false }));
        assert_eq!(native.kind(), BackendKind::Native);
        assert_eq!(native.adapter(), "twin (CPU, 4 lanes, sequential)");
        let mut reference = ReferenceEngine::new(&program, 4, 3).unwrap();
        let a = drive(&mut native, &program);
        let b = drive(&mut reference, &program);
        assert_eq!(a, b);
        let (summary, acc, log) = a;
        assert_eq!(acc, [21]);
        assert_eq!(summary[ctrl::EXECUTED as usize], 6);
        assert_eq!(summary[ctrl::SPAWNED as usize], 5);
        assert_eq!(summary[ctrl::FAULTED as usize], 1);
        assert_eq!(log[2..4], [fault::LOOP_LIMIT, 7]);
        let by_priority = &summary[ctrl::EXECUTED_BY_PRIORITY as usize..][..PRIORITIES];
        assert_eq!(by_priority, [0, 0, 1, 5, 0]);
    }

    #[test]
    fn a_runner_error_aborts_the_submission() {
        let program = program();
        let machine = CpuMachine::new(program.clone(), 1).unwrap();
        let mut native = CpuEngine::new(machine, SequentialWork::new(Twin { fail: true }));
        native
            .write_control(program.control_layout().tenant_enabled as u64, &[1])
            .unwrap();
        let mut entry = [0u32; SLOT_WORDS as usize];
        entry[slot::OPCODE as usize] = SUM;
        native
            .write_ring(program.config().inbox_base(0), &entry)
            .unwrap();
        native.write_control(ctrl::INBOX_TAIL as u64, &[1]).unwrap();
        assert!(matches!(
            native.submit(1),
            Err(Error::BackendUnavailable { .. })
        ));
    }

    #[test]
    fn task_context_suppresses_side_effects_after_a_fault() {
        let program = program();
        let mut machine = CpuMachine::new(program.clone(), 1).unwrap();
        machine.resize_buffer(0, 2).unwrap();
        machine.resize_buffer(1, 1).unwrap();
        let mut lane = machine.begin_lane(0);
        let task = Claimed {
            slot: 0,
            opcode: SUM,
            handler: Some(0),
            tenant: 0,
            priority: 0,
            args: [0; crate::protocol::MAX_ARGS],
        };
        let mut ctx = TaskContext::new(&mut machine, &mut lane, &task, 0);
        assert_eq!(ctx.load(0, 5), 0);
        assert!(ctx.faulted());
        ctx.fault(TaskFault::divide_by_zero());
        assert_eq!(ctx.state().fault(), Some(TaskFault::out_of_bounds(5)));
        assert_eq!(ctx.atomic(1, AtomicOp::FetchAdd, 0, 9), 0);
        ctx.atomic_store(1, 0, 9);
        assert_eq!(ctx.compare_exchange(1, 0, 0, 9), (0, false));
        ctx.store(0, 0, 9);
        assert!(!ctx.spawn(0, SUM, &[1]));
        ctx.printf(0, &[1]);
        ctx.shutdown();
        assert_eq!(ctx.lane(), 0);
        assert_eq!(ctx.arg(99), 0);
        assert_eq!(machine.buffer(0), Some(&[0, 0][..]));
        assert_eq!(machine.buffer(1), Some(&[0][..]));
        assert_eq!(machine.ctrl()[ctrl::SPAWNED as usize], 0);
        assert_eq!(machine.ctrl()[ctrl::PRINTF_COUNT as usize], 0);
        assert!(!machine.shutdown_requested());
    }
}
