//! [`WgpuEngine`]: one program instance on a wgpu device.

use std::sync::Arc;
use std::time::Duration;

use crate::engine::{BackendKind, Engine, Submission};
use crate::error::{Error, Result};
use crate::program::Program;

use super::cache::Pipelines;
use super::context::GpuContext;
use super::pipeline::pipelines;
use super::readback::{read_words, Staging};
use crate::lower::{
    buffer_binding, wgsl_with, CTRL_BINDING, MAINTAIN_WORKGROUP_SIZE, RING_BINDING,
};

/// Bytes per protocol word and per buffer element.
const WORD: u64 = 4;
/// Binding name of the ring buffer, used in error messages.
const RING: &str = "vy_ring";
/// Binding name of the control buffer, used in error messages.
const CONTROL: &str = "vy_ctrl";

/// A device buffer and its length in words.
#[derive(Debug)]
struct DeviceBuffer {
    buffer: wgpu::Buffer,
    words: u64,
}

/// A declared buffer: its device buffer holds `len + 1` elements (the
/// extra one keeps an empty buffer bindable; WGSL computes
/// `len = arrayLength - 1`).
#[derive(Debug)]
struct UserBuffer {
    name: String,
    buffer: wgpu::Buffer,
    len: u64,
}

/// Timestamp queries written at the start and end of a submission's
/// compute pass.
#[derive(Debug)]
struct Timer {
    queries: wgpu::QuerySet,
    resolve: wgpu::Buffer,
    period_ns: f64,
}

/// One program instance on a wgpu device: the ring, control and declared
/// buffers laid out as in `docs/protocol.md`, the program's four compute
/// pipelines (shared through the context's cache) and the bind group that
/// ties them together.
///
/// Every method returns wgpu's validation, out-of-memory and device-loss
/// errors as [`Error`] values.
#[derive(Debug)]
pub struct WgpuEngine {
    ctx: GpuContext,
    program_name: String,
    pipelines: Arc<Pipelines>,
    ring: DeviceBuffer,
    control: DeviceBuffer,
    buffers: Vec<UserBuffer>,
    bind_group: wgpu::BindGroup,
    workgroups: u32,
    lanes: u32,
    /// Workgroups of the maintain dispatch in x and y (a ring of more
    /// than 65,535 workgroups spreads over y; the shader skips the excess).
    maintain_grid: (u32, u32),
    summary_words: u32,
    timer: Option<Timer>,
    submit_staging: Staging,
    read_staging: Staging,
    poll_timeout: Option<Duration>,
}

/// `(len + 1) * 4` bytes, or `None` on overflow.
fn element_bytes(len: u64) -> Option<u64> {
    len.checked_add(1)?.checked_mul(WORD)
}

/// The `(x, y)` workgroup grid of a maintain dispatch of `groups`
/// workgroups when a dimension holds at most `max`: x alone while it fits,
/// else spread over y as evenly as possible. `None` when even `max × max`
/// is too small.
fn maintain_grid(groups: u32, max: u32) -> Option<(u32, u32)> {
    if groups <= max {
        return Some((groups, 1));
    }
    let y = groups.div_ceil(max.max(1));
    let x = groups.div_ceil(y);
    (y <= max).then_some((x, y))
}

/// Checks `offset .. offset + len` against a buffer of `size` words.
fn check_range(name: &str, size: u64, offset: u64, len: u64) -> Result<()> {
    match offset.checked_add(len) {
        Some(end) if end <= size => Ok(()),
        end => Err(Error::BufferRange {
            name: name.to_string(),
            len: size,
            offset,
            end: end.unwrap_or(u64::MAX),
        }),
    }
}

impl WgpuEngine {
    /// Instantiates `program` on `ctx` with `workgroups` work workgroups
    /// (lanes = `workgroups × config.workgroup_size`), using the program's
    /// generated WGSL in the scheduler variant the adapter calls for
    /// ([`GpuContext::lower_options`]: [`Program::wgsl`]'s on GPUs, per-lane
    /// claims on software adapters).
    ///
    /// Allocates the ring and the control block (zeroed: an empty ring and
    /// an idle control block) and every declared buffer with a logical
    /// length of 0; the runtime resizes them. Pipelines come from the
    /// context's cache when this WGSL was compiled before.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRunOption`] for 0 or too many workgroups,
    /// [`Error::BufferTooLarge`] when the ring or control block exceeds the
    /// device's limits, [`Error::Gpu`] when the device rejects the shader,
    /// a pipeline or a buffer, [`Error::DeviceLost`].
    pub fn new(ctx: &GpuContext, program: &Program, workgroups: u32) -> Result<WgpuEngine> {
        let wgsl = wgsl_with(program, &ctx.lower_options());
        WgpuEngine::with_wgsl(ctx, program, workgroups, &wgsl)
    }

    /// Like [`WgpuEngine::new`], with WGSL supplied by the caller instead
    /// of the program's own lowering: for tests, experiments and
    /// hand-tuned kernels. The module must follow the binding and entry
    /// point contract of `docs/protocol.md`: `vy_ring` at binding 0,
    /// `vy_ctrl` at 1, declared buffer *i* at `2 + i` (read-only unless
    /// written or atomic), and the entry points `vy_prepare`
    /// (`@workgroup_size(1)`), `vy_maintain` (64; a ring of more than
    /// 65,535 workgroups is dispatched over x and y, slot = `gid.y *
    /// num_workgroups.x * 64 + gid.x`), `vy_finalize` (1) and `vy_work`
    /// (the program's workgroup size) — see [`crate::lower`].
    ///
    /// # Errors
    ///
    /// As [`WgpuEngine::new`]; invalid WGSL is an [`Error::Gpu`] whose
    /// stage names the shader module.
    pub fn with_wgsl(
        ctx: &GpuContext,
        program: &Program,
        workgroups: u32,
        wgsl: &str,
    ) -> Result<WgpuEngine> {
        ctx.health()?;
        let config = program.config();
        let limits = ctx.limits();
        let max_groups = limits.max_compute_workgroups_per_dimension;
        if workgroups == 0 || workgroups > max_groups {
            return Err(Error::InvalidRunOption {
                option: "workgroups",
                reason: format!(
                    "{workgroups} work workgroups requested; this adapter dispatches 1 ..= {max_groups}"
                ),
            });
        }
        let lanes = workgroups
            .checked_mul(config.workgroup_size)
            .ok_or_else(|| Error::InvalidRunOption {
                option: "workgroups",
                reason: format!(
                    "{workgroups} workgroups of {} lanes exceed 2^32 lanes",
                    config.workgroup_size
                ),
            })?;
        let maintain_groups = config.slots.div_ceil(MAINTAIN_WORKGROUP_SIZE);
        let maintain_grid =
            maintain_grid(maintain_groups, max_groups).ok_or_else(|| Error::Gpu {
                stage: "maintenance dispatch".to_string(),
                message: format!(
                    "{} slots need {maintain_groups} workgroups of {MAINTAIN_WORKGROUP_SIZE}, \
                 more than this adapter dispatches ({max_groups} × {max_groups}); use fewer slots",
                    config.slots
                ),
            })?;

        let layout = program.control_layout();
        let max_bytes = ctx.max_storage_buffer_bytes();
        let ring_words = config.ring_words();
        let control_words = u64::from(layout.lane_state) + u64::from(lanes);
        let read_only: Vec<bool> = program
            .buffers()
            .iter()
            .map(|b| !(b.written || b.kind.atomic))
            .collect();

        // Size checks before compiling: they are cheap, compiling is not.
        for (name, words) in [(RING, ring_words), (CONTROL, control_words)] {
            let bytes = words.saturating_mul(WORD);
            if bytes > max_bytes {
                return Err(Error::BufferTooLarge {
                    name: name.to_string(),
                    bytes,
                    max: max_bytes,
                });
            }
        }
        let pipelines = pipelines(ctx, program.name(), wgsl, config.workgroup_size, &read_only)?;

        let ring = DeviceBuffer {
            buffer: create_storage(ctx, RING, ring_words.saturating_mul(WORD), max_bytes)?,
            words: ring_words,
        };
        let control = DeviceBuffer {
            buffer: create_storage(ctx, CONTROL, control_words.saturating_mul(WORD), max_bytes)?,
            words: control_words,
        };
        let buffers = program
            .buffers()
            .iter()
            .map(|b| {
                Ok(UserBuffer {
                    name: b.name.clone(),
                    buffer: create_storage(ctx, &b.name, WORD, max_bytes)?,
                    len: 0,
                })
            })
            .collect::<Result<Vec<_>>>()?;

        let timer = if ctx.has_timestamps() {
            Some(create_timer(ctx)?)
        } else {
            None
        };
        let bind_group = bind_group(
            ctx,
            program.name(),
            &pipelines,
            &ring,
            &control,
            &buffers,
            None,
        )?;
        Ok(WgpuEngine {
            ctx: ctx.clone(),
            program_name: program.name().to_string(),
            pipelines,
            ring,
            control,
            buffers,
            bind_group,
            workgroups,
            lanes,
            maintain_grid,
            summary_words: layout.summary_words(),
            timer,
            submit_staging: Staging::new("vyre summary staging"),
            read_staging: Staging::new("vyre read staging"),
            poll_timeout: None,
        })
    }

    /// The context this engine runs on.
    pub fn context(&self) -> &GpuContext {
        &self.ctx
    }

    /// Work workgroups per work dispatch.
    pub fn workgroups(&self) -> u32 {
        self.workgroups
    }

    /// Words of the ring buffer (slots, then inboxes).
    pub fn ring_words(&self) -> u64 {
        self.ring.words
    }

    /// Words of the control buffer.
    pub fn control_words(&self) -> u64 {
        self.control.words
    }

    /// How long a submission or read may take before it fails with
    /// [`Error::Gpu`] instead of blocking; `None` (the default) waits as
    /// long as it takes. Hardware drivers reset a hung GPU on their own,
    /// which then surfaces as [`Error::DeviceLost`].
    ///
    /// After a timeout the submission still runs; the next call waits
    /// behind it. Timed waits from several threads on one context can trip
    /// an internal assertion of wgpu-core 30, which comes back as
    /// [`Error::Gpu`] (stage `submission wait`); give an engine that needs
    /// a timeout its own context.
    pub fn set_poll_timeout(&mut self, timeout: Option<Duration>) {
        self.poll_timeout = timeout;
    }

    /// Reads `len` words of the ring buffer from word `offset`.
    ///
    /// # Errors
    ///
    /// [`Error::BufferRange`] outside the ring; GPU errors as elsewhere.
    pub fn read_ring(&mut self, offset: u64, len: u64) -> Result<Vec<u32>> {
        check_range(RING, self.ring.words, offset, len)?;
        let buffer = self.ring.buffer.clone();
        self.read(RING, &buffer, offset, len)
    }

    /// Copies `len` words at word `offset` of `source` into the read
    /// staging buffer and returns them.
    fn read(
        &mut self,
        name: &str,
        source: &wgpu::Buffer,
        offset: u64,
        len: u64,
    ) -> Result<Vec<u32>> {
        if len == 0 {
            self.ctx.health()?;
            return Ok(Vec::new());
        }
        let bytes = len * WORD;
        let staging = self.read_staging.get(&self.ctx, bytes)?;
        let ctx = &self.ctx;
        let submission = ctx.scoped(&format!("read of `{name}`"), || {
            let mut encoder =
                ctx.device()
                    .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                        label: Some("vyre read"),
                    });
            encoder.copy_buffer_to_buffer(source, offset * WORD, &staging, 0, bytes);
            ctx.queue().submit([encoder.finish()])
        })?;
        read_words(ctx, &staging, bytes, submission, self.poll_timeout)
    }

    /// Writes `words` at word `offset` of `target` through the queue.
    fn write(&self, name: &str, target: &wgpu::Buffer, offset: u64, words: &[u32]) -> Result<()> {
        if words.is_empty() {
            return self.ctx.health();
        }
        self.ctx.scoped(&format!("write to `{name}`"), || {
            self.ctx
                .queue()
                .write_buffer(target, offset * WORD, bytemuck::cast_slice(words));
        })
    }

    /// The declared buffer `buffer`, or a typed error naming the valid range.
    fn user(&self, buffer: usize) -> Result<&UserBuffer> {
        self.buffers
            .get(buffer)
            .ok_or_else(|| Error::UnknownBuffer {
                name: format!("#{buffer}"),
                declared: self.buffers.iter().map(|b| b.name.clone()).collect(),
            })
    }

    /// Words of the summary staging buffer: the summary, then (8-aligned)
    /// the two resolved timestamps.
    fn timestamp_word(&self) -> u64 {
        u64::from(self.summary_words).next_multiple_of(2)
    }
}

/// Creates a zeroed storage buffer of `bytes` bytes, checking the device's
/// limits first so that an oversized request is a typed error.
fn create_storage(ctx: &GpuContext, name: &str, bytes: u64, max: u64) -> Result<wgpu::Buffer> {
    if bytes > max {
        return Err(Error::BufferTooLarge {
            name: name.to_string(),
            bytes,
            max,
        });
    }
    // wgpu zero-initialises every buffer before its first use, which is
    // what the protocol needs: zeroed memory is an empty ring, an idle
    // control block and zero-filled user data.
    ctx.scoped(&format!("buffer `{name}` ({bytes} bytes)"), || {
        ctx.device().create_buffer(&wgpu::BufferDescriptor {
            label: Some(name),
            size: bytes,
            usage: wgpu::BufferUsages::STORAGE
                | wgpu::BufferUsages::COPY_DST
                | wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        })
    })
}

fn create_timer(ctx: &GpuContext) -> Result<Timer> {
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

/// The bind group of the engine's buffers; `replace` substitutes the
/// device buffer of one declared buffer (a resize in progress).
fn bind_group(
    ctx: &GpuContext,
    label: &str,
    pipelines: &Pipelines,
    ring: &DeviceBuffer,
    control: &DeviceBuffer,
    buffers: &[UserBuffer],
    replace: Option<(usize, &wgpu::Buffer)>,
) -> Result<wgpu::BindGroup> {
    let mut entries = vec![
        wgpu::BindGroupEntry {
            binding: RING_BINDING,
            resource: ring.buffer.as_entire_binding(),
        },
        wgpu::BindGroupEntry {
            binding: CTRL_BINDING,
            resource: control.buffer.as_entire_binding(),
        },
    ];
    for (i, b) in buffers.iter().enumerate() {
        let buffer = match replace {
            Some((j, new)) if j == i => new,
            _ => &b.buffer,
        };
        entries.push(wgpu::BindGroupEntry {
            binding: buffer_binding(i),
            resource: buffer.as_entire_binding(),
        });
    }
    ctx.scoped(&format!("bind group of `{label}`"), || {
        ctx.device().create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some(label),
            layout: &pipelines.layout,
            entries: &entries,
        })
    })
}

impl Engine for WgpuEngine {
    fn kind(&self) -> BackendKind {
        BackendKind::Wgpu
    }

    fn adapter(&self) -> String {
        self.ctx.description().to_string()
    }

    fn lanes(&self) -> u32 {
        self.lanes
    }

    fn write_ring(&mut self, offset: u64, words: &[u32]) -> Result<()> {
        check_range(RING, self.ring.words, offset, words.len() as u64)?;
        self.write(RING, &self.ring.buffer, offset, words)
    }

    fn write_control(&mut self, offset: u64, words: &[u32]) -> Result<()> {
        check_range(CONTROL, self.control.words, offset, words.len() as u64)?;
        self.write(CONTROL, &self.control.buffer, offset, words)
    }

    fn read_control(&mut self, offset: u64, len: u64) -> Result<Vec<u32>> {
        check_range(CONTROL, self.control.words, offset, len)?;
        let buffer = self.control.buffer.clone();
        self.read(CONTROL, &buffer, offset, len)
    }

    fn write_buffer(&mut self, buffer: usize, offset: u64, words: &[u32]) -> Result<()> {
        let b = self.user(buffer)?;
        check_range(&b.name, b.len, offset, words.len() as u64)?;
        self.write(&b.name, &b.buffer, offset, words)
    }

    fn read_buffer(&mut self, buffer: usize, offset: u64, len: u64) -> Result<Vec<u32>> {
        let b = self.user(buffer)?;
        check_range(&b.name, b.len, offset, len)?;
        let (name, source) = (b.name.clone(), b.buffer.clone());
        self.read(&name, &source, offset, len)
    }

    fn resize_buffer(&mut self, buffer: usize, len: u64) -> Result<()> {
        let b = self.user(buffer)?;
        if b.len == len {
            return self.ctx.health();
        }
        let max = self.ctx.max_storage_buffer_bytes();
        let bytes = element_bytes(len).ok_or_else(|| Error::BufferTooLarge {
            name: b.name.clone(),
            bytes: u64::MAX,
            max,
        })?;
        let name = b.name.clone();
        let new = create_storage(&self.ctx, &name, bytes, max)?;
        // The new buffer is zeroed; copy the common prefix over it.
        let keep = b.len.min(len) * WORD;
        if keep > 0 {
            let ctx = &self.ctx;
            let old = &b.buffer;
            ctx.scoped(&format!("resize of `{name}`"), || {
                let mut encoder =
                    ctx.device()
                        .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                            label: Some("vyre resize"),
                        });
                encoder.copy_buffer_to_buffer(old, 0, &new, 0, keep);
                ctx.queue().submit([encoder.finish()]);
            })?;
        }
        let group = bind_group(
            &self.ctx,
            &self.program_name,
            &self.pipelines,
            &self.ring,
            &self.control,
            &self.buffers,
            Some((buffer, &new)),
        )?;
        // Dropping the old buffer is safe: wgpu keeps it alive until the
        // copy that reads it has executed.
        let b = &mut self.buffers[buffer];
        b.buffer = new;
        b.len = len;
        self.bind_group = group;
        Ok(())
    }

    fn buffer_len(&self, buffer: usize) -> u64 {
        self.buffers.get(buffer).map_or(0, |b| b.len)
    }

    fn submit(&mut self, rounds: u32) -> Result<Submission> {
        let summary_bytes = u64::from(self.summary_words) * WORD;
        let ts_word = self.timestamp_word();
        let staging_bytes = match self.timer {
            Some(_) => (ts_word + 4) * WORD,
            None => summary_bytes,
        };
        let staging = self
            .submit_staging
            .get(&self.ctx, staging_bytes.max(WORD))?;
        let ctx = &self.ctx;
        let p = &self.pipelines;
        let bind_group = &self.bind_group;
        let timer = self.timer.as_ref();
        let (work, (mx, my)) = (self.workgroups, self.maintain_grid);
        let control = &self.control.buffer;
        let submission = ctx.scoped("submission", || {
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
                let m = |pass: &mut wgpu::ComputePass<'_>| {
                    pass.set_pipeline(&p.prepare);
                    pass.dispatch_workgroups(1, 1, 1);
                    pass.set_pipeline(&p.maintain);
                    pass.dispatch_workgroups(mx, my, 1);
                    pass.set_pipeline(&p.finalize);
                    pass.dispatch_workgroups(1, 1, 1);
                };
                m(&mut pass);
                for _ in 0..rounds {
                    pass.set_pipeline(&p.work);
                    pass.dispatch_workgroups(work, 1, 1);
                    m(&mut pass);
                }
            }
            if summary_bytes > 0 {
                encoder.copy_buffer_to_buffer(control, 0, &staging, 0, summary_bytes);
            }
            if let Some(t) = timer {
                encoder.resolve_query_set(&t.queries, 0..2, &t.resolve, 0);
                encoder.copy_buffer_to_buffer(&t.resolve, 0, &staging, ts_word * WORD, 16);
            }
            ctx.queue().submit([encoder.finish()])
        })?;
        let words = read_words(ctx, &staging, staging_bytes, submission, self.poll_timeout)?;
        let summary = words
            .get(..self.summary_words as usize)
            .map(<[u32]>::to_vec)
            .unwrap_or_default();
        let gpu_time = timer.and_then(|t| {
            let at = |i: usize| -> Option<u64> {
                let lo = *words.get(ts_word as usize + 2 * i)?;
                let hi = *words.get(ts_word as usize + 2 * i + 1)?;
                Some(u64::from(lo) | (u64::from(hi) << 32))
            };
            let ticks = at(1)?.checked_sub(at(0)?)?;
            // A zero period (or zero ticks) means the adapter reported no
            // usable time.
            let ns = ticks as f64 * t.period_ns;
            (ns > 0.0 && ns.is_finite()).then(|| Duration::from_nanos(ns as u64))
        });
        Ok(Submission {
            summary,
            dispatches: 3 + 4 * u64::from(rounds),
            gpu_time,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn element_bytes_counts_the_extra_element() {
        assert_eq!(element_bytes(0), Some(4));
        assert_eq!(element_bytes(10), Some(44));
        assert_eq!(element_bytes(u64::MAX), None);
        assert_eq!(element_bytes(u64::MAX / 4), None);
    }

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

    #[test]
    fn ranges_are_checked_without_overflow() {
        assert!(check_range("x", 10, 0, 10).is_ok());
        assert!(check_range("x", 10, 10, 0).is_ok());
        assert!(matches!(
            check_range("x", 10, 5, 6),
            Err(Error::BufferRange { end: 11, .. })
        ));
        assert!(matches!(
            check_range("x", 10, u64::MAX, 2),
            Err(Error::BufferRange { end: u64::MAX, .. })
        ));
    }
}
