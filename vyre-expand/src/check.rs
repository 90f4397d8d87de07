//! Checks that need the solved types: what rustc accepts but the GPU
//! cannot run (a float literal left to default to `f64`, ordering `bool`s,
//! `min`/`max` on `bool`, `match` on `bool` or `f32`).

use proc_macro2::Span;

use crate::ctxt::Ctxt;
use crate::hir::visit::{walk_expr, Visit};
use crate::hir::*;
use crate::types::{Final, Types};

/// Reports what rustc accepts in `body` but the GPU cannot run.
pub(crate) fn check(cx: &Ctxt, types: &Types, body: &Block) {
    let mut c = Checker {
        cx,
        types,
        reported: Vec::new(),
    };
    c.visit_block(body);
}

/// The pass: the error context, the solved types, what was reported.
struct Checker<'a> {
    cx: &'a Ctxt,
    types: &'a Types,
    /// Inference variables already reported as unresolved.
    reported: Vec<crate::types::VarId>,
}

impl Checker<'_> {
    /// An error at `span`.
    fn err(&self, span: Span, msg: &str) {
        self.cx.error_at(span, msg);
    }

    /// An error covering an expression, first to last token.
    fn err_expr(&self, e: &Expr, msg: &str) {
        self.err_between(e, e, msg);
    }

    /// An error from the first token of `first` to the last of `last`.
    fn err_between(&self, first: &Expr, last: &Expr, msg: &str) {
        let (start, end) = (first.span, last.end);
        let tokens = quote::quote_spanned!(start=> start);
        let mut tokens = tokens;
        tokens.extend(quote::quote_spanned!(end=> end));
        self.cx.error(tokens, msg);
    }
}

impl Visit for Checker<'_> {
    /// `for` over a 64-bit range.
    fn visit_stmt(&mut self, s: &Stmt) {
        if let Stmt::For { start, end, .. } = s {
            if let Final::S(t @ (ScalarType::U64 | ScalarType::I64)) = self.types.finish(start.ty) {
                self.err_between(
                    start,
                    end,
                    &format!("a `for` range over `{t}` is not supported on the GPU (its loops count in 32 bits); iterate over `u32` and cast, or use `while`"),
                );
            }
        }
        crate::hir::visit::walk_stmt(self, s);
    }

    /// `match` on `bool` or `f32`, float patterns.
    fn visit_match(&mut self, m: &Match) {
        self.visit_expr(&m.scrutinee);
        match self.types.finish(m.scrutinee.ty) {
            Final::S(ScalarType::Bool) => self.err_expr(
                &m.scrutinee,
                "`match` on a `bool` is not supported: the GPU switch takes integers; use `if`/`else`",
            ),
            Final::S(ScalarType::F32) => self.err_expr(
                &m.scrutinee,
                "`match` on an `f32` is not supported: the GPU switch takes integers; compare with `if`/`else`",
            ),
            Final::S(s @ (ScalarType::U64 | ScalarType::I64)) => self.err_expr(
                &m.scrutinee,
                &format!("`match` on a `{s}` is not supported: the GPU switch takes 32-bit integers; cast (`x as u32`) or compare with `if`/`else`"),
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
            self.visit_block(&a.body);
        }
        if let Some(d) = &m.default {
            self.visit_block(d);
        }
    }

    /// Float literals nothing typed, ordering `bool`s, `min`/`max`/`clamp`
    /// on `bool`.
    fn visit_expr(&mut self, e: &Expr) {
        walk_expr(self, e);
        match &e.kind {
            ExprKind::Lit(LitVal::Float(_)) | ExprKind::Lit(LitVal::Int(_)) => {
                let root = self.types.root_var(e.ty);
                let fresh = root.is_none_or(|r| !self.reported.contains(&r));
                if self.types.finish(e.ty) == Final::UnresolvedFloat && fresh {
                    self.reported.extend(root);
                    self.err(e.span, "cannot infer the type of this float literal: Rust would make it `f64`, which the GPU does not have; write `f32` (`1.5f32`, or `let x: f32 = 1.5;`)");
                }
            }
            ExprKind::Binary(op, l, _)
                if op.is_ordering() && self.types.finish(l.ty) == Final::S(ScalarType::Bool) =>
            {
                self.err_expr(e, "ordering comparisons of `bool` (`<`, `<=`, `>`, `>=`) are not supported on the GPU; compare with `==`/`!=` or combine with `&&`/`||`");
            }
            ExprKind::Intrinsic(func, args) => {
                // `bool` is `Ord` in Rust, so rustc accepts these three on
                // it; the GPU's have no `bool` form.
                let recv = args.first().map(|a| self.types.finish(a.ty));
                if matches!(func, Intrinsic::Min | Intrinsic::Max | Intrinsic::Clamp)
                    && recv == Some(Final::S(ScalarType::Bool))
                {
                    self.err_expr(e, "`min`, `max` and `clamp` on `bool` are not supported on the GPU; use `&&` and `||`");
                }
            }
            _ => {}
        }
    }
}
