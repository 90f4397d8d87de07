//! Statements of the handler IR.

use super::expr::{BufferId, Expr, FieldRef, LocalId};
use vyre_lang::Literal;

/// A sequence of statements with its own scope for locals.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Block(pub Vec<Stmt>);

impl Block {
    /// An empty block.
    pub fn new() -> Self {
        Block(Vec::new())
    }

    /// The statements.
    pub fn stmts(&self) -> &[Stmt] {
        &self.0
    }
}

/// One arm of a [`Stmt::Switch`]: the literal values that select it and its
/// body (`1 | 2 => { ... }`).
#[derive(Debug, Clone, PartialEq)]
pub struct SwitchCase {
    /// Selector values; same type as the selector (`u32` or `i32`).
    pub values: Vec<Literal>,
    /// The arm's body.
    pub body: Block,
}

/// A statement.
///
/// Fault semantics shared by every backend: when an operation inside a
/// statement faults, evaluation of that statement continues with `0` as the
/// faulting operation's value but performs no further side effect (no
/// store, atomic, spawn or printf), and the handler ends after the
/// statement with the slot marked FAULT. The first fault of a task is the
/// one reported.
#[derive(Debug, Clone, PartialEq)]
pub enum Stmt {
    /// `let [mut] local = value;`: declares `local` (its type and
    /// mutability are in the handler's local table).
    Let {
        /// The declared local.
        local: LocalId,
        /// Its initial value.
        value: Expr,
    },
    /// `local = value;` to a `mut` local.
    Assign {
        /// The assigned local.
        local: LocalId,
        /// The new value.
        value: Expr,
    },
    /// `buffer[index] = value;` on a read-write plain buffer. The index is
    /// evaluated before the value.
    Store {
        /// The buffer.
        buffer: BufferId,
        /// Element index (`u32`).
        index: Expr,
        /// Stored value.
        value: Expr,
    },
    /// `buffer[index].store(value);` on an atomic buffer.
    AtomicStore {
        /// The atomic buffer.
        buffer: BufferId,
        /// Element index (`u32`).
        index: Expr,
        /// Stored value.
        value: Expr,
    },
    /// `let (old, exchanged) = buffer[index].compare_exchange(current, new)`:
    /// a strong compare-exchange (it fails only when the element differs
    /// from `current`). Declares two locals: `old` (the element's previous
    /// value) and `exchanged` (`bool`).
    CompareExchange {
        /// The atomic buffer.
        buffer: BufferId,
        /// Element index (`u32`).
        index: Expr,
        /// Expected value.
        current: Expr,
        /// Replacement.
        new: Expr,
        /// Declared: the previous value (element type).
        old: LocalId,
        /// Declared: whether the exchange happened (`bool`).
        exchanged: LocalId,
    },
    /// An expression evaluated for its side effects (an atomic operation).
    Eval(Expr),
    /// `if cond { then_body } else { else_body }`.
    If {
        /// Condition (`bool`).
        cond: Expr,
        /// Taken when true.
        then_body: Block,
        /// Taken when false (may be empty).
        else_body: Block,
    },
    /// `match selector { values => body, ..., _ => default }` on an integer.
    Switch {
        /// The `u32` or `i32` selector.
        selector: Expr,
        /// Arms in source order; the first arm holding the value is taken.
        cases: Vec<SwitchCase>,
        /// The `_` arm (may be empty).
        default: Block,
    },
    /// `for var in start..end` (or `start..=end`) over `u32` or `i32`.
    For {
        /// The loop variable, declared by the loop (immutable).
        var: LocalId,
        /// First value.
        start: Expr,
        /// End bound (exclusive unless `inclusive`).
        end: Expr,
        /// `..=` rather than `..`.
        inclusive: bool,
        /// Loop body.
        body: Block,
    },
    /// `while cond { body }`.
    While {
        /// Condition (`bool`), evaluated before each iteration.
        cond: Expr,
        /// Loop body.
        body: Block,
    },
    /// `loop { body }`.
    Loop {
        /// Loop body.
        body: Block,
    },
    /// `break;` out of the innermost loop.
    Break,
    /// `continue;` with the innermost loop.
    Continue,
    /// `return;`: the task completes normally.
    Return,
    /// A nested block `{ ... }`.
    Block(Block),
    /// `ctx.spawn(priority, opcode::task(args...))`. `result`, when present,
    /// is declared as a `bool` local: true when the task was queued, false
    /// when the target partition was full (counted as a spawn overflow).
    Spawn {
        /// Priority as `u32`, 0 = CRITICAL ... 4 = IDLE; larger faults.
        priority: Expr,
        /// The target opcode's id.
        opcode: u32,
        /// Task arguments, typed as the target handler's arguments.
        args: Vec<Expr>,
        /// Declared: whether the spawn succeeded.
        result: Option<LocalId>,
    },
    /// A device→host request (`docs/protocol.md`, "Host requests"): asks
    /// the host to serve request kind `kind` with `args`; the host's reply
    /// goes to a new task of `opcode` at `priority`, after the arguments
    /// `given` now. `result`, when present, is declared as a `bool` local:
    /// true when the request was taken, false when no request slot was
    /// left (counted with the refused spawns).
    Request {
        /// Priority of the continuation as `u32`, 0 = CRITICAL ... 4 =
        /// IDLE; larger faults.
        priority: Expr,
        /// The request kind's id.
        kind: u32,
        /// The request's arguments, typed as the kind declares.
        args: Vec<Expr>,
        /// The continuation's opcode id.
        opcode: u32,
        /// The continuation's leading arguments; the reply's values
        /// follow them.
        given: Vec<Expr>,
        /// Declared: whether the request was taken.
        result: Option<LocalId>,
    },
    /// `ctx.fault(code)`: ends the task; the slot is reported with a user
    /// fault carrying `code` (`u32`).
    Fault {
        /// The user's fault code.
        code: Expr,
    },
    /// `ctx.shutdown()`: asks the scheduler to stop after this round.
    Shutdown,
    /// `vyre::printf!(format, args...)`: `{}` placeholders, one per argument.
    Printf {
        /// The format string.
        format: String,
        /// The arguments (at most [`PRINTF_MAX_ARGS`](crate::protocol::PRINTF_MAX_ARGS)).
        args: Vec<Expr>,
    },
    /// `let a = [v; N];` / `let a = [x, y, z];`: declares the array local
    /// `array` (its [`LocalDecl::array`](crate::ir::LocalDecl::array) is
    /// the length) with its elements.
    LetArray {
        /// The array local.
        array: LocalId,
        /// Its elements.
        init: ArrayInit,
    },
    /// `buf[index].field = value;` (or `.field[i]`) on a read-write struct
    /// buffer: index, element index, value, then the checked store.
    StoreField {
        /// The struct buffer.
        buffer: BufferId,
        /// The element's index (`u32`).
        index: Expr,
        /// Which scalar of the element.
        field: FieldRef,
        /// The new value.
        value: Expr,
    },
    /// `array[index] = value;` on a mutable local array: index, then value;
    /// out of bounds faults the task.
    StoreIndex {
        /// The array local.
        array: LocalId,
        /// The element's index (`u32`).
        index: Expr,
        /// The new value.
        value: Expr,
    },
}

/// The elements of a new local array.
#[derive(Debug, Clone, PartialEq)]
pub enum ArrayInit {
    /// `[value; N]`: every element, `value` evaluated once.
    Repeat(Expr),
    /// `[a, b, c]`: one expression per element, in order.
    List(Vec<Expr>),
}
