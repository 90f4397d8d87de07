//! `ctx.spawn(priority, op::task(args…))` and `ctx.request(priority,
//! kind::call(args…), op::then(given…))`.

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
        let Some((call, target)) = module_call(task, "task") else {
            if self.poisoned(task) {
                return None;
            }
            self.cx.error(task, "the task of `ctx.spawn` is written in place as `op::task(args…)`, where `op` is an #[opcode] function: task values cannot be stored or passed around on the GPU");
            return None;
        };
        let args = self.typed_args(call, &target, "task argument");
        let relocated = relocate(&target);
        Some(Spawn {
            priority,
            target: relocated,
            args,
            request: None,
        })
    }

    /// `ctx.request(priority, kind::call(args…), target::then(given…))`: a
    /// spawn of `target` whose last argument the host's reply supplies.
    /// The request's arguments are typed by the kind's `ARGS`, the given
    /// ones by `target`'s; rustc checks the reply's type against
    /// `target`'s last parameter (`RequestCall<R>`, `Continuation<R>`),
    /// and the program's assembly checks the whole signature again.
    pub(super) fn request(&mut self, mc: &syn::ExprMethodCall) -> Option<Spawn> {
        let (Some(prio), Some(call), Some(then), 3) = (
            mc.args.first(),
            mc.args.get(1),
            mc.args.get(2),
            mc.args.len(),
        ) else {
            self.cx
                .soft("`request` takes a priority, a request and a continuation");
            return None;
        };
        let priority = self.expr(prio);
        if let Ty::Var(_) = self.types.resolve(priority.ty) {
            let _ = self.unify(priority.ty, Ty::S(ScalarType::U32));
        }
        let Some((call, kind)) = module_call(call, "call") else {
            if !self.poisoned(call) {
                self.cx.error(call, "the request of `ctx.request` is written in place as `kind::call(args…)`, where `kind` is a #[request] declaration");
            }
            return None;
        };
        let Some((then, target)) = module_call(then, "then") else {
            if !self.poisoned(then) {
                self.cx.error(then, "the continuation of `ctx.request` is written in place as `op::then(args…)`, where `op` is an #[opcode] function whose last argument receives the reply");
            }
            return None;
        };
        let kind_args = self.typed_args(call, &kind, "request argument");
        let given = self.typed_args(then, &target, "continuation argument");
        Some(Spawn {
            priority,
            target: relocate(&target),
            args: given,
            request: Some(RequestPart {
                kind: relocate(&kind),
                args: kind_args,
            }),
        })
    }

    /// The arguments of `call` (a call of `target::…`), each typed by
    /// `target`'s `ARGS` (or this handler's own parameters when `target` is
    /// this opcode).
    pub(super) fn typed_args(
        &mut self,
        call: &syn::ExprCall,
        target: &syn::Path,
        what: &str,
    ) -> Vec<Expr> {
        let self_target = target.segments.len() == 1
            && target.leading_colon.is_none()
            && target
                .segments
                .first()
                .is_some_and(|s| crate::sig::ident_name(&s.ident) == self.fn_name)
            && self.kind == FnKind::Opcode;
        let relocated = relocate(target);
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
            self.expect(&v, ty, what);
            args.push(v);
        }
        args
    }
}

/// `expr` as `module::method(args…)`: the call and the module's path.
pub(super) fn module_call<'e>(
    expr: &'e syn::Expr,
    method: &str,
) -> Option<(&'e syn::ExprCall, syn::Path)> {
    let syn::Expr::Call(call) = strip_parens(expr) else {
        return None;
    };
    let syn::Expr::Path(p) = strip_parens(&call.func) else {
        return None;
    };
    if p.qself.is_some() || p.path.segments.len() < 2 || has_generic_args(&p.path).is_some() {
        return None;
    }
    if p.path.segments.last()?.ident != method {
        return None;
    }
    let mut module = p.path.clone();
    module.segments.pop();
    // Drop the trailing `::` left by pop().
    let segs: syn::punctuated::Punctuated<syn::PathSegment, syn::Token![::]> =
        module.segments.into_iter().collect();
    module.segments = segs;
    Some((call, module))
}
