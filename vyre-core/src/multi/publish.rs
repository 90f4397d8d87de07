//! Publishing into a set: into its queue (every form the one-device
//! runtime has), or pinned to one device. A set of one device that cuts
//! no chunks publishes straight into that device's runtime
//! ([`MultiRuntime::sole_device`]): its queue would only add a copy.

use super::queue::{Indexed, Packed, Work};
use super::runtime::MultiRuntime;
use crate::error::{Error, Result};
use crate::host::{Opcode, RangeOpcode, Task};
use crate::protocol::Priority;
use crate::runtime::{check_task, check_typed, opcode_arity, rest_words, typed_arity};

impl MultiRuntime {
    // ---- publishing -----------------------------------------------------------

    /// Publishes `task` at `priority` for tenant 0 into the set's queue;
    /// `run()` hands it to a device.
    ///
    /// # Errors
    ///
    /// As [`Runtime::publish`](crate::Runtime::publish); nothing is published then.
    pub fn publish(&mut self, priority: Priority, task: Task) -> Result<()> {
        self.publish_for(0, priority, task)
    }

    /// [`publish`](Self::publish) for `tenant`.
    ///
    /// # Errors
    ///
    /// As [`Runtime::publish_for`](crate::Runtime::publish_for).
    pub fn publish_for(&mut self, tenant: u32, priority: Priority, task: Task) -> Result<()> {
        if let Some(rt) = self.sole_device() {
            return rt.publish_for(tenant, priority, task);
        }
        self.devices[0].check_tenant(tenant)?;
        check_task(&self.program, &task)?;
        let arity = task.words().len();
        let mut words = task.words().to_vec();
        // A task without arguments still takes a word in the queue.
        words.resize(arity.max(1), 0);
        self.queue_words(tenant, priority, task.opcode(), arity, arity.max(1), words);
        Ok(())
    }

    /// Publishes `task` on device `device` only: it and what it spawns run
    /// there (a task pinned to the device that holds its data, say).
    ///
    /// # Errors
    ///
    /// [`Error::DeviceSet`](crate::Error::DeviceSet) for a device the set does not have; as
    /// [`Runtime::publish`](crate::Runtime::publish).
    pub fn publish_on(&mut self, device: usize, priority: Priority, task: Task) -> Result<()> {
        self.device_mut(device)?.publish(priority, task)
    }

    /// Publishes `count` tasks of `opcode` for `tenant` into the set's
    /// queue, `args(k, words)` writing task `k`'s argument words, as
    /// [`Runtime::publish_with`](crate::Runtime::publish_with) does.
    ///
    /// # Errors
    ///
    /// As [`Runtime::publish_with`](crate::Runtime::publish_with); nothing is published then.
    pub fn publish_with(
        &mut self,
        tenant: u32,
        priority: Priority,
        opcode: u32,
        count: usize,
        args: impl Fn(usize, &mut [u32]) + Sync,
    ) -> Result<()> {
        if let Some(rt) = self.sole_device() {
            return rt.publish_with(tenant, priority, opcode, count, args);
        }
        self.devices[0].check_tenant(tenant)?;
        let arity = opcode_arity(&self.program, opcode)?;
        let stride = arity.max(1);
        let mut words = zeroed_words(count, stride)?;
        for (k, task) in words.chunks_exact_mut(stride).enumerate() {
            args(k, &mut task[..arity]);
        }
        self.queue_words(tenant, priority, opcode, arity, stride, words);
        Ok(())
    }

    /// Publishes one task of opcode `O` per element of `tasks` into the
    /// set's queue, as [`Runtime::publish_batch`](crate::Runtime::publish_batch) does.
    ///
    /// # Errors
    ///
    /// As [`Runtime::publish_batch`](crate::Runtime::publish_batch); nothing is published then.
    pub fn publish_batch<O: Opcode>(
        &mut self,
        priority: Priority,
        op: O,
        tasks: &[O::Args],
    ) -> Result<()> {
        if let Some(rt) = self.sole_device() {
            return rt.publish_batch(priority, op, tasks);
        }
        check_typed::<O>(&self.program)?;
        let arity = typed_arity::<O>();
        let stride = arity.max(1);
        let mut words = zeroed_words(tasks.len(), stride)?;
        for (task, out) in tasks.iter().zip(words.chunks_exact_mut(stride)) {
            O::encode(task, &mut out[..arity]);
        }
        self.queue_words(0, priority, O::ID, arity, stride, words);
        Ok(())
    }

    /// Publishes one task of opcode `O` per index of `indices` into the
    /// set's queue, as [`Runtime::publish_range`](crate::Runtime::publish_range) does: each device gets
    /// its share as sub-ranges, so nothing per task crosses the bus.
    ///
    /// # Errors
    ///
    /// As [`Runtime::publish_range`](crate::Runtime::publish_range); nothing is published then.
    pub fn publish_range<O: RangeOpcode>(
        &mut self,
        priority: Priority,
        op: O,
        indices: std::ops::Range<u32>,
        rest: O::Rest,
    ) -> Result<()> {
        if let Some(rt) = self.sole_device() {
            return rt.publish_range(priority, op, indices, rest);
        }
        check_typed::<O>(&self.program)?;
        self.queue.push(
            priority,
            Work::Indexed(Indexed {
                opcode: O::ID,
                tenant: 0,
                indices,
                rest: rest_words::<O>(&rest),
            }),
        );
        Ok(())
    }

    fn queue_words(
        &mut self,
        tenant: u32,
        priority: Priority,
        opcode: u32,
        arity: usize,
        stride: usize,
        words: Vec<u32>,
    ) {
        self.queue.push(
            priority,
            Work::Packed(Packed {
                opcode,
                tenant,
                arity,
                stride,
                words,
            }),
        );
    }
}

/// `count` tasks of `stride` zeroed words for the set's queue, or
/// [`Error::BufferTooLarge`] (`set queue`) when the host cannot hold them.
fn zeroed_words(count: usize, stride: usize) -> Result<Vec<u32>> {
    let too_large = || Error::BufferTooLarge {
        name: "set queue".to_string(),
        bytes: (count as u64).saturating_mul(stride as u64 * 4),
        max: isize::MAX as u64,
    };
    let words = count.checked_mul(stride).ok_or_else(too_large)?;
    let mut v = Vec::new();
    v.try_reserve_exact(words).map_err(|_| too_large())?;
    v.resize(words, 0);
    Ok(v)
}
