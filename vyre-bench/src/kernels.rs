//! Small wgpu helpers for the hand-written baseline kernels, recorded on
//! the megakernel's own device ([`GpuContext::device`]).
//!
//! Errors: wgpu reports validation errors of work recorded outside vyre
//! to the context's error handler; every helper that submits checks
//! [`GpuContext::health`] afterwards, so a broken baseline is an error
//! value, never a panic.

use std::borrow::Cow;
use std::time::Instant;

use vyre::gpu::GpuContext;
use wgpu::util::DeviceExt;

use super::stats::Timing;
use super::{fail, Result};

/// Invocations per workgroup of the one-invocation-per-task kernels.
pub const DIRECT_WG: u32 = 256;

/// A compute pipeline and the layout of its bind group 0 (derived from
/// the shader).
pub struct Kernel {
    pipeline: wgpu::ComputePipeline,
    layout: wgpu::BindGroupLayout,
}

impl Kernel {
    /// Compiles entry point `entry` of `wgsl`.
    pub fn new(ctx: &GpuContext, label: &str, wgsl: &str, entry: &str) -> Result<Kernel> {
        let device = ctx.device();
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some(label),
            source: wgpu::ShaderSource::Wgsl(Cow::Borrowed(wgsl)),
        });
        let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some(label),
            layout: None,
            module: &module,
            entry_point: Some(entry),
            compilation_options: wgpu::PipelineCompilationOptions::default(),
            cache: None,
        });
        let layout = pipeline.get_bind_group_layout(0);
        health(ctx, &format!("compiling baseline kernel `{label}`"))?;
        Ok(Kernel { pipeline, layout })
    }

    /// A bind group of `buffers` at bindings 0, 1, 2, ...
    pub fn bind(&self, ctx: &GpuContext, buffers: &[&wgpu::Buffer]) -> Result<wgpu::BindGroup> {
        let numbered: Vec<(u32, &wgpu::Buffer)> = buffers
            .iter()
            .enumerate()
            .map(|(i, b)| (i as u32, *b))
            .collect();
        self.bind_at(ctx, &numbered)
    }

    /// A bind group of `(binding, buffer)` pairs (an auto layout holds
    /// only the bindings its entry point uses).
    pub fn bind_at(
        &self,
        ctx: &GpuContext,
        buffers: &[(u32, &wgpu::Buffer)],
    ) -> Result<wgpu::BindGroup> {
        let entries: Vec<wgpu::BindGroupEntry<'_>> = buffers
            .iter()
            .map(|(binding, b)| wgpu::BindGroupEntry {
                binding: *binding,
                resource: b.as_entire_binding(),
            })
            .collect();
        let group = ctx.device().create_bind_group(&wgpu::BindGroupDescriptor {
            label: None,
            layout: &self.layout,
            entries: &entries,
        });
        health(ctx, "binding a baseline kernel's buffers")?;
        Ok(group)
    }

    /// Sets this kernel's pipeline and `group` on `pass`.
    pub fn set(&self, pass: &mut wgpu::ComputePass<'_>, group: &wgpu::BindGroup) {
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, group, &[]);
    }
}

/// The context's pending asynchronous error, if any, as this suite's error.
pub fn health(ctx: &GpuContext, what: &str) -> Result<()> {
    ctx.health().map_err(|e| format!("{what}: {e}").into())
}

/// A storage buffer holding `words` (also a copy source and target).
pub fn storage(ctx: &GpuContext, label: &str, words: &[u32]) -> Result<wgpu::Buffer> {
    // An empty binding is invalid; keep one word at least.
    let one = [0u32];
    let words = if words.is_empty() { &one[..] } else { words };
    check_size(ctx, label, words.len() as u64 * 4)?;
    let buffer = ctx
        .device()
        .create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some(label),
            contents: bytemuck::cast_slice(words),
            usage: wgpu::BufferUsages::STORAGE
                | wgpu::BufferUsages::COPY_SRC
                | wgpu::BufferUsages::COPY_DST
                | wgpu::BufferUsages::INDIRECT,
        });
    health(ctx, &format!("creating buffer `{label}`"))?;
    Ok(buffer)
}

/// A zeroed storage buffer of `words` words.
pub fn zeroed(ctx: &GpuContext, label: &str, words: u64) -> Result<wgpu::Buffer> {
    let bytes = words.max(1) * 4;
    check_size(ctx, label, bytes)?;
    let buffer = ctx.device().create_buffer(&wgpu::BufferDescriptor {
        label: Some(label),
        size: bytes,
        usage: wgpu::BufferUsages::STORAGE
            | wgpu::BufferUsages::COPY_SRC
            | wgpu::BufferUsages::COPY_DST
            | wgpu::BufferUsages::INDIRECT,
        mapped_at_creation: false,
    });
    health(ctx, &format!("creating buffer `{label}`"))?;
    Ok(buffer)
}

fn check_size(ctx: &GpuContext, label: &str, bytes: u64) -> Result<()> {
    let max = ctx.max_storage_buffer_bytes();
    if bytes > max {
        return fail(format!(
            "baseline buffer `{label}` needs {bytes} bytes, more than this adapter binds ({max}); use smaller sizes"
        ));
    }
    Ok(())
}

/// Writes `words` at word `offset` of `buffer`.
pub fn write(ctx: &GpuContext, buffer: &wgpu::Buffer, offset: u64, words: &[u32]) {
    if !words.is_empty() {
        ctx.queue()
            .write_buffer(buffer, offset * 4, bytemuck::cast_slice(words));
    }
}

/// The `(x, y)` grid of `groups` workgroups: x alone while it fits the
/// 65,535 limit, else spread over y (kernels compute
/// `i = gid.y * x * wg + gid.x` and skip `i >= n`).
pub fn grid(groups: u32) -> (u32, u32) {
    const MAX: u32 = 65_535;
    if groups <= MAX {
        return (groups.max(1), 1);
    }
    let y = groups.div_ceil(MAX);
    (groups.div_ceil(y), y)
}

/// Begin and end timestamps for up to `passes` compute passes of one
/// submission.
pub struct PassTimer {
    queries: Option<wgpu::QuerySet>,
    resolve: Option<wgpu::Buffer>,
    passes: u32,
    period_ns: f64,
}

impl PassTimer {
    /// A timer for `passes` passes; without timestamp support every
    /// method is a no-op and [`read`](Self::read) yields `None`s.
    pub fn new(ctx: &GpuContext, passes: u32) -> Result<PassTimer> {
        if !ctx.has_timestamps() {
            return Ok(PassTimer {
                queries: None,
                resolve: None,
                passes,
                period_ns: 0.0,
            });
        }
        let device = ctx.device();
        let queries = device.create_query_set(&wgpu::QuerySetDescriptor {
            label: Some("baseline timestamps"),
            ty: wgpu::QueryType::Timestamp,
            count: 2 * passes,
        });
        let resolve = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("baseline timestamps"),
            size: u64::from(2 * passes) * wgpu::QUERY_SIZE as u64,
            usage: wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        });
        health(ctx, "creating timestamp queries")?;
        Ok(PassTimer {
            queries: Some(queries),
            resolve: Some(resolve),
            passes,
            period_ns: f64::from(ctx.queue().get_timestamp_period()),
        })
    }

    /// The timestamp writes of pass `i` (`None` without timestamps).
    pub fn writes(&self, i: u32) -> Option<wgpu::ComputePassTimestampWrites<'_>> {
        let q = self.queries.as_ref()?;
        (i < self.passes).then_some(wgpu::ComputePassTimestampWrites {
            query_set: q,
            beginning_of_pass_write_index: Some(2 * i),
            end_of_pass_write_index: Some(2 * i + 1),
        })
    }

    /// Records the resolve of every query into the timer's buffer.
    pub fn resolve(&self, encoder: &mut wgpu::CommandEncoder) {
        if let (Some(q), Some(r)) = (&self.queries, &self.resolve) {
            encoder.resolve_query_set(q, 0..2 * self.passes, r, 0);
        }
    }

    /// The GPU seconds of each pass after the submission finished.
    pub fn read(&self, ctx: &GpuContext) -> Result<Vec<Option<f64>>> {
        let Some(r) = &self.resolve else {
            return Ok(vec![None; self.passes as usize]);
        };
        let words = read(ctx, r, 0, u64::from(4 * self.passes))?;
        Ok((0..self.passes as usize)
            .map(|i| {
                let at = |k: usize| u64::from(words[2 * k]) | (u64::from(words[2 * k + 1]) << 32);
                let ticks = at(2 * i + 1).checked_sub(at(2 * i))?;
                let s = ticks as f64 * self.period_ns * 1e-9;
                (s > 0.0 && s.is_finite()).then_some(s)
            })
            .collect())
    }
}

/// Submits `encoder` and waits for it; returns the wall time from submit
/// to completion.
pub fn submit_wait(ctx: &GpuContext, encoder: wgpu::CommandEncoder) -> Result<f64> {
    let t = Instant::now();
    let index = ctx.queue().submit([encoder.finish()]);
    ctx.device()
        .poll(wgpu::PollType::Wait {
            submission_index: Some(index),
            timeout: None,
        })
        .map_err(|e| format!("waiting for a baseline submission: {e}"))?;
    health(ctx, "running a baseline submission")?;
    Ok(t.elapsed().as_secs_f64())
}

/// A new command encoder.
pub fn encoder(ctx: &GpuContext) -> wgpu::CommandEncoder {
    ctx.device()
        .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: None })
}

/// Reads `len` words at word `offset` of `buffer`.
pub fn read(ctx: &GpuContext, buffer: &wgpu::Buffer, offset: u64, len: u64) -> Result<Vec<u32>> {
    if len == 0 {
        return Ok(Vec::new());
    }
    let bytes = len * 4;
    let staging = ctx.device().create_buffer(&wgpu::BufferDescriptor {
        label: Some("baseline readback"),
        size: bytes,
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    let mut enc = encoder(ctx);
    enc.copy_buffer_to_buffer(buffer, offset * 4, &staging, 0, bytes);
    submit_wait(ctx, enc)?;
    let (tx, rx) = std::sync::mpsc::channel();
    staging.map_async(wgpu::MapMode::Read, 0..bytes, move |r| {
        let _ = tx.send(r);
    });
    ctx.device()
        .poll(wgpu::PollType::Wait {
            submission_index: None,
            timeout: None,
        })
        .map_err(|e| format!("waiting for a readback: {e}"))?;
    match rx.try_recv() {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return fail(format!("mapping a readback: {e}")),
        Err(_) => return fail("a readback map did not complete"),
    }
    let words = match staging.get_mapped_range(0..bytes) {
        Ok(view) => Ok(bytemuck::pod_collect_to_vec::<u8, u32>(&view)),
        Err(e) => Err(format!("reading a mapped readback: {e}").into()),
    };
    staging.unmap();
    words
}

/// Times one submission built by `record` (which records its passes
/// with timestamps from `timer`'s pass 0): wall time from submit to
/// completion and the GPU time of pass 0.
pub fn timed(
    ctx: &GpuContext,
    timer: &PassTimer,
    record: impl FnOnce(&mut wgpu::CommandEncoder),
) -> Result<Timing> {
    let mut enc = encoder(ctx);
    record(&mut enc);
    timer.resolve(&mut enc);
    let wall = submit_wait(ctx, enc)?;
    let gpu = timer.read(ctx)?.first().copied().flatten();
    Ok(Timing { wall, gpu })
}
