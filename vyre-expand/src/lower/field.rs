//! Fields of struct buffers: `buf[i].a.b` reads one scalar of element `i`,
//! `buf[i].a.b[j]` an element of an array field; `buf[i].f = v` and
//! `buf[i].f op= v` write one. The macro cannot see the struct's fields
//! (another derive defines them), so a field's type is known when
//! `handler()` runs (`__private::field_type`), and its place there too
//! (`__private::field_ref`); rustc has checked the field exists and has
//! that shape on the original function.

use syn::spanned::Spanned;

use super::syntax::strip_parens;
use super::Lowerer;
use crate::hir::*;
use crate::types::Ty;

/// The syntax of a field access: the buffer expression, the element
/// index, the field names, the indices into arrays of structs on the path
/// (`all[j]` of `buf[i].all[j].id`), the array index.
struct Place<'e> {
    base: &'e syn::Expr,
    index: &'e syn::Expr,
    path: Vec<String>,
    rows: Vec<&'e syn::Expr>,
    element: Option<&'e syn::Expr>,
}

/// `base[index].a.b` (and `…[element]`), if `e` has that shape.
fn place(e: &syn::Expr) -> Option<Place<'_>> {
    match strip_parens(e) {
        syn::Expr::Index(ix) => {
            let inner = place(&ix.expr)?;
            if inner.element.is_some() {
                return None;
            }
            Some(Place {
                element: Some(&ix.index),
                ..inner
            })
        }
        syn::Expr::Field(f) => {
            let syn::Member::Named(name) = &f.member else {
                return None;
            };
            let name = crate::sig::ident_name(name);
            match strip_parens(&f.base) {
                syn::Expr::Index(ix) if !matches!(strip_parens(&ix.expr), syn::Expr::Field(_)) => {
                    Some(Place {
                        base: &ix.expr,
                        index: &ix.index,
                        path: vec![name],
                        rows: Vec::new(),
                        element: None,
                    })
                }
                base => {
                    let mut inner = place(base)?;
                    // `….all[j].id`: the index was into an array of
                    // structs.
                    if let Some(row) = inner.element.take() {
                        inner.rows.push(row);
                    }
                    inner.path.push(name);
                    Some(inner)
                }
            }
        }
        _ => None,
    }
}

/// The expression a chain of fields and indices starts from (`p` of
/// `p.a[1].b`).
pub(super) fn root(e: &syn::Expr) -> &syn::Expr {
    match strip_parens(e) {
        syn::Expr::Field(f) => root(&f.base),
        syn::Expr::Index(ix) => root(&ix.expr),
        other => other,
    }
}

/// `base[index].a.b` without an array index: the buffer expression, the
/// index and the field names.
pub(super) fn nested_place(e: &syn::Expr) -> Option<(&syn::Expr, &syn::Expr, Vec<String>)> {
    let p = place(e)?;
    if p.element.is_some() || !p.rows.is_empty() {
        return None;
    }
    Some((p.base, p.index, p.path))
}

/// Whether `e` reads or writes a field (`x.f`, `x.f[j]`).
pub(super) fn is_field(e: &syn::Expr) -> bool {
    match strip_parens(e) {
        syn::Expr::Field(_) => true,
        syn::Expr::Index(ix) => matches!(strip_parens(&ix.expr), syn::Expr::Field(_)),
        _ => false,
    }
}

impl Lowerer<'_> {
    /// The field access `e` is, lowered: `None` after reporting why it
    /// cannot be one.
    pub(super) fn field_access(&mut self, e: &syn::Expr) -> Option<(FieldAccess, Ty)> {
        let Some(p) = place(e) else {
            if !self.poisoned(root(e)) {
                self.cx.error(e, "this field access is not supported: handlers reach fields of struct buffer elements (`buf[i].field`, `buf[i].field[j]`, nested `buf[i].a.b`) and of struct locals (`p.field`); indexing an array of structs is not supported yet: read the element's fields from a buffer of the element type");
            }
            return None;
        };
        let Some((buf, info)) = self.buffer_of(p.base) else {
            if !self.poisoned(p.base) {
                self.cx.error(p.base, "fields are read through a struct buffer's element (`buf[i].field`); struct values and locals are not supported in handlers yet");
            }
            return None;
        };
        let Some(structure) = info.structure.clone() else {
            self.cx.error(
                p.base,
                format!("`{}` holds `{}`, which has no fields", info.name, info.elem),
            );
            return None;
        };
        let index = self.expr(p.index);
        self.expect(&index, Ty::S(ScalarType::U32), "buffer index");
        let rows = p.rows.iter().map(|j| self.array_index(j)).collect();
        let element = p.element.map(|j| self.array_index(j));
        let path = p.path;
        let names = &path;
        let ty = self.types.dynamic(quote::quote!(
            ::vyre::host::__private::field_type(<#structure as ::vyre::Element>::LAYOUT, &[#(#names),*])
        ));
        Some((
            FieldAccess {
                buf,
                structure,
                index,
                path,
                rows,
                element,
            },
            ty,
        ))
    }

    /// `buf[i].field` as a value.
    pub(super) fn load_field(&mut self, e: &syn::Expr) -> Expr {
        let span = e.span();
        match self.field_access(e) {
            Some((fa, ty)) => self.mk(ExprKind::LoadField(Box::new(fa)), ty, span),
            None => self.err_expr(span),
        }
    }

    /// `buf[i].field = right` (or `op=`).
    pub(super) fn store_field(
        &mut self,
        left: &syn::Expr,
        right: &syn::Expr,
        op: Option<BinOp>,
        out: &mut Vec<Stmt>,
    ) {
        let Some((fa, ty)) = self.field_access(left) else {
            return;
        };
        if let Some(info) = self.bufs.get(fa.buf) {
            if info.access != Access::ReadWrite {
                let name = info.name.clone();
                self.cx.error(left, format!("`{name}` is read-only (`&Buffer<…>`): take it as `&mut Buffer<…>` to store into it"));
                return;
            }
        }
        let value = self.expr(right);
        if !op.is_some_and(BinOp::is_shift) {
            self.expect(&value, ty, "stored value");
        }
        out.push(Stmt::StoreField(Box::new(fa), op, value));
    }
}
