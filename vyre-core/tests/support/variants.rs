//! A program's runtimes for the parity tests: on the reference
//! interpreter, and on wgpu in every scheduler variant
//! (`LowerOptions::all`), whose results must agree.

use std::sync::Arc;

use vyre_core::gpu::{GpuContext, WgpuEngine};
use vyre_core::lower::{wgsl_with, LowerOptions};
use vyre_core::program::Program;
use vyre_core::reference::ReferenceEngine;
use vyre_core::Runtime;

/// A runtime of `p` on the reference interpreter with `lanes` lanes.
pub fn on_reference(p: &Arc<Program>, lanes: u32) -> Runtime {
    let engine = ReferenceEngine::from_shared(Arc::clone(p), lanes, 11).unwrap();
    Runtime::with_engine(Arc::clone(p), Box::new(engine)).unwrap()
}

/// A runtime of `p` on wgpu (two workgroups) for every scheduler variant,
/// with the variant's options.
pub fn on_every_variant<'a>(
    ctx: &'a GpuContext,
    p: &'a Arc<Program>,
) -> impl Iterator<Item = (LowerOptions, Runtime)> + 'a {
    LowerOptions::all().map(move |options| {
        let src = wgsl_with(p, &options);
        let engine = WgpuEngine::with_wgsl(ctx, p, 2, &src).unwrap();
        let rt = Runtime::with_engine(Arc::clone(p), Box::new(engine)).unwrap();
        (options, rt)
    })
}
