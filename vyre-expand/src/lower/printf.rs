//! `vyre::printf!` inside a handler.

use super::syntax::is_printf;
use super::Lowerer;
use crate::hir::*;
use crate::types::Ty;

impl Lowerer<'_> {
    /// A macro statement: `printf!` (its format already checked by the
    /// `printf!` expansion itself), or an error for any other macro.
    pub(super) fn macro_stmt(&mut self, mac: &syn::Macro, out: &mut Vec<Stmt>) {
        if !is_printf(mac) {
            self.reject_macro(mac);
            return;
        }
        // Format-string problems are reported by `printf!` itself, which
        // expands in the original function.
        let Ok(parsed) = crate::printf::parse_args(mac.tokens.clone()) else {
            self.cx.soft("invalid printf! arguments");
            return;
        };
        if let Err(e) = crate::printf::check_format(&parsed) {
            self.cx.soft(e.to_string());
            return;
        }
        let mut args = Vec::new();
        for a in &parsed.args {
            let v = self.expr(a);
            if matches!(self.types.resolve(v.ty), Ty::Prio) {
                self.cx.soft("printf! cannot print a Priority");
            }
            args.push(v);
        }
        out.push(Stmt::Printf(parsed.format.value(), args));
    }
}
