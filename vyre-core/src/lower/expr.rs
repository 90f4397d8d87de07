//! Expressions: an IR [`Expr`] becomes statements that evaluate its
//! fallible parts in order, then one side-effect-free WGSL expression.
//!
//! Two rules shape the output:
//!
//! * **Evaluation order.** Every operation that can fault or has a side
//!   effect (checked loads, integer `/` and `%`, atomics) is a helper call
//!   bound to a `let` temporary, emitted while walking the tree in
//!   evaluation order: operands left to right, `Select` as condition, then
//!   the value if true, then the value if false. The remaining expression
//!   is pure, so WGSL's own evaluation order no longer matters and the
//!   first fault is the one the reference interpreter sees. `&&` and `||`
//!   whose right operand has such operations become an `if`, so they
//!   short-circuit.
//! * **No constant folding.** naga evaluates operations whose operands are
//!   all constant at shader creation and rejects overflow, division by
//!   zero and non-finite results there, while the handler language wraps
//!   or faults at run time. When every operand of an operation is a
//!   constant, the first one is bound to a `let` first: `let` values are
//!   not constant expressions in WGSL, so the operation runs at run time
//!   with the handler language's semantics.

use super::function::FnLowerer;
use super::names::{self, wgsl_type};
use crate::ir::{AtomicOp, BinOp, CtxValue, Expr, ExprId, Intrinsic, Literal, ScalarType, UnOp};

/// A lowered expression: side-effect-free WGSL text, its type, and
/// whether it is a WGSL constant expression (built from literals only).
#[derive(Debug, Clone)]
pub(super) struct Val {
    /// The WGSL expression.
    pub code: String,
    /// Its type.
    pub ty: ScalarType,
    /// True when naga would treat it as a constant expression.
    pub konst: bool,
}

impl Val {
    pub(super) fn new(code: String, ty: ScalarType) -> Val {
        Val {
            code,
            ty,
            konst: false,
        }
    }
}

/// A literal in WGSL, and whether it is a constant expression.
///
/// Integers carry their suffix (`7u`, `-3i` in parentheses); `i32::MIN`
/// has no literal spelling, so it is `(-2147483647i - 1i)`. Finite normal
/// `f32` values use Rust's shortest round-trip form (`{:?}`), which parses
/// back to the same bits; zero, NaN, the infinities, `-0.0` and subnormals
/// go through `vy_f32_bits(0x…u)` (WGSL has no NaN or infinity literals,
/// and backends may flush subnormal literals).
pub(super) fn literal(l: Literal, f32_bits: &mut dyn FnMut() -> String) -> (String, bool) {
    match l {
        Literal::Bool(b) => (b.to_string(), true),
        Literal::U32(v) => (format!("{v}u"), true),
        Literal::I32(i32::MIN) => ("(-2147483647i - 1i)".into(), true),
        Literal::I32(v) if v < 0 => (format!("(-{}i)", v.unsigned_abs()), true),
        Literal::I32(v) => (format!("{v}i"), true),
        Literal::F32(v) if v.to_bits() == 0 => ("0.0f".into(), true),
        Literal::F32(v) if v.is_normal() => {
            let text = format!("{:?}f", v.abs());
            if v < 0.0 {
                (format!("(-{text})"), true)
            } else {
                (text, true)
            }
        }
        Literal::F32(v) => (format!("{}({:#010x}u)", f32_bits(), v.to_bits()), false),
        // `vec2<u32>(low, high)`: how `lower/wide.rs` holds 64-bit values.
        Literal::U64(_) | Literal::I64(_) => {
            let [lo, hi] = l.to_words();
            (format!("vec2<u32>({lo}u, {hi}u)"), true)
        }
    }
}

impl FnLowerer<'_> {
    /// Lowers `e`, numbered `id`, writing the statements that evaluate its
    /// fallible parts, and returns the pure expression that is its value.
    /// Types come from validation (`ir::HandlerInfo`): `id`'s type, and its
    /// operands' ids follow from it.
    pub(super) fn expr(&mut self, e: &Expr, id: ExprId) -> Val {
        let info = self.info;
        let ty = info.ty(id);
        let first = info.operand(id);
        let second = info.next_expr(first);
        match e {
            Expr::Lit(l) => {
                let helpers = &mut *self.helpers;
                let (code, konst) = literal(*l, &mut || helpers.f32_bits());
                Val { code, ty, konst }
            }
            Expr::Local(local) => {
                let (name, _) = self.local(*local);
                Val::new(name, ty)
            }
            Expr::Unary { op, operand } => {
                let v = self.expr(operand, first);
                let v = self.unconst(v);
                if v.ty.is_wide() {
                    return self.wide_unary(*op, v);
                }
                let code = match (op, v.ty) {
                    (UnOp::Not, ScalarType::Bool) => format!("(!{})", v.code),
                    (UnOp::Not, _) => format!("(~{})", v.code),
                    // WGSL's i32 negation wraps (-i32::MIN == i32::MIN), as
                    // wrapping_neg does.
                    (UnOp::Neg, _) => format!("(-{})", v.code),
                };
                Val::new(code, ty)
            }
            Expr::Binary { op, lhs, rhs } => self.binary(*op, [lhs, rhs], [first, second], ty),
            Expr::Cast { to, value } => {
                let v = self.expr(value, first);
                self.cast(v, *to)
            }
            Expr::Select {
                cond,
                if_true,
                if_false,
            } => {
                let c = self.expr(cond, first);
                let t = self.expr(if_true, second);
                let f = self.expr(if_false, info.next_expr(second));
                let c = if c.konst && t.konst && f.konst {
                    self.unconst(c)
                } else {
                    c
                };
                Val::new(format!("select({}, {}, {})", f.code, t.code, c.code), ty)
            }
            Expr::Intrinsic { func, args } => {
                let mut vals: Vec<Val> = args
                    .iter()
                    .zip(info.siblings(first))
                    .map(|(a, aid)| self.expr(a, aid))
                    .collect();
                if !vals.is_empty() && vals.iter().all(|v| v.konst) {
                    let first = vals.remove(0);
                    let first = self.unconst(first);
                    vals.insert(0, first);
                }
                self.intrinsic(*func, vals, ty)
            }
            Expr::Load { buffer, index } => {
                let i = self.expr(index, first);
                match self.program_buffer(*buffer) {
                    Some(b) => {
                        let f = self.helpers.load(b);
                        self.hoist(ty, format!("{f}({})", i.code))
                    }
                    None => self.invalid(ty),
                }
            }
            Expr::Len { buffer } => match self.program_buffer(*buffer) {
                Some(b) => {
                    let f = self.helpers.len(b);
                    Val::new(format!("{f}()"), ty)
                }
                None => self.invalid(ty),
            },
            Expr::Atomic {
                op,
                buffer,
                index,
                value,
            } => {
                let i = self.expr(index, first);
                let v = value.as_ref().map(|v| self.expr(v, second));
                match self.program_buffer(*buffer) {
                    Some(b) => {
                        let op = if v.is_none() { AtomicOp::Load } else { *op };
                        let f = self.helpers.atomic(b, op);
                        let call = match v {
                            Some(v) => format!("{f}({}, {})", i.code, v.code),
                            None => format!("{f}({})", i.code),
                        };
                        self.hoist(ty, call)
                    }
                    None => self.invalid(ty),
                }
            }
            Expr::Index { array, index } => self.index(*array, index, first),
            Expr::CheckIndex { index, len } => self.check_index(index, *len, first),
            Expr::LoadField {
                buffer,
                index,
                field,
            } => self.load_field(*buffer, index, field, first),
            Expr::Ctx(c) => {
                let name = match c {
                    CtxValue::Lane => "vy_lane",
                    CtxValue::Slot => "vy_slot",
                    CtxValue::Tenant => "vy_tenant",
                    CtxValue::Priority => "vy_priority",
                };
                Val::new(name.into(), ty)
            }
        }
    }

    /// A value for an expression that refers to something that does not
    /// exist (impossible in a validated program): a zero of type `ty`.
    fn invalid(&mut self, ty: ScalarType) -> Val {
        Val::new(names::zero(ty).into(), ty)
    }

    /// Binds `code` (a call that may fault or has side effects) to a fresh
    /// temporary, here, so it runs in evaluation order.
    pub(super) fn hoist(&mut self, ty: ScalarType, code: String) -> Val {
        let t = self.fresh_temp();
        self.line(&format!("let {t}: {} = {code};", wgsl_type(ty)));
        Val::new(t, ty)
    }

    /// `v` evaluated once, here: a temporary already is; anything else is
    /// bound to a fresh one (a mutable local could change later).
    pub(super) fn bind(&mut self, v: Val) -> Val {
        if !v.konst && names::is_temp(&v.code) {
            v
        } else {
            self.hoist(v.ty, v.code)
        }
    }

    /// `v` as a non-constant expression (see the module documentation).
    pub(super) fn unconst(&mut self, v: Val) -> Val {
        if v.konst {
            self.hoist(v.ty, v.code)
        } else {
            v
        }
    }

    /// The operands of a binary operation, numbered `ids`, the first made
    /// non-constant when both are constant.
    fn operands(&mut self, [lhs, rhs]: [&Expr; 2], [lid, rid]: [ExprId; 2]) -> (Val, Val) {
        let l = self.expr(lhs, lid);
        let r = self.expr(rhs, rid);
        if l.konst && r.konst {
            (self.unconst(l), r)
        } else {
            (l, r)
        }
    }

    /// `lhs op rhs` of type `ty`, the operands numbered `ids`.
    fn binary(&mut self, op: BinOp, operands: [&Expr; 2], ids: [ExprId; 2], ty: ScalarType) -> Val {
        match op {
            BinOp::And | BinOp::Or if operands[1].may_fault() => {
                return self.short_circuit(op, operands, ids)
            }
            _ => {}
        }
        let (l, r) = self.operands(operands, ids);
        if l.ty.is_wide() {
            return self.wide_binary(op, l, r, ty);
        }
        // The operands' type: the result's, but for comparisons.
        let operand_ty = l.ty;
        let (a, b) = (&l.code, &r.code);
        match op {
            BinOp::Div | BinOp::Rem if operand_ty.is_integer() => {
                let f = self.helpers.div(operand_ty, op == BinOp::Rem);
                self.hoist(ty, format!("{f}({a}, {b})"))
            }
            // f32 `/` and `%` never fault (IEEE results; WGSL's `%` is
            // x - y * trunc(x / y), within WGSL's accuracy of Rust's fmod).
            BinOp::Add
            | BinOp::Sub
            | BinOp::Mul
            | BinOp::Div
            | BinOp::Rem
            | BinOp::BitAnd
            | BinOp::BitOr => {
                // Integer + - * wrap in WGSL, as the handler language says;
                // `&` and `|` on bool evaluate both sides, as in Rust.
                Val::new(format!("({a} {} {b})", op.symbol()), ty)
            }
            BinOp::BitXor if operand_ty == ScalarType::Bool => {
                Val::new(format!("({a} != {b})"), ty)
            }
            BinOp::BitXor => Val::new(format!("({a} ^ {b})"), ty),
            // The amount is taken modulo 32, as the IR specifies (WGSL
            // would also mask at run time; the mask makes it explicit).
            BinOp::Shl => Val::new(format!("({a} << ({b} & 31u))"), ty),
            BinOp::Shr => Val::new(format!("({a} >> ({b} & 31u))"), ty),
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                Val::new(format!("({a} {} {b})", op.symbol()), ty)
            }
            BinOp::And | BinOp::Or => Val::new(format!("({a} {} {b})", op.symbol()), ty),
        }
    }

    /// `lhs && rhs` / `lhs || rhs` whose right operand may fault or touch
    /// memory: evaluated only when the left one does not decide.
    fn short_circuit(&mut self, op: BinOp, [lhs, rhs]: [&Expr; 2], [lid, rid]: [ExprId; 2]) -> Val {
        let l = self.expr(lhs, lid);
        let t = self.fresh_temp();
        self.line(&format!("var {t}: bool = {};", l.code));
        let test = if op == BinOp::And {
            t.clone()
        } else {
            format!("!{t}")
        };
        self.open(&format!("if ({test}) {{"));
        let r = self.expr(rhs, rid);
        self.line(&format!("{t} = {};", r.code));
        self.close("}");
        Val::new(t, ScalarType::Bool)
    }

    /// `v as to`, with Rust's `as` semantics.
    fn cast(&mut self, v: Val, to: ScalarType) -> Val {
        use ScalarType::*;
        if v.ty == to {
            return v;
        }
        let v = self.unconst(v);
        if v.ty.is_wide() || to.is_wide() {
            return self.wide_cast(v, to);
        }
        let x = &v.code;
        let code = match (v.ty, to) {
            (Bool, U32) => format!("select(0u, 1u, {x})"),
            (Bool, I32) => format!("select(0i, 1i, {x})"),
            // Between same-width integers `as` keeps the bits.
            (U32, I32) => format!("bitcast<i32>({x})"),
            (I32, U32) => format!("bitcast<u32>({x})"),
            // Round to nearest, within WGSL's accuracy.
            (U32 | I32, F32) => format!("f32({x})"),
            (F32, U32 | I32) => {
                let f = self.helpers.f32_to_int(to);
                format!("{f}({x})")
            }
            // Not produced by a validated program (the validator rejects
            // casts to bool and bool to f32); lowered to the obvious value
            // rather than failing.
            (U32, Bool) => format!("({x} != 0u)"),
            (I32, Bool) => format!("({x} != 0i)"),
            (F32, Bool) => format!("({x} != 0.0f)"),
            (Bool, F32) => format!("select(0.0f, 1.0f, {x})"),
            _ => x.clone(),
        };
        Val::new(code, to)
    }

    /// A scalar intrinsic of type `result` over already-lowered operands
    /// (the first one is not constant when all are).
    fn intrinsic(&mut self, func: Intrinsic, args: Vec<Val>, result: ScalarType) -> Val {
        use ScalarType::*;
        // The receiver's type picks the WGSL form.
        let ty = args.first().map_or(U32, |a| a.ty);
        if ty.is_wide() {
            return self.wide_intrinsic(func, &args, result);
        }
        let arg = |i: usize| {
            args.get(i)
                .map_or_else(|| "0u".to_string(), |a| a.code.clone())
        };
        let (a, b, c) = (arg(0), arg(1), arg(2));
        // Integer bit-counting works on the bits: the result is u32 for both
        // integer types.
        let bits = |x: &str| {
            if ty == I32 {
                format!("bitcast<u32>({x})")
            } else {
                x.to_string()
            }
        };
        let code = match func {
            Intrinsic::Min => format!("min({a}, {b})"),
            Intrinsic::Max => format!("max({a}, {b})"),
            // min(max(..)) rather than clamp(): identical when lo <= hi,
            // and defined (hi) when lo > hi, where Rust would panic.
            Intrinsic::Clamp => format!("min(max({a}, {b}), {c})"),
            // WGSL's abs(i32::MIN) is i32::MIN, as wrapping_abs.
            Intrinsic::Abs => format!("abs({a})"),
            Intrinsic::WrappingAdd => format!("({a} + {b})"),
            Intrinsic::WrappingSub => format!("({a} - {b})"),
            Intrinsic::WrappingMul => format!("({a} * {b})"),
            Intrinsic::CountOnes => format!("countOneBits({})", bits(&a)),
            Intrinsic::LeadingZeros => format!("countLeadingZeros({})", bits(&a)),
            Intrinsic::TrailingZeros => format!("countTrailingZeros({})", bits(&a)),
            Intrinsic::RotateLeft | Intrinsic::RotateRight => {
                let f = self.helpers.rotate(func == Intrinsic::RotateLeft);
                let rotated = format!("{f}({}, {b})", bits(&a));
                if ty == I32 {
                    format!("bitcast<i32>({rotated})")
                } else {
                    rotated
                }
            }
            Intrinsic::ReverseBits => format!("reverseBits({a})"),
            Intrinsic::Sqrt => format!("sqrt({a})"),
            Intrinsic::Floor => format!("floor({a})"),
            Intrinsic::Ceil => format!("ceil({a})"),
            Intrinsic::Round => {
                let f = self.helpers.round();
                format!("{f}({a})")
            }
            Intrinsic::Sin => format!("sin({a})"),
            Intrinsic::Cos => format!("cos({a})"),
            Intrinsic::Exp => format!("exp({a})"),
            Intrinsic::Ln => format!("log({a})"),
            Intrinsic::Powf => format!("pow({a}, {b})"),
            Intrinsic::MulAdd => format!("fma({a}, {b}, {c})"),
        };
        Val::new(code, result)
    }

    /// `v` as slot words (bit pattern; `bool` as 0 or 1; `u64`/`i64` as
    /// two words, low first), for spawn and printf records.
    pub(super) fn words(&mut self, v: Val) -> Vec<String> {
        if v.ty.is_wide() {
            let v = self.bind(v);
            return vec![format!("{}.x", v.code), format!("{}.y", v.code)];
        }
        vec![self.word(v)]
    }

    /// `v` (a 32-bit type or `bool`) as one slot word.
    fn word(&mut self, v: Val) -> String {
        match v.ty {
            ScalarType::U64 | ScalarType::I64 => format!("{}.x", v.code),
            ScalarType::U32 => v.code,
            ScalarType::I32 | ScalarType::F32 => {
                let v = self.unconst(v);
                format!("bitcast<u32>({})", v.code)
            }
            ScalarType::Bool => {
                let v = self.unconst(v);
                format!("select(0u, 1u, {})", v.code)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::literal;
    use crate::ir::Literal;

    fn lit(l: Literal) -> (String, bool) {
        literal(l, &mut || "vy_f32_bits".to_string())
    }

    #[test]
    fn integer_literals() {
        assert_eq!(lit(Literal::U32(u32::MAX)), ("4294967295u".into(), true));
        assert_eq!(lit(Literal::I32(7)), ("7i".into(), true));
        assert_eq!(lit(Literal::I32(-7)), ("(-7i)".into(), true));
        assert_eq!(
            lit(Literal::I32(i32::MIN)),
            ("(-2147483647i - 1i)".into(), true)
        );
        assert_eq!(lit(Literal::I32(i32::MAX)), ("2147483647i".into(), true));
        assert_eq!(lit(Literal::Bool(true)), ("true".into(), true));
    }

    #[test]
    fn f32_literals_round_trip_or_use_bits() {
        for v in [
            1.0f32,
            -1.5,
            0.1,
            f32::MAX,
            f32::MIN_POSITIVE,
            1e16,
            1.5e-7,
            3.0e9,
        ] {
            let (text, konst) = lit(Literal::F32(v));
            assert!(konst);
            let digits = text.trim_start_matches("(-").trim_end_matches(')');
            let digits = digits.strip_suffix('f').expect("f suffix");
            let parsed: f32 = digits.parse().expect("a decimal float");
            let parsed = if text.starts_with("(-") {
                -parsed
            } else {
                parsed
            };
            assert_eq!(parsed.to_bits(), v.to_bits(), "{text}");
        }
        assert_eq!(lit(Literal::F32(0.0)), ("0.0f".into(), true));
        for v in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, -0.0, 1e-45] {
            let (text, konst) = lit(Literal::F32(v));
            assert!(!konst);
            assert_eq!(text, format!("vy_f32_bits({:#010x}u)", v.to_bits()));
        }
    }
}
