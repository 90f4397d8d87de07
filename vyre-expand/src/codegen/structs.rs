//! Struct locals and struct fields: the code that builds a struct
//! local's leaves (`StructLocal`, `host::__private`), sets and copies them,
//! stores a struct to a buffer, and writes one field of a buffer's struct.
//! A struct local is one IR local per leaf; the generated code resolves
//! the leaves from the struct's `Element::LAYOUT` when `handler()` runs,
//! so the layout stays rustc's (the macro never sees the struct's fields).

use proc_macro2::TokenStream;
use quote::{format_ident, quote, ToTokens};

use super::{Gen, Out};
use crate::hir::*;
use crate::ir_tokens::IrTokens;
use crate::types::Final;

impl Gen<'_> {
    /// A struct local's `StructLocal`, or a view into it through arrays of
    /// structs (`a[j]`, `p.all[j]`: each index evaluated here, in order,
    /// into a local unless it is a constant, since each leaf accessed
    /// reads it).
    pub(super) fn struct_ref(&mut self, r: &StructRef, out: &mut Out) -> TokenStream {
        let mut ts = Self::struct_var(r.s).to_token_stream();
        for (prefix, index) in &r.steps {
            let t = self.expr(index, out);
            let t = if Self::is_constant(index) {
                t
            } else {
                self.spill(t, Final::S(ScalarType::U32), out)
            };
            ts = if prefix.is_empty() {
                quote!(#ts.row(#t)?)
            } else {
                quote!(#ts.view(&[#(#prefix),*], ::std::vec![#t])?)
            };
        }
        ts
    }

    /// The Rust variable holding struct local `s`'s leaves.
    pub(crate) fn struct_var(s: StructIdx) -> syn::Ident {
        format_ident!("__s{}", s)
    }

    /// The Rust variable holding a `#[device]` function's struct argument
    /// `k` (parameter order).
    pub(crate) fn struct_param_var(k: usize) -> syn::Ident {
        format_ident!("__p{}", k)
    }

    /// The `FieldRef` of a struct field access, resolved from the struct's
    /// layout when `handler()` runs (`element`: the array index's tokens).
    pub(super) fn field_ref(
        &self,
        fa: &FieldAccess,
        rows: Vec<TokenStream>,
        element: Option<TokenStream>,
    ) -> TokenStream {
        let t = &fa.structure;
        let path = &fa.path;
        let element = match element {
            Some(e) => quote!(::core::option::Option::Some(#e)),
            None => quote!(::core::option::Option::None),
        };
        if rows.is_empty() {
            return quote!(::vyre::host::__private::field_ref(<#t as ::vyre::Element>::LAYOUT, &[#(#path),*], #element)?);
        }
        quote!(::vyre::host::__private::field_ref_in(<#t as ::vyre::Element>::LAYOUT, &[#(#path),*], ::std::vec![#(#rows),*], #element)?)
    }

    /// `let s = init;` of struct local `s`: the `StructLocal` (or array of
    /// them) made with its name and layout, then its leaves' initial values.
    pub(super) fn let_struct(&mut self, s: StructIdx, init: &StructInit, out: &mut Out) {
        let var = Self::struct_var(s);
        let (name, ty, mutable, count) = self
            .structs
            .get(s)
            .map(|i| (i.name.clone(), i.ty.clone(), i.mutable, i.count.clone()))
            .unwrap_or_else(|| (String::new(), syn::parse_quote!(u32), false, None));
        let stmts = self.struct_init(&var, init, out);
        let new = match count {
            None => {
                quote!(::vyre::host::__private::StructLocal::new(__cx, #name, <#ty as ::vyre::Element>::LAYOUT, #mutable))
            }
            Some(n) => {
                // The limit, checked when the crate compiles, on
                // the length's tokens.
                let span = n
                    .clone()
                    .into_iter()
                    .next()
                    .map_or_else(proc_macro2::Span::call_site, |t| t.span());
                out.push(quote::quote_spanned! {span=>
                    const {
                        ::core::assert!(
                            ::vyre::host::__private::struct_array_fits(<#ty as ::vyre::Element>::LAYOUT, #n),
                            "a local array of structs is too large: it is one local array per field, holding the length times the field's array length, and a local array holds 1 to 1024 values (it lives in each lane's private memory); use fewer elements or a buffer"
                        )
                    };
                });
                quote!(::vyre::host::__private::StructLocal::new_array(__cx, #name, <#ty as ::vyre::Element>::LAYOUT, #n, #mutable))
            }
        };
        out.push(quote! {
            let #var = #new?;
            __blk.extend(#stmts);
        });
    }

    /// The statements that give struct local `var` its initial leaves.
    fn struct_init(&mut self, var: &syn::Ident, init: &StructInit, out: &mut Out) -> TokenStream {
        match init {
            StructInit::Row(r) => {
                let src = self.struct_ref(r, out);
                quote!(#var.copy_of(&#src))
            }
            StructInit::Repeat(q) => {
                let src = Self::struct_var(*q);
                quote!(#var.repeat(&#src))
            }
            StructInit::List(qs) => {
                let srcs = qs.iter().map(|q| Self::struct_var(*q));
                quote!(#var.list(&[#(&#srcs),*])?)
            }
            StructInit::Buffer(b, i) => {
                let it = self.expr(i, out);
                let it = self.spill(it, Final::S(ScalarType::U32), out);
                let buffer = self.buf_id(*b);
                quote!(#var.load(#buffer, &#it))
            }
            StructInit::Copy(q) => {
                let src = Self::struct_var(*q);
                quote!(#var.copy_of(&#src))
            }
            StructInit::Param(k) => {
                let src = Self::struct_param_var(*k);
                quote!(#var.copy_of(&#src))
            }
            StructInit::Zero => quote!(#var.zeroed()),
            StructInit::Call(d) => {
                // The call appends the function's body; its result
                // local is then copied leaf by leaf.
                let call = self.device_call(d, out);
                let name = d.name();
                let src = self.var();
                out.push(quote!(let #src = ::vyre::host::__private::device_struct(#name, #call)?;));
                quote!(#var.copy_of(&#src))
            }
            StructInit::LocalField(q, path) => {
                let src = self.struct_ref(q, out);
                quote!(#var.copy_at(&#src, &[#(#path),*])?)
            }
            StructInit::BufferField(b, parent, i, path) => {
                let it = self.expr(i, out);
                let it = self.spill(it, Final::S(ScalarType::U32), out);
                let buffer = self.buf_id(*b);
                quote!(#var.load_at(#buffer, &#it, ::vyre::host::__private::field_word(<#parent as ::vyre::Element>::LAYOUT, &[#(#path),*])?))
            }
            StructInit::Literal(fields) => {
                // Every value in the order written, then the leaves.
                let mut refs: Vec<&Expr> = Vec::new();
                for (_, f) in fields {
                    match f {
                        LeafInit::Value(x) | LeafInit::Repeat(x) => refs.push(x),
                        LeafInit::List(xs) => refs.extend(xs.iter()),
                        LeafInit::Local(_) => {}
                    }
                }
                let mut ts = self.operands(&refs, out).into_iter();
                let mut next = || ts.next().unwrap_or_else(Self::unit_value);
                let entries: Vec<TokenStream> = fields
                    .iter()
                    .map(|(path, f)| {
                        let init = match f {
                            LeafInit::Value(_) => {
                                let t = next();
                                quote!(::vyre::host::__private::FieldInit::Value(#t))
                            }
                            LeafInit::Repeat(_) => {
                                let t = next();
                                quote!(::vyre::host::__private::FieldInit::Repeat(#t))
                            }
                            LeafInit::List(xs) => {
                                let ts: Vec<TokenStream> = xs.iter().map(|_| next()).collect();
                                quote!(::vyre::host::__private::FieldInit::List(::std::vec![#(#ts),*]))
                            }
                            LeafInit::Local(q) => {
                                let src = Self::struct_var(*q);
                                quote!(::vyre::host::__private::FieldInit::Local(::core::clone::Clone::clone(&#src)))
                            }
                        };
                        quote!((::std::vec![#(#path),*], #init))
                    })
                    .collect();
                quote!(#var.literal(::std::vec![#(#entries),*])?)
            }
        }
    }

    /// `r.path = v` or `r.path op= v` (`element`: the index into an array
    /// field).
    pub(super) fn struct_set(
        &mut self,
        r: &StructRef,
        path: &[String],
        element: Option<&Expr>,
        op: Option<BinOp>,
        v: &Expr,
        out: &mut Out,
    ) {
        // An element's view is made once, for the read and the
        // write of `op=`.
        let var = match r.is_view() {
            false => Self::struct_var(r.s),
            true => {
                let var = self.var();
                let view = self.struct_ref(r, out);
                out.push(quote!(let #var = #view;));
                var
            }
        };
        match op {
            None => {
                let mut refs: Vec<&Expr> = element.into_iter().collect();
                refs.push(v);
                let mut ts = self.operands(&refs, out).into_iter();
                let et = element.as_ref().and_then(|_| ts.next());
                let vt = ts.next().unwrap_or_else(Self::unit_value);
                // Through an element of an array of structs the
                // store's index checks its subscripts before the
                // value is evaluated: the value goes first, as in
                // a store to a plain array.
                let vt = if r.is_view() && !Self::is_constant(v) {
                    let ty = self.fin(v);
                    self.spill(vt, ty, out)
                } else {
                    vt
                };
                let et = Self::option(et);
                out.push(quote!(__blk.push(#var.set(&[#(#path),*], #et, #vt)?);));
            }
            Some(op) => {
                let ev = element.as_ref().map(|e| self.index_var(e, out));
                let vt = self.expr(v, out);
                let (vt, ty) = if op.is_shift() {
                    (self.to_u32(v, vt), Final::S(ScalarType::U32))
                } else {
                    (vt, self.fin(v))
                };
                // As for `=`: the value before the subscripts.
                let vt = if r.is_view() && !Self::is_constant(v) {
                    self.spill(vt, ty, out)
                } else {
                    vt
                };
                let clone = |x: &syn::Ident| quote!(::core::clone::Clone::clone(&#x));
                let read = Self::option(ev.as_ref().map(clone));
                let write = Self::option(ev.as_ref().map(clone));
                let opi = op.ir_tokens();
                out.push(quote! {
                    __blk.push(#var.set(&[#(#path),*], #write, ::vyre::ir::Expr::Binary {
                        op: #opi,
                        lhs: ::std::boxed::Box::new(#var.get(&[#(#path),*], #read)?),
                        rhs: ::std::boxed::Box::new(#vt),
                    })?);
                });
            }
        }
    }

    /// `p.path[j] = q.from[k]` (`dst` is `(p, path)`, `src` is `(q, from)`):
    /// an element of a scalar array field, or a whole element of an array of
    /// structs, copied from another.
    pub(super) fn assign_element(
        &mut self,
        (p, path): (&StructRef, &[String]),
        j: &Expr,
        (q, from): (&StructRef, &[String]),
        k: &Expr,
        out: &mut Out,
    ) {
        let u32t = Final::S(ScalarType::U32);
        let dst = self.struct_ref(p, out);
        let jt = self.expr(j, out);
        let jt = self.spill(jt, u32t, out);
        let src = self.struct_ref(q, out);
        let kt = self.expr(k, out);
        let kt = self.spill(kt, u32t, out);
        out.push(quote!(__blk.extend(#dst.assign_element(&[#(#path),*], #jt, &#src, &[#(#from),*], #kt)?);));
    }

    /// `p.path = q.from`: a struct (or nested struct) copied leaf by leaf.
    pub(super) fn assign_struct(
        &mut self,
        p: &StructRef,
        path: &[String],
        q: &StructRef,
        from: &[String],
        out: &mut Out,
    ) {
        let dst = self.struct_ref(p, out);
        let src = self.struct_ref(q, out);
        out.push(quote!(__blk.extend(#dst.assign_path(&[#(#path),*], &#src, &[#(#from),*])?);));
    }

    /// `buffer[i] = s`: every leaf of struct local `s` stored.
    pub(super) fn store_struct(&mut self, b: BufIdx, i: &Expr, s: StructIdx, out: &mut Out) {
        let it = self.expr(i, out);
        let it = self.spill(it, Final::S(ScalarType::U32), out);
        let buffer = self.buf_id(b);
        let var = Self::struct_var(s);
        out.push(quote!(__blk.extend(#var.store(#buffer, &#it));));
    }

    /// `buffer[i].field = v` or `op= v`.
    pub(super) fn store_field(
        &mut self,
        fa: &FieldAccess,
        op: Option<BinOp>,
        v: &Expr,
        out: &mut Out,
    ) {
        let buffer = self.buf_id(fa.buf);
        match op {
            None => {
                let mut refs: Vec<&Expr> = vec![&fa.index];
                refs.extend(fa.subscripts());
                refs.push(v);
                let mut ts = self.operands(&refs, out).into_iter();
                let it = ts.next().unwrap_or_else(Self::unit_value);
                let rows: Vec<TokenStream> = ts.by_ref().take(fa.rows.len()).collect();
                let et = fa.element.as_ref().and_then(|_| ts.next());
                let vt = ts.next().unwrap_or_else(Self::unit_value);
                let field = self.field_ref(fa, rows, et);
                Self::push(
                    out,
                    quote!(::vyre::ir::Stmt::StoreField { buffer: #buffer, index: #it, field: #field, value: #vt }),
                );
            }
            Some(op) => {
                // The index (and array index) once, into
                // temporaries: `buf[i].f op= v` is
                // `buf[i].f = buf[i].f op v`.
                let iv = self.index_var(&fa.index, out);
                let rvs: Vec<syn::Ident> = fa.rows.iter().map(|r| self.index_var(r, out)).collect();
                let ev = fa.element.as_ref().map(|e| self.index_var(e, out));
                let vt = self.expr(v, out);
                let vt = if op.is_shift() {
                    self.to_u32(v, vt)
                } else {
                    vt
                };
                let clone = |x: &syn::Ident| quote!(::core::clone::Clone::clone(&#x));
                let read =
                    self.field_ref(fa, rvs.iter().map(clone).collect(), ev.as_ref().map(clone));
                let write =
                    self.field_ref(fa, rvs.iter().map(clone).collect(), ev.as_ref().map(clone));
                let opi = op.ir_tokens();
                let ic = clone(&iv);
                Self::push(
                    out,
                    quote!(::vyre::ir::Stmt::StoreField {
                        buffer: #buffer,
                        index: #ic,
                        field: #write,
                        value: ::vyre::ir::Expr::Binary {
                            op: #opi,
                            lhs: ::std::boxed::Box::new(::vyre::ir::Expr::LoadField { buffer: #buffer, index: ::std::boxed::Box::new(#iv), field: #read }),
                            rhs: ::std::boxed::Box::new(#vt),
                        },
                    }),
                );
            }
        }
    }
}
