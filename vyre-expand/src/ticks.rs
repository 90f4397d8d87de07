//! Inserting `::vyre::host::loop_tick();` at the start of every loop body
//! of the emitted function, so the native backend can enforce the per-task
//! loop limit.

use syn::visit_mut::VisitMut;

struct Ticks {
    tick: Option<syn::Stmt>,
}

impl Ticks {
    fn prepend(&self, block: &mut syn::Block) {
        if let Some(t) = &self.tick {
            block.stmts.insert(0, t.clone());
        }
    }
}

impl VisitMut for Ticks {
    fn visit_expr_for_loop_mut(&mut self, e: &mut syn::ExprForLoop) {
        syn::visit_mut::visit_expr_for_loop_mut(self, e);
        self.prepend(&mut e.body);
    }

    fn visit_expr_while_mut(&mut self, e: &mut syn::ExprWhile) {
        syn::visit_mut::visit_expr_while_mut(self, e);
        self.prepend(&mut e.body);
    }

    fn visit_expr_loop_mut(&mut self, e: &mut syn::ExprLoop) {
        syn::visit_mut::visit_expr_loop_mut(self, e);
        self.prepend(&mut e.body);
    }

    // Nested items are not part of the handler.
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

/// Adds the loop ticks to a function body.
pub(crate) fn insert(block: &mut syn::Block) {
    let tick = syn::parse2::<syn::Stmt>(quote::quote!(::vyre::host::loop_tick();)).ok();
    Ticks { tick }.visit_block_mut(block);
}
