//! Expressions with a value: literals, names and constants, operators,
//! casts, buffer loads, and the dispatch to the other constructs.

use quote::{quote, ToTokens};
use syn::spanned::Spanned;

use super::cas::CAS_FORMS;
use super::reject::{suffix_rejection, unsupported_expr};
use super::syntax::{
    compound_op, first_upper, has_generic_args, is_printf, path_names, plain_op, priority_path,
    strip_parens, token_ends,
};
use super::{Binding, Lowerer};
use crate::hir::*;
use crate::relocate::relocate_value;
use crate::sig::{is_priority, scalar_of, type_rejection, FnKind};
use crate::types::{Kind, Ty};

impl Lowerer<'_> {
    /// An expression whose value is used.
    pub(super) fn expr(&mut self, e: &syn::Expr) -> Expr {
        if !self.enter(e) {
            self.leave();
            return self.err_expr(e.span());
        }
        let mut r = self.expr_inner(e);
        self.leave();
        let (start, end) = token_ends(e);
        r.span = start;
        r.end = end;
        r
    }

    /// The expression itself; `expr` adds the depth limit and the spans.
    fn expr_inner(&mut self, e: &syn::Expr) -> Expr {
        let span = e.span();
        match e {
            syn::Expr::Lit(l) => self.lit(&l.lit),
            syn::Expr::Path(p) => self.path_expr(p),
            syn::Expr::Paren(p) => self.expr(&p.expr),
            syn::Expr::Group(g) => self.expr(&g.expr),
            syn::Expr::Unary(u) => match u.op {
                syn::UnOp::Neg(_) => {
                    let v = self.expr(&u.expr);
                    let ty = v.ty;
                    self.mk(ExprKind::Unary(UnOp::Neg, Box::new(v)), ty, span)
                }
                syn::UnOp::Not(_) => {
                    let v = self.expr(&u.expr);
                    let ty = v.ty;
                    self.mk(ExprKind::Unary(UnOp::Not, Box::new(v)), ty, span)
                }
                syn::UnOp::Deref(_) => self.reject(e, "dereferencing (`*x`) is not supported: scalars are values, and buffers are indexed (`buf[i]`)"),
                _ => self.reject(e, "this operator is not supported in a handler"),
            },
            syn::Expr::Binary(b) => self.binary(b),
            syn::Expr::Cast(c) => self.cast(c),
            syn::Expr::Index(_) | syn::Expr::Field(_) if super::field::is_field(e) => {
                match self.struct_get(e) {
                    Some(v) => v,
                    None => self.load_field(e),
                }
            }
            syn::Expr::Index(_) if self.struct_row(e).is_some() => {
                match self.struct_get(e) {
                    Some(v) => v,
                    None => self.err_expr(span),
                }
            }
            syn::Expr::Index(ix) if self.array_of(&ix.expr).is_some() => {
                let Some(array) = self.array_of(&ix.expr) else {
                    return self.err_expr(span);
                };
                let index = self.array_index(&ix.index);
                let ty = self.locals.get(array).map(|i| i.ty).unwrap_or(Ty::Err);
                self.mk(ExprKind::Index(array, Box::new(index)), ty, span)
            }
            syn::Expr::Index(ix) => {
                let Some((buf, info)) = self.buffer_of(&ix.expr) else {
                    if self.poisoned(&ix.expr) {
                        return self.err_expr(span);
                    }
                    return self.reject(&ix.expr, "only buffer parameters and local arrays (`let a = [0u32; 8];`) can be indexed");
                };
                if info.access == Access::Atomic {
                    return self.reject(e, format!("`{}` holds atomics: read an element with `{}[i].load()` (or another atomic method)", info.name, info.name));
                }
                if info.structure.is_some() {
                    return self.reject(e, format!("whole structs are not values in a handler yet: read the fields you need (`{}[i].field`)", info.name));
                }
                let index = self.expr(&ix.index);
                self.expect(&index, Ty::S(ScalarType::U32), "buffer index");
                self.mk(ExprKind::Load(buf, Box::new(index)), Ty::S(info.elem), span)
            }
            syn::Expr::MethodCall(mc) => self.method_value(mc),
            syn::Expr::Call(c) => self.call(c, false),
            syn::Expr::Macro(m) => {
                if is_printf(&m.mac) {
                    self.reject(e, "`printf!` has no value; use it as a statement")
                } else {
                    self.reject_macro(&m.mac)
                }
            }
            syn::Expr::If(i) => self.if_value(i),
            syn::Expr::Match(m) => self.match_value(m),
            syn::Expr::Block(b) => {
                if let Some(label) = &b.label {
                    return self.reject(label, "labeled blocks are not supported; use `if`/`else` or a `bool` flag");
                }
                let block = self.block(&b.block, true);
                let ty = self.block_ty(&block);
                self.mk(ExprKind::Block(block), ty, span)
            }
            syn::Expr::Return(r) => {
                let value = match (&r.expr, self.kind) {
                    (None, _) => None,
                    (Some(v), FnKind::Opcode) => {
                        if matches!(strip_parens(v), syn::Expr::Tuple(t) if t.elems.is_empty()) {
                            None
                        } else {
                            self.cx.error(r, "a handler returns nothing: write `return;` (store results in a `&mut Buffer<T>`)");
                            None
                        }
                    }
                    (Some(v), FnKind::Device) => {
                        if let Some(ret) = self.ret_struct {
                            let s = self.return_struct(ret, v);
                            return self.mk(ExprKind::Diverge(Box::new(s)), Ty::Never, span);
                        }
                        let v = self.expr(v);
                        match self.ret {
                            Some(ret) => self.expect(&v, Ty::S(ret), "returned value"),
                            None => self.cx.soft("a value is returned from a function that returns nothing"),
                        }
                        Some(v)
                    }
                };
                self.mk(ExprKind::Diverge(Box::new(Stmt::Return(value))), Ty::Never, span)
            }
            syn::Expr::Break(b) => {
                if let Some(label) = &b.label {
                    return self.reject(label, "labeled `break` is not supported: it leaves the innermost loop only; use a `bool` flag to leave outer loops");
                }
                if let Some(v) = &b.expr {
                    return self.reject(v, "`break` with a value is not supported: assign the value to a `let mut` local declared before the loop, then `break`");
                }
                if self.loop_depth == 0 {
                    self.cx.soft("`break` outside of a loop");
                }
                self.mk(ExprKind::Diverge(Box::new(Stmt::Break)), Ty::Never, span)
            }
            syn::Expr::Continue(c) => {
                if let Some(label) = &c.label {
                    return self.reject(label, "labeled `continue` is not supported: it continues the innermost loop only; use a `bool` flag");
                }
                if self.loop_depth == 0 {
                    self.cx.soft("`continue` outside of a loop");
                }
                self.mk(ExprKind::Diverge(Box::new(Stmt::Continue)), Ty::Never, span)
            }
            syn::Expr::Tuple(t) if t.elems.is_empty() => self.mk(ExprKind::Block(Block::default()), Ty::Unit, span),
            _ => self.reject(e, unsupported_expr(e)),
        }
    }

    /// A literal: unsuffixed numbers get an inference variable.
    pub(super) fn lit(&mut self, lit: &syn::Lit) -> Expr {
        let span = lit.span();
        match lit {
            syn::Lit::Int(i) => {
                let suffix = i.suffix();
                let ty = match ScalarType::from_rust_name(suffix) {
                    _ if suffix.is_empty() => self.types.fresh(Kind::Int),
                    Some(s) if s.is_integer() => Ty::S(s),
                    Some(ScalarType::F32) => {
                        let v = i.base10_parse::<f32>().unwrap_or(0.0);
                        return self.mk(ExprKind::Lit(LitVal::Float(v)), Ty::S(ScalarType::F32), span);
                    }
                    _ => return self.reject(lit, suffix_rejection(suffix)),
                };
                // rustc checks the literal against its final type (the
                // function is compiled as Rust too); here it only has to
                // fit some integer type.
                let v = match i.base10_parse::<i128>() {
                    Ok(v) => v,
                    Err(_) => {
                        self.cx.soft("integer literal out of range");
                        0
                    }
                };
                let v = if (i128::from(i64::MIN)..=i128::from(u64::MAX)).contains(&v) {
                    v
                } else {
                    self.cx.soft("integer literal out of range");
                    0
                };
                self.mk(ExprKind::Lit(LitVal::Int(v)), ty, span)
            }
            syn::Lit::Float(f) => {
                let suffix = f.suffix();
                let ty = match ScalarType::from_rust_name(suffix) {
                    _ if suffix.is_empty() => self.types.fresh(Kind::Float),
                    Some(ScalarType::F32) => Ty::S(ScalarType::F32),
                    _ => return self.reject(lit, suffix_rejection(suffix)),
                };
                let v = f.base10_parse::<f32>().unwrap_or(0.0);
                self.mk(ExprKind::Lit(LitVal::Float(v)), ty, span)
            }
            syn::Lit::Bool(b) => self.mk(ExprKind::Lit(LitVal::Bool(b.value)), Ty::S(ScalarType::Bool), span),
            syn::Lit::Str(_) | syn::Lit::ByteStr(_) | syn::Lit::CStr(_) => self.reject(lit, "string literals do not exist on the GPU; print text with `vyre::printf!(\"…\", args)`, and use `u32` codes for data"),
            syn::Lit::Byte(_) | syn::Lit::Char(_) => self.reject(lit, "byte and character literals do not exist on the GPU (no `u8`/`char`); write the code point as a `u32` (`97` for 'a')"),
            _ => self.reject(lit, "this literal is not supported in a handler"),
        }
    }

    /// A name: a local, a `Priority::X`, or a constant read when the IR is
    /// built (typed by its path where it can be, else when `handler()` runs).
    fn path_expr(&mut self, p: &syn::ExprPath) -> Expr {
        let span = p.span();
        if p.qself.is_some() {
            return self.reject(
                p,
                "qualified paths (`<T as Trait>::X`) are not supported in handlers",
            );
        }
        if let Some(args) = has_generic_args(&p.path) {
            return self.reject(args, "generic arguments are not supported in handlers");
        }
        if let Some(ident) = p.path.get_ident() {
            let name = crate::sig::ident_name(ident);
            match self.lookup(&name) {
                Some(Binding::Local(l)) => {
                    let ty = self.locals.get(l).map(|i| i.ty).unwrap_or(Ty::Err);
                    return self.mk(ExprKind::Local(l), ty, span);
                }
                Some(Binding::Buffer(_)) => {
                    return self.reject(p, format!("`{name}` is a buffer: index it (`{name}[i]`), take its length (`{name}.len()`), or pass it to a #[device] function"));
                }
                Some(Binding::Array(_)) => {
                    return self.reject(p, format!("`{name}` is a local array: read and write its elements (`{name}[i as usize]`) or take its length (`{name}.len()`); whole arrays are not values"));
                }
                Some(Binding::Struct(_)) => {
                    return self.reject(p, format!("`{name}` is a struct local: read its fields (`{name}.field`), copy it (`let q = {name};`) or store it (`buf[i] = {name};`); a whole struct is not a value anywhere else"));
                }
                Some(Binding::Ctx) => {
                    return self.reject(p, format!("`{name}` is the context: call its methods (`{name}.lane()`, `{name}.spawn(…)`, …) or pass it to a #[device] function"));
                }
                Some(Binding::Cas { .. }) => {
                    return self.reject(
                        p,
                        format!("`{name}` is a compare_exchange result: {CAS_FORMS}"),
                    );
                }
                Some(Binding::Poisoned) => return self.err_expr(span),
                None => {
                    if !first_upper(&name) {
                        // rustc reports the unknown name on the original function.
                        self.cx.soft(format!("cannot find value `{name}`"));
                        return self.err_expr(span);
                    }
                }
            }
        }
        if let Some(priority) = priority_path(&p.path) {
            return match priority {
                Some(p) => self.mk(ExprKind::Prio(p), Ty::Prio, span),
                None => {
                    self.cx.soft("unknown priority");
                    self.err_expr(span)
                }
            };
        }
        // A constant: read when handler() builds the IR.
        let names = path_names(&p.path);
        let scalar = |n: &String| ScalarType::from_rust_name(n);
        let integer = names.first().and_then(scalar).filter(|s| s.is_integer());
        let ty = if names.iter().any(|n| scalar(n) == Some(ScalarType::F32)) {
            Ty::S(ScalarType::F32)
        } else if let (Some(s), 2) = (integer, names.len()) {
            // `u32::MAX`, `i32::MIN`; `BITS` is a `u32` on both.
            if names.get(1).map(String::as_str) == Some("BITS") {
                Ty::S(ScalarType::U32)
            } else {
                Ty::S(s)
            }
        } else {
            let path = relocate_value(&p.path);
            self.dyn_ty(quote!(::vyre::host::__private::const_type(&#path)))
        };
        let path = relocate_value(&p.path);
        self.mk(ExprKind::Const(path.to_token_stream()), ty, span)
    }

    /// `l op r`; compound assignments are statements.
    fn binary(&mut self, b: &syn::ExprBinary) -> Expr {
        let span = b.span();
        if compound_op(&b.op).is_some() {
            return self.reject(b, "an assignment has no value; write it as a statement");
        }
        let Some(op) = plain_op(&b.op) else {
            return self.reject(&b.op, "this operator is not supported in a handler");
        };
        let l = self.expr(&b.left);
        let r = self.expr(&b.right);
        let ty = if op.is_shift() {
            l.ty
        } else if op.is_logic() {
            self.expect(&l, Ty::S(ScalarType::Bool), "left operand");
            self.expect(&r, Ty::S(ScalarType::Bool), "right operand");
            Ty::S(ScalarType::Bool)
        } else if op.is_comparison() {
            self.expect(&r, l.ty, "right operand");
            Ty::S(ScalarType::Bool)
        } else {
            self.expect(&r, l.ty, "right operand");
            l.ty
        };
        self.mk(ExprKind::Binary(op, Box::new(l), Box::new(r)), ty, span)
    }

    /// `v as T` to a scalar.
    fn cast(&mut self, c: &syn::ExprCast) -> Expr {
        let span = c.span();
        // `usize` exists for array indices: a `u32` here (see `array.rs`).
        if super::array::is_usize(&c.ty) {
            return self.usize_cast(&c.expr);
        }
        let Some(to) = scalar_of(&c.ty) else {
            if is_priority(&c.ty) {
                return self.reject(&c.ty, "cannot cast to `Priority`; use `Priority::X` constants, or pass a `u32` priority to `ctx.spawn`");
            }
            return self.reject(
                &c.ty,
                format!("cannot cast to this type: {}", type_rejection(&c.ty)),
            );
        };
        let v = self.expr(&c.expr);
        // rustc uses the target type as a hint for unsuffixed literals.
        if let Ty::Var(_) = self.types.resolve(v.ty) {
            let _ = self.unify(v.ty, Ty::S(to));
        }
        self.mk(ExprKind::Cast(to, Box::new(v)), Ty::S(to), span)
    }
}
