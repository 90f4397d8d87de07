//! What a set's `run()` returns ([`MultiReport`]) and its books
//! ([`MultiAccounting`]), per device and in total.

use std::time::Duration;

use crate::error::{Error, Result};
use crate::protocol::PRIORITIES;
use crate::report::{RunReport, StopReason};
use crate::runtime::Accounting;

/// What one device did in a set's `run()`: the runs of its runtime
/// (one per chunk it took) added up.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceReport {
    /// The device's adapter (or CPU backend) in words.
    pub adapter: String,
    /// Chunks of the set's queue the device took (0 on a set of one
    /// device without a chunk size, whose tasks go to it when published).
    pub chunks: u64,
    /// Its runs added up: counts summed, faults and `printf` lines in
    /// order, `parked` and `waiting` as the last run left them.
    pub report: RunReport,
}

/// What a set's `run()` did, per device and in total.
#[derive(Debug, Clone, PartialEq)]
pub struct MultiReport {
    /// Per device, in the set's order.
    pub devices: Vec<DeviceReport>,
    /// Over the set: counts summed over the devices (`rounds`,
    /// `submissions` and `dispatches` too), faults and `printf` lines
    /// device by device; `waiting` includes the tasks still in the set's
    /// queue; `wall_time` is the set's `run()` on the wall clock and
    /// `gpu_time` the longest device's (the devices run at once);
    /// `stop` is `Idle` when every device went idle, else the first other
    /// reason.
    pub total: RunReport,
}

impl MultiReport {
    /// Tasks each device executed, in the set's order: its share of the
    /// work.
    pub fn shares(&self) -> Vec<u64> {
        self.devices.iter().map(|d| d.report.executed).collect()
    }
}

/// The books of a set: each device's runtime, and the tasks the set holds
/// that no device has taken yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MultiAccounting {
    /// Each device's books, in the set's order.
    pub devices: Vec<Accounting>,
    /// Tasks published to the set and not yet handed to a device, per
    /// priority (CRITICAL first).
    pub queued: [u64; PRIORITIES],
    /// Over the set: the devices' books summed, with the queued tasks
    /// counted as published and waiting. The identity `published +
    /// spawned == executed + faulted + parked + waiting` holds here
    /// exactly when it holds on every device.
    pub total: Accounting,
}

impl MultiAccounting {
    /// Sums `devices` and adds `queued`.
    pub(crate) fn new(devices: Vec<Accounting>, queued: [u64; PRIORITIES]) -> MultiAccounting {
        let mut total = Accounting::default();
        for d in &devices {
            total.published += d.published;
            total.spawned += d.spawned;
            total.spawn_overflows += d.spawn_overflows;
            total.executed += d.executed;
            total.faulted += d.faulted;
            total.parked += d.parked;
            total.waiting += d.waiting;
        }
        let q: u64 = queued.iter().sum();
        total.published += q;
        total.waiting += q;
        MultiAccounting {
            devices,
            queued,
            total,
        }
    }

    /// Whether the books balance on every device and over the set.
    pub fn balanced(&self) -> bool {
        self.devices.iter().all(Accounting::balanced) && self.total.balanced()
    }
}

/// Adds a later run of the same device to `sum`: counts add, `parked`,
/// `waiting` and `stop` are the later run's (end states), times add.
pub(crate) fn then(sum: &mut RunReport, next: RunReport) {
    sum.parked = next.parked;
    sum.waiting = next.waiting;
    sum.stop = next.stop;
    sum.wall_time += next.wall_time;
    sum.gpu_time = sum.gpu_time.zip(next.gpu_time).map(|(a, b)| a + b);
    add_counts(sum, next);
}

/// Adds another device's runs to `sum`: counts and end states add, the
/// first stop other than `Idle` stays, and the GPU time is the longer one
/// (the devices run at the same time).
fn beside(sum: &mut RunReport, next: RunReport) {
    sum.parked += next.parked;
    sum.waiting += next.waiting;
    if sum.stop == StopReason::Idle {
        sum.stop = next.stop;
    }
    sum.gpu_time = sum.gpu_time.zip(next.gpu_time).map(|(a, b)| a.max(b));
    add_counts(sum, next);
}

/// What adds up however two reports meet: executed tasks (in total, per
/// opcode and per priority), publishes, spawns, rounds, submissions and
/// dispatches; faults, `printf` lines and submission times append.
fn add_counts(sum: &mut RunReport, next: RunReport) {
    for (s, n) in sum
        .executed_by_opcode
        .iter_mut()
        .zip(&next.executed_by_opcode)
    {
        s.executed += n.executed;
    }
    for (s, n) in sum
        .executed_by_priority
        .iter_mut()
        .zip(next.executed_by_priority)
    {
        *s += n;
    }
    sum.executed += next.executed;
    sum.faults.extend(next.faults);
    sum.published += next.published;
    sum.spawned += next.spawned;
    sum.spawn_overflows += next.spawn_overflows;
    sum.printf.extend(next.printf);
    sum.printf_dropped += next.printf_dropped;
    sum.rounds += next.rounds;
    sum.submissions += next.submissions;
    sum.dispatches += next.dispatches;
    sum.submission_times.extend(next.submission_times);
}

/// The set's total over `devices`, with `queued` tasks still in the set's
/// queue and `wall` its `run()`'s wall time.
pub(crate) fn total(devices: &[DeviceReport], queued: u64, wall: Duration) -> Result<RunReport> {
    let mut parts = devices.iter().map(|d| d.report.clone());
    let mut sum = parts.next().ok_or_else(|| Error::DeviceSet {
        reason: "a run over no device".into(),
    })?;
    for next in parts {
        beside(&mut sum, next);
    }
    let mut adapters: Vec<&str> = devices.iter().map(|d| d.adapter.as_str()).collect();
    adapters.dedup();
    sum.adapter = adapters.join(" + ");
    let mut backends: Vec<&str> = devices.iter().map(|d| d.report.backend.as_str()).collect();
    backends.dedup();
    sum.backend = backends.join(" + ");
    sum.waiting += queued;
    sum.wall_time = wall;
    Ok(sum)
}
