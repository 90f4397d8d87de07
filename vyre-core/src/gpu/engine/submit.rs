//! One submission: the compute pass that chains the rounds' dispatches,
//! the copy of the summary (and timestamps) into staging, and its readback.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::engine::{InFlight, Submission};
use crate::error::Result;
use crate::gpu::pipeline::expand_pipeline;
use crate::gpu::readback::read_words;
use crate::lower::{EXPAND_WORKGROUP_SIZE, INDIRECT_GROUP};
use crate::protocol::{ctrl, indirect, start};

use super::plan::{Pass, Plan};
use super::timing::{elapsed, split};
use super::{WgpuEngine, WORD};

/// The `(x, y)` workgroup grid of a maintain dispatch of `groups`
/// workgroups when a dimension holds at most `max`: x alone while it fits,
/// else spread over y as evenly as possible. `None` when even `max × max`
/// is too small.
pub(super) fn maintain_grid(groups: u32, max: u32) -> Option<(u32, u32)> {
    if groups <= max {
        return Some((groups, 1));
    }
    let y = groups.div_ceil(max.max(1));
    let x = groups.div_ceil(y);
    (y <= max).then_some((x, y))
}

impl WgpuEngine {
    /// Runs `rounds` rounds in one submission (prepare, maintain or place,
    /// and finalize first, then work and those again per round: the
    /// [`Plan`]) and returns it in flight: its wait reads the summary back. The rounds' work and
    /// maintain dispatches are indirect: once finalize finds the ring idle
    /// they have zero workgroups, so rounds past the end of the work cost
    /// next to nothing.
    pub(super) fn submit_rounds(&mut self, rounds: u32) -> Result<InFlight> {
        // The host may have written since the last submission: the ring
        // is not known to be idle (a queue write lands before the
        // submission's commands). How it starts goes in the same write.
        // Set only for a module with the place pass
        // (`next_starts_on_empty_ring`).
        let place_next = self.place_next.take();
        let place = place_next.is_some();
        let plan = Plan::new(place, place_next.unwrap_or(false), rounds);
        let start_mode = if place {
            start::PLACE_AND_RUN
        } else {
            start::MAINTAIN
        };
        self.write(
            super::CONTROL,
            &self.control.buffer,
            u64::from(ctrl::IDLE),
            &[0, start_mode],
        )?;
        let summary_bytes = u64::from(self.summary_words) * WORD;
        // The ticket log's first words follow the summary in the staging
        // buffer.
        let log_words = self.ticket_log_words;
        let log_bytes = u64::from(log_words) * WORD;
        let log_at = u64::from(self.layout.ticket_log) * WORD;
        let ts_word = self.timestamp_word();
        let place_pipeline = self.pipelines.place.as_ref();
        let dispatches = plan.len();
        // A timestamp after every dispatch (`VYRE_PASS_TIMES=1`), after
        // the pass's own two in the staging buffer.
        let pass_word = ts_word + 4;
        let split_passes = match self.timer.as_mut() {
            Some(t) => t.passes_for(&self.ctx, dispatches)?.is_some(),
            None => false,
        };
        let staging_bytes = match (&self.timer, split_passes) {
            (Some(_), true) => (pass_word + 2 * u64::from(dispatches)) * WORD,
            (Some(_), false) => (ts_word + 4) * WORD,
            (None, _) => summary_bytes + log_bytes,
        };
        // Two submissions may be in flight: each has its own staging.
        let staging =
            self.submit_staging[self.next_staging].get(&self.ctx, staging_bytes.max(WORD))?;
        self.next_staging ^= 1;
        let ctx = &self.ctx;
        let p = &self.pipelines;
        let bind_group = &self.bind_group;
        let indirect_group = &self.indirect_group;
        let args = &self.indirect;
        let timer = self.timer.as_ref();
        let pass_timer = timer
            .and_then(|t| t.passes.as_ref())
            .filter(|_| split_passes);
        let control = &self.control.buffer;
        let submission = ctx.scoped("submission", || {
            crate::trace::stage!("encode_submit", rounds = rounds);
            let mut encoder =
                ctx.device()
                    .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                        label: Some("vyre submission"),
                    });
            {
                // One compute pass: wgpu orders the dispatches and inserts
                // the storage barriers between them, so every pass sees the
                // previous one's writes (`docs/protocol.md`, one submission).
                let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                    label: Some("vyre rounds"),
                    timestamp_writes: timer.map(|t| wgpu::ComputePassTimestampWrites {
                        query_set: &t.queries,
                        beginning_of_pass_write_index: Some(0),
                        end_of_pass_write_index: Some(1),
                    }),
                });
                pass.set_bind_group(0, bind_group, &[]);
                pass.set_bind_group(INDIRECT_GROUP, indirect_group, &[]);
                let word = |w: u32| u64::from(w) * WORD;
                let mut stamps = 0;
                let mut stamp = |pass: &mut wgpu::ComputePass<'_>| {
                    if let Some(t) = pass_timer {
                        pass.write_timestamp(&t.queries, stamps);
                        stamps += 1;
                    }
                };
                // The first prepare sizes the place pass or the first
                // maintain pass: one of them places the inbox entries
                // (`ctrl::START`); finalize sizes the next round's work
                // and maintain. The plan leaves out the dispatches that
                // could have no workgroups.
                for d in plan.passes() {
                    match d {
                        Pass::Prepare => {
                            pass.set_pipeline(&p.prepare);
                            pass.dispatch_workgroups(1, 1, 1);
                        }
                        // A plan places only where the pipeline is (`place`
                        // above); were it missing, nothing is dispatched.
                        Pass::Place => {
                            if let Some(place) = place_pipeline {
                                pass.set_pipeline(place);
                                pass.dispatch_workgroups_indirect(args, word(indirect::PLACE));
                            }
                        }
                        Pass::Maintain => {
                            pass.set_pipeline(&p.maintain);
                            pass.dispatch_workgroups_indirect(args, word(indirect::MAINTAIN));
                        }
                        Pass::Finalize => {
                            pass.set_pipeline(&p.finalize);
                            pass.dispatch_workgroups(1, 1, 1);
                        }
                        Pass::Work => {
                            pass.set_pipeline(&p.work);
                            pass.dispatch_workgroups_indirect(args, word(indirect::WORK));
                        }
                    }
                    stamp(&mut pass);
                }
            }
            if summary_bytes > 0 {
                encoder.copy_buffer_to_buffer(control, 0, &staging, 0, summary_bytes);
            }
            if log_bytes > 0 {
                encoder.copy_buffer_to_buffer(control, log_at, &staging, summary_bytes, log_bytes);
            }
            if let Some(t) = timer {
                encoder.resolve_query_set(&t.queries, 0..2, &t.resolve, 0);
                encoder.copy_buffer_to_buffer(&t.resolve, 0, &staging, ts_word * WORD, 16);
            }
            if let Some(t) = pass_timer {
                let bytes = u64::from(dispatches) * wgpu::QUERY_SIZE as u64;
                encoder.resolve_query_set(&t.queries, 0..dispatches, &t.resolve, 0);
                encoder.copy_buffer_to_buffer(&t.resolve, 0, &staging, pass_word * WORD, bytes);
            }
            let commands = {
                crate::trace::stage!("encoder_finish");
                encoder.finish()
            };
            crate::trace::stage!("queue_submit");
            ctx.queue().submit([commands])
        })?;
        // Set once the device has finished this submission (and what was
        // submitted before it), seen at the next poll of the device.
        let finished = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&finished);
        ctx.queue()
            .on_submitted_work_done(move || flag.store(true, Ordering::Release));
        let probe_ctx = ctx.clone();
        let done = move || {
            if !finished.load(Ordering::Acquire) {
                probe_ctx.poll_now();
            }
            finished.load(Ordering::Acquire)
        };
        // What the wait needs, owned: the engine stays free for the host's
        // writes meanwhile.
        let ctx = ctx.clone();
        let timeout = self.poll_timeout;
        let head = self.summary_words as usize;
        let period = timer.map(|t| t.period_ns);
        Ok(InFlight::waiting_with_probe(
            move || {
                let words = {
                    crate::trace::stage!("gpu_wait");
                    read_words(&ctx, &staging, staging_bytes, submission, timeout)?
                };
                let summary = words.get(..head).map(<[u32]>::to_vec).unwrap_or_default();
                let ticket_log = words
                    .get(head..head + log_words as usize)
                    .map(<[u32]>::to_vec)
                    .unwrap_or_default();
                let gpu_time = period.and_then(|p| elapsed(p, &words, ts_word));
                let passes = period
                    .filter(|_| split_passes)
                    .and_then(|p| split(p, &words, ts_word, pass_word, &plan));
                Ok(Submission {
                    summary,
                    ticket_log,
                    dispatches: u64::from(dispatches),
                    gpu_time,
                    passes,
                })
            },
            done,
        ))
    }
}

impl WgpuEngine {
    /// Runs the expand pass over `ranges` descriptors in a submission of
    /// its own (queue order puts it before the next one); nothing is read
    /// back. Each row walks its descriptor's `widest` entries at most with
    /// a grid stride of up to 65,535 workgroups, so an invocation loops a
    /// few times at most, far below any loop cut.
    pub(super) fn expand_ranges(&mut self, ranges: u32, widest: u32) -> Result<()> {
        if ranges == 0 || widest == 0 {
            return self.ctx.health();
        }
        let ctx = &self.ctx;
        let pipeline = expand_pipeline(ctx, &self.program_name, &self.pipelines)?;
        let max = ctx.limits().max_compute_workgroups_per_dimension;
        let groups = widest.div_ceil(EXPAND_WORKGROUP_SIZE).clamp(1, max);
        let bind_group = &self.bind_group;
        ctx.scoped("expand pass", || {
            let mut encoder =
                ctx.device()
                    .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                        label: Some("vyre expand"),
                    });
            {
                let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                    label: Some("vyre expand"),
                    timestamp_writes: None,
                });
                pass.set_bind_group(0, bind_group, &[]);
                pass.set_pipeline(pipeline);
                pass.dispatch_workgroups(groups, ranges, 1);
            }
            ctx.queue().submit([encoder.finish()]);
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maintain_grid_spreads_over_y_only_when_needed() {
        assert_eq!(maintain_grid(1, 65_535), Some((1, 1)));
        assert_eq!(maintain_grid(65_535, 65_535), Some((65_535, 1)));
        // The largest ring (2^22 slots) needs 65,536 workgroups of 64.
        assert_eq!(maintain_grid(65_536, 65_535), Some((32_768, 2)));
        let (x, y) = maintain_grid(999_999, 1000).expect("fits");
        assert!(x <= 1000 && y <= 1000 && u64::from(x) * u64::from(y) >= 999_999);
        assert_eq!(maintain_grid(1_000_001, 1000), None);
        assert_eq!(maintain_grid(u32::MAX, 65_535), None);
    }
}
