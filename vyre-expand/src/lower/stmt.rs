//! Blocks and statements: `let`, expression statements, loops and
//! assignments (to locals and to buffer elements).

use syn::spanned::Spanned;

use super::atomic::atomic_for_compound;
use super::cas::is_cas_call;
use super::syntax::{compound_op, first_upper, strip_parens};
use super::{Binding, Lowerer};
use crate::hir::*;
use crate::sig::{is_priority, scalar_of, type_rejection};
use crate::types::Ty;

impl Lowerer<'_> {
    /// Lowers a block; with `want_value`, a trailing expression becomes the
    /// block's tail.
    pub(super) fn block(&mut self, block: &syn::Block, want_value: bool) -> Block {
        if !self.enter(block) {
            self.leave();
            return Block::default();
        }
        self.push_scope();
        let mut out = Block::default();
        let n = block.stmts.len();
        for (i, s) in block.stmts.iter().enumerate() {
            let last = i + 1 == n;
            match s {
                syn::Stmt::Expr(e, None) if last && want_value => {
                    out.tail = Some(Box::new(self.expr(e)));
                }
                _ => self.stmt(s, &mut out.stmts),
            }
        }
        self.pop_scope();
        self.leave();
        out
    }

    /// One statement, appended to `out`.
    pub(super) fn stmt(&mut self, s: &syn::Stmt, out: &mut Vec<Stmt>) {
        match s {
            syn::Stmt::Local(local) => self.local(local, out),
            syn::Stmt::Item(item) => {
                self.cx.error(item, "items (functions, constants, types, `use`) cannot be declared inside a handler; declare them next to it (a helper function must be `#[device]`)");
            }
            syn::Stmt::Expr(e, _) => self.expr_stmt(e, out),
            syn::Stmt::Macro(m) => self.macro_stmt(&m.mac, out),
        }
    }

    /// `let name (: T)? = value;`, and `let r = <compare_exchange>;`.
    pub(super) fn local(&mut self, local: &syn::Local, out: &mut Vec<Stmt>) {
        let (pat, annotation) = match &local.pat {
            syn::Pat::Type(pt) => (&*pt.pat, Some(&*pt.ty)),
            p => (p, None),
        };
        let (name, mutable) = match pat {
            syn::Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => (
                Some(crate::sig::ident_name(&pi.ident)),
                pi.mutability.is_some(),
            ),
            syn::Pat::Wild(_) => (None, false),
            syn::Pat::Tuple(_)
            | syn::Pat::TupleStruct(_)
            | syn::Pat::Struct(_)
            | syn::Pat::Slice(_) => {
                self.cx.error(pat, "destructuring patterns are not supported: GPU values are scalars; bind one value per `let`");
                self.poison_pattern(pat);
                return;
            }
            other => {
                self.cx.error(
                    other,
                    "`let` binds a plain name here (`let x = …;` or `let mut x = …;`)",
                );
                return;
            }
        };
        let Some(init) = &local.init else {
            self.cx.error(local, "declare the variable with a value (`let x: u32 = 0;`): GPU locals are initialised where they are declared");
            return;
        };
        if let Some((_, diverge)) = &init.diverge {
            self.cx.error(diverge, "`let … else` is not supported: the only refutable values are compare_exchange results; use `match` or `if let`");
            return;
        }
        // `let p = ps[i];`, `let q = p;`, `let p = Particle { … };`
        if self.let_struct(
            name.clone(),
            mutable,
            annotation,
            strip_parens(&init.expr),
            out,
        ) {
            return;
        }
        // `let a = [v; N];`, `let a = [x, y];`
        if let syn::Expr::Repeat(_) | syn::Expr::Array(_) = strip_parens(&init.expr) {
            self.let_array(name, mutable, annotation, strip_parens(&init.expr), out);
            return;
        }
        // `let r = buf[i].compare_exchange(a, b);`
        if is_cas_call(&init.expr) {
            if let Some(cas) = self.cas(strip_parens(&init.expr), name.as_deref()) {
                let (old, exchanged) = (cas.old, cas.exchanged);
                out.push(Stmt::Cas(Box::new(cas)));
                if let Some(name) = name {
                    self.bind(&name, Binding::Cas { old, exchanged });
                }
            }
            return;
        }
        let errors_before = self.cx.error_count();
        let ann = annotation.map(|t| self.annotation(t));
        let value = self.expr(&init.expr);
        if self.cx.error_count() > errors_before {
            if let Some(name) = name {
                self.bind(&name, Binding::Poisoned);
            }
            return;
        }
        if let Some(Some(ann)) = ann {
            self.expect(&value, ann, "`let` initialiser");
        }
        if matches!(self.types.resolve(value.ty), Ty::Unit) {
            self.cx.error(
                &init.expr,
                "this expression has no value (it is `()`), so it cannot initialise a variable",
            );
            return;
        }
        match name {
            Some(name) => {
                let ty = match ann {
                    Some(Some(t)) => t,
                    _ => value.ty,
                };
                let idx = self.new_local(&name, ty, mutable);
                out.push(Stmt::Let(idx, value));
                self.bind(&name, Binding::Local(idx));
            }
            None => out.push(Stmt::Eval(value)),
        }
    }

    /// The type of a `let` annotation.
    fn annotation(&mut self, ty: &syn::Type) -> Option<Ty> {
        if let Some(s) = scalar_of(ty) {
            return Some(Ty::S(s));
        }
        if is_priority(ty) {
            return Some(Ty::Prio);
        }
        self.cx.error(ty, type_rejection(ty));
        None
    }

    /// An expression in statement position (its value, if any, unused).
    pub(super) fn expr_stmt(&mut self, e: &syn::Expr, out: &mut Vec<Stmt>) {
        if !self.enter(e) {
            self.leave();
            return;
        }
        self.expr_stmt_inner(e, out);
        self.leave();
    }

    /// The statement forms of expressions: assignments, control flow,
    /// method calls, macros.
    fn expr_stmt_inner(&mut self, e: &syn::Expr, out: &mut Vec<Stmt>) {
        match e {
            syn::Expr::Paren(p) => self.expr_stmt(&p.expr, out),
            syn::Expr::Group(g) => self.expr_stmt(&g.expr, out),
            syn::Expr::Assign(a) => self.assign(&a.left, &a.right, None, out),
            syn::Expr::Binary(b) => match compound_op(&b.op) {
                Some(op) => self.assign(&b.left, &b.right, Some((op, &b.op)), out),
                None => {
                    let v = self.expr(e);
                    out.push(Stmt::Eval(v));
                }
            },
            syn::Expr::If(i) => {
                if let Some(s) = self.if_stmt(i) {
                    out.push(s);
                }
            }
            syn::Expr::Match(m) => {
                if let Some(s) = self.match_stmt(m) {
                    out.push(s);
                }
            }
            syn::Expr::ForLoop(f) => self.for_loop(f, out),
            syn::Expr::While(w) => {
                if let Some(label) = &w.label {
                    self.cx.error(label, "loop labels are not supported: `break`/`continue` apply to the innermost loop; use a `bool` flag to leave outer loops");
                }
                if let syn::Expr::Let(l) = strip_parens(&w.cond) {
                    self.cx.error(l, "`while let` is not supported: there are no enums on the GPU; use `while cond { … }` or `loop { … }` with `break`");
                    return;
                }
                let cond = self.expr(&w.cond);
                self.expect(&cond, Ty::S(ScalarType::Bool), "`while` condition");
                let body = self.loop_body(&w.body);
                out.push(Stmt::While(cond, body));
            }
            syn::Expr::Loop(l) => {
                if let Some(label) = &l.label {
                    self.cx.error(label, "loop labels are not supported: `break`/`continue` apply to the innermost loop; use a `bool` flag to leave outer loops");
                }
                let body = self.loop_body(&l.body);
                out.push(Stmt::Loop(body));
            }
            syn::Expr::Block(b) => {
                if let Some(label) = &b.label {
                    self.cx.error(
                        label,
                        "labeled blocks are not supported; use `if`/`else` or a `bool` flag",
                    );
                }
                let block = self.block(&b.block, false);
                out.push(Stmt::Block(block));
            }
            syn::Expr::Break(_) | syn::Expr::Continue(_) | syn::Expr::Return(_) => {
                if let ExprKind::Diverge(s) = self.expr(e).kind {
                    out.push(*s);
                }
            }
            syn::Expr::MethodCall(mc) => self.method_stmt(mc, out),
            syn::Expr::Call(c) => {
                let v = self.call(c, true);
                match v.kind {
                    ExprKind::Device(d) => out.push(Stmt::Device(d)),
                    _ => out.push(Stmt::Eval(v)),
                }
            }
            syn::Expr::Macro(m) => self.macro_stmt(&m.mac, out),
            syn::Expr::Tuple(t) if t.elems.is_empty() => {}
            // A lone `;`.
            syn::Expr::Verbatim(v) if v.is_empty() => {}
            _ => {
                let v = self.expr(e);
                match v.kind {
                    ExprKind::Diverge(s) => out.push(*s),
                    _ => out.push(Stmt::Eval(v)),
                }
            }
        }
    }

    /// A loop's body, inside which `break` and `continue` are allowed.
    fn loop_body(&mut self, body: &syn::Block) -> Block {
        self.loop_depth += 1;
        let b = self.block(body, false);
        self.loop_depth -= 1;
        b
    }

    /// `for var in start..end` (or `..=`) over integers.
    fn for_loop(&mut self, f: &syn::ExprForLoop, out: &mut Vec<Stmt>) {
        if let Some(label) = &f.label {
            self.cx.error(label, "loop labels are not supported: `break`/`continue` apply to the innermost loop; use a `bool` flag to leave outer loops");
        }
        let var_name = match &*f.pat {
            syn::Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => {
                if let Some(m) = &pi.mutability {
                    self.cx.error(m, "the loop variable cannot be `mut`; copy it into a `let mut` local inside the loop");
                }
                crate::sig::ident_name(&pi.ident)
            }
            syn::Pat::Wild(_) => "_".to_string(),
            other => {
                self.cx.error(
                    other,
                    "the loop variable must be a plain name (`for i in a..b`)",
                );
                return;
            }
        };
        let range = match strip_parens(&f.expr) {
            syn::Expr::Range(r) => r,
            syn::Expr::MethodCall(mc)
                if matches!(strip_parens(&mc.receiver), syn::Expr::Range(_)) =>
            {
                let msg = match mc.method.to_string().as_str() {
                    "rev" => "reverse iteration is not supported: loop with `while` and count down (`let mut i = end; while i > start { i -= 1; … }`)".to_string(),
                    "step_by" => "`step_by` is not supported: loop with `while` and add the step (`let mut i = start; while i < end { …; i += step; }`)".to_string(),
                    m => format!("`.{m}()` on a range is not supported: `for` loops iterate over plain integer ranges `a..b` and `a..=b`"),
                };
                self.cx.error(&mc.method, msg);
                return;
            }
            other => {
                self.cx.error(other, "`for` loops iterate over integer ranges `a..b` or `a..=b`; to walk a buffer, iterate over its indices: `for i in 0..buf.len()`");
                return;
            }
        };
        let (Some(start), Some(end)) = (&range.start, &range.end) else {
            self.cx.error(range, "the range of a `for` loop needs both bounds (`a..b` or `a..=b`): the GPU loop must be bounded");
            return;
        };
        let inclusive = matches!(range.limits, syn::RangeLimits::Closed(_));
        let start = self.expr(start);
        let end = self.expr(end);
        self.expect(&end, start.ty, "end of the `for` range");
        let var = self.new_local(&var_name, start.ty, false);
        self.loop_depth += 1;
        self.push_scope();
        if var_name != "_" {
            self.bind(&var_name, Binding::Local(var));
        }
        let body = self.block(&f.body, false);
        self.pop_scope();
        self.loop_depth -= 1;
        out.push(Stmt::For {
            var,
            start,
            end,
            inclusive,
            body,
        });
    }

    /// `left = right` or `left op= right`: to a local or a buffer element.
    pub(super) fn assign(
        &mut self,
        left: &syn::Expr,
        right: &syn::Expr,
        op: Option<(BinOp, &syn::BinOp)>,
        out: &mut Vec<Stmt>,
    ) {
        match strip_parens(left) {
            syn::Expr::Infer(_) if op.is_none() => {
                let v = self.expr(right);
                out.push(Stmt::Eval(v));
            }
            syn::Expr::Path(p) if p.qself.is_none() && p.path.get_ident().is_some() => {
                let name = p
                    .path
                    .get_ident()
                    .map(crate::sig::ident_name)
                    .unwrap_or_default();
                match self.lookup(&name) {
                    Some(Binding::Local(l)) => {
                        let ty = self.locals.get(l).map(|i| i.ty).unwrap_or(Ty::Err);
                        let span = left.span();
                        let rhs = self.expr(right);
                        let value = match op {
                            None => {
                                self.expect(&rhs, ty, "assigned value");
                                rhs
                            }
                            Some((op, _)) => {
                                if !op.is_shift() {
                                    self.expect(&rhs, ty, "right operand");
                                }
                                let lhs = self.mk(ExprKind::Local(l), ty, span);
                                self.mk(
                                    ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)),
                                    ty,
                                    span,
                                )
                            }
                        };
                        out.push(Stmt::Assign(l, value));
                    }
                    Some(Binding::Buffer(_)) => {
                        self.cx.error(left, format!("cannot assign to the buffer `{name}` itself; assign to an element (`{name}[i] = v`)"));
                    }
                    Some(Binding::Array(_)) => {
                        self.cx.error(left, format!("assigning a whole array is not supported; assign its elements (`{name}[i as usize] = v`)"));
                    }
                    Some(Binding::Struct(_)) if op.is_none() => {
                        self.assign_struct(left, right, out);
                    }
                    Some(Binding::Struct(_)) => {
                        self.cx.error(left, format!("`{name}` is a struct: a compound assignment applies to its fields (`{name}.field += v`)"));
                    }
                    Some(Binding::Ctx) => {
                        self.cx.error(left, "cannot assign to the context");
                    }
                    Some(Binding::Cas { .. }) => {
                        self.cx.error(
                            left,
                            format!("cannot assign to the compare_exchange result `{name}`"),
                        );
                    }
                    Some(Binding::Poisoned) => {}
                    None => {
                        if first_upper(&name) {
                            self.cx.error(left, "cannot assign to a constant");
                        } else {
                            self.cx.soft(format!("cannot find `{name}`"));
                        }
                    }
                }
            }
            syn::Expr::Index(_) | syn::Expr::Field(_) if super::field::is_field(left) => {
                let op = op.map(|(o, _)| o);
                if !self.struct_set(left, right, op, out) {
                    self.store_field(left, right, op, out);
                }
            }
            _ if op.is_none() && self.assign_struct(left, right, out) => {}
            syn::Expr::Index(ix) if self.array_of(&ix.expr).is_some() => {
                let Some(array) = self.array_of(&ix.expr) else {
                    return;
                };
                let elem = self.locals.get(array).map(|i| i.ty).unwrap_or(Ty::Err);
                let index = self.array_index(&ix.index);
                let value = self.expr(right);
                match op {
                    None => {
                        self.expect(&value, elem, "stored value");
                        out.push(Stmt::StoreIndex(array, index, value));
                    }
                    Some((op, _)) => {
                        if !op.is_shift() {
                            self.expect(&value, elem, "right operand");
                        }
                        out.push(Stmt::CompoundStoreIndex(array, index, op, value));
                    }
                }
            }
            syn::Expr::Index(ix) => {
                let Some((buf, info)) = self.buffer_of(&ix.expr) else {
                    if !self.poisoned(&ix.expr) {
                        self.cx.error(
                            &ix.expr,
                            "only buffer parameters and local arrays (`let a = [0u32; 8];`) can be indexed",
                        );
                    }
                    return;
                };
                match info.access {
                    Access::Read => {
                        self.cx.error(left, format!(
                            "`{}` is read-only (`&Buffer<{}>`): take it as `&mut Buffer<{}>` to store into it",
                            info.name, info.elem.rust_name(), info.elem.rust_name()
                        ));
                        return;
                    }
                    Access::Atomic => {
                        let msg = match op {
                            None => format!("`{}` holds atomics: a plain store would race with other lanes; write `{}[i].store(v)`", info.name, info.name),
                            Some((op, _)) => {
                                let m = atomic_for_compound(op).map_or("fetch_…", AtomicOp::method_name);
                                format!("`{}` holds atomics: `{}=` on an element would race with other lanes; use an atomic method (`{}[i].{m}(v)`)", info.name, op.symbol(), info.name)
                            }
                        };
                        self.cx.error(left, msg);
                        return;
                    }
                    Access::ReadWrite => {}
                }
                if info.structure.is_some() {
                    self.cx.error(left, format!("whole structs are not stored by a handler yet: write the fields (`{}[i].field = v`)", info.name));
                    return;
                }
                let elem = Ty::S(info.elem);
                let index = self.expr(&ix.index);
                self.expect(&index, Ty::S(ScalarType::U32), "buffer index");
                let value = self.expr(right);
                match op {
                    None => {
                        self.expect(&value, elem, "stored value");
                        out.push(Stmt::Store(buf, index, value));
                    }
                    Some((op, _)) => {
                        if !op.is_shift() {
                            self.expect(&value, elem, "right operand");
                        }
                        out.push(Stmt::CompoundStore(buf, index, op, value));
                    }
                }
            }
            syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => {
                self.cx.error(left, "dereferencing is not supported: scalars are values and buffers are indexed (`buf[i] = v`)");
            }
            syn::Expr::Field(f) => {
                self.cx.error(
                    f,
                    "field access is not supported: structs and tuples do not exist in handlers",
                );
            }
            other => {
                self.cx.error(other, "cannot assign to this: assign to a `let mut` local or to a buffer element (`buf[i] = v`)");
            }
        }
    }
}
