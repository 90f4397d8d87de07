//! The wgpu backend: a shared [`GpuContext`] (instance, adapter, device,
//! queue, pipeline cache) and [`WgpuEngine`], the [`Engine`](crate::Engine)
//! that runs one program's generated WGSL on it.
//!
//! Everything here turns wgpu's failure modes into typed [`Error`](crate::Error)s:
//! validation and out-of-memory errors are caught with error scopes around
//! every operation, device loss is recorded by a callback and reported by
//! the next call, and nothing reachable from user input panics.
//!
//! ```no_run
//! use vyre_core::gpu::{AdapterChoice, GpuContext};
//!
//! let ctx = GpuContext::new(AdapterChoice::Any)?;
//! println!("running on {}", ctx.description());
//! # Ok::<(), vyre_core::Error>(())
//! ```

mod autotune;
mod cache;
mod context;
mod disk_cache;
mod engine;
mod pipeline;
mod readback;
mod spirv;
mod sync;
mod upload;

use std::sync::OnceLock;

pub(crate) use autotune::{
    mode as autotune_mode, remember as remember_tuning, tune, tuned, Mode as AutotuneMode,
};
pub use autotune::{Tuning, AUTOTUNE_ENV};
pub use cache::{PipelineCacheStats, CACHED_MODULES};
pub use context::{backends, AdapterChoice, GpuContext, TRUSTED_ENV};
pub use disk_cache::{CACHE_DIR_ENV, CACHE_ENV};
pub use engine::WgpuEngine;
#[doc(hidden)]
pub use spirv::{
    read_file as read_spirv_file, write_for_vulkan as spirv_for_vulkan, Entry as SpirvEntry,
};

/// Runs a future to completion on this thread (wgpu's `request_adapter`,
/// `request_device`): a minimal executor for code that sets up its own
/// wgpu device to share with vyre (`examples/wgpu_interop.rs`).
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    pollster::block_on(future)
}

/// The environment variable that turns a missing adapter in tests from a
/// skip into a failure.
pub const REQUIRE_GPU_ENV: &str = "VYRE_REQUIRE_GPU";

/// A process-wide [`GpuContext`] for tests, on any adapter (software
/// Vulkan such as Mesa's lavapipe included).
///
/// Returns `None` after printing `skipping: no wgpu adapter (...)` when
/// no adapter can be opened, so a test can `let Some(ctx) = test_context()
/// else { return };`. When the environment sets `VYRE_REQUIRE_GPU=1` (CI
/// does, after installing `mesa-vulkan-drivers`), a missing adapter panics
/// instead, so the GPU tests cannot pass silently.
///
/// The context is created once and shared by every caller in the process
/// (creating a device is slow on software drivers); tests that destroy
/// their device must create their own with [`GpuContext::new`].
///
/// # Panics
///
/// Only when `VYRE_REQUIRE_GPU=1` and no adapter is available: this
/// function exists for tests, where a panic is the failure.
pub fn test_context() -> Option<GpuContext> {
    static SHARED: OnceLock<Result<GpuContext, String>> = OnceLock::new();
    let shared =
        SHARED.get_or_init(|| GpuContext::new(AdapterChoice::Any).map_err(|e| e.to_string()));
    match shared {
        Ok(ctx) => Some(ctx.clone()),
        Err(reason) => {
            if require_gpu() {
                panic!("{REQUIRE_GPU_ENV}=1 but no wgpu adapter could be opened: {reason}");
            }
            eprintln!("skipping: no wgpu adapter ({reason}); set {REQUIRE_GPU_ENV}=1 to make this a failure");
            None
        }
    }
}

/// Whether `VYRE_REQUIRE_GPU` asks for GPU tests to fail rather than skip.
pub fn require_gpu() -> bool {
    std::env::var(REQUIRE_GPU_ENV)
        .map(|v| {
            let v = v.trim();
            !(v.is_empty() || v == "0" || v.eq_ignore_ascii_case("false"))
        })
        .unwrap_or(false)
}

// Engines move between threads (the `Engine` trait is `Send`) and contexts
// are shared by them.
const _: fn() = || {
    fn shared<T: Send + Sync>() {}
    shared::<GpuContext>();
    shared::<WgpuEngine>();
};
