//! Expressions: a Rust expression of type `Expr` for each, after pushing
//! what must run first.

use proc_macro2::{Literal, TokenStream};
use quote::{quote, ToTokens};

use super::{Gen, Mode, Out};
use crate::hir::visit::block_returns;
use crate::hir::*;
use crate::ir_tokens::IrTokens;
use crate::types::Final;

impl Gen<'_> {
    /// The `Expr` of `e`, after pushing to `out` what must run first.
    pub(super) fn expr(&mut self, e: &Expr, out: &mut Out) -> TokenStream {
        match &e.kind {
            ExprKind::Lit(v) => self.lit(*v, self.fin(e)),
            ExprKind::Local(l) => self.local_expr(*l),
            ExprKind::Const(path) => {
                quote!(::vyre::ir::Expr::Lit(::vyre::host::__private::const_lit(#path)))
            }
            ExprKind::Unary(op, v) => {
                if *op == UnOp::Neg {
                    if let ExprKind::Lit(lit) = &v.kind {
                        let neg = match *lit {
                            LitVal::Int(n) => Some(LitVal::Int(n.wrapping_neg())),
                            LitVal::Float(x) => Some(LitVal::Float(-x)),
                            LitVal::Bool(_) => None,
                        };
                        if let Some(neg) = neg {
                            return self.lit(neg, self.fin(e));
                        }
                    }
                }
                let t = self.expr(v, out);
                let op = op.ir_tokens();
                quote!(::vyre::ir::Expr::Unary { op: #op, operand: ::std::boxed::Box::new(#t) })
            }
            ExprKind::Binary(op, l, r) => self.binary(*op, l, r, out),
            ExprKind::Cast(to, v) => {
                let t = self.expr(v, out);
                if self.fin(v).scalar() == Some(*to) {
                    return t;
                }
                let to = to.ir_tokens();
                quote!(::vyre::ir::Expr::Cast { to: #to, value: ::std::boxed::Box::new(#t) })
            }
            ExprKind::Intrinsic(func, args) => {
                let refs: Vec<&Expr> = args.iter().collect();
                let ts = self.operands(&refs, out);
                let f = func.ir_tokens();
                quote!(::vyre::ir::Expr::Intrinsic { func: #f, args: ::std::vec![#(#ts),*] })
            }
            ExprKind::Load(b, i) => {
                let it = self.expr(i, out);
                let buffer = self.buf_id(*b);
                quote!(::vyre::ir::Expr::Load { buffer: #buffer, index: ::std::boxed::Box::new(#it) })
            }
            ExprKind::Len(b) => {
                let buffer = self.buf_id(*b);
                quote!(::vyre::ir::Expr::Len { buffer: #buffer })
            }
            ExprKind::StructGet(r, path, element) => {
                let v = self.struct_ref(r, out);
                let et = element.as_ref().map(|e| self.expr(e, out));
                let et = Self::option(et);
                quote!(#v.get(&[#(#path),*], #et)?)
            }
            ExprKind::LoadField(fa) => {
                let mut refs: Vec<&Expr> = vec![&fa.index];
                refs.extend(fa.subscripts());
                let mut ts = self.operands(&refs, out).into_iter();
                let it = ts.next().unwrap_or_else(Self::unit_value);
                let rows: Vec<TokenStream> = ts.by_ref().take(fa.rows.len()).collect();
                let field = self.field_ref(fa, rows, ts.next());
                let buffer = self.buf_id(fa.buf);
                quote!(::vyre::ir::Expr::LoadField { buffer: #buffer, index: ::std::boxed::Box::new(#it), field: #field })
            }
            ExprKind::Index(a, i) => {
                let it = self.expr(i, out);
                let array = self.local_id(*a);
                quote!(::vyre::ir::Expr::Index { array: #array, index: ::std::boxed::Box::new(#it) })
            }
            ExprKind::ArrayLen(a) => {
                let len = self.array_len(*a);
                quote!(::vyre::ir::Expr::Lit(::vyre::ir::Literal::U32(#len)))
            }
            ExprKind::Atomic(op, b, i, v) => {
                let mut refs: Vec<&Expr> = vec![i];
                if let Some(v) = v {
                    refs.push(v);
                }
                let mut ts = self.operands(&refs, out).into_iter();
                let it = ts.next().unwrap_or_else(Self::unit_value);
                let value = match ts.next() {
                    Some(vt) => quote!(::core::option::Option::Some(::std::boxed::Box::new(#vt))),
                    None => quote!(::core::option::Option::None),
                };
                let buffer = self.buf_id(*b);
                let op = op.ir_tokens();
                quote!(::vyre::ir::Expr::Atomic {
                    op: #op,
                    buffer: #buffer,
                    index: ::std::boxed::Box::new(#it),
                    value: #value,
                })
            }
            ExprKind::Ctx(v) => {
                let v = v.ir_tokens();
                quote!(::vyre::ir::Expr::Ctx(#v))
            }
            ExprKind::Prio(p) => {
                let l = Literal::u32_suffixed(*p as u32);
                quote!(::vyre::ir::Expr::Lit(::vyre::ir::Literal::U32(#l)))
            }
            ExprKind::If(c, t, f) => self.if_value(e, c, t, f, out),
            ExprKind::Match(m) => {
                let ty = self.fin(e);
                let tmp = self.temp("value", ty, true);
                let zero = self.zero(ty);
                let id = self.local_id(tmp);
                Self::push(
                    out,
                    quote!(::vyre::ir::Stmt::Let { local: #id, value: #zero }),
                );
                let s = self.switch(m, Some(tmp), out);
                Self::push(out, s);
                self.local_expr(tmp)
            }
            ExprKind::Block(b) => {
                let flatten = self.mode == Mode::Handler || !block_returns(b);
                if flatten {
                    self.stmt_list(&b.stmts, out);
                    match &b.tail {
                        Some(t) => self.expr(t, out),
                        None => Self::unit_value(),
                    }
                } else {
                    let ty = self.fin(e);
                    let tmp = self.temp("value", ty, true);
                    let zero = self.zero(ty);
                    let id = self.local_id(tmp);
                    Self::push(
                        out,
                        quote!(::vyre::ir::Stmt::Let { local: #id, value: #zero }),
                    );
                    let block = self.value_block(b, Some(tmp));
                    Self::push(out, quote!(::vyre::ir::Stmt::Block(#block)));
                    self.local_expr(tmp)
                }
            }
            ExprKind::Device(d) => {
                let call = self.device_call(d, out);
                let v = self.var();
                let name = d.name();
                out.push(quote!(let #v = ::vyre::host::__private::device_value(#name, #call)?;));
                v.into_token_stream()
            }
            ExprKind::Spawn(s) => {
                let r = self.temp("spawned", Final::S(ScalarType::Bool), false);
                let st = self.spawn(s, Some(r), out);
                Self::push(out, st);
                self.local_expr(r)
            }
            ExprKind::Diverge(s) => {
                self.stmt(s, out);
                Self::unit_value()
            }
        }
    }

    /// `l op r`; `&&`/`||` whose right side pushes statements become an
    /// `if`, so that the right side still runs only when it must.
    fn binary(&mut self, op: BinOp, l: &Expr, r: &Expr, out: &mut Out) -> TokenStream {
        if op.is_logic() && self.has_prelude(r) {
            // Short-circuit: `let t = l; if t { t = r }` (`||`: if !t).
            let lt = self.expr(l, out);
            let t = self.temp("cond", Final::S(ScalarType::Bool), true);
            let id = self.local_id(t);
            Self::push(
                out,
                quote!(::vyre::ir::Stmt::Let { local: #id, value: #lt }),
            );
            let rhs_block = {
                let mut inner = Vec::new();
                let rt = self.expr(r, &mut inner);
                let id = self.local_id(t);
                Self::push(
                    &mut inner,
                    quote!(::vyre::ir::Stmt::Assign { local: #id, value: #rt }),
                );
                Self::wrap_block(inner)
            };
            let empty = quote!(::vyre::ir::Block(::std::vec::Vec::new()));
            let cond = self.local_expr(t);
            let (then_body, else_body) = if op == BinOp::And {
                (rhs_block, empty)
            } else {
                (empty, rhs_block)
            };
            Self::push(
                out,
                quote!(::vyre::ir::Stmt::If { cond: #cond, then_body: #then_body, else_body: #else_body }),
            );
            return self.local_expr(t);
        }
        let (lt, mut rt) = self.operand_pair(l, r, out);
        if op.is_shift() {
            rt = self.to_u32(r, rt);
        }
        let op = op.ir_tokens();
        quote!(::vyre::ir::Expr::Binary {
            op: #op,
            lhs: ::std::boxed::Box::new(#lt),
            rhs: ::std::boxed::Box::new(#rt),
        })
    }

    /// An `if` with a value: a `Select` when both branches are plain values
    /// that may be evaluated early, else a local assigned in each branch.
    fn if_value(&mut self, e: &Expr, c: &Expr, t: &Block, f: &Block, out: &mut Out) -> TokenStream {
        if self.selectable(t, f) {
            let ct = self.expr(c, out);
            let (Some(tt), Some(ft)) = (&t.tail, &f.tail) else {
                return Self::unit_value();
            };
            let tt = self.expr(tt, out);
            let ft = self.expr(ft, out);
            return quote!(::vyre::ir::Expr::Select {
                cond: ::std::boxed::Box::new(#ct),
                if_true: ::std::boxed::Box::new(#tt),
                if_false: ::std::boxed::Box::new(#ft),
            });
        }
        let ty = self.fin(e);
        let tmp = self.temp("value", ty, true);
        let zero = self.zero(ty);
        let id = self.local_id(tmp);
        Self::push(
            out,
            quote!(::vyre::ir::Stmt::Let { local: #id, value: #zero }),
        );
        let ct = self.expr(c, out);
        let tb = self.value_block(t, Some(tmp));
        let fb = self.value_block(f, Some(tmp));
        Self::push(
            out,
            quote!(::vyre::ir::Stmt::If { cond: #ct, then_body: #tb, else_body: #fb }),
        );
        self.local_expr(tmp)
    }

    /// `t` (the code of `e`) as a `u32`: shift amounts and priorities.
    pub(super) fn to_u32(&self, e: &Expr, t: TokenStream) -> TokenStream {
        if self.fin(e).scalar() == Some(ScalarType::U32) {
            t
        } else {
            quote!(::vyre::ir::Expr::Cast { to: ::vyre::ir::ScalarType::U32, value: ::std::boxed::Box::new(#t) })
        }
    }
}
