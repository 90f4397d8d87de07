//! Reading device memory back: reusable staging buffers and a blocking map.

use std::panic::AssertUnwindSafe;
use std::sync::mpsc::{Receiver, TryRecvError};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

use super::context::GpuContext;

/// How long a readback polls for its submission by default before it
/// blocks in the driver's wait, on a GPU.
const SPIN: Duration = Duration::from_micros(2_000);

/// Environment variable that sets the polling phase in microseconds (`0`:
/// block at once).
pub(crate) const SPIN_ENV: &str = "VYRE_WAIT_SPIN_US";

/// How long a readback on adapter `info` polls for its submission before
/// it blocks: [`SPIN`] on a GPU, none on a CPU implementation (whose
/// driver threads need the cores a poller would hold), `VYRE_WAIT_SPIN_US`
/// when set.
///
/// Why poll: the driver's blocking wait sleeps until the device signals
/// and wakes the thread again, which costs tens of microseconds on every
/// submission a user waits for (a service's CRITICAL task waits for two);
/// polling sees the end at once. The phase is bounded, so a long
/// submission still waits without holding a core.
pub(crate) fn spin_budget(info: &wgpu::AdapterInfo) -> Duration {
    if let Some(us) = std::env::var(SPIN_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
    {
        return Duration::from_micros(us);
    }
    if matches!(info.device_type, wgpu::DeviceType::Cpu) {
        Duration::ZERO
    } else {
        SPIN
    }
}

/// Staging buffers at most this large are kept between reads; larger ones
/// are dropped after use so that one big read does not pin its memory.
const KEEP_STAGING_BYTES: u64 = 64 << 20;

/// A `MAP_READ | COPY_DST` buffer reused across reads, grown on demand.
#[derive(Debug)]
pub(crate) struct Staging {
    label: &'static str,
    buffer: Option<wgpu::Buffer>,
}

impl Staging {
    pub(crate) fn new(label: &'static str) -> Staging {
        Staging {
            label,
            buffer: None,
        }
    }

    /// A staging buffer of at least `bytes` bytes (`bytes > 0`).
    pub(crate) fn get(&mut self, ctx: &GpuContext, bytes: u64) -> Result<wgpu::Buffer> {
        if let Some(b) = &self.buffer {
            if b.size() >= bytes {
                return Ok(b.clone());
            }
        }
        // Round up so that a slowly growing read does not reallocate
        // every time; reads are whole words, so `bytes` is a multiple of 4.
        let size = bytes
            .checked_next_power_of_two()
            .unwrap_or(bytes)
            .max(256)
            .min(ctx.inner.device.limits().max_buffer_size.max(bytes));
        let label = self.label;
        let buffer = ctx.scoped(&format!("staging buffer `{label}` ({size} bytes)"), || {
            ctx.inner.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size,
                usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            })
        })?;
        if size <= KEEP_STAGING_BYTES {
            self.buffer = Some(buffer.clone());
        } else {
            self.buffer = None;
        }
        Ok(buffer)
    }
}

/// Maps the first `bytes` bytes of `buffer` (a staging buffer that
/// `submission` writes), waits for the submission, and returns the words.
pub(crate) fn read_words(
    ctx: &GpuContext,
    buffer: &wgpu::Buffer,
    bytes: u64,
    submission: wgpu::SubmissionIndex,
    timeout: Option<Duration>,
) -> Result<Vec<u32>> {
    let fail = |stage: &str, message: String| Error::Gpu {
        stage: stage.to_string(),
        message,
    };
    if bytes == 0 {
        return Ok(Vec::new());
    }
    if bytes > buffer.size() || bytes % 4 != 0 {
        return Err(fail(
            "readback",
            format!(
                "cannot map {bytes} bytes of a {}-byte staging buffer",
                buffer.size()
            ),
        ));
    }
    let (tx, rx) = std::sync::mpsc::channel();
    let device = &ctx.inner.device;
    let mut early = None;
    let waited = ctx.scoped("readback map", || {
        buffer.map_async(wgpu::MapMode::Read, 0..bytes, move |result| {
            // The receiver may be gone after a timeout; nothing to do then.
            let _ = tx.send(result);
        });
        early = spin(device, &rx, ctx.inner.spin);
        if early.is_some() {
            return Ok(Ok(wgpu::PollStatus::WaitSucceeded));
        }
        // wgpu panics in `Device::poll` when the device is lost during the
        // wait (it calls the device-lost callback first), and on an
        // internal assertion that concurrent timed waits on one device can
        // trip; neither may unwind into the caller.
        std::panic::catch_unwind(AssertUnwindSafe(|| {
            device.poll(wgpu::PollType::Wait {
                submission_index: Some(submission),
                timeout,
            })
        }))
    })?;
    let waited = match waited {
        Ok(waited) => waited,
        Err(panic) => {
            buffer.unmap();
            ctx.health()?;
            return Err(fail(
                "submission wait",
                format!(
                    "wgpu panicked while waiting: {}",
                    crate::error::panic_message(&*panic).unwrap_or_else(|| "no message".into())
                ),
            ));
        }
    };
    if let Err(e) = waited {
        // Abort the pending map so that the staging buffer stays usable.
        buffer.unmap();
        ctx.health()?;
        return Err(match e {
            wgpu::PollError::Timeout => fail(
                "submission",
                format!(
                    "it did not finish within {:?}; the device may be hung",
                    timeout.unwrap_or_default()
                ),
            ),
            other => fail("submission wait", other.to_string()),
        });
    }
    ctx.health()?;
    let mapped = match early {
        Some(result) => Some(result),
        None => await_map(device, &rx, timeout),
    };
    match mapped {
        Some(Ok(())) => {}
        Some(Err(e)) => {
            buffer.unmap();
            return Err(fail("readback map", e.to_string()));
        }
        None => {
            buffer.unmap();
            ctx.health()?;
            return Err(fail(
                "readback map",
                "the map did not complete although the submission finished".to_string(),
            ));
        }
    }
    let words = match buffer.get_mapped_range(0..bytes) {
        // `pod_collect_to_vec` copies, so it does not depend on the
        // mapping's alignment.
        Ok(view) => Ok(bytemuck::pod_collect_to_vec::<u8, u32>(&view)),
        Err(e) => Err(fail("readback map", e.to_string())),
    };
    buffer.unmap();
    words
}

/// Polls the device for at most `budget` until the map behind `rx`
/// completes (its submission has then finished); `None` when the budget
/// ran out first or a poll failed (the caller then blocks, and checks the
/// device's health).
fn spin(
    device: &wgpu::Device,
    rx: &Receiver<Result<(), wgpu::BufferAsyncError>>,
    budget: Duration,
) -> Option<Result<(), wgpu::BufferAsyncError>> {
    if budget.is_zero() {
        return None;
    }
    let deadline = Instant::now() + budget;
    loop {
        let polled =
            std::panic::catch_unwind(AssertUnwindSafe(|| device.poll(wgpu::PollType::Poll)));
        match (polled, rx.try_recv()) {
            (_, Ok(result)) => return Some(result),
            (Err(_), _) | (_, Err(TryRecvError::Disconnected)) => return None,
            (Ok(_), Err(TryRecvError::Empty)) => {}
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::hint::spin_loop();
    }
}

/// Waits for the map callback after the submission has finished.
///
/// The callback runs inside whichever thread polls the device next; when
/// several threads share one device (tests do), that may be another thread,
/// a moment later. So this polls without blocking and waits briefly, until
/// the callback arrives or `timeout` (default 30 s) has passed.
pub(crate) fn await_map(
    device: &wgpu::Device,
    rx: &std::sync::mpsc::Receiver<Result<(), wgpu::BufferAsyncError>>,
    timeout: Option<Duration>,
) -> Option<Result<(), wgpu::BufferAsyncError>> {
    use std::sync::mpsc::RecvTimeoutError;
    let deadline = std::time::Instant::now() + timeout.unwrap_or(Duration::from_secs(30));
    loop {
        match rx.try_recv() {
            Ok(result) => return Some(result),
            Err(std::sync::mpsc::TryRecvError::Disconnected) => return None,
            Err(std::sync::mpsc::TryRecvError::Empty) => {}
        }
        // A poll panics only when the device is lost; the caller checks
        // the context's health after a `None`.
        let polled =
            std::panic::catch_unwind(AssertUnwindSafe(|| device.poll(wgpu::PollType::Poll)));
        if polled.is_err() {
            return None;
        }
        match rx.recv_timeout(Duration::from_millis(1)) {
            Ok(result) => return Some(result),
            Err(RecvTimeoutError::Disconnected) => return None,
            Err(RecvTimeoutError::Timeout) if std::time::Instant::now() >= deadline => return None,
            Err(RecvTimeoutError::Timeout) => {}
        }
    }
}
