//! Publishing: one checked task (`publish`), typed batches and ranges
//! (`publish_batch`, `publish_range`, for opcodes known at compile time),
//! the untyped bulk path (`publish_with`) and unchecked tasks
//! (`publish_raw`). Every path counts what it published in the books;
//! the inboxes (`inbox.rs`) hold the entries until `run()`.

use super::inbox::{Batch, EntryHeader, PendingRange};
use super::Runtime;
use crate::error::{Error, Result};
use crate::host::{Opcode, RangeOpcode, RawTask, Task};
use crate::program::Program;
use crate::protocol::{Priority, MAX_ARGS};

impl Runtime {
    /// Publishes `task` at `priority` for tenant 0.
    #[inline]
    pub fn publish(&mut self, priority: Priority, task: Task) -> Result<()> {
        self.publish_for(0, priority, task)
    }

    /// Publishes `task` at `priority` for `tenant`. The task is checked
    /// (known opcode, argument count and types, tenant in the table) and
    /// queued; `run()` moves it into the ring. Nothing is ever dropped: a
    /// task that does not fit waits and is reported as waiting.
    #[inline]
    pub fn publish_for(&mut self, tenant: u32, priority: Priority, task: Task) -> Result<()> {
        self.check_tenant(tenant)?;
        check_task(&self.program, &task)?;
        self.publish_checked(tenant, priority, &task, 0);
        Ok(())
    }

    /// Queues a task already checked against the program and the tenant
    /// table, with ticket word `ticket`.
    #[inline]
    pub(crate) fn publish_checked(
        &mut self,
        tenant: u32,
        priority: Priority,
        task: &Task,
        ticket: u32,
    ) {
        let header = EntryHeader {
            opcode: task.opcode(),
            tenant,
            ticket,
        };
        self.inbox.push(priority.index(), header, task.words());
        self.count_published(1);
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
        let arity = opcode_arity(&self.program, opcode)?;
        let header = EntryHeader {
            opcode,
            tenant,
            ticket: 0,
        };
        self.publish_bulk(header, priority, count, arity, &|k, words| {
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
        self.check_tenant(tenant)?;
        check_typed::<O>(&self.program)?;
        let header = EntryHeader {
            opcode: O::ID,
            tenant,
            ticket: 0,
        };
        self.publish_typed_batch::<O>(header, priority, tasks)
    }

    /// A typed batch already checked, with `header`'s ticket word.
    pub(crate) fn publish_typed_batch<O: Opcode>(
        &mut self,
        header: EntryHeader,
        priority: Priority,
        tasks: &[O::Args],
    ) -> Result<()> {
        let arity = typed_arity::<O>();
        self.publish_bulk(header, priority, tasks.len(), arity, &|k, words| {
            O::encode(&tasks[k], &mut words[..arity])
        })
    }

    /// `count` checked tasks with `header`: straight into the device inbox
    /// when it can take them all now (nothing of this priority queued on
    /// the host), else into the host queue; `args` writes task `k`'s
    /// `arity` argument words.
    pub(crate) fn publish_bulk(
        &mut self,
        header: EntryHeader,
        priority: Priority,
        count: usize,
        arity: usize,
        args: &(dyn Fn(usize, &mut [u32]) + Sync),
    ) -> Result<()> {
        let p = priority.index();
        let batch = Batch {
            header,
            count,
            arity,
        };
        let direct = self
            .inbox
            .publish_direct(self.engine.as_mut(), p, batch, args)?;
        if !direct {
            self.inbox.push_with(p, header, count, args)?;
        }
        self.count_published(count as u64);
        Ok(())
    }

    /// `count` checked tasks with `header` whose argument words are
    /// `words` (`arity` a task), into the host queue: a service's batch
    /// call, which the next submission's flush uploads together with the
    /// other calls of its step (one upload, where writing each call to
    /// the device cost about 0.7 ms on an H100, 2026-12-05).
    pub(crate) fn queue_words(
        &mut self,
        header: EntryHeader,
        priority: Priority,
        count: usize,
        arity: usize,
        words: &[u32],
    ) -> Result<()> {
        self.inbox
            .push_words(priority.index(), header, count, arity, words)?;
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
        self.check_tenant(tenant)?;
        check_typed::<O>(&self.program)?;
        if indices.is_empty() {
            return Ok(());
        }
        self.queue_range(tenant, priority, O::ID, indices, rest_words::<O>(&rest));
        Ok(())
    }

    /// A range of checked tasks of `opcode` for `tenant` (checked too):
    /// the index as the first argument word, `rest` after it. The typed
    /// [`publish_range`](Self::publish_range) and a device set's share of
    /// a range (`multi`) end here.
    pub(crate) fn queue_range(
        &mut self,
        tenant: u32,
        priority: Priority,
        opcode: u32,
        indices: std::ops::Range<u32>,
        rest: [u32; MAX_ARGS - 1],
    ) {
        if indices.is_empty() {
            return;
        }
        let count = indices.end - indices.start;
        self.inbox.push_range(
            priority.index(),
            PendingRange {
                header: EntryHeader {
                    opcode,
                    tenant,
                    ticket: 0,
                },
                first: indices.start,
                count,
                rest,
            },
        );
        self.count_published(u64::from(count));
    }

    /// Publishes a task without host-side checks (see [`RawTask`]): the
    /// device faults what it cannot run.
    pub fn publish_raw(&mut self, priority: Priority, task: RawTask) {
        let header = EntryHeader {
            opcode: task.opcode,
            tenant: task.tenant,
            ticket: 0,
        };
        self.inbox.push(priority.index(), header, &task.args);
        self.count_published(1);
    }

    fn count_published(&mut self, n: u64) {
        self.books.published += n;
        self.books.waiting += n;
        self.published_since_run += n;
    }
}

/// Checks `task` against `program`: a known opcode whose handler takes the
/// task's argument types.
#[inline]
pub(crate) fn check_task(program: &Program, task: &Task) -> Result<()> {
    let Some(index) = program.handler_index(task.opcode()) else {
        return Err(Error::UnknownOpcode { id: task.opcode() });
    };
    if program.arg_types(index) != task.types()
        || task.arg_count() != task.types().len()
        || task.word_count() > MAX_ARGS
    {
        return Err(argument_error(program, index, task));
    }
    Ok(())
}

/// The argument words of `opcode`'s handler, or [`Error::UnknownOpcode`].
pub(crate) fn opcode_arity(program: &Program, opcode: u32) -> Result<usize> {
    let index = program
        .handler_index(opcode)
        .ok_or(Error::UnknownOpcode { id: opcode })?;
    Ok(program.handlers()[index].arg_words().min(MAX_ARGS))
}

/// The words of a range task's arguments after its index (`rest`), in
/// the fixed array a range descriptor carries.
pub(crate) fn rest_words<O: RangeOpcode>(rest: &O::Rest) -> [u32; MAX_ARGS - 1] {
    let mut words = [0u32; MAX_ARGS - 1];
    O::encode_rest(rest, &mut words[..O::ARG_TYPES.len().saturating_sub(1)]);
    words
}

/// The argument words `O` encodes.
pub(crate) fn typed_arity<O: Opcode>() -> usize {
    let arity: usize = O::ARG_TYPES.iter().map(|t| t.words() as usize).sum();
    arity.min(MAX_ARGS)
}

/// Checks that `program`'s handler for `O::ID` takes the arguments `O`
/// encodes.
pub(crate) fn check_typed<O: Opcode>(program: &Program) -> Result<()> {
    let index = program
        .handler_index(O::ID)
        .ok_or(Error::UnknownOpcode { id: O::ID })?;
    let handler = &program.handlers()[index];
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

/// Why `task`'s arguments do not fit handler `index`.
#[cold]
fn argument_error(program: &Program, index: usize, task: &Task) -> Error {
    let handler = &program.handlers()[index];
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
