//! The host side of a megakernel: typed buffers, publishing, tenants and
//! `run()`, written once over the [`Engine`] trait so that every backend
//! shares it.

mod accounting;
mod buffers;
mod inbox;
mod options;
mod run;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

pub use crate::host::{Opcode, RangeOpcode, RawTask, Task};
pub use accounting::Accounting;
pub use buffers::{BufferHandle, Element};
pub use options::RunLimits;

use crate::engine::{BackendKind, Engine};
use crate::error::{Error, Result};
use crate::program::Program;
use crate::protocol::{ControlLayout, Priority, MAX_ARGS};
use inbox::{Inbox, PendingRange};

/// The id of the next runtime made in this process.
static NEXT_RUNTIME_ID: AtomicU64 = AtomicU64::new(1);

/// One instance of a program on one backend: its buffers, ring and
/// counters. Build it with [`Runtime::new`] (from a [`Gpu`](crate::Gpu)) or
/// [`Runtime::with_engine`].
pub struct Runtime {
    /// Unique in the process: buffer handles carry it.
    id: u64,
    program: Arc<Program>,
    engine: Box<dyn Engine>,
    layout: ControlLayout,
    inbox: Inbox,
    tenants: Vec<bool>,
    limits: RunLimits,
    books: Accounting,
    /// Tasks published since the last `run()` returned.
    published_since_run: u64,
    /// Claimable tasks after the last submission, per partition.
    claimable: [u64; crate::protocol::PRIORITIES],
    /// Faulted slots the host emptied after the last submission, per
    /// partition: the device's last maintenance pass saw them as FAULT, so
    /// inbox entries that did not fit may fit now.
    recycled: [u64; crate::protocol::PRIORITIES],
    /// The ring's partitions, `(first slot, slots)`: the program's, or
    /// grown to fit the work (`ProgramConfig::grow_ring`).
    partitions: [(u32, u32); crate::protocol::PRIORITIES],
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("program", &self.program.name())
            .field("backend", &self.engine.kind())
            .field("adapter", &self.engine.adapter())
            .field("books", &self.books)
            .finish()
    }
}

impl Runtime {
    /// Wraps an engine already built for `program`. Every tenant starts
    /// enabled and every buffer empty.
    pub fn with_engine(program: impl Into<Arc<Program>>, engine: Box<dyn Engine>) -> Result<Self> {
        let program = program.into();
        let layout = program.control_layout();
        let tenants = vec![true; program.config().tenants as usize];
        let partitions = program.config().partitions();
        let mut rt = Runtime {
            id: NEXT_RUNTIME_ID.fetch_add(1, Ordering::Relaxed),
            inbox: Inbox::new(&program, &layout),
            program,
            engine,
            layout,
            tenants,
            limits: RunLimits::default(),
            books: Accounting::default(),
            published_since_run: 0,
            claimable: [0; crate::protocol::PRIORITIES],
            recycled: [0; crate::protocol::PRIORITIES],
            partitions,
        };
        let ones = vec![1u32; rt.tenants.len()];
        rt.engine
            .write_control(rt.layout.tenant_enabled as u64, &ones)?;
        Ok(rt)
    }

    /// The program.
    pub fn program(&self) -> &Program {
        &self.program
    }

    /// Which backend runs it.
    pub fn backend(&self) -> BackendKind {
        self.engine.kind()
    }

    /// The adapter's description.
    pub fn adapter(&self) -> String {
        self.engine.adapter()
    }

    /// Lanes per work dispatch.
    pub fn lanes(&self) -> u32 {
        self.engine.lanes()
    }

    /// The ring's partitions now, `(first slot, slots)` each, CRITICAL
    /// first: the program's, or larger once the runtime grew them to fit
    /// the published work (`ProgramConfig::grow_ring`).
    pub fn partitions(&self) -> [(u32, u32); crate::protocol::PRIORITIES] {
        self.partitions
    }

    /// The limits `run()` uses.
    pub fn limits(&self) -> RunLimits {
        self.limits
    }

    /// Sets the limits `run()` uses.
    pub fn set_limits(&mut self, limits: RunLimits) -> Result<()> {
        limits.validate()?;
        self.limits = limits;
        Ok(())
    }

    /// Every task seen so far, by where it is now (exact after each `run`).
    pub fn accounting(&self) -> Accounting {
        self.books
    }

    // ---- buffers ----------------------------------------------------------

    /// A typed handle to the declared buffer `name`; `T` must be its
    /// element type (`u32` for `Atomic<u32>`).
    pub fn buffer<T: Element>(&self, name: &str) -> Result<BufferHandle<T>> {
        let index = self
            .program
            .buffer_index(name)
            .ok_or_else(|| Error::UnknownBuffer {
                name: name.to_string(),
                declared: self
                    .program
                    .buffers()
                    .iter()
                    .map(|b| b.name.clone())
                    .collect(),
            })?;
        let kind = self.program.buffers()[index].kind;
        if kind.elem != T::TYPE {
            return Err(Error::BufferType {
                name: name.to_string(),
                declared: kind,
                requested: T::TYPE,
            });
        }
        Ok(BufferHandle::new(index, self.id))
    }

    /// Checks that `buffer` was made by this runtime.
    fn own<T: Element>(&self, buffer: BufferHandle<T>) -> Result<usize> {
        if buffer.runtime == self.id {
            Ok(buffer.index)
        } else {
            Err(Error::ForeignBuffer {
                index: buffer.index,
            })
        }
    }

    /// Logical length of a buffer, in elements (0 for a handle of another
    /// runtime, which every fallible method refuses with
    /// [`Error::ForeignBuffer`]).
    pub fn len<T: Element>(&self, buffer: BufferHandle<T>) -> u64 {
        self.own(buffer)
            .map_or(0, |index| self.engine.buffer_len(index))
    }

    /// Resizes a buffer to `len` elements, keeping the common prefix and
    /// zero-filling the rest.
    pub fn resize<T: Element>(&mut self, buffer: BufferHandle<T>, len: u64) -> Result<()> {
        let index = self.own(buffer)?;
        self.engine.resize_buffer(index, len)
    }

    /// Replaces a buffer's contents with `data` (resizing it to fit).
    pub fn upload<T: Element>(&mut self, buffer: BufferHandle<T>, data: &[T]) -> Result<()> {
        self.own(buffer)?;
        if self.engine.buffer_len(buffer.index) != data.len() as u64 {
            self.engine.resize_buffer(buffer.index, data.len() as u64)?;
        }
        self.write(buffer, 0, data)
    }

    /// Writes `data` at element `offset`; the range must lie inside the
    /// buffer.
    pub fn write<T: Element>(
        &mut self,
        buffer: BufferHandle<T>,
        offset: u64,
        data: &[T],
    ) -> Result<()> {
        self.own(buffer)?;
        self.check_range(buffer.index, offset, data.len() as u64)?;
        if data.is_empty() {
            return Ok(());
        }
        self.engine
            .write_buffer(buffer.index, offset, bytemuck::cast_slice(data))
    }

    /// Reads the whole buffer.
    pub fn read<T: Element>(&mut self, buffer: BufferHandle<T>) -> Result<Vec<T>> {
        self.own(buffer)?;
        let len = self.engine.buffer_len(buffer.index);
        self.read_range(buffer, 0, len)
    }

    /// Reads `len` elements from element `offset`.
    pub fn read_range<T: Element>(
        &mut self,
        buffer: BufferHandle<T>,
        offset: u64,
        len: u64,
    ) -> Result<Vec<T>> {
        self.own(buffer)?;
        self.check_range(buffer.index, offset, len)?;
        if len == 0 {
            return Ok(Vec::new());
        }
        let words = self.engine.read_buffer(buffer.index, offset, len)?;
        Ok(bytemuck::cast_slice(&words).to_vec())
    }

    fn check_range(&self, index: usize, offset: u64, len: u64) -> Result<()> {
        let have = self.engine.buffer_len(index);
        let end = offset.checked_add(len);
        match end {
            Some(end) if end <= have => Ok(()),
            _ => Err(Error::BufferRange {
                name: self.program.buffers()[index].name.clone(),
                len: have,
                offset,
                end: end.unwrap_or(u64::MAX),
            }),
        }
    }

    // ---- tenants ----------------------------------------------------------

    /// Enables or disables a tenant. A disabled tenant's tasks stay in the
    /// ring, parked, and run once it is enabled again.
    pub fn set_tenant_enabled(&mut self, tenant: u32, enabled: bool) -> Result<()> {
        self.check_tenant(tenant)?;
        self.engine.write_control(
            self.layout.tenant_enabled as u64 + tenant as u64,
            &[enabled as u32],
        )?;
        self.tenants[tenant as usize] = enabled;
        Ok(())
    }

    /// Enables a tenant.
    pub fn enable_tenant(&mut self, tenant: u32) -> Result<()> {
        self.set_tenant_enabled(tenant, true)
    }

    /// Disables a tenant.
    pub fn disable_tenant(&mut self, tenant: u32) -> Result<()> {
        self.set_tenant_enabled(tenant, false)
    }

    /// Whether a tenant is enabled.
    pub fn tenant_enabled(&self, tenant: u32) -> Result<bool> {
        self.check_tenant(tenant)?;
        Ok(self.tenants[tenant as usize])
    }

    fn check_tenant(&self, tenant: u32) -> Result<()> {
        if (tenant as usize) < self.tenants.len() {
            Ok(())
        } else {
            Err(Error::UnknownTenant {
                tenant,
                tenants: self.tenants.len() as u32,
            })
        }
    }

    // ---- publishing -------------------------------------------------------

    /// Publishes `task` at `priority` for tenant 0.
    pub fn publish(&mut self, priority: Priority, task: Task) -> Result<()> {
        self.publish_for(0, priority, task)
    }

    /// Publishes `task` at `priority` for `tenant`. The task is checked
    /// (known opcode, argument count and types, tenant in the table) and
    /// queued; `run()` moves it into the ring. Nothing is ever dropped: a
    /// task that does not fit waits and is reported as waiting.
    pub fn publish_for(&mut self, tenant: u32, priority: Priority, task: Task) -> Result<()> {
        self.check_tenant(tenant)?;
        let index = self
            .program
            .handler_index(task.opcode())
            .ok_or(Error::UnknownOpcode { id: task.opcode() })?;
        if self.program.arg_types(index) != task.types() || task.arg_count() > MAX_ARGS {
            return Err(self.argument_error(index, &task));
        }
        self.inbox
            .push(priority.index(), task.opcode(), tenant, task.words());
        self.count_published(1);
        Ok(())
    }

    /// Why `task`'s arguments do not fit handler `index`.
    #[cold]
    fn argument_error(&self, index: usize, task: &Task) -> Error {
        let handler = &self.program.handlers()[index];
        let expected = handler.args();
        if expected.len() != task.arg_count() {
            return Error::ArgumentCount {
                opcode: handler.name.clone(),
                expected: expected.len(),
                found: task.arg_count(),
            };
        }
        let differs = expected
            .iter()
            .zip(task.types())
            .enumerate()
            .find(|(_, (decl, &ty))| decl.ty != ty);
        match differs {
            Some((index, (decl, &found))) => Error::ArgumentType {
                opcode: handler.name.clone(),
                index,
                expected: decl.ty,
                found,
            },
            // Unreachable: equal counts and equal types would have passed.
            None => Error::ArgumentCount {
                opcode: handler.name.clone(),
                expected: expected.len(),
                found: task.arg_count(),
            },
        }
    }

    /// Publishes `count` tasks of opcode `opcode` for `tenant` at
    /// `priority`, checking the opcode and the tenant once: the fast path
    /// for publishing many tasks (a copy per task, no allocation).
    ///
    /// `args(k, words)` fills the argument words of task `k` (`words` has
    /// one zeroed word per argument of the handler; it may be called from
    /// several threads, in any order): each argument as the
    /// bit pattern a [`Task`] would store — `bool` as 0 or 1, `i32` two's
    /// complement, `f32` its IEEE bits. The words are not type-checked (the
    /// device reads any pattern; a `bool` word is true when non-zero).
    ///
    /// ```
    /// # use vyre_core::ir::{Access, BufferKind, HandlerBuilder, ScalarType};
    /// # use vyre_core::{Gpu, Priority, Program, Runtime};
    /// # let mut h = HandlerBuilder::new(1, "bump");
    /// # let hits = h.buffer("hits", ScalarType::U32, Access::Atomic);
    /// # let i = h.arg("i", ScalarType::U32);
    /// # h.body(|b| b.eval(hits.fetch_add(i, 1u32)));
    /// # let program = Program::builder("p")
    /// #     .buffer("hits", BufferKind::atomic(ScalarType::U32))
    /// #     .opcode(h.finish()?).build()?;
    /// let mut rt = Runtime::new(&Gpu::reference(), program)?;
    /// let hits = rt.buffer::<u32>("hits")?;
    /// rt.upload(hits, &[0; 4])?;
    /// // bump(k % 4) for k in 0..10
    /// rt.publish_with(0, Priority::Normal, 1, 10, |k, words| words[0] = k as u32 % 4)?;
    /// assert_eq!(rt.run()?.executed, 10);
    /// assert_eq!(rt.read(hits)?, vec![3, 3, 2, 2]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::UnknownTenant`], [`Error::UnknownOpcode`], [`Error::BufferTooLarge`]
    /// (the host cannot hold the batch); nothing is
    /// published then.
    pub fn publish_with(
        &mut self,
        tenant: u32,
        priority: Priority,
        opcode: u32,
        count: usize,
        args: impl Fn(usize, &mut [u32]) + Sync,
    ) -> Result<()> {
        self.check_tenant(tenant)?;
        let index = self
            .program
            .handler_index(opcode)
            .ok_or(Error::UnknownOpcode { id: opcode })?;
        let arity = self.program.handlers()[index].args().len().min(MAX_ARGS);
        self.publish_bulk(tenant, priority, opcode, count, &|k, words| {
            args(k, &mut words[..arity])
        })
    }

    /// Publishes one task of opcode `O` per element of `tasks` (each the
    /// opcode's arguments: `()` for none, the value for one, a tuple for
    /// more) at `priority` for tenant 0, packed straight into the host
    /// queue: the typed bulk path. A megakernel type offers it for its own
    /// opcodes only, so a wrong opcode or argument type does not compile.
    ///
    /// ```
    /// # use vyre_core::ir::{Access, BufferKind, HandlerBuilder, ScalarType};
    /// # use vyre_core::{Gpu, Priority, Program, Runtime, Opcode};
    /// # let mut h = HandlerBuilder::new(1, "bump");
    /// # let hits = h.buffer("hits", ScalarType::U32, Access::Atomic);
    /// # let i = h.arg("i", ScalarType::U32);
    /// # h.body(|b| b.eval(hits.fetch_add(i, 1u32)));
    /// # let program = Program::builder("p")
    /// #     .buffer("hits", BufferKind::atomic(ScalarType::U32))
    /// #     .opcode(h.finish()?).build()?;
    /// // What `#[opcode] fn bump(hits: &Buffer<Atomic<u32>>, i: u32)`
    /// // implements for `bump::Op`.
    /// #[derive(Clone, Copy)]
    /// struct Bump;
    /// impl Opcode for Bump {
    ///     const ID: u32 = 1;
    ///     const NAME: &'static str = "bump";
    ///     const ARG_TYPES: &'static [ScalarType] = &[ScalarType::U32];
    ///     type Args = u32;
    ///     fn encode(i: &u32, words: &mut [u32]) {
    ///         words[0] = *i;
    ///     }
    /// }
    /// let mut rt = Runtime::new(&Gpu::reference(), program)?;
    /// let hits = rt.buffer::<u32>("hits")?;
    /// rt.upload(hits, &[0; 4])?;
    /// rt.publish_batch(Priority::Normal, Bump, &[0, 1, 1, 3])?;
    /// assert_eq!(rt.run()?.executed, 4);
    /// assert_eq!(rt.read(hits)?, vec![1, 2, 0, 1]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::UnknownOpcode`] when this program has no opcode `O::ID`,
    /// [`Error::ArgumentType`] / [`Error::ArgumentCount`] when its handler
    /// takes other arguments than `O` says, [`Error::BufferTooLarge`] when
    /// the host cannot hold a batch the device inbox cannot take at once;
    /// nothing is published then. A batch larger than the inboxes is never
    /// refused for that: it waits on the host and streams through them.
    pub fn publish_batch<O: Opcode>(
        &mut self,
        priority: Priority,
        op: O,
        tasks: &[O::Args],
    ) -> Result<()> {
        self.publish_batch_for(0, priority, op, tasks)
    }

    /// [`publish_batch`](Self::publish_batch) for `tenant`.
    pub fn publish_batch_for<O: Opcode>(
        &mut self,
        tenant: u32,
        priority: Priority,
        _op: O,
        tasks: &[O::Args],
    ) -> Result<()> {
        self.check_typed::<O>(tenant)?;
        let arity = O::ARG_TYPES.len();
        self.publish_bulk(tenant, priority, O::ID, tasks.len(), &|k, words| {
            O::encode(&tasks[k], &mut words[..arity])
        })
    }

    /// `count` checked tasks of `opcode`: straight into the device inbox
    /// when it can take them all now (nothing of this priority queued on
    /// the host), else into the host queue; `args` writes task `k`'s
    /// argument words.
    fn publish_bulk(
        &mut self,
        tenant: u32,
        priority: Priority,
        opcode: u32,
        count: usize,
        args: &(dyn Fn(usize, &mut [u32]) + Sync),
    ) -> Result<()> {
        let p = priority.index();
        let direct =
            self.inbox
                .publish_direct(self.engine.as_mut(), p, opcode, tenant, count, args)?;
        if !direct {
            self.inbox.push_with(p, opcode, tenant, count, args)?;
        }
        self.count_published(count as u64);
        Ok(())
    }

    /// Publishes one task of opcode `O` per index of `indices`, the index
    /// as the opcode's first argument (a `u32`) and `rest` as the others,
    /// at `priority` for tenant 0. Nothing per task crosses the bus: the
    /// device writes the tasks' inbox entries from one descriptor.
    ///
    /// # Errors
    ///
    /// As [`publish_batch`](Self::publish_batch); nothing is published
    /// then.
    pub fn publish_range<O: RangeOpcode>(
        &mut self,
        priority: Priority,
        op: O,
        indices: std::ops::Range<u32>,
        rest: O::Rest,
    ) -> Result<()> {
        self.publish_range_for(0, priority, op, indices, rest)
    }

    /// [`publish_range`](Self::publish_range) for `tenant`.
    pub fn publish_range_for<O: RangeOpcode>(
        &mut self,
        tenant: u32,
        priority: Priority,
        _op: O,
        indices: std::ops::Range<u32>,
        rest: O::Rest,
    ) -> Result<()> {
        self.check_typed::<O>(tenant)?;
        if indices.is_empty() {
            return Ok(());
        }
        let mut words = [0u32; MAX_ARGS - 1];
        O::encode_rest(&rest, &mut words[..O::ARG_TYPES.len().saturating_sub(1)]);
        let count = indices.end - indices.start;
        self.inbox.push_range(
            priority.index(),
            PendingRange {
                opcode: O::ID,
                tenant,
                first: indices.start,
                count,
                rest: words,
            },
        );
        self.count_published(u64::from(count));
        Ok(())
    }

    /// Checks that `tenant` exists and that this program's handler for
    /// `O::ID` takes the arguments `O` encodes.
    fn check_typed<O: Opcode>(&self, tenant: u32) -> Result<()> {
        self.check_tenant(tenant)?;
        let index = self
            .program
            .handler_index(O::ID)
            .ok_or(Error::UnknownOpcode { id: O::ID })?;
        let handler = &self.program.handlers()[index];
        let expected = handler.args();
        if expected.len() != O::ARG_TYPES.len() {
            return Err(Error::ArgumentCount {
                opcode: handler.name.clone(),
                expected: expected.len(),
                found: O::ARG_TYPES.len(),
            });
        }
        for (i, (decl, &ty)) in expected.iter().zip(O::ARG_TYPES).enumerate() {
            if decl.ty != ty {
                return Err(Error::ArgumentType {
                    opcode: handler.name.clone(),
                    index: i,
                    expected: decl.ty,
                    found: ty,
                });
            }
        }
        Ok(())
    }

    /// Publishes a task without host-side checks (see [`RawTask`]): the
    /// device faults what it cannot run.
    pub fn publish_raw(&mut self, priority: Priority, task: RawTask) {
        self.inbox
            .push(priority.index(), task.opcode, task.tenant, &task.args);
        self.count_published(1);
    }

    fn count_published(&mut self, n: u64) {
        self.books.published += n;
        self.books.waiting += n;
        self.published_since_run += n;
    }
}
