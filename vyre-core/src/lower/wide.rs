//! `u64` and `i64` in WGSL, which has no 64-bit integers: a value is a
//! `vec2<u32>` (low word, high word; `i64` in two's complement), and every
//! operation whose carry, sign or width matters is a call into the
//! library `wgsl/int64.wgsl`, emitted once into a module that needs it.
//!
//! Bitwise operations, equality and `select` work on the two words as
//! they are. Calls are never constant-folded by naga, so the handler
//! language's wrapping and faulting semantics hold for constant operands
//! too; division and remainder go through checked helpers
//! (`Helpers::div_wide`) that fault on a zero divisor.

use super::expr::Val;
use super::function::FnLowerer;
use crate::ir::{BinOp, Intrinsic, ScalarType, UnOp};

/// `u64` or `i64`: which of the library's signed forms applies.
fn prefix(ty: ScalarType) -> &'static str {
    if ty == ScalarType::I64 {
        "vy_i64"
    } else {
        "vy_u64"
    }
}

impl FnLowerer<'_> {
    /// `op v` on a 64-bit value.
    pub(super) fn wide_unary(&mut self, op: UnOp, v: Val) -> Val {
        self.helpers.int64();
        let code = match op {
            UnOp::Not => format!("(~{})", v.code),
            UnOp::Neg => format!("vy_w_neg({})", v.code),
        };
        Val::new(code, v.ty)
    }

    /// `l op r` with 64-bit operands (`r` is the `u32` amount of a shift);
    /// `ty` is the result's type.
    pub(super) fn wide_binary(&mut self, op: BinOp, l: Val, r: Val, ty: ScalarType) -> Val {
        self.helpers.int64();
        let operand = l.ty;
        let p = prefix(operand);
        let (a, b) = (&l.code, &r.code);
        let call = |f: &str| format!("vy_{f}({a}, {b})");
        let code = match op {
            BinOp::Add => call("w_add"),
            BinOp::Sub => call("w_sub"),
            BinOp::Mul => call("w_mul"),
            BinOp::Div | BinOp::Rem => {
                let f = self.helpers.div_wide(operand, op == BinOp::Rem);
                return self.hoist(ty, format!("{f}({a}, {b})"));
            }
            BinOp::BitAnd => format!("({a} & {b})"),
            BinOp::BitOr => format!("({a} | {b})"),
            BinOp::BitXor => format!("({a} ^ {b})"),
            BinOp::Shl => call("w_shl"),
            BinOp::Shr => format!("{p}_shr({a}, {b})"),
            BinOp::Eq => format!("all({a} == {b})"),
            BinOp::Ne => format!("any({a} != {b})"),
            BinOp::Lt => format!("{p}_lt({a}, {b})"),
            BinOp::Le => format!("{p}_le({a}, {b})"),
            BinOp::Gt => format!("{p}_lt({b}, {a})"),
            BinOp::Ge => format!("{p}_le({b}, {a})"),
            // Not produced by a validated program (logic is on bool).
            BinOp::And | BinOp::Or => format!("({a} {} {b})", op.symbol()),
        };
        Val::new(code, ty)
    }

    /// `v as to` where `v` or `to` is 64-bit, with Rust's `as` semantics.
    pub(super) fn wide_cast(&mut self, v: Val, to: ScalarType) -> Val {
        use ScalarType::*;
        self.helpers.int64();
        let x = &v.code;
        let code = match (v.ty, to) {
            // Same width: the bits are kept.
            (U64 | I64, U64 | I64) => x.clone(),
            (U64 | I64, U32) => format!("{x}.x"),
            (U64 | I64, I32) => format!("bitcast<i32>({x}.x)"),
            (U64, F32) => format!("vy_f32_from_u64({x})"),
            (I64, F32) => format!("vy_f32_from_i64({x})"),
            (U64 | I64, Bool) => format!("any({x} != vec2<u32>())"),
            (U32, _) => format!("vec2<u32>({x}, 0u)"),
            (I32, _) => format!("vy_i64_from_i32({x})"),
            (Bool, _) => format!("vec2<u32>(select(0u, 1u, {x}), 0u)"),
            (F32, U64) => format!("vy_u64_from_f32({x})"),
            (F32, _) => format!("vy_i64_from_f32({x})"),
        };
        Val::new(code, to)
    }

    /// A scalar intrinsic on a 64-bit receiver; `args` are lowered, the
    /// first not constant.
    pub(super) fn wide_intrinsic(
        &mut self,
        func: Intrinsic,
        args: &[Val],
        result: ScalarType,
    ) -> Val {
        self.helpers.int64();
        let ty = args.first().map_or(ScalarType::U64, |a| a.ty);
        let p = prefix(ty).trim_start_matches("vy_");
        let list = args
            .iter()
            .map(|a| a.code.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let f = match func {
            Intrinsic::Min => format!("{p}_min"),
            Intrinsic::Max => format!("{p}_max"),
            Intrinsic::Clamp => format!("{p}_clamp"),
            Intrinsic::Abs => "i64_abs".into(),
            Intrinsic::WrappingAdd => "w_add".into(),
            Intrinsic::WrappingSub => "w_sub".into(),
            Intrinsic::WrappingMul => "w_mul".into(),
            Intrinsic::CountOnes => "w_count_ones".into(),
            Intrinsic::LeadingZeros => "w_leading_zeros".into(),
            Intrinsic::TrailingZeros => "w_trailing_zeros".into(),
            Intrinsic::RotateLeft => "w_rotate_left".into(),
            Intrinsic::RotateRight => "w_rotate_right".into(),
            Intrinsic::ReverseBits => "w_reverse_bits".into(),
            // Float-only intrinsics never reach a 64-bit receiver in a
            // validated program.
            _ => return Val::new(super::names::zero(result).into(), result),
        };
        Val::new(format!("vy_{f}({list})"), result)
    }
}
