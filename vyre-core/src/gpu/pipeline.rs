//! Compiled pipelines of one WGSL module and their cache.
//!
//! Compiling a megakernel (WGSL parse, validation, SPIR-V generation, the
//! driver's own compile) is by far the slowest part of creating an engine,
//! so the context keeps every compiled module keyed by its full WGSL text
//! and binding layout: a second engine for the same program reuses it.

use std::borrow::Cow;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;

use crate::error::{Error, Result};

use super::context::{lock, GpuContext};
use crate::lower::{
    buffer_binding, CTRL_BINDING, ENTRY_FINALIZE, ENTRY_MAINTAIN, ENTRY_PREPARE, ENTRY_WORK,
    RING_BINDING,
};

/// Counters of a context's pipeline cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PipelineCacheStats {
    /// Compiled modules held.
    pub entries: usize,
    /// Engine creations that found their pipelines compiled.
    pub hits: u64,
    /// Engine creations that compiled their pipelines.
    pub misses: u64,
}

/// What identifies a set of pipelines: the WGSL text itself (not a hash of
/// it, so two programs can never share pipelines by a collision), the
/// workgroup size the module was generated for, and the access mode of
/// each declared buffer's binding (the bind group layout).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct PipelineKey {
    wgsl: String,
    workgroup_size: u32,
    read_only: Vec<bool>,
}

/// One module's shader, bind group layout and its four compute pipelines.
#[derive(Debug)]
pub(crate) struct Pipelines {
    pub(crate) layout: wgpu::BindGroupLayout,
    pub(crate) prepare: wgpu::ComputePipeline,
    pub(crate) maintain: wgpu::ComputePipeline,
    pub(crate) finalize: wgpu::ComputePipeline,
    pub(crate) work: wgpu::ComputePipeline,
}

/// The pipelines of `wgsl` from the context's cache, compiled on a miss.
/// `read_only[i]` is whether declared buffer `i` binds read-only.
pub(crate) fn pipelines(
    ctx: &GpuContext,
    label: &str,
    wgsl: &str,
    workgroup_size: u32,
    read_only: &[bool],
) -> Result<Arc<Pipelines>> {
    let key = PipelineKey {
        wgsl: wgsl.to_string(),
        workgroup_size,
        read_only: read_only.to_vec(),
    };
    if let Some(found) = lock(&ctx.inner.cache).get(&key) {
        ctx.inner.cache_hits.fetch_add(1, Relaxed);
        return Ok(Arc::clone(found));
    }
    // Compile without holding the lock: other programs' engines may be
    // created meanwhile. Two threads compiling the same module both
    // succeed; the first insert wins.
    let compiled = Arc::new(compile(ctx, label, wgsl, read_only)?);
    ctx.inner.cache_misses.fetch_add(1, Relaxed);
    let mut cache = lock(&ctx.inner.cache);
    Ok(Arc::clone(cache.entry(key).or_insert(compiled)))
}

/// The bind group layout entry of a storage buffer at `binding`.
fn storage_entry(binding: u32, read_only: bool) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::COMPUTE,
        ty: wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Storage { read_only },
            has_dynamic_offset: false,
            min_binding_size: None,
        },
        count: None,
    }
}

fn compile(ctx: &GpuContext, label: &str, wgsl: &str, read_only: &[bool]) -> Result<Pipelines> {
    let device = &ctx.inner.device;
    let limits = device.limits();
    let storage = read_only.len() as u64 + 2;
    let allowed = u64::from(
        limits
            .max_storage_buffers_per_shader_stage
            .min(limits.max_bindings_per_bind_group),
    );
    if storage > allowed {
        return Err(Error::Gpu {
            stage: format!("bind group layout of `{label}`"),
            message: format!(
                "the program binds {storage} storage buffers (ring, control and {} declared), \
                 but this adapter allows {allowed} per shader stage; declare fewer buffers",
                read_only.len()
            ),
        });
    }
    if wgsl.trim().is_empty() {
        return Err(Error::Gpu {
            stage: format!("shader module of `{label}`"),
            message: "the WGSL source is empty".to_string(),
        });
    }

    let module = ctx.scoped(&format!("shader module of `{label}`"), || {
        device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some(label),
            source: wgpu::ShaderSource::Wgsl(Cow::Borrowed(wgsl)),
        })
    })?;

    let mut entries = vec![
        storage_entry(RING_BINDING, false),
        storage_entry(CTRL_BINDING, false),
    ];
    entries.extend(
        read_only
            .iter()
            .enumerate()
            .map(|(i, &ro)| storage_entry(buffer_binding(i), ro)),
    );
    let layout = ctx.scoped(&format!("bind group layout of `{label}`"), || {
        device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some(label),
            entries: &entries,
        })
    })?;
    let pipeline_layout = ctx.scoped(&format!("pipeline layout of `{label}`"), || {
        device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some(label),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        })
    })?;
    let pipeline = |entry: &str| {
        ctx.scoped(&format!("compute pipeline `{entry}` of `{label}`"), || {
            device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                label: Some(entry),
                layout: Some(&pipeline_layout),
                module: &module,
                entry_point: Some(entry),
                compilation_options: wgpu::PipelineCompilationOptions::default(),
                cache: None,
            })
        })
    };
    Ok(Pipelines {
        prepare: pipeline(ENTRY_PREPARE)?,
        maintain: pipeline(ENTRY_MAINTAIN)?,
        finalize: pipeline(ENTRY_FINALIZE)?,
        work: pipeline(ENTRY_WORK)?,
        layout,
    })
}
