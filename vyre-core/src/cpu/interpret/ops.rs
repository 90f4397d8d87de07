//! Scalar semantics for the interpreter: the language's own
//! ([`vyre_lang::eval`]; intrinsics are `Intrinsic::eval`), with division
//! by zero as the task's fault.

use crate::cpu::TaskFault;
use crate::ir::{BinOp, Literal};
use vyre_lang::eval;

pub use vyre_lang::eval::{cast, unary, zero};

/// A literal as a `u32` (bits; what indices, priorities and codes read).
pub fn word(v: Literal) -> u32 {
    v.to_word()
}

/// A literal as a `bool` (conditions): non-zero bits are true.
pub fn truth(v: Literal) -> bool {
    v.to_word() != 0
}

/// `lhs op rhs` for every operator but the short-circuiting `&&` and `||`
/// (which the evaluator handles; here they are the plain logical
/// operators). Integer division and remainder by zero fault the task.
pub fn binary(op: BinOp, lhs: Literal, rhs: Literal) -> Result<Literal, TaskFault> {
    eval::binary(op, lhs, rhs).map_err(|eval::DivideByZero| TaskFault::divide_by_zero())
}
