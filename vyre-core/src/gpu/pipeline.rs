//! Compiling one WGSL module into its [`Pipelines`], through the
//! context's cache (`cache`).

use std::borrow::Cow;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

use super::cache::{Modules, PipelineKey, Pipelines};
use super::context::{trusted, GpuContext};
use super::disk_cache::{warn_once, DiskCache};
use super::spirv;
use crate::lower::{
    buffer_binding, CTRL_BINDING, ENTRY_EXPAND, ENTRY_FINALIZE, ENTRY_MAINTAIN, ENTRY_PLACE,
    ENTRY_PREPARE, ENTRY_WORK, FIRST_BUFFER_BINDING, INBOX_BINDING, INDIRECT_BINDING, RING_BINDING,
};

/// The pipelines of `wgsl` from the context's cache, compiled on a miss.
/// `read_only[i]` is whether declared buffer `i` binds read-only;
/// `lowered`, whether vyre lowered the WGSL (its module may then come
/// from vyre's own SPIR-V, `spirv`).
pub(crate) fn pipelines(
    ctx: &GpuContext,
    label: &str,
    wgsl: &str,
    workgroup_size: u32,
    read_only: &[bool],
    lowered: bool,
) -> Result<Arc<Pipelines>> {
    let key = PipelineKey::new(wgsl, workgroup_size, read_only);
    if let Some(found) = ctx.inner.cache.get(&key) {
        crate::trace::event!("pipelines from vyre's cache", program = label);
        return Ok(found);
    }
    crate::trace::stage!(
        "pipelines",
        program = label,
        wgsl_bytes = wgsl.len(),
        disk_cache = ctx.inner.disk.is_some()
    );
    // Compile without holding the cache's lock: other programs' engines may
    // be created meanwhile. Two threads compiling the same module both
    // succeed; the first insert wins.
    let (compiled, slowest) = compile(ctx, label, wgsl, read_only, lowered)?;
    if let Some(disk) = &ctx.inner.disk {
        disk.save_after(key.module_hash(), slowest);
    }
    Ok(ctx.inner.cache.insert(key, Arc::new(compiled)))
}

/// naga's checks with loop bounding and integer-division guards left out.
fn trusted_checks() -> wgpu::ShaderRuntimeChecks {
    let mut checks = wgpu::ShaderRuntimeChecks::checked();
    checks.force_loop_bounding = false;
    checks.int_div_checks = false;
    checks
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

/// Whether `declared` buffers fit the adapter's `limits`, as [`layouts`]
/// binds them: group 0 holds vyre's buffers before
/// [`FIRST_BUFFER_BINDING`] and the declared ones; prepare and finalize
/// also bind the indirect arguments (group 1), and a pipeline layout counts
/// every binding of its groups against the per-stage limit. The error says
/// how many buffers fit.
fn binding_limits(limits: &wgpu::Limits, label: &str, declared: usize) -> Result<()> {
    let group = u64::from(FIRST_BUFFER_BINDING) + declared as u64;
    let stage = group + 1;
    let checks = [
        (
            stage,
            limits.max_storage_buffers_per_shader_stage,
            "per shader stage",
            ", indirect arguments",
        ),
        (
            group,
            limits.max_bindings_per_bind_group,
            "per bind group",
            "",
        ),
    ];
    for (count, allowed, what, indirect) in checks {
        let allowed = u64::from(allowed);
        if count > allowed {
            return Err(Error::Gpu {
                stage: format!("bind group layout of `{label}`"),
                message: format!(
                    "the program binds {count} storage buffers (ring, control, inboxes{indirect} \
                     and {declared} declared), but this adapter allows {allowed} {what}; declare \
                     at most {} buffers",
                    (declared as u64).saturating_sub(count - allowed),
                ),
            });
        }
    }
    Ok(())
}

/// The pipelines of `wgsl`, and how long the slowest took to create.
fn compile(
    ctx: &GpuContext,
    label: &str,
    wgsl: &str,
    read_only: &[bool],
    lowered: bool,
) -> Result<(Pipelines, Duration)> {
    binding_limits(&ctx.inner.device.limits(), label, read_only.len())?;
    if wgsl.trim().is_empty() {
        return Err(Error::Gpu {
            stage: format!("shader module of `{label}`"),
            message: "the WGSL source is empty".to_string(),
        });
    }

    // vyre's own SPIR-V where it can (`spirv`): only for WGSL it lowered,
    // with its checks trusted and the disk cache on.
    let spirv = match &ctx.inner.disk {
        Some(disk) if lowered && trusted() => spirv_modules(ctx, disk, label, wgsl),
        _ => None,
    };
    let modules = match spirv {
        Some(modules) => Modules::PerEntry(modules),
        None => Modules::Wgsl(wgsl_module(ctx, label, wgsl)?),
    };

    let (layout, indirect_layout, pipeline_layout, finalize_layout) =
        layouts(ctx, label, read_only)?;
    let pipeline = |entry: &str, layout: &wgpu::PipelineLayout| {
        let started = Instant::now();
        create_pipeline(ctx, label, &modules, layout, entry).map(|p| (p, started.elapsed()))
    };
    // The driver compiles each entry point on its own: the three small
    // passes compile on other threads while this one compiles the work
    // pass, the big one (every handler). wgpu's error scopes are per
    // thread, so each compile reports its own errors.
    // The place pass holds every handler too, so it compiles on a thread
    // of its own beside the work pass.
    let has_place = wgsl.contains(&format!("fn {ENTRY_PLACE}("));
    let (small, work, place) = std::thread::scope(|s| {
        let prepare = s.spawn(|| pipeline(ENTRY_PREPARE, &finalize_layout));
        let maintain = s.spawn(|| pipeline(ENTRY_MAINTAIN, &pipeline_layout));
        let finalize = s.spawn(|| pipeline(ENTRY_FINALIZE, &finalize_layout));
        let place = has_place.then(|| s.spawn(|| pipeline(ENTRY_PLACE, &pipeline_layout)));
        let work = pipeline(ENTRY_WORK, &pipeline_layout);
        let join =
            |h: std::thread::ScopedJoinHandle<'_, Result<(wgpu::ComputePipeline, Duration)>>| {
                h.join().unwrap_or_else(|_| {
                    Err(Error::Gpu {
                        stage: format!("compute pipelines of `{label}`"),
                        message: "a pipeline compile panicked".to_string(),
                    })
                })
            };
        (
            (join(prepare), join(maintain), join(finalize)),
            work,
            place.map(join).transpose(),
        )
    });
    let ((prepare, a), (maintain, b), (finalize, c), (work, d)) =
        (small.0?, small.1?, small.2?, work?);
    let (place, e) = match place {
        Ok(Some((p, e))) => (Some(p), e),
        Ok(None) => (None, Duration::ZERO),
        Err(e) => return Err(e),
    };
    let pipelines = Pipelines {
        prepare,
        maintain,
        finalize,
        work,
        place,
        layout,
        indirect_layout,
        modules,
        pipeline_layout,
        expand: std::sync::OnceLock::new(),
    };
    Ok((pipelines, a.max(b).max(c).max(d).max(e)))
}

/// A module per entry point of the vyre-lowered `wgsl`, from vyre's own
/// SPIR-V (`spirv`), where the device takes SPIR-V as is; `None` when it
/// cannot (the caller goes through naga then).
fn spirv_modules(
    ctx: &GpuContext,
    disk: &DiskCache,
    label: &str,
    wgsl: &str,
) -> Option<Vec<(String, wgpu::ShaderModule)>> {
    let device = &ctx.inner.device;
    if !device
        .features()
        .contains(wgpu::Features::PASSTHROUGH_SHADERS)
    {
        return None;
    }
    let entries = spirv::entries(&ctx.inner.adapter, disk, label, wgsl)?;
    let created = ctx.scoped(&format!("shader modules of `{label}` (SPIR-V)"), || {
        crate::trace::stage!("shader_module", program = label, source = "spirv");
        entries
            .iter()
            .map(|(name, words)| {
                let desc = wgpu::ShaderModuleDescriptorPassthrough {
                    label: Some(label),
                    entry_points: Cow::Owned(vec![wgpu::PassthroughShaderEntryPoint {
                        name: Cow::Borrowed(name),
                        // Read by Metal only; the SPIR-V has its sizes.
                        workgroup_size: (1, 1, 1),
                    }]),
                    spirv: Some(Cow::Borrowed(words)),
                    ..Default::default()
                };
                // SAFETY: `words` is naga's SPIR-V of one entry point of
                // `wgsl`, which naga parsed and validated
                // (`spirv::write`), or what an earlier process wrote for
                // the same WGSL and device (the file's envelope and its
                // copy of the WGSL checked). The options are those wgpu's
                // Vulkan back end uses for this device and a module
                // created with `create_shader_module_trusted` and
                // `trusted_checks`: the shader wgpu would build, less
                // wgpu's check of its bindings against the pipeline
                // layout, which vyre's lowering satisfies by construction
                // (`docs/protocol.md`, buffers).
                let module = unsafe { device.create_shader_module_passthrough(desc) };
                (name.clone(), module)
            })
            .collect()
    });
    match created {
        Ok(modules) => Some(modules),
        Err(e) => {
            warn_once(&format!("the device refused the SPIR-V of {label}: {e}"));
            None
        }
    }
}

/// The module of `wgsl` through naga (wgpu's own path), trusted unless
/// `VYRE_TRUSTED=off`.
fn wgsl_module(ctx: &GpuContext, label: &str, wgsl: &str) -> Result<wgpu::ShaderModule> {
    let device = &ctx.inner.device;
    ctx.scoped(&format!("shader module of `{label}`"), || {
        crate::trace::stage!(
            "shader_module",
            program = label,
            source = "wgsl",
            trusted = trusted()
        );
        let desc = wgpu::ShaderModuleDescriptor {
            label: Some(label),
            source: wgpu::ShaderSource::Wgsl(Cow::Borrowed(wgsl)),
        };
        if trusted() {
            // SAFETY: the two checks left out are naga's loop bounding and
            // integer-division guards. Every loop vyre generates is bounded
            // by vyre (a counter below an invariant bound, or `vy_tick`
            // against the loop limit) and every integer division divides by
            // a nonzero constant or sits behind vyre's own zero test: the
            // proof walks the naga module of every shader the test corpus
            // generates (`vyre-core/tests/trusted_shaders.rs`,
            // `tests/wgsl_common/trusted.rs`). Buffer bounds checks stay.
            unsafe { device.create_shader_module_trusted(desc, trusted_checks()) }
        } else {
            device.create_shader_module(desc)
        }
    })
}

/// The bind group layouts (group 0, group 1) and the pipeline layouts
/// (group 0 alone; groups 0 and 1, for prepare and finalize) of a module
/// whose declared buffer `i` binds read-only when `read_only[i]`.
fn layouts(
    ctx: &GpuContext,
    label: &str,
    read_only: &[bool],
) -> Result<(
    wgpu::BindGroupLayout,
    wgpu::BindGroupLayout,
    wgpu::PipelineLayout,
    wgpu::PipelineLayout,
)> {
    crate::trace::stage!("layouts", program = label);
    let device = &ctx.inner.device;
    let mut entries = vec![
        storage_entry(RING_BINDING, false),
        storage_entry(CTRL_BINDING, false),
        storage_entry(INBOX_BINDING, false),
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
    let indirect_layout =
        ctx.scoped(&format!("indirect bind group layout of `{label}`"), || {
            device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
                label: Some(label),
                entries: &[storage_entry(INDIRECT_BINDING, false)],
            })
        })?;
    let pipeline_layout = ctx.scoped(&format!("pipeline layout of `{label}`"), || {
        device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some(label),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        })
    })?;
    // Only prepare and finalize write the indirect arguments; the
    // dispatches that read them must not have that buffer bound (wgpu
    // refuses a buffer used for writing and as indirect arguments in one
    // dispatch).
    let finalize_layout = ctx.scoped(&format!("pipeline layout of `{label}`"), || {
        device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some(label),
            bind_group_layouts: &[Some(&layout), Some(&indirect_layout)],
            immediate_size: 0,
        })
    })?;
    Ok((layout, indirect_layout, pipeline_layout, finalize_layout))
}

/// Compiles entry point `entry` of `module` (through the disk cache).
fn create_pipeline(
    ctx: &GpuContext,
    label: &str,
    modules: &Modules,
    layout: &wgpu::PipelineLayout,
    entry: &str,
) -> Result<wgpu::ComputePipeline> {
    let stage = format!("compute pipeline `{entry}` of `{label}`");
    let module = modules.of(entry).ok_or_else(|| Error::Gpu {
        stage: stage.clone(),
        message: format!("the module has no entry point `{entry}`"),
    })?;
    ctx.scoped(&stage, || {
        // On the thread that compiles it (the small passes compile on
        // threads of their own), so a root span there.
        crate::trace::stage!("pipeline", program = label, entry = entry);
        ctx.inner
            .device
            .create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                label: Some(entry),
                layout: Some(layout),
                module,
                entry_point: Some(entry),
                compilation_options: wgpu::PipelineCompilationOptions::default(),
                cache: ctx.inner.disk.as_ref().map(|d| d.pipeline_cache()),
            })
    })
}

/// The expand pipeline of `pipelines`, compiled on first use.
pub(crate) fn expand_pipeline<'p>(
    ctx: &GpuContext,
    label: &str,
    pipelines: &'p Pipelines,
) -> Result<&'p wgpu::ComputePipeline> {
    if let Some(p) = pipelines.expand.get() {
        return Ok(p);
    }
    let compiled = create_pipeline(
        ctx,
        label,
        &pipelines.modules,
        &pipelines.pipeline_layout,
        ENTRY_EXPAND,
    )?;
    if let Some(disk) = &ctx.inner.disk {
        disk.save(None);
    }
    Ok(pipelines.expand.get_or_init(|| compiled))
}
