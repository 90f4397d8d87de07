//! GPU time of a submission: timestamp queries written at the start and
//! end of its compute pass, resolved into the summary staging buffer.

use std::time::Duration;

use crate::error::Result;
use crate::gpu::context::GpuContext;

use super::WgpuEngine;

/// Timestamp queries written at the start and end of a submission's
/// compute pass.
#[derive(Debug)]
pub(super) struct Timer {
    pub(super) queries: wgpu::QuerySet,
    pub(super) resolve: wgpu::Buffer,
    pub(super) period_ns: f64,
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
    })
}

/// The time between the two timestamps resolved at word `ts_word` of a
/// submission's staging `words` by a timer of period `period_ns`; `None`
/// when the adapter reported no usable time.
pub(super) fn elapsed(period_ns: f64, words: &[u32], ts_word: u64) -> Option<Duration> {
    let at = |i: usize| -> Option<u64> {
        let lo = *words.get(ts_word as usize + 2 * i)?;
        let hi = *words.get(ts_word as usize + 2 * i + 1)?;
        Some(u64::from(lo) | (u64::from(hi) << 32))
    };
    let ticks = at(1)?.checked_sub(at(0)?)?;
    // A zero period (or zero ticks) means the adapter reported no usable
    // time.
    let ns = ticks as f64 * period_ns;
    (ns > 0.0 && ns.is_finite()).then(|| Duration::from_nanos(ns as u64))
}

impl WgpuEngine {
    /// Words of the summary staging buffer: the summary, the ticket log's
    /// head, then (8-byte aligned) the two resolved timestamps.
    pub(super) fn timestamp_word(&self) -> u64 {
        // After the summary and the ticket log's head (submit.rs).
        u64::from(self.summary_words + crate::protocol::ticket::LOG_HEAD).next_multiple_of(2)
    }
}
