//! Evaluation order: which expressions push statements before their
//! value, which may be evaluated early or twice, and the spilling of
//! operands that keeps Rust's left-to-right order.

use proc_macro2::TokenStream;
use quote::quote;

use super::{Gen, Out};
use crate::hir::*;
use crate::types::Final;

impl Gen<'_> {
    /// Whether generating `e` pushes statements.
    pub(super) fn has_prelude(&self, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Lit(_)
            | ExprKind::Local(_)
            | ExprKind::Const(_)
            | ExprKind::Len(_)
            | ExprKind::Ctx(_)
            | ExprKind::Prio(_)
            | ExprKind::ArrayLen(_) => false,
            ExprKind::Unary(_, v)
            | ExprKind::Cast(_, v)
            | ExprKind::Load(_, v)
            | ExprKind::Index(_, v) => self.has_prelude(v),
            ExprKind::Binary(_, l, r) => self.has_prelude(l) || self.has_prelude(r),
            ExprKind::StructGet(r, _, element) => {
                r.indices().any(|i| !Self::is_constant(i))
                    || element.as_ref().is_some_and(|e| self.has_prelude(e))
            }
            ExprKind::LoadField(fa) => {
                self.has_prelude(&fa.index) || fa.subscripts().any(|e| self.has_prelude(e))
            }
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
    pub(super) fn is_constant(e: &Expr) -> bool {
        matches!(
            e.kind,
            ExprKind::Lit(_)
                | ExprKind::Const(_)
                | ExprKind::Prio(_)
                | ExprKind::Ctx(_)
                | ExprKind::Len(_)
                | ExprKind::ArrayLen(_)
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
            | ExprKind::Prio(_)
            | ExprKind::ArrayLen(_) => true,
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
    pub(super) fn selectable(&self, t: &Block, f: &Block) -> bool {
        let plain = |b: &Block| {
            b.stmts.is_empty()
                && b.tail
                    .as_ref()
                    .is_some_and(|e| !matches!(self.fin(e), Final::Never) && self.speculable(e))
        };
        plain(t) && plain(f)
    }

    /// Binds the value to a fresh local (pushing the `let`) and yields the
    /// local.
    pub(super) fn spill(&mut self, value: TokenStream, ty: Final, out: &mut Out) -> TokenStream {
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
    pub(super) fn operands(&mut self, es: &[&Expr], out: &mut Out) -> Vec<TokenStream> {
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

    /// Two operands evaluated left to right, as [`Self::operands`] does.
    pub(super) fn operand_pair(
        &mut self,
        a: &Expr,
        b: &Expr,
        out: &mut Out,
    ) -> (TokenStream, TokenStream) {
        let mut ts = self.operands(&[a, b], out).into_iter();
        let a = ts.next().unwrap_or_else(Self::unit_value);
        let b = ts.next().unwrap_or_else(Self::unit_value);
        (a, b)
    }
}
