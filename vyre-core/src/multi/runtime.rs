//! [`MultiRuntime`]: one program on every device of a [`GpuSet`](super::GpuSet) — a
//! runtime per device, fed from one host queue.
//!
//! Published tasks wait in the set's queue (`queue.rs`) until `run()`.
//! Then every device runs on a thread of its own and, each time its ring
//! has run dry, takes the next chunk of the queue (highest priority
//! first) and runs it to idle: work moves to whichever device is free,
//! so a faster device takes a larger share, and no device waits while
//! another still holds queued work. Tasks a handler spawns stay on the
//! device that spawned them.

use std::sync::Arc;

use super::modes::BufferMode;
use super::queue::SetQueue;
use super::report::MultiAccounting;
use crate::error::{Error, Result};
use crate::program::Program;
use crate::runtime::{RunLimits, Runtime};

/// One program on every device of a [`GpuSet`](super::GpuSet): a [`Runtime`](crate::Runtime) per device
/// (its own compiled program, ring and buffers), one host queue, buffers
/// that live on every device as their [`BufferMode`] says, and books over
/// the set.
///
/// ```
/// # use vyre_core::ir::{Access, BufferKind, HandlerBuilder, ScalarType};
/// # use vyre_core::{Gpu, GpuSet, BufferMode, MultiRuntime, Priority, Program};
/// # let mut h = HandlerBuilder::new(1, "bump");
/// # let hits = h.buffer("hits", ScalarType::U32, Access::Atomic);
/// # let i = h.arg("i", ScalarType::U32);
/// # h.body(|b| b.eval(hits.fetch_add(i, 1u32)));
/// # let program = Program::builder("p")
/// #     .buffer("hits", BufferKind::atomic(ScalarType::U32))
/// #     .opcode(h.finish()?).build()?;
/// // bump(i): hits[i] += 1, on two CPU devices.
/// let set = GpuSet::new(vec![Gpu::cpu(), Gpu::cpu()])?;
/// let mut rt = MultiRuntime::builder(&set, program)
///     .mode("hits", BufferMode::Summed)
///     .chunk(8)
///     .build()?;
/// let hits = rt.buffer::<u32>("hits")?;
/// rt.upload(&hits, &[0; 4])?;
/// rt.publish_with(0, Priority::Normal, 1, 100, |k, words| words[0] = k as u32 % 4)?;
/// let report = rt.run()?;
/// assert_eq!(report.total.executed, 100);
/// assert_eq!(report.shares().iter().sum::<u64>(), 100);
/// assert_eq!(rt.read(&hits)?, vec![25; 4]);
/// assert!(rt.accounting().balanced());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct MultiRuntime {
    pub(super) program: Arc<Program>,
    pub(super) devices: Vec<Runtime>,
    pub(super) modes: Vec<BufferMode>,
    /// Per output buffer, the words the host last put into every copy
    /// (zeros beyond its end, up to the buffer's length).
    pub(super) baselines: Vec<Vec<u32>>,
    pub(super) queue: SetQueue,
    pub(super) chunk: Option<u64>,
}

impl MultiRuntime {
    /// The program.
    pub fn program(&self) -> &Program {
        &self.program
    }

    /// How many devices.
    pub fn device_count(&self) -> usize {
        self.devices.len()
    }

    /// Each device's adapter (or CPU backend) in words, in order.
    pub fn adapters(&self) -> Vec<String> {
        self.devices.iter().map(Runtime::adapter).collect()
    }

    /// Device `device`'s runtime (its buffers, books and limits).
    pub fn device(&self, device: usize) -> Result<&Runtime> {
        let count = self.devices.len();
        self.devices
            .get(device)
            .ok_or_else(|| no_device(device, count))
    }

    /// Device `device`'s runtime, mutably. What is published on it stays
    /// on it; the set's buffer modes apply only to the set's own calls.
    pub fn device_mut(&mut self, device: usize) -> Result<&mut Runtime> {
        let count = self.devices.len();
        self.devices
            .get_mut(device)
            .ok_or_else(|| no_device(device, count))
    }

    /// The limits of every device's `run()`.
    ///
    /// # Errors
    ///
    /// As [`Runtime::set_limits`](crate::Runtime::set_limits).
    pub fn set_limits(&mut self, limits: RunLimits) -> Result<()> {
        limits.validate()?;
        for rt in &mut self.devices {
            rt.set_limits(limits)?;
        }
        Ok(())
    }

    /// Enables or disables a tenant on every device.
    ///
    /// # Errors
    ///
    /// As [`Runtime::set_tenant_enabled`](crate::Runtime::set_tenant_enabled).
    pub fn set_tenant_enabled(&mut self, tenant: u32, enabled: bool) -> Result<()> {
        for rt in &mut self.devices {
            rt.set_tenant_enabled(tenant, enabled)?;
        }
        Ok(())
    }

    /// The runtime of a set of one device that cuts no chunks of its own
    /// (no [`MultiBuilder::chunk`](super::MultiBuilder::chunk)): publishing
    /// goes straight to it, whose own paths (into the device's inbox at
    /// once where they can) the set's queue would only copy through.
    pub(super) fn sole_device(&mut self) -> Option<&mut Runtime> {
        match self.devices.as_mut_slice() {
            [only] if self.chunk.is_none() => Some(only),
            _ => None,
        }
    }

    /// The books: each device's, the set's queue, and the total.
    pub fn accounting(&self) -> MultiAccounting {
        MultiAccounting::new(
            self.devices.iter().map(Runtime::accounting).collect(),
            self.queue.counts(),
        )
    }
}

/// A scoped thread's result; a panic becomes a typed error.
pub(super) fn joined<T>(thread: std::thread::ScopedJoinHandle<'_, Result<T>>) -> Result<T> {
    thread.join().unwrap_or_else(|panic| {
        let text = crate::error::panic_message(&*panic).unwrap_or_else(|| "no message".into());
        Err(Error::DeviceSet {
            reason: format!("a device's thread panicked: {text}"),
        })
    })
}

pub(super) fn no_device(device: usize, count: usize) -> Error {
    Error::DeviceSet {
        reason: format!(
            "device {device} is not in the set (it has {count}: 0 ..= {})",
            count.saturating_sub(1)
        ),
    }
}
