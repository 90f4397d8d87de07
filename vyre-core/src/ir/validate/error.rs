//! Validation errors: which handler, and what is wrong with it in words
//! that say how to fix it.

use crate::protocol::{MAX_ARGS, PRINTF_MAX_ARGS};
use vyre_lang::ScalarType;

/// A handler that failed validation: which handler and what is wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("handler `{handler}`: {kind}")]
pub struct ValidationError {
    /// The handler's name.
    pub handler: String,
    /// What is wrong.
    pub kind: ValidationErrorKind,
}

/// What is wrong with a handler.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ValidationErrorKind {
    /// A local was used before its declaration, or outside its scope.
    #[error("local #{local} (`{name}`) is used where it is not declared; declare it with `let` in an enclosing block first")]
    UndeclaredLocal {
        /// Local index.
        local: u32,
        /// Its name, or `?` when the index is outside the local table.
        name: String,
    },
    /// A local was declared twice.
    #[error("local `{name}` (#{local}) is declared twice; each `let` needs a fresh local")]
    LocalRedeclared {
        /// Local index.
        local: u32,
        /// Its name.
        name: String,
    },
    /// A buffer index outside the handler's buffer table.
    #[error("buffer #{buffer} is not a parameter of this handler")]
    UnknownBuffer {
        /// Buffer index.
        buffer: u32,
    },
    /// An expression has the wrong type.
    #[error("type mismatch in {context}: expected {expected}, found {found}")]
    TypeMismatch {
        /// Where (`condition of if`, `right operand of +`, ...).
        context: String,
        /// What was expected.
        expected: String,
        /// What was found.
        found: ScalarType,
    },
    /// An operator applied to a type it does not exist for.
    #[error("operator `{op}` is not defined for {ty}")]
    InvalidOperator {
        /// The operator's Rust spelling.
        op: String,
        /// The operand type.
        ty: ScalarType,
    },
    /// An invalid `as` cast.
    #[error("cannot cast {from} to {to}; Rust's `as` allows bool to integers and between u32, i32 and f32")]
    InvalidCast {
        /// Source type.
        from: ScalarType,
        /// Target type.
        to: ScalarType,
    },
    /// A scalar method on a type that does not have it, or with the wrong
    /// number of operands.
    #[error("`{method}` is not available on {ty} with {operands} operand(s)")]
    InvalidIntrinsic {
        /// Method name.
        method: String,
        /// Receiver type.
        ty: ScalarType,
        /// Operand count, the receiver included.
        operands: usize,
    },
    /// A store through a read-only buffer.
    #[error(
        "buffer `{buffer}` is read-only (`&Buffer<T>`); take `&mut Buffer<T>` to store into it"
    )]
    WriteToReadOnly {
        /// Buffer name.
        buffer: String,
    },
    /// An atomic operation on a plain buffer.
    #[error("`{op}` is an atomic operation but buffer `{buffer}` is not atomic; declare it as `&Buffer<Atomic<T>>`")]
    AtomicOnPlainBuffer {
        /// Buffer name.
        buffer: String,
        /// The operation.
        op: String,
    },
    /// A plain load or store on an atomic buffer.
    #[error("buffer `{buffer}` is atomic: use `.load()` and `.store(v)` (or another atomic method) on its elements, not a plain {what}")]
    PlainAccessToAtomicBuffer {
        /// Buffer name.
        buffer: String,
        /// `load` or `store`.
        what: String,
    },
    /// An assignment to an immutable local.
    #[error("cannot assign twice to immutable local `{name}`; declare it with `let mut`")]
    AssignToImmutable {
        /// Local name.
        name: String,
    },
    /// `break` outside a loop.
    #[error("`break` outside of a loop")]
    BreakOutsideLoop,
    /// `continue` outside a loop.
    #[error("`continue` outside of a loop")]
    ContinueOutsideLoop,
    /// More task argument words than a slot holds.
    #[error("the task arguments take {count} words (u64 and i64 take two), but a slot holds at most {MAX_ARGS}; pass the rest through a buffer")]
    TooManyArgs {
        /// Argument words.
        count: usize,
    },
    /// A buffer element type the GPU cannot hold.
    #[error("buffer `{buffer}` has element type {elem}{atomic}; buffers hold u32, i32, f32, u64 or i64, atomic buffers u32 or i32 (for a 64-bit counter, use two Atomic<u32> words or a compare-exchange loop)")]
    InvalidBufferElement {
        /// Buffer name.
        buffer: String,
        /// Element type.
        elem: ScalarType,
        /// `" (atomic)"` or empty.
        atomic: &'static str,
    },
    /// A name used twice among the handler's parameters.
    #[error("parameter name `{name}` is used twice")]
    DuplicateParameter {
        /// The name.
        name: String,
    },
    /// A name that is not a valid identifier.
    #[error("`{name}` is not a valid identifier (ASCII letters, digits and `_`, not starting with a digit)")]
    InvalidName {
        /// The name.
        name: String,
    },
    /// `printf!` placeholders and arguments disagree.
    #[error("format string {format:?} has {placeholders} `{{}}` placeholder(s) but {args} argument(s) were given")]
    PrintfArity {
        /// The format string.
        format: String,
        /// Placeholders found.
        placeholders: usize,
        /// Arguments given.
        args: usize,
    },
    /// Too many `printf!` arguments.
    #[error("printf! takes at most {PRINTF_MAX_ARGS} arguments, {args} were given")]
    PrintfTooManyArgs {
        /// Arguments given.
        args: usize,
    },
    /// A switch arm value repeated, or of the wrong type.
    #[error("match arm value {value} appears twice")]
    DuplicateCase {
        /// The value.
        value: String,
    },
    /// An opcode id in the reserved range.
    #[error("opcode id {id:#x} is reserved for the system (0xFFFF_0000..=0xFFFF_FFFF); choose another id")]
    ReservedId {
        /// The id.
        id: u32,
    },
    /// A task argument declared after body locals (builder misuse).
    #[error(
        "task argument `{name}` is declared after the body's locals; declare every argument first"
    )]
    ArgumentAfterBody {
        /// The argument's name.
        name: String,
    },
    /// More task arguments than the handler has locals (arguments are the
    /// first locals).
    #[error("{arg_count} task arguments are declared but the handler has only {locals} locals; every argument needs its local (arguments are the first locals)")]
    ArgumentsWithoutLocals {
        /// The handler's `arg_count`.
        arg_count: usize,
        /// Its number of locals.
        locals: usize,
    },
    /// A spawn with more arguments than a slot holds.
    #[error(
        "spawn of opcode {opcode:#x} passes {count} argument words (u64 and i64 take two), but a slot holds at most {MAX_ARGS}"
    )]
    SpawnTooManyArgs {
        /// Target opcode id.
        opcode: u32,
        /// Argument words.
        count: usize,
    },
    /// A request whose arguments, or whose continuation's given
    /// arguments, take more words than a request slot holds.
    #[error(
        "a request of kind {kind} passes {count} argument words (u64 and i64 take two), but a request slot holds at most {MAX_ARGS} for the request and {MAX_ARGS} for its continuation"
    )]
    RequestTooManyArgs {
        /// The request kind.
        kind: u32,
        /// Argument words.
        count: usize,
    },
    /// A field access that does not name a scalar of the struct buffer.
    #[error("buffer `{buffer}`, word {word}: {reason}")]
    BadField {
        /// The buffer's name.
        buffer: String,
        /// The word offset asked for.
        word: u32,
        /// What is wrong.
        reason: String,
    },
    /// An array local used as a value (only its elements are values).
    #[error("array `{name}` is used as a value; read and write its elements (`{name}[i]`)")]
    ArrayAsValue {
        /// The array's name.
        name: String,
    },
    /// Indexing, or an array statement, on a scalar local.
    #[error("`{name}` is not an array")]
    NotAnArray {
        /// The local's name.
        name: String,
    },
    /// An array length of 0 or above the limit.
    #[error("array `{name}` has {len} elements; a local array has 1 ..= {max}")]
    ArrayLength {
        /// The array's name.
        name: String,
        /// Its declared length.
        len: u32,
        /// The limit ([`MAX_ARRAY_LEN`](vyre_lang::limits::MAX_ARRAY_LEN)).
        max: u32,
    },
    /// An array literal with another number of elements than the array.
    #[error("array `{name}` has {expected} elements, but its literal lists {found}")]
    ArrayInitLength {
        /// The array's name.
        name: String,
        /// The declared length.
        expected: u32,
        /// Elements listed.
        found: usize,
    },
    /// A 64-bit value given to `printf!`.
    #[error("printf! prints 32-bit values and bool; this argument is {ty}: print `(x >> 32) as u32` and `x as u32`")]
    PrintfWideArgument {
        /// The argument's type.
        ty: ScalarType,
    },
    /// A `match` or `for` over a 64-bit integer.
    #[error("{what} over {ty} is not supported; use u32 or i32 (cast), or if/else and while")]
    WideControl {
        /// `match` or `for`.
        what: &'static str,
        /// The type.
        ty: ScalarType,
    },
}
