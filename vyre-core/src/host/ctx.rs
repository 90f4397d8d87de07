//! [`Ctx`]: a handler's view of the scheduler, on the host.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::rc::Rc;

use super::native;
use super::task::Task;
use crate::ir::Literal;
use crate::protocol::Priority;
use crate::report::FaultKind;

/// Which task a [`Ctx`] runs: what `ctx.lane()`, `ctx.slot()`,
/// `ctx.tenant()` and `ctx.priority()` return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskInfo {
    /// The executing lane.
    pub lane: u32,
    /// The ring slot of the task.
    pub slot: u32,
    /// The task's tenant.
    pub tenant: u32,
    /// The task's priority.
    pub priority: Priority,
}

impl Default for TaskInfo {
    fn default() -> Self {
        TaskInfo {
            lane: 0,
            slot: 0,
            tenant: 0,
            priority: Priority::Normal,
        }
    }
}

/// Where a [`Ctx`] sends spawns and shutdown requests when a backend (the
/// native one) runs the handler, instead of recording them.
pub trait CtxSink: Send {
    /// Queues `task` at `priority` for the spawner `from`; false when the
    /// target partition is full (the spawn is counted as an overflow).
    fn spawn(&mut self, from: &TaskInfo, priority: Priority, task: Task) -> bool;
    /// `ctx.shutdown()`.
    fn shutdown(&mut self, from: &TaskInfo);
    /// `ctx.request(..)` of the task `from`; false when refused (no request
    /// slot left). A sink that serves no requests refuses them all.
    fn request(&mut self, from: &TaskInfo, request: &Requested) -> bool {
        let _ = (from, request);
        false
    }
}

/// A spawn recorded by a [`Ctx`] that runs without a sink.
#[derive(Debug, Clone, PartialEq)]
pub struct Spawned {
    /// The priority asked for.
    pub priority: Priority,
    /// The task.
    pub task: Task,
    /// What `spawn` returned (false past the spawn capacity).
    pub accepted: bool,
}

/// A request recorded by a [`Ctx`] that runs without a sink.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requested {
    /// The continuation's priority.
    pub priority: Priority,
    /// The request kind.
    pub kind: u32,
    /// The request's argument words.
    pub args: Vec<u32>,
    /// The continuation's opcode.
    pub opcode: u32,
    /// The continuation's given words.
    pub given: Vec<u32>,
}

#[derive(Debug, Default)]
struct Records {
    spawns: Vec<Spawned>,
    requests: Vec<Requested>,
    shutdown: bool,
    capacity: Option<usize>,
}

enum Mode {
    Record(Records),
    Sink(Box<dyn CtxSink>),
}

/// The lane's view of the scheduler: `lane()`, `slot()`, `tenant()`,
/// `priority()`, `spawn(priority, task)`, `fault(code)`, `shutdown()`.
///
/// Made with [`Ctx::new`], it records spawns and shutdown requests for
/// tests; [`Ctx::run`] / [`Ctx::call`] also catch faults and capture
/// printf lines, returning an [`Outcome`]. A backend makes one with
/// [`Ctx::with_sink`] and points it at each task with
/// [`set_task`](Ctx::set_task).
pub struct Ctx {
    task: Cell<TaskInfo>,
    loop_limit: Cell<u32>,
    mode: RefCell<Mode>,
}

impl fmt::Debug for Ctx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ctx")
            .field("task", &self.task.get())
            .field("loop_limit", &self.loop_limit.get())
            .finish_non_exhaustive()
    }
}

impl Default for Ctx {
    fn default() -> Self {
        Ctx::new()
    }
}

/// The result of running a handler through [`Ctx::run`]: its value or
/// fault, and what it asked the scheduler for.
#[derive(Debug)]
pub struct Outcome<R = ()> {
    /// The closure's value, or the fault that ended the task.
    pub result: Result<R, FaultKind>,
    /// Spawns made during the run, in order.
    pub spawns: Vec<Spawned>,
    /// `printf!` lines printed during the run, rendered.
    pub prints: Vec<String>,
    /// Whether the handler called `ctx.shutdown()`.
    pub shutdown: bool,
}

impl<R> Outcome<R> {
    /// True when the task completed without a fault.
    pub fn is_done(&self) -> bool {
        self.result.is_ok()
    }

    /// The fault that ended the task, if any.
    pub fn fault(&self) -> Option<FaultKind> {
        self.result.as_ref().err().copied()
    }

    /// The tasks spawned, in order (accepted or not).
    pub fn tasks(&self) -> Vec<&Task> {
        self.spawns.iter().map(|s| &s.task).collect()
    }

    /// The value.
    ///
    /// # Panics
    ///
    /// When the task faulted.
    #[track_caller]
    pub fn unwrap(self) -> R {
        match self.result {
            Ok(v) => v,
            Err(k) => panic!("the task faulted: {}", super::describe_fault(&k)),
        }
    }
}

/// A spawn priority: a [`Priority`] or its index as `u32` (0 = CRITICAL ..
/// 4 = IDLE; anything larger faults the task with `BadPriority`).
#[diagnostic::on_unimplemented(
    message = "a spawn priority is a `Priority` or a `u32` index, not `{Self}`",
    label = "expected `Priority::Critical` … `Priority::Idle`, or a u32 0 ..= 4"
)]
pub trait SpawnPriority {
    /// The priority word.
    fn priority_word(self) -> u32;
}

impl SpawnPriority for Priority {
    fn priority_word(self) -> u32 {
        self as u32
    }
}

impl SpawnPriority for u32 {
    fn priority_word(self) -> u32 {
        self
    }
}

impl Ctx {
    /// A context for tests: lane 0, slot 0, tenant 0, NORMAL priority,
    /// recording spawns (every spawn succeeds) and shutdown, with the
    /// default per-task loop limit of a program (65,536) under
    /// [`run`](Ctx::run).
    pub fn new() -> Self {
        Ctx {
            task: Cell::new(TaskInfo::default()),
            loop_limit: Cell::new(crate::ProgramConfig::default().loop_limit),
            mode: RefCell::new(Mode::Record(Records::default())),
        }
    }

    /// A context whose spawns and shutdown requests go to `sink`.
    pub fn with_sink(task: TaskInfo, sink: Box<dyn CtxSink>) -> Self {
        Ctx {
            task: Cell::new(task),
            loop_limit: Cell::new(crate::ProgramConfig::default().loop_limit),
            mode: RefCell::new(Mode::Sink(sink)),
        }
    }

    /// Sets the lane `ctx.lane()` returns.
    pub fn with_lane(self, lane: u32) -> Self {
        self.update(|t| t.lane = lane);
        self
    }

    /// Sets the slot `ctx.slot()` returns.
    pub fn with_slot(self, slot: u32) -> Self {
        self.update(|t| t.slot = slot);
        self
    }

    /// Sets the tenant `ctx.tenant()` returns.
    pub fn with_tenant(self, tenant: u32) -> Self {
        self.update(|t| t.tenant = tenant);
        self
    }

    /// Sets the priority `ctx.priority()` returns.
    pub fn with_priority(self, priority: Priority) -> Self {
        self.update(|t| t.priority = priority);
        self
    }

    /// Makes spawns fail (return false) once `capacity` have succeeded, as
    /// when the target partition is full.
    pub fn with_spawn_capacity(self, capacity: usize) -> Self {
        if let Mode::Record(r) = &mut *self.mode.borrow_mut() {
            r.capacity = Some(capacity);
        }
        self
    }

    /// Sets the per-task loop limit that [`run`](Ctx::run) enforces
    /// (`u32::MAX`: none).
    pub fn with_loop_limit(self, limit: u32) -> Self {
        self.loop_limit.set(limit);
        self
    }

    fn update(&self, f: impl FnOnce(&mut TaskInfo)) {
        let mut t = self.task.get();
        f(&mut t);
        self.task.set(t);
    }

    /// Points the context at another task (backends reuse one context).
    pub fn set_task(&self, task: TaskInfo) {
        self.task.set(task);
    }

    /// The task the context runs.
    pub fn task(&self) -> TaskInfo {
        self.task.get()
    }

    /// The global index of the executing lane.
    pub fn lane(&self) -> u32 {
        self.task.get().lane
    }

    /// The ring slot of the running task.
    pub fn slot(&self) -> u32 {
        self.task.get().slot
    }

    /// The tenant of the running task.
    pub fn tenant(&self) -> u32 {
        self.task.get().tenant
    }

    /// The priority of the running task.
    pub fn priority(&self) -> Priority {
        self.task.get().priority
    }

    /// Queues `task` at `priority`, for the running task's tenant. Returns
    /// false when the target partition is full: the task is not queued and
    /// the overflow is counted. On the GPU, slots that lanes have reserved
    /// for runs of spawns (this lane's own, once its spawns moved to
    /// another partition) count as taken until the next pass
    /// (`docs/protocol.md`, "Spawn"). A priority index above 4 faults the
    /// task.
    pub fn spawn(&self, priority: impl SpawnPriority, task: Task) -> bool {
        let word = priority.priority_word();
        let Some(priority) = Priority::from_index(word) else {
            native::raise(FaultKind::BadPriority { priority: word })
        };
        let from = self.task.get();
        match &mut *self.mode.borrow_mut() {
            Mode::Record(r) => {
                let accepted = r
                    .capacity
                    .is_none_or(|c| r.spawns.iter().filter(|s| s.accepted).count() < c);
                r.spawns.push(Spawned {
                    priority,
                    task,
                    accepted,
                });
                accepted
            }
            Mode::Sink(s) => s.spawn(&from, priority, task),
        }
    }

    /// Ends the task: the slot is reported as faulted with a user fault
    /// carrying `code`.
    #[track_caller]
    pub fn fault(&self, code: u32) -> ! {
        native::raise(FaultKind::User { code })
    }

    /// Asks the scheduler to stop after this round.
    pub fn shutdown(&self) {
        let from = self.task.get();
        match &mut *self.mode.borrow_mut() {
            Mode::Record(r) => r.shutdown = true,
            Mode::Sink(s) => s.shutdown(&from),
        }
    }

    /// Hands a request to the sink, or records it (taken, as a spawn
    /// within the capacity is).
    pub(super) fn send_request(&self, request: Requested) -> bool {
        let from = self.task.get();
        match &mut *self.mode.borrow_mut() {
            Mode::Record(r) => {
                r.requests.push(request);
                true
            }
            Mode::Sink(s) => s.request(&from, &request),
        }
    }

    /// The requests recorded so far (empty with a sink).
    pub fn requested(&self) -> Vec<Requested> {
        match &*self.mode.borrow() {
            Mode::Record(r) => r.requests.clone(),
            Mode::Sink(_) => Vec::new(),
        }
    }

    /// The spawns recorded so far (empty with a sink).
    pub fn spawned(&self) -> Vec<Spawned> {
        match &*self.mode.borrow() {
            Mode::Record(r) => r.spawns.clone(),
            Mode::Sink(_) => Vec::new(),
        }
    }

    /// Whether `shutdown()` was called (always false with a sink).
    pub fn shutdown_requested(&self) -> bool {
        match &*self.mode.borrow() {
            Mode::Record(r) => r.shutdown,
            Mode::Sink(_) => false,
        }
    }

    /// Runs `f` as one task would run: in fault mode with this context's
    /// loop limit, catching faults (`ctx.fault`, out-of-bounds indices,
    /// division by zero, the loop limit) and capturing `printf!` lines.
    /// Spawns and shutdown made during the run are moved into the
    /// [`Outcome`]. Panics that are not faults (a failed assertion, a
    /// debug-build overflow) propagate.
    pub fn run<R>(&self, f: impl FnOnce(&Ctx) -> R) -> Outcome<R> {
        let lines = Rc::new(RefCell::new(Vec::new()));
        let sink = Rc::clone(&lines);
        let previous = native::set_print_hook(Some(Box::new(move |format, args: &[Literal]| {
            sink.borrow_mut().push(super::render(format, args));
        })));
        let result = {
            let _mode = native::enter(self.loop_limit.get());
            native::catch(|| f(self))
        };
        native::set_print_hook(previous);
        let (spawns, shutdown) = match &mut *self.mode.borrow_mut() {
            Mode::Record(r) => (
                std::mem::take(&mut r.spawns),
                std::mem::take(&mut r.shutdown),
            ),
            Mode::Sink(_) => (Vec::new(), false),
        };
        let prints = std::mem::take(&mut *lines.borrow_mut());
        let result = match result {
            Ok(v) => Ok(v),
            Err(native::Caught::Fault(k)) => Err(k),
            Err(native::Caught::Panic(p)) => std::panic::resume_unwind(p),
        };
        Outcome {
            result,
            spawns,
            prints,
            shutdown,
        }
    }

    /// [`Ctx::new`]`.run(f)`: runs a handler once as a task.
    ///
    /// ```
    /// use vyre_core::host::{Buffer, Ctx};
    ///
    /// fn scale(ctx: &Ctx, data: &mut Buffer<u32>, i: u32, k: u32) {
    ///     if k == 0 {
    ///         ctx.fault(1);
    ///     }
    ///     data[i] *= k;
    /// }
    ///
    /// let mut data = Buffer::from(vec![1u32, 2, 3]);
    /// assert!(Ctx::call(|ctx| scale(ctx, &mut data, 1, 10)).is_done());
    /// assert_eq!(data.as_slice(), &[1, 20, 3]);
    /// let out = Ctx::call(|ctx| scale(ctx, &mut data, 1, 0));
    /// assert_eq!(out.fault(), Some(vyre_core::FaultKind::User { code: 1 }));
    /// ```
    pub fn call<R>(f: impl FnOnce(&Ctx) -> R) -> Outcome<R> {
        Ctx::new().run(f)
    }
}
