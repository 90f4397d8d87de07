//! `if`/`else` and `match` on integers (and `Priority`), as statements and
//! as values.

use proc_macro2::Span;
use syn::spanned::Spanned;

use super::syntax::{first_upper, priority_path, strip_parens};
use super::{Binding, Lowerer};
use crate::hir::*;
use crate::types::Ty;

impl Lowerer<'_> {
    /// An `if` (or `if let` on a compare_exchange) whose value is unused.
    pub(super) fn if_stmt(&mut self, i: &syn::ExprIf) -> Option<Stmt> {
        if let syn::Expr::Let(l) = strip_parens(&i.cond) {
            return self.if_let(i, l, false).map(Stmt::Block);
        }
        let cond = self.expr(&i.cond);
        self.expect(&cond, Ty::S(ScalarType::Bool), "`if` condition");
        let then = self.block(&i.then_branch, false);
        let els = match &i.else_branch {
            None => Block::default(),
            Some((_, e)) => self.else_block(e, false),
        };
        Some(Stmt::If(cond, then, els))
    }

    /// The `else` branch: a block, an `else if`, or (with a value) an
    /// expression.
    pub(super) fn else_block(&mut self, e: &syn::Expr, want_value: bool) -> Block {
        match e {
            syn::Expr::Block(b) if b.label.is_none() => self.block(&b.block, want_value),
            syn::Expr::If(inner) if !want_value => {
                let mut b = Block::default();
                if let Some(s) = self.if_stmt(inner) {
                    b.stmts.push(s);
                }
                b
            }
            other => {
                let v = self.expr(other);
                Block {
                    stmts: Vec::new(),
                    tail: Some(Box::new(v)),
                }
            }
        }
    }

    /// An `if` with a value (both branches have one).
    pub(super) fn if_value(&mut self, i: &syn::ExprIf) -> Expr {
        let span = i.span();
        if let syn::Expr::Let(l) = strip_parens(&i.cond) {
            let Some(block) = self.if_let(i, l, true) else {
                return self.err_expr(span);
            };
            let ty = self.block_ty(&block);
            return self.mk(ExprKind::Block(block), ty, span);
        }
        let Some((_, else_expr)) = &i.else_branch else {
            // rustc reports it (E0317).
            self.cx.soft("an `if` without `else` has no value");
            return self.err_expr(span);
        };
        let cond = self.expr(&i.cond);
        self.expect(&cond, Ty::S(ScalarType::Bool), "`if` condition");
        let then = self.block(&i.then_branch, true);
        let els = self.else_block(else_expr, true);
        let tt = self.block_ty(&then);
        let et = self.block_ty(&els);
        if !self.unify(tt, et) {
            self.cx.soft("`if` and `else` have incompatible types");
        }
        let ty = if matches!(self.types.resolve(tt), Ty::Never) {
            et
        } else {
            tt
        };
        if matches!(self.types.resolve(ty), Ty::Unit) {
            return self.reject(
                i,
                "this `if` has no value (its branches are `()`), so it cannot be used as one",
            );
        }
        self.mk(ExprKind::If(Box::new(cond), then, els), ty, span)
    }

    /// An arm's body with `let binding = old;` in front.
    pub(super) fn arm_block(
        &mut self,
        binding: Option<(String, bool)>,
        old: LocalIdx,
        elem: Ty,
        body: ArmBody<'_>,
        want_value: bool,
    ) -> Block {
        self.push_scope();
        let mut stmts = Vec::new();
        if let Some((name, mutable)) = binding {
            let l = self.new_local(&name, elem, mutable);
            let span = Span::call_site();
            stmts.push(Stmt::Let(l, self.mk(ExprKind::Local(old), elem, span)));
            self.bind(&name, Binding::Local(l));
        }
        let mut inner = match body {
            ArmBody::Block(b) => self.block(b, want_value),
            ArmBody::Expr(e) => self.arm_expr(e, want_value),
        };
        self.pop_scope();
        stmts.append(&mut inner.stmts);
        Block {
            stmts,
            tail: inner.tail,
        }
    }

    /// A match arm's body as a block.
    fn arm_expr(&mut self, e: &syn::Expr, want_value: bool) -> Block {
        match e {
            syn::Expr::Block(b) if b.label.is_none() => self.block(&b.block, want_value),
            _ if want_value => {
                let v = self.expr(e);
                Block {
                    stmts: Vec::new(),
                    tail: Some(Box::new(v)),
                }
            }
            _ => {
                let mut stmts = Vec::new();
                self.expr_stmt(e, &mut stmts);
                Block { stmts, tail: None }
            }
        }
    }

    /// A `match` whose value is unused.
    pub(super) fn match_stmt(&mut self, m: &syn::ExprMatch) -> Option<Stmt> {
        if let Some(b) = self.cas_match(m, false) {
            return b.map(Stmt::Block);
        }
        let (prelude, mat) = self.int_match(m, false)?;
        if prelude.is_empty() {
            Some(Stmt::Match(Box::new(mat)))
        } else {
            let mut stmts = prelude;
            stmts.push(Stmt::Match(Box::new(mat)));
            Some(Stmt::Block(Block { stmts, tail: None }))
        }
    }

    /// A `match` with a value (every arm has one).
    pub(super) fn match_value(&mut self, m: &syn::ExprMatch) -> Expr {
        let span = m.span();
        if let Some(b) = self.cas_match(m, true) {
            let Some(block) = b else {
                return self.err_expr(span);
            };
            let ty = self.block_ty(&block);
            return self.mk(ExprKind::Block(block), ty, span);
        }
        let Some((prelude, mat)) = self.int_match(m, true) else {
            return self.err_expr(span);
        };
        let mut ty = Ty::Never;
        for b in mat.arms.iter().map(|a| &a.body).chain(mat.default.as_ref()) {
            let bt = self.block_ty(b);
            if !self.unify(ty, bt) {
                self.cx.soft("match arms have incompatible types");
            }
            if matches!(self.types.resolve(ty), Ty::Never) {
                ty = bt;
            }
        }
        if matches!(self.types.resolve(ty), Ty::Unit) {
            return self.reject(
                m,
                "this `match` has no value (its arms are `()`), so it cannot be used as one",
            );
        }
        let e = self.mk(ExprKind::Match(Box::new(mat)), ty, span);
        if prelude.is_empty() {
            e
        } else {
            self.mk(
                ExprKind::Block(Block {
                    stmts: prelude,
                    tail: Some(Box::new(e)),
                }),
                ty,
                span,
            )
        }
    }

    /// `match` on an integer (or `Priority`): statements to run first (a
    /// binding arm's `let`) and the match.
    fn int_match(&mut self, m: &syn::ExprMatch, want_value: bool) -> Option<(Vec<Stmt>, Match)> {
        let scrutinee = self.expr(&m.expr);
        let scrut_ty = scrutinee.ty;
        let mut prelude = Vec::new();
        let mut scrutinee = Some(scrutinee);
        let mut arms = Vec::new();
        let mut default: Option<Block> = None;
        // A binding arm needs the scrutinee in a local: `let n = scrutinee;`.
        let binding_arm = m
            .arms
            .iter()
            .find(|a| a.guard.is_none() && is_catch_all(&a.pat))
            .and_then(|a| catch_all_binding(&a.pat));
        let mut bound: Option<LocalIdx> = None;
        if let Some((name, mutable)) = &binding_arm {
            if let Some(s) = scrutinee.take() {
                let span = s.span;
                let l = self.new_local(name, scrut_ty, *mutable);
                prelude.push(Stmt::Let(l, s));
                bound = Some(l);
                scrutinee = Some(self.mk(ExprKind::Local(l), scrut_ty, span));
            }
        }
        for arm in &m.arms {
            if let Some((_, g)) = &arm.guard {
                self.cx.error(
                    g,
                    "match guards are not supported; test the condition inside the arm with `if`",
                );
                continue;
            }
            let mut values = Vec::new();
            let mut catch_all = None;
            self.arm_pattern(&arm.pat, scrut_ty, &mut values, &mut catch_all);
            if default.is_some() {
                // After a catch-all arm nothing is reachable (rustc warns).
                continue;
            }
            match catch_all {
                Some(binding) => {
                    self.push_scope();
                    if let (Some(name), Some(l)) = (binding, bound) {
                        self.bind(&name, Binding::Local(l));
                    }
                    default = Some(self.arm_expr(&arm.body, want_value));
                    self.pop_scope();
                }
                None => {
                    let body = self.arm_expr(&arm.body, want_value);
                    arms.push(Arm { values, body });
                }
            }
        }
        let scrutinee = scrutinee?;
        Some((
            prelude,
            Match {
                scrutinee,
                arms,
                default,
            },
        ))
    }

    /// Collects the literal values of a pattern; a catch-all (`_` or a
    /// binding) sets `catch_all` (with the binding's name).
    fn arm_pattern(
        &mut self,
        pat: &syn::Pat,
        scrut: Ty,
        values: &mut Vec<(LitVal, Ty, Span)>,
        catch_all: &mut Option<Option<String>>,
    ) {
        match pat {
            syn::Pat::Or(o) => {
                for c in &o.cases {
                    self.arm_pattern(c, scrut, values, catch_all);
                }
            }
            syn::Pat::Paren(p) => self.arm_pattern(&p.pat, scrut, values, catch_all),
            syn::Pat::Wild(_) => *catch_all = Some(None),
            syn::Pat::Ident(pi) if pi.subpat.is_none() && pi.by_ref.is_none() => {
                let name = crate::sig::ident_name(&pi.ident);
                if first_upper(&name) {
                    self.cx.error(pi, "constant patterns are not supported: the GPU switch needs literal values; write the number, or compare with `==` in an `if`");
                } else {
                    *catch_all = Some(Some(name));
                }
            }
            syn::Pat::Lit(l) => {
                let e = self.lit(&l.lit);
                let (value, ty, span) = match e.kind {
                    ExprKind::Lit(v) => (v, e.ty, e.span),
                    _ => return,
                };
                if !self.unify(ty, scrut) {
                    self.cx.soft("pattern type does not match the scrutinee");
                }
                values.push((value, ty, span));
            }
            syn::Pat::Path(p) if p.qself.is_none() => match priority_path(&p.path) {
                Some(Some(priority)) => {
                    if !self.unify(Ty::Prio, scrut) {
                        self.cx.soft("pattern type does not match the scrutinee");
                    }
                    let index = LitVal::Int(priority.index() as i128);
                    values.push((index, Ty::Prio, p.span()));
                }
                Some(None) => self.cx.soft("unknown priority"),
                None => {
                    self.cx.error(p, "constant patterns are not supported: the GPU switch needs literal values; write the number, or compare with `==` in an `if`");
                }
            },
            syn::Pat::Range(r) => {
                self.cx.error(r, "range patterns are not supported: the GPU switch matches single values; list them with `|` (`1 | 2 | 3 =>`) or use `if`/`else`");
            }
            other => {
                self.cx.error(other, "this pattern is not supported: match arms take integer literals, `|` alternatives and `_`");
            }
        }
    }
}

/// The body of a match arm or `if let` branch, as written.
pub(super) enum ArmBody<'a> {
    Block(&'a syn::Block),
    Expr(&'a syn::Expr),
}

/// Whether an arm pattern matches everything (`_` or a binding).
fn is_catch_all(p: &syn::Pat) -> bool {
    match p {
        syn::Pat::Wild(_) => true,
        syn::Pat::Paren(inner) => is_catch_all(&inner.pat),
        syn::Pat::Or(o) => o.cases.iter().any(is_catch_all),
        _ => catch_all_binding(p).is_some(),
    }
}

/// The binding of a catch-all arm (`n => …`), if the pattern is one.
fn catch_all_binding(p: &syn::Pat) -> Option<(String, bool)> {
    match p {
        syn::Pat::Ident(pi) if pi.subpat.is_none() && pi.by_ref.is_none() => {
            let name = crate::sig::ident_name(&pi.ident);
            (!first_upper(&name)).then_some((name, pi.mutability.is_some()))
        }
        _ => None,
    }
}
