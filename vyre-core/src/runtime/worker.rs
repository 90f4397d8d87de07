//! The async forms of the calls that wait for the device (`run_async`,
//! `read_async`): the runtime moves to a worker thread of its own, which
//! runs the blocking call — waiting on the GPU there, never on the
//! caller's executor — and wakes the future; the future puts the runtime
//! back. While it is away its place holds a runtime whose engine refuses
//! every call (`Error::Busy`).
//!
//! A thread per runtime rather than one poller per device: a run is a
//! sequence (flush, submit, wait, read the summary, decide, maybe submit
//! again) that runs as a whole on one thread; a poller shared by a
//! device's runtimes would need `run` rewritten as a state machine driven
//! by wgpu's callbacks. The worker starts on the first async call and
//! sleeps between calls, so the cost is one idle thread per runtime that
//! has been awaited; a served runtime's poller is the service's driver
//! thread, and its tickets are the futures.

use std::future::Future;
use std::pin::Pin;
use std::sync::{mpsc, Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

use super::{BufferHandle, Element, Runtime};
use crate::engine::{BackendKind, Engine, Submission};
use crate::error::{Error, Result};
use crate::report::RunReport;

/// A job for the worker: it owns the runtime while it runs.
type Job = Box<dyn FnOnce() + Send>;

/// A runtime's worker thread: started on the first async call, it runs
/// the jobs one after the other and ends when the runtime is dropped.
#[derive(Debug)]
pub(super) struct Worker {
    jobs: mpsc::Sender<Job>,
}

impl Worker {
    fn start() -> Result<Worker> {
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("vyre-runtime-worker".into())
            .spawn(move || {
                for job in queue {
                    job();
                }
            })
            .map_err(|e| Error::Busy {
                reason: format!("could not start the runtime's worker thread: {e}"),
            })?;
        Ok(Worker { jobs })
    }
}

/// Where the worker leaves the runtime and the result.
struct Slot<R> {
    state: Mutex<SlotState<R>>,
    done: Condvar,
}

struct SlotState<R> {
    result: Option<(Box<Runtime>, R)>,
    waker: Option<Waker>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Nothing panics while these locks are held; recover the data anyway.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A call running on the runtime's worker. Dropping it before it is ready
/// waits for the call to end (the runtime must come back).
#[must_use = "a future does nothing until it is awaited"]
pub struct OnWorker<'a, R> {
    home: &'a mut Runtime,
    slot: Option<Arc<Slot<R>>>,
    /// An error before the job could start: returned by the first poll.
    failed: Option<R>,
}

impl<R> std::fmt::Debug for OnWorker<'_, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OnWorker").finish_non_exhaustive()
    }
}

impl<R> OnWorker<'_, R> {
    /// Takes the runtime and the result back, if the worker is done.
    fn take(&mut self, cx: Option<&Context<'_>>) -> Option<R> {
        let slot = self.slot.as_ref()?;
        let mut s = lock(&slot.state);
        match s.result.take() {
            Some((rt, r)) => {
                drop(s);
                *self.home = *rt;
                self.slot = None;
                Some(r)
            }
            None => {
                if let Some(cx) = cx {
                    s.waker = Some(cx.waker().clone());
                }
                None
            }
        }
    }
}

// Nothing of an `OnWorker` is pinned: the result is only moved out.
impl<R> Unpin for OnWorker<'_, R> {}

impl<R> Future for OnWorker<'_, R> {
    type Output = R;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<R> {
        let this = self.get_mut();
        if let Some(r) = this.failed.take() {
            return Poll::Ready(r);
        }
        match this.take(Some(cx)) {
            Some(r) => Poll::Ready(r),
            None => Poll::Pending,
        }
    }
}

impl<R> Drop for OnWorker<'_, R> {
    fn drop(&mut self) {
        let Some(slot) = self.slot.clone() else {
            return;
        };
        let mut s = lock(&slot.state);
        while s.result.is_none() {
            s = slot.done.wait(s).unwrap_or_else(PoisonError::into_inner);
        }
        drop(s);
        let _ = self.take(None);
    }
}

impl Runtime {
    /// [`run`](Self::run) without blocking the caller's thread: the run
    /// goes to the runtime's worker thread, which waits on the device and
    /// wakes the future; any executor can await it (tokio, smol,
    /// pollster, a hand-written one). The runtime is busy meanwhile: its
    /// calls are out of reach (the future borrows it), and dropping the
    /// future before it is ready waits for the run to end.
    ///
    /// ```
    /// # use vyre_core::ir::{Access, BufferKind, HandlerBuilder, ScalarType, Literal};
    /// # use vyre_core::{Gpu, Priority, Program, Runtime, Task};
    /// # let mut h = HandlerBuilder::new(1, "bump");
    /// # let hits = h.buffer("hits", ScalarType::U32, Access::Atomic);
    /// # let i = h.arg("i", ScalarType::U32);
    /// # h.body(|b| b.eval(hits.fetch_add(i, 1u32)));
    /// # let program = Program::builder("p")
    /// #     .buffer("hits", BufferKind::atomic(ScalarType::U32))
    /// #     .opcode(h.finish()?).build()?;
    /// let mut rt = Runtime::new(&Gpu::reference(), program)?;
    /// let hits = rt.buffer::<u32>("hits")?;
    /// rt.upload(hits, &[0; 4])?;
    /// rt.publish(Priority::High, Task::new(1, [Literal::U32(2)]))?;
    /// let (report, counts) = vyre_core::gpu::block_on(async {
    ///     let report = rt.run_async().await?;
    ///     Ok::<_, vyre_core::Error>((report, rt.read_async(hits).await?))
    /// })?;
    /// assert_eq!((report.executed, counts), (1, vec![0, 0, 1, 0]));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn run_async(&mut self) -> OnWorker<'_, Result<RunReport>> {
        self.on_worker(|rt| rt.run())
    }

    /// [`read`](Self::read) without blocking the caller's thread, as
    /// [`run_async`](Self::run_async).
    pub fn read_async<T: Element + Send>(
        &mut self,
        buffer: BufferHandle<T>,
    ) -> OnWorker<'_, Result<Vec<T>>> {
        self.on_worker(move |rt| rt.read(buffer))
    }

    /// Runs `job` on the runtime on its worker thread.
    fn on_worker<R: Send + 'static>(
        &mut self,
        job: impl FnOnce(&mut Runtime) -> Result<R> + Send + 'static,
    ) -> OnWorker<'_, Result<R>> {
        let worker = match &self.worker {
            Some(w) => Arc::clone(w),
            None => match Worker::start() {
                Ok(w) => {
                    let w = Arc::new(w);
                    self.worker = Some(Arc::clone(&w));
                    w
                }
                Err(e) => {
                    return OnWorker {
                        home: self,
                        slot: None,
                        failed: Some(Err(e)),
                    }
                }
            },
        };
        let away = self.stand_in();
        let mut rt = Box::new(std::mem::replace(self, away));
        let slot = Arc::new(Slot {
            state: Mutex::new(SlotState {
                result: None,
                waker: None,
            }),
            done: Condvar::new(),
        });
        let back = Arc::clone(&slot);
        let sent = worker.jobs.send(Box::new(move || {
            let r = job(&mut rt);
            let waker = {
                let mut s = lock(&back.state);
                s.result = Some((rt, r));
                s.waker.take()
            };
            back.done.notify_all();
            if let Some(w) = waker {
                w.wake();
            }
        }));
        match sent {
            Ok(()) => OnWorker {
                home: self,
                slot: Some(slot),
                failed: None,
            },
            // The worker is gone (it cannot be while its runtime lives);
            // the job, and the runtime with it, came back in the error.
            Err(mpsc::SendError(job)) => {
                job();
                let mut on = OnWorker {
                    home: self,
                    slot: Some(slot),
                    failed: None,
                };
                let r = on.take(None);
                on.failed = r;
                on
            }
        }
    }

    /// What stands in the runtime's place while it is on its worker: the
    /// same program, an engine that refuses every call.
    fn stand_in(&self) -> Runtime {
        let mut rt = Runtime::detached(Arc::clone(&self.program), self.engine.kind());
        rt.id = self.id;
        rt
    }
}

/// The engine of a runtime away on its worker: every call is
/// [`Error::Busy`].
pub(super) struct Away {
    pub(super) kind: BackendKind,
}

impl Away {
    fn busy<T>(&self) -> Result<T> {
        Err(Error::Busy {
            reason: "the runtime is on its worker thread (an async call is in flight)".into(),
        })
    }
}

impl Engine for Away {
    fn kind(&self) -> BackendKind {
        self.kind
    }
    fn adapter(&self) -> String {
        "busy: the runtime is on its worker thread".into()
    }
    fn lanes(&self) -> u32 {
        0
    }
    fn write_ring(&mut self, _: u64, _: &[u32]) -> Result<()> {
        self.busy()
    }
    fn read_ring(&mut self, _: u64, _: u64) -> Result<Vec<u32>> {
        self.busy()
    }
    fn write_inbox(&mut self, _: u64, _: &[u32]) -> Result<()> {
        self.busy()
    }
    fn write_inbox_with(
        &mut self,
        _: u64,
        _: usize,
        _: usize,
        _: &(dyn Fn(usize, &mut [u32]) + Sync),
    ) -> Result<()> {
        self.busy()
    }
    fn inbox_words(&self) -> u64 {
        0
    }
    fn max_inbox_words(&self) -> u64 {
        0
    }
    fn resize_inbox(&mut self, _: u64) -> Result<()> {
        self.busy()
    }
    fn resize_ring(&mut self, _: [(u32, u32); crate::protocol::PRIORITIES]) -> Result<()> {
        self.busy()
    }
    fn expand(&mut self, _: u32, _: u32) -> Result<()> {
        self.busy()
    }
    fn write_control(&mut self, _: u64, _: &[u32]) -> Result<()> {
        self.busy()
    }
    fn read_control(&mut self, _: u64, _: u64) -> Result<Vec<u32>> {
        self.busy()
    }
    fn write_buffer(&mut self, _: usize, _: u64, _: &[u32]) -> Result<()> {
        self.busy()
    }
    fn read_buffer(&mut self, _: usize, _: u64, _: u64) -> Result<Vec<u32>> {
        self.busy()
    }
    fn resize_buffer(&mut self, _: usize, _: u64) -> Result<()> {
        self.busy()
    }
    fn buffer_len(&self, _: usize) -> u64 {
        0
    }
    fn submit(&mut self, _: u32) -> Result<Submission> {
        self.busy()
    }
}
