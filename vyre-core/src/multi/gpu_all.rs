//! [`Gpu::all`]: every usable adapter of this machine as a [`GpuSet`].

use super::set::{adapter_fragments, GpuSet, ADAPTERS_ENV};
use crate::backend::{Gpu, BACKEND_ENV};
use crate::error::Result;
use crate::gpu::{AdapterChoice, GpuContext};

impl Gpu {
    /// Every hardware adapter of this machine, discrete GPUs first, each
    /// opened once (a GPU that several wgpu backends list is one device),
    /// as a [`GpuSet`]. `VYRE_ADAPTERS` (comma-separated name fragments)
    /// keeps the adapters whose name contains one of them, software ones
    /// included (`VYRE_ADAPTERS=llvmpipe` for lavapipe); else
    /// `WGPU_ADAPTER_NAME` filters as for one device. With `VYRE_BACKEND`
    /// set, or no hardware adapter at all, the set is the one device
    /// [`Gpu::auto`] picks (a CPU backend when there is no GPU), so code
    /// written for a set runs anywhere.
    ///
    /// # Errors
    ///
    /// [`Error::BackendUnavailable`](crate::Error::BackendUnavailable)
    /// when `VYRE_ADAPTERS` names adapters none of which could be opened;
    /// as [`Gpu::auto`].
    pub fn all() -> Result<GpuSet> {
        if std::env::var_os(BACKEND_ENV).is_some() {
            return Ok(GpuSet::from(Gpu::auto()?));
        }
        let fragments = adapter_fragments();
        // Adapters named by the user may be software ones (lavapipe, to
        // try a set on a machine without GPUs); otherwise hardware only.
        let choice = if fragments.is_some() {
            AdapterChoice::Any
        } else {
            AdapterChoice::Hardware
        };
        match GpuContext::all(choice, fragments.as_deref()) {
            Ok(contexts) => {
                let n = contexts.len();
                let gpus = contexts
                    .into_iter()
                    .enumerate()
                    .map(|(i, ctx)| {
                        Gpu::from_context(ctx, format!("hardware adapter {} of {n}", i + 1))
                    })
                    .collect();
                GpuSet::new(gpus)
            }
            Err(e) if fragments.is_some() => Err(crate::Error::BackendUnavailable {
                backend: "wgpu".into(),
                reason: format!("{ADAPTERS_ENV}: {e}"),
            }),
            Err(_) => Ok(GpuSet::from(Gpu::auto()?)),
        }
    }
}
