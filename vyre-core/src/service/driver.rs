//! The driver thread of a [`Service`](super::Service): it owns the
//! runtime, and in a loop runs the calls waiting for the runtime, takes
//! accepted publish calls into the runtime (each with a ticket entry),
//! runs one submission while there is runnable work (and a second one at
//! once for CRITICAL calls that arrive while it runs), resolves the
//! tickets the device reported, and parks when there is nothing to do.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::inflow::{Payload, Request};
use super::ticket::{TicketCell, TicketOutcome};
use super::{ServiceStatus, ServiceStop, Shared};
use crate::error::Result;
use crate::protocol::{ticket, Priority, PRIORITIES};
use crate::report::Fault;
use crate::runtime::{EntryHeader, Runtime, Started, TicketEvents};

/// Faults of tasks without a ticket and printf lines the final report
/// keeps (the newest are dropped past it; the counts go on).
const KEPT_LINES: usize = 10_000;

/// How long the driver parks at most before it looks again (a wake-up
/// normally comes first: a publish, a call, or shutdown).
const PARK: Duration = Duration::from_millis(50);

/// A runtime error as the service's stop.
fn failed(e: crate::Error) -> ServiceStop {
    ServiceStop::Error(e.to_string())
}

/// A ticket whose tasks are in the runtime.
struct Open {
    cell: Arc<TicketCell>,
    tasks: u64,
    /// The call's priority: its room in the backlog is that priority's.
    priority: Priority,
    descendants: bool,
    faults: Vec<Fault>,
    /// When its tasks entered the runtime (`None`: they never did).
    admitted_at: Option<Instant>,
    /// When the first submission after that started.
    started_at: Option<Instant>,
}

impl Open {
    /// The open ticket of call `req`, no fault recorded yet, admitted at
    /// `admitted_at`.
    fn of(req: Request, admitted_at: Option<Instant>) -> Open {
        Open {
            cell: req.cell,
            tasks: req.tasks,
            priority: req.priority,
            descendants: req.descendants,
            faults: Vec::new(),
            admitted_at,
            started_at: None,
        }
    }
}

/// What the driver keeps for the final report.
#[derive(Default)]
pub(crate) struct Leftovers {
    pub(crate) faults: Vec<Fault>,
    pub(crate) faults_total: u64,
    pub(crate) printf: Vec<String>,
    pub(crate) printf_total: u64,
}

/// The driver's state.
struct Driver {
    shared: Arc<Shared>,
    rt: Runtime,
    /// Accepted calls not in the runtime yet (no free ticket entry).
    /// Calls not yet admitted, per priority (CRITICAL first), each in
    /// arrival order.
    waiting: [VecDeque<Request>; PRIORITIES],
    /// Tickets in the runtime, by entry.
    open: Vec<Option<Open>>,
    /// Entries of `open` admitted since the last submission started.
    unstarted: Vec<u32>,
    /// Something was published since the last submission.
    fresh: bool,
    /// A CRITICAL call was published since the last submission: the next
    /// one runs only the rounds CRITICAL work needs, so that its tickets
    /// resolve without waiting for rounds of lower-priority work.
    urgent: bool,
    /// The last submission left runnable work.
    runnable: bool,
    /// Submissions started and not yet waited for, oldest first (at most
    /// two: the second only for CRITICAL calls that arrived while the
    /// first ran).
    flight: VecDeque<Started>,
    /// A flush beside a submission failed: reported once the submissions
    /// in flight are waited for.
    flush_error: Option<crate::Error>,
    status: ServiceStatus,
    leftovers: Leftovers,
}

/// Serves until shutdown (drained), a handler's `ctx.shutdown()` or an
/// error; then resolves every ticket still open and returns why it
/// stopped, with the runtime.
pub(crate) fn drive(shared: Arc<Shared>, rt: Runtime) -> (ServiceStop, Leftovers, Runtime) {
    let mut d = Driver {
        shared,
        rt,
        waiting: Default::default(),
        open: (0..ticket::ENTRIES).map(|_| None).collect(),
        unstarted: Vec::new(),
        fresh: false,
        urgent: false,
        runnable: false,
        flight: VecDeque::new(),
        flush_error: None,
        status: ServiceStatus::default(),
        leftovers: Leftovers::default(),
    };
    let stop = d.serve();
    d.shared.inflow.close();
    d.shared.inflow.drain(&mut d.waiting);
    d.return_unfinished(&stop);
    d.status.running = false;
    d.publish_status();
    (stop, d.leftovers, d.rt)
}

impl Driver {
    fn serve(&mut self) -> ServiceStop {
        let stop = self.serve_until_stopped();
        // Nothing stays in flight past the loop: the runtime goes back to
        // its owner (or returns the unfinished tickets) with every
        // submission waited for.
        while let Some(started) = self.flight.pop_front() {
            let _ = self.rt.finish_step(started);
        }
        stop
    }

    fn serve_until_stopped(&mut self) -> ServiceStop {
        loop {
            if self.flight.is_empty() {
                // Calls on the runtime run only between submissions.
                if self.shared.run_calls(&mut self.rt) {
                    // A call may have made work runnable (a tenant
                    // enabled, tasks published): look with one submission.
                    self.runnable = true;
                }
                // Ticket events a call's own `run()` produced.
                let events = self.rt.take_ticket_events();
                self.resolve(events);
            }
            self.shared.inflow.drain(&mut self.waiting);
            self.admit();
            let stopping = self.shared.stop_requested();
            if stopping && self.shared.inflow.accepting() {
                // Every call accepted before the close is in the shards
                // now: take them, then drain.
                self.shared.inflow.close();
                continue;
            }
            if !self.flight.is_empty() {
                if let Err(stop) = self.finish_oldest() {
                    return stop;
                }
                continue;
            }
            if self.fresh || self.runnable {
                if let Err(stop) = self.start() {
                    return stop;
                }
                continue;
            }
            if stopping {
                // Drained, or what is left cannot run (parked tasks of a
                // disabled tenant, and calls waiting for the ticket
                // entries those hold): it is returned unfinished.
                return ServiceStop::Shutdown;
            }
            // Calls taken in since the last submission (waiting here when
            // the runtime wants no more) show in the status before the
            // driver sleeps.
            self.publish_status();
            self.shared.inflow.park(PARK, self.rt.wait_spin());
        }
    }

    /// Moves waiting calls into the runtime, the highest priority first (in
    /// arrival order within a priority): an IDLE flood queued before a
    /// CRITICAL call does not go before it. A priority takes calls only
    /// while the runtime wants more of its work (what waits for its
    /// partition off the ring stays within two submissions' worth,
    /// [`Runtime::wants`]) and ticket entries are free: the rest waits
    /// here, where a later CRITICAL call still goes first, instead of in
    /// the runtime's queues and inboxes, where every submission would
    /// carry it to the device ahead of that call.
    fn admit(&mut self) {
        let max_rounds = self.shared.options.max_rounds_per_submission;
        for p in 0..PRIORITIES {
            if self.waiting[p].is_empty() {
                continue;
            }
            crate::trace::stage!("admit", priority = p);
            while let Some(req) = self.waiting[p].front() {
                if !self.rt.wants(p, req.tasks, max_rounds) {
                    break;
                }
                let Some(word) = self.rt.open_ticket(req.tasks as u32, req.descendants) else {
                    // No entry is free for any call until tickets end.
                    return;
                };
                let Some(req) = self.waiting[p].pop_front() else {
                    return;
                };
                self.admit_one(req, word);
            }
        }
    }

    /// Publishes `req` under ticket word `word`.
    fn admit_one(&mut self, req: Request, word: u32) {
        match publish(&mut self.rt, &req, word) {
            Ok(()) => {
                self.urgent |= req.priority == Priority::Critical;
                let index = word & ticket::INDEX;
                self.open[index as usize] = Some(Open::of(req, Some(Instant::now())));
                self.unstarted.push(index);
                self.fresh = true;
            }
            Err(_) => {
                // The host could not hold the tasks: nothing of them was
                // published.
                self.rt.abandon_ticket(word);
                self.return_request(req);
            }
        }
    }

    /// Starts one submission; while the device runs it, takes in the
    /// calls that arrived and moves them to the device (their writes land
    /// after this submission): the host's share of the next step overlaps
    /// this one's, and a CRITICAL call admitted now is on the device when
    /// the next step starts.
    fn start(&mut self) -> Result<(), ServiceStop> {
        let mut max_rounds = self.shared.options.max_rounds_per_submission;
        if self.urgent {
            let critical = self.rt.rounds_for(Priority::Critical.index());
            max_rounds = max_rounds.min(critical.max(1).try_into().unwrap_or(u32::MAX));
        }
        crate::trace::stage!("step", rounds = max_rounds);
        let started = self.rt.start_step(max_rounds).map_err(failed)?;
        let now = Instant::now();
        for index in self.unstarted.drain(..) {
            if let Some(open) = self.open.get_mut(index as usize).and_then(Option::as_mut) {
                open.started_at.get_or_insert(now);
            }
        }
        self.flight.push_back(started);
        self.fresh = false;
        self.urgent = false;
        self.shared.inflow.drain(&mut self.waiting);
        self.admit();
        // A failed flush is reported once the submissions in flight are
        // waited for: one left in flight would keep its summary's staging
        // buffer mapped for the runtime's next user.
        if let Err(e) = self.rt.flush_ahead() {
            self.flush_error.get_or_insert(e);
        }
        Ok(())
    }

    /// Waits for the oldest submission in flight and resolves the tickets
    /// it reports. While it is the only one and the device has not
    /// finished it (watched as long as the engine's waits poll,
    /// `VYRE_WAIT_SPIN_US`, then simply waited for), a CRITICAL call that
    /// arrives starts the next submission at once (where overtaking is on,
    /// the program allows two in flight, [`Runtime::can_overlap`], and the
    /// engine can tell a submission's end without waiting for it): the
    /// call's tasks run right after the running submission instead of one
    /// host round trip later.
    fn finish_oldest(&mut self) -> Result<(), ServiceStop> {
        if self.flight.len() == 1 && self.shared.options.overtake && self.rt.can_overlap() {
            let deadline = Instant::now() + self.rt.wait_spin();
            while self.flight.front().is_some_and(|f| !f.is_done()) && Instant::now() < deadline {
                if self.shared.inflow.critical_waiting() {
                    self.shared.inflow.drain(&mut self.waiting);
                    self.admit();
                }
                // Admitted now, or already before this wait began.
                if self.urgent {
                    self.status.overtaking += 1;
                    self.start()?;
                    break;
                }
                std::hint::spin_loop();
            }
        }
        let Some(started) = self.flight.pop_front() else {
            return Ok(());
        };
        let step = self.rt.finish_step(started).map_err(failed)?;
        if self.flight.is_empty() {
            if let Some(e) = self.flush_error.take() {
                return Err(failed(e));
            }
        }
        self.runnable = step.runnable;
        let t = step.tally;
        self.status.submissions += 1;
        self.status.rounds += t.rounds;
        if let Some(gpu) = t.gpu_time() {
            *self.status.gpu_time.get_or_insert_with(Default::default) += gpu;
        }
        if let Some(p) = t.passes() {
            let sum = self.status.passes.get_or_insert_with(Default::default);
            *sum = *sum + p;
        }
        for (n, add) in self
            .status
            .executed_by_priority
            .iter_mut()
            .zip(t.executed_by_priority)
        {
            *n += add;
        }
        let l = &mut self.leftovers;
        l.faults_total += t.faults.len() as u64;
        keep(&mut l.faults, t.faults);
        l.printf_total += t.printf.len() as u64 + t.printf_dropped;
        keep(&mut l.printf, t.printf);
        let events = self.rt.take_ticket_events();
        self.resolve(events);
        self.publish_status();
        if step.shutdown {
            return Err(ServiceStop::HandlerShutdown);
        }
        Ok(())
    }

    /// Attributes faults to their tickets and resolves the tickets that
    /// ended.
    fn resolve(&mut self, events: TicketEvents) {
        crate::trace::stage!("resolve");
        for (index, fault) in events.faults {
            match self.open.get_mut(index as usize).and_then(Option::as_mut) {
                Some(open) => open.faults.push(fault),
                None => {
                    self.leftovers.faults_total += 1;
                    keep(&mut self.leftovers.faults, vec![fault]);
                }
            }
        }
        for end in events.ended {
            if let Some(open) = self.open.get_mut(end.index as usize).and_then(Option::take) {
                self.finish(open, u64::from(end.refused), 0);
            }
        }
    }

    /// Resolves a ticket and gives its tasks' room back.
    fn finish(&mut self, open: Open, refused_spawns: u64, unfinished: u64) {
        open.cell.resolve(TicketOutcome {
            tasks: open.tasks,
            descendants: open.descendants,
            faults: open.faults,
            refused_spawns,
            unfinished,
            admitted_at: open.admitted_at,
            started_at: open.started_at,
            resolved_at: Instant::now(),
        });
        self.status.tickets_resolved += 1;
        self.shared.inflow.release(open.tasks, open.priority);
    }

    /// After the loop: every ticket still open or waiting resolves, its
    /// tasks not ended counted as unfinished (read from the device's
    /// table; all of a waiting call's tasks).
    fn return_unfinished(&mut self, stop: &ServiceStop) {
        let indices: Vec<u32> = (0..self.open.len() as u32)
            .filter(|&i| self.open[i as usize].is_some())
            .collect();
        // A device that failed cannot be read: every task of the ticket
        // is then returned as unfinished.
        let live = match stop {
            ServiceStop::Error(_) => None,
            _ => self.rt.ticket_live(&indices).ok(),
        };
        for (k, &i) in indices.iter().enumerate() {
            if let Some(open) = self.open[i as usize].take() {
                let unfinished = live
                    .as_ref()
                    .map_or(open.tasks, |l| u64::from(l[k]).min(open.tasks));
                self.finish(open, 0, unfinished);
            }
        }
        for req in std::mem::take(&mut self.waiting).into_iter().flatten() {
            self.return_request(req);
        }
    }

    /// Resolves the ticket of a call none of whose tasks ran.
    fn return_request(&mut self, req: Request) {
        let tasks = req.tasks;
        self.finish(Open::of(req, None), 0, tasks);
    }

    /// Publishes the status users read: the runtime's books, with the
    /// calls waiting here counted as published and waiting.
    fn publish_status(&mut self) {
        let queued: u64 = self.waiting.iter().flatten().map(|r| r.tasks).sum();
        let mut books = self.rt.accounting();
        books.published += queued;
        books.waiting += queued;
        self.status.books = books;
        self.status.backlog = self.shared.inflow.backlog();
        *self.shared.status_lock() = self.status.clone();
    }
}

/// Publishes a request's tasks with ticket word `word`.
fn publish(rt: &mut Runtime, req: &Request, word: u32) -> Result<()> {
    match &req.payload {
        Payload::One(task) => {
            rt.publish_checked(req.tenant, req.priority, task, word);
            Ok(())
        }
        Payload::Words {
            opcode,
            arity,
            count,
            words,
        } => {
            let header = EntryHeader {
                opcode: *opcode,
                tenant: req.tenant,
                ticket: word,
            };
            rt.queue_words(header, req.priority, *count, *arity, words)
        }
    }
}

/// Appends `more` to `kept` up to [`KEPT_LINES`].
fn keep<T>(kept: &mut Vec<T>, more: Vec<T>) {
    let room = KEPT_LINES.saturating_sub(kept.len());
    kept.extend(more.into_iter().take(room));
}
