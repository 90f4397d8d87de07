//! Code generation: the typed tree becomes Rust code that builds the IR
//! with raw `Stmt`/`Expr` constructors when `handler()` runs.
//!
//! The generated code appends statements to the current IR block,
//! `__blk: &mut Vec<Stmt>`; nested blocks are Rust blocks with their own
//! `__blk`. An expression becomes a Rust expression of type `Expr` whose
//! evaluation builds the value and pushes nothing: whatever an expression
//! must run first (a `#[device]` call's body, an `if` with side effects,
//! a spawn, a compare-exchange) is pushed to the current block before the
//! statement that uses it, and operands to its left are first spilled into
//! temporaries so that evaluation order stays Rust's.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote, ToTokens};

use crate::hir::visit::{block_returns, stmt_returns};
use crate::hir::*;
use crate::ir_tokens::IrTokens;
use crate::types::{Final, Types};

/// Where the code goes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// `handler()`: local ids and buffer ids are constants.
    Handler,
    /// A `#[device]` function's inliner: local ids are offsets from
    /// `__base`, buffers are the `BufferId`s its caller passed.
    Device,
}

struct GenLocal {
    name: String,
    ty: Final,
    mutable: bool,
}

pub(crate) struct Gen<'a> {
    types: &'a Types,
    mode: Mode,
    locals: Vec<GenLocal>,
    counter: usize,
    /// Device mode: the local receiving the returned value.
    ret_local: Option<LocalIdx>,
    /// Device mode: the flag set by an early `return`.
    returned: Option<LocalIdx>,
    /// Device mode: loops of the device body around the current code.
    loop_depth: usize,
}

type Out = Vec<TokenStream>;

fn u32_lit(v: usize) -> Literal {
    Literal::u32_suffixed(v.min(u32::MAX as usize) as u32)
}

fn f32_tokens(v: f32) -> TokenStream {
    if v.is_finite() {
        let lit = Literal::f32_suffixed(v);
        quote!(#lit)
    } else {
        let bits = Literal::u32_suffixed(v.to_bits());
        quote!(::core::primitive::f32::from_bits(#bits))
    }
}

fn i32_tokens(v: i32) -> TokenStream {
    if v == i32::MIN {
        quote!(::core::primitive::i32::MIN)
    } else {
        let lit = Literal::i32_suffixed(v);
        quote!(#lit)
    }
}

impl<'a> Gen<'a> {
    pub(crate) fn new(types: &'a Types, mode: Mode, locals: &[LocalInfo]) -> Self {
        Gen {
            types,
            mode,
            locals: locals
                .iter()
                .map(|l| GenLocal {
                    name: l.name.clone(),
                    ty: types.finish(l.ty),
                    mutable: l.mutable,
                })
                .collect(),
            counter: 0,
            ret_local: None,
            returned: None,
            loop_depth: 0,
        }
    }

    /// The local table: `LocalDecl` constructors, in order.
    pub(crate) fn local_decls(&self) -> Vec<TokenStream> {
        self.locals
            .iter()
            .map(|l| {
                let name = &l.name;
                let ty = self.types.tokens(l.ty);
                let mutable = l.mutable;
                quote!(::vyre::program::LocalDecl {
                    name: <::std::string::String as ::core::convert::From<&str>>::from(#name),
                    ty: #ty,
                    mutable: #mutable,
                })
            })
            .collect()
    }

    fn temp(&mut self, name: &str, ty: Final, mutable: bool) -> LocalIdx {
        self.locals.push(GenLocal {
            name: name.to_string(),
            ty,
            mutable,
        });
        self.locals.len() - 1
    }

    fn var(&mut self) -> syn::Ident {
        self.counter += 1;
        format_ident!("__v{}", self.counter)
    }

    fn fin(&self, e: &Expr) -> Final {
        self.types.finish(e.ty)
    }

    fn local_id(&self, l: LocalIdx) -> TokenStream {
        let k = u32_lit(l);
        match self.mode {
            Mode::Handler => quote!(::vyre::ir::LocalId(#k)),
            Mode::Device => quote!(::vyre::ir::LocalId(__base + #k)),
        }
    }

    pub(crate) fn buf_var(b: BufIdx) -> syn::Ident {
        format_ident!("__buf{}", b)
    }

    fn buf_id(&self, b: BufIdx) -> TokenStream {
        match self.mode {
            Mode::Handler => {
                let k = u32_lit(b);
                quote!(::vyre::ir::BufferId(#k))
            }
            Mode::Device => Self::buf_var(b).into_token_stream(),
        }
    }

    fn push(out: &mut Out, stmt: TokenStream) {
        out.push(quote!(__blk.push(#stmt);));
    }

    fn local_expr(&self, l: LocalIdx) -> TokenStream {
        let id = self.local_id(l);
        quote!(::vyre::ir::Expr::Local(#id))
    }

    fn zero(&self, ty: Final) -> TokenStream {
        match ty {
            Final::S(ScalarType::Bool) => {
                quote!(::vyre::ir::Expr::Lit(::vyre::ir::Literal::Bool(false)))
            }
            Final::Dyn(_) => {
                let t = self.types.tokens(ty);
                quote!(::vyre::ir::Expr::Lit(::vyre::host::__private::zero(#t)))
            }
            _ => self.lit(LitVal::Int(0), ty),
        }
    }

    /// A literal of type `ty`.
    fn lit(&self, v: LitVal, ty: Final) -> TokenStream {
        if let LitVal::Bool(b) = v {
            return quote!(::vyre::ir::Expr::Lit(::vyre::ir::Literal::Bool(#b)));
        }
        let lit = match ty {
            Final::S(ScalarType::U32) | Final::Prio | Final::Err | Final::Unit | Final::Never => {
                let n = match v {
                    LitVal::Int(n) => n as u32,
                    LitVal::Float(x) => x as u32,
                    LitVal::Bool(b) => u32::from(b),
                };
                let l = Literal::u32_suffixed(n);
                quote!(::vyre::ir::Literal::U32(#l))
            }
            Final::S(ScalarType::I32) => {
                let n = match v {
                    LitVal::Int(n) => n as i32,
                    LitVal::Float(x) => x as i32,
                    LitVal::Bool(b) => i32::from(b),
                };
                let t = i32_tokens(n);
                quote!(::vyre::ir::Literal::I32(#t))
            }
            Final::S(ScalarType::F32) | Final::UnresolvedFloat => {
                let x = match v {
                    LitVal::Int(n) => n as f32,
                    LitVal::Float(x) => x,
                    LitVal::Bool(b) => f32::from(u8::from(b)),
                };
                let t = f32_tokens(x);
                quote!(::vyre::ir::Literal::F32(#t))
            }
            Final::S(ScalarType::Bool) => {
                let b = !matches!(v, LitVal::Int(0));
                quote!(::vyre::ir::Literal::Bool(#b))
            }
            Final::Dyn(_) => {
                let t = self.types.tokens(ty);
                match v {
                    LitVal::Int(n) => quote!(::vyre::host::__private::int_lit(#t, #n)),
                    LitVal::Float(x) => {
                        let x = f32_tokens(x);
                        quote!(::vyre::host::__private::float_lit(#t, #x))
                    }
                    LitVal::Bool(b) => quote!(::vyre::ir::Literal::Bool(#b)),
                }
            }
        };
        quote!(::vyre::ir::Expr::Lit(#lit))
    }

    // ----- analysis ----------------------------------------------------

    /// Whether generating `e` pushes statements.
    fn has_prelude(&self, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Lit(_)
            | ExprKind::Local(_)
            | ExprKind::Const(_)
            | ExprKind::Len(_)
            | ExprKind::Ctx(_)
            | ExprKind::Prio(_) => false,
            ExprKind::Unary(_, v) | ExprKind::Cast(_, v) | ExprKind::Load(_, v) => {
                self.has_prelude(v)
            }
            ExprKind::Binary(_, l, r) => self.has_prelude(l) || self.has_prelude(r),
            ExprKind::Intrinsic(_, args) => args.iter().any(|a| self.has_prelude(a)),
            ExprKind::Atomic(_, _, i, v) => {
                self.has_prelude(i) || v.as_ref().is_some_and(|v| self.has_prelude(v))
            }
            ExprKind::If(c, t, f) => !self.selectable(t, f) || self.has_prelude(c),
            ExprKind::Block(b) => {
                !b.stmts.is_empty() || b.tail.as_ref().is_some_and(|t| self.has_prelude(t))
            }
            ExprKind::Match(_)
            | ExprKind::Device(_)
            | ExprKind::Spawn(_)
            | ExprKind::Diverge(_) => true,
        }
    }

    /// Whether evaluating `e` twice or out of order is harmless and it
    /// reads nothing another statement could change.
    fn is_constant(e: &Expr) -> bool {
        matches!(
            e.kind,
            ExprKind::Lit(_)
                | ExprKind::Const(_)
                | ExprKind::Prio(_)
                | ExprKind::Ctx(_)
                | ExprKind::Len(_)
        )
    }

    /// Whether `e` can be evaluated speculatively: no statements, no
    /// memory access, no division.
    fn speculable(&self, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Lit(_)
            | ExprKind::Local(_)
            | ExprKind::Const(_)
            | ExprKind::Len(_)
            | ExprKind::Ctx(_)
            | ExprKind::Prio(_) => true,
            ExprKind::Unary(_, v) | ExprKind::Cast(_, v) => self.speculable(v),
            ExprKind::Binary(op, l, r) => {
                !matches!(op, BinOp::Div | BinOp::Rem) && self.speculable(l) && self.speculable(r)
            }
            ExprKind::Intrinsic(_, args) => args.iter().all(|a| self.speculable(a)),
            _ => false,
        }
    }

    /// An `if` value both of whose branches are plain speculable values
    /// becomes a `Select`.
    fn selectable(&self, t: &Block, f: &Block) -> bool {
        let plain = |b: &Block| {
            b.stmts.is_empty()
                && b.tail
                    .as_ref()
                    .is_some_and(|e| !matches!(self.fin(e), Final::Never) && self.speculable(e))
        };
        plain(t) && plain(f)
    }

    // ----- expressions -------------------------------------------------

    /// Binds the value to a fresh local (pushing the `let`) and yields the
    /// local.
    fn spill(&mut self, value: TokenStream, ty: Final, out: &mut Out) -> TokenStream {
        let l = self.temp("tmp", ty, false);
        let id = self.local_id(l);
        Self::push(
            out,
            quote!(::vyre::ir::Stmt::Let { local: #id, value: #value }),
        );
        self.local_expr(l)
    }

    /// Several operands evaluated left to right; those left of an operand
    /// with statements are spilled.
    fn operands(&mut self, es: &[&Expr], out: &mut Out) -> Vec<TokenStream> {
        let last_prelude = es.iter().rposition(|e| self.has_prelude(e));
        let mut v = Vec::with_capacity(es.len());
        for (i, e) in es.iter().enumerate() {
            let t = self.expr(e, out);
            let needs_spill = last_prelude.is_some_and(|p| i < p) && !Self::is_constant(e);
            v.push(if needs_spill {
                let ty = self.fin(e);
                self.spill(t, ty, out)
            } else {
                t
            });
        }
        v
    }

    fn to_u32(&self, e: &Expr, t: TokenStream) -> TokenStream {
        if self.fin(e).scalar() == Some(ScalarType::U32) {
            t
        } else {
            quote!(::vyre::ir::Expr::Cast { to: ::vyre::ir::ScalarType::U32, value: ::std::boxed::Box::new(#t) })
        }
    }

    fn unit_value() -> TokenStream {
        quote!(::vyre::ir::Expr::Lit(::vyre::ir::Literal::U32(0u32)))
    }

    pub(crate) fn expr(&mut self, e: &Expr, out: &mut Out) -> TokenStream {
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
                let name = d.path.to_token_stream().to_string().replace(' ', "");
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
        let ts = self.operands(&[l, r], out);
        let mut ts = ts.into_iter();
        let lt = ts.next().unwrap_or_else(Self::unit_value);
        let mut rt = ts.next().unwrap_or_else(Self::unit_value);
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

    fn device_call(&mut self, d: &DeviceCall, out: &mut Out) -> TokenStream {
        let scalars: Vec<&Expr> = d
            .args
            .iter()
            .filter_map(|a| match a {
                DevArg::Scalar(e) => Some(e),
                _ => None,
            })
            .collect();
        let mut ts = self.operands(&scalars, out).into_iter();
        let mut args = Vec::new();
        for a in &d.args {
            args.push(match a {
                DevArg::Scalar(_) => {
                    let t = ts.next().unwrap_or_else(Self::unit_value);
                    quote!(::vyre::host::__private::DeviceArg::Scalar(#t))
                }
                DevArg::Buffer(b) => {
                    let id = self.buf_id(*b);
                    quote!(::vyre::host::__private::DeviceArg::Buffer(#id))
                }
                DevArg::Ctx => quote!(::vyre::host::__private::DeviceArg::Ctx),
            });
        }
        let path = &d.path;
        quote!(#path::__vyre_inline(__cx, __blk, ::std::vec![#(#args),*])?)
    }

    fn spawn(&mut self, s: &Spawn, result: Option<LocalIdx>, out: &mut Out) -> TokenStream {
        let mut refs: Vec<&Expr> = vec![&s.priority];
        refs.extend(s.args.iter());
        let mut ts = self.operands(&refs, out).into_iter();
        let prio = ts.next().unwrap_or_else(Self::unit_value);
        let prio = self.to_u32(&s.priority, prio);
        let args: Vec<TokenStream> = ts.collect();
        let target = &s.target;
        let result = match result {
            Some(r) => {
                let id = self.local_id(r);
                quote!(::core::option::Option::Some(#id))
            }
            None => quote!(::core::option::Option::None),
        };
        quote!(::vyre::ir::Stmt::Spawn {
            priority: #prio,
            opcode: #target::ID,
            args: ::std::vec![#(#args),*],
            result: #result,
        })
    }

    fn switch(&mut self, m: &Match, value: Option<LocalIdx>, out: &mut Out) -> TokenStream {
        let sel = self.expr(&m.scrutinee, out);
        let scrut_ty = match self.fin(&m.scrutinee) {
            Final::Prio => Final::S(ScalarType::U32),
            t => t,
        };
        let mut seen: Vec<i64> = Vec::new();
        let mut cases = Vec::new();
        for arm in &m.arms {
            let mut values = Vec::new();
            for (v, _, _) in &arm.values {
                let key = match v {
                    LitVal::Int(n) => *n,
                    LitVal::Bool(b) => i64::from(*b),
                    LitVal::Float(x) => i64::from(x.to_bits()),
                };
                // rustc keeps the first arm for a repeated value.
                let key = match scrut_ty {
                    Final::S(ScalarType::U32) => i64::from(key as u32),
                    Final::S(ScalarType::I32) => i64::from(key as i32),
                    _ => key,
                };
                if seen.contains(&key) {
                    continue;
                }
                seen.push(key);
                let lit = self.lit(*v, scrut_ty);
                values.push(quote!(match #lit { ::vyre::ir::Expr::Lit(l) => l, _ => ::vyre::ir::Literal::U32(0u32) }));
            }
            if values.is_empty() {
                continue;
            }
            let body = self.value_block(&arm.body, value);
            cases.push(
                quote!(::vyre::ir::SwitchCase { values: ::std::vec![#(#values),*], body: #body }),
            );
        }
        let default = match &m.default {
            Some(d) => self.value_block(d, value),
            None => quote!(::vyre::ir::Block(::std::vec::Vec::new())),
        };
        quote!(::vyre::ir::Stmt::Switch { selector: #sel, cases: ::std::vec![#(#cases),*], default: #default })
    }

    // ----- statements --------------------------------------------------

    fn wrap_block(inner: Out) -> TokenStream {
        quote!({
            let __blk: &mut ::std::vec::Vec<::vyre::ir::Stmt> = &mut ::std::vec::Vec::new();
            #(#inner)*
            ::vyre::ir::Block(::std::mem::take(__blk))
        })
    }

    /// A statement block.
    pub(crate) fn block(&mut self, b: &Block) -> TokenStream {
        self.value_block(b, None)
    }

    /// A block whose tail (if any) is assigned to `value`.
    fn value_block(&mut self, b: &Block, value: Option<LocalIdx>) -> TokenStream {
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

    /// Statements in order, handling a `#[device]` function's early
    /// `return`s (see `stmt`).
    fn stmt_list(&mut self, stmts: &[Stmt], out: &mut Out) {
        for (i, s) in stmts.iter().enumerate() {
            self.stmt(s, out);
            if Stmt::diverges(s) {
                return; // the rest is unreachable (rustc warns)
            }
            if self.mode == Mode::Device && self.returned.is_some() && stmt_returns(s) {
                let is_loop = matches!(s, Stmt::For { .. } | Stmt::While(..) | Stmt::Loop(_));
                let Some(flag) = self.returned else { continue };
                let flag = self.local_expr(flag);
                if self.loop_depth > 0 {
                    if is_loop {
                        // The inner loop was left by the return: leave this one too.
                        Self::push(
                            out,
                            quote!(::vyre::ir::Stmt::If {
                                cond: #flag,
                                then_body: ::vyre::ir::Block(::std::vec![::vyre::ir::Stmt::Break]),
                                else_body: ::vyre::ir::Block(::std::vec::Vec::new()),
                            }),
                        );
                    }
                    // A return outside an inner loop already broke out of ours.
                } else {
                    let rest = stmts.get(i + 1..).unwrap_or(&[]);
                    if !rest.is_empty() {
                        let mut inner = Vec::new();
                        self.stmt_list(rest, &mut inner);
                        let block = Self::wrap_block(inner);
                        Self::push(
                            out,
                            quote!(::vyre::ir::Stmt::If {
                                cond: ::vyre::ir::Expr::Unary { op: ::vyre::ir::UnOp::Not, operand: ::std::boxed::Box::new(#flag) },
                                then_body: #block,
                                else_body: ::vyre::ir::Block(::std::vec::Vec::new()),
                            }),
                        );
                    }
                    return;
                }
            }
        }
    }

    fn loop_block(&mut self, b: &Block) -> TokenStream {
        self.loop_depth += 1;
        let t = self.block(b);
        self.loop_depth -= 1;
        t
    }

    pub(crate) fn stmt(&mut self, s: &Stmt, out: &mut Out) {
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
                let mut ts = self.operands(&[i, v], out).into_iter();
                let it = ts.next().unwrap_or_else(Self::unit_value);
                let vt = ts.next().unwrap_or_else(Self::unit_value);
                let buffer = self.buf_id(*b);
                Self::push(
                    out,
                    quote!(::vyre::ir::Stmt::Store { buffer: #buffer, index: #it, value: #vt }),
                );
            }
            Stmt::CompoundStore(b, i, op, v) => {
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
                let buffer = self.buf_id(*b);
                let opi = op.ir_tokens();
                Self::push(
                    out,
                    quote!(::vyre::ir::Stmt::Store {
                        buffer: #buffer,
                        index: ::core::clone::Clone::clone(&#iv),
                        value: ::vyre::ir::Expr::Binary {
                            op: #opi,
                            lhs: ::std::boxed::Box::new(::vyre::ir::Expr::Load { buffer: #buffer, index: ::std::boxed::Box::new(#iv) }),
                            rhs: ::std::boxed::Box::new(#vt),
                        },
                    }),
                );
            }
            Stmt::AtomicStore(b, i, v) => {
                let mut ts = self.operands(&[i, v], out).into_iter();
                let it = ts.next().unwrap_or_else(Self::unit_value);
                let vt = ts.next().unwrap_or_else(Self::unit_value);
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
                let mut ts = self.operands(&[start, end], out).into_iter();
                let st = ts.next().unwrap_or_else(Self::unit_value);
                let et = ts.next().unwrap_or_else(Self::unit_value);
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

    /// Device mode: the body of an inliner, with the returned value (if
    /// any) in a local. Returns the code and the returned local.
    pub(crate) fn device_body(
        &mut self,
        mut body: Block,
        ret: Option<ScalarType>,
    ) -> (Out, Option<LocalIdx>) {
        let mut out = Vec::new();
        let explicit_return = body.stmts.iter().any(stmt_returns);
        if let Some(ret) = ret {
            let r = self.temp("ret", Final::S(ret), true);
            self.ret_local = Some(r);
            let zero = self.zero(Final::S(ret));
            let id = self.local_id(r);
            Self::push(
                &mut out,
                quote!(::vyre::ir::Stmt::Let { local: #id, value: #zero }),
            );
        }
        if explicit_return {
            let f = self.temp("returned", Final::S(ScalarType::Bool), true);
            self.returned = Some(f);
            let id = self.local_id(f);
            Self::push(
                &mut out,
                quote!(::vyre::ir::Stmt::Let {
                    local: #id,
                    value: ::vyre::ir::Expr::Lit(::vyre::ir::Literal::Bool(false)),
                }),
            );
        }
        if let Some(t) = body.tail.take() {
            body.stmts.push(Stmt::Return(Some(*t)));
        }
        self.stmt_list(&body.stmts, &mut out);
        (out, self.ret_local)
    }
}
