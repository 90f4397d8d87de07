//! A set's `run()`: every device on a thread of its own, taking chunks of
//! the set's queue whenever its ring runs dry.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use super::queue::{SetQueue, Work};
use super::report::{self, DeviceReport, MultiReport};
use super::runtime::{joined, MultiRuntime};
use crate::error::{Error, Result};
use crate::protocol::Priority;
use crate::report::{RunReport, StopReason};
use crate::runtime::Runtime;

/// The fewest tasks `run()` hands a device at once by default: a chunk
/// costs a device at least one submission and one readback, so smaller
/// ones would spend more on the round trip than on the work.
pub const MIN_CHUNK: u64 = 4096;

/// By default no chunk is smaller than the queue at the start of `run()`
/// over this many chunks per device (nor than [`MIN_CHUNK`]): few enough
/// round trips for large batches.
const FLOOR_CHUNKS_PER_DEVICE: u64 = 16;

/// How many tasks a device takes from the queue at a time.
#[derive(Debug, Clone, Copy)]
enum Chunking {
    /// Always this many (`MultiBuilder::chunk`).
    Fixed(u64),
    /// Guided: half of an even share of what is queued now, never less
    /// than `floor`. Chunks shrink as the queue empties, so the devices
    /// finish within one small chunk of each other, and a large batch
    /// still takes few round trips.
    Guided { devices: u64, floor: u64 },
}

impl Chunking {
    /// Tasks to take when `queued` are queued.
    fn size(self, queued: u64) -> u64 {
        match self {
            Chunking::Fixed(n) => n,
            Chunking::Guided { devices, floor } => queued.div_ceil(2 * devices).max(floor),
        }
    }
}

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
        let devices = self.devices.len() as u64;
        let chunk = match self.chunk {
            Some(n) => Chunking::Fixed(n),
            // (A set of one device has no queue then: see `sole_device`.)
            None => Chunking::Guided {
                devices,
                floor: (self.queue.len() / (devices * FLOOR_CHUNKS_PER_DEVICE)).max(MIN_CHUNK),
            },
        };
        let queue = Mutex::new(std::mem::take(&mut self.queue));
        let stop = AtomicBool::new(false);
        let outcomes: Vec<Result<DeviceReport>> = std::thread::scope(|s| {
            let threads: Vec<_> = self
                .devices
                .iter_mut()
                .map(|rt| {
                    let (queue, stop) = (&queue, &stop);
                    s.spawn(move || drive(rt, queue, stop, chunk))
                })
                .collect();
            threads.into_iter().map(joined).collect()
        });
        self.queue = queue.into_inner().unwrap_or_else(PoisonError::into_inner);
        let devices = outcomes.into_iter().collect::<Result<Vec<_>>>()?;
        let total = report::total(&devices, self.queue.len(), start.elapsed())?;
        Ok(MultiReport { devices, total })
    }
}

/// One device's part of `run()`: chunk after chunk until the queue is
/// empty and its ring idle, a stop, or an error (which stops the others
/// from taking more).
fn drive(
    rt: &mut Runtime,
    queue: &Mutex<SetQueue>,
    stop: &AtomicBool,
    chunk: Chunking,
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
            let mut queue = lock(queue);
            let size = chunk.size(queue.len());
            queue.take(size)
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
            Some(s) => report::then(s, report),
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
    // The loop runs the device at least once before it can return Ok.
    let report = sum.ok_or_else(|| Error::DeviceSet {
        reason: format!("device `{}` stopped before its first run", rt.adapter()),
    })?;
    Ok(DeviceReport {
        adapter: rt.adapter(),
        chunks,
        report,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guided_chunks_shrink_to_their_floor() {
        let guided = Chunking::Guided {
            devices: 2,
            floor: 100,
        };
        assert_eq!(guided.size(10_000), 2_500);
        assert_eq!(guided.size(1_000), 250);
        assert_eq!(guided.size(300), 100);
        assert_eq!(guided.size(0), 100);
        assert_eq!(Chunking::Fixed(7).size(10_000), 7);
        // A queue of 64M on two devices: at most 2M left over when the
        // first device runs dry, in a dozen-odd chunks.
        let floor = ((64u64 << 20) / (2 * FLOOR_CHUNKS_PER_DEVICE)).max(MIN_CHUNK);
        let mut left = 64u64 << 20;
        let mut chunks = 0;
        while left > 0 {
            let take = Chunking::Guided { devices: 2, floor }.size(left).min(left);
            left -= take;
            chunks += 1;
        }
        assert_eq!(floor, 2 << 20);
        assert!((10..=20).contains(&chunks), "{chunks}");
    }
}
