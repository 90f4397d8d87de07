//! The host semantics of the handler language's operators, on typed
//! values ([`Literal`]): exactly what Rust computes where Rust defines a
//! result, and what `docs/language.md` fixes where Rust would panic:
//! integer `+ - *` wrap; `/` and `%` by zero are [`DivideByZero`] (the
//! task faults; `i32::MIN / -1` is `i32::MIN`, `i32::MIN % -1` is 0, and
//! the same for `i64`); shift amounts are taken modulo the type's width
//! (32 or 64); casts follow `as` (float to int saturates, NaN becomes 0).
//! Intrinsics are [`Intrinsic::eval`].
//!
//! The reference interpreter evaluates with these functions; the WGSL
//! lowering and the native backend are tested against them.
//!
//! Operands of mismatched types cannot come from a validated program; if
//! they did, the result is a zero of the left operand's type, never a
//! panic.
//!
//! [`Intrinsic::eval`]: crate::Intrinsic::eval

use crate::op::{BinOp, UnOp};
use crate::scalar::{Literal, ScalarType};

/// Integer division or remainder by zero: the task faults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DivideByZero;

/// The zero of `ty` (what a faulting operation yields).
pub fn zero(ty: ScalarType) -> Literal {
    Literal::from_word(ty, 0)
}

/// `op operand`.
pub fn unary(op: UnOp, v: Literal) -> Literal {
    use Literal::*;
    match (op, v) {
        (UnOp::Neg, I32(x)) => I32(x.wrapping_neg()),
        (UnOp::Neg, I64(x)) => I64(x.wrapping_neg()),
        (UnOp::Not, U64(x)) => U64(!x),
        (UnOp::Not, I64(x)) => I64(!x),
        (UnOp::Neg, F32(x)) => F32(-x),
        (UnOp::Not, Bool(x)) => Bool(!x),
        (UnOp::Not, U32(x)) => U32(!x),
        (UnOp::Not, I32(x)) => I32(!x),
        (_, v) => zero(v.ty()),
    }
}

/// The arithmetic and bitwise operators on one integer type, the same for
/// all four: wrapping, with division and remainder by zero an error (and
/// `MIN / -1` wrapping, as the GPU does).
macro_rules! integer {
    ($op:expr, $a:expr, $b:expr) => {{
        let (a, b) = ($a, $b);
        match $op {
            BinOp::Add => a.wrapping_add(b),
            BinOp::Sub => a.wrapping_sub(b),
            BinOp::Mul => a.wrapping_mul(b),
            BinOp::Div | BinOp::Rem if b == 0 => return Err(DivideByZero),
            BinOp::Div => a.wrapping_div(b),
            BinOp::Rem => a.wrapping_rem(b),
            BinOp::BitAnd => a & b,
            BinOp::BitOr => a | b,
            BinOp::BitXor => a ^ b,
            _ => 0,
        }
    }};
}

/// `lhs op rhs` for every operator but the short-circuiting `&&` and `||`
/// (which the evaluator handles; here they are the plain logical
/// operators). Integer division and remainder by zero return
/// [`DivideByZero`].
pub fn binary(op: BinOp, lhs: Literal, rhs: Literal) -> Result<Literal, DivideByZero> {
    use Literal::*;
    if matches!(op, BinOp::Shl | BinOp::Shr) {
        return Ok(shift(op, lhs, rhs.to_word()));
    }
    if op.is_comparison() {
        return Ok(Bool(compare(op, lhs, rhs)));
    }
    let r = match (lhs, rhs) {
        (U32(a), U32(b)) => U32(integer!(op, a, b)),
        (I32(a), I32(b)) => I32(integer!(op, a, b)),
        (U64(a), U64(b)) => U64(integer!(op, a, b)),
        (I64(a), I64(b)) => I64(integer!(op, a, b)),
        (F32(a), F32(b)) => F32(match op {
            BinOp::Add => a + b,
            BinOp::Sub => a - b,
            BinOp::Mul => a * b,
            BinOp::Div => a / b,
            BinOp::Rem => a % b,
            _ => 0.0,
        }),
        (Bool(a), Bool(b)) => Bool(match op {
            BinOp::BitAnd | BinOp::And => a & b,
            BinOp::BitOr | BinOp::Or => a | b,
            BinOp::BitXor => a ^ b,
            _ => false,
        }),
        (l, _) => zero(l.ty()),
    };
    Ok(r)
}

/// `lhs << amount` / `lhs >> amount` with the amount taken modulo the
/// width (Rust's `wrapping_shl`/`wrapping_shr`); `>>` is arithmetic on
/// the signed types.
fn shift(op: BinOp, lhs: Literal, amount: u32) -> Literal {
    use Literal::*;
    let left = op == BinOp::Shl;
    match lhs {
        U32(a) if left => U32(a.wrapping_shl(amount)),
        U32(a) => U32(a.wrapping_shr(amount)),
        I32(a) if left => I32(a.wrapping_shl(amount)),
        I32(a) => I32(a.wrapping_shr(amount)),
        U64(a) if left => U64(a.wrapping_shl(amount)),
        U64(a) => U64(a.wrapping_shr(amount)),
        I64(a) if left => I64(a.wrapping_shl(amount)),
        I64(a) => I64(a.wrapping_shr(amount)),
        l => zero(l.ty()),
    }
}

fn compare(op: BinOp, lhs: Literal, rhs: Literal) -> bool {
    use std::cmp::Ordering;
    use Literal::*;
    // `partial_cmp` is `None` only for NaN: every comparison but `!=` is
    // then false, as in Rust.
    let ord: Option<Ordering> = match (lhs, rhs) {
        (U32(a), U32(b)) => Some(a.cmp(&b)),
        (I32(a), I32(b)) => Some(a.cmp(&b)),
        (U64(a), U64(b)) => Some(a.cmp(&b)),
        (I64(a), I64(b)) => Some(a.cmp(&b)),
        (F32(a), F32(b)) => a.partial_cmp(&b),
        (Bool(a), Bool(b)) => Some(a.cmp(&b)),
        _ => None,
    };
    match op {
        BinOp::Eq => ord == Some(Ordering::Equal),
        BinOp::Ne => ord != Some(Ordering::Equal),
        BinOp::Lt => ord == Some(Ordering::Less),
        BinOp::Le => matches!(ord, Some(Ordering::Less | Ordering::Equal)),
        BinOp::Gt => ord == Some(Ordering::Greater),
        BinOp::Ge => matches!(ord, Some(Ordering::Greater | Ordering::Equal)),
        _ => false,
    }
}

/// `v as to`, with Rust's `as` rules.
pub fn cast(to: ScalarType, v: Literal) -> Literal {
    use Literal::*;
    match (v, to) {
        (v, ScalarType::Bool) => match v {
            Bool(b) => Bool(b),
            // Not a valid cast (the validator rejects it): non-zero is true.
            v => Bool(v.to_bits64() != 0),
        },
        (F32(x), ScalarType::F32) => F32(x),
        (F32(x), ScalarType::U32) => U32(x as u32),
        (F32(x), ScalarType::I32) => I32(x as i32),
        (F32(x), ScalarType::U64) => U64(x as u64),
        (F32(x), ScalarType::I64) => I64(x as i64),
        // From an integer or `bool`: through its value as an i128, which
        // holds every one of them exactly, then Rust's `as` to the target
        // (truncating to the width, rounding to nearest for `f32`).
        (v, to) => {
            let n: i128 = match v {
                Bool(b) => i128::from(b),
                U32(x) => i128::from(x),
                I32(x) => i128::from(x),
                U64(x) => i128::from(x),
                I64(x) => i128::from(x),
                F32(_) => 0,
            };
            match to {
                ScalarType::U32 => U32(n as u32),
                ScalarType::I32 => I32(n as i32),
                ScalarType::U64 => U64(n as u64),
                ScalarType::I64 => I64(n as i64),
                ScalarType::F32 => F32(match v {
                    U64(x) => x as f32,
                    I64(x) => x as f32,
                    U32(x) => x as f32,
                    I32(x) => x as f32,
                    _ => n as f32,
                }),
                ScalarType::Bool => Bool(n != 0),
            }
        }
    }
}
