//! The shared wgpu context: instance, adapter, device, queue, the record of
//! asynchronous device errors, and the pipeline cache.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use crate::error::{Error, Result};
use crate::lower::{ClaimVariant, LowerOptions};

use super::cache::{PipelineCache, PipelineCacheStats};
use super::disk_cache::DiskCache;
use super::sync::lock;

/// Which adapters [`GpuContext::new`] may open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AdapterChoice {
    /// Only real GPUs: discrete (preferred), integrated or virtual.
    Hardware,
    /// Any adapter, CPU implementations such as Mesa's lavapipe included;
    /// hardware is still preferred when present.
    Any,
}

/// Environment variable that restricts adapters to those whose name
/// contains its value (case-insensitive), e.g. to pick one GPU of several.
pub(crate) const ADAPTER_NAME_ENV: &str = "WGPU_ADAPTER_NAME";

/// Errors that wgpu reports asynchronously (device loss, errors outside
/// any error scope), recorded by callbacks so that the next call returns
/// them as typed errors instead of wgpu's default panic.
#[derive(Debug, Default)]
pub(crate) struct DeviceState {
    /// Set once the device is lost; every later call fails with it.
    lost: Mutex<Option<String>>,
    /// Uncaptured errors not yet reported (first few kept).
    uncaptured: Mutex<Vec<String>>,
}

pub(crate) struct Inner {
    // Kept alive for the device's lifetime; wgpu does not require it, but
    // dropping the instance first has tripped drivers in the past.
    _instance: Option<wgpu::Instance>,
    pub(crate) adapter: wgpu::Adapter,
    pub(crate) device: wgpu::Device,
    pub(crate) queue: wgpu::Queue,
    info: wgpu::AdapterInfo,
    description: String,
    timestamps: bool,
    pub(crate) state: Arc<DeviceState>,
    pub(crate) cache: PipelineCache,
    /// The driver's pipeline cache, kept on disk across processes (where
    /// the backend has one and the cache is not turned off).
    pub(crate) disk: Option<DiskCache>,
    /// Dispatches chosen for programs in this process (`autotune`), by
    /// the tuning's key.
    pub(crate) tunings: Mutex<HashMap<u64, (u32, u32)>>,
    /// How long a readback polls for its submission before it blocks
    /// ([`super::readback::spin_budget`]).
    pub(crate) spin: std::time::Duration,
}

/// An open wgpu device and everything shared by the engines that use it.
///
/// Cheap to clone (an `Arc` inside); clones share the device, the queue
/// and the pipeline cache, so creating a second engine for a program whose
/// WGSL was already compiled costs only its buffers.
#[derive(Clone)]
pub struct GpuContext {
    pub(crate) inner: Arc<Inner>,
}

impl fmt::Debug for GpuContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GpuContext")
            .field("adapter", &self.inner.description)
            .field("timestamps", &self.inner.timestamps)
            .finish_non_exhaustive()
    }
}

/// Rank of a device type under a choice; `None` when the choice excludes it.
/// Lower ranks are preferred.
fn rank(choice: AdapterChoice, ty: wgpu::DeviceType) -> Option<u8> {
    match ty {
        wgpu::DeviceType::DiscreteGpu => Some(0),
        wgpu::DeviceType::IntegratedGpu => Some(1),
        wgpu::DeviceType::VirtualGpu => Some(2),
        wgpu::DeviceType::Cpu if choice == AdapterChoice::Any => Some(3),
        wgpu::DeviceType::Other if choice == AdapterChoice::Any => Some(4),
        _ => None,
    }
}

/// `"NVIDIA H100 80GB HBM3 (Vulkan, driver NVIDIA 580.159.04)"`.
fn describe_adapter(info: &wgpu::AdapterInfo) -> String {
    let backend = match info.backend {
        wgpu::Backend::Vulkan => "Vulkan".to_string(),
        wgpu::Backend::Metal => "Metal".to_string(),
        wgpu::Backend::Dx12 => "DX12".to_string(),
        wgpu::Backend::Gl => "GL".to_string(),
        other => format!("{other:?}"),
    };
    let driver = [info.driver.trim(), info.driver_info.trim()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if driver.is_empty() {
        format!("{} ({backend})", info.name)
    } else {
        format!("{} ({backend}, driver {driver})", info.name)
    }
}

/// One line per adapter for error messages: name and device type.
/// The adapters wgpu lists on the backends vyre looks on, with the
/// instance that found them.
struct Seen {
    instance: wgpu::Instance,
    backends: wgpu::Backends,
    adapters: Vec<wgpu::Adapter>,
    infos: Vec<wgpu::AdapterInfo>,
}

impl Seen {
    /// Opens a device on adapter `index`: its context, or why it failed,
    /// as `name: reason`.
    fn open(&self, index: usize) -> std::result::Result<GpuContext, String> {
        let (adapter, info) = (&self.adapters[index], &self.infos[index]);
        let (device, queue, timestamps) =
            open_device(adapter).map_err(|e| format!("{}: {e}", info.name))?;
        Ok(GpuContext::assemble(
            Some(self.instance.clone()),
            adapter.clone(),
            device,
            queue,
            info.clone(),
            timestamps,
        ))
    }

    /// Every adapter on [`backends`] (as `WGPU_BACKEND` says).
    fn enumerate() -> Result<Seen> {
        if wgpu::Instance::enabled_backend_features().is_empty() {
            return Err(unavailable_wgpu(
                "this build of wgpu has no backend for this platform".to_string(),
            ));
        }
        let desc = instance_descriptor();
        let backends = desc.backends;
        let instance = wgpu::Instance::new(desc);
        let adapters = pollster::block_on(instance.enumerate_adapters(backends));
        let infos = adapters.iter().map(|a| a.get_info()).collect();
        Ok(Seen {
            instance,
            backends,
            adapters,
            infos,
        })
    }

    /// The indices of the adapters `choice` allows whose name contains one
    /// of `fragments` (any name when there are none), best rank first;
    /// equals keep wgpu's order (a stable sort).
    fn ranked(&self, choice: AdapterChoice, fragments: &[String]) -> Vec<usize> {
        let mut candidates: Vec<(u8, usize)> = self
            .infos
            .iter()
            .enumerate()
            .filter(|(_, info)| {
                let name = info.name.to_lowercase();
                fragments.is_empty() || fragments.iter().any(|f| name.contains(f))
            })
            .filter_map(|(i, info)| rank(choice, info.device_type).map(|r| (r, i)))
            .collect();
        candidates.sort_by_key(|&(r, _)| r);
        candidates.into_iter().map(|(_, i)| i).collect()
    }
}

/// Lower-case name fragments to look for: `names`, or the one
/// `WGPU_ADAPTER_NAME` gives; blanks dropped.
fn name_fragments(names: Option<&[String]>) -> Vec<String> {
    let list: Vec<String> = match names {
        Some(list) => list.to_vec(),
        None => std::env::var(ADAPTER_NAME_ENV).ok().into_iter().collect(),
    };
    list.iter()
        .map(|s| s.trim().to_lowercase())
        .filter(|s| !s.is_empty())
        .collect()
}

/// wgpu cannot be used, for `reason`.
fn unavailable_wgpu(reason: String) -> Error {
    Error::BackendUnavailable {
        backend: "wgpu".to_string(),
        reason,
    }
}

/// What identifies the physical device behind adapter `index` of
/// `infos`: its PCI bus where the driver says, else its name, vendor and
/// device id and its rank among the same-named adapters of its backend (two
/// identical GPUs on one backend stay two devices; one GPU seen on two
/// backends is one).
fn physical_key(infos: &[wgpu::AdapterInfo], index: usize) -> String {
    let info = &infos[index];
    if !info.device_pci_bus_id.is_empty() {
        return format!("pci {}", info.device_pci_bus_id);
    }
    let twin = |other: &wgpu::AdapterInfo| {
        other.name == info.name && other.vendor == info.vendor && other.device == info.device
    };
    let rank = infos[..index]
        .iter()
        .filter(|o| o.backend == info.backend && twin(o))
        .count();
    format!("{}/{:x}/{:x}#{rank}", info.name, info.vendor, info.device)
}

fn seen_list(infos: &[wgpu::AdapterInfo]) -> String {
    if infos.is_empty() {
        return "no adapters at all: wgpu looked on Vulkan, Metal, DX12 and GL (as this \
                platform has them, or as WGPU_BACKEND says). A driver is missing: on \
                Debian/Ubuntu `apt-get install mesa-vulkan-drivers libvulkan1` (Vulkan, \
                lavapipe on a machine without a GPU) or `libegl1 libegl-mesa0 \
                libgl1-mesa-dri` (GL through EGL, llvmpipe); on Windows a GPU driver \
                (DX12 or Vulkan); on macOS Metal needs nothing"
            .to_string();
    }
    let names: Vec<String> = infos
        .iter()
        .map(|i| format!("{} [{:?}, {:?}]", i.name, i.device_type, i.backend))
        .collect();
    format!("adapters seen: {}", names.join("; "))
}

/// Full text of a wgpu error with its sources, without repeating a source
/// that the outer message already contains.
pub(crate) fn error_text(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let t = s.to_string();
        if !t.is_empty() && !text.contains(&t) {
            text.push_str(": ");
            text.push_str(&t);
        }
        source = s.source();
    }
    text
}

/// The wgpu backends vyre looks on: `WGPU_BACKEND` when set, else every
/// backend this build has (Vulkan, Metal, DX12 and GL, where the platform
/// has them). Adapters of equal rank keep wgpu's order, Vulkan first.
pub fn backends() -> wgpu::Backends {
    wgpu::Backends::from_env().unwrap_or(
        wgpu::Backends::VULKAN | wgpu::Backends::METAL | wgpu::Backends::DX12 | wgpu::Backends::GL,
    )
}

impl GpuContext {
    /// Opens the best adapter that `choice` allows: discrete, then
    /// integrated, then virtual GPUs, then (for [`AdapterChoice::Any`])
    /// CPU implementations. Requests the adapter's own limits, so programs
    /// with many or large buffers work wherever the hardware allows, and
    /// timestamp queries when the adapter has them.
    ///
    /// Looks on every backend of [`backends`] (`WGPU_BACKEND` overrides
    /// the set) and `WGPU_ADAPTER_NAME` keeps only adapters whose name
    /// contains its value.
    ///
    /// # Errors
    ///
    /// [`Error::BackendUnavailable`] when no adapter qualifies (the reason
    /// lists the adapters seen) or none could open a device.
    pub fn new(choice: AdapterChoice) -> Result<GpuContext> {
        let seen = Seen::enumerate()?;
        let fragments = name_fragments(None);
        let candidates = seen.ranked(choice, &fragments);
        let (backends, infos) = (seen.backends, &seen.infos);
        if candidates.is_empty() {
            let wanted = match choice {
                AdapterChoice::Hardware => "hardware adapter (discrete, integrated or virtual GPU)",
                AdapterChoice::Any => "adapter",
            };
            let filter = match fragments.first() {
                Some(f) => format!(" whose name contains `{f}` ({ADAPTER_NAME_ENV})"),
                None => String::new(),
            };
            return Err(unavailable_wgpu(format!(
                "found no {wanted}{filter} on backends {backends:?}; {}",
                seen_list(infos)
            )));
        }

        let mut failures = Vec::new();
        for index in candidates {
            match seen.open(index) {
                Ok(ctx) => return Ok(ctx),
                Err(e) => failures.push(e),
            }
        }
        Err(unavailable_wgpu(format!(
            "no adapter could open a device ({}); {}",
            failures.join("; "),
            seen_list(infos)
        )))
    }

    /// Opens every adapter that `choice` allows, one context per physical
    /// device, best first (discrete, integrated, virtual, then CPU
    /// implementations for [`AdapterChoice::Any`]). A device that several
    /// backends list (Vulkan and GL, say) is opened once, on the first
    /// backend wgpu lists it on (Vulkan where it has one). `names`, when
    /// given, keeps the adapters whose name contains one of its fragments
    /// (case-insensitive); otherwise `WGPU_ADAPTER_NAME` filters as for
    /// [`GpuContext::new`]. An adapter that cannot open a device is left
    /// out.
    ///
    /// # Errors
    ///
    /// [`Error::BackendUnavailable`] when no adapter qualifies or none
    /// could open a device (the reason lists the adapters seen).
    pub fn all(choice: AdapterChoice, names: Option<&[String]>) -> Result<Vec<GpuContext>> {
        let seen = Seen::enumerate()?;
        let fragments = name_fragments(names);
        let candidates = seen.ranked(choice, &fragments);
        let infos = &seen.infos;
        let mut opened = std::collections::HashSet::new();
        let mut contexts = Vec::new();
        let mut failures = Vec::new();
        for index in candidates {
            if !opened.insert(physical_key(infos, index)) {
                continue;
            }
            match seen.open(index) {
                Ok(ctx) => contexts.push(ctx),
                Err(e) => failures.push(e),
            }
        }
        if contexts.is_empty() {
            let filter = if fragments.is_empty() {
                String::new()
            } else {
                format!(" whose name contains one of {fragments:?}")
            };
            let failed = if failures.is_empty() {
                String::new()
            } else {
                format!(" (failed to open: {})", failures.join("; "))
            };
            return Err(unavailable_wgpu(format!(
                "no usable adapter{filter}{failed}; {}",
                seen_list(infos)
            )));
        }
        Ok(contexts)
    }

    /// Every adapter wgpu can see on the backends [`GpuContext::new`] would
    /// use, for diagnostics.
    pub fn available_adapters() -> Vec<wgpu::AdapterInfo> {
        if wgpu::Instance::enabled_backend_features().is_empty() {
            return Vec::new();
        }
        let desc = instance_descriptor();
        let backends = desc.backends;
        let instance = wgpu::Instance::new(desc);
        pollster::block_on(instance.enumerate_adapters(backends))
            .iter()
            .map(|a| a.get_info())
            .collect()
    }

    /// Wraps a device the application opened itself (bring your own
    /// wgpu): vyre's programs run on `device` and `queue` beside the
    /// application's own work, and their buffers can be shared with it
    /// (`Runtime::wgpu_buffer`, `Runtime::bind_wgpu_buffer`). vyre uses
    /// the device's limits and features as they are (timestamps when it
    /// has `TIMESTAMP_QUERY`; large buffers only as far as its limits
    /// allow). It installs its own device-lost callback and
    /// uncaptured-error handler, which record what happens for the next
    /// vyre call to report as a typed error (wgpu's default handler
    /// panics); an application that wants its own handlers sets them
    /// after this call, and vyre's calls then rely on their own error
    /// scopes.
    pub fn from_wgpu(adapter: wgpu::Adapter, device: wgpu::Device, queue: wgpu::Queue) -> Self {
        let info = adapter.get_info();
        let timestamps = device.features().contains(wgpu::Features::TIMESTAMP_QUERY);
        GpuContext::assemble(None, adapter, device, queue, info, timestamps)
    }

    fn assemble(
        instance: Option<wgpu::Instance>,
        adapter: wgpu::Adapter,
        device: wgpu::Device,
        queue: wgpu::Queue,
        info: wgpu::AdapterInfo,
        timestamps: bool,
    ) -> GpuContext {
        let state = Arc::new(DeviceState::default());
        // wgpu's default handlers panic; these only record, so that the
        // next call on this context returns a typed error.
        let lost_state = Arc::clone(&state);
        device.set_device_lost_callback(move |reason, message| {
            let mut lost = lock(&lost_state.lost);
            if lost.is_none() {
                *lost = Some(format!("{reason:?}: {message}"));
            }
        });
        let error_state = Arc::clone(&state);
        device.on_uncaptured_error(Arc::new(move |error: wgpu::Error| {
            let mut list = lock(&error_state.uncaptured);
            if list.len() < 8 {
                list.push(error_text(&error));
            }
        }));
        let description = describe_adapter(&info);
        let disk = DiskCache::open(&device, &info);
        let spin = super::readback::spin_budget(&info);
        GpuContext {
            inner: Arc::new(Inner {
                _instance: instance,
                adapter,
                device,
                queue,
                info,
                description,
                timestamps,
                state,
                cache: PipelineCache::default(),
                disk,
                tunings: Mutex::new(HashMap::new()),
                spin,
            }),
        }
    }

    /// The adapter in words: `"NVIDIA H100 80GB HBM3 (Vulkan, driver
    /// NVIDIA 580.159.04)"`, `"llvmpipe (LLVM 15.0.6, 256 bits) (Vulkan,
    /// driver llvmpipe Mesa 22.3.6 (LLVM 15.0.6))"`.
    pub fn description(&self) -> &str {
        &self.inner.description
    }

    /// wgpu's information about the adapter (name, vendor, device type,
    /// driver, backend).
    pub fn adapter_info(&self) -> &wgpu::AdapterInfo {
        &self.inner.info
    }

    /// Whether the adapter is a CPU implementation (such as lavapipe)
    /// rather than a GPU.
    pub fn is_software(&self) -> bool {
        matches!(self.inner.info.device_type, wgpu::DeviceType::Cpu)
    }

    /// The scheduler variant [`WgpuEngine::new`](super::WgpuEngine::new)
    /// lowers programs with on this adapter: [`LowerOptions::default`]
    /// (cooperative claims) on GPUs, per-lane claims
    /// ([`ClaimVariant::PerLane`]) on software adapters.
    ///
    /// Why: a software driver may cut a shader's loops short (Mesa's
    /// lavapipe stops an invocation's loops after about 65,535 back-edges;
    /// the task faults `LOOP_CUT`), and then one group of lanes leaves the
    /// cooperative claim loop, whose iterations meet at workgroup
    /// barriers, before the others. lavapipe runs a workgroup's groups of
    /// lanes as coroutines that take turns at each barrier and ends the
    /// whole workgroup soon after any of them finishes, so the other
    /// groups stopped at a barrier never add their counters (measured: a
    /// run's executed tasks came out short of the tasks that ran). The
    /// per-lane claim loop has no barrier, so a cut stays in the lanes it
    /// hits. A CPU gains nothing from the cooperative variant's fewer
    /// atomics anyway.
    pub fn lower_options(&self) -> LowerOptions {
        if self.is_software() {
            LowerOptions {
                claims: ClaimVariant::PerLane,
                ..LowerOptions::default()
            }
        } else {
            // Hardware drivers do not cut loops (a runaway shader is a
            // device loss instead), and the guard costs time there.
            LowerOptions {
                guard_loops: false,
                ..LowerOptions::default()
            }
        }
    }

    /// The adapter the device was opened on.
    pub fn adapter(&self) -> &wgpu::Adapter {
        &self.inner.adapter
    }

    /// The device, for callers that record their own wgpu work (baseline
    /// kernels in benchmarks, for instance). Errors of work recorded here
    /// outside an error scope are reported by the next vyre call.
    pub fn device(&self) -> &wgpu::Device {
        &self.inner.device
    }

    /// The device's queue.
    pub fn queue(&self) -> &wgpu::Queue {
        &self.inner.queue
    }

    /// The device's limits (the adapter's own, as requested).
    pub fn limits(&self) -> wgpu::Limits {
        self.inner.device.limits()
    }

    /// The features the device was opened with.
    pub fn features(&self) -> wgpu::Features {
        self.inner.device.features()
    }

    /// Whether submissions can measure GPU time with timestamp queries.
    pub fn has_timestamps(&self) -> bool {
        self.inner.timestamps
    }

    /// Largest storage buffer a program can bind, in bytes: the smaller of
    /// the device's buffer-size and storage-binding-size limits.
    pub fn max_storage_buffer_bytes(&self) -> u64 {
        let limits = self.inner.device.limits();
        limits
            .max_buffer_size
            .min(limits.max_storage_buffer_binding_size)
    }

    /// Ok while the device is healthy. Returns [`Error::DeviceLost`] once
    /// the device was lost (and on every later call), or the first error
    /// that wgpu reported outside any error scope since the last call, as
    /// [`Error::Gpu`] (each such error is reported once).
    pub fn health(&self) -> Result<()> {
        if let Some(reason) = lock(&self.inner.state.lost).clone() {
            return Err(Error::DeviceLost { reason });
        }
        let mut list = lock(&self.inner.state.uncaptured);
        if !list.is_empty() {
            let messages: Vec<String> = std::mem::take(&mut *list);
            return Err(Error::Gpu {
                stage: "device (error reported outside a vyre call)".to_string(),
                message: messages.join("; "),
            });
        }
        Ok(())
    }

    /// Counters of the pipeline cache.
    pub fn pipeline_cache_stats(&self) -> PipelineCacheStats {
        self.inner.cache.stats()
    }

    /// Drops every cached pipeline (engines that use them keep theirs).
    pub fn clear_pipeline_cache(&self) {
        self.inner.cache.clear();
    }

    /// How long a wait for a submission polls the device before it
    /// blocks (`VYRE_WAIT_SPIN_US`; none on software adapters by default).
    pub(crate) fn wait_spin(&self) -> std::time::Duration {
        self.inner.spin
    }

    /// Polls the device once without blocking: callbacks of finished work
    /// run (a panic of wgpu's inside the poll, on a lost device, is caught;
    /// the next call that checks health reports it).
    pub(crate) fn poll_now(&self) {
        let device = &self.inner.device;
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            device.poll(wgpu::PollType::Poll)
        }));
    }

    /// Runs `f` inside error scopes for validation, internal and
    /// out-of-memory errors, and turns what they caught into
    /// [`Error::Gpu`] with `stage` (or [`Error::DeviceLost`] when the
    /// device was lost meanwhile).
    ///
    /// Error scopes are per thread, so `f` must not hand work to another
    /// thread; everything in this module calls wgpu synchronously.
    pub(crate) fn scoped<T>(&self, stage: &str, f: impl FnOnce() -> T) -> Result<T> {
        self.health()?;
        let device = &self.inner.device;
        let oom = device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let internal = device.push_error_scope(wgpu::ErrorFilter::Internal);
        let validation = device.push_error_scope(wgpu::ErrorFilter::Validation);
        let value = f();
        // Scopes pop in reverse order of their pushes; each pop takes
        // effect at once, the future only delivers the caught error.
        let validation = validation.pop();
        let internal = internal.pop();
        let oom = oom.pop();
        let errors = [
            pollster::block_on(validation),
            pollster::block_on(internal),
            pollster::block_on(oom),
        ];
        self.health()?;
        if let Some(e) = errors.into_iter().flatten().next() {
            let message = match &e {
                wgpu::Error::OutOfMemory { .. } => {
                    format!("out of GPU memory ({})", error_text(&e))
                }
                _ => error_text(&e),
            };
            return Err(Error::Gpu {
                stage: stage.to_string(),
                message,
            });
        }
        Ok(value)
    }
}

/// `VYRE_TRUSTED=off` (or `0`, `false`) has naga add its own loop bounds
/// and division guards to vyre's shaders again, and wgpu validate the
/// arguments of vyre's indirect dispatches.
pub const TRUSTED_ENV: &str = "VYRE_TRUSTED";

/// Whether vyre goes without the checks its own cover (unless
/// [`TRUSTED_ENV`] says `off`): naga's loop bounding and integer-division
/// guards in its shader modules, which cost about 45% of a handler's hash
/// loop on an H200 (`docs/benchmarks.md`), and wgpu's validation of
/// indirect dispatch arguments ([`instance_descriptor`]).
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

/// wgpu's variable for its validation of indirect dispatch arguments.
const INDIRECT_VALIDATION_ENV: &str = "WGPU_VALIDATION_INDIRECT_CALL";

/// The instance vyre opens adapters through: wgpu's settings from the
/// environment, but without wgpu's validation of indirect dispatch
/// arguments unless `WGPU_VALIDATION_INDIRECT_CALL` or `VYRE_TRUSTED=off`
/// asks for it. wgpu validates by running a dispatch of its own, behind
/// barriers, before every indirect dispatch: two a round. vyre's finalize
/// pass writes every live grid as zero, the full grid the host wrote, or
/// fewer workgroups in x than the full grid, and the host checks the full
/// grids against the adapter's limits (`docs/reliability.md`;
/// `vyre-core/tests/gpu_engine_programs.rs` reads every grid back).
fn instance_descriptor() -> wgpu::InstanceDescriptor {
    let asked = std::env::var_os(INDIRECT_VALIDATION_ENV).is_some();
    instance_descriptor_with(asked || !trusted())
}

/// [`instance_descriptor`], with wgpu's indirect validation kept when
/// `validate` (else removed).
fn instance_descriptor_with(validate: bool) -> wgpu::InstanceDescriptor {
    let mut desc = wgpu::InstanceDescriptor::new_without_display_handle_from_env();
    desc.backends = backends();
    if !validate {
        desc.flags
            .remove(wgpu::InstanceFlags::VALIDATION_INDIRECT_CALL);
    }
    desc
}

/// Opens a device on `adapter` with the adapter's own limits and, where
/// supported, timestamp queries. Returns whether timestamps are on.
fn open_device(adapter: &wgpu::Adapter) -> Result<(wgpu::Device, wgpu::Queue, bool), String> {
    let available = adapter.features();
    let timestamps = available.contains(wgpu::Features::TIMESTAMP_QUERY);
    let mut features = wgpu::Features::empty();
    // The driver's pipeline cache, kept on disk (`disk_cache`).
    if available.contains(wgpu::Features::PIPELINE_CACHE) {
        features |= wgpu::Features::PIPELINE_CACHE;
        // vyre's own SPIR-V beside it, so that a warm start skips naga
        // (`spirv`).
        if available.contains(wgpu::Features::PASSTHROUGH_SHADERS) {
            features |= wgpu::Features::PASSTHROUGH_SHADERS;
        }
    }
    if timestamps {
        features |= wgpu::Features::TIMESTAMP_QUERY;
        // Not needed for pass-level timestamps, but lets users of
        // `device()` write timestamps anywhere when the adapter allows.
        for extra in [
            wgpu::Features::TIMESTAMP_QUERY_INSIDE_ENCODERS,
            wgpu::Features::TIMESTAMP_QUERY_INSIDE_PASSES,
        ] {
            if available.contains(extra) {
                features |= extra;
            }
        }
    }
    let desc = wgpu::DeviceDescriptor {
        label: Some("vyre"),
        required_features: features,
        // The adapter's own limits, not WebGPU's defaults: those cap
        // storage buffers at 8 per stage and 128 MiB per binding.
        required_limits: adapter.limits(),
        experimental_features: wgpu::ExperimentalFeatures::disabled(),
        memory_hints: wgpu::MemoryHints::Performance,
        trace: wgpu::Trace::Off,
    };
    pollster::block_on(adapter.request_device(&desc))
        .map(|(d, q)| (d, q, timestamps))
        .map_err(|e| error_text(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indirect_validation_is_left_out_unless_asked_for() {
        let flag = wgpu::InstanceFlags::VALIDATION_INDIRECT_CALL;
        assert!(!instance_descriptor_with(false).flags.contains(flag));
        // Asked for: wgpu's own setting stays (on in wgpu's release
        // default unless its variable says 0).
        let kept = wgpu::InstanceDescriptor::new_without_display_handle_from_env();
        assert_eq!(
            instance_descriptor_with(true).flags.contains(flag),
            kept.flags.contains(flag)
        );
    }

    #[test]
    fn only_off_restores_nagas_checks() {
        assert!(trusted_by(None));
        assert!(trusted_by(Some("on")));
        assert!(trusted_by(Some("")));
        for off in ["off", " OFF ", "0", "false"] {
            assert!(!trusted_by(Some(off)), "{off}");
        }
    }

    #[test]
    fn hardware_excludes_cpu_adapters() {
        assert_eq!(rank(AdapterChoice::Hardware, wgpu::DeviceType::Cpu), None);
        assert_eq!(rank(AdapterChoice::Hardware, wgpu::DeviceType::Other), None);
        assert!(rank(AdapterChoice::Any, wgpu::DeviceType::Cpu).is_some());
        let d = rank(AdapterChoice::Any, wgpu::DeviceType::DiscreteGpu);
        let i = rank(AdapterChoice::Any, wgpu::DeviceType::IntegratedGpu);
        let c = rank(AdapterChoice::Any, wgpu::DeviceType::Cpu);
        assert!(d < i && i < c, "discrete first, CPU last");
    }

    #[test]
    fn description_names_backend_and_driver() {
        let mut info = wgpu::AdapterInfo::new(wgpu::DeviceType::DiscreteGpu, wgpu::Backend::Vulkan);
        info.name = "NVIDIA H100 80GB HBM3".to_string();
        info.driver = "NVIDIA".to_string();
        info.driver_info = "580.159.04".to_string();
        assert_eq!(
            describe_adapter(&info),
            "NVIDIA H100 80GB HBM3 (Vulkan, driver NVIDIA 580.159.04)"
        );
    }

    #[test]
    fn no_adapters_message_says_what_to_install() {
        assert!(seen_list(&[]).contains("mesa-vulkan-drivers"));
    }
}
