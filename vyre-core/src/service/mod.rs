//! Service mode: a long-lived [`Service`] keeps a megakernel fed while work
//! keeps arriving from any number of threads, and answers every publish
//! call with a [`Ticket`] that resolves once its tasks have ended.
//!
//! A driver thread owns the [`Runtime`]. Publishing threads check their
//! call (opcode, arguments, tenant, room in the backlog) and queue it in a
//! shard of their own (`inflow.rs`); the driver takes the queued calls into
//! the runtime, each with an entry of the device's ticket table
//! (`docs/protocol.md`, "Tickets"), runs one submission at a time while
//! there is runnable work — starting the next one at once for CRITICAL
//! calls that arrive while a submission runs, so that two are in flight
//! ("overtaking", `docs/protocol.md`, "Service mode") —, resolves the
//! tickets the device reports ended, and parks when there is nothing to do
//! (`driver.rs`).
//!
//! ```
//! # use vyre_core::ir::{Access, BufferKind, HandlerBuilder, ScalarType};
//! # use vyre_core::{Gpu, Priority, Program, Runtime, Service, ServiceOptions, Task};
//! # use vyre_core::ir::Literal;
//! # let mut h = HandlerBuilder::new(1, "bump");
//! # let hits = h.buffer("hits", ScalarType::U32, Access::Atomic);
//! # let i = h.arg("i", ScalarType::U32);
//! # h.body(|b| b.eval(hits.fetch_add(i, 1u32)));
//! # let program = Program::builder("p")
//! #     .buffer("hits", BufferKind::atomic(ScalarType::U32))
//! #     .opcode(h.finish()?).build()?;
//! let mut rt = Runtime::new(&Gpu::reference(), program)?;
//! let hits = rt.buffer::<u32>("hits")?;
//! rt.upload(hits, &[0; 4])?;
//! let service = Service::start(rt, ServiceOptions::default())?;
//! let ticket = service.publish(Priority::Critical, Task::new(1, [Literal::U32(2)]))?;
//! assert!(ticket.wait().is_done());
//! assert_eq!(service.with_runtime(move |rt| rt.read(hits))??, vec![0, 0, 1, 0]);
//! let report = service.shutdown();
//! assert!(report.status.books.balanced());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod driver;
mod inflow;
mod ticket;

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub use ticket::{Ticket, TicketOutcome};

use crate::error::{Error, Result};
use crate::host::{Opcode, Task};
use crate::program::Program;
use crate::protocol::{Priority, PRIORITIES};
use crate::report::Fault;
use crate::runtime::{check_task, check_typed, opcode_arity, typed_arity, Accounting, Runtime};
use inflow::{Inflow, Payload, Request};
use ticket::TicketCell;

/// How a [`Service`] runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceOptions {
    /// Accepted tasks not yet ended, at most, per priority: a publish
    /// call that would pass its priority's bound is refused with
    /// [`Error::Backlog`] (or waits for room, in
    /// [`PublishOptions::wait_for_room`] and the `_async` forms). Each
    /// priority has a bound of its own, so that a flood of IDLE work never
    /// takes the room of a CRITICAL call; the service holds at most five
    /// times this many tasks.
    pub backlog: u64,
    /// Rounds in one submission at most. Fewer rounds a submission means
    /// newly published work (a CRITICAL task) waits less for the one in
    /// flight; more means fewer round trips while spawned work keeps the
    /// ring busy. A submission that follows a CRITICAL publish runs only
    /// the rounds CRITICAL work needs, and the driver hands the runtime at
    /// most two submissions' worth of each priority's work at a time (the
    /// rest waits in the driver's queue, behind later CRITICAL calls).
    pub max_rounds_per_submission: u32,
    /// Whether a CRITICAL call that arrives while a submission runs
    /// starts the next submission at once, two in flight (`docs/protocol.md`,
    /// "Service mode", "Overtaking"; on by default). Off, CRITICAL calls
    /// wait for the running submission's summary like every other call.
    /// Programs with printf or device→host requests never overtake.
    pub overtake: bool,
}

impl Default for ServiceOptions {
    fn default() -> Self {
        ServiceOptions {
            backlog: 1 << 24,
            max_rounds_per_submission: 4,
            overtake: true,
        }
    }
}

impl ServiceOptions {
    /// Checks the options.
    pub fn validate(&self) -> Result<()> {
        if self.backlog == 0 {
            return Err(Error::InvalidServiceOption {
                option: "backlog",
                reason: "must be at least 1".into(),
            });
        }
        if !(1..=4096).contains(&self.max_rounds_per_submission) {
            return Err(Error::InvalidServiceOption {
                option: "max_rounds_per_submission",
                reason: format!("{} is outside 1 ..= 4096", self.max_rounds_per_submission),
            });
        }
        Ok(())
    }
}

/// How one publish call is made ([`Service::publisher`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PublishOptions {
    /// The tasks' tenant.
    pub tenant: u32,
    /// Block the calling thread until the backlog has room, instead of
    /// returning [`Error::Backlog`].
    pub wait_for_room: bool,
    /// The ticket also waits for every task the tasks spawn, and theirs
    /// (their faults and refused spawns are reported on it too).
    pub descendants: bool,
}

/// A snapshot of a running service, as of its last submission.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceStatus {
    /// Whether the driver still runs.
    pub running: bool,
    /// Every task by where it is (`published + spawned == executed +
    /// faulted + parked + waiting`; calls accepted but not yet in the
    /// runtime count as published and waiting).
    pub books: Accounting,
    /// Tasks executed per priority, CRITICAL first.
    pub executed_by_priority: [u64; PRIORITIES],
    /// Tickets resolved.
    pub tickets_resolved: u64,
    /// Accepted tasks not yet ended (all priorities).
    pub backlog: u64,
    /// Submissions and rounds run.
    pub submissions: u64,
    /// Rounds run.
    pub rounds: u64,
    /// GPU time of those submissions, where the adapter has timestamp
    /// queries: with the submissions' wall time, how much of a step is the
    /// device's work and how much the round trip around it.
    pub gpu_time: Option<std::time::Duration>,
    /// That GPU time by pass, when `VYRE_PASS_TIMES=1` asked for it (a
    /// diagnostic: where a step's device time goes).
    pub passes: Option<crate::report::PassTimes>,
    /// Submissions started for CRITICAL calls while another was still
    /// running: those calls' tasks ran right after it, without waiting
    /// for its summary to come back first (`docs/protocol.md`, "Service
    /// mode").
    pub overtaking: u64,
}

/// Why a service stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceStop {
    /// [`Service::shutdown`] (or the last handle dropped), after draining.
    Shutdown,
    /// A handler called `ctx.shutdown()`: tickets still open were
    /// resolved with their tasks unfinished.
    HandlerShutdown,
    /// The runtime failed (the message); tickets still open were resolved
    /// with their tasks unfinished.
    Error(String),
}

/// What a service did, once it stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceReport {
    /// Why it stopped.
    pub stop: ServiceStop,
    /// The final status (books exact).
    pub status: ServiceStatus,
    /// Fault records of tasks without a ticket (descendants of tickets
    /// that did not follow them), the first 10,000.
    pub faults: Vec<Fault>,
    /// All such faults.
    pub faults_total: u64,
    /// Printf lines, the first 10,000.
    pub printf: Vec<String>,
    /// All printf lines, those the device dropped included.
    pub printf_total: u64,
    /// From start to stop.
    pub wall_time: Duration,
}

/// A call waiting for the runtime, run by the driver between submissions.
type Call = Box<dyn FnOnce(&mut Runtime) + Send>;

/// What the handles and the driver share.
pub(crate) struct Shared {
    program: Arc<Program>,
    options: ServiceOptions,
    inflow: Inflow,
    stop: AtomicBool,
    /// Calls for the runtime; `None` once the driver has run its last.
    calls: Mutex<Option<Vec<Call>>>,
    status: Mutex<ServiceStatus>,
    /// Why the service stopped, once it has.
    stopped: Mutex<Option<ServiceStop>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Nothing panics while these locks are held; recover the data anyway.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    fn stop_requested(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    fn status_lock(&self) -> MutexGuard<'_, ServiceStatus> {
        lock(&self.status)
    }

    /// Runs the calls waiting for the runtime; returns whether any ran.
    fn run_calls(&self, rt: &mut Runtime) -> bool {
        let calls = match lock(&self.calls).as_mut() {
            Some(calls) if !calls.is_empty() => std::mem::take(calls),
            _ => return false,
        };
        for call in calls {
            call(rt);
        }
        true
    }

    /// The error for a publish call or a runtime call after the stop.
    fn stopped_error(&self) -> Error {
        let reason = match &*lock(&self.stopped) {
            Some(ServiceStop::HandlerShutdown) => "a handler called ctx.shutdown()".to_string(),
            Some(ServiceStop::Error(e)) => format!("the runtime failed: {e}"),
            _ => "shut down".to_string(),
        };
        Error::ServiceStopped { reason }
    }
}

/// The driver thread and what it leaves.
struct Handle {
    shared: Arc<Shared>,
    started: Instant,
    driver: Mutex<Option<JoinHandle<(ServiceStop, driver::Leftovers, Runtime)>>>,
    ended: Mutex<Option<(ServiceReport, Option<Runtime>)>>,
}

impl Handle {
    /// Stops the service (draining) and waits for the driver; the report
    /// of the first call is kept for every later one.
    fn stop(&self) -> ServiceReport {
        self.shared.stop.store(true, Ordering::SeqCst);
        self.shared.inflow.wake();
        // `ended` first: a second caller waits here for the first one's
        // join and reads its report, never a report of a driver that is
        // still draining.
        let mut ended = lock(&self.ended);
        if let Some(driver) = lock(&self.driver).take() {
            let (stop, left, rt) = match driver.join() {
                Ok(done) => (done.0, done.1, Some(done.2)),
                Err(_) => (
                    ServiceStop::Error("the driver thread panicked".into()),
                    driver::Leftovers::default(),
                    None,
                ),
            };
            let report = ServiceReport {
                stop,
                status: self.shared.status_lock().clone(),
                faults: left.faults,
                faults_total: left.faults_total,
                printf: left.printf,
                printf_total: left.printf_total,
                wall_time: self.started.elapsed(),
            };
            *ended = Some((report, rt));
        }
        match &*ended {
            Some((report, _)) => report.clone(),
            None => ServiceReport {
                stop: ServiceStop::Shutdown,
                status: self.shared.status_lock().clone(),
                faults: Vec::new(),
                faults_total: 0,
                printf: Vec::new(),
                printf_total: 0,
                wall_time: self.started.elapsed(),
            },
        }
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A megakernel serving a stream of work: cloneable, `Send + Sync`,
/// publishing from any number of threads; each publish call either is
/// refused at once with a typed error or returns a [`Ticket`]. Dropping
/// the last handle shuts it down as [`shutdown`](Self::shutdown) does.
/// See the [module documentation](self).
#[derive(Clone)]
pub struct Service {
    handle: Arc<Handle>,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service")
            .field("program", &self.handle.shared.program.name())
            .field("status", &self.status())
            .finish()
    }
}

impl Service {
    /// Starts serving `runtime` on a driver thread of its own.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidServiceOption`] for options out of range.
    pub fn start(runtime: Runtime, options: ServiceOptions) -> Result<Service> {
        options.validate()?;
        let program = runtime.program_arc();
        let shared = Arc::new(Shared {
            program,
            options,
            inflow: Inflow::new(options.backlog),
            stop: AtomicBool::new(false),
            calls: Mutex::new(Some(Vec::new())),
            status: Mutex::new(ServiceStatus {
                running: true,
                books: runtime.accounting(),
                ..ServiceStatus::default()
            }),
            stopped: Mutex::new(None),
        });
        let for_driver = Arc::clone(&shared);
        let driver = std::thread::Builder::new()
            .name("vyre-service".into())
            .spawn(move || {
                let (stop, left, mut rt) = driver::drive(Arc::clone(&for_driver), runtime);
                *lock(&for_driver.stopped) = Some(stop.clone());
                // Calls that came in while it stopped still get the runtime.
                let last = lock(&for_driver.calls).take().unwrap_or_default();
                for call in last {
                    call(&mut rt);
                }
                (stop, left, rt)
            })
            .map_err(|e| Error::InvalidServiceOption {
                option: "driver thread",
                reason: e.to_string(),
            })?;
        Ok(Service {
            handle: Arc::new(Handle {
                shared,
                started: Instant::now(),
                driver: Mutex::new(Some(driver)),
                ended: Mutex::new(None),
            }),
        })
    }

    /// The program served.
    pub fn program(&self) -> &Program {
        &self.handle.shared.program
    }

    /// Publishes `task` at `priority` for tenant 0.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownOpcode`], [`Error::ArgumentCount`] /
    /// [`Error::ArgumentType`], [`Error::Backlog`] (no room now),
    /// [`Error::ServiceStopped`]; nothing is published then.
    pub fn publish(&self, priority: Priority, task: Task) -> Result<Ticket> {
        self.publisher(PublishOptions::default())
            .publish(priority, task)
    }

    /// Publishes `task` at `priority` for `tenant`.
    ///
    /// # Errors
    ///
    /// As [`publish`](Self::publish), and [`Error::UnknownTenant`].
    pub fn publish_for(&self, tenant: u32, priority: Priority, task: Task) -> Result<Ticket> {
        self.publisher(PublishOptions {
            tenant,
            ..PublishOptions::default()
        })
        .publish(priority, task)
    }

    /// Publishes one task of opcode `O` per element of `tasks` at
    /// `priority` for tenant 0, under one ticket.
    ///
    /// # Errors
    ///
    /// As [`publish`](Self::publish), and [`Error::TooManyTasks`] for a
    /// call larger than the backlog.
    pub fn publish_batch<O: Opcode>(
        &self,
        priority: Priority,
        op: O,
        tasks: &[O::Args],
    ) -> Result<Ticket> {
        self.publisher(PublishOptions::default())
            .publish_batch(priority, op, tasks)
    }

    /// Publishes `count` tasks of opcode `opcode` for `tenant` at
    /// `priority` under one ticket; `args(k, words)` writes task `k`'s
    /// argument words, as [`Runtime::publish_with`].
    ///
    /// # Errors
    ///
    /// As [`publish_batch`](Self::publish_batch).
    pub fn publish_with(
        &self,
        tenant: u32,
        priority: Priority,
        opcode: u32,
        count: usize,
        args: impl Fn(usize, &mut [u32]),
    ) -> Result<Ticket> {
        self.publisher(PublishOptions {
            tenant,
            ..PublishOptions::default()
        })
        .publish_with(priority, opcode, count, args)
    }

    /// Publishes `task` at `priority` for tenant 0, awaiting room in the
    /// backlog instead of failing with [`Error::Backlog`]
    /// ([`Publisher::publish_async`]; other options through
    /// [`publisher`](Self::publisher)).
    ///
    /// # Errors
    ///
    /// As [`publish_for`](Self::publish_for), but never `Backlog`.
    pub fn publish_async(
        &self,
        priority: Priority,
        task: Task,
    ) -> impl Future<Output = Result<Ticket>> + Send + '_ {
        self.publisher(PublishOptions::default())
            .publish_async(priority, task)
    }

    /// [`publish_batch`](Self::publish_batch), awaiting room in the
    /// backlog ([`Publisher::publish_batch_async`]).
    ///
    /// # Errors
    ///
    /// As [`publish_batch`](Self::publish_batch), but never `Backlog`.
    pub fn publish_batch_async<O: Opcode>(
        &self,
        priority: Priority,
        op: O,
        tasks: &[O::Args],
    ) -> impl Future<Output = Result<Ticket>> + Send + '_ {
        self.publisher(PublishOptions::default())
            .publish_batch_async(priority, op, tasks)
    }

    /// A publisher making its calls with `options` (tenant, waiting for
    /// room, following descendants).
    pub fn publisher(&self, options: PublishOptions) -> Publisher<'_> {
        Publisher {
            service: self,
            options,
        }
    }

    /// Runs `call` on the runtime between two submissions (reads and
    /// writes of buffers, tenants, partition sizes) and returns what it
    /// returned. Tasks it publishes have no ticket. `call` runs on the
    /// driver thread: it must not wait for a ticket of this service or
    /// shut it down (the driver would wait for itself).
    ///
    /// # Errors
    ///
    /// [`Error::ServiceStopped`] when the driver has run its last call.
    pub fn with_runtime<R: Send + 'static>(
        &self,
        call: impl FnOnce(&mut Runtime) -> R + Send + 'static,
    ) -> Result<R> {
        let shared = &self.handle.shared;
        let (tx, rx) = mpsc::sync_channel(1);
        {
            let mut calls = lock(&shared.calls);
            let Some(calls) = calls.as_mut() else {
                return Err(shared.stopped_error());
            };
            calls.push(Box::new(move |rt: &mut Runtime| {
                let _ = tx.send(call(rt));
            }));
        }
        shared.inflow.wake();
        rx.recv().map_err(|_| shared.stopped_error())
    }

    /// Gives the ring's five partitions the sizes `sizes` between two
    /// submissions: see [`Runtime::set_partition_sizes`].
    ///
    /// # Errors
    ///
    /// As [`Runtime::set_partition_sizes`], and [`Error::ServiceStopped`].
    pub fn set_partition_sizes(&self, sizes: [u32; PRIORITIES]) -> Result<()> {
        self.with_runtime(move |rt| rt.set_partition_sizes(sizes))?
    }

    /// The status as of the last submission.
    pub fn status(&self) -> ServiceStatus {
        self.handle.shared.status_lock().clone()
    }

    /// Stops taking work, runs every accepted task to its end (tasks that
    /// cannot run — parked for a disabled tenant — are returned
    /// unfinished on their tickets), stops the driver and reports. Every
    /// later publish is [`Error::ServiceStopped`]; a second call returns
    /// the same report.
    pub fn shutdown(&self) -> ServiceReport {
        self.handle.stop()
    }

    /// Shuts down (as [`shutdown`](Self::shutdown)) and returns the
    /// runtime, its buffers as the last task left them; `None` when
    /// another handle took it already.
    pub fn into_runtime(self) -> Option<Runtime> {
        self.handle.stop();
        lock(&self.handle.ended).as_mut().and_then(|e| e.1.take())
    }
}

/// Publishes with the [`PublishOptions`] it was made with
/// ([`Service::publisher`]).
#[derive(Debug, Clone, Copy)]
pub struct Publisher<'a> {
    service: &'a Service,
    options: PublishOptions,
}

impl<'a> Publisher<'a> {
    /// Publishes `task` at `priority`.
    ///
    /// # Errors
    ///
    /// As [`Service::publish_for`].
    pub fn publish(&self, priority: Priority, task: Task) -> Result<Ticket> {
        let shared = &self.service.handle.shared;
        check_task(&shared.program, &task)?;
        self.submit(priority, 1, Payload::One(task))
    }

    /// Publishes one task of opcode `O` per element of `tasks` at
    /// `priority`, under one ticket.
    ///
    /// # Errors
    ///
    /// As [`Service::publish_batch`].
    pub fn publish_batch<O: Opcode>(
        &self,
        priority: Priority,
        _op: O,
        tasks: &[O::Args],
    ) -> Result<Ticket> {
        check_typed::<O>(&self.service.handle.shared.program)?;
        let arity = typed_arity::<O>();
        let payload = pack(O::ID, arity, tasks.len(), |k, w| O::encode(&tasks[k], w));
        self.submit(priority, tasks.len() as u64, payload)
    }

    /// Publishes `count` tasks of opcode `opcode` at `priority` under one
    /// ticket; `args(k, words)` writes task `k`'s argument words.
    ///
    /// # Errors
    ///
    /// As [`Service::publish_with`].
    pub fn publish_with(
        &self,
        priority: Priority,
        opcode: u32,
        count: usize,
        args: impl Fn(usize, &mut [u32]),
    ) -> Result<Ticket> {
        let arity = opcode_arity(&self.service.handle.shared.program, opcode)?;
        let payload = pack(opcode, arity, count, args);
        self.submit(priority, count as u64, payload)
    }

    /// Publishes `task` at `priority`, awaiting room in the backlog
    /// instead of failing with [`Error::Backlog`] (whatever the
    /// publisher's `wait_for_room`): the future is ready with the ticket
    /// once the call is queued. It works under any executor (the service's
    /// driver wakes it when tasks end and give room back).
    ///
    /// # Errors
    ///
    /// As [`Service::publish_for`], but never `Backlog`.
    pub fn publish_async(
        &self,
        priority: Priority,
        task: Task,
    ) -> impl Future<Output = Result<Ticket>> + Send + 'a {
        let shared = &self.service.handle.shared;
        let call = check_task(&shared.program, &task)
            .and_then(|()| self.call(priority, 1, Payload::One(task)));
        self.queue_when_room(call)
    }

    /// [`publish_batch`](Self::publish_batch), awaiting room in the
    /// backlog instead of failing with [`Error::Backlog`] (see
    /// [`publish_async`](Self::publish_async)). The arguments are packed
    /// before the future is returned.
    ///
    /// # Errors
    ///
    /// As [`Service::publish_batch`], but never `Backlog`.
    pub fn publish_batch_async<O: Opcode>(
        &self,
        priority: Priority,
        _op: O,
        tasks: &[O::Args],
    ) -> impl Future<Output = Result<Ticket>> + Send + 'a {
        let call = check_typed::<O>(&self.service.handle.shared.program).and_then(|()| {
            let payload = pack(O::ID, typed_arity::<O>(), tasks.len(), |k, w| {
                O::encode(&tasks[k], w)
            });
            self.call(priority, tasks.len() as u64, payload)
        });
        self.queue_when_room(call)
    }

    /// Checks the tenant and the size, takes room in the backlog and
    /// queues the call for the driver.
    fn submit(&self, priority: Priority, tasks: u64, payload: Payload) -> Result<Ticket> {
        match self.call(priority, tasks, payload)? {
            Checked::Resolved(ticket) => Ok(ticket),
            Checked::Queue(call) => {
                let shared = &self.service.handle.shared;
                shared.inflow.reserve(
                    call.tasks,
                    call.priority,
                    self.options.wait_for_room,
                    || shared.stopped_error(),
                )?;
                self.queue(*call)
            }
        }
    }

    /// Queues `call` once the backlog has room for it, as a future.
    fn queue_when_room(
        &self,
        call: Result<Checked>,
    ) -> impl Future<Output = Result<Ticket>> + Send + 'a {
        let this = *self;
        async move {
            let request = match call? {
                Checked::Resolved(ticket) => return Ok(ticket),
                Checked::Queue(request) => request,
            };
            let shared = &this.service.handle.shared;
            std::future::poll_fn(|cx| {
                shared
                    .inflow
                    .poll_reserve(request.tasks, request.priority, cx, || {
                        shared.stopped_error()
                    })
            })
            .await?;
            this.queue(*request)
        }
    }

    /// A publish call checked (tenant, size; a call of no tasks resolves at
    /// once), before it has room in the backlog.
    fn call(&self, priority: Priority, tasks: u64, payload: Payload) -> Result<Checked> {
        let shared = &self.service.handle.shared;
        let tenant = self.options.tenant;
        let tenants = shared.program.config().tenants;
        if tenant >= tenants {
            return Err(Error::UnknownTenant { tenant, tenants });
        }
        let max = u64::from(u32::MAX).min(shared.inflow.capacity());
        if tasks > max {
            return Err(Error::TooManyTasks { tasks, max });
        }
        let cell = Arc::new(TicketCell::default());
        if tasks == 0 {
            if !shared.inflow.accepting() {
                return Err(shared.stopped_error());
            }
            cell.resolve(TicketOutcome {
                tasks: 0,
                descendants: self.options.descendants,
                faults: Vec::new(),
                refused_spawns: 0,
                unfinished: 0,
                admitted_at: None,
                started_at: None,
                resolved_at: Instant::now(),
            });
            return Ok(Checked::Resolved(Ticket { cell, tasks }));
        }
        Ok(Checked::Queue(Box::new(Request {
            tenant,
            priority,
            payload,
            descendants: self.options.descendants,
            cell,
            tasks,
        })))
    }

    /// Queues a request whose room in the backlog is taken.
    fn queue(&self, request: Request) -> Result<Ticket> {
        let shared = &self.service.handle.shared;
        let ticket = Ticket {
            cell: Arc::clone(&request.cell),
            tasks: request.tasks,
        };
        let (tasks, priority) = (request.tasks, request.priority);
        match shared.inflow.push(request) {
            Ok(()) => Ok(ticket),
            Err(_) => {
                shared.inflow.release(tasks, priority);
                Err(shared.stopped_error())
            }
        }
    }
}

/// A checked publish call: resolved already (no tasks), or a request to
/// queue once it has room.
enum Checked {
    /// Its ticket, resolved.
    Resolved(Ticket),
    /// The request, boxed (a payload is large).
    Queue(Box<Request>),
}

/// `count` tasks of `opcode`, their `arity` argument words each written
/// by `args`, packed for the driver.
fn pack(opcode: u32, arity: usize, count: usize, args: impl Fn(usize, &mut [u32])) -> Payload {
    let mut words = vec![0u32; count * arity];
    if arity > 0 {
        for (k, w) in words.chunks_exact_mut(arity).enumerate() {
            args(k, w);
        }
    }
    Payload::Words {
        opcode,
        arity,
        count,
        words,
    }
}
