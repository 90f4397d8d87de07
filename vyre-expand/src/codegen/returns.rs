//! A `#[device]` function's body and its early `return`s: inlined into the
//! caller, a `return` sets a flag (and leaves loops), and the statements
//! after anything that may return run only while the flag is clear.

use quote::quote;

use super::{Gen, Mode, Out};
use crate::hir::visit::stmt_returns;
use crate::hir::*;
use crate::types::Final;

impl Gen<'_> {
    /// Statements in order, handling a `#[device]` function's early
    /// `return`s (see `stmt`).
    pub(super) fn stmt_list(&mut self, stmts: &[Stmt], out: &mut Out) {
        for (i, s) in stmts.iter().enumerate() {
            self.stmt(s, out);
            if s.diverges() {
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
