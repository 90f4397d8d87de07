//! `ctx.spawn(priority, op::task(args…))`.

use quote::quote;

use super::syntax::{has_generic_args, strip_parens};
use super::Lowerer;
use crate::hir::*;
use crate::relocate::relocate;
use crate::sig::FnKind;
use crate::types::Ty;

impl Lowerer<'_> {
    /// `ctx.spawn(priority, target::task(args…))`, its arguments typed by
    /// the target's `ARGS` (or this handler's own parameters).
    pub(super) fn spawn(&mut self, mc: &syn::ExprMethodCall) -> Option<Spawn> {
        let (Some(prio), Some(task), 2) = (mc.args.first(), mc.args.get(1), mc.args.len()) else {
            self.cx.soft("`spawn` takes a priority and a task");
            return None;
        };
        let priority = self.expr(prio);
        if let Ty::Var(_) = self.types.resolve(priority.ty) {
            let _ = self.unify(priority.ty, Ty::S(ScalarType::U32));
        }
        let task = strip_parens(task);
        let call = match task {
            syn::Expr::Call(c) => Some(c),
            _ => None,
        };
        let target = call.and_then(|c| match strip_parens(&c.func) {
            syn::Expr::Path(p)
                if p.qself.is_none()
                    && p.path.segments.len() >= 2
                    && has_generic_args(&p.path).is_none() =>
            {
                let last = p.path.segments.last()?;
                if last.ident != "task" {
                    return None;
                }
                let mut module = p.path.clone();
                module.segments.pop();
                // Drop the trailing `::` left by pop().
                let segs: syn::punctuated::Punctuated<syn::PathSegment, syn::Token![::]> =
                    module.segments.into_iter().collect();
                module.segments = segs;
                Some(module)
            }
            _ => None,
        });
        let (Some(call), Some(target)) = (call, target) else {
            if self.poisoned(task) {
                return None;
            }
            self.cx.error(task, "the task of `ctx.spawn` is written in place as `op::task(args…)`, where `op` is an #[opcode] function: task values cannot be stored or passed around on the GPU");
            return None;
        };
        let self_target = target.segments.len() == 1
            && target.leading_colon.is_none()
            && target
                .segments
                .first()
                .is_some_and(|s| crate::sig::ident_name(&s.ident) == self.fn_name)
            && self.kind == FnKind::Opcode;
        let relocated = relocate(&target);
        let mut args = Vec::new();
        for (i, a) in call.args.iter().enumerate() {
            let v = self.expr(a);
            let ty = if self_target {
                match self.own_args.get(i) {
                    Some(s) => Ty::S(*s),
                    None => Ty::Err,
                }
            } else {
                self.dyn_ty(quote!(::vyre::host::__private::param_type(#relocated::ARGS, #i)))
            };
            self.expect(&v, ty, "task argument");
            args.push(v);
        }
        Some(Spawn {
            priority,
            target: relocated,
            args,
        })
    }
}
