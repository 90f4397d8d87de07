//! Scalar semantics of the handler language, on typed values
//! ([`Literal`]), exactly as Rust computes them where Rust defines a
//! result, and as `docs/language.md` fixes them where Rust would panic:
//! integer `+ - *` wrap; `/` and `%` by zero fault (`i32::MIN / -1` is
//! `i32::MIN`, `i32::MIN % -1` is 0); shift amounts are taken modulo 32;
//! casts follow `as` (float to int saturates, NaN becomes 0); `abs`
//! wraps; `clamp` is Rust's algorithm without its `lo <= hi` assertion.
//!
//! Operands of mismatched types cannot reach these functions from a
//! validated program; if they did, the result is a zero of the left
//! operand's type, never a panic.

use crate::cpu::TaskFault;
use crate::ir::{BinOp, Intrinsic, Literal, ScalarType, UnOp};

/// The zero of `ty` (what a faulting operation yields).
pub fn zero(ty: ScalarType) -> Literal {
    Literal::from_word(ty, 0)
}

/// A literal as a `u32` (bits; what indices, priorities and codes read).
pub fn word(v: Literal) -> u32 {
    v.to_word()
}

/// A literal as a `bool` (conditions): non-zero bits are true.
pub fn truth(v: Literal) -> bool {
    v.to_word() != 0
}

/// `op operand`.
pub fn unary(op: UnOp, v: Literal) -> Literal {
    use Literal::*;
    match (op, v) {
        (UnOp::Neg, I32(x)) => I32(x.wrapping_neg()),
        (UnOp::Neg, F32(x)) => F32(-x),
        (UnOp::Not, Bool(x)) => Bool(!x),
        (UnOp::Not, U32(x)) => U32(!x),
        (UnOp::Not, I32(x)) => I32(!x),
        (_, v) => zero(v.ty()),
    }
}

/// `lhs op rhs` for every operator but the short-circuiting `&&` and `||`
/// (which the evaluator handles; here they are the plain logical
/// operators). Integer division and remainder by zero return
/// `Err(DIVIDE_BY_ZERO)`.
pub fn binary(op: BinOp, lhs: Literal, rhs: Literal) -> Result<Literal, TaskFault> {
    use Literal::*;
    if matches!(op, BinOp::Shl | BinOp::Shr) {
        return Ok(shift(op, lhs, rhs.to_word()));
    }
    if op.is_comparison() {
        return Ok(Bool(compare(op, lhs, rhs)));
    }
    let r = match (lhs, rhs) {
        (U32(a), U32(b)) => U32(match op {
            BinOp::Add => a.wrapping_add(b),
            BinOp::Sub => a.wrapping_sub(b),
            BinOp::Mul => a.wrapping_mul(b),
            BinOp::Div => a.checked_div(b).ok_or_else(TaskFault::divide_by_zero)?,
            BinOp::Rem => a.checked_rem(b).ok_or_else(TaskFault::divide_by_zero)?,
            BinOp::BitAnd => a & b,
            BinOp::BitOr => a | b,
            BinOp::BitXor => a ^ b,
            _ => 0,
        }),
        (I32(a), I32(b)) => I32(match op {
            BinOp::Add => a.wrapping_add(b),
            BinOp::Sub => a.wrapping_sub(b),
            BinOp::Mul => a.wrapping_mul(b),
            BinOp::Div if b == 0 => return Err(TaskFault::divide_by_zero()),
            BinOp::Rem if b == 0 => return Err(TaskFault::divide_by_zero()),
            BinOp::Div => a.wrapping_div(b),
            BinOp::Rem => a.wrapping_rem(b),
            BinOp::BitAnd => a & b,
            BinOp::BitOr => a | b,
            BinOp::BitXor => a ^ b,
            _ => 0,
        }),
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

/// `lhs << amount` / `lhs >> amount` with the amount taken modulo 32
/// (Rust's `wrapping_shl`/`wrapping_shr`); `>>` is arithmetic on `i32`.
fn shift(op: BinOp, lhs: Literal, amount: u32) -> Literal {
    use Literal::*;
    let left = op == BinOp::Shl;
    match lhs {
        U32(a) if left => U32(a.wrapping_shl(amount)),
        U32(a) => U32(a.wrapping_shr(amount)),
        I32(a) if left => I32(a.wrapping_shl(amount)),
        I32(a) => I32(a.wrapping_shr(amount)),
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
        (Bool(b), ScalarType::Bool) => Bool(b),
        (Bool(b), ScalarType::U32) => U32(b as u32),
        (Bool(b), ScalarType::I32) => I32(b as i32),
        (Bool(b), ScalarType::F32) => F32(b as u32 as f32),
        (U32(x), ScalarType::U32) => U32(x),
        (U32(x), ScalarType::I32) => I32(x as i32),
        (U32(x), ScalarType::F32) => F32(x as f32),
        (I32(x), ScalarType::U32) => U32(x as u32),
        (I32(x), ScalarType::I32) => I32(x),
        (I32(x), ScalarType::F32) => F32(x as f32),
        (F32(x), ScalarType::U32) => U32(x as u32),
        (F32(x), ScalarType::I32) => I32(x as i32),
        (F32(x), ScalarType::F32) => F32(x),
        // Not a valid cast (the validator rejects it): non-zero is true.
        (v, ScalarType::Bool) => Bool(v.to_word() != 0),
    }
}

/// Rust's `clamp` without its `lo <= hi` assertion (which would panic):
/// raise to `lo`, then lower to `hi`, so `lo > hi` yields `hi` and a NaN
/// receiver stays NaN.
fn clamp<T: PartialOrd>(x: T, lo: T, hi: T) -> T {
    let mut v = x;
    if v < lo {
        v = lo;
    }
    if v > hi {
        v = hi;
    }
    v
}

/// `args[0].func(args[1..])`, as the Rust method of the same name.
pub fn intrinsic(func: Intrinsic, args: &[Literal]) -> Literal {
    use Intrinsic as I;
    use Literal::*;
    let a = args.first().copied().unwrap_or(U32(0));
    let b = args.get(1).copied().unwrap_or_else(|| zero(a.ty()));
    let c = args.get(2).copied().unwrap_or_else(|| zero(a.ty()));
    match (func, a, b, c) {
        (I::Min, U32(x), U32(y), _) => U32(x.min(y)),
        (I::Min, I32(x), I32(y), _) => I32(x.min(y)),
        (I::Min, F32(x), F32(y), _) => F32(x.min(y)),
        (I::Max, U32(x), U32(y), _) => U32(x.max(y)),
        (I::Max, I32(x), I32(y), _) => I32(x.max(y)),
        (I::Max, F32(x), F32(y), _) => F32(x.max(y)),
        (I::Clamp, U32(x), U32(lo), U32(hi)) => U32(clamp(x, lo, hi)),
        (I::Clamp, I32(x), I32(lo), I32(hi)) => I32(clamp(x, lo, hi)),
        (I::Clamp, F32(x), F32(lo), F32(hi)) => F32(clamp(x, lo, hi)),
        (I::Abs, I32(x), _, _) => I32(x.wrapping_abs()),
        (I::Abs, F32(x), _, _) => F32(x.abs()),
        (I::WrappingAdd, U32(x), U32(y), _) => U32(x.wrapping_add(y)),
        (I::WrappingAdd, I32(x), I32(y), _) => I32(x.wrapping_add(y)),
        (I::WrappingSub, U32(x), U32(y), _) => U32(x.wrapping_sub(y)),
        (I::WrappingSub, I32(x), I32(y), _) => I32(x.wrapping_sub(y)),
        (I::WrappingMul, U32(x), U32(y), _) => U32(x.wrapping_mul(y)),
        (I::WrappingMul, I32(x), I32(y), _) => I32(x.wrapping_mul(y)),
        (I::CountOnes, U32(x), _, _) => U32(x.count_ones()),
        (I::CountOnes, I32(x), _, _) => U32(x.count_ones()),
        (I::LeadingZeros, U32(x), _, _) => U32(x.leading_zeros()),
        (I::LeadingZeros, I32(x), _, _) => U32(x.leading_zeros()),
        (I::TrailingZeros, U32(x), _, _) => U32(x.trailing_zeros()),
        (I::TrailingZeros, I32(x), _, _) => U32(x.trailing_zeros()),
        (I::RotateLeft, U32(x), U32(n), _) => U32(x.rotate_left(n)),
        (I::RotateLeft, I32(x), U32(n), _) => I32(x.rotate_left(n)),
        (I::RotateRight, U32(x), U32(n), _) => U32(x.rotate_right(n)),
        (I::RotateRight, I32(x), U32(n), _) => I32(x.rotate_right(n)),
        (I::ReverseBits, U32(x), _, _) => U32(x.reverse_bits()),
        (I::ReverseBits, I32(x), _, _) => I32(x.reverse_bits()),
        (I::Sqrt, F32(x), _, _) => F32(x.sqrt()),
        (I::Floor, F32(x), _, _) => F32(x.floor()),
        (I::Ceil, F32(x), _, _) => F32(x.ceil()),
        (I::Round, F32(x), _, _) => F32(x.round()),
        (I::Sin, F32(x), _, _) => F32(x.sin()),
        (I::Cos, F32(x), _, _) => F32(x.cos()),
        (I::Exp, F32(x), _, _) => F32(x.exp()),
        (I::Ln, F32(x), _, _) => F32(x.ln()),
        (I::Powf, F32(x), F32(y), _) => F32(x.powf(y)),
        (I::MulAdd, F32(x), F32(y), F32(z)) => F32(x.mul_add(y, z)),
        // Not defined for these operand types (the validator rejects it).
        (func, a, _, _) => zero(func.result_type(a.ty()).unwrap_or(a.ty())),
    }
}
