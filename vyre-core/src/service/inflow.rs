//! How work reaches the driver: accepted publish calls wait in sharded
//! queues (a thread locks only its own shard, so publishing threads do not
//! contend on one lock), the backlog counts accepted tasks not yet ended,
//! and the driver parks on a condition variable while there is nothing to
//! do.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use super::ticket::TicketCell;
use crate::error::{Error, Result};
use crate::host::Task;
use crate::protocol::{Priority, PRIORITIES};

/// The tasks of one publish call.
#[derive(Debug)]
pub(crate) enum Payload {
    /// One checked task.
    One(Task),
    /// `count` tasks of `opcode`, `arity` argument words each, packed.
    Words {
        opcode: u32,
        arity: usize,
        count: usize,
        words: Vec<u32>,
    },
}

/// One accepted publish call.
#[derive(Debug)]
pub(crate) struct Request {
    pub(crate) tenant: u32,
    pub(crate) priority: Priority,
    pub(crate) payload: Payload,
    /// Whether its ticket follows the tasks' descendants.
    pub(crate) descendants: bool,
    pub(crate) cell: Arc<TicketCell>,
    pub(crate) tasks: u64,
}

/// Shards of the request queue: more than the threads that usually
/// publish at once.
const SHARDS: usize = 16;

thread_local! {
    /// This thread's shard, given out round-robin on first use.
    static SHARD: usize = NEXT_SHARD.fetch_add(1, Ordering::Relaxed) % SHARDS;
}
static NEXT_SHARD: AtomicUsize = AtomicUsize::new(0);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Nothing panics while these locks are held; recover the data anyway.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The queues between publishing threads and the driver.
#[derive(Debug)]
pub(crate) struct Inflow {
    shards: Vec<Mutex<Vec<Request>>>,
    /// Requests in the shards.
    queued: AtomicUsize,
    /// CRITICAL requests in the shards: the driver looks at it while a
    /// submission runs, to start the next one for them at once.
    critical: AtomicUsize,
    /// Publish calls between their check of `accepting` and their push.
    entering: AtomicUsize,
    /// Cleared when the service stops taking work.
    accepting: AtomicBool,
    /// Set while the driver is parked (or about to park).
    parked: AtomicBool,
    /// A wake-up for the driver is pending. Set and cleared under `wake`,
    /// the lock the driver's condition variable waits with (so that no
    /// wake-up falls between its check and its sleep); read without it
    /// while the driver watches before it parks.
    woken: AtomicBool,
    wake: Mutex<()>,
    wake_cv: Condvar,
    /// Per priority: accepted tasks not yet ended, each below the bound
    /// (a flood at one priority never takes another's room).
    backlog: [AtomicU64; PRIORITIES],
    capacity: u64,
    /// Publishers waiting for room: threads on the condition variable,
    /// futures by their wakers (woken, and dropped, with the threads).
    room: Mutex<Vec<Waker>>,
    room_cv: Condvar,
}

impl Inflow {
    /// Empty queues for a backlog of `capacity` tasks.
    pub(crate) fn new(capacity: u64) -> Self {
        Inflow {
            shards: (0..SHARDS).map(|_| Mutex::new(Vec::new())).collect(),
            queued: AtomicUsize::new(0),
            critical: AtomicUsize::new(0),
            entering: AtomicUsize::new(0),
            accepting: AtomicBool::new(true),
            parked: AtomicBool::new(false),
            woken: AtomicBool::new(false),
            wake: Mutex::new(()),
            wake_cv: Condvar::new(),
            backlog: std::array::from_fn(|_| AtomicU64::new(0)),
            capacity,
            room: Mutex::new(Vec::new()),
            room_cv: Condvar::new(),
        }
    }

    /// Accepted tasks not yet ended, all priorities.
    pub(crate) fn backlog(&self) -> u64 {
        self.backlog.iter().map(|b| b.load(Ordering::Relaxed)).sum()
    }

    /// The backlog's size per priority.
    pub(crate) fn capacity(&self) -> u64 {
        self.capacity
    }

    /// Takes room for `tasks` in `priority`'s backlog; with `wait`, blocks until
    /// there is room (or the service stops). `stopped` is the error for a
    /// service that no longer accepts work.
    pub(crate) fn reserve(
        &self,
        tasks: u64,
        priority: Priority,
        wait: bool,
        stopped: impl Fn() -> Error,
    ) -> Result<()> {
        let backlog = &self.backlog[priority.index()];
        loop {
            match self.try_reserve(tasks, priority, &stopped) {
                Err(Error::Backlog { .. }) if wait => {}
                done => return done,
            }
            let guard = lock(&self.room);
            // Re-checked under the lock the driver takes to notify: a
            // release between the check above and this wait is not missed
            // for longer than the timeout.
            if backlog.load(Ordering::SeqCst) + tasks > self.capacity
                && self.accepting.load(Ordering::SeqCst)
            {
                let _ = self
                    .room_cv
                    .wait_timeout(guard, Duration::from_millis(10))
                    .unwrap_or_else(PoisonError::into_inner);
            }
        }
    }

    /// Takes room for `tasks` now, or says why not (`Backlog`,
    /// `TooManyTasks`, the service stopped).
    fn try_reserve(
        &self,
        tasks: u64,
        priority: Priority,
        stopped: &impl Fn() -> Error,
    ) -> Result<()> {
        let backlog = &self.backlog[priority.index()];
        if tasks > self.capacity {
            return Err(Error::TooManyTasks {
                tasks,
                max: self.capacity,
            });
        }
        if !self.accepting.load(Ordering::SeqCst) {
            return Err(stopped());
        }
        let before = backlog.fetch_add(tasks, Ordering::SeqCst);
        if before + tasks <= self.capacity {
            return Ok(());
        }
        backlog.fetch_sub(tasks, Ordering::SeqCst);
        Err(Error::Backlog {
            tasks,
            backlog: before,
            capacity: self.capacity,
        })
    }

    /// [`reserve`](Self::reserve) that waits as a future: ready once room
    /// for `tasks` is taken (or with the error that no room can come);
    /// pending otherwise, woken when room is given back or the service
    /// stops.
    pub(crate) fn poll_reserve(
        &self,
        tasks: u64,
        priority: Priority,
        cx: &mut Context<'_>,
        stopped: impl Fn() -> Error,
    ) -> Poll<Result<()>> {
        match self.try_reserve(tasks, priority, &stopped) {
            Err(Error::Backlog { .. }) => {}
            done => return Poll::Ready(done),
        }
        let mut waiting = lock(&self.room);
        // Tried again under the lock that `release` and `close` take before
        // they wake: room given back before the waker is in the list is
        // seen here, and any given back after it wakes this future.
        match self.try_reserve(tasks, priority, &stopped) {
            Err(Error::Backlog { .. }) => {
                if !waiting.iter().any(|w| w.will_wake(cx.waker())) {
                    waiting.push(cx.waker().clone());
                }
                Poll::Pending
            }
            done => Poll::Ready(done),
        }
    }

    /// Gives back room for `tasks` (ended, or never queued) and wakes
    /// publishers waiting for it.
    pub(crate) fn release(&self, tasks: u64, priority: Priority) {
        if tasks == 0 {
            return;
        }
        self.backlog[priority.index()].fetch_sub(tasks, Ordering::SeqCst);
        self.wake_waiting();
    }

    /// Wakes every publisher waiting for room, threads and futures.
    fn wake_waiting(&self) {
        let wakers = std::mem::take(&mut *lock(&self.room));
        self.room_cv.notify_all();
        for w in wakers {
            w.wake();
        }
    }

    /// Queues an accepted request for the driver, unless the service has
    /// stopped taking work (then the request comes back).
    pub(crate) fn push(&self, request: Request) -> std::result::Result<(), Request> {
        self.entering.fetch_add(1, Ordering::SeqCst);
        if !self.accepting.load(Ordering::SeqCst) {
            self.entering.fetch_sub(1, Ordering::SeqCst);
            return Err(request);
        }
        let shard = SHARD.with(|s| *s);
        // Counted before it can be taken, so that `drain`, which uncounts
        // what it took, never takes the count below zero.
        if request.priority == Priority::Critical {
            self.critical.fetch_add(1, Ordering::SeqCst);
        }
        lock(&self.shards[shard]).push(request);
        self.queued.fetch_add(1, Ordering::SeqCst);
        self.entering.fetch_sub(1, Ordering::SeqCst);
        if self.parked.load(Ordering::SeqCst) {
            self.wake();
        }
        Ok(())
    }

    /// Wakes the driver.
    pub(crate) fn wake(&self) {
        let guard = lock(&self.wake);
        self.woken.store(true, Ordering::SeqCst);
        drop(guard);
        self.wake_cv.notify_one();
    }

    /// Moves every queued request to the queue of its priority in `out`
    /// (oldest of each shard first).
    pub(crate) fn drain(&self, out: &mut [VecDeque<Request>; PRIORITIES]) {
        if self.queued.load(Ordering::SeqCst) == 0 {
            return;
        }
        for shard in &self.shards {
            let taken = std::mem::take(&mut *lock(shard));
            self.queued.fetch_sub(taken.len(), Ordering::SeqCst);
            for req in taken {
                if req.priority == Priority::Critical {
                    self.critical.fetch_sub(1, Ordering::SeqCst);
                }
                out[req.priority.index()].push_back(req);
            }
        }
    }

    /// Whether a CRITICAL request waits in the shards (a relaxed look:
    /// one pushed a moment ago may show only at the next).
    pub(crate) fn critical_waiting(&self) -> bool {
        self.critical.load(Ordering::Relaxed) != 0
    }

    /// Stops taking work: from now on `push` refuses, and once this
    /// returns every request a `push` accepted is in the shards.
    pub(crate) fn close(&self) {
        self.accepting.store(false, Ordering::SeqCst);
        while self.entering.load(Ordering::SeqCst) != 0 {
            std::thread::yield_now();
        }
        // Publishers waiting for room see the service stopped.
        self.wake_waiting();
    }

    /// Whether the service still takes work.
    pub(crate) fn accepting(&self) -> bool {
        self.accepting.load(Ordering::SeqCst)
    }

    /// Parks the driver until a request arrives, [`wake`](Self::wake) is
    /// called or `timeout` passes; returns at once when a request or a
    /// wake-up is pending. For the first `watch` it looks without sleeping:
    /// a request that comes then is taken at once, without the sleep and
    /// the wake-up a parked thread costs (a p99 of hundreds of µs on a
    /// busy host, `docs/benchmarks.md`), and its publisher makes no
    /// wake-up call. The watch is bounded, so an idle service still parks.
    pub(crate) fn park(&self, timeout: Duration, watch: Duration) {
        let until = Instant::now() + watch;
        while Instant::now() < until {
            if self.queued.load(Ordering::SeqCst) != 0 || self.woken.load(Ordering::SeqCst) {
                break;
            }
            std::hint::spin_loop();
        }
        self.parked.store(true, Ordering::SeqCst);
        let mut guard = lock(&self.wake);
        if !self.woken.load(Ordering::SeqCst) && self.queued.load(Ordering::SeqCst) == 0 {
            guard = self
                .wake_cv
                .wait_timeout(guard, timeout)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        // What the wake-up was for (a call, a stop) is looked at by the
        // driver's loop next.
        self.woken.store(false, Ordering::SeqCst);
        drop(guard);
        self.parked.store(false, Ordering::SeqCst);
    }
}
