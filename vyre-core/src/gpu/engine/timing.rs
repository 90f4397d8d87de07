//! GPU time of a submission: timestamp queries written at the start and
//! end of its compute pass, resolved into the summary staging buffer.

use std::time::Duration;

use crate::error::Result;
use crate::gpu::context::GpuContext;
use crate::report::PassTimes;

use super::plan::{Pass, Plan};

use super::WgpuEngine;

/// Timestamp queries written at the start and end of a submission's
/// compute pass.
#[derive(Debug)]
pub(super) struct Timer {
    pub(super) queries: wgpu::QuerySet,
    pub(super) resolve: wgpu::Buffer,
    pub(super) period_ns: f64,
    /// Whether to write a timestamp after every dispatch: `VYRE_PASS_TIMES=1`
    /// asked for them and the adapter can write them inside a pass
    /// (decided once, when the engine is made).
    split_passes: bool,
    /// Those timestamps' queries, made on the first submission.
    pub(super) passes: Option<PassTimer>,
}

/// The timestamps written after each dispatch of a submission.
#[derive(Debug)]
pub(super) struct PassTimer {
    pub(super) queries: wgpu::QuerySet,
    pub(super) resolve: wgpu::Buffer,
    /// Queries in the set: the dispatches of the largest submission so
    /// far (the set grows when a larger one comes).
    pub(super) capacity: u32,
}

/// Whether `VYRE_PASS_TIMES` asks for a timestamp after every dispatch.
fn pass_times_wanted() -> bool {
    std::env::var("VYRE_PASS_TIMES").is_ok_and(|v| v == "1")
}

/// wgpu's limit on the queries of one set.
const MAX_QUERIES: u32 = wgpu::QUERY_SET_MAX_QUERIES;

impl Timer {
    /// The per-dispatch timer, able to hold `dispatches` timestamps;
    /// `None` when not asked for, not supported, or too many dispatches.
    pub(super) fn passes_for(
        &mut self,
        ctx: &GpuContext,
        dispatches: u32,
    ) -> Result<Option<&PassTimer>> {
        if !self.split_passes || dispatches > MAX_QUERIES {
            return Ok(None);
        }
        if self.passes.as_ref().is_none_or(|p| p.capacity < dispatches) {
            let capacity = dispatches.next_power_of_two().min(MAX_QUERIES);
            let queries = ctx.scoped("pass timestamp query set", || {
                ctx.device().create_query_set(&wgpu::QuerySetDescriptor {
                    label: Some("vyre pass times"),
                    ty: wgpu::QueryType::Timestamp,
                    count: capacity,
                })
            })?;
            let resolve = ctx.scoped("pass timestamp resolve buffer", || {
                ctx.device().create_buffer(&wgpu::BufferDescriptor {
                    label: Some("vyre pass timestamps"),
                    size: u64::from(capacity) * wgpu::QUERY_SIZE as u64,
                    usage: wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC,
                    mapped_at_creation: false,
                })
            })?;
            self.passes = Some(PassTimer {
                queries,
                resolve,
                capacity,
            });
        }
        Ok(self.passes.as_ref())
    }
}

/// Splits a submission by pass: `words` holds the pass's starting
/// timestamp at `ts_word` and, from `pass_word` on, one timestamp after
/// each dispatch of `plan`, in its order. Each dispatch is charged the
/// time since the one before: the first (a prepare) as the submission's
/// lead, a maintain before the first work pass as the first maintain, and
/// the prepares and finalizes after the first as the small passes.
pub(super) fn split(
    period_ns: f64,
    words: &[u32],
    ts_word: u64,
    pass_word: u64,
    plan: &Plan,
) -> Option<PassTimes> {
    let stamp = |w: u64| stamp(words, w);
    let ns = |ticks: u64| Duration::from_nanos((ticks as f64 * period_ns) as u64);
    let mut times = PassTimes::default();
    let mut last = stamp(ts_word)?;
    let mut worked = false;
    for (k, pass) in plan.passes().enumerate() {
        let t = stamp(pass_word + 2 * k as u64)?;
        let d = ns(t.saturating_sub(last));
        last = t.max(last);
        let field = match pass {
            _ if k == 0 => &mut times.lead,
            Pass::Place => &mut times.place,
            Pass::Maintain if !worked => &mut times.first_maintain,
            Pass::Maintain => &mut times.maintain,
            Pass::Work => {
                worked = true;
                &mut times.work
            }
            Pass::Prepare | Pass::Finalize => &mut times.small,
        };
        *field += d;
    }
    Some(times)
}

/// The query set and resolve buffer of an engine on an adapter with
/// timestamp queries; created once, reused by every submission.
pub(super) fn create_timer(ctx: &GpuContext) -> Result<Timer> {
    let queries = ctx.scoped("timestamp query set", || {
        ctx.device().create_query_set(&wgpu::QuerySetDescriptor {
            label: Some("vyre submission time"),
            ty: wgpu::QueryType::Timestamp,
            count: 2,
        })
    })?;
    let resolve = ctx.scoped("timestamp resolve buffer", || {
        ctx.device().create_buffer(&wgpu::BufferDescriptor {
            label: Some("vyre timestamps"),
            size: 2 * wgpu::QUERY_SIZE as u64,
            usage: wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        })
    })?;
    Ok(Timer {
        queries,
        resolve,
        period_ns: f64::from(ctx.queue().get_timestamp_period()),
        split_passes: pass_times_wanted()
            && ctx
                .features()
                .contains(wgpu::Features::TIMESTAMP_QUERY_INSIDE_PASSES),
        passes: None,
    })
}

/// The 64-bit timestamp resolved at word `w` of a submission's staging
/// `words` (low word first).
fn stamp(words: &[u32], w: u64) -> Option<u64> {
    let lo = *words.get(w as usize)?;
    let hi = *words.get(w as usize + 1)?;
    Some(u64::from(lo) | (u64::from(hi) << 32))
}

/// The time between the two timestamps resolved at word `ts_word` of a
/// submission's staging `words` by a timer of period `period_ns`; `None`
/// when the adapter reported no usable time.
pub(super) fn elapsed(period_ns: f64, words: &[u32], ts_word: u64) -> Option<Duration> {
    let ticks = stamp(words, ts_word + 2)?.checked_sub(stamp(words, ts_word)?)?;
    // A zero period (or zero ticks) means the adapter reported no usable
    // time.
    let ns = ticks as f64 * period_ns;
    (ns > 0.0 && ns.is_finite()).then(|| Duration::from_nanos(ns as u64))
}

impl WgpuEngine {
    /// Words of the summary staging buffer: the summary, the ticket log's
    /// first words, then (8-byte aligned) the two resolved timestamps.
    pub(super) fn timestamp_word(&self) -> u64 {
        // After the summary and the ticket log's words (submit.rs).
        u64::from(self.summary_words + self.ticket_log_words).next_multiple_of(2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Words holding `stamps` as little-endian pairs.
    fn words(stamps: &[u64]) -> Vec<u32> {
        stamps
            .iter()
            .flat_map(|&t| [t as u32, (t >> 32) as u32])
            .collect()
    }

    #[test]
    fn each_dispatch_is_charged_the_time_since_the_one_before() {
        // Start at 100, then one round: prepare, maintain, finalize,
        // work, prepare, maintain, finalize.
        let w = words(&[100, 110, 140, 141, 1141, 1142, 1342, 1343]);
        let plan = Plan::new(false, false, 1);
        let t = split(2.0, &w, 0, 2, &plan).expect("split");
        let us = |n: u64| Duration::from_nanos(2 * n);
        assert_eq!(t.lead, us(10));
        assert_eq!(t.place, us(0));
        assert_eq!(t.first_maintain, us(30));
        assert_eq!(t.work, us(1000));
        assert_eq!(t.maintain, us(200));
        assert_eq!(t.small, us(1 + 1 + 1));
        let total = t.lead + t.first_maintain + t.work + t.maintain + t.small;
        assert_eq!(total, us(1343 - 100));
        // Missing words: no split.
        assert_eq!(split(2.0, &w[..14], 0, 2, &plan), None);
        // Starting by placing: prepare, place, finalize, then prepare,
        // place, finalize a round.
        let w = words(&[100, 110, 510, 515, 517, 617, 618]);
        let plan = Plan::new(true, false, 1);
        let t = split(2.0, &w, 0, 2, &plan).expect("split");
        assert_eq!(t.lead, us(10));
        assert_eq!(t.place, us(400 + 100));
        assert_eq!(t.first_maintain + t.work + t.maintain, us(0));
        assert_eq!(t.small, us(5 + 2 + 1));
        assert_eq!(split(2.0, &w[..12], 0, 2, &plan), None);
        // Everything placed at once: no round.
        let t = split(2.0, &w[..8], 0, 2, &Plan::new(true, true, 4)).expect("split");
        assert_eq!((t.lead, t.place, t.small), (us(10), us(400), us(5)));
        assert_eq!(t.work + t.maintain + t.first_maintain, us(0));
    }
}
