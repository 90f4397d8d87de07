//! Compiling one WGSL module into its [`Pipelines`], through the
//! context's cache (`cache`).

use std::borrow::Cow;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

use super::cache::{PipelineKey, Pipelines};
use super::context::GpuContext;
use crate::lower::{
    buffer_binding, CTRL_BINDING, ENTRY_EXPAND, ENTRY_FINALIZE, ENTRY_MAINTAIN, ENTRY_PREPARE,
    ENTRY_WORK, INBOX_BINDING, INDIRECT_BINDING, RING_BINDING,
};

/// The pipelines of `wgsl` from the context's cache, compiled on a miss.
/// `read_only[i]` is whether declared buffer `i` binds read-only.
pub(crate) fn pipelines(
    ctx: &GpuContext,
    label: &str,
    wgsl: &str,
    workgroup_size: u32,
    read_only: &[bool],
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
    let layouts = layouts(ctx, label, read_only)?;
    if tiered(ctx, &key) {
        let (quick, _) = compile(ctx, label, wgsl, &layouts, false)?;
        let quick = ctx.inner.cache.insert(key.clone(), Arc::new(quick));
        upgrade_later(ctx, label, wgsl, layouts, key, Arc::clone(&quick));
        return Ok(quick);
    }
    let (compiled, slowest) = compile(ctx, label, wgsl, &layouts, trusted())?;
    if let Some(disk) = &ctx.inner.disk {
        disk.save_after(key.module_hash(), slowest);
    }
    Ok(ctx.inner.cache.insert(key, Arc::new(compiled)))
}

/// `VYRE_TIERED=off` compiles every module trusted at once, as before the
/// quick tier; `always` uses the quick tier on software adapters too.
pub const TIERED_ENV: &str = "VYRE_TIERED";

/// Whether the module of `key` is compiled first with naga's checks (the
/// quick tier) and its trusted pipelines in the background: on a GPU, when
/// vyre's modules are trusted and the disk cache does not list the module
/// (so the driver would compile it from scratch). NVIDIA's compiler takes
/// several times longer over a trusted module (H100, the 20-handler build
/// program: 648 ms trusted against 115 ms with naga's checks, whose loop
/// counters keep it from unrolling), while the trusted one runs handler
/// loops up to 1.8 times faster; the quick tier gives both.
fn tiered(ctx: &GpuContext, key: &PipelineKey) -> bool {
    let mode = std::env::var(TIERED_ENV).ok();
    let mode = mode.as_deref().map(str::trim);
    if mode.is_some_and(|m| m.eq_ignore_ascii_case("off") || m == "0") || !trusted() {
        return false;
    }
    let listed = ctx
        .inner
        .disk
        .as_ref()
        .is_some_and(|d| d.lists(key.module_hash()));
    let always = mode.is_some_and(|m| m.eq_ignore_ascii_case("always"));
    !listed && (always || !ctx.is_software())
}

/// Compiles the trusted pipelines of `wgsl` on a thread of their own, over
/// the quick tier's layouts (so the engines' bind groups fit both), then
/// offers them to the engines of `quick` and to later ones, and saves them
/// to the disk cache. A failure leaves the quick tier in use (warned once).
fn upgrade_later(
    ctx: &GpuContext,
    label: &str,
    wgsl: &str,
    layouts: Layouts,
    key: PipelineKey,
    quick: Arc<Pipelines>,
) {
    let (ctx, label, wgsl) = (ctx.clone(), label.to_string(), wgsl.to_string());
    *super::sync::lock(&ctx.inner.compiling.0) += 1;
    let ended = |ctx: &GpuContext| {
        let (count, ended) = &ctx.inner.compiling;
        let mut n = super::sync::lock(count);
        *n = n.saturating_sub(1);
        ended.notify_all();
    };
    let waiter = ctx.clone();
    let spawned = std::thread::Builder::new()
        .name("vyre-compile".into())
        .spawn(move || {
            let _ended = Ended(&ctx, ended);
            crate::trace::stage!("pipelines_upgrade", program = label.as_str());
            match compile(&ctx, &label, &wgsl, &layouts, true) {
                Ok((full, slowest)) => {
                    if let Some(disk) = &ctx.inner.disk {
                        disk.save_after(key.module_hash(), slowest);
                    }
                    let full = Arc::new(full);
                    ctx.inner.cache.upgrade(key, Arc::clone(&full));
                    let _ = quick.upgraded.set(full);
                }
                Err(e) => super::disk_cache::warn_once(&format!(
                    "the trusted pipelines of `{label}` did not compile ({e}); \
                     it keeps running with naga's checks"
                )),
            }
        });
    if spawned.is_err() {
        ended(&waiter);
        super::disk_cache::warn_once("no thread for the trusted pipelines: naga's checks stay");
    }
}

/// Runs its function on drop: a background compile ends its count however
/// it ends (a panic in the driver included).
struct Ended<'a, F: Fn(&GpuContext)>(&'a GpuContext, F);

impl<F: Fn(&GpuContext)> Drop for Ended<'_, F> {
    fn drop(&mut self) {
        (self.1)(self.0);
    }
}

/// `VYRE_TRUSTED=off` (or `0`, `false`) has naga add its own loop bounds
/// and division guards to vyre's shaders again.
pub const TRUSTED_ENV: &str = "VYRE_TRUSTED";

/// Whether vyre's shader modules go without naga's loop bounding and
/// integer-division guards (unless [`TRUSTED_ENV`] says `off`): vyre's own
/// bounds and checks cover them, and naga's cost about 45% of a handler's
/// hash loop on an H200 (`docs/benchmarks.md`).
pub(crate) fn trusted() -> bool {
    trusted_by(std::env::var(TRUSTED_ENV).ok().as_deref())
}

/// [`trusted`] for the value `VYRE_TRUSTED` has (`None`: unset).
fn trusted_by(value: Option<&str>) -> bool {
    !value.is_some_and(|v| {
        let v = v.trim();
        v.eq_ignore_ascii_case("off") || v == "0" || v.eq_ignore_ascii_case("false")
    })
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

/// The bind group and pipeline layouts of a module: both tiers of one
/// module share them.
#[derive(Debug, Clone)]
struct Layouts {
    layout: wgpu::BindGroupLayout,
    indirect_layout: wgpu::BindGroupLayout,
    pipeline_layout: wgpu::PipelineLayout,
    finalize_layout: wgpu::PipelineLayout,
}

/// The layouts of a program whose declared buffer `i` binds read-only when
/// `read_only[i]`.
fn layouts(ctx: &GpuContext, label: &str, read_only: &[bool]) -> Result<Layouts> {
    let device = &ctx.inner.device;
    let limits = device.limits();
    let storage = read_only.len() as u64 + 3;
    let allowed = u64::from(
        limits
            .max_storage_buffers_per_shader_stage
            .min(limits.max_bindings_per_bind_group),
    );
    if storage > allowed {
        return Err(Error::Gpu {
            stage: format!("bind group layout of `{label}`"),
            message: format!(
                "the program binds {storage} storage buffers (ring, control, inboxes and {} declared), \
                 but this adapter allows {allowed} per shader stage; declare fewer buffers",
                read_only.len()
            ),
        });
    }
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
    // Only finalize writes the indirect arguments; the dispatches that read
    // them must not have that buffer bound (wgpu refuses a buffer used for
    // writing and as indirect arguments in one dispatch).
    let finalize_layout = ctx.scoped(&format!("pipeline layout of `{label}`"), || {
        device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some(label),
            bind_group_layouts: &[Some(&layout), Some(&indirect_layout)],
            immediate_size: 0,
        })
    })?;
    Ok(Layouts {
        layout,
        indirect_layout,
        pipeline_layout,
        finalize_layout,
    })
}

/// The pipelines of `wgsl` over `layouts` (its module `trusted` or with
/// naga's checks), and how long the slowest took to create.
fn compile(
    ctx: &GpuContext,
    label: &str,
    wgsl: &str,
    layouts: &Layouts,
    trusted: bool,
) -> Result<(Pipelines, Duration)> {
    let device = &ctx.inner.device;
    if wgsl.trim().is_empty() {
        return Err(Error::Gpu {
            stage: format!("shader module of `{label}`"),
            message: "the WGSL source is empty".to_string(),
        });
    }

    let module = ctx.scoped(&format!("shader module of `{label}`"), || {
        crate::trace::stage!("shader_module", program = label, trusted = trusted);
        let desc = wgpu::ShaderModuleDescriptor {
            label: Some(label),
            source: wgpu::ShaderSource::Wgsl(Cow::Borrowed(wgsl)),
        };
        if trusted {
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
    })?;

    let Layouts {
        layout,
        indirect_layout,
        pipeline_layout,
        finalize_layout,
    } = layouts.clone();
    let pipeline = |entry: &str, layout: &wgpu::PipelineLayout| {
        let started = Instant::now();
        create_pipeline(ctx, label, &module, layout, entry).map(|p| (p, started.elapsed()))
    };
    // The driver compiles each entry point on its own: the three small
    // passes compile on other threads while this one compiles the work
    // pass, the big one (every handler). wgpu's error scopes are per
    // thread, so each compile reports its own errors.
    let (small, work) = std::thread::scope(|s| {
        let prepare = s.spawn(|| pipeline(ENTRY_PREPARE, &pipeline_layout));
        let maintain = s.spawn(|| pipeline(ENTRY_MAINTAIN, &pipeline_layout));
        let finalize = s.spawn(|| pipeline(ENTRY_FINALIZE, &finalize_layout));
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
        ((join(prepare), join(maintain), join(finalize)), work)
    });
    let ((prepare, a), (maintain, b), (finalize, c), (work, d)) =
        (small.0?, small.1?, small.2?, work?);
    let pipelines = Pipelines {
        prepare,
        maintain,
        finalize,
        work,
        layout,
        indirect_layout,
        module,
        pipeline_layout,
        expand: std::sync::OnceLock::new(),
        upgraded: std::sync::OnceLock::new(),
    };
    Ok((pipelines, a.max(b).max(c).max(d)))
}

/// Compiles entry point `entry` of `module` (through the disk cache).
fn create_pipeline(
    ctx: &GpuContext,
    label: &str,
    module: &wgpu::ShaderModule,
    layout: &wgpu::PipelineLayout,
    entry: &str,
) -> Result<wgpu::ComputePipeline> {
    ctx.scoped(&format!("compute pipeline `{entry}` of `{label}`"), || {
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
        &pipelines.module,
        &pipelines.pipeline_layout,
        ENTRY_EXPAND,
    )?;
    if let Some(disk) = &ctx.inner.disk {
        disk.save(None);
    }
    Ok(pipelines.expand.get_or_init(|| compiled))
}

#[cfg(test)]
mod tests {
    use super::trusted_by;

    #[test]
    fn only_off_restores_nagas_checks() {
        assert!(trusted_by(None));
        assert!(trusted_by(Some("on")));
        assert!(trusted_by(Some("")));
        for off in ["off", " OFF ", "0", "false"] {
            assert!(!trusted_by(Some(off)), "{off}");
        }
    }
}
