//! Checks a [`HandlerInfo`] against its handler: walking the body with the
//! info's navigation (the way the lowering and the interpreter do) reaches
//! every statement and expression exactly once, in pre-order, and each
//! expression's recorded type is the one `type_of` infers.

use vyre_core::ir::validate::type_of;
use vyre_core::ir::{ArrayInit, Block, Expr, ExprId, HandlerInfo, OpcodeHandler, Stmt, StmtId};

struct Walk<'a> {
    h: &'a OpcodeHandler,
    info: &'a HandlerInfo,
    stmts: u32,
    exprs: u32,
}

impl Walk<'_> {
    fn block(&mut self, block: &Block, first: StmtId) {
        let mut id = first;
        for s in block.stmts() {
            self.stmt(s, id);
            id = self.info.next(id);
        }
    }

    fn stmt(&mut self, s: &Stmt, id: StmtId) {
        assert_eq!(id.0, self.stmts, "statements are numbered in pre-order");
        self.stmts += 1;
        let own: Vec<&Expr> = match s {
            Stmt::Let { value, .. } | Stmt::Assign { value, .. } | Stmt::Eval(value) => {
                vec![value]
            }
            Stmt::Store { index, value, .. } | Stmt::AtomicStore { index, value, .. } => {
                vec![index, value]
            }
            Stmt::CompareExchange {
                index,
                current,
                new,
                ..
            } => vec![index, current, new],
            Stmt::If { cond, .. } | Stmt::While { cond, .. } => vec![cond],
            Stmt::Switch { selector, .. } => vec![selector],
            Stmt::For { start, end, .. } => vec![start, end],
            Stmt::Spawn { priority, args, .. } => {
                std::iter::once(priority).chain(args.iter()).collect()
            }
            Stmt::Request {
                priority,
                args,
                given,
                ..
            } => std::iter::once(priority)
                .chain(args.iter())
                .chain(given.iter())
                .collect(),
            Stmt::Fault { code } => vec![code],
            Stmt::LetArray { init, .. } => match init {
                ArrayInit::Repeat(v) => vec![v],
                ArrayInit::List(values) => values.iter().collect(),
            },
            Stmt::StoreIndex { index, value, .. } => vec![index, value],
            Stmt::StoreField {
                index,
                field,
                value,
                ..
            } => std::iter::once(index)
                .chain(field.subscripts())
                .chain(std::iter::once(value))
                .collect(),
            Stmt::Printf { args, .. } => args.iter().collect(),
            Stmt::Loop { .. }
            | Stmt::Break
            | Stmt::Continue
            | Stmt::Return
            | Stmt::Block(_)
            | Stmt::Shutdown => Vec::new(),
        };
        let info = self.info;
        for (e, eid) in own.into_iter().zip(info.siblings(info.stmt_expr(id))) {
            self.expr(e, eid);
        }
        let mut first = info.nested(id);
        let blocks: Vec<&Block> = match s {
            Stmt::If {
                then_body,
                else_body,
                ..
            } => vec![then_body, else_body],
            Stmt::Switch { cases, default, .. } => {
                cases.iter().map(|c| &c.body).chain([default]).collect()
            }
            Stmt::For { body, .. } | Stmt::While { body, .. } | Stmt::Loop { body } => vec![body],
            Stmt::Block(b) => vec![b],
            _ => Vec::new(),
        };
        for b in blocks {
            self.block(b, first);
            first = info.after_block(first, b);
        }
        assert_eq!(
            info.next(id),
            first,
            "a statement's subtree ends after its blocks"
        );
    }

    fn expr(&mut self, e: &Expr, id: ExprId) {
        assert_eq!(id.0, self.exprs, "expressions are numbered in pre-order");
        self.exprs += 1;
        let inferred = type_of(e, &self.h.locals, &self.h.buffers, &|_| true).expect("typed");
        assert_eq!(self.info.ty(id), inferred, "type of {e:?}");
        let operands: Vec<&Expr> = match e {
            Expr::Lit(_) | Expr::Local(_) | Expr::Len { .. } | Expr::Ctx(_) => Vec::new(),
            Expr::Unary { operand, .. } => vec![&**operand],
            Expr::Binary { lhs, rhs, .. } => vec![&**lhs, &**rhs],
            Expr::Cast { value, .. } => vec![&**value],
            Expr::Select {
                cond,
                if_true,
                if_false,
            } => vec![&**cond, &**if_true, &**if_false],
            Expr::Intrinsic { args, .. } => args.iter().collect(),
            Expr::Load { index, .. }
            | Expr::Index { index, .. }
            | Expr::CheckIndex { index, .. } => {
                vec![&**index]
            }
            Expr::LoadField { index, field, .. } => std::iter::once(&**index)
                .chain(field.subscripts())
                .collect(),
            Expr::Atomic { index, value, .. } => {
                std::iter::once(&**index).chain(value.as_deref()).collect()
            }
        };
        let info = self.info;
        let mut next = info.operand(id);
        for o in operands {
            self.expr(o, next);
            next = info.next_expr(next);
        }
        assert_eq!(
            info.next_expr(id),
            next,
            "an expression's subtree ends after its operands"
        );
    }
}

/// Panics unless `info` numbers and types `h` as documented.
pub fn check(h: &OpcodeHandler, info: &HandlerInfo) {
    for (i, l) in h.locals.iter().enumerate() {
        assert_eq!(info.local(vyre_core::ir::LocalId(i as u32)), l.ty);
    }
    let mut walk = Walk {
        h,
        info,
        stmts: 0,
        exprs: 0,
    };
    walk.block(&h.body, info.body());
    assert_eq!(
        walk.stmts as usize,
        info.stmt_count(),
        "every statement visited"
    );
    assert_eq!(
        walk.exprs as usize,
        info.expr_count(),
        "every expression visited"
    );
}
