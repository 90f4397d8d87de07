//! [`KernelBuilder`]: sizes and limits of a megakernel instance.

use std::marker::PhantomData;

use super::Megakernel;
use crate::backend::Gpu;
use crate::error::{Error, Result};
use crate::ir::ScalarType;
use crate::program::ProgramConfig;
use crate::runtime::{Element, RunLimits, Runtime};
use std::sync::Arc;

/// Builds an instance of a `megakernel!` type on a [`Gpu`]: the
/// workgroups of each work dispatch, the reference interpreter's schedule
/// seed, the [`RunLimits`] of `run()`, initial buffer lengths, and the
/// ring's sizes when they should differ from the declared ones.
///
/// `Name::builder(&gpu)` makes one; `Name::new(&gpu)` is
/// `Name::builder(&gpu).build()`.
#[derive(Debug, Clone)]
pub struct KernelBuilder<K> {
    gpu: Gpu,
    limits: Option<RunLimits>,
    lengths: Vec<(String, u64)>,
    /// The edited sizes and limits; `None` keeps the declared ones.
    config: Option<ProgramConfig>,
    kernel: PhantomData<fn() -> K>,
}

impl<K: Megakernel> KernelBuilder<K> {
    /// A builder for an instance on `gpu`.
    pub fn new(gpu: &Gpu) -> Self {
        KernelBuilder {
            gpu: gpu.clone(),
            limits: None,
            lengths: Vec::new(),
            config: None,
            kernel: PhantomData,
        }
    }

    /// Workgroups of each work dispatch (lanes = workgroups × the kernel's
    /// `workgroup_size`); 1 ..= 65,535, checked by [`build`](Self::build).
    pub fn workgroups(mut self, workgroups: u32) -> Self {
        self.gpu = self.gpu.with_workgroups(workgroups);
        self
    }

    /// The reference interpreter's schedule seed (other backends ignore it).
    pub fn seed(mut self, seed: u64) -> Self {
        self.gpu = self.gpu.with_seed(seed);
        self
    }

    /// The limits `run()` uses (checked by [`build`](Self::build)).
    pub fn limits(mut self, limits: RunLimits) -> Self {
        self.limits = Some(limits);
        self
    }

    /// Gives the declared buffer `name` `len` zeroed elements to start
    /// with. A name the kernel does not declare is
    /// [`Error::UnknownBuffer`] from [`build`](Self::build).
    pub fn buffer_len(mut self, name: &str, len: u64) -> Self {
        self.lengths.push((name.to_string(), len));
        self
    }

    /// Changes this instance's sizes and limits, starting from the ones the
    /// `megakernel!` declares: a ring sized to the work at hand, a larger
    /// inbox, another iteration budget. The program is re-assembled with
    /// them (and checked: an invalid configuration is
    /// [`Error::Assembly`] from [`build`](Self::build)); other instances
    /// keep the declared ones. Edits apply in order.
    ///
    /// `Counter::builder(&gpu).configure(|c| c.slots = 1 << 20).build()?`
    /// (see `docs/language.md`, "`megakernel!`").
    pub fn configure(mut self, edit: impl FnOnce(&mut ProgramConfig)) -> Self {
        // A kernel whose program cannot be assembled starts from the
        // defaults here; `build` reports the assembly error.
        let config = self.config.get_or_insert_with(|| {
            K::try_program().map_or_else(|_| ProgramConfig::default(), |p| p.config().clone())
        });
        let before = config.clone();
        edit(config);
        // Sizes the user sets are kept exactly, unless the edit also asked
        // for growth itself.
        let sized =
            config.slots != before.slots || config.partition_sizes != before.partition_sizes;
        if sized && config.grow_ring == before.grow_ring {
            config.grow_ring = false;
        }
        if config.workgroup_size != before.workgroup_size
            && config.auto_dispatch == before.auto_dispatch
        {
            config.auto_dispatch = false;
        }
        self
    }

    /// Assembles the program (once per type) and instantiates it.
    pub fn build(self) -> Result<K> {
        let mut program = K::try_program()?;
        if let Some(config) = self.config.clone() {
            program = Arc::new(program.with_config(config)?);
        }
        for (name, _) in &self.lengths {
            if program.buffer_index(name).is_none() {
                return Err(Error::UnknownBuffer {
                    name: name.clone(),
                    declared: program.buffers().iter().map(|b| b.name.clone()).collect(),
                });
            }
        }
        let mut runtime = Runtime::new(&self.gpu, Arc::clone(&program))?;
        if let Some(limits) = self.limits {
            runtime.set_limits(limits)?;
        }
        for (name, len) in &self.lengths {
            let elem = program
                .buffer_index(name)
                .and_then(|i| program.buffers().get(i))
                .map_or(ScalarType::U32, |b| b.kind.elem);
            match elem {
                ScalarType::I32 => resize::<i32>(&mut runtime, name, *len)?,
                ScalarType::F32 => resize::<f32>(&mut runtime, name, *len)?,
                _ => resize::<u32>(&mut runtime, name, *len)?,
            }
        }
        Ok(K::from_runtime(runtime))
    }
}

/// Resizes the buffer `name`, whose elements are `T`.
fn resize<T: Element>(runtime: &mut Runtime, name: &str, len: u64) -> Result<()> {
    let handle = runtime.buffer::<T>(name)?;
    runtime.resize(handle, len)
}
