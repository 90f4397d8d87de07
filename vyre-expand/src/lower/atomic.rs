//! Atomic methods on elements of atomic buffers (`buf[i].fetch_add(v)`).

use syn::spanned::Spanned;

use super::cas::CAS_FORMS;
use super::Lowerer;
use crate::hir::*;
use crate::types::Ty;

impl Lowerer<'_> {
    /// `buf[index].op(operand)` on an atomic buffer: an atomic operation
    /// with a value (`store` and `compare_exchange` are statements).
    pub(super) fn atomic_method(
        &mut self,
        mc: &syn::ExprMethodCall,
        buf: BufIdx,
        info: &BufInfo,
        index: &syn::Expr,
    ) -> Expr {
        let span = mc.span();
        let name = mc.method.to_string();
        match name.as_str() {
            "store" => return self.reject(mc, "`store` has no value; use it as a statement"),
            "compare_exchange" => {
                return self.reject(
                    mc,
                    format!("`compare_exchange` returns a `Result`: {CAS_FORMS}"),
                )
            }
            _ => {}
        }
        let Some(op) = AtomicOp::from_method_name(&name) else {
            return self.reject(
                &mc.method,
                format!(
                    "`{}` holds atomics; their elements support {}",
                    info.name,
                    atomic_methods()
                ),
            );
        };
        let index = self.expr(index);
        self.expect(&index, Ty::S(ScalarType::U32), "buffer index");
        let has_operand = op.has_operand();
        let operand = if has_operand {
            match mc.args.first() {
                Some(a) => {
                    let v = self.expr(a);
                    self.expect(&v, Ty::S(info.elem), "atomic operand");
                    Some(Box::new(v))
                }
                None => {
                    self.cx.soft(format!("`{name}` takes one argument"));
                    return self.err_expr(span);
                }
            }
        } else {
            None
        };
        if mc.args.len() != usize::from(has_operand) {
            self.cx
                .soft(format!("wrong number of arguments to `{name}`"));
        }
        self.mk(
            ExprKind::Atomic(op, buf, Box::new(index), operand),
            Ty::S(info.elem),
            span,
        )
    }
}

/// Whether `name` is a method of an atomic element.
pub(super) fn is_atomic_method(name: &str) -> bool {
    AtomicOp::from_method_name(name).is_some() || name == "store" || name == "compare_exchange"
}

/// The methods of an atomic element, for messages: the loads, `store`,
/// the read-modify-writes, and `compare_exchange`.
fn atomic_methods() -> String {
    let ops = |operand: bool| {
        AtomicOp::ALL
            .into_iter()
            .filter(move |o| o.has_operand() == operand)
            .map(|o| {
                let arg = if o.has_operand() { "v" } else { "" };
                format!("`{}({arg})`", o.method_name())
            })
    };
    let methods: Vec<String> = ops(false)
        .chain(["`store(v)`".to_string()])
        .chain(ops(true))
        .collect();
    format!(
        "{} and `compare_exchange(current, new)`",
        methods.join(", ")
    )
}

/// The atomic method that does what `op=` does to an element, if any.
pub(super) fn atomic_for_compound(op: BinOp) -> Option<AtomicOp> {
    Some(match op {
        BinOp::Add => AtomicOp::FetchAdd,
        BinOp::Sub => AtomicOp::FetchSub,
        BinOp::BitAnd => AtomicOp::FetchAnd,
        BinOp::BitOr => AtomicOp::FetchOr,
        BinOp::BitXor => AtomicOp::FetchXor,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_method_list_follows_the_table() {
        assert_eq!(
            super::atomic_methods(),
            "`load()`, `store(v)`, `fetch_add(v)`, `fetch_sub(v)`, `fetch_min(v)`, `fetch_max(v)`, `fetch_and(v)`, `fetch_or(v)`, `fetch_xor(v)`, `swap(v)` and `compare_exchange(current, new)`"
        );
    }
}
