//! Checks that need the solved types: what rustc accepts but the GPU
//! cannot run (a float literal left to default to `f64`, ordering `bool`s,
//! `min`/`max` on `bool`, `match` on `bool` or `f32`).

use proc_macro2::Span;

use crate::ctxt::Ctxt;
use crate::hir::*;
use crate::types::{Final, Scalar, Types};

pub(crate) fn check(cx: &Ctxt, types: &Types, body: &Block) {
    let mut c = Checker {
        cx,
        types,
        reported: Vec::new(),
    };
    c.block(body);
}

struct Checker<'a> {
    cx: &'a Ctxt,
    types: &'a Types,
    /// Inference variables already reported as unresolved.
    reported: Vec<crate::types::VarId>,
}

impl Checker<'_> {
    fn err(&self, span: Span, msg: &str) {
        self.cx.error_at(span, msg);
    }

    /// An error covering an expression, first to last token.
    fn err_expr(&self, e: &Expr, msg: &str) {
        let (start, end) = (e.span, e.end);
        let tokens = quote::quote_spanned!(start=> start);
        let mut tokens = tokens;
        tokens.extend(quote::quote_spanned!(end=> end));
        self.cx.error(tokens, msg);
    }

    fn block(&mut self, b: &Block) {
        for s in &b.stmts {
            self.stmt(s);
        }
        if let Some(t) = &b.tail {
            self.expr(t);
        }
    }

    fn stmt(&mut self, s: &Stmt) {
        match s {
            Stmt::Let(_, e) | Stmt::Assign(_, e) | Stmt::Eval(e) | Stmt::Fault(e) => self.expr(e),
            Stmt::Store(_, i, v) | Stmt::CompoundStore(_, i, _, v) | Stmt::AtomicStore(_, i, v) => {
                self.expr(i);
                self.expr(v);
            }
            Stmt::Cas(c) => {
                self.expr(&c.index);
                self.expr(&c.current);
                self.expr(&c.new);
            }
            Stmt::If(c, t, e) => {
                self.expr(c);
                self.block(t);
                self.block(e);
            }
            Stmt::Match(m) => self.matches(m),
            Stmt::For {
                start, end, body, ..
            } => {
                self.expr(start);
                self.expr(end);
                self.block(body);
            }
            Stmt::While(c, b) => {
                self.expr(c);
                self.block(b);
            }
            Stmt::Loop(b) | Stmt::Block(b) => self.block(b),
            Stmt::Return(v) => {
                if let Some(v) = v {
                    self.expr(v);
                }
            }
            Stmt::Break | Stmt::Continue | Stmt::Shutdown => {}
            Stmt::Printf(_, args) => args.iter().for_each(|a| self.expr(a)),
            Stmt::Spawn(s) => self.spawn(s),
            Stmt::Device(d) => self.device(d),
        }
    }

    fn spawn(&mut self, s: &Spawn) {
        self.expr(&s.priority);
        s.args.iter().for_each(|a| self.expr(a));
    }

    fn device(&mut self, d: &DeviceCall) {
        for a in &d.args {
            if let DevArg::Scalar(e) = a {
                self.expr(e);
            }
        }
    }

    fn matches(&mut self, m: &Match) {
        self.expr(&m.scrutinee);
        match self.types.finish(m.scrutinee.ty) {
            Final::S(Scalar::Bool) => self.err_expr(
                &m.scrutinee,
                "`match` on a `bool` is not supported: the GPU switch takes integers; use `if`/`else`",
            ),
            Final::S(Scalar::F32) => self.err_expr(
                &m.scrutinee,
                "`match` on an `f32` is not supported: the GPU switch takes integers; compare with `if`/`else`",
            ),
            _ => {}
        }
        for a in &m.arms {
            for (_, ty, span) in &a.values {
                if self.types.finish(*ty) == Final::UnresolvedFloat {
                    self.err(
                        *span,
                        "float patterns are not supported: the GPU switch takes integers",
                    );
                }
            }
            self.block(&a.body);
        }
        if let Some(d) = &m.default {
            self.block(d);
        }
    }

    fn expr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Lit(LitVal::Float(_)) | ExprKind::Lit(LitVal::Int(_)) => {
                let root = self.types.root_var(e.ty);
                let fresh = root.is_none_or(|r| !self.reported.contains(&r));
                if self.types.finish(e.ty) == Final::UnresolvedFloat && fresh {
                    self.reported.extend(root);
                    self.err(e.span, "cannot infer the type of this float literal: Rust would make it `f64`, which the GPU does not have; write `f32` (`1.5f32`, or `let x: f32 = 1.5;`)");
                }
            }
            ExprKind::Lit(LitVal::Bool(_))
            | ExprKind::Local(_)
            | ExprKind::Const(_)
            | ExprKind::Len(_)
            | ExprKind::Ctx(_)
            | ExprKind::Prio(_) => {}
            ExprKind::Unary(_, v) | ExprKind::Cast(_, v) | ExprKind::Load(_, v) => self.expr(v),
            ExprKind::Binary(op, l, r) => {
                self.expr(l);
                self.expr(r);
                if op.is_ordering() && self.types.finish(l.ty) == Final::S(Scalar::Bool) {
                    self.err_expr(e, "ordering comparisons of `bool` (`<`, `<=`, `>`, `>=`) are not supported on the GPU; compare with `==`/`!=` or combine with `&&`/`||`");
                }
            }
            ExprKind::Intrinsic(name, args) => {
                args.iter().for_each(|a| self.expr(a));
                let recv = args.first().map(|a| self.types.finish(a.ty));
                if matches!(*name, "Min" | "Max" | "Clamp") && recv == Some(Final::S(Scalar::Bool))
                {
                    self.err_expr(e, "`min`, `max` and `clamp` on `bool` are not supported on the GPU; use `&&` and `||`");
                }
            }
            ExprKind::Atomic(_, _, i, v) => {
                self.expr(i);
                if let Some(v) = v {
                    self.expr(v);
                }
            }
            ExprKind::If(c, t, f) => {
                self.expr(c);
                self.block(t);
                self.block(f);
            }
            ExprKind::Match(m) => self.matches(m),
            ExprKind::Block(b) => self.block(b),
            ExprKind::Device(d) => self.device(d),
            ExprKind::Spawn(s) => self.spawn(s),
            ExprKind::Diverge(s) => self.stmt(s),
        }
    }
}
