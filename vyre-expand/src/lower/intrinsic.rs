//! Scalar methods (`x.min(y)`, `f.sqrt()`): lowered to intrinsics, their
//! operands and result typed by `vyre_lang::Intrinsic`'s table.

use proc_macro2::Span;
use syn::spanned::Spanned;

use super::Lowerer;
use crate::hir::*;
use crate::types::Ty;

impl Lowerer<'_> {
    /// `recv.name(args…)` on a scalar: an intrinsic, or an error naming the
    /// ones that exist.
    pub(super) fn scalar_method(&mut self, mc: &syn::ExprMethodCall, name: &str) -> Expr {
        let span = mc.span();
        let Some(func) = Intrinsic::from_method_name(name) else {
            // Report the receiver's problems first (`x.checked_add(1).unwrap_or(0)`
            // is about `checked_add`), and this method only if there are none.
            let before = self.cx.error_count();
            let recv = self.expr(&mc.receiver);
            if self.cx.error_count() > before || recv.ty == Ty::Err {
                return self.err_expr(span);
            }
            let hint = match name {
                "pow" => " (multiply, or use `powf` on f32)",
                n if n.starts_with("checked_")
                    || n.starts_with("saturating_")
                    || n.starts_with("overflowing_") =>
                {
                    " (use the `wrapping_*` methods and compare)"
                }
                "to_string" | "into" | "try_into" | "clone" | "to_owned" => {
                    " (scalars are plain values; convert with `as`)"
                }
                _ => "",
            };
            return self.reject(&mc.method, format!("`.{name}()` is not available in a GPU handler{hint}; the scalar methods are {}", scalar_methods()));
        };
        let recv = self.expr(&mc.receiver);
        let mut args = vec![recv];
        for a in &mc.args {
            args.push(self.expr(a));
        }
        self.intrinsic_call(func, args, span)
    }

    /// `args[0].func(args[1..])`, its operands and result typed by the
    /// intrinsic table.
    pub(super) fn intrinsic_call(&mut self, func: Intrinsic, args: Vec<Expr>, span: Span) -> Expr {
        let name = func.method_name();
        let arity = func.arity();
        if args.len() != arity {
            self.cx.soft(format!(
                "`{name}` takes {} argument(s)",
                arity.saturating_sub(1)
            ));
            return self.err_expr(span);
        }
        let recv_ty = args.first().map(|a| a.ty).unwrap_or(Ty::Err);
        for (i, a) in args.iter().enumerate() {
            let what = match func {
                Intrinsic::RotateLeft | Intrinsic::RotateRight if i > 0 => "rotation amount",
                _ => "operand",
            };
            match receiver_independent(func, |r| Some(func.operand_type(i, r))) {
                Some(ty) => self.expect(a, Ty::S(ty), what),
                // The receiver is its own type.
                None if i > 0 => self.expect(a, recv_ty, what),
                None => {}
            }
        }
        let ty = receiver_independent(func, |r| func.result_type(r)).map_or(recv_ty, Ty::S);
        self.mk(ExprKind::Intrinsic(func, args), ty, span)
    }
}

/// What `f` answers for every receiver type `func` exists for, when the
/// answer is the same for all of them (the operands of an `f32`-only
/// intrinsic, the `u32` amount of the rotations, the `u32` result of
/// `count_ones`); `None` when it depends on the receiver.
fn receiver_independent(
    func: Intrinsic,
    f: impl Fn(ScalarType) -> Option<ScalarType>,
) -> Option<ScalarType> {
    let mut answers = ScalarType::ALL
        .into_iter()
        .filter(|r| func.result_type(*r).is_some())
        .map(f);
    let first = answers.next()??;
    answers.all(|a| a == Some(first)).then_some(first)
}

/// The scalar methods, for messages: the intrinsics of every numeric type,
/// then those of `f32` alone.
pub(super) fn scalar_methods() -> String {
    let list = |float: bool| {
        Intrinsic::ALL
            .iter()
            .filter(|i| i.is_float_only() == float)
            .map(|i| format!("`{}`", i.method_name()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!("{}, and for f32 {}", list(false), list(true))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_method_list_follows_the_table() {
        assert_eq!(
            super::scalar_methods(),
            "`min`, `max`, `clamp`, `abs`, `wrapping_add`, `wrapping_sub`, `wrapping_mul`, `count_ones`, `leading_zeros`, `trailing_zeros`, `rotate_left`, `rotate_right`, `reverse_bits`, and for f32 `sqrt`, `floor`, `ceil`, `round`, `sin`, `cos`, `exp`, `ln`, `powf`, `mul_add`"
        );
    }
}
