//! A set's `run()`: every device on a thread of its own, taking chunks of
//! the set's queue whenever its ring runs dry.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use super::queue::{SetQueue, Work};
use super::report::{self, DeviceReport, MultiReport};
use super::runtime::{joined, MultiRuntime};
use crate::error::Result;
use crate::protocol::Priority;
use crate::report::{RunReport, StopReason};
use crate::runtime::Runtime;

/// The fewest tasks `run()` hands a device at once by default: a chunk
/// costs a device at least one submission and one readback, so smaller
/// ones would spend more on the round trip than on the work.
pub const MIN_CHUNK: u64 = 4096;

/// How many chunks per device `run()` cuts the queue into by default: the
/// last chunks even out the devices' finishing times.
const CHUNKS_PER_DEVICE: u64 = 4;

impl MultiRuntime {
    // ---- running ---------------------------------------------------------------

    /// Runs every device at once until the set's queue is empty and every
    /// device is idle, or a device stops otherwise: each device, whenever
    /// its ring runs dry, takes the next chunk of the queue (highest
    /// priority first) and runs it. A device whose run stops on a limit
    /// takes no more; one whose handler asks for shutdown stops every
    /// device from taking more. What stays queued is `waiting` in the
    /// report and the books.
    ///
    /// # Errors
    ///
    /// The first device error (the other devices finish the chunk they
    /// hold; no queued task is lost: what no device took stays queued).
    pub fn run(&mut self) -> Result<MultiReport> {
        let start = Instant::now();
        let chunk = self.chunk.unwrap_or_else(|| {
            let devices = self.devices.len() as u64;
            if devices == 1 {
                self.queue.len().max(1)
            } else {
                self.queue
                    .len()
                    .div_ceil(devices * CHUNKS_PER_DEVICE)
                    .max(MIN_CHUNK)
            }
        });
        let queue = Mutex::new(std::mem::take(&mut self.queue));
        let stop = AtomicBool::new(false);
        let outcomes: Vec<Result<DeviceReport>> = std::thread::scope(|s| {
            let threads: Vec<_> = self
                .devices
                .iter_mut()
                .zip(&self.adapters)
                .map(|(rt, adapter)| {
                    let (queue, stop) = (&queue, &stop);
                    s.spawn(move || drive(rt, adapter, queue, stop, chunk))
                })
                .collect();
            threads.into_iter().map(joined).collect()
        });
        self.queue = queue.into_inner().unwrap_or_else(PoisonError::into_inner);
        let devices = outcomes.into_iter().collect::<Result<Vec<_>>>()?;
        let total = report::total(&devices, self.queue.len(), start.elapsed());
        Ok(MultiReport { devices, total })
    }
}

/// One device's part of `run()`: chunk after chunk until the queue is
/// empty and its ring idle, a stop, or an error (which stops the others
/// from taking more).
fn drive(
    rt: &mut Runtime,
    adapter: &str,
    queue: &Mutex<SetQueue>,
    stop: &AtomicBool,
    chunk: u64,
) -> Result<DeviceReport> {
    let mut sum: Option<RunReport> = None;
    let mut chunks = 0;
    let outcome: Result<()> = (|| loop {
        if stop.load(Ordering::Acquire) && sum.is_some() {
            return Ok(());
        }
        let work = if stop.load(Ordering::Acquire) {
            Vec::new()
        } else {
            lock(queue).take(chunk)
        };
        if work.is_empty() && rt.accounting().waiting == 0 && sum.is_some() {
            return Ok(());
        }
        let took = !work.is_empty();
        publish_chunk(rt, work, queue)?;
        chunks += u64::from(took);
        let report = rt.run()?;
        let stopped = report.stop;
        match &mut sum {
            None => sum = Some(report),
            Some(s) => report::absorb(s, report, true),
        }
        if stopped == StopReason::Shutdown {
            stop.store(true, Ordering::Release);
        }
        if stopped != StopReason::Idle || !took {
            return Ok(());
        }
    })();
    if outcome.is_err() {
        stop.store(true, Ordering::Release);
    }
    outcome?;
    Ok(DeviceReport {
        adapter: adapter.to_string(),
        chunks,
        report: sum.expect("a device runs at least once"),
    })
}

/// Publishes `work` on `rt`; on an error puts what was not published back
/// at the front of `queue`.
fn publish_chunk(
    rt: &mut Runtime,
    work: Vec<(Priority, Work)>,
    queue: &Mutex<SetQueue>,
) -> Result<()> {
    let mut pieces = work.into_iter();
    while let Some((priority, piece)) = pieces.next() {
        if let Err(e) = piece.publish_into(rt, priority) {
            let mut back = vec![(priority, piece)];
            back.extend(pieces);
            lock(queue).put_back(back);
            return Err(e);
        }
    }
    Ok(())
}

fn lock(queue: &Mutex<SetQueue>) -> MutexGuard<'_, SetQueue> {
    queue.lock().unwrap_or_else(PoisonError::into_inner)
}
