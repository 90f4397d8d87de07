//! Bounds-checked local arrays in the emitted function: every index into
//! a local array goes through `::vyre::host::__private::array_index`, so
//! that in the native backend an index out of bounds is the same
//! `OUT_OF_BOUNDS` fault as on the GPU, not a Rust panic (in a plain host
//! call it still panics with Rust's message).
//!
//! A handler can index only its buffer parameters and its local arrays
//! (the translator rejects everything else), so an index whose base is a
//! plain name other than a buffer parameter's is a local array's.

use syn::visit_mut::VisitMut;

struct Guard<'a> {
    buffers: &'a [String],
}

impl VisitMut for Guard<'_> {
    fn visit_expr_index_mut(&mut self, e: &mut syn::ExprIndex) {
        syn::visit_mut::visit_expr_index_mut(self, e);
        let syn::Expr::Path(p) = &*e.expr else {
            return;
        };
        let Some(name) = p.path.get_ident() else {
            return;
        };
        if self.buffers.iter().any(|b| name == b) {
            return;
        }
        let index = &e.index;
        let guarded = quote::quote!(::vyre::host::__private::array_index(#index, #name.len()));
        if let Ok(g) = syn::parse2(guarded) {
            *e.index = g;
        }
    }

    // Nested items are not part of the handler.
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

/// Guards the local-array indices of a function body whose buffer
/// parameters are `buffers`.
pub(crate) fn guard(block: &mut syn::Block, buffers: &[String]) {
    Guard { buffers }.visit_block_mut(block);
}
