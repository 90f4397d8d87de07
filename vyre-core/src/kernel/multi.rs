//! [`MultiKernel`]: a `megakernel!` type on every device of a
//! [`GpuSet`], with the type's own typed bulk publishing.

use std::marker::PhantomData;

use super::{HasOpcode, Megakernel};
use crate::error::Result;
use crate::host::{Opcode, RangeOpcode};
use crate::multi::{BufferMode, GpuSet, MultiReport, MultiRuntime};
use crate::protocol::Priority;

/// A `megakernel!` type `K` on every device of a set: one-device code
/// keeps `K::new(&gpu)`; a set reads
/// `MultiKernel::<K>::new(&Gpu::all()?, &[("out", BufferMode::Output)])`.
/// Its typed `publish_batch` and `publish_range` take `K`'s own opcodes
/// only; everything else (buffers, untyped publishing, pinning, books)
/// is on the [`MultiRuntime`] it wraps.
///
/// ```
/// use vyre_core::kernel::{Megakernel, MultiKernel};
/// # use vyre_core::kernel::__private as p;
/// # use vyre_core::{Gpu, GpuSet, BufferMode, Priority, Program, Runtime, Result};
/// # use vyre_core::ir::{Access, BufferKind, HandlerBuilder, ScalarType};
/// # use std::sync::Arc;
/// # struct Count(Runtime);
/// # impl Megakernel for Count {
/// #     const NAME: &'static str = "Count";
/// #     fn try_program() -> Result<Arc<Program>> {
/// #         let mut h = HandlerBuilder::new(1, "bump");
/// #         let hits = h.buffer("hits", ScalarType::U32, Access::Atomic);
/// #         h.body(|b| b.eval(hits.fetch_add(0u32, 1u32)));
/// #         Ok(Arc::new(Program::builder("Count")
/// #             .buffer("hits", BufferKind::atomic(ScalarType::U32))
/// #             .opcode(h.finish().expect("a valid handler")).build()?))
/// #     }
/// #     fn from_runtime(r: Runtime) -> Self { Count(r) }
/// #     fn runtime(&self) -> &Runtime { &self.0 }
/// #     fn runtime_mut(&mut self) -> &mut Runtime { &mut self.0 }
/// # }
/// let set = GpuSet::new(vec![Gpu::cpu(), Gpu::cpu()])?;
/// let mut k = MultiKernel::<Count>::new(&set, &[("hits", BufferMode::Summed)])?;
/// let rt = k.runtime_mut();
/// let hits = rt.buffer::<u32>("hits")?;
/// rt.upload(&hits, &[0])?;
/// rt.publish_with(0, Priority::Normal, 1, 10_000, |_, _| {})?;
/// let report = k.run()?;
/// assert_eq!(report.total.executed, 10_000);
/// assert_eq!(k.runtime_mut().read(&hits)?, vec![10_000]);
/// # Ok::<(), vyre_core::Error>(())
/// ```
#[derive(Debug)]
pub struct MultiKernel<K> {
    runtime: MultiRuntime,
    kernel: PhantomData<fn() -> K>,
}

impl<K: Megakernel> MultiKernel<K> {
    /// `K`'s program on every device of `set`, with `modes` for the
    /// buffers its handlers write (see [`BufferMode`]).
    ///
    /// # Errors
    ///
    /// As `K::try_program` and [`MultiBuilder::build`](crate::MultiBuilder::build).
    pub fn new(set: &GpuSet, modes: &[(&str, BufferMode)]) -> Result<MultiKernel<K>> {
        let mut builder = MultiRuntime::builder(set, K::try_program()?);
        for (name, mode) in modes {
            builder = builder.mode(name, *mode);
        }
        Ok(MultiKernel::wrap(builder.build()?))
    }

    /// Wraps a set's runtime built by hand (a chunk size, limits), which
    /// must run `K`'s program.
    ///
    /// # Errors
    ///
    /// [`Error::DeviceSet`](crate::Error::DeviceSet) when it runs another
    /// program.
    pub fn from_runtime(runtime: MultiRuntime) -> Result<MultiKernel<K>> {
        if runtime.program().name() != K::NAME {
            return Err(crate::Error::DeviceSet {
                reason: format!(
                    "the set runs program `{}`, not `{}`",
                    runtime.program().name(),
                    K::NAME
                ),
            });
        }
        Ok(MultiKernel::wrap(runtime))
    }

    fn wrap(runtime: MultiRuntime) -> MultiKernel<K> {
        MultiKernel {
            runtime,
            kernel: PhantomData,
        }
    }

    /// One task of `K`'s opcode `O` per element of `tasks`, into the set's
    /// queue ([`MultiRuntime::publish_batch`]).
    ///
    /// # Errors
    ///
    /// As [`MultiRuntime::publish_batch`].
    pub fn publish_batch<O: Opcode>(
        &mut self,
        priority: Priority,
        op: O,
        tasks: &[O::Args],
    ) -> Result<()>
    where
        K: HasOpcode<O>,
    {
        self.runtime.publish_batch(priority, op, tasks)
    }

    /// One task of `K`'s opcode `O` per index of `indices`, spread over the
    /// devices as sub-ranges ([`MultiRuntime::publish_range`]).
    ///
    /// # Errors
    ///
    /// As [`MultiRuntime::publish_range`].
    pub fn publish_range<O: RangeOpcode>(
        &mut self,
        priority: Priority,
        op: O,
        indices: std::ops::Range<u32>,
        rest: O::Rest,
    ) -> Result<()>
    where
        K: HasOpcode<O>,
    {
        self.runtime.publish_range(priority, op, indices, rest)
    }

    /// Runs every device until the work is done ([`MultiRuntime::run`]).
    ///
    /// # Errors
    ///
    /// As [`MultiRuntime::run`].
    pub fn run(&mut self) -> Result<MultiReport> {
        self.runtime.run()
    }

    /// The set's runtime.
    pub fn runtime(&self) -> &MultiRuntime {
        &self.runtime
    }

    /// The set's runtime, mutably.
    pub fn runtime_mut(&mut self) -> &mut MultiRuntime {
        &mut self.runtime
    }
}
