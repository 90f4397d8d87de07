//! Progress of a long `run()`: a callback the runtime calls after each
//! submission, for a status line or a watchdog.

use super::run::Tally;
use super::Runtime;
use crate::protocol::PRIORITIES;

/// Where a `run()` stands after one of its submissions (counted from the
/// start of the run).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    /// Submissions so far.
    pub submissions: u64,
    /// Rounds so far.
    pub rounds: u64,
    /// Tasks executed so far.
    pub executed: u64,
    /// Of them, per priority (CRITICAL first).
    pub executed_by_priority: [u64; PRIORITIES],
    /// Tasks faulted so far.
    pub faulted: u64,
    /// Tasks spawned on the device so far.
    pub spawned: u64,
    /// Runnable tasks not yet executed now (the books' `waiting`).
    pub waiting: u64,
}

/// The callback's type.
pub(super) type ProgressFn = Box<dyn FnMut(&Progress) + Send>;

impl Runtime {
    /// Calls `report` after every submission of [`run`](Self::run) (and
    /// of the async form) with where the run stands: for a status line on
    /// long runs. It runs on the thread that runs the submissions, between
    /// them; keep it short. Replaces an earlier callback.
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
    /// rt.publish(Priority::Low, Task::new(1, [Literal::U32(3)]))?;
    /// rt.on_progress(|p| eprintln!("{} rounds, {} tasks done", p.rounds, p.executed));
    /// rt.run()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn on_progress(&mut self, report: impl FnMut(&Progress) + Send + 'static) {
        self.progress = Some(Box::new(report));
    }

    /// Removes the progress callback.
    pub fn clear_progress(&mut self) {
        self.progress = None;
    }

    /// Reports `tally` to the callback, if there is one.
    pub(super) fn report_progress(&mut self, tally: &Tally) {
        if let Some(report) = &mut self.progress {
            report(&Progress {
                submissions: tally.submissions,
                rounds: tally.rounds,
                executed: tally.executed,
                executed_by_priority: tally.executed_by_priority,
                faulted: tally.faulted,
                spawned: tally.spawned,
                waiting: self.books.waiting,
            });
        }
    }
}
