//! The host side of a megakernel: typed buffers, publishing, tenants and
//! `run()`, written once over the [`Engine`] trait so that every backend
//! shares it.

mod accounting;
mod buffers;
mod inbox;
mod interop;
mod options;
mod progress;
mod publish;
mod requests;
mod run;
mod tickets;
mod worker;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

pub use crate::engine::HostRequest;
pub use crate::host::{Opcode, RangeOpcode, RawTask, Task};
pub use accounting::Accounting;
pub use buffers::{BufferHandle, Element};
pub(crate) use inbox::EntryHeader;
pub use options::RunLimits;
pub use progress::Progress;
pub(crate) use publish::{check_task, check_typed, opcode_arity, rest_words, typed_arity};
pub use requests::{Reply, RequestHandler, Served};
pub(crate) use run::Started;
pub(crate) use tickets::TicketEvents;
pub use worker::OnWorker;

use crate::engine::{BackendKind, Engine};
use crate::error::{Error, Result};
use crate::program::Program;
use crate::protocol::{self, ControlLayout};
use inbox::Inbox;
use vyre_lang::Layout;

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
    /// Rounds the last `run()` of a spawning program took to drain the
    /// device (0: none yet): the next run's first submission starts with
    /// as many (`run.rs`, `first_batch`).
    drained_in: u64,
    /// `ROUND` as of the last summary (the device's count of finalize
    /// passes that ran).
    round_seen: u32,
    /// Faulted slots the host emptied after the last submission, per
    /// partition: the device's last maintenance pass saw them as FAULT, so
    /// inbox entries that did not fit may fit now.
    recycled: [u64; crate::protocol::PRIORITIES],
    /// Submissions started and not yet waited for (at most two).
    in_flight: u32,
    /// The last submission waited for only placed in its rounds
    /// ([`Engine::next_starts_on_empty_ring`]): entries it left in the
    /// inboxes wait for the next one.
    placed_only: bool,
    /// Whether the program lets a submission on an empty ring start with
    /// the place pass ([`Program::places_and_runs`]).
    places_and_runs: bool,
    /// `FAULT_COUNT` as of the last fault record read: the records from
    /// here on (the log is a ring of one record per slot) are new.
    fault_read: u32,
    /// The ring's partitions, `(first slot, slots)`: the program's, or
    /// grown to fit the work (`ProgramConfig::grow_ring`).
    partitions: [(u32, u32); crate::protocol::PRIORITIES],
    /// The ticket table's host state (service mode).
    tickets: tickets::Tickets,
    /// The thread that runs the async calls, once one was made.
    worker: Option<Arc<worker::Worker>>,
    /// Set in the stand-in of a runtime away on its worker: every buffer
    /// call is `Error::Busy` (the engine refuses the rest).
    away: bool,
    /// Called after every submission of `run()`.
    progress: Option<progress::ProgressFn>,
    /// The handlers of device→host requests, by kind (shared with an
    /// engine that serves them inside its tasks).
    requests: requests::RequestHandlers,
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
        let mut rt = Runtime::fresh(program.into(), engine);
        rt.id = NEXT_RUNTIME_ID.fetch_add(1, Ordering::Relaxed);
        if !rt.program.request_kinds().is_empty() {
            let handlers = rt.request_handlers();
            rt.engine.serve_requests_with(Arc::new(handlers));
        }
        let ones = vec![1u32; rt.tenants.len()];
        rt.engine
            .write_control(rt.layout.tenant_enabled as u64, &ones)?;
        Ok(rt)
    }

    /// A runtime of `program` whose engine refuses every call: what stands
    /// in a runtime's place while an async call has it on its worker.
    fn detached(program: Arc<Program>, kind: BackendKind) -> Runtime {
        let mut rt = Runtime::fresh(program, Box::new(worker::Away { kind }));
        rt.away = true;
        rt
    }

    /// The host's state of a new runtime of `program` on `engine` (id 0,
    /// every tenant enabled, nothing published), before the engine is
    /// written to.
    fn fresh(program: Arc<Program>, engine: Box<dyn Engine>) -> Runtime {
        let layout = program.control_layout();
        let places_and_runs = program.places_and_runs();
        Runtime {
            id: 0,
            inbox: Inbox::new(&program, &layout),
            tenants: vec![true; program.config().tenants as usize],
            partitions: program.config().partitions(),
            program,
            engine,
            layout,
            limits: RunLimits::default(),
            books: Accounting::default(),
            published_since_run: 0,
            claimable: [0; crate::protocol::PRIORITIES],
            drained_in: 0,
            round_seen: 0,
            recycled: [0; crate::protocol::PRIORITIES],
            placed_only: false,
            in_flight: 0,
            places_and_runs,
            fault_read: 0,
            tickets: tickets::Tickets::default(),
            worker: None,
            away: false,
            progress: None,
            requests: requests::RequestHandlers::default(),
        }
    }

    /// The program.
    pub fn program(&self) -> &Program {
        &self.program
    }

    /// The program, shared.
    pub(crate) fn program_arc(&self) -> Arc<Program> {
        Arc::clone(&self.program)
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

    /// Gives the ring's five partitions the sizes `sizes` (CRITICAL
    /// first) between runs, without rebuilding the program: each at least
    /// one slot, together the ring's slots. Tasks waiting in the inboxes
    /// and host queues are not in slots yet and wait for the new
    /// partitions; tasks in slots (claimable after a run cut short, or
    /// parked for a disabled tenant) move to the start of their
    /// partition's new slots, in slot order.
    ///
    /// # Errors
    ///
    /// [`Error::PartitionSizes`] for sizes the ring cannot take,
    /// [`Error::PartitionTooSmall`] for a partition smaller than the tasks
    /// its slots hold (with how many); either changes nothing.
    pub fn set_partition_sizes(&mut self, sizes: [u32; protocol::PRIORITIES]) -> Result<()> {
        let slots: u64 = self.partitions.iter().map(|&(_, s)| u64::from(s)).sum();
        let sum: u64 = sizes.iter().map(|&s| u64::from(s)).sum();
        if sizes.contains(&0) || sum != slots {
            return Err(Error::PartitionSizes {
                sizes,
                slots: slots as u32,
            });
        }
        if sizes == self.partitions.map(|(_, size)| size) {
            return Ok(());
        }
        let partitions = protocol::partitions(sizes);
        // The tasks in slots (every slot not EMPTY between runs), partition
        // by partition; none to read when nothing is claimable or parked.
        let sw = protocol::SLOT_WORDS as usize;
        let mut held: [Vec<u32>; protocol::PRIORITIES] = Default::default();
        if self.claimable.iter().sum::<u64>() + self.books.parked != 0 {
            let ring = self.engine.read_ring(0, slots * sw as u64)?;
            for (p, &(start, size)) in self.partitions.iter().enumerate() {
                for words in
                    ring[start as usize * sw..(start + size) as usize * sw].chunks_exact(sw)
                {
                    if words[protocol::slot::STATUS as usize] != protocol::status::EMPTY {
                        held[p].extend_from_slice(words);
                    }
                }
                let tasks = (held[p].len() / sw) as u64;
                if tasks > u64::from(sizes[p]) {
                    return Err(Error::PartitionTooSmall {
                        priority: protocol::Priority::ALL[p],
                        tasks,
                        size: sizes[p],
                    });
                }
            }
        }
        self.engine.resize_ring(partitions)?;
        for (p, words) in held.iter().enumerate() {
            if !words.is_empty() {
                self.engine
                    .write_ring(u64::from(partitions[p].0) * sw as u64, words)?;
            }
        }
        self.partitions = partitions;
        Ok(())
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
        // An atomic buffer is read and written through its element type.
        let declared = if kind.atomic {
            Layout::Scalar(kind.elem)
        } else {
            kind.layout()
        };
        if !vyre_lang::same_layout(&declared, &T::LAYOUT) {
            return Err(Error::BufferType {
                name: name.to_string(),
                declared: kind,
                requested: T::LAYOUT.name(),
            });
        }
        Ok(BufferHandle::new(index, self.id))
    }

    /// Checks that `buffer` was made by this runtime.
    fn own<T: Element>(&self, buffer: BufferHandle<T>) -> Result<usize> {
        if self.away {
            return Err(Error::Busy {
                reason: "the runtime is on its worker thread (an async call is in flight)".into(),
            });
        }
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
        crate::trace::stage!(
            "upload",
            buffer = buffer.index,
            bytes = std::mem::size_of_val(data)
        );
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
        crate::trace::stage!(
            "readback",
            buffer = buffer.index,
            bytes = len * std::mem::size_of::<T>() as u64
        );
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

    #[inline]
    pub(crate) fn check_tenant(&self, tenant: u32) -> Result<()> {
        if (tenant as usize) < self.tenants.len() {
            Ok(())
        } else {
            Err(self.unknown_tenant(tenant))
        }
    }

    #[cold]
    fn unknown_tenant(&self, tenant: u32) -> Error {
        Error::UnknownTenant {
            tenant,
            tenants: self.tenants.len() as u32,
        }
    }
}
