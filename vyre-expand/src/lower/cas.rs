//! `buf[i].compare_exchange(current, new)` and the forms of its `Result`
//! that lower to a flag: `let r = …`, `match`, `if let`, `is_ok()` and
//! `is_err()`.

use proc_macro2::Span;
use syn::spanned::Spanned;

use super::branch::ArmBody;
use super::syntax::strip_parens;
use super::{Binding, Lowerer};
use crate::hir::*;
use crate::types::Ty;

impl Lowerer<'_> {
    /// `buf[i].compare_exchange(current, new)` with fresh `old` and
    /// `exchanged` locals (named after `name`).
    pub(super) fn cas(&mut self, e: &syn::Expr, name: Option<&str>) -> Option<Cas> {
        let syn::Expr::MethodCall(mc) = e else {
            self.cx
                .error(e, "expected `buf[i].compare_exchange(current, new)`");
            return None;
        };
        let syn::Expr::Index(ix) = strip_parens(&mc.receiver) else {
            self.cx.error(&mc.receiver, "`compare_exchange` applies to elements of atomic buffers: `buf[i].compare_exchange(current, new)`");
            return None;
        };
        let Some((buf, info)) = self.buffer_of(&ix.expr) else {
            if !self.poisoned(&ix.expr) {
                self.cx.error(
                    &ix.expr,
                    "only buffer parameters and local arrays (`let a = [0u32; 8];`) can be indexed",
                );
            }
            return None;
        };
        if info.access != Access::Atomic {
            self.cx.error(&mc.method, format!(
                "`compare_exchange` is an atomic method, but `{}` is `{}`; declare it `&Buffer<Atomic<{}>>` to use atomics",
                info.name, info.access.rust_form(info.elem), info.elem.rust_name()
            ));
            return None;
        }
        let (Some(cur), Some(new), 2) = (mc.args.first(), mc.args.get(1), mc.args.len()) else {
            self.cx
                .soft("compare_exchange takes the current and the new value");
            return None;
        };
        let elem = Ty::S(info.elem);
        let index = self.expr(&ix.index);
        self.expect(&index, Ty::S(ScalarType::U32), "buffer index");
        let current = self.expr(cur);
        self.expect(&current, elem, "current value");
        let new = self.expr(new);
        self.expect(&new, elem, "new value");
        let base = name.unwrap_or("cas");
        let old = self.new_local(&format!("{base}_old"), elem, false);
        let exchanged =
            self.new_local(&format!("{base}_exchanged"), Ty::S(ScalarType::Bool), false);
        Some(Cas {
            buf,
            index,
            current,
            new,
            old,
            exchanged,
        })
    }

    /// `.is_ok()`/`.is_err()` on a compare_exchange result: its flag, after
    /// `block` (which performs the compare_exchange, if not bound earlier).
    pub(super) fn cas_flag(
        &mut self,
        name: &str,
        mc: &syn::ExprMethodCall,
        mut block: Block,
        exchanged: LocalIdx,
    ) -> Expr {
        let span = mc.span();
        let flag = self.mk(ExprKind::Local(exchanged), Ty::S(ScalarType::Bool), span);
        let tail = match name {
            "is_ok" => flag,
            "is_err" => self.mk(
                ExprKind::Unary(UnOp::Not, Box::new(flag)),
                Ty::S(ScalarType::Bool),
                span,
            ),
            _ => {
                return self.reject(
                    &mc.method,
                    format!(
                        "`.{name}()` on a compare_exchange result is not supported: {CAS_FORMS}"
                    ),
                )
            }
        };
        if block.stmts.is_empty() {
            return tail;
        }
        block.tail = Some(Box::new(tail));
        self.mk(ExprKind::Block(block), Ty::S(ScalarType::Bool), span)
    }

    /// The compare_exchange a `match`/`if let` is about: the statements
    /// performing it (empty for a `let`-bound result), its locals and the
    /// element type.
    fn cas_scrutinee(&mut self, e: &syn::Expr) -> Option<(Vec<Stmt>, LocalIdx, LocalIdx, Ty)> {
        if is_cas_call(e) {
            let cas = self.cas(strip_parens(e), None)?;
            let (old, exchanged) = (cas.old, cas.exchanged);
            let elem = self.locals.get(old).map(|l| l.ty).unwrap_or(Ty::Err);
            return Some((vec![Stmt::Cas(Box::new(cas))], old, exchanged, elem));
        }
        match self.binding_of(e) {
            Some(Binding::Cas { old, exchanged }) => {
                let elem = self.locals.get(old).map(|l| l.ty).unwrap_or(Ty::Err);
                Some((Vec::new(), old, exchanged, elem))
            }
            _ => None,
        }
    }

    /// After `prelude`, the `Ok` or the `Err` block by the `exchanged` flag,
    /// as a statement or (with `want_value`) as the block's value.
    fn cas_dispatch(
        &mut self,
        prelude: Vec<Stmt>,
        exchanged: LocalIdx,
        ok: Block,
        err: Block,
        want_value: bool,
        span: Span,
    ) -> Block {
        let flag = self.mk(ExprKind::Local(exchanged), Ty::S(ScalarType::Bool), span);
        let mut block = Block {
            stmts: prelude,
            tail: None,
        };
        if want_value {
            let ot = self.block_ty(&ok);
            let et = self.block_ty(&err);
            if !self.unify(ot, et) {
                self.cx.soft("match arms have incompatible types");
            }
            let ty = if matches!(self.types.resolve(ot), Ty::Never) {
                et
            } else {
                ot
            };
            block.tail = Some(Box::new(self.mk(
                ExprKind::If(Box::new(flag), ok, err),
                ty,
                span,
            )));
        } else {
            block.stmts.push(Stmt::If(flag, ok, err));
        }
        block
    }

    /// `match` on a compare_exchange result; `None` when the scrutinee is
    /// something else.
    pub(super) fn cas_match(
        &mut self,
        m: &syn::ExprMatch,
        want_value: bool,
    ) -> Option<Option<Block>> {
        if !is_cas_call(&m.expr) && !matches!(self.binding_of(&m.expr), Some(Binding::Cas { .. })) {
            return None;
        }
        let (prelude, old, exchanged, elem) = self.cas_scrutinee(&m.expr)?;
        let mut ok: Option<Block> = None;
        let mut err: Option<Block> = None;
        let mut both: Option<Block> = None;
        let mut failed = false;
        for arm in &m.arms {
            if let Some((_, g)) = &arm.guard {
                self.cx.error(
                    g,
                    "match guards are not supported; test the condition inside the arm with `if`",
                );
                failed = true;
                continue;
            }
            let (which, binding) = match &arm.pat {
                syn::Pat::Wild(_) => (None, None),
                p => match result_arm_pattern(p) {
                    Some(r) => r,
                    None => {
                        self.cx.error(p, "the arms of a match on a compare_exchange result are `Ok(v)`, `Err(v)`, `Ok(v) | Err(v)` and `_`");
                        failed = true;
                        continue;
                    }
                },
            };
            let fill_ok = both.is_none() && which != Some(false) && ok.is_none();
            let fill_err = both.is_none() && which != Some(true) && err.is_none();
            let body = self.arm_block(binding, old, elem, ArmBody::Expr(&arm.body), want_value);
            match (fill_ok, fill_err) {
                // A leading `_` takes every outcome.
                (true, true) => both = Some(body),
                (true, false) => ok = Some(body),
                (false, true) => err = Some(body),
                // Unreachable arm (rustc warns): lowered for its errors only.
                (false, false) => {}
            }
        }
        if failed {
            return Some(None);
        }
        if let Some(mut body) = both {
            let mut stmts = prelude;
            stmts.append(&mut body.stmts);
            return Some(Some(Block {
                stmts,
                tail: body.tail,
            }));
        }
        let ok = ok.unwrap_or_default();
        let err = err.unwrap_or_default();
        Some(Some(self.cas_dispatch(
            prelude,
            exchanged,
            ok,
            err,
            want_value,
            m.span(),
        )))
    }

    /// `if let Ok(v) | Err(v) = <compare_exchange> { … } else { … }`.
    pub(super) fn if_let(
        &mut self,
        i: &syn::ExprIf,
        l: &syn::ExprLet,
        want_value: bool,
    ) -> Option<Block> {
        let Some((prelude, old, exchanged, elem)) = self.cas_scrutinee(&l.expr) else {
            self.cx.error(l, "`if let` is supported only on compare_exchange results (`if let Ok(v) = buf[i].compare_exchange(a, b)`): enums and `Option` do not exist on the GPU");
            return None;
        };
        let (ok_arm, binding) = match result_pattern(&l.pat) {
            Some(r) => r,
            None => {
                self.cx.error(
                    &l.pat,
                    "the pattern of `if let` on a compare_exchange result is `Ok(v)` or `Err(v)`",
                );
                return None;
            }
        };
        let Some(ok_arm) = ok_arm else {
            self.cx.error(
                &l.pat,
                "the pattern of `if let` on a compare_exchange result is `Ok(v)` or `Err(v)`",
            );
            return None;
        };
        let then = self.arm_block(
            binding,
            old,
            elem,
            ArmBody::Block(&i.then_branch),
            want_value,
        );
        let els = match &i.else_branch {
            None => {
                if want_value {
                    self.cx.error(
                        i,
                        "an `if let` without `else` has no value; add an `else` branch",
                    );
                }
                Block::default()
            }
            Some((_, e)) => self.else_block(e, want_value),
        };
        let (ok_block, err_block) = if ok_arm { (then, els) } else { (els, then) };
        Some(self.cas_dispatch(
            prelude,
            exchanged,
            ok_block,
            err_block,
            want_value,
            i.span(),
        ))
    }
}

pub(super) const CAS_FORMS: &str = "use it as `match buf[i].compare_exchange(a, b) { Ok(v) => …, Err(v) => … }`, `if let Ok(v) = …`, `….is_ok()` / `….is_err()`, or bind it with `let r = …;` and use `r` in those forms";

/// Whether an expression is `<atomic buffer>[i].compare_exchange(a, b)`
/// (syntactically).
pub(super) fn is_cas_call(e: &syn::Expr) -> bool {
    matches!(strip_parens(e), syn::Expr::MethodCall(mc) if mc.method == "compare_exchange")
}

/// A binding's name and mutability.
type NameBinding = (String, bool);

/// `Ok(p)` / `Err(p)`: (`Some(true)` for Ok, the binding name and
/// mutability if `p` is a name).
fn result_pattern(p: &syn::Pat) -> Option<(Option<bool>, Option<NameBinding>)> {
    let syn::Pat::TupleStruct(ts) = p else {
        return None;
    };
    if ts.qself.is_some() {
        return None;
    }
    let which = match ts.path.segments.last()?.ident.to_string().as_str() {
        "Ok" => true,
        "Err" => false,
        _ => return None,
    };
    if ts.elems.len() != 1 {
        return None;
    }
    let binding = match ts.elems.first()? {
        syn::Pat::Ident(pi) if pi.subpat.is_none() && pi.by_ref.is_none() => {
            Some((crate::sig::ident_name(&pi.ident), pi.mutability.is_some()))
        }
        syn::Pat::Wild(_) => None,
        _ => return None,
    };
    Some((Some(which), binding))
}

/// An arm of a match on a compare_exchange result: `Ok(p)`, `Err(p)`, or
/// `Ok(p) | Err(p)` (covering both: `None`), with the binding.
fn result_arm_pattern(p: &syn::Pat) -> Option<(Option<bool>, Option<NameBinding>)> {
    match p {
        syn::Pat::Or(o) => {
            let mut kinds = Vec::new();
            let mut binding: Option<Option<NameBinding>> = None;
            for case in &o.cases {
                let (which, b) = result_pattern(case)?;
                if binding.as_ref().is_some_and(|prev| *prev != b) {
                    return None;
                }
                binding = Some(b);
                kinds.extend(which);
            }
            let all_ok = kinds.iter().all(|k| *k);
            let all_err = kinds.iter().all(|k| !*k);
            let which = if all_ok {
                Some(true)
            } else if all_err {
                Some(false)
            } else {
                None
            };
            Some((which, binding.flatten()))
        }
        syn::Pat::Paren(inner) => result_arm_pattern(&inner.pat),
        _ => result_pattern(p),
    }
}
