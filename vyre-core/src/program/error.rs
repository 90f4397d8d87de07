//! Why a program could not be assembled.

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
    /// Two request kinds with one id.
    #[error("request kinds `{first}` and `{second}` both use id {id}; give each kind its own id")]
    DuplicateRequestKind {
        /// The id.
        id: u32,
        /// The first kind with it.
        first: String,
        /// The second.
        second: String,
    },
    /// A request kind whose arguments or reply take more words than a
    /// request slot or a task holds.
    #[error("request kind `{kind}` has {words} {what} words (u64 and i64 take two), but at most {max} fit")]
    RequestKindTooWide {
        /// The kind.
        kind: String,
        /// "argument" or "reply".
        what: &'static str,
        /// Its words.
        words: usize,
        /// The most that fit.
        max: usize,
    },
    /// A request of a kind the program does not declare.
    #[error("opcode `{opcode}` makes a request of kind {kind}, which this megakernel does not declare; add it to the program's request kinds")]
    RequestUnknownKind {
        /// The requesting handler.
        opcode: String,
        /// The kind id.
        kind: u32,
    },
    /// A request whose continuation is not an opcode of the program.
    #[error("opcode `{opcode}` makes a request whose continuation is opcode id {target:#x}, which is not part of this megakernel; add its handler to `opcodes`")]
    RequestUnknownOpcode {
        /// The requesting handler.
        opcode: String,
        /// The continuation's id.
        target: u32,
    },
    /// A request whose arguments, or whose continuation's arguments
    /// followed by the reply, do not match what is declared.
    #[error("opcode `{opcode}` makes a request of kind `{kind}` with {what} {found:?}, but {expected:?} are declared")]
    RequestArguments {
        /// The requesting handler.
        opcode: String,
        /// The request kind.
        kind: String,
        /// Which list: the request's arguments, or the continuation's
        /// given arguments followed by the reply.
        what: String,
        /// The declared types.
        expected: Vec<ScalarType>,
        /// The types found.
        found: Vec<ScalarType>,
    },
}
