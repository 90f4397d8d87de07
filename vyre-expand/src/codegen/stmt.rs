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
    pub(super) fn index_var(&mut self, e: &Expr, out: &mut Out) -> syn::Ident {
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
            Stmt::LetStruct(s, init) => self.let_struct(*s, init, out),
            Stmt::StructSet(r, path, element, op, v) => {
                self.struct_set(r, path, element.as_ref(), *op, v, out)
            }
            Stmt::AssignElement(p, path, j, q, from, k) => {
                self.assign_element((p, path), j, (q, from), k, out)
            }
            Stmt::AssignStruct(p, path, q, from) => self.assign_struct(p, path, q, from, out),
            Stmt::StoreStruct(b, i, s) => self.store_struct(*b, i, *s, out),
            Stmt::StoreField(fa, op, v) => self.store_field(fa, *op, v, out),
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
