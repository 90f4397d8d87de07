//! The scalar intrinsics: the scalar methods a handler may call.

use crate::scalar::{Literal, ScalarType};

/// Scalar intrinsics: the scalar methods of the handler language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Intrinsic {
    /// `a.min(b)` on any numeric type.
    Min,
    /// `a.max(b)` on any numeric type.
    Max,
    /// `x.clamp(lo, hi)` on any numeric type.
    Clamp,
    /// `x.abs()` on `i32`, `i64` (wrapping) and `f32`.
    Abs,
    /// `a.wrapping_add(b)` on integers.
    WrappingAdd,
    /// `a.wrapping_sub(b)` on integers.
    WrappingSub,
    /// `a.wrapping_mul(b)` on integers.
    WrappingMul,
    /// `x.count_ones() -> u32` on integers.
    CountOnes,
    /// `x.leading_zeros() -> u32` on integers.
    LeadingZeros,
    /// `x.trailing_zeros() -> u32` on integers.
    TrailingZeros,
    /// `x.rotate_left(n: u32)` on integers.
    RotateLeft,
    /// `x.rotate_right(n: u32)` on integers.
    RotateRight,
    /// `x.reverse_bits()` on integers.
    ReverseBits,
    /// `x.sqrt()` on `f32`.
    Sqrt,
    /// `x.floor()` on `f32`.
    Floor,
    /// `x.ceil()` on `f32`.
    Ceil,
    /// `x.round()` on `f32`: half away from zero, as in Rust.
    Round,
    /// `x.sin()` on `f32`.
    Sin,
    /// `x.cos()` on `f32`.
    Cos,
    /// `x.exp()` on `f32`.
    Exp,
    /// `x.ln()` on `f32`.
    Ln,
    /// `x.powf(y)` on `f32`.
    Powf,
    /// `a.mul_add(b, c)` = `a * b + c` on `f32`.
    MulAdd,
}

impl Intrinsic {
    /// Every intrinsic, for tests and tables.
    pub const ALL: [Intrinsic; 23] = [
        Intrinsic::Min,
        Intrinsic::Max,
        Intrinsic::Clamp,
        Intrinsic::Abs,
        Intrinsic::WrappingAdd,
        Intrinsic::WrappingSub,
        Intrinsic::WrappingMul,
        Intrinsic::CountOnes,
        Intrinsic::LeadingZeros,
        Intrinsic::TrailingZeros,
        Intrinsic::RotateLeft,
        Intrinsic::RotateRight,
        Intrinsic::ReverseBits,
        Intrinsic::Sqrt,
        Intrinsic::Floor,
        Intrinsic::Ceil,
        Intrinsic::Round,
        Intrinsic::Sin,
        Intrinsic::Cos,
        Intrinsic::Exp,
        Intrinsic::Ln,
        Intrinsic::Powf,
        Intrinsic::MulAdd,
    ];

    /// The Rust method name (`wrapping_add`, `sqrt`, ...).
    pub fn method_name(self) -> &'static str {
        match self {
            Intrinsic::Min => "min",
            Intrinsic::Max => "max",
            Intrinsic::Clamp => "clamp",
            Intrinsic::Abs => "abs",
            Intrinsic::WrappingAdd => "wrapping_add",
            Intrinsic::WrappingSub => "wrapping_sub",
            Intrinsic::WrappingMul => "wrapping_mul",
            Intrinsic::CountOnes => "count_ones",
            Intrinsic::LeadingZeros => "leading_zeros",
            Intrinsic::TrailingZeros => "trailing_zeros",
            Intrinsic::RotateLeft => "rotate_left",
            Intrinsic::RotateRight => "rotate_right",
            Intrinsic::ReverseBits => "reverse_bits",
            Intrinsic::Sqrt => "sqrt",
            Intrinsic::Floor => "floor",
            Intrinsic::Ceil => "ceil",
            Intrinsic::Round => "round",
            Intrinsic::Sin => "sin",
            Intrinsic::Cos => "cos",
            Intrinsic::Exp => "exp",
            Intrinsic::Ln => "ln",
            Intrinsic::Powf => "powf",
            Intrinsic::MulAdd => "mul_add",
        }
    }

    /// The intrinsic whose Rust method name is `name`.
    pub fn from_method_name(name: &str) -> Option<Intrinsic> {
        Intrinsic::ALL.into_iter().find(|i| i.method_name() == name)
    }

    /// Number of operands, the receiver included.
    pub fn arity(self) -> usize {
        match self {
            Intrinsic::Clamp | Intrinsic::MulAdd => 3,
            Intrinsic::Min
            | Intrinsic::Max
            | Intrinsic::WrappingAdd
            | Intrinsic::WrappingSub
            | Intrinsic::WrappingMul
            | Intrinsic::RotateLeft
            | Intrinsic::RotateRight
            | Intrinsic::Powf => 2,
            _ => 1,
        }
    }

    /// The result type for a receiver of type `receiver`, or `None` when the
    /// intrinsic does not exist for that type. Operand types are
    /// [`operand_type`](Self::operand_type).
    pub fn result_type(self, receiver: ScalarType) -> Option<ScalarType> {
        use ScalarType::*;
        match (self, receiver) {
            (Intrinsic::Min | Intrinsic::Max | Intrinsic::Clamp, U32 | I32 | F32 | U64 | I64) => {
                Some(receiver)
            }
            (Intrinsic::Abs, I32 | F32 | I64) => Some(receiver),
            (
                Intrinsic::WrappingAdd
                | Intrinsic::WrappingSub
                | Intrinsic::WrappingMul
                | Intrinsic::RotateLeft
                | Intrinsic::RotateRight
                | Intrinsic::ReverseBits,
                U32 | I32 | U64 | I64,
            ) => Some(receiver),
            (
                Intrinsic::CountOnes | Intrinsic::LeadingZeros | Intrinsic::TrailingZeros,
                U32 | I32 | U64 | I64,
            ) => Some(U32),
            (
                Intrinsic::Sqrt
                | Intrinsic::Floor
                | Intrinsic::Ceil
                | Intrinsic::Round
                | Intrinsic::Sin
                | Intrinsic::Cos
                | Intrinsic::Exp
                | Intrinsic::Ln
                | Intrinsic::Powf
                | Intrinsic::MulAdd,
                F32,
            ) => Some(F32),
            _ => None,
        }
    }

    /// The type operand `i` must have (0 is the receiver) when the
    /// receiver has type `receiver`: the receiver's own type, except the
    /// `u32` amount of the rotations.
    pub fn operand_type(self, i: usize, receiver: ScalarType) -> ScalarType {
        match self {
            Intrinsic::RotateLeft | Intrinsic::RotateRight if i > 0 => ScalarType::U32,
            _ => receiver,
        }
    }

    /// Whether the intrinsic exists only for `f32` receivers.
    pub fn is_float_only(self) -> bool {
        self.result_type(ScalarType::U32).is_none() && self.result_type(ScalarType::I32).is_none()
    }

    /// `args[0].method(args[1..])` on the host, as the Rust method of the
    /// same name computes it (`abs` wraps; `clamp` is Rust's algorithm
    /// without its `lo <= hi` assertion). Operands of other types than
    /// [`operand_type`](Self::operand_type) cannot come from a validated
    /// program; they yield a zero of the result type, never a panic.
    pub fn eval(self, args: &[Literal]) -> Literal {
        use Intrinsic as I;
        use Literal::*;
        let a = args.first().copied().unwrap_or(U32(0));
        let zero = |t: ScalarType| Literal::from_word(t, 0);
        let b = args.get(1).copied().unwrap_or_else(|| zero(a.ty()));
        let c = args.get(2).copied().unwrap_or_else(|| zero(a.ty()));
        match (self, a, b, c) {
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
            (func, U64(_) | I64(_), _, _) => wide(func, a, b, c),
            // Not defined for these operand types (the validator rejects it).
            (func, a, _, _) => zero(func.result_type(a.ty()).unwrap_or(a.ty())),
        }
    }
}

/// The intrinsics on `u64` and `i64` receivers.
fn wide(func: Intrinsic, a: Literal, b: Literal, c: Literal) -> Literal {
    use Intrinsic as I;
    use Literal::*;
    match (func, a, b, c) {
        (I::Min, U64(x), U64(y), _) => U64(x.min(y)),
        (I::Min, I64(x), I64(y), _) => I64(x.min(y)),
        (I::Max, U64(x), U64(y), _) => U64(x.max(y)),
        (I::Max, I64(x), I64(y), _) => I64(x.max(y)),
        (I::Clamp, U64(x), U64(lo), U64(hi)) => U64(clamp(x, lo, hi)),
        (I::Clamp, I64(x), I64(lo), I64(hi)) => I64(clamp(x, lo, hi)),
        (I::Abs, I64(x), _, _) => I64(x.wrapping_abs()),
        (I::WrappingAdd, U64(x), U64(y), _) => U64(x.wrapping_add(y)),
        (I::WrappingAdd, I64(x), I64(y), _) => I64(x.wrapping_add(y)),
        (I::WrappingSub, U64(x), U64(y), _) => U64(x.wrapping_sub(y)),
        (I::WrappingSub, I64(x), I64(y), _) => I64(x.wrapping_sub(y)),
        (I::WrappingMul, U64(x), U64(y), _) => U64(x.wrapping_mul(y)),
        (I::WrappingMul, I64(x), I64(y), _) => I64(x.wrapping_mul(y)),
        (I::CountOnes, v, _, _) => U32(v.to_bits64().count_ones()),
        (I::LeadingZeros, v, _, _) => U32(v.to_bits64().leading_zeros()),
        (I::TrailingZeros, v, _, _) => U32(v.to_bits64().trailing_zeros()),
        (I::RotateLeft, U64(x), U32(n), _) => U64(x.rotate_left(n)),
        (I::RotateLeft, I64(x), U32(n), _) => I64(x.rotate_left(n)),
        (I::RotateRight, U64(x), U32(n), _) => U64(x.rotate_right(n)),
        (I::RotateRight, I64(x), U32(n), _) => I64(x.rotate_right(n)),
        (I::ReverseBits, U64(x), _, _) => U64(x.reverse_bits()),
        (I::ReverseBits, I64(x), _, _) => I64(x.reverse_bits()),
        (func, a, _, _) => Literal::from_word(func.result_type(a.ty()).unwrap_or(a.ty()), 0),
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
