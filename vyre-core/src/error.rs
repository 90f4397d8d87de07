//! Typed errors. Every message says what was wrong and what to do.

use crate::ir::{BufferKind, ScalarType, ValidationError};
use crate::protocol::PRIORITIES;

/// A program that could not be assembled.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AssemblyError {
    /// A handler failed validation.
    #[error(transparent)]
    Validation(#[from] ValidationError),
    /// A size or limit out of range.
    #[error("`{field}` is {value}, but it must be in {allowed}")]
    InvalidConfig {
        /// The field.
        field: &'static str,
        /// Its value.
        value: u32,
        /// The allowed range.
        allowed: String,
    },
    /// Partition sizes that do not split the ring.
    #[error("partition sizes {sizes:?} must each be at least 1 and add up to the {slots} slots")]
    PartitionSizes {
        /// The sizes given.
        sizes: [u32; PRIORITIES],
        /// The ring's slots.
        slots: u32,
    },
    /// A program with no handlers.
    #[error("a megakernel needs at least one opcode handler")]
    NoOpcodes,
    /// A handler id in the reserved range.
    #[error("opcode `{opcode}` uses id {id:#x}, which is reserved for the system (0xFFFF_0000..=0xFFFF_FFFF); choose another id")]
    ReservedId {
        /// The handler.
        opcode: String,
        /// Its id.
        id: u32,
    },
    /// Two handlers with one id.
    #[error("opcodes `{first}` and `{second}` both use id {id:#x}; give one of them another `id`")]
    DuplicateId {
        /// The id.
        id: u32,
        /// The first handler.
        first: String,
        /// The second handler.
        second: String,
    },
    /// A handler listed twice.
    #[error("opcode `{opcode}` is listed twice")]
    DuplicateOpcode {
        /// The handler.
        opcode: String,
    },
    /// A buffer name that is not an identifier.
    #[error("buffer name `{name}` is not an identifier")]
    InvalidBufferName {
        /// The name.
        name: String,
    },
    /// A buffer declared twice.
    #[error("buffer `{name}` is declared twice")]
    DuplicateBuffer {
        /// The name.
        name: String,
    },
    /// A buffer element type the GPU cannot hold.
    #[error("buffer `{name}` is declared as {kind}; buffers hold u32, i32 or f32, atomic buffers Atomic<u32> or Atomic<i32>")]
    InvalidBufferKind {
        /// The name.
        name: String,
        /// The declared kind.
        kind: BufferKind,
    },
    /// A handler buffer parameter with no declared buffer of that name.
    #[error("opcode `{opcode}` uses buffer `{buffer}`, which the megakernel does not declare (declared: {declared:?}); add it to `buffers`")]
    UnknownBuffer {
        /// The handler.
        opcode: String,
        /// The parameter's name.
        buffer: String,
        /// The declared buffers.
        declared: Vec<String>,
    },
    /// A handler buffer parameter whose type or access the declared buffer
    /// does not allow.
    #[error("opcode `{opcode}` takes buffer `{buffer}` as `{requested}`, but the megakernel declares it as {declared}")]
    IncompatibleBuffer {
        /// The handler.
        opcode: String,
        /// The buffer.
        buffer: String,
        /// The declared kind.
        declared: BufferKind,
        /// The handler's parameter type.
        requested: String,
    },
    /// A spawn of an opcode the program does not contain.
    #[error("opcode `{opcode}` spawns opcode id {target:#x}, which is not part of this megakernel; add its handler to `opcodes`")]
    SpawnUnknownOpcode {
        /// The spawning handler.
        opcode: String,
        /// The target id.
        target: u32,
    },
    /// A spawn whose arguments do not match the target's.
    #[error("opcode `{opcode}` spawns `{target}` with arguments {found:?}, but `{target}` takes {expected:?}")]
    SpawnArguments {
        /// The spawning handler.
        opcode: String,
        /// The target handler.
        target: String,
        /// The target's argument types.
        expected: Vec<ScalarType>,
        /// The types passed.
        found: Vec<ScalarType>,
    },
}

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
        requested: ScalarType,
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
        source: crate::host::HandlerError,
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
}

/// `Result` with vyre's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
