//! The typed IR of opcode handlers: scalar types, expressions, statements,
//! a builder and a validator.
//!
//! A handler body is a [`Block`] of [`Stmt`]s over [`Expr`]s. Locals
//! (task arguments first) are numbered by [`LocalId`] and described in the
//! handler's local table; buffers are numbered by [`BufferId`] and described
//! in its buffer table; the three tables and the body make an
//! [`OpcodeHandler`]. The validator checks a handler and returns its
//! [`HandlerInfo`]: the type of every local and expression.

mod builder;
mod expr;
mod handler;
mod handler_error;
mod info;
mod stmt;
pub mod validate;
mod visit;

pub use builder::ctx;
pub use builder::{ArrayVar, BlockBuilder, BufferRef, HandlerBuilder, Var};
pub use expr::{BufferId, Expr, FieldRef, FieldRow, LocalId};
pub use handler::{BufferParam, LocalDecl, OpcodeHandler};
pub use handler_error::HandlerError;
pub use info::{ExprId, HandlerInfo, Siblings, StmtId};
pub use stmt::{ArrayInit, Block, Stmt, SwitchCase};
pub use validate::{validate_handler, ValidationError, ValidationErrorKind};
pub use visit::visit_stmts;
pub use vyre_lang::limits::MAX_ARRAY_LEN;
pub use vyre_lang::{
    Access, AtomicOp, BinOp, BufferKind, CtxValue, FieldLayout, Intrinsic, Layout, Literal,
    ScalarType, StructLayout, UnOp,
};
