//! [`MultiBuilder`]: a set's buffer modes, chunk size and limits, checked
//! before a runtime opens on every device.

use std::sync::Arc;

use super::modes::{self, BufferMode};
use super::queue::SetQueue;
use super::runtime::{joined, MultiRuntime};
use super::set::GpuSet;
use crate::error::{Error, Result};
use crate::program::Program;
use crate::runtime::{RunLimits, Runtime};

/// Builds a [`MultiRuntime`]: each written buffer's [`BufferMode`], the
/// chunk size, the limits of every device's `run()`.
#[derive(Debug, Clone)]
pub struct MultiBuilder {
    set: GpuSet,
    program: Arc<Program>,
    modes: Vec<(String, BufferMode)>,
    chunk: Option<u64>,
    limits: Option<RunLimits>,
}

impl MultiBuilder {
    /// Declares how buffer `name` lives on the devices. Every buffer a
    /// handler writes needs one; the others are
    /// [`BufferMode::Replicated`].
    pub fn mode(mut self, name: &str, mode: BufferMode) -> Self {
        self.modes.push((name.to_string(), mode));
        self
    }

    /// Hands devices `tasks` queued tasks at a time (at least 1) instead
    /// of the default, guided chunks: half of a device's even share of
    /// what is queued when it takes one, shrinking as the queue empties,
    /// down to a sixteenth of its share at the start of `run()` (at least
    /// [`MIN_CHUNK`](super::MIN_CHUNK)). On a set of one device, a chunk
    /// size keeps the set's queue, which it otherwise goes without.
    pub fn chunk(mut self, tasks: u64) -> Self {
        self.chunk = Some(tasks);
        self
    }

    /// The limits each device's `run()` uses.
    pub fn limits(mut self, limits: RunLimits) -> Self {
        self.limits = Some(limits);
        self
    }

    /// Checks the modes and opens a runtime of the program on every device
    /// (their pipelines are built at once, a thread per device).
    ///
    /// # Errors
    ///
    /// [`Error::BufferMode`](crate::Error::BufferMode) for a written buffer without a mode, a
    /// replicated buffer a handler writes, or a summed buffer that is not
    /// atomic; [`Error::UnknownBuffer`](crate::Error::UnknownBuffer) for a mode of an undeclared
    /// buffer; [`Error::DeviceSet`](crate::Error::DeviceSet) for a chunk of 0; whatever
    /// [`Runtime::new`](crate::Runtime::new) returns for a device.
    pub fn build(self) -> Result<MultiRuntime> {
        let modes = modes::resolve(&self.program, &self.modes)?;
        if self.chunk == Some(0) {
            return Err(Error::DeviceSet {
                reason: "a chunk of 0 tasks would hand devices nothing; give at least 1".into(),
            });
        }
        let program = &self.program;
        let opened: Vec<Result<Runtime>> = std::thread::scope(|s| {
            let threads: Vec<_> = self
                .set
                .gpus()
                .iter()
                .map(|gpu| s.spawn(move || Runtime::new(gpu, Arc::clone(program))))
                .collect();
            threads.into_iter().map(joined).collect()
        });
        let mut devices = Vec::with_capacity(opened.len());
        for rt in opened {
            let mut rt = rt?;
            if let Some(limits) = self.limits {
                rt.set_limits(limits)?;
            }
            devices.push(rt);
        }
        Ok(MultiRuntime {
            baselines: vec![Vec::new(); modes.len()],
            program: self.program,
            devices,
            modes,
            queue: SetQueue::default(),
            chunk: self.chunk,
        })
    }
}

impl MultiRuntime {
    /// A builder for `program` on every device of `set`.
    pub fn builder(set: &GpuSet, program: impl Into<Arc<Program>>) -> MultiBuilder {
        MultiBuilder {
            set: set.clone(),
            program: program.into(),
            modes: Vec::new(),
            chunk: None,
            limits: None,
        }
    }

    /// `program` on every device of `set`, for a program whose handlers
    /// write no buffer (otherwise use [`builder`](Self::builder) and
    /// declare their modes).
    ///
    /// # Errors
    ///
    /// As [`MultiBuilder::build`].
    pub fn new(set: &GpuSet, program: impl Into<Arc<Program>>) -> Result<MultiRuntime> {
        MultiRuntime::builder(set, program).build()
    }
}
