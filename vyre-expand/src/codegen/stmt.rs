//! Statements and blocks.

use proc_macro2::TokenStream;
use quote::quote;

use super::{Gen, Mode, Out};
use crate::hir::*;
use crate::ir_tokens::IrTokens;
use crate::types::Final;

impl Gen<'_> {
    /// A `u32` index evaluated here, once, into a local, and a Rust
    /// variable holding that local's expression (for a read and a write of
    /// `op=`).
    fn index_var(&mut self, e: &Expr, out: &mut Out) -> syn::Ident {
        let t = self.expr(e, out);
        let t = self.spill(t, Final::S(ScalarType::U32), out);
        let v = self.var();
        out.push(quote!(let #v = #t;));
        v
    }

    /// A statement block.
    pub(crate) fn block(&mut self, b: &Block) -> TokenStream {
        self.value_block(b, None)
    }

    /// A block whose tail (if any) is assigned to `value`.
    pub(super) fn value_block(&mut self, b: &Block, value: Option<LocalIdx>) -> TokenStream {
        let mut inner = Vec::new();
        self.stmt_list(&b.stmts, &mut inner);
        let diverged = b.stmts.iter().any(Stmt::diverges);
        if let (Some(t), false) = (&b.tail, diverged) {
            let v = self.expr(t, &mut inner);
            if let (Some(tmp), false) = (value, matches!(self.fin(t), Final::Never | Final::Unit)) {
                let id = self.local_id(tmp);
                Self::push(
                    &mut inner,
                    quote!(::vyre::ir::Stmt::Assign { local: #id, value: #v }),
                );
            }
        }
        Self::wrap_block(inner)
    }

    /// A loop body (counted, for the early returns of device functions).
    fn loop_block(&mut self, b: &Block) -> TokenStream {
        self.loop_depth += 1;
        let t = self.block(b);
        self.loop_depth -= 1;
        t
    }

    /// `place[i] op= v` on a buffer or a local array: the index evaluated
    /// once (into a temporary unless it is a literal or a local and `v`
    /// pushes no statements), then `store(i, load(i) op v)`.
    fn compound_store(
        &mut self,
        i: &Expr,
        op: BinOp,
        v: &Expr,
        out: &mut Out,
        store: impl Fn(TokenStream, TokenStream) -> TokenStream,
        load: impl Fn(TokenStream) -> TokenStream,
    ) {
        let it = self.expr(i, out);
        let simple =
            matches!(i.kind, ExprKind::Lit(_) | ExprKind::Local(_)) && !self.has_prelude(v);
        let it = if simple {
            it
        } else {
            self.spill(it, Final::S(ScalarType::U32), out)
        };
        let iv = self.var();
        out.push(quote!(let #iv = #it;));
        let vt = self.expr(v, out);
        let vt = if op.is_shift() {
            self.to_u32(v, vt)
        } else {
            vt
        };
        let opi = op.ir_tokens();
        let read = load(quote!(#iv));
        let value = quote!(::vyre::ir::Expr::Binary {
            op: #opi,
            lhs: ::std::boxed::Box::new(#read),
            rhs: ::std::boxed::Box::new(#vt),
        });
        Self::push(out, store(quote!(::core::clone::Clone::clone(&#iv)), value));
    }

    /// Pushes the code of statement `s` to `out`.
    pub(super) fn stmt(&mut self, s: &Stmt, out: &mut Out) {
        match s {
            Stmt::Let(l, e) => {
                let v = self.expr(e, out);
                let id = self.local_id(*l);
                Self::push(out, quote!(::vyre::ir::Stmt::Let { local: #id, value: #v }));
            }
            Stmt::Assign(l, e) => {
                let v = self.expr(e, out);
                let id = self.local_id(*l);
                Self::push(
                    out,
                    quote!(::vyre::ir::Stmt::Assign { local: #id, value: #v }),
                );
            }
            Stmt::Store(b, i, v) => {
                let (it, vt) = self.operand_pair(i, v, out);
                let buffer = self.buf_id(*b);
                Self::push(
                    out,
                    quote!(::vyre::ir::Stmt::Store { buffer: #buffer, index: #it, value: #vt }),
                );
            }
            Stmt::CompoundStore(b, i, op, v) => {
                let buffer = self.buf_id(*b);
                self.compound_store(i, *op, v, out, |index, value| {
                    quote!(::vyre::ir::Stmt::Store { buffer: #buffer, index: #index, value: #value })
                }, |index| {
                    quote!(::vyre::ir::Expr::Load { buffer: #buffer, index: ::std::boxed::Box::new(#index) })
                });
            }
            Stmt::LetStruct(s, init) => {
                let var = Self::struct_var(*s);
                let (name, ty, mutable, count) = self
                    .structs
                    .get(*s)
                    .map(|i| (i.name.clone(), i.ty.clone(), i.mutable, i.count.clone()))
                    .unwrap_or_else(|| (String::new(), syn::parse_quote!(u32), false, None));
                let stmts = match init {
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
                };
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
            Stmt::StructSet(r, path, element, op, v) => {
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
                        let mut refs: Vec<&Expr> = element.iter().collect();
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
            Stmt::AssignElement(p, path, j, q, from, k) => {
                let u32t = Final::S(ScalarType::U32);
                let dst = self.struct_ref(p, out);
                let jt = self.expr(j, out);
                let jt = self.spill(jt, u32t, out);
                let src = self.struct_ref(q, out);
                let kt = self.expr(k, out);
                let kt = self.spill(kt, u32t, out);
                out.push(quote!(__blk.extend(#dst.assign_element(&[#(#path),*], #jt, &#src, &[#(#from),*], #kt)?);));
            }
            Stmt::AssignStruct(p, path, q, from) => {
                let dst = self.struct_ref(p, out);
                let src = self.struct_ref(q, out);
                out.push(
                    quote!(__blk.extend(#dst.assign_path(&[#(#path),*], &#src, &[#(#from),*])?);),
                );
            }
            Stmt::StoreStruct(b, i, s) => {
                let it = self.expr(i, out);
                let it = self.spill(it, Final::S(ScalarType::U32), out);
                let buffer = self.buf_id(*b);
                let var = Self::struct_var(*s);
                out.push(quote!(__blk.extend(#var.store(#buffer, &#it));));
            }
            Stmt::StoreField(fa, op, v) => {
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
                        let rvs: Vec<syn::Ident> =
                            fa.rows.iter().map(|r| self.index_var(r, out)).collect();
                        let ev = fa.element.as_ref().map(|e| self.index_var(e, out));
                        let vt = self.expr(v, out);
                        let vt = if op.is_shift() {
                            self.to_u32(v, vt)
                        } else {
                            vt
                        };
                        let clone = |x: &syn::Ident| quote!(::core::clone::Clone::clone(&#x));
                        let read = self.field_ref(
                            fa,
                            rvs.iter().map(clone).collect(),
                            ev.as_ref().map(clone),
                        );
                        let write = self.field_ref(
                            fa,
                            rvs.iter().map(clone).collect(),
                            ev.as_ref().map(clone),
                        );
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
            Stmt::LetArray(a, init) => {
                let array = self.local_id(*a);
                let init = match init {
                    ArrayInit::Repeat(v) => {
                        let vt = self.expr(v, out);
                        quote!(::vyre::ir::ArrayInit::Repeat(#vt))
                    }
                    ArrayInit::List(values) => {
                        let refs: Vec<&Expr> = values.iter().collect();
                        let ts = self.operands(&refs, out);
                        quote!(::vyre::ir::ArrayInit::List(::std::vec![#(#ts),*]))
                    }
                };
                Self::push(
                    out,
                    quote!(::vyre::ir::Stmt::LetArray { array: #array, init: #init }),
                );
            }
            Stmt::StoreIndex(a, i, v) => {
                let (it, vt) = self.operand_pair(i, v, out);
                let array = self.local_id(*a);
                Self::push(
                    out,
                    quote!(::vyre::ir::Stmt::StoreIndex { array: #array, index: #it, value: #vt }),
                );
            }
            Stmt::CompoundStoreIndex(a, i, op, v) => {
                let array = self.local_id(*a);
                self.compound_store(i, *op, v, out, |index, value| {
                    quote!(::vyre::ir::Stmt::StoreIndex { array: #array, index: #index, value: #value })
                }, |index| {
                    quote!(::vyre::ir::Expr::Index { array: #array, index: ::std::boxed::Box::new(#index) })
                });
            }
            Stmt::AtomicStore(b, i, v) => {
                let (it, vt) = self.operand_pair(i, v, out);
                let buffer = self.buf_id(*b);
                Self::push(
                    out,
                    quote!(::vyre::ir::Stmt::AtomicStore { buffer: #buffer, index: #it, value: #vt }),
                );
            }
            Stmt::Cas(c) => {
                let mut ts = self
                    .operands(&[&c.index, &c.current, &c.new], out)
                    .into_iter();
                let it = ts.next().unwrap_or_else(Self::unit_value);
                let cur = ts.next().unwrap_or_else(Self::unit_value);
                let new = ts.next().unwrap_or_else(Self::unit_value);
                let buffer = self.buf_id(c.buf);
                let old = self.local_id(c.old);
                let ex = self.local_id(c.exchanged);
                Self::push(
                    out,
                    quote!(::vyre::ir::Stmt::CompareExchange {
                        buffer: #buffer,
                        index: #it,
                        current: #cur,
                        new: #new,
                        old: #old,
                        exchanged: #ex,
                    }),
                );
            }
            Stmt::Eval(e) => {
                let pure_unit = matches!(self.fin(e), Final::Unit | Final::Never)
                    || matches!(
                        e.kind,
                        ExprKind::Block(_)
                            | ExprKind::If(..)
                            | ExprKind::Match(_)
                            | ExprKind::Diverge(_)
                    );
                let v = self.expr(e, out);
                if !pure_unit {
                    Self::push(out, quote!(::vyre::ir::Stmt::Eval(#v)));
                }
            }
            Stmt::If(c, t, f) => {
                let ct = self.expr(c, out);
                let tb = self.block(t);
                let fb = self.block(f);
                Self::push(
                    out,
                    quote!(::vyre::ir::Stmt::If { cond: #ct, then_body: #tb, else_body: #fb }),
                );
            }
            Stmt::Match(m) => {
                let s = self.switch(m, None, out);
                Self::push(out, s);
            }
            Stmt::For {
                var,
                start,
                end,
                inclusive,
                body,
            } => {
                let (st, et) = self.operand_pair(start, end, out);
                let id = self.local_id(*var);
                let body = self.loop_block(body);
                Self::push(
                    out,
                    quote!(::vyre::ir::Stmt::For {
                        var: #id,
                        start: #st,
                        end: #et,
                        inclusive: #inclusive,
                        body: #body,
                    }),
                );
            }
            Stmt::While(c, b) => {
                if self.has_prelude(c) {
                    // loop { <prelude>; if !c { break } <body> }
                    self.loop_depth += 1;
                    let mut inner = Vec::new();
                    let ct = self.expr(c, &mut inner);
                    Self::push(
                        &mut inner,
                        quote!(::vyre::ir::Stmt::If {
                            cond: ::vyre::ir::Expr::Unary { op: ::vyre::ir::UnOp::Not, operand: ::std::boxed::Box::new(#ct) },
                            then_body: ::vyre::ir::Block(::std::vec![::vyre::ir::Stmt::Break]),
                            else_body: ::vyre::ir::Block(::std::vec::Vec::new()),
                        }),
                    );
                    let body = self.block(b);
                    self.loop_depth -= 1;
                    Self::push(&mut inner, quote!(::vyre::ir::Stmt::Block(#body)));
                    let block = Self::wrap_block(inner);
                    Self::push(out, quote!(::vyre::ir::Stmt::Loop { body: #block }));
                } else {
                    let ct = self.expr(c, out);
                    let body = self.loop_block(b);
                    Self::push(
                        out,
                        quote!(::vyre::ir::Stmt::While { cond: #ct, body: #body }),
                    );
                }
            }
            Stmt::Loop(b) => {
                let body = self.loop_block(b);
                Self::push(out, quote!(::vyre::ir::Stmt::Loop { body: #body }));
            }
            Stmt::Break => Self::push(out, quote!(::vyre::ir::Stmt::Break)),
            Stmt::Continue => Self::push(out, quote!(::vyre::ir::Stmt::Continue)),
            Stmt::Return(v) => match self.mode {
                Mode::Handler => Self::push(out, quote!(::vyre::ir::Stmt::Return)),
                Mode::Device => {
                    if let (Some(v), Some(r)) = (v, self.ret_local) {
                        let vt = self.expr(v, out);
                        if !matches!(self.fin(v), Final::Never) {
                            let id = self.local_id(r);
                            Self::push(
                                out,
                                quote!(::vyre::ir::Stmt::Assign { local: #id, value: #vt }),
                            );
                        }
                    }
                    if let Some(flag) = self.returned {
                        let id = self.local_id(flag);
                        Self::push(
                            out,
                            quote!(::vyre::ir::Stmt::Assign {
                                local: #id,
                                value: ::vyre::ir::Expr::Lit(::vyre::ir::Literal::Bool(true)),
                            }),
                        );
                        if self.loop_depth > 0 {
                            Self::push(out, quote!(::vyre::ir::Stmt::Break));
                        }
                    }
                }
            },
            Stmt::Block(b) => {
                let block = self.block(b);
                Self::push(out, quote!(::vyre::ir::Stmt::Block(#block)));
            }
            Stmt::Fault(code) => {
                let ct = self.expr(code, out);
                Self::push(out, quote!(::vyre::ir::Stmt::Fault { code: #ct }));
            }
            Stmt::Shutdown => Self::push(out, quote!(::vyre::ir::Stmt::Shutdown)),
            Stmt::Printf(format, args) => {
                let refs: Vec<&Expr> = args.iter().collect();
                let ts = self.operands(&refs, out);
                Self::push(
                    out,
                    quote!(::vyre::ir::Stmt::Printf {
                        format: <::std::string::String as ::core::convert::From<&str>>::from(#format),
                        args: ::std::vec![#(#ts),*],
                    }),
                );
            }
            Stmt::Spawn(s) => {
                let st = self.spawn(s, None, out);
                Self::push(out, st);
            }
            Stmt::Device(d) => {
                let call = self.device_call(d, out);
                out.push(quote!(let _ = #call;));
            }
        }
    }
}
