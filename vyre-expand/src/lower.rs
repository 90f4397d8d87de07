//! Lowering: a function body (syn) to the typed tree of [`crate::hir`].
//!
//! Every name is resolved, every construct is either translated or
//! rejected with an error on its own tokens, and every expression gets a
//! type (inference variables for unsuffixed literals are solved by
//! unification, as rustc does; `crate::check` reports what stays open).
//! Mismatches that rustc reports on the original function are recorded as
//! *soft* problems, so users see rustc's message once rather than two.

use proc_macro2::{Span, TokenStream};
use quote::{quote, ToTokens};
use syn::spanned::Spanned;

use crate::ctxt::Ctxt;
use crate::hir::*;
use crate::sig::{is_priority, scalar_of, type_rejection, FnKind, ParamKind, Sig};
use crate::types::{Kind, Ty, Types};

/// How deep expressions and blocks may nest.
const MAX_DEPTH: usize = 128;

/// What a name in scope stands for.
#[derive(Clone, Copy)]
enum Binding {
    Local(LocalIdx),
    Buffer(BufIdx),
    Ctx,
    /// `let r = buf[i].compare_exchange(a, b);`
    Cas {
        old: LocalIdx,
        exchanged: LocalIdx,
    },
    /// A name whose `let` was rejected: its uses are not reported again.
    Poisoned,
}

/// The result of lowering one function.
pub(crate) struct Lowered {
    pub(crate) types: Types,
    pub(crate) locals: Vec<LocalInfo>,
    pub(crate) body: Block,
    /// The device function's return type.
    pub(crate) ret: Option<ScalarType>,
}

pub(crate) struct Lowerer<'a> {
    cx: &'a Ctxt,
    kind: FnKind,
    fn_name: String,
    types: Types,
    locals: Vec<LocalInfo>,
    bufs: Vec<BufInfo>,
    scopes: Vec<Vec<(String, Binding)>>,
    loop_depth: usize,
    depth: usize,
    too_deep: bool,
    ret: Option<ScalarType>,
    own_args: Vec<ScalarType>,
}

/// Lowers a function body.
pub(crate) fn lower_fn(
    cx: &Ctxt,
    kind: FnKind,
    fn_name: &str,
    sig: &Sig,
    body: &syn::Block,
) -> Lowered {
    let mut l = Lowerer {
        cx,
        kind,
        fn_name: fn_name.to_string(),
        types: Types::default(),
        locals: Vec::new(),
        bufs: Vec::new(),
        scopes: vec![Vec::new()],
        loop_depth: 0,
        depth: 0,
        too_deep: false,
        ret: sig.ret,
        own_args: sig.scalars().map(|(_, s)| s).collect(),
    };
    // Scalar parameters are the first locals, in order.
    for p in &sig.params {
        if let ParamKind::Scalar(s) = p.kind {
            let idx = l.new_local(&p.name, Ty::S(s), p.mutable);
            l.bind(&p.name, Binding::Local(idx));
        }
    }
    for p in &sig.params {
        match p.kind {
            ParamKind::Buffer { elem, access } => {
                l.bufs.push(BufInfo {
                    name: p.name.clone(),
                    elem,
                    access,
                });
                let idx = l.bufs.len() - 1;
                l.bind(&p.name, Binding::Buffer(idx));
            }
            ParamKind::Ctx => l.bind(&p.name, Binding::Ctx),
            ParamKind::Scalar(_) | ParamKind::Invalid => {}
        }
    }
    let want_value = kind == FnKind::Device && sig.ret.is_some();
    let body = l.block(body, want_value);
    if let (Some(ret), Some(tail)) = (sig.ret, &body.tail) {
        l.unify(tail.ty, Ty::S(ret));
    }
    Lowered {
        types: l.types,
        locals: l.locals,
        body,
        ret: sig.ret,
    }
}

/// Rewrites a path written in the function's module so that it resolves
/// the same from the generated module nested in it (which glob-imports its
/// parent): `self::x` becomes `super::x`, `super::x` becomes
/// `super::super::x`.
pub(crate) fn relocate(path: &syn::Path) -> syn::Path {
    let mut path = path.clone();
    if path.leading_colon.is_some() {
        return path;
    }
    let first = path.segments.first().map(|s| s.ident.to_string());
    match first.as_deref() {
        Some("self") => {
            if let Some(seg) = path.segments.first_mut() {
                seg.ident = syn::Ident::new("super", seg.ident.span());
            }
        }
        Some("super") => {
            let span = path
                .segments
                .first()
                .map(|s| s.ident.span())
                .unwrap_or_else(Span::call_site);
            let mut segments = syn::punctuated::Punctuated::new();
            segments.push(syn::PathSegment::from(syn::Ident::new("super", span)));
            for s in path.segments {
                segments.push(s);
            }
            path.segments = segments;
        }
        _ => {}
    }
    path
}

/// Like [`relocate`], for a value: a single name is looked up in the
/// parent module (`super::NAME`), so that the generated module's own items
/// (`ID`, `NAME`, …) cannot shadow the user's constants.
pub(crate) fn relocate_value(path: &syn::Path) -> syn::Path {
    let single = path.leading_colon.is_none() && path.segments.len() == 1;
    let keyword = path.segments.first().is_some_and(|s| {
        matches!(
            s.ident.to_string().as_str(),
            "self" | "super" | "crate" | "Self"
        )
    });
    if !single || keyword {
        return relocate(path);
    }
    let span = path
        .segments
        .first()
        .map(|s| s.ident.span())
        .unwrap_or_else(Span::call_site);
    let mut segments = syn::punctuated::Punctuated::new();
    segments.push(syn::PathSegment::from(syn::Ident::new("super", span)));
    for s in &path.segments {
        segments.push(s.clone());
    }
    syn::Path {
        leading_colon: None,
        segments,
    }
}

fn path_names(path: &syn::Path) -> Vec<String> {
    path.segments.iter().map(|s| s.ident.to_string()).collect()
}

fn has_generic_args(path: &syn::Path) -> Option<&syn::PathArguments> {
    path.segments
        .iter()
        .map(|s| &s.arguments)
        .find(|a| !a.is_none())
}

fn strip_parens(e: &syn::Expr) -> &syn::Expr {
    match e {
        syn::Expr::Paren(p) => strip_parens(&p.expr),
        syn::Expr::Group(g) => strip_parens(&g.expr),
        _ => e,
    }
}

/// The priority a `Priority::X` path names: `None` when the path is not
/// `…Priority::_`, `Some(None)` for an unknown variant.
fn priority_path(path: &syn::Path) -> Option<Option<Priority>> {
    let mut names = path.segments.iter().rev().map(|s| s.ident.to_string());
    let variant = names.next()?;
    if names.next()? != "Priority" {
        return None;
    }
    Some(Priority::from_variant_name(&variant))
}

/// Whether `name` is a method of an atomic element.
fn is_atomic_method(name: &str) -> bool {
    AtomicOp::from_method_name(name).is_some() || name == "store" || name == "compare_exchange"
}

/// The scalar methods, for messages: the intrinsics of every numeric type,
/// then those of `f32` alone.
fn scalar_methods() -> String {
    let list = |float: bool| {
        Intrinsic::ALL
            .iter()
            .filter(|i| i.is_float_only() == float)
            .map(|i| format!("`{}`", i.method_name()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!("{}, and for f32 {}", list(false), list(true))
}

/// The methods of an atomic element, for messages: the loads, `store`,
/// the read-modify-writes, and `compare_exchange`.
fn atomic_methods() -> String {
    let ops = |operand: bool| {
        AtomicOp::ALL
            .into_iter()
            .filter(move |o| o.has_operand() == operand)
            .map(|o| {
                let arg = if o.has_operand() { "v" } else { "" };
                format!("`{}({arg})`", o.method_name())
            })
    };
    let methods: Vec<String> = ops(false)
        .chain(["`store(v)`".to_string()])
        .chain(ops(true))
        .collect();
    format!("{} and `compare_exchange(current, new)`", methods.join(", "))
}

/// The atomic method that does what `op=` does to an element, if any.
fn atomic_for_compound(op: BinOp) -> Option<AtomicOp> {
    Some(match op {
        BinOp::Add => AtomicOp::FetchAdd,
        BinOp::Sub => AtomicOp::FetchSub,
        BinOp::BitAnd => AtomicOp::FetchAnd,
        BinOp::BitOr => AtomicOp::FetchOr,
        BinOp::BitXor => AtomicOp::FetchXor,
        _ => return None,
    })
}

const CAS_FORMS: &str = "use it as `match buf[i].compare_exchange(a, b) { Ok(v) => …, Err(v) => … }`, `if let Ok(v) = …`, `….is_ok()` / `….is_err()`, or bind it with `let r = …;` and use `r` in those forms";

/// Whether an expression is `<atomic buffer>[i].compare_exchange(a, b)`
/// (syntactically).
fn is_cas_call(e: &syn::Expr) -> bool {
    matches!(strip_parens(e), syn::Expr::MethodCall(mc) if mc.method == "compare_exchange")
}

fn first_upper(name: &str) -> bool {
    name.trim_start_matches('_')
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_uppercase())
}

impl Lowerer<'_> {
    // ----- bookkeeping -------------------------------------------------

    fn new_local(&mut self, name: &str, ty: Ty, mutable: bool) -> LocalIdx {
        self.locals.push(LocalInfo {
            name: name.to_string(),
            ty,
            mutable,
        });
        self.locals.len() - 1
    }

    fn bind(&mut self, name: &str, b: Binding) {
        if let Some(scope) = self.scopes.last_mut() {
            scope.push((name.to_string(), b));
        }
    }

    fn lookup(&self, name: &str) -> Option<Binding> {
        self.scopes
            .iter()
            .rev()
            .flat_map(|s| s.iter().rev())
            .find(|(n, _)| n == name)
            .map(|(_, b)| *b)
    }

    /// Binds every name of a rejected pattern as poisoned.
    fn poison_pattern(&mut self, pat: &syn::Pat) {
        let mut names = Vec::new();
        fn walk(ts: TokenStream, names: &mut Vec<String>) {
            for t in ts {
                match t {
                    proc_macro2::TokenTree::Ident(i) => names.push(crate::sig::ident_name(&i)),
                    proc_macro2::TokenTree::Group(g) => walk(g.stream(), names),
                    _ => {}
                }
            }
        }
        walk(pat.to_token_stream(), &mut names);
        for n in names {
            self.bind(&n, Binding::Poisoned);
        }
    }

    fn push_scope(&mut self) {
        self.scopes.push(Vec::new());
    }

    fn pop_scope(&mut self) {
        self.scopes.pop();
    }

    fn unify(&mut self, a: Ty, b: Ty) -> bool {
        self.types.unify(a, b)
    }

    /// Unifies, recording a soft problem on mismatch (rustc reports it).
    fn expect(&mut self, e: &Expr, ty: Ty, what: &str) {
        if !self.unify(e.ty, ty) {
            let found = self.types.describe(e.ty);
            let expected = self.types.describe(ty);
            self.cx
                .soft(format!("{what}: expected {expected}, found {found}"));
        }
    }

    fn enter(&mut self, tokens: &dyn ToTokens) -> bool {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            if !self.too_deep {
                self.too_deep = true;
                self.cx.error(tokens, format!("this code nests more than {MAX_DEPTH} levels deep, more than the translator handles; split it into #[device] functions"));
            }
            return false;
        }
        true
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    fn mk(&self, kind: ExprKind, ty: Ty, span: Span) -> Expr {
        Expr {
            kind,
            ty,
            span,
            end: span,
        }
    }

    fn err_expr(&self, span: Span) -> Expr {
        self.mk(ExprKind::Lit(LitVal::Int(0)), Ty::Err, span)
    }

    /// Reports `msg` on `tokens` and yields an error expression.
    fn reject(&self, tokens: &dyn ToTokens, msg: impl std::fmt::Display) -> Expr {
        let tokens = tokens.to_token_stream();
        let span = tokens.span();
        self.cx.error(tokens, msg);
        self.err_expr(span)
    }

    fn dyn_ty(&mut self, tokens: TokenStream) -> Ty {
        self.types.dynamic(tokens)
    }

    // ----- blocks and statements ---------------------------------------

    /// Lowers a block; with `want_value`, a trailing expression becomes the
    /// block's tail.
    fn block(&mut self, block: &syn::Block, want_value: bool) -> Block {
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

    fn stmt(&mut self, s: &syn::Stmt, out: &mut Vec<Stmt>) {
        match s {
            syn::Stmt::Local(local) => self.local(local, out),
            syn::Stmt::Item(item) => {
                self.cx.error(item, "items (functions, constants, types, `use`) cannot be declared inside a handler; declare them next to it (a helper function must be `#[device]`)");
            }
            syn::Stmt::Expr(e, _) => self.expr_stmt(e, out),
            syn::Stmt::Macro(m) => self.macro_stmt(&m.mac, out),
        }
    }

    fn local(&mut self, local: &syn::Local, out: &mut Vec<Stmt>) {
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
    fn expr_stmt(&mut self, e: &syn::Expr, out: &mut Vec<Stmt>) {
        if !self.enter(e) {
            self.leave();
            return;
        }
        self.expr_stmt_inner(e, out);
        self.leave();
    }

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

    fn loop_body(&mut self, body: &syn::Block) -> Block {
        self.loop_depth += 1;
        let b = self.block(body, false);
        self.loop_depth -= 1;
        b
    }

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

    fn assign(
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
            syn::Expr::Index(ix) => {
                let Some((buf, info)) = self.buffer_of(&ix.expr) else {
                    if !self.poisoned(&ix.expr) {
                        self.cx.error(
                            &ix.expr,
                            "only buffer parameters can be indexed: arrays do not exist in handlers",
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

    // ----- expressions -------------------------------------------------

    /// An expression whose value is used.
    pub(crate) fn expr(&mut self, e: &syn::Expr) -> Expr {
        if !self.enter(e) {
            self.leave();
            return self.err_expr(e.span());
        }
        let mut r = self.expr_inner(e);
        self.leave();
        let (start, end) = token_ends(e);
        r.span = start;
        r.end = end;
        r
    }

    fn expr_inner(&mut self, e: &syn::Expr) -> Expr {
        let span = e.span();
        match e {
            syn::Expr::Lit(l) => self.lit(&l.lit),
            syn::Expr::Path(p) => self.path_expr(p),
            syn::Expr::Paren(p) => self.expr(&p.expr),
            syn::Expr::Group(g) => self.expr(&g.expr),
            syn::Expr::Unary(u) => match u.op {
                syn::UnOp::Neg(_) => {
                    let v = self.expr(&u.expr);
                    let ty = v.ty;
                    self.mk(ExprKind::Unary(UnOp::Neg, Box::new(v)), ty, span)
                }
                syn::UnOp::Not(_) => {
                    let v = self.expr(&u.expr);
                    let ty = v.ty;
                    self.mk(ExprKind::Unary(UnOp::Not, Box::new(v)), ty, span)
                }
                syn::UnOp::Deref(_) => self.reject(e, "dereferencing (`*x`) is not supported: scalars are values, and buffers are indexed (`buf[i]`)"),
                _ => self.reject(e, "this operator is not supported in a handler"),
            },
            syn::Expr::Binary(b) => self.binary(b),
            syn::Expr::Cast(c) => self.cast(c),
            syn::Expr::Index(ix) => {
                let Some((buf, info)) = self.buffer_of(&ix.expr) else {
                    if self.poisoned(&ix.expr) {
                        return self.err_expr(span);
                    }
                    return self.reject(&ix.expr, "only buffer parameters can be indexed: arrays do not exist in handlers");
                };
                if info.access == Access::Atomic {
                    return self.reject(e, format!("`{}` holds atomics: read an element with `{}[i].load()` (or another atomic method)", info.name, info.name));
                }
                let index = self.expr(&ix.index);
                self.expect(&index, Ty::S(ScalarType::U32), "buffer index");
                self.mk(ExprKind::Load(buf, Box::new(index)), Ty::S(info.elem), span)
            }
            syn::Expr::MethodCall(mc) => self.method_value(mc),
            syn::Expr::Call(c) => self.call(c, false),
            syn::Expr::Macro(m) => {
                if is_printf(&m.mac) {
                    self.reject(e, "`printf!` has no value; use it as a statement")
                } else {
                    self.reject_macro(&m.mac)
                }
            }
            syn::Expr::If(i) => self.if_value(i),
            syn::Expr::Match(m) => self.match_value(m),
            syn::Expr::Block(b) => {
                if let Some(label) = &b.label {
                    return self.reject(label, "labeled blocks are not supported; use `if`/`else` or a `bool` flag");
                }
                let block = self.block(&b.block, true);
                let ty = self.block_ty(&block);
                self.mk(ExprKind::Block(block), ty, span)
            }
            syn::Expr::Return(r) => {
                let value = match (&r.expr, self.kind) {
                    (None, _) => None,
                    (Some(v), FnKind::Opcode) => {
                        if matches!(strip_parens(v), syn::Expr::Tuple(t) if t.elems.is_empty()) {
                            None
                        } else {
                            self.cx.error(r, "a handler returns nothing: write `return;` (store results in a `&mut Buffer<T>`)");
                            None
                        }
                    }
                    (Some(v), FnKind::Device) => {
                        let v = self.expr(v);
                        match self.ret {
                            Some(ret) => self.expect(&v, Ty::S(ret), "returned value"),
                            None => self.cx.soft("a value is returned from a function that returns nothing"),
                        }
                        Some(v)
                    }
                };
                self.mk(ExprKind::Diverge(Box::new(Stmt::Return(value))), Ty::Never, span)
            }
            syn::Expr::Break(b) => {
                if let Some(label) = &b.label {
                    return self.reject(label, "labeled `break` is not supported: it leaves the innermost loop only; use a `bool` flag to leave outer loops");
                }
                if let Some(v) = &b.expr {
                    return self.reject(v, "`break` with a value is not supported: assign the value to a `let mut` local declared before the loop, then `break`");
                }
                if self.loop_depth == 0 {
                    self.cx.soft("`break` outside of a loop");
                }
                self.mk(ExprKind::Diverge(Box::new(Stmt::Break)), Ty::Never, span)
            }
            syn::Expr::Continue(c) => {
                if let Some(label) = &c.label {
                    return self.reject(label, "labeled `continue` is not supported: it continues the innermost loop only; use a `bool` flag");
                }
                if self.loop_depth == 0 {
                    self.cx.soft("`continue` outside of a loop");
                }
                self.mk(ExprKind::Diverge(Box::new(Stmt::Continue)), Ty::Never, span)
            }
            syn::Expr::Tuple(t) if t.elems.is_empty() => self.mk(ExprKind::Block(Block::default()), Ty::Unit, span),
            syn::Expr::Tuple(_) => self.reject(e, "tuples are not supported: GPU values are scalars; use separate variables"),
            syn::Expr::Array(_) | syn::Expr::Repeat(_) => self.reject(e, "arrays do not exist in handlers: the GPU keeps scalars in registers; use a buffer parameter"),
            syn::Expr::Struct(_) => self.reject(e, "structs do not exist in handlers: GPU values are scalars; use separate variables or buffers"),
            syn::Expr::Field(_) => self.reject(e, "field access is not supported: structs and tuples do not exist in handlers"),
            syn::Expr::Closure(_) => self.reject(e, "closures cannot run on the GPU: a handler is lowered to one WGSL function without function values; write a `#[device]` function and call it"),
            syn::Expr::Async(_) => self.reject(e, "`async` blocks cannot run on the GPU: lanes cannot suspend; spawn a task to continue later"),
            syn::Expr::Await(_) => self.reject(e, "`.await` cannot run on the GPU: lanes cannot suspend; spawn a task to continue later"),
            syn::Expr::TryBlock(_) => self.reject(e, "`try` blocks are not supported in handlers"),
            syn::Expr::Try(_) => self.reject(e, "the `?` operator is not supported: there is no `Result`/`Option` on the GPU; test the condition and `return;` or `ctx.fault(code)`"),
            syn::Expr::Range(_) => self.reject(e, "ranges exist only as the bounds of a `for` loop (`for i in a..b`)"),
            syn::Expr::Reference(_) | syn::Expr::RawAddr(_) => self.reject(e, "references cannot be taken in a handler: scalars are passed by value, and buffers are passed as they are"),
            syn::Expr::Let(_) => self.reject(e, "`let` conditions are supported only as `if let Ok(v) = buf[i].compare_exchange(a, b)` (or `Err(v)`)"),
            syn::Expr::Unsafe(_) => self.reject(e, "`unsafe` blocks are not supported: the GPU program is memory-safe by construction"),
            syn::Expr::Const(_) => self.reject(e, "`const` blocks are not supported; declare a `const` item next to the handler and use it"),
            syn::Expr::Yield(_) => self.reject(e, "`yield` cannot run on the GPU"),
            syn::Expr::Loop(_) | syn::Expr::While(_) | syn::Expr::ForLoop(_) => self.reject(e, "a loop has no value here (`break value` is not supported): assign to a `let mut` local declared before the loop"),
            syn::Expr::Assign(_) => self.reject(e, "an assignment has no value; write it as a statement"),
            syn::Expr::Infer(_) => self.reject(e, "`_` is not a value"),
            _ => self.reject(e, "this expression is not supported in a handler"),
        }
    }

    fn lit(&mut self, lit: &syn::Lit) -> Expr {
        let span = lit.span();
        match lit {
            syn::Lit::Int(i) => {
                let suffix = i.suffix();
                let ty = match ScalarType::from_rust_name(suffix) {
                    _ if suffix.is_empty() => self.types.fresh(Kind::Int),
                    Some(s) if s.is_integer() => Ty::S(s),
                    Some(ScalarType::F32) => {
                        let v = i.base10_parse::<f32>().unwrap_or(0.0);
                        return self.mk(ExprKind::Lit(LitVal::Float(v)), Ty::S(ScalarType::F32), span);
                    }
                    _ => return self.reject(lit, suffix_rejection(suffix)),
                };
                let v = match i.base10_parse::<i64>() {
                    Ok(v) => v,
                    Err(_) => {
                        self.cx.soft("integer literal out of range");
                        0
                    }
                };
                let v = if (i64::from(i32::MIN)..=i64::from(u32::MAX)).contains(&v) {
                    v
                } else {
                    self.cx.soft("integer literal out of range");
                    0
                };
                self.mk(ExprKind::Lit(LitVal::Int(v)), ty, span)
            }
            syn::Lit::Float(f) => {
                let suffix = f.suffix();
                let ty = match ScalarType::from_rust_name(suffix) {
                    _ if suffix.is_empty() => self.types.fresh(Kind::Float),
                    Some(ScalarType::F32) => Ty::S(ScalarType::F32),
                    _ => return self.reject(lit, suffix_rejection(suffix)),
                };
                let v = f.base10_parse::<f32>().unwrap_or(0.0);
                self.mk(ExprKind::Lit(LitVal::Float(v)), ty, span)
            }
            syn::Lit::Bool(b) => self.mk(ExprKind::Lit(LitVal::Bool(b.value)), Ty::S(ScalarType::Bool), span),
            syn::Lit::Str(_) | syn::Lit::ByteStr(_) | syn::Lit::CStr(_) => self.reject(lit, "string literals do not exist on the GPU; print text with `vyre::printf!(\"…\", args)`, and use `u32` codes for data"),
            syn::Lit::Byte(_) | syn::Lit::Char(_) => self.reject(lit, "byte and character literals do not exist on the GPU (no `u8`/`char`); write the code point as a `u32` (`97` for 'a')"),
            _ => self.reject(lit, "this literal is not supported in a handler"),
        }
    }

    fn path_expr(&mut self, p: &syn::ExprPath) -> Expr {
        let span = p.span();
        if p.qself.is_some() {
            return self.reject(
                p,
                "qualified paths (`<T as Trait>::X`) are not supported in handlers",
            );
        }
        if let Some(args) = has_generic_args(&p.path) {
            return self.reject(args, "generic arguments are not supported in handlers");
        }
        if let Some(ident) = p.path.get_ident() {
            let name = crate::sig::ident_name(ident);
            match self.lookup(&name) {
                Some(Binding::Local(l)) => {
                    let ty = self.locals.get(l).map(|i| i.ty).unwrap_or(Ty::Err);
                    return self.mk(ExprKind::Local(l), ty, span);
                }
                Some(Binding::Buffer(_)) => {
                    return self.reject(p, format!("`{name}` is a buffer: index it (`{name}[i]`), take its length (`{name}.len()`), or pass it to a #[device] function"));
                }
                Some(Binding::Ctx) => {
                    return self.reject(p, format!("`{name}` is the context: call its methods (`{name}.lane()`, `{name}.spawn(…)`, …) or pass it to a #[device] function"));
                }
                Some(Binding::Cas { .. }) => {
                    return self.reject(
                        p,
                        format!("`{name}` is a compare_exchange result: {CAS_FORMS}"),
                    );
                }
                Some(Binding::Poisoned) => return self.err_expr(span),
                None => {
                    if !first_upper(&name) {
                        // rustc reports the unknown name on the original function.
                        self.cx.soft(format!("cannot find value `{name}`"));
                        return self.err_expr(span);
                    }
                }
            }
        }
        if let Some(priority) = priority_path(&p.path) {
            return match priority {
                Some(p) => self.mk(ExprKind::Prio(p), Ty::Prio, span),
                None => {
                    self.cx.soft("unknown priority");
                    self.err_expr(span)
                }
            };
        }
        // A constant: read when handler() builds the IR.
        let names = path_names(&p.path);
        let scalar = |n: &String| ScalarType::from_rust_name(n);
        let integer = names.first().and_then(scalar).filter(|s| s.is_integer());
        let ty = if names.iter().any(|n| scalar(n) == Some(ScalarType::F32)) {
            Ty::S(ScalarType::F32)
        } else if let (Some(s), 2) = (integer, names.len()) {
            // `u32::MAX`, `i32::MIN`; `BITS` is a `u32` on both.
            if names.get(1).map(String::as_str) == Some("BITS") {
                Ty::S(ScalarType::U32)
            } else {
                Ty::S(s)
            }
        } else {
            let path = relocate_value(&p.path);
            self.dyn_ty(quote!(::vyre::host::__private::const_type(&#path)))
        };
        let path = relocate_value(&p.path);
        self.mk(ExprKind::Const(path.to_token_stream()), ty, span)
    }

    fn binary(&mut self, b: &syn::ExprBinary) -> Expr {
        let span = b.span();
        if compound_op(&b.op).is_some() {
            return self.reject(b, "an assignment has no value; write it as a statement");
        }
        let Some(op) = plain_op(&b.op) else {
            return self.reject(&b.op, "this operator is not supported in a handler");
        };
        let l = self.expr(&b.left);
        let r = self.expr(&b.right);
        let ty = if op.is_shift() {
            l.ty
        } else if op.is_logic() {
            self.expect(&l, Ty::S(ScalarType::Bool), "left operand");
            self.expect(&r, Ty::S(ScalarType::Bool), "right operand");
            Ty::S(ScalarType::Bool)
        } else if op.is_comparison() {
            self.expect(&r, l.ty, "right operand");
            Ty::S(ScalarType::Bool)
        } else {
            self.expect(&r, l.ty, "right operand");
            l.ty
        };
        self.mk(ExprKind::Binary(op, Box::new(l), Box::new(r)), ty, span)
    }

    fn cast(&mut self, c: &syn::ExprCast) -> Expr {
        let span = c.span();
        let Some(to) = scalar_of(&c.ty) else {
            if is_priority(&c.ty) {
                return self.reject(&c.ty, "cannot cast to `Priority`; use `Priority::X` constants, or pass a `u32` priority to `ctx.spawn`");
            }
            return self.reject(
                &c.ty,
                format!("cannot cast to this type: {}", type_rejection(&c.ty)),
            );
        };
        let v = self.expr(&c.expr);
        // rustc uses the target type as a hint for unsuffixed literals.
        if let Ty::Var(_) = self.types.resolve(v.ty) {
            let _ = self.unify(v.ty, Ty::S(to));
        }
        self.mk(ExprKind::Cast(to, Box::new(v)), Ty::S(to), span)
    }

    /// `ident` as a buffer parameter.
    fn buffer_of(&self, e: &syn::Expr) -> Option<(BufIdx, BufInfo)> {
        match strip_parens(e) {
            syn::Expr::Path(p) if p.qself.is_none() => {
                let name = crate::sig::ident_name(p.path.get_ident()?);
                match self.lookup(&name)? {
                    Binding::Buffer(b) => self.bufs.get(b).map(|i| (b, i.clone())),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// Whether `e` names a binding whose `let` was rejected.
    fn poisoned(&self, e: &syn::Expr) -> bool {
        let base = match strip_parens(e) {
            syn::Expr::Index(ix) => &*ix.expr,
            syn::Expr::MethodCall(mc) => &*mc.receiver,
            other => other,
        };
        matches!(self.binding_of(base), Some(Binding::Poisoned))
    }

    fn binding_of(&self, e: &syn::Expr) -> Option<Binding> {
        match strip_parens(e) {
            syn::Expr::Path(p) if p.qself.is_none() => {
                let name = crate::sig::ident_name(p.path.get_ident()?);
                self.lookup(&name)
            }
            _ => None,
        }
    }

    // ----- methods -----------------------------------------------------

    fn method_stmt(&mut self, mc: &syn::ExprMethodCall, out: &mut Vec<Stmt>) {
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

    fn method_value(&mut self, mc: &syn::ExprMethodCall) -> Expr {
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

    fn cas_flag(
        &mut self,
        name: &str,
        mc: &syn::ExprMethodCall,
        mut block: Block,
        exchanged: LocalIdx,
    ) -> Expr {
        let span = mc.span();
        let flag = self.mk(ExprKind::Local(exchanged), Ty::S(ScalarType::Bool), span);
        let tail = match name {
            "is_ok" => flag,
            "is_err" => self.mk(
                ExprKind::Unary(UnOp::Not, Box::new(flag)),
                Ty::S(ScalarType::Bool),
                span,
            ),
            _ => {
                return self.reject(
                    &mc.method,
                    format!(
                        "`.{name}()` on a compare_exchange result is not supported: {CAS_FORMS}"
                    ),
                )
            }
        };
        if block.stmts.is_empty() {
            return tail;
        }
        block.tail = Some(Box::new(tail));
        self.mk(ExprKind::Block(block), Ty::S(ScalarType::Bool), span)
    }

    fn atomic_method(
        &mut self,
        mc: &syn::ExprMethodCall,
        buf: BufIdx,
        info: &BufInfo,
        index: &syn::Expr,
    ) -> Expr {
        let span = mc.span();
        let name = mc.method.to_string();
        match name.as_str() {
            "store" => return self.reject(mc, "`store` has no value; use it as a statement"),
            "compare_exchange" => {
                return self.reject(
                    mc,
                    format!("`compare_exchange` returns a `Result`: {CAS_FORMS}"),
                )
            }
            _ => {}
        }
        let Some(op) = AtomicOp::from_method_name(&name) else {
            return self.reject(
                &mc.method,
                format!(
                    "`{}` holds atomics; their elements support {}",
                    info.name,
                    atomic_methods()
                ),
            );
        };
        let index = self.expr(index);
        self.expect(&index, Ty::S(ScalarType::U32), "buffer index");
        let has_operand = op.has_operand();
        let operand = if has_operand {
            match mc.args.first() {
                Some(a) => {
                    let v = self.expr(a);
                    self.expect(&v, Ty::S(info.elem), "atomic operand");
                    Some(Box::new(v))
                }
                None => {
                    self.cx.soft(format!("`{name}` takes one argument"));
                    return self.err_expr(span);
                }
            }
        } else {
            None
        };
        if mc.args.len() != usize::from(has_operand) {
            self.cx
                .soft(format!("wrong number of arguments to `{name}`"));
        }
        self.mk(
            ExprKind::Atomic(op, buf, Box::new(index), operand),
            Ty::S(info.elem),
            span,
        )
    }

    fn scalar_method(&mut self, mc: &syn::ExprMethodCall, name: &str) -> Expr {
        let span = mc.span();
        let Some(func) = Intrinsic::from_method_name(name) else {
            // Report the receiver's problems first (`x.checked_add(1).unwrap_or(0)`
            // is about `checked_add`), and this method only if there are none.
            let before = self.cx.error_count();
            let recv = self.expr(&mc.receiver);
            if self.cx.error_count() > before || recv.ty == Ty::Err {
                return self.err_expr(span);
            }
            let hint = match name {
                "pow" => " (multiply, or use `powf` on f32)",
                n if n.starts_with("checked_")
                    || n.starts_with("saturating_")
                    || n.starts_with("overflowing_") =>
                {
                    " (use the `wrapping_*` methods and compare)"
                }
                "to_string" | "into" | "try_into" | "clone" | "to_owned" => {
                    " (scalars are plain values; convert with `as`)"
                }
                _ => "",
            };
            return self.reject(&mc.method, format!("`.{name}()` is not available in a GPU handler{hint}; the scalar methods are {}", scalar_methods()));
        };
        let recv = self.expr(&mc.receiver);
        let mut args = vec![recv];
        for a in &mc.args {
            args.push(self.expr(a));
        }
        self.intrinsic_call(func, args, span)
    }

    /// `args[0].func(args[1..])`, its operands and result typed by the
    /// intrinsic table.
    fn intrinsic_call(&mut self, func: Intrinsic, args: Vec<Expr>, span: Span) -> Expr {
        let name = func.method_name();
        let arity = func.arity();
        if args.len() != arity {
            self.cx.soft(format!(
                "`{name}` takes {} argument(s)",
                arity.saturating_sub(1)
            ));
            return self.err_expr(span);
        }
        let recv_ty = args.first().map(|a| a.ty).unwrap_or(Ty::Err);
        for (i, a) in args.iter().enumerate() {
            let what = match func {
                Intrinsic::RotateLeft | Intrinsic::RotateRight if i > 0 => "rotation amount",
                _ => "operand",
            };
            match receiver_independent(func, |r| Some(func.operand_type(i, r))) {
                Some(ty) => self.expect(a, Ty::S(ty), what),
                // The receiver is its own type.
                None if i > 0 => self.expect(a, recv_ty, what),
                None => {}
            }
        }
        let ty = receiver_independent(func, |r| func.result_type(r)).map_or(recv_ty, Ty::S);
        self.mk(ExprKind::Intrinsic(func, args), ty, span)
    }

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
            _ => self.reject(&mc.method, format!("`ctx.{name}()` does not exist: the context has `lane()`, `slot()`, `tenant()`, `priority()`, `spawn(priority, op::task(…))`, `fault(code)` and `shutdown()`")),
        }
    }

    fn spawn(&mut self, mc: &syn::ExprMethodCall) -> Option<Spawn> {
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

    // ----- calls -------------------------------------------------------

    fn call(&mut self, c: &syn::ExprCall, stmt: bool) -> Expr {
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
        for (i, a) in c.args.iter().enumerate() {
            match self.binding_of(a) {
                Some(Binding::Buffer(b)) => args.push(DevArg::Buffer(b)),
                Some(Binding::Ctx) => args.push(DevArg::Ctx),
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
        self.mk(
            ExprKind::Device(Box::new(DeviceCall { path, args })),
            ty,
            span,
        )
    }

    // ----- macros ------------------------------------------------------

    fn macro_stmt(&mut self, mac: &syn::Macro, out: &mut Vec<Stmt>) {
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

    fn reject_macro(&self, mac: &syn::Macro) -> Expr {
        let name = mac
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        let msg = match name.as_str() {
            "println" | "print" | "eprintln" | "eprint" | "dbg" | "write" | "writeln" => format!("`{name}!` cannot run on the GPU: there is no stdout there; use `vyre::printf!(\"… {{}}\", args)`, whose lines the host collects"),
            "panic" | "assert" | "assert_eq" | "assert_ne" | "debug_assert" | "debug_assert_eq" | "debug_assert_ne" | "unreachable" | "todo" | "unimplemented" => format!("`{name}!` cannot run on the GPU: a task cannot unwind; end it with `ctx.fault(code)`, which the host reports"),
            "vec" | "format" => format!("`{name}!` allocates, and a GPU handler has no allocator; pass data through buffers"),
            "matches" => "`matches!` is not supported: compare the value with `==`, or `match` on it".to_string(),
            _ => format!("macros cannot be translated to the GPU (the translator sees `{name}!` before it expands); only `vyre::printf!` is supported"),
        };
        self.reject(mac, msg)
    }

    // ----- if / match --------------------------------------------------

    fn block_ty(&self, b: &Block) -> Ty {
        match &b.tail {
            Some(t) => t.ty,
            None => {
                if b.stmts.last().is_some_and(Stmt::diverges) {
                    Ty::Never
                } else {
                    Ty::Unit
                }
            }
        }
    }

    fn if_stmt(&mut self, i: &syn::ExprIf) -> Option<Stmt> {
        if let syn::Expr::Let(l) = strip_parens(&i.cond) {
            return self.if_let(i, l, false).map(Stmt::Block);
        }
        let cond = self.expr(&i.cond);
        self.expect(&cond, Ty::S(ScalarType::Bool), "`if` condition");
        let then = self.block(&i.then_branch, false);
        let els = match &i.else_branch {
            None => Block::default(),
            Some((_, e)) => self.else_block(e, false),
        };
        Some(Stmt::If(cond, then, els))
    }

    fn else_block(&mut self, e: &syn::Expr, want_value: bool) -> Block {
        match e {
            syn::Expr::Block(b) if b.label.is_none() => self.block(&b.block, want_value),
            syn::Expr::If(inner) if !want_value => {
                let mut b = Block::default();
                if let Some(s) = self.if_stmt(inner) {
                    b.stmts.push(s);
                }
                b
            }
            other => {
                let v = self.expr(other);
                Block {
                    stmts: Vec::new(),
                    tail: Some(Box::new(v)),
                }
            }
        }
    }

    fn if_value(&mut self, i: &syn::ExprIf) -> Expr {
        let span = i.span();
        if let syn::Expr::Let(l) = strip_parens(&i.cond) {
            let Some(block) = self.if_let(i, l, true) else {
                return self.err_expr(span);
            };
            let ty = self.block_ty(&block);
            return self.mk(ExprKind::Block(block), ty, span);
        }
        let Some((_, else_expr)) = &i.else_branch else {
            // rustc reports it (E0317).
            self.cx.soft("an `if` without `else` has no value");
            return self.err_expr(span);
        };
        let cond = self.expr(&i.cond);
        self.expect(&cond, Ty::S(ScalarType::Bool), "`if` condition");
        let then = self.block(&i.then_branch, true);
        let els = self.else_block(else_expr, true);
        let tt = self.block_ty(&then);
        let et = self.block_ty(&els);
        if !self.unify(tt, et) {
            self.cx.soft("`if` and `else` have incompatible types");
        }
        let ty = if matches!(self.types.resolve(tt), Ty::Never) {
            et
        } else {
            tt
        };
        if matches!(self.types.resolve(ty), Ty::Unit) {
            return self.reject(
                i,
                "this `if` has no value (its branches are `()`), so it cannot be used as one",
            );
        }
        self.mk(ExprKind::If(Box::new(cond), then, els), ty, span)
    }

    /// `if let Ok(v) | Err(v) = <compare_exchange> { … } else { … }`.
    fn if_let(&mut self, i: &syn::ExprIf, l: &syn::ExprLet, want_value: bool) -> Option<Block> {
        let Some((prelude, old, exchanged, elem)) = self.cas_scrutinee(&l.expr) else {
            self.cx.error(l, "`if let` is supported only on compare_exchange results (`if let Ok(v) = buf[i].compare_exchange(a, b)`): enums and `Option` do not exist on the GPU");
            return None;
        };
        let (ok_arm, binding) = match result_pattern(&l.pat) {
            Some(r) => r,
            None => {
                self.cx.error(
                    &l.pat,
                    "the pattern of `if let` on a compare_exchange result is `Ok(v)` or `Err(v)`",
                );
                return None;
            }
        };
        let Some(ok_arm) = ok_arm else {
            self.cx.error(
                &l.pat,
                "the pattern of `if let` on a compare_exchange result is `Ok(v)` or `Err(v)`",
            );
            return None;
        };
        let then = self.arm_block(
            binding,
            old,
            elem,
            ArmBody::Block(&i.then_branch),
            want_value,
        );
        let els = match &i.else_branch {
            None => {
                if want_value {
                    self.cx.error(
                        i,
                        "an `if let` without `else` has no value; add an `else` branch",
                    );
                }
                Block::default()
            }
            Some((_, e)) => self.else_block(e, want_value),
        };
        let (ok_block, err_block) = if ok_arm { (then, els) } else { (els, then) };
        Some(self.cas_dispatch(
            prelude,
            exchanged,
            ok_block,
            err_block,
            want_value,
            i.span(),
        ))
    }

    /// The compare_exchange a `match`/`if let` is about: the statements
    /// performing it (empty for a `let`-bound result), its locals and the
    /// element type.
    fn cas_scrutinee(&mut self, e: &syn::Expr) -> Option<(Vec<Stmt>, LocalIdx, LocalIdx, Ty)> {
        if is_cas_call(e) {
            let cas = self.cas(strip_parens(e), None)?;
            let (old, exchanged) = (cas.old, cas.exchanged);
            let elem = self.locals.get(old).map(|l| l.ty).unwrap_or(Ty::Err);
            return Some((vec![Stmt::Cas(Box::new(cas))], old, exchanged, elem));
        }
        match self.binding_of(e) {
            Some(Binding::Cas { old, exchanged }) => {
                let elem = self.locals.get(old).map(|l| l.ty).unwrap_or(Ty::Err);
                Some((Vec::new(), old, exchanged, elem))
            }
            _ => None,
        }
    }

    fn cas_dispatch(
        &mut self,
        prelude: Vec<Stmt>,
        exchanged: LocalIdx,
        ok: Block,
        err: Block,
        want_value: bool,
        span: Span,
    ) -> Block {
        let flag = self.mk(ExprKind::Local(exchanged), Ty::S(ScalarType::Bool), span);
        let mut block = Block {
            stmts: prelude,
            tail: None,
        };
        if want_value {
            let ot = self.block_ty(&ok);
            let et = self.block_ty(&err);
            if !self.unify(ot, et) {
                self.cx.soft("match arms have incompatible types");
            }
            let ty = if matches!(self.types.resolve(ot), Ty::Never) {
                et
            } else {
                ot
            };
            block.tail = Some(Box::new(self.mk(
                ExprKind::If(Box::new(flag), ok, err),
                ty,
                span,
            )));
        } else {
            block.stmts.push(Stmt::If(flag, ok, err));
        }
        block
    }

    /// An arm's body with `let binding = old;` in front.
    fn arm_block(
        &mut self,
        binding: Option<(String, bool)>,
        old: LocalIdx,
        elem: Ty,
        body: ArmBody<'_>,
        want_value: bool,
    ) -> Block {
        self.push_scope();
        let mut stmts = Vec::new();
        if let Some((name, mutable)) = binding {
            let l = self.new_local(&name, elem, mutable);
            let span = Span::call_site();
            stmts.push(Stmt::Let(l, self.mk(ExprKind::Local(old), elem, span)));
            self.bind(&name, Binding::Local(l));
        }
        let mut inner = match body {
            ArmBody::Block(b) => self.block(b, want_value),
            ArmBody::Expr(e) => self.arm_expr(e, want_value),
        };
        self.pop_scope();
        stmts.append(&mut inner.stmts);
        Block {
            stmts,
            tail: inner.tail,
        }
    }

    fn arm_expr(&mut self, e: &syn::Expr, want_value: bool) -> Block {
        match e {
            syn::Expr::Block(b) if b.label.is_none() => self.block(&b.block, want_value),
            _ if want_value => {
                let v = self.expr(e);
                Block {
                    stmts: Vec::new(),
                    tail: Some(Box::new(v)),
                }
            }
            _ => {
                let mut stmts = Vec::new();
                self.expr_stmt(e, &mut stmts);
                Block { stmts, tail: None }
            }
        }
    }

    fn match_stmt(&mut self, m: &syn::ExprMatch) -> Option<Stmt> {
        if let Some(b) = self.cas_match(m, false) {
            return b.map(Stmt::Block);
        }
        let (prelude, mat) = self.int_match(m, false)?;
        if prelude.is_empty() {
            Some(Stmt::Match(Box::new(mat)))
        } else {
            let mut stmts = prelude;
            stmts.push(Stmt::Match(Box::new(mat)));
            Some(Stmt::Block(Block { stmts, tail: None }))
        }
    }

    fn match_value(&mut self, m: &syn::ExprMatch) -> Expr {
        let span = m.span();
        if let Some(b) = self.cas_match(m, true) {
            let Some(block) = b else {
                return self.err_expr(span);
            };
            let ty = self.block_ty(&block);
            return self.mk(ExprKind::Block(block), ty, span);
        }
        let Some((prelude, mat)) = self.int_match(m, true) else {
            return self.err_expr(span);
        };
        let mut ty = Ty::Never;
        for b in mat.arms.iter().map(|a| &a.body).chain(mat.default.as_ref()) {
            let bt = self.block_ty(b);
            if !self.unify(ty, bt) {
                self.cx.soft("match arms have incompatible types");
            }
            if matches!(self.types.resolve(ty), Ty::Never) {
                ty = bt;
            }
        }
        if matches!(self.types.resolve(ty), Ty::Unit) {
            return self.reject(
                m,
                "this `match` has no value (its arms are `()`), so it cannot be used as one",
            );
        }
        let e = self.mk(ExprKind::Match(Box::new(mat)), ty, span);
        if prelude.is_empty() {
            e
        } else {
            self.mk(
                ExprKind::Block(Block {
                    stmts: prelude,
                    tail: Some(Box::new(e)),
                }),
                ty,
                span,
            )
        }
    }

    /// `match` on a compare_exchange result; `None` when the scrutinee is
    /// something else.
    fn cas_match(&mut self, m: &syn::ExprMatch, want_value: bool) -> Option<Option<Block>> {
        if !is_cas_call(&m.expr) && !matches!(self.binding_of(&m.expr), Some(Binding::Cas { .. })) {
            return None;
        }
        let (prelude, old, exchanged, elem) = self.cas_scrutinee(&m.expr)?;
        let mut ok: Option<Block> = None;
        let mut err: Option<Block> = None;
        let mut both: Option<Block> = None;
        let mut failed = false;
        for arm in &m.arms {
            if let Some((_, g)) = &arm.guard {
                self.cx.error(
                    g,
                    "match guards are not supported; test the condition inside the arm with `if`",
                );
                failed = true;
                continue;
            }
            let (which, binding) = match &arm.pat {
                syn::Pat::Wild(_) => (None, None),
                p => match result_arm_pattern(p) {
                    Some(r) => r,
                    None => {
                        self.cx.error(p, "the arms of a match on a compare_exchange result are `Ok(v)`, `Err(v)`, `Ok(v) | Err(v)` and `_`");
                        failed = true;
                        continue;
                    }
                },
            };
            let fill_ok = both.is_none() && which != Some(false) && ok.is_none();
            let fill_err = both.is_none() && which != Some(true) && err.is_none();
            let body = self.arm_block(binding, old, elem, ArmBody::Expr(&arm.body), want_value);
            match (fill_ok, fill_err) {
                // A leading `_` takes every outcome.
                (true, true) => both = Some(body),
                (true, false) => ok = Some(body),
                (false, true) => err = Some(body),
                // Unreachable arm (rustc warns): lowered for its errors only.
                (false, false) => {}
            }
        }
        if failed {
            return Some(None);
        }
        if let Some(mut body) = both {
            let mut stmts = prelude;
            stmts.append(&mut body.stmts);
            return Some(Some(Block {
                stmts,
                tail: body.tail,
            }));
        }
        let ok = ok.unwrap_or_default();
        let err = err.unwrap_or_default();
        Some(Some(self.cas_dispatch(
            prelude,
            exchanged,
            ok,
            err,
            want_value,
            m.span(),
        )))
    }

    /// `match` on an integer (or `Priority`): statements to run first (a
    /// binding arm's `let`) and the match.
    fn int_match(&mut self, m: &syn::ExprMatch, want_value: bool) -> Option<(Vec<Stmt>, Match)> {
        let scrutinee = self.expr(&m.expr);
        let scrut_ty = scrutinee.ty;
        let mut prelude = Vec::new();
        let mut scrutinee = Some(scrutinee);
        let mut arms = Vec::new();
        let mut default: Option<Block> = None;
        // A binding arm needs the scrutinee in a local: `let n = scrutinee;`.
        let binding_arm = m
            .arms
            .iter()
            .find(|a| a.guard.is_none() && is_catch_all(&a.pat))
            .and_then(|a| catch_all_binding(&a.pat));
        let mut bound: Option<LocalIdx> = None;
        if let Some((name, mutable)) = &binding_arm {
            if let Some(s) = scrutinee.take() {
                let span = s.span;
                let l = self.new_local(name, scrut_ty, *mutable);
                prelude.push(Stmt::Let(l, s));
                bound = Some(l);
                scrutinee = Some(self.mk(ExprKind::Local(l), scrut_ty, span));
            }
        }
        for arm in &m.arms {
            if let Some((_, g)) = &arm.guard {
                self.cx.error(
                    g,
                    "match guards are not supported; test the condition inside the arm with `if`",
                );
                continue;
            }
            let mut values = Vec::new();
            let mut catch_all = None;
            self.arm_pattern(&arm.pat, scrut_ty, &mut values, &mut catch_all);
            if default.is_some() {
                // After a catch-all arm nothing is reachable (rustc warns).
                continue;
            }
            match catch_all {
                Some(binding) => {
                    self.push_scope();
                    if let (Some(name), Some(l)) = (binding, bound) {
                        self.bind(&name, Binding::Local(l));
                    }
                    default = Some(self.arm_expr(&arm.body, want_value));
                    self.pop_scope();
                }
                None => {
                    let body = self.arm_expr(&arm.body, want_value);
                    arms.push(Arm { values, body });
                }
            }
        }
        let scrutinee = scrutinee?;
        Some((
            prelude,
            Match {
                scrutinee,
                arms,
                default,
            },
        ))
    }

    /// Collects the literal values of a pattern; a catch-all (`_` or a
    /// binding) sets `catch_all` (with the binding's name).
    fn arm_pattern(
        &mut self,
        pat: &syn::Pat,
        scrut: Ty,
        values: &mut Vec<(LitVal, Ty, Span)>,
        catch_all: &mut Option<Option<String>>,
    ) {
        match pat {
            syn::Pat::Or(o) => {
                for c in &o.cases {
                    self.arm_pattern(c, scrut, values, catch_all);
                }
            }
            syn::Pat::Paren(p) => self.arm_pattern(&p.pat, scrut, values, catch_all),
            syn::Pat::Wild(_) => *catch_all = Some(None),
            syn::Pat::Ident(pi) if pi.subpat.is_none() && pi.by_ref.is_none() => {
                let name = crate::sig::ident_name(&pi.ident);
                if first_upper(&name) {
                    self.cx.error(pi, "constant patterns are not supported: the GPU switch needs literal values; write the number, or compare with `==` in an `if`");
                } else {
                    *catch_all = Some(Some(name));
                }
            }
            syn::Pat::Lit(l) => {
                let e = self.lit(&l.lit);
                let (value, ty, span) = match e.kind {
                    ExprKind::Lit(v) => (v, e.ty, e.span),
                    _ => return,
                };
                if !self.unify(ty, scrut) {
                    self.cx.soft("pattern type does not match the scrutinee");
                }
                values.push((value, ty, span));
            }
            syn::Pat::Path(p) if p.qself.is_none() => match priority_path(&p.path) {
                Some(Some(priority)) => {
                    if !self.unify(Ty::Prio, scrut) {
                        self.cx.soft("pattern type does not match the scrutinee");
                    }
                    let index = LitVal::Int(priority.index() as i64);
                    values.push((index, Ty::Prio, p.span()));
                }
                Some(None) => self.cx.soft("unknown priority"),
                None => {
                    self.cx.error(p, "constant patterns are not supported: the GPU switch needs literal values; write the number, or compare with `==` in an `if`");
                }
            },
            syn::Pat::Range(r) => {
                self.cx.error(r, "range patterns are not supported: the GPU switch matches single values; list them with `|` (`1 | 2 | 3 =>`) or use `if`/`else`");
            }
            other => {
                self.cx.error(other, "this pattern is not supported: match arms take integer literals, `|` alternatives and `_`");
            }
        }
    }

    /// `buf[i].compare_exchange(current, new)` with fresh `old` and
    /// `exchanged` locals (named after `name`).
    fn cas(&mut self, e: &syn::Expr, name: Option<&str>) -> Option<Cas> {
        let syn::Expr::MethodCall(mc) = e else {
            self.cx
                .error(e, "expected `buf[i].compare_exchange(current, new)`");
            return None;
        };
        let syn::Expr::Index(ix) = strip_parens(&mc.receiver) else {
            self.cx.error(&mc.receiver, "`compare_exchange` applies to elements of atomic buffers: `buf[i].compare_exchange(current, new)`");
            return None;
        };
        let Some((buf, info)) = self.buffer_of(&ix.expr) else {
            if !self.poisoned(&ix.expr) {
                self.cx.error(
                    &ix.expr,
                    "only buffer parameters can be indexed: arrays do not exist in handlers",
                );
            }
            return None;
        };
        if info.access != Access::Atomic {
            self.cx.error(&mc.method, format!(
                "`compare_exchange` is an atomic method, but `{}` is `{}`; declare it `&Buffer<Atomic<{}>>` to use atomics",
                info.name, info.access.rust_form(info.elem), info.elem.rust_name()
            ));
            return None;
        }
        let (Some(cur), Some(new), 2) = (mc.args.first(), mc.args.get(1), mc.args.len()) else {
            self.cx
                .soft("compare_exchange takes the current and the new value");
            return None;
        };
        let elem = Ty::S(info.elem);
        let index = self.expr(&ix.index);
        self.expect(&index, Ty::S(ScalarType::U32), "buffer index");
        let current = self.expr(cur);
        self.expect(&current, elem, "current value");
        let new = self.expr(new);
        self.expect(&new, elem, "new value");
        let base = name.unwrap_or("cas");
        let old = self.new_local(&format!("{base}_old"), elem, false);
        let exchanged = self.new_local(&format!("{base}_exchanged"), Ty::S(ScalarType::Bool), false);
        Some(Cas {
            buf,
            index,
            current,
            new,
            old,
            exchanged,
        })
    }
}

/// The spans of the first and the last token of `t`.
pub(crate) fn token_ends(t: &dyn ToTokens) -> (Span, Span) {
    let ts = t.to_token_stream();
    let mut it = ts.into_iter();
    let Some(first) = it.next() else {
        return (Span::call_site(), Span::call_site());
    };
    let last = it.last();
    let close = |t: &proc_macro2::TokenTree| match t {
        proc_macro2::TokenTree::Group(g) => g.span_close(),
        other => other.span(),
    };
    let start = match &first {
        proc_macro2::TokenTree::Group(g) => g.span_open(),
        other => other.span(),
    };
    let end = last.as_ref().map(close).unwrap_or_else(|| close(&first));
    (start, end)
}

enum ArmBody<'a> {
    Block(&'a syn::Block),
    Expr(&'a syn::Expr),
}

/// A binding's name and mutability.
type NameBinding = (String, bool);

/// `Ok(p)` / `Err(p)`: (`Some(true)` for Ok, the binding name and
/// mutability if `p` is a name).
fn result_pattern(p: &syn::Pat) -> Option<(Option<bool>, Option<NameBinding>)> {
    let syn::Pat::TupleStruct(ts) = p else {
        return None;
    };
    if ts.qself.is_some() {
        return None;
    }
    let which = match ts.path.segments.last()?.ident.to_string().as_str() {
        "Ok" => true,
        "Err" => false,
        _ => return None,
    };
    if ts.elems.len() != 1 {
        return None;
    }
    let binding = match ts.elems.first()? {
        syn::Pat::Ident(pi) if pi.subpat.is_none() && pi.by_ref.is_none() => {
            Some((crate::sig::ident_name(&pi.ident), pi.mutability.is_some()))
        }
        syn::Pat::Wild(_) => None,
        _ => return None,
    };
    Some((Some(which), binding))
}

/// Whether an arm pattern matches everything (`_` or a binding).
fn is_catch_all(p: &syn::Pat) -> bool {
    match p {
        syn::Pat::Wild(_) => true,
        syn::Pat::Paren(inner) => is_catch_all(&inner.pat),
        syn::Pat::Or(o) => o.cases.iter().any(is_catch_all),
        _ => catch_all_binding(p).is_some(),
    }
}

/// An arm of a match on a compare_exchange result: `Ok(p)`, `Err(p)`, or
/// `Ok(p) | Err(p)` (covering both: `None`), with the binding.
fn result_arm_pattern(p: &syn::Pat) -> Option<(Option<bool>, Option<NameBinding>)> {
    match p {
        syn::Pat::Or(o) => {
            let mut kinds = Vec::new();
            let mut binding: Option<Option<NameBinding>> = None;
            for case in &o.cases {
                let (which, b) = result_pattern(case)?;
                if binding.as_ref().is_some_and(|prev| *prev != b) {
                    return None;
                }
                binding = Some(b);
                kinds.extend(which);
            }
            let all_ok = kinds.iter().all(|k| *k);
            let all_err = kinds.iter().all(|k| !*k);
            let which = if all_ok {
                Some(true)
            } else if all_err {
                Some(false)
            } else {
                None
            };
            Some((which, binding.flatten()))
        }
        syn::Pat::Paren(inner) => result_arm_pattern(&inner.pat),
        _ => result_pattern(p),
    }
}

/// The binding of a catch-all arm (`n => …`), if the pattern is one.
fn catch_all_binding(p: &syn::Pat) -> Option<(String, bool)> {
    match p {
        syn::Pat::Ident(pi) if pi.subpat.is_none() && pi.by_ref.is_none() => {
            let name = crate::sig::ident_name(&pi.ident);
            (!first_upper(&name)).then_some((name, pi.mutability.is_some()))
        }
        _ => None,
    }
}

pub(crate) fn is_printf(mac: &syn::Macro) -> bool {
    mac.path
        .segments
        .last()
        .is_some_and(|s| s.ident == "printf")
}

fn suffix_rejection(suffix: &str) -> String {
    let ty: syn::Type = match syn::parse_str(suffix) {
        Ok(t) => t,
        Err(_) => {
            return format!(
                "the literal suffix `{suffix}` is not a GPU type; use `u32`, `i32` or `f32`"
            )
        }
    };
    type_rejection(&ty)
}

fn plain_op(op: &syn::BinOp) -> Option<BinOp> {
    Some(match op {
        syn::BinOp::Add(_) => BinOp::Add,
        syn::BinOp::Sub(_) => BinOp::Sub,
        syn::BinOp::Mul(_) => BinOp::Mul,
        syn::BinOp::Div(_) => BinOp::Div,
        syn::BinOp::Rem(_) => BinOp::Rem,
        syn::BinOp::BitAnd(_) => BinOp::BitAnd,
        syn::BinOp::BitOr(_) => BinOp::BitOr,
        syn::BinOp::BitXor(_) => BinOp::BitXor,
        syn::BinOp::Shl(_) => BinOp::Shl,
        syn::BinOp::Shr(_) => BinOp::Shr,
        syn::BinOp::Eq(_) => BinOp::Eq,
        syn::BinOp::Ne(_) => BinOp::Ne,
        syn::BinOp::Lt(_) => BinOp::Lt,
        syn::BinOp::Le(_) => BinOp::Le,
        syn::BinOp::Gt(_) => BinOp::Gt,
        syn::BinOp::Ge(_) => BinOp::Ge,
        syn::BinOp::And(_) => BinOp::And,
        syn::BinOp::Or(_) => BinOp::Or,
        _ => return None,
    })
}

fn compound_op(op: &syn::BinOp) -> Option<BinOp> {
    Some(match op {
        syn::BinOp::AddAssign(_) => BinOp::Add,
        syn::BinOp::SubAssign(_) => BinOp::Sub,
        syn::BinOp::MulAssign(_) => BinOp::Mul,
        syn::BinOp::DivAssign(_) => BinOp::Div,
        syn::BinOp::RemAssign(_) => BinOp::Rem,
        syn::BinOp::BitAndAssign(_) => BinOp::BitAnd,
        syn::BinOp::BitOrAssign(_) => BinOp::BitOr,
        syn::BinOp::BitXorAssign(_) => BinOp::BitXor,
        syn::BinOp::ShlAssign(_) => BinOp::Shl,
        syn::BinOp::ShrAssign(_) => BinOp::Shr,
        _ => return None,
    })
}

/// What `f` answers for every receiver type `func` exists for, when the
/// answer is the same for all of them (the operands of an `f32`-only
/// intrinsic, the `u32` amount of the rotations, the `u32` result of
/// `count_ones`); `None` when it depends on the receiver.
fn receiver_independent(
    func: Intrinsic,
    f: impl Fn(ScalarType) -> Option<ScalarType>,
) -> Option<ScalarType> {
    let mut answers = ScalarType::ALL
        .into_iter()
        .filter(|r| func.result_type(*r).is_some())
        .map(f);
    let first = answers.next()??;
    answers.all(|a| a == Some(first)).then_some(first)
}
