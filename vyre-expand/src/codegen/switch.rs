//! `match` on an integer: an IR `Switch`, its arms' values deduplicated as
//! rustc does.

use proc_macro2::TokenStream;
use quote::quote;

use super::{Gen, Out};
use crate::hir::*;
use crate::types::Final;

impl Gen<'_> {
    /// `Stmt::Switch` for `m`; the arms' values are assigned to `value`
    /// when the match is used as one.
    pub(super) fn switch(
        &mut self,
        m: &Match,
        value: Option<LocalIdx>,
        out: &mut Out,
    ) -> TokenStream {
        let sel = self.expr(&m.scrutinee, out);
        let scrut_ty = match self.fin(&m.scrutinee) {
            Final::Prio => Final::S(ScalarType::U32),
            t => t,
        };
        let mut seen: Vec<i128> = Vec::new();
        let mut cases = Vec::new();
        for arm in &m.arms {
            let mut values = Vec::new();
            for (v, _, _) in &arm.values {
                let key = match v {
                    LitVal::Int(n) => *n,
                    LitVal::Bool(b) => i128::from(*b),
                    LitVal::Float(x) => i128::from(x.to_bits()),
                };
                // rustc keeps the first arm for a repeated value.
                let key = match scrut_ty {
                    Final::S(ScalarType::U32) => i128::from(key as u32),
                    Final::S(ScalarType::I32) => i128::from(key as i32),
                    _ => key,
                };
                if seen.contains(&key) {
                    continue;
                }
                seen.push(key);
                let lit = self.lit(*v, scrut_ty);
                values.push(quote!(match #lit { ::vyre::ir::Expr::Lit(l) => l, _ => ::vyre::ir::Literal::U32(0u32) }));
            }
            if values.is_empty() {
                continue;
            }
            let body = self.value_block(&arm.body, value);
            cases.push(
                quote!(::vyre::ir::SwitchCase { values: ::std::vec![#(#values),*], body: #body }),
            );
        }
        let default = match &m.default {
            Some(d) => self.value_block(d, value),
            None => quote!(::vyre::ir::Block(::std::vec::Vec::new())),
        };
        quote!(::vyre::ir::Stmt::Switch { selector: #sel, cases: ::std::vec![#(#cases),*], default: #default })
    }
}
