//! Local arrays: `let a = [v; N];` and `let a = [x, y, z];` declare one,
//! `a[i]` reads an element, `a[i] = v` and `a[i] op= v` write one,
//! `a.len()` is its length. Rust indexes arrays by `usize`, which the GPU
//! does not have: an index is a `u32` in the IR, written in Rust as an
//! integer literal, `e as usize`, an array's `len()`, or arithmetic on
//! those (`(top + 1) as usize`, `a.len() - 1`); `e as usize` of a 64-bit
//! value saturates to `u32::MAX`, so a value Rust finds out of bounds is
//! out of bounds in the IR too.

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use syn::spanned::Spanned;

use super::syntax::strip_parens;
use super::{Binding, Lowerer};
use crate::hir::*;
use crate::sig::scalar_of;
use crate::types::Ty;

impl Lowerer<'_> {
    /// The local array `e` names, if it is a plain name of one.
    pub(super) fn array_of(&self, e: &syn::Expr) -> Option<LocalIdx> {
        match self.binding_of(e)? {
            Binding::Array(a) => Some(a),
            _ => None,
        }
    }

    /// `let [mut] name[: [T; N]] = [v; N]` or `= [x, y, …]`.
    pub(super) fn let_array(
        &mut self,
        name: Option<String>,
        mutable: bool,
        annotation: Option<&syn::Type>,
        init: &syn::Expr,
        out: &mut Vec<Stmt>,
    ) {
        let Some(name) = name else {
            self.cx
                .error(init, "bind the array to a name (`let a = [0u32; 8];`)");
            return;
        };
        let Some((len, init, elem)) = self.array_parts(annotation, init) else {
            // Uses of the name are not reported again.
            self.bind(&name, Binding::Poisoned);
            return;
        };
        // Every element has one type: the annotation's, else the first
        // value's, unified with the rest.
        let values: Vec<&Expr> = match &init {
            ArrayInit::Repeat(v) => vec![v],
            ArrayInit::List(vs) => vs.iter().collect(),
        };
        let ty = elem.unwrap_or_else(|| values.first().map_or(Ty::Err, |v| v.ty));
        for v in &values {
            self.expect(v, ty, "array element");
        }
        let idx = self.new_local(&name, ty, mutable);
        if let Some(l) = self.locals.get_mut(idx) {
            l.array = Some(len);
        }
        out.push(Stmt::LetArray(idx, init));
        self.bind(&name, Binding::Array(idx));
    }

    /// The length, elements and annotated element type of an array
    /// initialiser, or `None` after reporting what is wrong.
    fn array_parts(
        &mut self,
        annotation: Option<&syn::Type>,
        init: &syn::Expr,
    ) -> Option<(TokenStream, ArrayInit, Option<Ty>)> {
        let elem = match annotation {
            None => None,
            Some(syn::Type::Array(a)) => match scalar_of(&a.elem) {
                Some(s) => Some(Ty::S(s)),
                None => {
                    self.cx.error(&a.elem, "array elements are scalars here: `u32`, `i32`, `f32`, `u64`, `i64` or `bool`");
                    return None;
                }
            },
            Some(other) => {
                self.cx.error(other, "an array is annotated `[T; N]`");
                return None;
            }
        };
        match init {
            syn::Expr::Repeat(r) => {
                let len = self.array_length(&r.len)?;
                Some((len, ArrayInit::Repeat(self.expr(&r.expr)), elem))
            }
            syn::Expr::Array(a) => {
                let max = vyre_lang::limits::MAX_ARRAY_LEN;
                let n = a.elems.len();
                if n == 0 || n > max as usize {
                    self.cx.error(a, format!("{n} elements: a local array has 1 to {max} (it lives in each lane's private memory); use a buffer for more"));
                    return None;
                }
                let n = n as u32;
                let values = a.elems.iter().map(|e| self.expr(e)).collect();
                Some((quote!(#n), ArrayInit::List(values), elem))
            }
            _ => None,
        }
    }

    /// The length of `[v; len]` as tokens of a `u32` expression: a literal
    /// (checked here against the limit) or a constant (checked when
    /// `handler()` runs).
    pub(super) fn array_length(&mut self, len: &syn::Expr) -> Option<TokenStream> {
        match strip_parens(len) {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Int(i),
                ..
            }) => {
                let n = i.base10_parse::<u64>().unwrap_or(u64::MAX);
                let max = vyre_lang::limits::MAX_ARRAY_LEN;
                if n == 0 || n > u64::from(max) {
                    self.cx.error(len, format!("a local array has 1 to {max} elements (it lives in each lane's private memory); use a buffer for more"));
                    return None;
                }
                // Spanned on the length, for the errors of checks made on it
                // when the crate compiles.
                let n = syn::LitInt::new(&format!("{n}u32"), i.span());
                Some(quote!(#n))
            }
            syn::Expr::Path(p)
                if p.qself.is_none()
                    && p.path
                        .get_ident()
                        .is_none_or(|i| self.lookup(&crate::sig::ident_name(i)).is_none()) =>
            {
                // A constant: its value is read when the IR is built.
                let path = p.to_token_stream();
                Some(quote::quote_spanned!(p.span()=> ::vyre::host::__private::array_len(#path)))
            }
            other => {
                self.cx.error(other, "the length of a local array is a constant: an integer literal or a `const` (`[0u32; 32]`, `[0u32; DEPTH]`)");
                None
            }
        }
    }

    /// An array index (`usize` in Rust) as the IR's `u32`.
    pub(super) fn array_index(&mut self, index: &syn::Expr) -> Expr {
        let e = self.usize_expr(index);
        self.expect(&e, Ty::S(ScalarType::U32), "array index");
        e
    }

    /// A `usize` expression of Rust as a `u32` one: `e as usize` becomes
    /// `e as u32` (saturating for 64-bit `e`), arithmetic and parentheses
    /// go inside, everything else lowers as usual.
    fn usize_expr(&mut self, e: &syn::Expr) -> Expr {
        match e {
            syn::Expr::Paren(p) => self.usize_expr(&p.expr),
            syn::Expr::Cast(c) if is_usize(&c.ty) => self.usize_cast(&c.expr),
            syn::Expr::Binary(b)
                if matches!(
                    b.op,
                    syn::BinOp::Add(_) | syn::BinOp::Sub(_) | syn::BinOp::Mul(_)
                ) =>
            {
                let span = e.span();
                let op = match b.op {
                    syn::BinOp::Add(_) => BinOp::Add,
                    syn::BinOp::Sub(_) => BinOp::Sub,
                    _ => BinOp::Mul,
                };
                let l = self.usize_expr(&b.left);
                let r = self.usize_expr(&b.right);
                self.expect(&l, Ty::S(ScalarType::U32), "array index");
                self.expect(&r, Ty::S(ScalarType::U32), "array index");
                self.mk(
                    ExprKind::Binary(op, Box::new(l), Box::new(r)),
                    Ty::S(ScalarType::U32),
                    span,
                )
            }
            other => self.expr(other),
        }
    }

    /// `v as usize` as a `u32`: `v` itself for `u32`, a cast for `i32`
    /// (negative values become large and fall out of bounds, as in Rust),
    /// and `min(v, u32::MAX)` for `u64`/`i64`.
    pub(super) fn usize_cast(&mut self, v: &syn::Expr) -> Expr {
        let span = v.span();
        let value = self.expr(v);
        let u32t = Ty::S(ScalarType::U32);
        if let Ty::Var(_) = self.types.resolve(value.ty) {
            let _ = self.unify(value.ty, u32t);
        }
        match self.types.resolve(value.ty) {
            Ty::S(w @ (ScalarType::U64 | ScalarType::I64 | ScalarType::I32)) => {
                // As u64, a negative i64 (or i32, sign-extended) is above
                // u32::MAX too: it saturates, as Rust's huge usize does in
                // the fault it reports.
                let wide = if w != ScalarType::U64 {
                    self.mk(
                        ExprKind::Cast(ScalarType::U64, Box::new(value)),
                        Ty::S(ScalarType::U64),
                        span,
                    )
                } else {
                    value
                };
                let max = self.mk(
                    ExprKind::Lit(LitVal::Int(i128::from(u32::MAX))),
                    Ty::S(ScalarType::U64),
                    span,
                );
                let clamped = self.mk(
                    ExprKind::Intrinsic(Intrinsic::Min, vec![wide, max]),
                    Ty::S(ScalarType::U64),
                    span,
                );
                self.mk(
                    ExprKind::Cast(ScalarType::U32, Box::new(clamped)),
                    u32t,
                    span,
                )
            }
            _ => self.mk(ExprKind::Cast(ScalarType::U32, Box::new(value)), u32t, span),
        }
    }
}

/// Whether a type is `usize`.
pub(super) fn is_usize(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.qself.is_none() && p.path.is_ident("usize"))
}
