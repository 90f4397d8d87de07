//! Typed errors. Every message says what was wrong and what to do.
//!
//! Each layer keeps its own error where it arises
//! ([`ValidationError`](crate::ir::ValidationError) and [`HandlerError`] in
//! `ir`, [`AssemblyError`] in `program`); [`Error`],
//! what the engines and the runtime return, wraps them. This module sits
//! above `program` and below the engines, so no layer below it names it.

use crate::ir::{BufferKind, HandlerError, ScalarType};
pub use crate::program::AssemblyError;

/// Any error of the vyre runtime.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// The program could not be assembled.
    #[error(transparent)]
    Assembly(#[from] AssemblyError),
    /// A task for an opcode the program does not contain.
    #[error("opcode id {id:#x} is not part of this megakernel")]
    UnknownOpcode {
        /// The id.
        id: u32,
    },
    /// A request kind the program does not declare.
    #[error("request kind {kind} is not declared by this program (it declares {declared:?}); declare it with `ProgramBuilder::request_kind`")]
    UnknownRequestKind {
        /// The kind asked for.
        kind: u32,
        /// The kinds the program declares.
        declared: Vec<u32>,
    },
    /// A tenant outside the tenant table.
    #[error("tenant {tenant} does not exist: the program has {tenants} tenants (0..{tenants}); raise `tenants` in the config")]
    UnknownTenant {
        /// The tenant.
        tenant: u32,
        /// The table's size.
        tenants: u32,
    },
    /// A task with the wrong number of arguments.
    #[error("opcode `{opcode}` takes {expected} arguments, {found} were given")]
    ArgumentCount {
        /// The handler.
        opcode: String,
        /// Its argument count.
        expected: usize,
        /// Arguments given.
        found: usize,
    },
    /// A task argument of the wrong type.
    #[error("argument {index} of opcode `{opcode}` must be {expected}, found {found}")]
    ArgumentType {
        /// The handler.
        opcode: String,
        /// Argument position.
        index: usize,
        /// The expected type.
        expected: ScalarType,
        /// The given type.
        found: ScalarType,
    },
    /// A buffer name the program does not declare.
    #[error("buffer `{name}` is not declared by this megakernel (declared: {declared:?})")]
    UnknownBuffer {
        /// The name.
        name: String,
        /// The declared buffers.
        declared: Vec<String>,
    },
    /// A buffer accessed with the wrong element type.
    #[error("buffer `{name}` holds {declared}, not {requested}")]
    BufferType {
        /// The name.
        name: String,
        /// Its declared kind.
        declared: BufferKind,
        /// The element type asked for.
        requested: &'static str,
    },
    /// A buffer handle made by another runtime.
    #[error("the handle to buffer #{index} belongs to another runtime; get handles from this one with `Runtime::buffer`")]
    ForeignBuffer {
        /// The handle's buffer index (in the other runtime's program).
        index: usize,
    },
    /// A buffer write or read outside the buffer.
    #[error("buffer `{name}` has {len} elements; the access at {offset}..{end} is outside it (resize it first)")]
    BufferRange {
        /// The name.
        name: String,
        /// Its length.
        len: u64,
        /// Start of the access.
        offset: u64,
        /// End of the access.
        end: u64,
    },
    /// A buffer larger than the backend allows.
    #[error(
        "buffer `{name}` would need {bytes} bytes, more than this backend allows ({max} bytes)"
    )]
    BufferTooLarge {
        /// The name.
        name: String,
        /// Bytes needed.
        bytes: u64,
        /// The backend's limit.
        max: u64,
    },
    /// The requested backend cannot be used here.
    #[error("backend `{backend}` is not available: {reason}")]
    BackendUnavailable {
        /// The backend.
        backend: String,
        /// Why.
        reason: String,
    },
    /// `VYRE_BACKEND` (or a `--backend` flag) holds an unknown name.
    #[error("unknown backend `{name}`: use `wgpu`, `reference` or `native`")]
    UnknownBackend {
        /// The name.
        name: String,
    },
    /// `set_partition_sizes` with sizes the ring cannot take.
    #[error(
        "partition sizes {sizes:?} must each be at least 1 and add up to the ring's {slots} slots"
    )]
    PartitionSizes {
        /// The sizes asked for, CRITICAL first.
        sizes: [u32; crate::protocol::PRIORITIES],
        /// The ring's slots.
        slots: u32,
    },
    /// `set_partition_sizes` would shrink a partition below the tasks its
    /// slots hold (claimable after a run cut short, or parked).
    #[error("the {priority:?} partition holds {tasks} tasks, more than the {size} slots asked for it; run them (or enable their tenants and run) first, or give it more")]
    PartitionTooSmall {
        /// The partition.
        priority: crate::protocol::Priority,
        /// Tasks in its slots.
        tasks: u64,
        /// The size asked for.
        size: u32,
    },
    /// A run option out of range.
    #[error("run option `{option}` is invalid: {reason}")]
    InvalidRunOption {
        /// The option.
        option: &'static str,
        /// Why.
        reason: String,
    },
    /// The GPU rejected something (shader, pipeline, buffer).
    #[error("the GPU rejected the {stage}: {message}")]
    Gpu {
        /// What was being created or run.
        stage: String,
        /// wgpu's message.
        message: String,
    },
    /// A handler's IR could not be built (its `try_handler()` failed: say,
    /// `#[device]` functions that call each other recursively).
    #[error("handler `{opcode}` could not be built: {source}")]
    Handler {
        /// The handler.
        opcode: String,
        /// Why.
        source: HandlerError,
    },
    /// A handler run by the native backend did what no GPU fault
    /// describes: it panicked (a failed `assert!`, an integer overflow in
    /// a debug build — the GPU wraps, so write `wrapping_*`), or printed a
    /// format its IR does not contain. The submission is aborted.
    #[error("native backend: handler `{opcode}` {problem}")]
    NativeHandler {
        /// The handler.
        opcode: String,
        /// What happened.
        problem: String,
    },
    /// The device was lost.
    #[error("the GPU device was lost ({reason}); create a new `Gpu` and runtime")]
    DeviceLost {
        /// wgpu's reason.
        reason: String,
    },
    /// The runtime is away on its worker thread: an async call
    /// (`run_async`, `read_async`) has it, and its future was not awaited
    /// to the end (leaked), or the worker could not start.
    #[error("the runtime is busy: {reason}")]
    Busy {
        /// What happened.
        reason: String,
    },
    /// A wgpu buffer cannot be exchanged with a declared buffer.
    #[error("buffer `{buffer}` cannot be shared with wgpu: {reason}")]
    Interop {
        /// The declared buffer.
        buffer: String,
        /// What does not fit, and what to do.
        reason: String,
    },
    /// A [`Service`](crate::Service) no longer accepts work.
    #[error("the service has stopped ({reason}); nothing was published")]
    ServiceStopped {
        /// Why: shut down by the user, or what stopped it.
        reason: String,
    },
    /// A [`Service`](crate::Service)'s backlog has no room for the tasks
    /// of a publish call now.
    #[error("the service's backlog at this priority holds {backlog} of its {capacity} tasks: no room for {tasks} more now; retry, wait for room (`PublishOptions::wait_for_room`, `publish_async`), or raise `ServiceOptions::backlog`")]
    Backlog {
        /// Tasks the call publishes.
        tasks: u64,
        /// Accepted tasks not yet ended at the call's priority.
        backlog: u64,
        /// The backlog's size (per priority).
        capacity: u64,
    },
    /// A publish call with more tasks than a ticket counts or the backlog
    /// holds at all.
    #[error(
        "one publish call of {tasks} tasks cannot be served: a call takes at most {max} (split it)"
    )]
    TooManyTasks {
        /// Tasks the call publishes.
        tasks: u64,
        /// The most one call may publish.
        max: u64,
    },
    /// A device set ([`GpuSet`](crate::GpuSet),
    /// [`MultiRuntime`](crate::MultiRuntime)) that cannot be made or used
    /// as asked.
    #[error("device set: {reason}")]
    DeviceSet {
        /// What was wrong, and what to do.
        reason: String,
    },
    /// A buffer's [`BufferMode`](crate::BufferMode) on a device set does
    /// not fit how the program uses the buffer.
    #[error("buffer `{buffer}` on a device set: {reason}")]
    BufferMode {
        /// The declared buffer.
        buffer: String,
        /// What does not fit, and what to do.
        reason: String,
    },
    /// Two devices of a set changed the same element of an
    /// [`Output`](crate::BufferMode::Output) buffer.
    #[error("output buffer `{buffer}`: element {element} was changed on device {first} and on device {second}; each element of an output buffer may be written by one device only (give each task its own elements, or declare the buffer `BufferMode::Summed` if it counts)")]
    OutputConflict {
        /// The declared buffer.
        buffer: String,
        /// The element's index.
        element: u64,
        /// The first device that changed it.
        first: usize,
        /// The second.
        second: usize,
    },
    /// A [`ServiceOptions`](crate::ServiceOptions) value out of range.
    #[error("service option `{option}` is invalid: {reason}")]
    InvalidServiceOption {
        /// The option.
        option: &'static str,
        /// Why.
        reason: String,
    },
}

/// `Result` with vyre's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The message a panic carried (`panic!` with a literal or a formatted
/// string), if any: what vyre reports when it catches one at a boundary
/// (a handler of host requests, wgpu's wait, a device's thread).
pub(crate) fn panic_message(panic: &(dyn std::any::Any + Send)) -> Option<String> {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
}
