//! Calls: methods (of the context, of buffers and their elements, of
//! scalars) and functions (`#[device]` functions, UFCS scalar methods), and
//! the messages for the calls that have no GPU form.

use quote::quote;
use syn::spanned::Spanned;

use super::atomic::is_atomic_method;
use super::cas::is_cas_call;
use super::intrinsic::scalar_methods;
use super::syntax::{has_generic_args, path_names, strip_parens};
use super::{Binding, Lowerer};
use crate::hir::*;
use crate::relocate::relocate;
use crate::sig::FnKind;
use crate::types::Ty;

impl Lowerer<'_> {
    /// A method call whose value is unused; `shutdown`, `spawn`, `store`
    /// and `compare_exchange` are statements.
    pub(super) fn method_stmt(&mut self, mc: &syn::ExprMethodCall, out: &mut Vec<Stmt>) {
        let name = mc.method.to_string();
        // ctx.shutdown(), ctx.spawn(..), ctx.fault(..)
        if let Some(Binding::Ctx) = self.binding_of(&mc.receiver) {
            match name.as_str() {
                "shutdown" => {
                    if !mc.args.is_empty() {
                        self.cx.soft("shutdown takes no arguments");
                    }
                    out.push(Stmt::Shutdown);
                    return;
                }
                "spawn" => {
                    if let Some(s) = self.spawn(mc) {
                        out.push(Stmt::Spawn(Box::new(s)));
                    }
                    return;
                }
                "request" => {
                    if let Some(s) = self.request(mc) {
                        out.push(Stmt::Spawn(Box::new(s)));
                    }
                    return;
                }
                _ => {}
            }
        }
        // buf[i].store(v), buf[i].compare_exchange(a, b);
        if let syn::Expr::Index(ix) = strip_parens(&mc.receiver) {
            if let Some((buf, info)) = self.buffer_of(&ix.expr) {
                if info.access == Access::Atomic && name == "store" {
                    let index = self.expr(&ix.index);
                    self.expect(&index, Ty::S(ScalarType::U32), "buffer index");
                    let Some(arg) = mc.args.first() else {
                        self.cx.soft("store takes one argument");
                        return;
                    };
                    let value = self.expr(arg);
                    self.expect(&value, Ty::S(info.elem), "stored value");
                    out.push(Stmt::AtomicStore(buf, index, value));
                    return;
                }
                if info.access == Access::Atomic && name == "compare_exchange" {
                    if let Some(cas) = self.cas(&syn::Expr::MethodCall(mc.clone()), None) {
                        out.push(Stmt::Cas(Box::new(cas)));
                    }
                    return;
                }
            }
        }
        let v = self.method_value(mc);
        match v.kind {
            ExprKind::Diverge(s) => out.push(*s),
            ExprKind::Spawn(s) => out.push(Stmt::Spawn(s)),
            _ => out.push(Stmt::Eval(v)),
        }
    }

    /// A method call with a value: of the context, a buffer, an element
    /// or a compare_exchange result, or a scalar method.
    pub(super) fn method_value(&mut self, mc: &syn::ExprMethodCall) -> Expr {
        let span = mc.span();
        let name = mc.method.to_string();
        if let Some(t) = &mc.turbofish {
            return self.reject(t, "generic arguments are not supported in handlers");
        }
        if self.poisoned(&mc.receiver) {
            return self.err_expr(span);
        }
        match self.binding_of(&mc.receiver) {
            Some(Binding::Ctx) => return self.ctx_method(mc),
            Some(Binding::Buffer(b)) => {
                let bname = self.bufs.get(b).map(|i| i.name.clone()).unwrap_or_default();
                if name == "len" && mc.args.is_empty() {
                    return self.mk(ExprKind::Len(b), Ty::S(ScalarType::U32), span);
                }
                if is_atomic_method(&name) {
                    return self.reject(
                        &mc.method,
                        format!("atomic methods apply to elements: `{bname}[i].{name}(…)`"),
                    );
                }
                return self.reject(&mc.method, format!("buffers support indexing (`{bname}[i]`) and `{bname}.len()` in a handler; `.{name}()` does not exist on the GPU"));
            }
            Some(Binding::Cas { exchanged, .. }) => {
                return self.cas_flag(&name, mc, Block::default(), exchanged);
            }
            Some(Binding::Struct(s))
                if name == "len"
                    && mc.args.is_empty()
                    && self.structs.get(s).is_some_and(|i| i.count.is_some()) =>
            {
                return self.mk(
                    ExprKind::ArrayLen(ArrayOf::Structs(s)),
                    Ty::S(ScalarType::U32),
                    span,
                );
            }
            Some(Binding::Array(a)) => {
                if name == "len" && mc.args.is_empty() {
                    return self.mk(
                        ExprKind::ArrayLen(ArrayOf::Scalars(a)),
                        Ty::S(ScalarType::U32),
                        span,
                    );
                }
                let aname = self
                    .locals
                    .get(a)
                    .map(|l| l.name.clone())
                    .unwrap_or_default();
                return self.reject(&mc.method, format!("local arrays support indexing (`{aname}[i as usize]`) and `{aname}.len()` in a handler; `.{name}()` does not exist on the GPU"));
            }
            _ => {}
        }
        // <cas>.is_ok() / .is_err()
        if is_cas_call(&mc.receiver) {
            let Some(cas) = self.cas(strip_parens(&mc.receiver), None) else {
                return self.err_expr(span);
            };
            let exchanged = cas.exchanged;
            let block = Block {
                stmts: vec![Stmt::Cas(Box::new(cas))],
                tail: None,
            };
            return self.cas_flag(&name, mc, block, exchanged);
        }
        // Elements of buffers.
        if let syn::Expr::Index(ix) = strip_parens(&mc.receiver) {
            if let Some((buf, info)) = self.buffer_of(&ix.expr) {
                if info.access == Access::Atomic {
                    return self.atomic_method(mc, buf, &info, &ix.index);
                }
                if is_atomic_method(&name) {
                    return self.reject(&mc.method, format!(
                        "`{name}` is an atomic method, but `{}` is `{}`; declare it `&Buffer<Atomic<{}>>` to use atomics",
                        info.name, info.access.rust_form(info.elem), info.elem.rust_name()
                    ));
                }
            }
        }
        if name == "compare_exchange" {
            return self.reject(&mc.method, "`compare_exchange` applies to elements of atomic buffers: `buf[i].compare_exchange(current, new)` with `buf: &Buffer<Atomic<u32>>`");
        }
        self.scalar_method(mc, &name)
    }

    /// `ctx.method(…)`.
    fn ctx_method(&mut self, mc: &syn::ExprMethodCall) -> Expr {
        let span = mc.span();
        let name = mc.method.to_string();
        if let Some(value) = CtxValue::from_method_name(&name) {
            if !mc.args.is_empty() {
                self.cx.soft(format!("`{name}` takes no arguments"));
            }
            // `ctx.priority()` is a `u32` in the IR, typed `Priority`.
            let ty = match value {
                CtxValue::Priority => Ty::Prio,
                _ => Ty::S(ScalarType::U32),
            };
            return self.mk(ExprKind::Ctx(value), ty, span);
        }
        match name.as_str() {
            "fault" => {
                let Some(code) = mc.args.first() else {
                    self.cx.soft("`fault` takes the fault code");
                    return self.err_expr(span);
                };
                let code = self.expr(code);
                self.expect(&code, Ty::S(ScalarType::U32), "fault code");
                self.mk(ExprKind::Diverge(Box::new(Stmt::Fault(code))), Ty::Never, span)
            }
            "shutdown" => self.reject(mc, "`ctx.shutdown()` has no value; use it as a statement"),
            "spawn" => match self.spawn(mc) {
                Some(s) => self.mk(ExprKind::Spawn(Box::new(s)), Ty::S(ScalarType::Bool), span),
                None => self.err_expr(span),
            },
            "request" => match self.request(mc) {
                Some(s) => self.mk(ExprKind::Spawn(Box::new(s)), Ty::S(ScalarType::Bool), span),
                None => self.err_expr(span),
            },
            _ => self.reject(&mc.method, format!("`ctx.{name}()` does not exist: the context has `lane()`, `slot()`, `tenant()`, `priority()`, `spawn(priority, op::task(…))`, `request(priority, kind::call(…), op::then(…))`, `fault(code)` and `shutdown()`")),
        }
    }

    /// `path(args…)`: a `#[device]` function or a UFCS scalar method
    /// (`stmt`: the value is unused, so the call's result type is not needed).
    pub(super) fn call(&mut self, c: &syn::ExprCall, stmt: bool) -> Expr {
        let span = c.span();
        let syn::Expr::Path(p) = strip_parens(&c.func) else {
            return self.reject(&c.func, "only #[device] functions can be called in a handler (function values and closures do not exist on the GPU)");
        };
        if p.qself.is_some() {
            return self.reject(
                p,
                "qualified paths (`<T as Trait>::f`) are not supported in handlers",
            );
        }
        if let Some(args) = has_generic_args(&p.path) {
            return self.reject(args, "generic calls are not supported in handlers: #[device] functions take concrete scalar types");
        }
        let names = path_names(&p.path);
        let first = names.first().map(String::as_str).unwrap_or("");
        let last = names.last().map(String::as_str).unwrap_or("");
        let n = names.len();
        if n >= 2 && last == "task" {
            return self.reject(c, "a task value can only be written directly as the second argument of `ctx.spawn(priority, op::task(…))`");
        }
        // UFCS scalar methods: `u32::max(a, b)`, `f32::sqrt(x)`.
        if n == 2 {
            if let Some(s) = ScalarType::from_rust_name(first) {
                if let Some(func) = Intrinsic::from_method_name(last) {
                    let mut args = Vec::new();
                    for (i, a) in c.args.iter().enumerate() {
                        let v = self.expr(a);
                        if i == 0 {
                            self.expect(&v, Ty::S(s), "receiver");
                        }
                        args.push(v);
                    }
                    return self.intrinsic_call(func, args, span);
                }
                let msg = match last {
                    "from" | "try_from" => format!("`{first}::{last}` is not supported: convert with `as` (`x as {first}`)"),
                    _ => format!("`{first}::{last}` is not available in a GPU handler; the scalar methods are {}", scalar_methods()),
                };
                return self.reject(&p.path, msg);
            }
        }
        if matches!(first, "std" | "core" | "alloc") {
            return self.reject(&p.path, format!("`{}` is a standard-library function, which cannot run on the GPU; handlers call #[device] functions and the scalar methods ({})", names.join("::"), scalar_methods()));
        }
        if matches!(
            first,
            "Vec"
                | "String"
                | "Box"
                | "Rc"
                | "Arc"
                | "HashMap"
                | "HashSet"
                | "BTreeMap"
                | "VecDeque"
        ) {
            return self.reject(&p.path, format!("`{first}` is a heap type: a GPU handler has no allocator; pass data through a buffer parameter"));
        }
        if n == 1 {
            match first {
                "Some" | "None" | "Ok" | "Err" => {
                    return self.reject(&p.path, format!("`{first}(…)`: `Option` and `Result` do not exist on the GPU; use a sentinel value or a separate `bool`"));
                }
                "drop" | "forget" => {
                    return self.reject(
                        &p.path,
                        format!("`{first}` is not needed: handlers own no resources"),
                    );
                }
                "min" | "max" => {
                    return self.reject(&p.path, format!("use the method form: `a.{first}(b)`"));
                }
                "panic" | "assert" => {
                    return self
                        .reject(&p.path, "use `ctx.fault(code)` to end a task with an error");
                }
                _ => {}
            }
            if p.path.get_ident().map(crate::sig::ident_name).as_deref()
                == Some(self.fn_name.as_str())
            {
                let msg = match self.kind {
                    FnKind::Opcode => format!("a handler cannot call itself (recursion cannot run on the GPU); spawn a task instead: `ctx.spawn(priority, {}::task(…))`", self.fn_name),
                    FnKind::Device => format!("`{}` calls itself: #[device] functions are inlined into the handler and WGSL forbids recursion; rewrite it as a loop", self.fn_name),
                };
                return self.reject(c, msg);
            }
        }
        // A #[device] function (rustc reports a call to anything else).
        let path = relocate(&p.path);
        let mut args = Vec::new();
        // A struct buffer's element passed by value is loaded into a
        // temporary struct local first (`f(ps[i])`).
        let mut loads = Vec::new();
        for (i, a) in c.args.iter().enumerate() {
            if let Some((s, j)) = self.struct_row(a) {
                let r = self.row_ref(s, j);
                args.push(DevArg::Struct(r));
                continue;
            }
            if let Some((buf, ty, index)) = self.struct_element(a) {
                let index = self.expr(index);
                self.expect(&index, Ty::S(ScalarType::U32), "buffer index");
                let q = self.temp_struct(ty, StructInit::Buffer(buf, index), &mut loads);
                args.push(DevArg::Struct(StructRef::whole(q)));
                continue;
            }
            match self.binding_of(a) {
                Some(Binding::Buffer(b)) => args.push(DevArg::Buffer(b)),
                Some(Binding::Ctx) => args.push(DevArg::Ctx),
                Some(Binding::Struct(s)) => args.push(DevArg::Struct(StructRef::whole(s))),
                _ => {
                    let v = self.expr(a);
                    let ty = self.dyn_ty(
                        quote!(::vyre::host::__private::param_type(#path::__VYRE_PARAMS, #i)),
                    );
                    self.expect(&v, ty, "argument");
                    args.push(DevArg::Scalar(v));
                }
            }
        }
        let ty = if stmt {
            Ty::Err
        } else {
            self.dyn_ty(quote!(#path::__VYRE_RET))
        };
        let call = self.mk(
            ExprKind::Device(Box::new(DeviceCall { path, args })),
            ty,
            span,
        );
        if loads.is_empty() {
            return call;
        }
        self.mk(
            ExprKind::Block(Block {
                stmts: loads,
                tail: Some(Box::new(call)),
            }),
            ty,
            span,
        )
    }
}
