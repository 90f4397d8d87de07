//! The context's cache of compiled modules.
//!
//! Compiling a megakernel (WGSL parse, validation, SPIR-V generation, the
//! driver's own compile) is by far the slowest part of creating an engine,
//! so the context keeps compiled modules keyed by their full WGSL text
//! and binding layout: a second engine for the same program reuses it.
//! It keeps the [`CACHED_MODULES`] used last: a process that builds
//! program after program (a generator of kernels, a long test campaign)
//! would otherwise hold every one's pipelines for good (the random
//! differential's 1,000 programs took 24 GB on lavapipe). An engine keeps
//! its own pipelines whatever the cache drops.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};

use super::sync::lock;

/// How many compiled modules a context keeps (the least recently used
/// goes first).
pub const CACHED_MODULES: usize = 64;

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

impl PipelineKey {
    /// The key of `wgsl` generated for `workgroup_size`, whose declared
    /// buffer `i` binds read-only when `read_only[i]`.
    pub(crate) fn new(wgsl: &str, workgroup_size: u32, read_only: &[bool]) -> Self {
        PipelineKey {
            wgsl: wgsl.to_string(),
            workgroup_size,
            read_only: read_only.to_vec(),
        }
    }
}

impl PipelineKey {
    /// A 64-bit hash of the key: what the disk cache lists of the
    /// modules whose pipelines its file holds.
    pub(crate) fn module_hash(&self) -> u64 {
        use super::disk_cache::{fnv1a, fnv1a_on};
        let read_only: Vec<u8> = self.read_only.iter().map(|&r| u8::from(r)).collect();
        let h = fnv1a_on(
            fnv1a(self.wgsl.as_bytes()),
            &self.workgroup_size.to_le_bytes(),
        );
        fnv1a_on(h, &read_only)
    }
}

/// One module's shader, bind group layouts and compute pipelines: the four
/// of a submission, and the expand pipeline, built on first use (only
/// programs that publish ranges need it).
#[derive(Debug)]
pub(crate) struct Pipelines {
    /// Group 0: ring, control, inboxes, declared buffers.
    pub(crate) layout: wgpu::BindGroupLayout,
    /// Group 1: the indirect dispatch arguments (prepare and finalize
    /// only).
    pub(crate) indirect_layout: wgpu::BindGroupLayout,
    pub(crate) prepare: wgpu::ComputePipeline,
    pub(crate) maintain: wgpu::ComputePipeline,
    pub(crate) finalize: wgpu::ComputePipeline,
    pub(crate) work: wgpu::ComputePipeline,
    /// The place pass, where the module has one
    /// (`Program::places_and_runs`).
    pub(crate) place: Option<wgpu::ComputePipeline>,
    /// What building the expand pipeline later needs.
    pub(crate) modules: Modules,
    pub(crate) pipeline_layout: wgpu::PipelineLayout,
    pub(crate) expand: std::sync::OnceLock<wgpu::ComputePipeline>,
}

/// The shader modules pipelines are made from: the WGSL module through
/// naga, or one module per entry point from vyre's SPIR-V
/// (`super::spirv`).
#[derive(Debug)]
pub(crate) enum Modules {
    /// One module holding every entry point.
    Wgsl(wgpu::ShaderModule),
    /// A module per entry point, by its name.
    PerEntry(Vec<(String, wgpu::ShaderModule)>),
}

impl Modules {
    /// The module that holds entry point `entry` (`None`: the WGSL has no
    /// such entry point).
    pub(crate) fn of(&self, entry: &str) -> Option<&wgpu::ShaderModule> {
        match self {
            Modules::Wgsl(m) => Some(m),
            Modules::PerEntry(m) => m.iter().find(|(n, _)| n == entry).map(|(_, m)| m),
        }
    }
}

/// Compiled modules by key, each with the tick of its last use, with hit
/// and miss counters; shared by every engine of one context.
#[derive(Debug, Default)]
pub(crate) struct PipelineCache {
    modules: Mutex<CachedModules>,
    hits: AtomicU64,
    misses: AtomicU64,
}

/// The cached modules and the use clock.
#[derive(Debug, Default)]
struct CachedModules {
    by_key: HashMap<PipelineKey, (Arc<Pipelines>, u64)>,
    tick: u64,
}

impl PipelineCache {
    /// The pipelines cached under `key`, counted as a hit.
    pub(crate) fn get(&self, key: &PipelineKey) -> Option<Arc<Pipelines>> {
        let mut m = lock(&self.modules);
        m.tick += 1;
        let tick = m.tick;
        let found = m.by_key.get_mut(key).map(|(p, used)| {
            *used = tick;
            Arc::clone(p)
        });
        if found.is_some() {
            self.hits.fetch_add(1, Relaxed);
        }
        found
    }

    /// Caches `compiled` under `key`, counted as a miss, and returns what
    /// the cache holds for `key` (an earlier insert wins). Past
    /// [`CACHED_MODULES`] the least recently used module is dropped.
    pub(crate) fn insert(&self, key: PipelineKey, compiled: Arc<Pipelines>) -> Arc<Pipelines> {
        self.misses.fetch_add(1, Relaxed);
        let mut m = lock(&self.modules);
        m.tick += 1;
        let tick = m.tick;
        let kept = Arc::clone(&m.by_key.entry(key).or_insert((compiled, tick)).0);
        if m.by_key.len() > CACHED_MODULES {
            // Ticks are unique: this drops exactly the oldest (without a
            // copy of its key, the module's whole WGSL text).
            let oldest = m.by_key.values().map(|(_, used)| *used).min();
            m.by_key.retain(|_, (_, used)| Some(*used) != oldest);
        }
        kept
    }

    /// The counters.
    pub(crate) fn stats(&self) -> PipelineCacheStats {
        PipelineCacheStats {
            entries: lock(&self.modules).by_key.len(),
            hits: self.hits.load(Relaxed),
            misses: self.misses.load(Relaxed),
        }
    }

    /// Drops every cached module (engines that use them keep theirs).
    pub(crate) fn clear(&self) {
        lock(&self.modules).by_key.clear();
    }
}
