//! [`Ticket`]: what a publish call to a [`Service`](super::Service)
//! returns, resolved by the service's driver once every task of the call
//! (and, when asked, every descendant) has ended.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use crate::report::Fault;

/// How the tasks of one publish call ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketOutcome {
    /// Tasks the call published.
    pub tasks: u64,
    /// Whether the ticket followed the tasks' descendants (their faults
    /// are then in [`faults`](Self::faults) too).
    pub descendants: bool,
    /// One record per task of the ticket that faulted.
    pub faults: Vec<Fault>,
    /// Spawns of the ticket's tasks that the ring refused (the handler
    /// saw `spawn` return `false`).
    pub refused_spawns: u64,
    /// Tasks of the ticket that had not ended when the service stopped
    /// without draining (a handler's `ctx.shutdown()`, or a device
    /// error): returned to the caller as not run. 0 after a normal end.
    pub unfinished: u64,
    /// When the driver took the call's tasks into the runtime (its ticket
    /// entry opened). `None` for a call none of whose tasks reached it
    /// (returned unfinished from the service's queue, or no tasks).
    pub admitted_at: Option<Instant>,
    /// When the first submission that could run the call's tasks started
    /// (the first after they were admitted). `None` when none did.
    pub started_at: Option<Instant>,
    /// When the driver resolved the ticket (for latency: subtract the
    /// time of the publish call). With [`admitted_at`](Self::admitted_at)
    /// and [`started_at`](Self::started_at) it splits a call's latency
    /// into its wait for the driver, its wait for a submission, and that
    /// submission's run and readback.
    pub resolved_at: Instant,
}

impl TicketOutcome {
    /// Every task ran to completion: no fault, nothing unfinished.
    pub fn is_done(&self) -> bool {
        self.faults.is_empty() && self.unfinished == 0
    }
}

/// The state a ticket and the driver share.
#[derive(Debug, Default)]
pub(crate) struct TicketCell {
    state: Mutex<CellState>,
    resolved: Condvar,
}

#[derive(Debug, Default)]
struct CellState {
    outcome: Option<TicketOutcome>,
    waker: Option<Waker>,
}

impl TicketCell {
    fn lock(&self) -> MutexGuard<'_, CellState> {
        // Nothing panics while the lock is held; recover the data anyway.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Resolves the ticket (once; later calls change nothing) and wakes
    /// every waiter.
    pub(crate) fn resolve(&self, outcome: TicketOutcome) {
        let waker = {
            let mut s = self.lock();
            if s.outcome.is_some() {
                return;
            }
            s.outcome = Some(outcome);
            s.waker.take()
        };
        self.resolved.notify_all();
        if let Some(w) = waker {
            w.wake();
        }
    }
}

/// The receipt of one accepted publish call: wait on it
/// ([`wait`](Self::wait)), poll it ([`outcome`](Self::outcome)), or
/// `.await` it under any executor. It resolves exactly once, to a
/// [`TicketOutcome`] — every task done, faulted with its record, or
/// returned unfinished when the service stopped without draining — so no
/// accepted task is ever in an unknown state. Clones share the outcome.
#[derive(Debug, Clone)]
pub struct Ticket {
    pub(crate) cell: Arc<TicketCell>,
    pub(crate) tasks: u64,
}

impl Ticket {
    /// Tasks the publish call published.
    pub fn tasks(&self) -> u64 {
        self.tasks
    }

    /// The outcome, if the ticket is resolved.
    pub fn outcome(&self) -> Option<TicketOutcome> {
        self.cell.lock().outcome.clone()
    }

    /// Whether the ticket is resolved.
    pub fn is_resolved(&self) -> bool {
        self.cell.lock().outcome.is_some()
    }

    /// Blocks the calling thread until the ticket resolves.
    pub fn wait(&self) -> TicketOutcome {
        let mut s = self.cell.lock();
        loop {
            if let Some(o) = &s.outcome {
                return o.clone();
            }
            s = self
                .cell
                .resolved
                .wait(s)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Blocks until the ticket resolves or `timeout` passes (`None`).
    pub fn wait_timeout(&self, timeout: Duration) -> Option<TicketOutcome> {
        let deadline = Instant::now() + timeout;
        let mut s = self.cell.lock();
        loop {
            if let Some(o) = &s.outcome {
                return Some(o.clone());
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            s = self
                .cell
                .resolved
                .wait_timeout(s, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

impl Future for Ticket {
    type Output = TicketOutcome;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<TicketOutcome> {
        let mut s = self.cell.lock();
        match &s.outcome {
            Some(o) => Poll::Ready(o.clone()),
            None => {
                // The driver wakes the last waker registered, under the
                // same lock: no wake-up is lost between this check and it.
                s.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}
