//! What validation learned about a handler: the type of every local and of
//! every expression, so that the lowering, the interpreter and program
//! assembly read types instead of inferring them again.
//!
//! # Numbering
//!
//! The IR is a tree of boxes with no ids of its own, so [`HandlerInfo`]
//! numbers it the way the validator walks it, in *pre-order*:
//!
//! * **Statements** ([`StmtId`]) in the order of [`visit_stmts`]: a
//!   statement, then the statements of its nested blocks in field order
//!   (`then_body` before `else_body`; switch arms in order, then the
//!   default; a loop's body; a nested block). The body's first statement
//!   is [`HandlerInfo::body`].
//! * **Expressions** ([`ExprId`]) statement by statement in that order: a
//!   statement's own expressions in field order (`Store`: index, value;
//!   `CompareExchange`: index, current, new; `For`: start, end; `Spawn`:
//!   priority, then the arguments; `Request`: priority, the request's
//!   arguments, the continuation's given arguments; ...), each as its subtree in pre-order
//!   (an expression, then its operands in field order: `Binary` lhs, rhs;
//!   `Select` cond, if true, if false; `Intrinsic` its arguments; `Atomic`
//!   index, value). Every expression of a statement comes before those of
//!   the statements nested in it.
//!
//! Each entry also records where its subtree ends, so that a consumer
//! walking the tree in any order finds an id from its parent's:
//! the first nested statement of `s` is `s + 1`, the statement after `s`
//! (its sibling) is [`HandlerInfo::next`]; the first operand of `e` is
//! [`HandlerInfo::operand`], the operand after it
//! [`HandlerInfo::next_expr`]. A block's statements are consecutive
//! siblings, so the block after one is found by skipping it
//! ([`HandlerInfo::after_block`]).
//!
//! [`visit_stmts`]: super::visit_stmts

use super::expr::LocalId;
use super::stmt::Block;
use vyre_lang::ScalarType;

/// A statement of one handler body, numbered in pre-order (see the module
/// documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StmtId(pub u32);

/// An expression of one handler body, numbered in pre-order (see the
/// module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExprId(pub u32);

/// One statement: where its own expressions start and where its subtree
/// (the statement and everything nested in it) ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct StmtEntry {
    pub(super) first_expr: u32,
    pub(super) end: u32,
}

/// One expression: its type and where its subtree ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct ExprEntry {
    pub(super) ty: ScalarType,
    pub(super) end: u32,
}

/// The types of a validated handler's locals and expressions, as
/// [`validate_handler`](super::validate_handler) computed them: the
/// handler's counterpart of naga's `ModuleInfo`. A [`Program`] keeps one
/// per handler ([`Program::handler_info`]).
///
/// Ids come from walking the same handler's body (see the module
/// documentation); an id from elsewhere reads as `u32`, never panics.
///
/// ```
/// use vyre_core::ir::{validate_handler, Access, HandlerBuilder, ScalarType};
///
/// let mut h = HandlerBuilder::new(1, "half");
/// let out = h.buffer("out", ScalarType::F32, Access::ReadWrite);
/// let x = h.arg("x", ScalarType::U32);
/// h.body(|b| b.store(out, 0u32, x.cast(ScalarType::F32)));
/// let info = validate_handler(&h.finish()?)?;
/// let store = info.body();
/// let index = info.stmt_expr(store);
/// let value = info.next_expr(index);
/// assert_eq!(info.ty(index), ScalarType::U32);
/// assert_eq!(info.ty(value), ScalarType::F32);
/// assert_eq!(info.ty(info.operand(value)), ScalarType::U32);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// [`Program`]: crate::program::Program
/// [`Program::handler_info`]: crate::program::Program::handler_info
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HandlerInfo {
    pub(super) locals: Vec<ScalarType>,
    pub(super) stmts: Vec<StmtEntry>,
    pub(super) exprs: Vec<ExprEntry>,
    pub(super) reads_lane: bool,
}

impl HandlerInfo {
    /// Whether the body reads `ctx.lane()`: its tasks must then run on a
    /// work lane (one task at a time per lane), never in the place pass
    /// (`docs/protocol.md`, "Place and run").
    pub fn reads_lane(&self) -> bool {
        self.reads_lane
    }

    /// The type of local `id` (task arguments first).
    pub fn local(&self, id: LocalId) -> ScalarType {
        self.locals
            .get(id.0 as usize)
            .copied()
            .unwrap_or(ScalarType::U32)
    }

    /// The type of expression `id`.
    pub fn ty(&self, id: ExprId) -> ScalarType {
        self.exprs
            .get(id.0 as usize)
            .map_or(ScalarType::U32, |e| e.ty)
    }

    /// The body's first statement.
    pub fn body(&self) -> StmtId {
        StmtId(0)
    }

    /// The first statement of `s`'s first nested block (`then_body`, the
    /// first arm, a loop's body, a nested block).
    pub fn nested(&self, s: StmtId) -> StmtId {
        StmtId(s.0.saturating_add(1))
    }

    /// The statement after `s` and everything nested in it: `s`'s next
    /// sibling in its block, or, after a block's last statement, the first
    /// statement of whatever the walk visits next.
    pub fn next(&self, s: StmtId) -> StmtId {
        self.stmts
            .get(s.0 as usize)
            .map_or(StmtId(s.0.saturating_add(1)), |e| StmtId(e.end))
    }

    /// The statement after `block`, whose first statement is `first`: where
    /// the next block of the same statement starts (`else_body` after
    /// `then_body`, the next arm).
    pub fn after_block(&self, first: StmtId, block: &Block) -> StmtId {
        block.stmts().iter().fold(first, |s, _| self.next(s))
    }

    /// The first of statement `s`'s own expressions (its operands in field
    /// order follow as siblings: [`next_expr`](Self::next_expr)).
    pub fn stmt_expr(&self, s: StmtId) -> ExprId {
        ExprId(self.stmts.get(s.0 as usize).map_or(0, |e| e.first_expr))
    }

    /// The first operand of expression `e`.
    pub fn operand(&self, e: ExprId) -> ExprId {
        ExprId(e.0.saturating_add(1))
    }

    /// The expression after `e` and its operands: `e`'s next sibling.
    pub fn next_expr(&self, e: ExprId) -> ExprId {
        self.exprs
            .get(e.0 as usize)
            .map_or(ExprId(e.0.saturating_add(1)), |x| ExprId(x.end))
    }

    /// `first` and the siblings after it, in order: the ids of a list of
    /// operands (zip it with the expressions).
    pub fn siblings(&self, first: ExprId) -> Siblings<'_> {
        Siblings {
            info: self,
            next: first,
        }
    }

    /// Number of statements in the body, nested ones included.
    pub fn stmt_count(&self) -> usize {
        self.stmts.len()
    }

    /// Number of expressions in the body, nested ones included.
    pub fn expr_count(&self) -> usize {
        self.exprs.len()
    }
}

/// Consecutive sibling expressions ([`HandlerInfo::siblings`]); endless,
/// so zip it with the operands it numbers.
#[derive(Debug, Clone)]
pub struct Siblings<'a> {
    info: &'a HandlerInfo,
    next: ExprId,
}

impl Iterator for Siblings<'_> {
    type Item = ExprId;

    fn next(&mut self) -> Option<ExprId> {
        let id = self.next;
        self.next = self.info.next_expr(id);
        Some(id)
    }
}
