//! Choosing where a program runs: [`Gpu`].

use std::sync::Arc;

use crate::cpu::interpret::ReferenceEngine;
use crate::cpu::native::NativeEngine;
use crate::engine::{BackendKind, Engine};
use crate::error::{Error, Result};
use crate::gpu::{AdapterChoice, GpuContext, WgpuEngine};
use crate::program::Program;
use crate::runtime::Runtime;

/// The environment variable that overrides backend selection:
/// `wgpu`, `reference` or `native`.
pub const BACKEND_ENV: &str = "VYRE_BACKEND";

/// Default workgroups of a wgpu work dispatch: enough lanes to fill a large
/// GPU (the work pass is persistent, so idle lanes cost one scan).
pub const DEFAULT_WGPU_WORKGROUPS: u32 = 512;
/// Default workgroups of the reference interpreter: one, so a run stays
/// quick while still interleaving a workgroup's lanes.
pub const DEFAULT_REFERENCE_WORKGROUPS: u32 = 1;
/// Default workgroups of the native backend: as many as on the GPU. Its
/// lanes run one after another and a round stops at the first lane that
/// finds no ticket, so idle lanes cost nothing, while many lanes let one
/// round run many tasks (each round's maintain pass visits the whole ring:
/// with one workgroup a million tasks took 287 rounds, ten times slower).
pub const DEFAULT_NATIVE_WORKGROUPS: u32 = DEFAULT_WGPU_WORKGROUPS;

/// Where programs run: a wgpu adapter or a CPU backend. Cheap to clone;
/// one `Gpu` serves any number of runtimes (wgpu pipelines are cached on
/// it).
#[derive(Clone)]
pub struct Gpu {
    kind: BackendKind,
    context: Option<GpuContext>,
    reason: String,
    workgroups: Option<u32>,
    seed: u64,
}

impl std::fmt::Debug for Gpu {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gpu")
            .field("kind", &self.kind)
            .field("description", &self.description())
            .finish()
    }
}

impl Gpu {
    /// The best backend here: `VYRE_BACKEND` when set; else a hardware
    /// adapter through wgpu; else a CPU backend. [`Gpu::reason`] says why
    /// it was chosen. CPU fallback is `native` where the program supports
    /// it (programs made by `megakernel!`), else `reference`.
    pub fn auto() -> Result<Gpu> {
        if let Ok(name) = std::env::var(BACKEND_ENV) {
            let kind = BackendKind::parse(&name)?;
            let mut gpu = Gpu::of_kind(kind)?;
            gpu.reason = format!("{BACKEND_ENV}={name}");
            return Ok(gpu);
        }
        match GpuContext::new(AdapterChoice::Hardware) {
            Ok(ctx) => Ok(Gpu::from_context(ctx, "hardware adapter found".into())),
            Err(e) => {
                let mut gpu = Gpu::cpu();
                gpu.reason = format!("no hardware GPU adapter ({e}); using a CPU backend");
                Ok(gpu)
            }
        }
    }

    /// A wgpu adapter of any kind, software ones (Mesa's lavapipe) included.
    pub fn wgpu() -> Result<Gpu> {
        let ctx = GpuContext::new(AdapterChoice::Any)?;
        Ok(Gpu::from_context(ctx, "wgpu requested".into()))
    }

    /// The device of an application that already has one (bring your own
    /// wgpu; see [`GpuContext::from_wgpu`]): vyre's programs run on it
    /// beside the application's work and can share buffers with it.
    pub fn from_wgpu(adapter: wgpu::Adapter, device: wgpu::Device, queue: wgpu::Queue) -> Gpu {
        Gpu::from_context(
            GpuContext::from_wgpu(adapter, device, queue),
            "the application's wgpu device".into(),
        )
    }

    /// A hardware wgpu adapter only.
    pub fn hardware() -> Result<Gpu> {
        let ctx = GpuContext::new(AdapterChoice::Hardware)?;
        Ok(Gpu::from_context(ctx, "hardware adapter requested".into()))
    }

    /// The reference interpreter on the CPU.
    pub fn reference() -> Gpu {
        Gpu {
            kind: BackendKind::Reference,
            context: None,
            reason: "reference requested".into(),
            workgroups: None,
            seed: 0x5EED,
        }
    }

    /// The native CPU backend (programs made by `megakernel!`), falling back
    /// to the reference interpreter for programs without native handlers.
    pub fn cpu() -> Gpu {
        Gpu {
            kind: BackendKind::Native,
            reason: "CPU requested".into(),
            ..Gpu::reference()
        }
    }

    /// The backend of `kind`.
    pub fn of_kind(kind: BackendKind) -> Result<Gpu> {
        match kind {
            BackendKind::Wgpu => Gpu::wgpu(),
            BackendKind::Reference => Ok(Gpu::reference()),
            BackendKind::Native => Ok(Gpu::cpu()),
        }
    }

    pub(crate) fn from_context(ctx: GpuContext, reason: String) -> Gpu {
        Gpu {
            kind: BackendKind::Wgpu,
            context: Some(ctx),
            reason,
            workgroups: None,
            seed: 0,
        }
    }

    /// Sets the workgroups of each work dispatch (lanes = workgroups ×
    /// the program's workgroup size).
    pub fn with_workgroups(mut self, workgroups: u32) -> Self {
        self.workgroups = Some(workgroups);
        self
    }

    /// Sets the reference interpreter's schedule seed.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Which backend this is.
    pub fn kind(&self) -> BackendKind {
        self.kind
    }

    /// Why this backend was chosen.
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// The wgpu context, for the wgpu backend.
    pub fn context(&self) -> Option<&GpuContext> {
        self.context.as_ref()
    }

    /// What runs the programs: the adapter's name, or the CPU backend's.
    pub fn description(&self) -> String {
        match &self.context {
            Some(ctx) => format!("wgpu on {}", ctx.description()),
            None if self.kind == BackendKind::Native => {
                "CPU (native, or reference for IR-only programs)".into()
            }
            None => "CPU reference interpreter".into(),
        }
    }

    /// The dispatch this backend chooses for a program whose configuration
    /// allows it ([`ProgramConfig::auto_dispatch`](crate::ProgramConfig::auto_dispatch))
    /// when the instance sets no workgroups: `(workgroup size, workgroups)`
    /// on a hardware GPU, `None` elsewhere (the program's own size and the
    /// default count).
    ///
    /// On a hardware GPU the dispatch is tuned on first use of the program
    /// on the adapter and kept on disk ([`autotune`](Self::autotune)).
    /// `VYRE_AUTOTUNE=off` uses the fixed hardware dispatch instead;
    /// `VYRE_AUTOTUNE=always` tunes on a software adapter too.
    pub fn auto_dispatch(&self, program: &Program) -> Option<(u32, u32)> {
        use crate::gpu::AutotuneMode;
        let mode = crate::gpu::autotune_mode(|name| std::env::var(name).ok());
        let ctx = self.context.as_ref().filter(|ctx| {
            self.kind == BackendKind::Wgpu && (mode == AutotuneMode::Always || !ctx.is_software())
        })?;
        if !auto_allowed(true, self.workgroups, program.config()) {
            return None;
        }
        Some(match mode {
            AutotuneMode::Off => (
                crate::program::HARDWARE_WORKGROUP_SIZE,
                crate::program::HARDWARE_WORKGROUPS,
            ),
            _ => crate::gpu::tuned(ctx, program),
        })
    }

    /// Measures which dispatch runs `program` fastest on this backend's
    /// adapter — a few workgroup sizes and lane counts, timed on a batch of
    /// trivial tasks compiled into the program (its own buffers are never
    /// touched) — and keeps the choice for
    /// [`auto_dispatch`](Self::auto_dispatch), in this process and in the
    /// disk cache. `auto_dispatch` runs it on first use on a hardware GPU;
    /// call it to tune ahead of time, or on a software adapter.
    ///
    /// # Errors
    ///
    /// [`Error::BackendUnavailable`] on a CPU backend; GPU errors of the
    /// tuning runs.
    pub fn autotune(&self, program: &Program) -> Result<crate::gpu::Tuning> {
        let Some(ctx) = self
            .context
            .as_ref()
            .filter(|_| self.kind == BackendKind::Wgpu)
        else {
            return Err(Error::BackendUnavailable {
                backend: self.kind.name().into(),
                reason: "only the wgpu backend has a dispatch to tune".into(),
            });
        };
        let tuning = crate::gpu::tune(ctx, program)?;
        crate::gpu::remember_tuning(ctx, program, &tuning);
        Ok(tuning)
    }

    /// `program` as this backend runs it: with the workgroup size of
    /// [`auto_dispatch`](Self::auto_dispatch) when it chooses one.
    pub(crate) fn fit(&self, program: Arc<Program>) -> Result<Arc<Program>> {
        match self.auto_dispatch(&program) {
            Some((size, _)) if size != program.config().workgroup_size => {
                let config = crate::ProgramConfig {
                    workgroup_size: size,
                    ..program.config().clone()
                };
                Ok(Arc::new(program.with_config(config)?))
            }
            _ => Ok(program),
        }
    }

    /// Builds the engine for `program` on this backend.
    pub fn engine(&self, program: &Program) -> Result<Box<dyn Engine>> {
        let wg = self.workgroups;
        match (self.kind, &self.context) {
            (BackendKind::Wgpu, Some(ctx)) => {
                let auto = self.auto_dispatch(program).map(|(_, groups)| groups);
                let workgroups = wg.or(auto).unwrap_or(DEFAULT_WGPU_WORKGROUPS);
                check_workgroups(workgroups)?;
                Ok(Box::new(WgpuEngine::new(ctx, program, workgroups)?))
            }
            (BackendKind::Wgpu, None) => Err(Error::BackendUnavailable {
                backend: "wgpu".into(),
                reason: "this Gpu has no wgpu context".into(),
            }),
            // Programs made by `megakernel!` carry their handlers' Rust
            // functions: the native backend runs them.
            (BackendKind::Native, _) if program.native().is_some() => {
                let workgroups = wg.unwrap_or(DEFAULT_NATIVE_WORKGROUPS);
                check_workgroups(workgroups)?;
                let lanes = workgroups.saturating_mul(program.config().workgroup_size);
                Ok(Box::new(NativeEngine::new(program.clone(), lanes)?))
            }
            // Programs built from IR alone have no native handlers: the
            // reference interpreter is their CPU backend.
            (BackendKind::Reference | BackendKind::Native, _) => {
                let workgroups = wg.unwrap_or(DEFAULT_REFERENCE_WORKGROUPS);
                check_workgroups(workgroups)?;
                let lanes = workgroups.saturating_mul(program.config().workgroup_size);
                Ok(Box::new(ReferenceEngine::new(program, lanes, self.seed)?))
            }
        }
    }
}

/// Whether [`Gpu::auto_dispatch`] chooses the dispatch: on a hardware
/// adapter, when the instance sets no workgroups and the program allows it.
fn auto_allowed(hardware: bool, workgroups: Option<u32>, config: &crate::ProgramConfig) -> bool {
    hardware && workgroups.is_none() && config.auto_dispatch
}

fn check_workgroups(workgroups: u32) -> Result<()> {
    if workgroups == 0 || workgroups > 65_535 {
        return Err(Error::InvalidRunOption {
            option: "workgroups",
            reason: format!("{workgroups} is outside 1 ..= 65535"),
        });
    }
    Ok(())
}

impl Runtime {
    /// Instantiates `program` on `gpu`.
    pub fn new(gpu: &Gpu, program: impl Into<Arc<Program>>) -> Result<Runtime> {
        let program = program.into();
        crate::trace::stage!("runtime_new", program = program.name());
        let program = gpu.fit(program)?;
        let engine = gpu.engine(&program)?;
        Runtime::with_engine(program, engine)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ProgramConfig;

    #[test]
    fn the_hardware_dispatch_applies_only_when_nothing_is_chosen() {
        let auto = ProgramConfig {
            auto_dispatch: true,
            ..ProgramConfig::default()
        };
        assert!(auto_allowed(true, None, &auto));
        // A software adapter, workgroups set on the instance, or a declared
        // workgroup size keep the program's.
        assert!(!auto_allowed(false, None, &auto));
        assert!(!auto_allowed(true, Some(64), &auto));
        assert!(!auto_allowed(true, None, &ProgramConfig::default()));
    }
}
