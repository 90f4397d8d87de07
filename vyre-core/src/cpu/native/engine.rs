//! [`NativeEngine`]: the shared CPU machine, with a work pass that calls
//! the original Rust functions.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::memory::Memory;
use crate::cpu::{Claimed, CpuMachine, TaskFault, TaskState, WorkPass};
use crate::engine::{BackendKind, Engine, Submission};
use crate::engine::{RequestServer, ServedRequest};
use crate::error::{Error, Result};
use crate::host::native::{self as hooks, Caught};
use crate::host::Task;
use crate::host::{Ctx, CtxSink, TaskInfo};
use crate::ir::Literal;
use crate::program::NativeFn;
use crate::program::Program;
use crate::protocol::{Priority, MAX_ARGS, PRINTF_MAX_ARGS};
use crate::report::FaultKind;

/// The native backend's engine: a [`CpuMachine`] (ring, control block,
/// passes, lane primitives — the code every CPU backend shares) whose work
/// pass runs each claimed task by calling the handler's original Rust
/// function on the program's [`HostBuffers`](crate::host::HostBuffers).
///
/// Lanes run one after another, each through the protocol's claim loop
/// (budgets, starvation streaks, shutdown), one task at a time to
/// completion: one legal schedule of the GPU's lanes. Inside a task:
/// - `ctx.spawn`, `ctx.shutdown()` and `printf!` go to the machine
///   ([`CpuMachine::spawn`], [`shutdown`](CpuMachine::shutdown),
///   [`printf`](CpuMachine::printf)), through a [`Ctx`] made with
///   [`Ctx::with_sink`] and the thread's print hook;
/// - `ctx.lane()`, `slot()`, `tenant()`, `priority()` are the claimed
///   task's ([`Ctx::set_task`]);
/// - faults (an index out of bounds, integer division or remainder by
///   zero, [`loop_tick`](crate::host::loop_tick) past the program's
///   `loop_limit`, `ctx.fault(code)`, a spawn priority above 4) unwind
///   out of the function in the host's fault mode
///   ([`host::native`](crate::host::native)) and are recorded like on
///   every backend: the same fault record, status FAULT, `FAULTED += 1`.
///   Side effects made before the fault stay, as on the GPU, where a
///   handler ends after the faulting statement.
///
/// A panic that is not a fault (a failed `assert!`, an overflow in a
/// debug build: the GPU would have wrapped, see `docs/language.md`) aborts
/// the submission with [`Error::NativeHandler`].
#[derive(Debug)]
pub struct NativeEngine {
    machine: CpuMachine,
    work: NativeWork,
    /// Whether the program [places and runs](Program::places_and_runs)
    /// (read once: it walks every handler).
    places_and_runs: bool,
    /// The next submission starts with the place pass
    /// ([`Engine::next_starts_on_empty_ring`]).
    place_next: bool,
}

impl NativeEngine {
    /// The engine of `program`, run by `lanes` lanes.
    ///
    /// Errors: [`Error::BackendUnavailable`] when the program has no
    /// [`native table`](Program::native) or lacks the function of one of
    /// its handlers; the errors of [`CpuMachine::new`].
    pub fn new(program: impl Into<Arc<Program>>, lanes: u32) -> Result<NativeEngine> {
        let program = program.into();
        let unavailable = |reason: String| Error::BackendUnavailable {
            backend: "native".into(),
            reason,
        };
        let table = program.native().ok_or_else(|| {
            unavailable(format!(
                "program `{}` has no native functions (only programs made by `megakernel!` \
                 carry them); run it on the reference or wgpu backend",
                program.name()
            ))
        })?;
        let mut fns = Vec::with_capacity(program.handlers().len());
        for h in program.handlers() {
            let f = table.get(h.id).ok_or_else(|| {
                unavailable(format!(
                    "opcode `{}` (id {:#x}) of program `{}` has no native function",
                    h.name,
                    h.id,
                    program.name()
                ))
            })?;
            fns.push(f);
        }
        let bindings = (0..program.handlers().len())
            .map(|h| {
                (0..program.handlers()[h].buffers.len())
                    .map(|p| program.binding(h, p))
                    .collect()
            })
            .collect();
        let mut formats = vec![Vec::new(); program.handlers().len()];
        for (id, f) in program.printf_formats().iter().enumerate() {
            if let Some(list) = formats.get_mut(f.handler) {
                list.push((f.format.clone(), id as u32));
            }
        }
        let names = program.handlers().iter().map(|h| h.name.clone()).collect();
        let machine = CpuMachine::new(Arc::clone(&program), lanes)?;
        Ok(NativeEngine {
            machine,
            places_and_runs: program.places_and_runs(),
            place_next: false,
            work: NativeWork {
                memory: Memory::new(&program),
                fns,
                bindings,
                names,
                env: Arc::new(Mutex::new(Env {
                    machine: None,
                    handler: 0,
                    lane: 0,
                    ticket: 0,
                    formats,
                    error: None,
                    handlers: None,
                    served: Vec::new(),
                })),
            },
        })
    }

    /// The ring and control memory (the user buffers live in
    /// [`buffers`](Self::buffers)).
    pub fn machine(&self) -> &CpuMachine {
        &self.machine
    }

    /// The program's buffers, as the handlers see them.
    pub fn buffers(&self) -> &crate::host::HostBuffers {
        &self.work.memory.buffers
    }
}

impl Engine for NativeEngine {
    fn kind(&self) -> BackendKind {
        BackendKind::Native
    }

    fn adapter(&self) -> String {
        self.work.describe(self.machine.lanes())
    }

    fn lanes(&self) -> u32 {
        self.machine.lanes()
    }

    forward_protocol_memory!(machine);

    fn write_buffer(&mut self, buffer: usize, offset: u64, words: &[u32]) -> Result<()> {
        self.work.memory.write(buffer, offset, words)
    }

    fn read_buffer(&mut self, buffer: usize, offset: u64, len: u64) -> Result<Vec<u32>> {
        self.work.memory.read(buffer, offset, len)
    }

    fn resize_buffer(&mut self, buffer: usize, len: u64) -> Result<()> {
        self.work.memory.resize(buffer, len)
    }

    fn buffer_len(&self, buffer: usize) -> u64 {
        self.work.memory.len(buffer)
    }

    fn submit(&mut self, rounds: u32) -> Result<Submission> {
        let place = std::mem::take(&mut self.place_next);
        self.machine.submit(&mut self.work, rounds, place)
    }

    fn next_starts_on_empty_ring(&mut self, _inbox_fits: bool) -> bool {
        // Rounds with nothing to run cost the CPU next to nothing; they
        // maintain as usual after the placing lead.
        self.place_next = self.places_and_runs;
        false
    }

    fn serve_requests_with(&mut self, server: Arc<dyn RequestServer>) {
        lock(&self.work.env).handlers = Some(server);
    }

    fn take_served_requests(&mut self) -> Vec<ServedRequest> {
        std::mem::take(&mut lock(&self.work.env).served)
    }
}

/// What the task-side glue (the [`Ctx`] sink and the print hook) reaches
/// while a work pass runs: the machine, moved in for the pass, and which
/// task is running.
#[derive(Debug)]
struct Env {
    /// The machine, while a work pass runs.
    machine: Option<CpuMachine>,
    /// Program index of the running handler.
    handler: usize,
    /// The running lane.
    lane: u32,
    /// The running task's ticket word (its spawns may inherit it).
    ticket: u32,
    /// Per handler: its printf formats and their ids.
    formats: Vec<Vec<(String, u32)>>,
    /// A problem the glue met (a printf format the program does not
    /// know), reported when the task returns.
    error: Option<String>,
    /// The runtime's request handlers: a request is served inside its
    /// task (without them, it goes to the request slots).
    handlers: Option<Arc<dyn RequestServer>>,
    /// Requests served inside tasks, for the runtime after the submission
    /// (which lands their replies' writes then: the task that made one may
    /// hold the buffers now).
    served: Vec<ServedRequest>,
}

fn lock(env: &Mutex<Env>) -> MutexGuard<'_, Env> {
    // Nothing panics while the lock is held; recover the data anyway.
    env.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The [`CtxSink`] of the native backend: spawns and shutdown requests go
/// to the machine of the running pass.
struct Sink(Arc<Mutex<Env>>);

impl CtxSink for Sink {
    fn spawn(&mut self, from: &TaskInfo, priority: Priority, task: Task) -> bool {
        let mut words = [0u32; MAX_ARGS];
        words[..task.words().len()].copy_from_slice(task.words());
        let mut env = lock(&self.0);
        let ticket = env.ticket;
        match env.machine.as_mut() {
            // The priority is a `Priority`: `spawn` cannot refuse it.
            Some(m) => m
                .spawn(priority as u32, task.opcode(), from.tenant, ticket, &words)
                .unwrap_or(false),
            None => false,
        }
    }

    fn shutdown(&mut self, _from: &TaskInfo) {
        if let Some(m) = lock(&self.0).machine.as_mut() {
            m.shutdown();
        }
    }

    fn request(&mut self, from: &TaskInfo, r: &crate::host::Requested) -> bool {
        let mut env = lock(&self.0);
        let ticket = env.ticket;
        let Some(handlers) = env.handlers.clone() else {
            // No runtime's handlers (an engine used on its own): into the
            // machine's request slots, as on every other backend.
            let mut words = r.args.clone();
            words.extend_from_slice(&r.given);
            let head = crate::cpu::sched::RequestHead {
                kind: r.kind,
                priority: r.priority as u32,
                opcode: r.opcode,
                arg_words: r.args.len() as u32,
            };
            return match env.machine.as_mut() {
                Some(m) => m
                    .request(head, from.tenant, ticket, &words)
                    .unwrap_or(false),
                None => false,
            };
        };
        let Some(machine) = env.machine.as_mut() else {
            return false;
        };
        // The native backend runs on the host: the handler is called now,
        // inside the requesting task, and the continuation (or its fault)
        // goes to the runtime after the submission, as a reply from the
        // request slots would.
        let program = Arc::clone(&machine.program);
        let continuation_ticket = machine.request_served(ticket);
        let call = crate::engine::HostRequest {
            kind: r.kind,
            args: &r.args,
            tenant: from.tenant,
        };
        let outcome = handlers.serve(&program, &call, r.opcode, &r.given);
        env.served.push(ServedRequest {
            kind: r.kind,
            priority: r.priority as u32,
            opcode: r.opcode,
            tenant: from.tenant,
            ticket: continuation_ticket,
            outcome,
        });
        true
    }
}

/// `printf!` inside a native task: the record the GPU would write.
fn print(env: &Mutex<Env>, format: &'static str, args: &[Literal]) {
    let mut words = [0u32; PRINTF_MAX_ARGS];
    for (w, a) in words.iter_mut().zip(args) {
        *w = a.to_word();
    }
    let mut env = lock(env);
    let (handler, lane) = (env.handler, env.lane);
    let id = env
        .formats
        .get(handler)
        .and_then(|list| list.iter().find(|(f, _)| f == format))
        .map(|&(_, id)| id);
    match (id, env.machine.as_mut()) {
        (Some(id), Some(m)) => m.printf(id, &words, lane),
        _ => {
            env.error.get_or_insert_with(|| {
                format!("printed the format {format:?}, which its IR does not contain (a bug in the #[opcode] translator)")
            });
        }
    }
}

/// The protocol's fault words of a host fault.
fn task_fault(kind: FaultKind) -> TaskFault {
    let detail = match kind {
        FaultKind::OutOfBounds { index } => index,
        FaultKind::LoopLimit { limit } => limit,
        FaultKind::User { code } => code,
        FaultKind::BadPriority { priority } => priority,
        FaultKind::LoopCut { iterations } => iterations,
        FaultKind::Unknown { detail, .. } => detail,
        FaultKind::Request { kind, .. } => kind,
        FaultKind::DivideByZero | FaultKind::UnknownOpcode | FaultKind::BadTenant => 0,
    };
    TaskFault {
        code: kind.code(),
        detail,
    }
}

/// The work pass of the native backend.
#[derive(Debug)]
struct NativeWork {
    memory: Memory,
    /// Per handler (program order): its function.
    fns: Vec<NativeFn>,
    /// Per handler: program buffer of each buffer parameter.
    bindings: Vec<Vec<usize>>,
    /// Per handler: its name, for errors.
    names: Vec<String>,
    env: Arc<Mutex<Env>>,
}

/// Puts the machine back where the work pass found it, even if the pass
/// unwinds.
struct Restore<'a> {
    machine: &'a mut CpuMachine,
    env: Arc<Mutex<Env>>,
}

impl Drop for Restore<'_> {
    fn drop(&mut self) {
        if let Some(m) = lock(&self.env).machine.take() {
            *self.machine = m;
        }
    }
}

impl NativeWork {
    /// Runs every lane; the machine is in `self.env`.
    fn run_lanes(&mut self, lanes: u32, loop_limit: u32) -> Result<()> {
        let ctx = Ctx::with_sink(TaskInfo::default(), Box::new(Sink(Arc::clone(&self.env))));
        let hook_env = Arc::clone(&self.env);
        let previous_hook = hooks::set_print_hook(Some(Box::new(move |format, args| {
            print(&hook_env, format, args)
        })));
        let result = {
            let _mode = hooks::enter(loop_limit);
            self.lanes(&ctx, lanes)
        };
        hooks::set_print_hook(previous_hook);
        result
    }

    fn lanes(&mut self, ctx: &Ctx, lanes: u32) -> Result<()> {
        for lane in 0..lanes {
            let mut sched = match lock(&self.env).machine.as_ref() {
                Some(m) => m.begin_lane(lane),
                None => return Ok(()),
            };
            // The task that just ran, finished under the same lock that
            // claims the next: one lock a task (it is most of what a
            // trivial task costs here).
            let mut ran: Option<(Claimed, TaskState)> = None;
            loop {
                let task = {
                    let mut env = lock(&self.env);
                    if let Some(problem) = env.error.take() {
                        // Met by the glue while the last task ran.
                        return Err(self.error(env.handler, problem));
                    }
                    let Some(m) = env.machine.as_mut() else {
                        return Ok(());
                    };
                    if let Some((task, state)) = ran.take() {
                        m.finish_task(&task, &state, lane);
                    }
                    let Some(task) = m.claim(&mut sched) else {
                        break;
                    };
                    let Some(handler) = task.handler else {
                        m.fault(&task, TaskFault::unknown_opcode(task.opcode), lane);
                        continue;
                    };
                    env.handler = handler;
                    env.lane = lane;
                    env.ticket = task.ticket;
                    (task, handler)
                };
                let state = self.run_task(ctx, &task.0, task.1, lane, &mut sched.iterations)?;
                ran = Some((task.0, state));
            }
            if let Some(m) = lock(&self.env).machine.as_mut() {
                m.end_lane(&sched);
                // The remaining lanes would find no ticket and leave at
                // once: skipping them is the same schedule, and keeps the
                // many lanes of the default dispatch as cheap as the work.
                if !m.tickets_left() {
                    break;
                }
            }
        }
        Ok(())
    }

    /// Runs one claimed task; returns its state (its fault, if any) and
    /// adds its loop iterations to the lane's.
    fn run_task(
        &mut self,
        ctx: &Ctx,
        task: &Claimed,
        handler: usize,
        lane: u32,
        lane_iterations: &mut u32,
    ) -> Result<TaskState> {
        ctx.set_task(TaskInfo {
            lane,
            slot: task.slot,
            tenant: task.tenant,
            priority: Priority::from_index(task.priority).unwrap_or(Priority::Normal),
        });
        let (Some(&f), Some(bindings)) = (self.fns.get(handler), self.bindings.get(handler)) else {
            return Err(self.error(handler, "has no native function".into()));
        };
        let buffers = &self.memory.buffers;
        hooks::begin_task();
        let result = hooks::catch(|| f(ctx, buffers, bindings, &task.args));
        *lane_iterations = lane_iterations.wrapping_add(hooks::loop_count());
        // A problem the glue met during the task (`env.error`) is reported
        // when the lane next takes the lock, before the task is finished.
        let mut state = TaskState::new();
        match result {
            Ok(()) => {}
            Err(Caught::Fault(kind)) => {
                state.record(task_fault(kind));
            }
            Err(caught) => {
                let message = caught.message().unwrap_or("a non-string payload");
                return Err(self.error(
                    handler,
                    format!(
                        "panicked: {message} (a panic that is not a GPU fault; integer \
                         arithmetic that may overflow must use wrapping_* methods)"
                    ),
                ));
            }
        }
        Ok(state)
    }

    fn error(&self, handler: usize, problem: String) -> Error {
        Error::NativeHandler {
            opcode: self.names.get(handler).cloned().unwrap_or_default(),
            problem,
        }
    }
}

impl CpuMachine {
    /// A machine of the same program with no memory: what stands in the
    /// engine while the work pass has moved the real one into [`Env`].
    fn placeholder(&self) -> CpuMachine {
        CpuMachine {
            program: Arc::clone(&self.program),
            layout: self.layout,
            partitions: self.partitions,
            lanes: self.lanes,
            bindings: Vec::new(),
            ring: Vec::new(),
            inbox: Vec::new(),
            ctrl: Vec::new(),
            buffers: Vec::new(),
            ticket_log_words: self.ticket_log_words,
            free_lists: self.free_lists,
            placing: None,
        }
    }
}

impl WorkPass for NativeWork {
    fn kind(&self) -> BackendKind {
        BackendKind::Native
    }

    fn describe(&self, lanes: u32) -> String {
        format!("native (CPU, {lanes} lanes, sequential)")
    }

    fn run(&mut self, machine: &mut CpuMachine) -> Result<()> {
        let lanes = machine.lanes();
        let loop_limit = machine.program().config().loop_limit;
        let owned = std::mem::replace(machine, machine.placeholder());
        lock(&self.env).machine = Some(owned);
        let _restore = Restore {
            machine,
            env: Arc::clone(&self.env),
        };
        self.run_lanes(lanes, loop_limit)
    }
}
