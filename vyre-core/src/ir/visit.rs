//! Walking a body's statements.

use super::stmt::{Block, Stmt};

/// Calls `f` on every statement of `block`, nested ones included, in
/// source order (a statement before the statements inside it).
pub fn visit_stmts(block: &Block, f: &mut dyn FnMut(&Stmt)) {
    for s in block.stmts() {
        f(s);
        match s {
            Stmt::If {
                then_body,
                else_body,
                ..
            } => {
                visit_stmts(then_body, f);
                visit_stmts(else_body, f);
            }
            Stmt::Switch { cases, default, .. } => {
                for c in cases {
                    visit_stmts(&c.body, f);
                }
                visit_stmts(default, f);
            }
            Stmt::For { body, .. } | Stmt::While { body, .. } | Stmt::Loop { body } => {
                visit_stmts(body, f)
            }
            Stmt::Block(b) => visit_stmts(b, f),
            _ => {}
        }
    }
}
