//! Lowering: a function body (syn) to the typed tree of [`crate::hir`].
//!
//! Every name is resolved, every construct is either translated or
//! rejected with an error on its own tokens, and every expression gets a
//! type (inference variables for unsuffixed literals are solved by
//! unification, as rustc does; `crate::check` reports what stays open).
//! Mismatches that rustc reports on the original function are recorded as
//! *soft* problems, so users see rustc's message once rather than two.
//!
//! This file holds the [`Lowerer`] and its bookkeeping (locals, scopes,
//! nesting depth, type expectations); each construct is lowered in its own
//! file: statements and assignments (`stmt`), expressions (`expr`), method
//! and function calls (`call`), scalar methods (`intrinsic`), atomics
//! (`atomic`), compare-exchange and its `Result` forms (`cas`), `if` and
//! `match` (`branch`), spawns (`spawn`), `printf!` (`printf`); the
//! messages for unsupported Rust are in `reject`, small helpers over syn
//! syntax in `syntax`.

mod array;
mod atomic;
mod branch;
mod call;
mod cas;
mod expr;
mod field;
mod intrinsic;
mod printf;
mod reject;
mod spawn;
mod stmt;
mod structs;
mod syntax;

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::spanned::Spanned;

use crate::ctxt::Ctxt;
use crate::hir::*;
use crate::sig::{FnKind, ParamKind, Sig};
use crate::types::{Ty, Types};
use syntax::strip_parens;

/// How deep expressions and blocks may nest.
const MAX_DEPTH: usize = 128;

/// What a name in scope stands for.
#[derive(Clone, Copy)]
enum Binding {
    Local(LocalIdx),
    /// A local array (indexed, never a value).
    Array(LocalIdx),
    /// A struct local (its fields are values).
    Struct(StructIdx),
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
    /// The struct locals.
    pub(crate) structs: Vec<StructInfo>,
    pub(crate) body: Block,
    /// The device function's return type.
    pub(crate) ret: Option<ScalarType>,
    /// The struct local a device function returning a struct returns
    /// into (declared first, zeroed).
    pub(crate) ret_struct: Option<StructIdx>,
}

/// The state of lowering one function body.
struct Lowerer<'a> {
    cx: &'a Ctxt,
    kind: FnKind,
    fn_name: String,
    types: Types,
    locals: Vec<LocalInfo>,
    structs: Vec<StructInfo>,
    bufs: Vec<BufInfo>,
    scopes: Vec<Vec<(String, Binding)>>,
    loop_depth: usize,
    depth: usize,
    too_deep: bool,
    ret: Option<ScalarType>,
    /// See [`Lowered::ret_struct`].
    ret_struct: Option<StructIdx>,
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
        structs: Vec::new(),
        bufs: Vec::new(),
        scopes: vec![Vec::new()],
        loop_depth: 0,
        depth: 0,
        too_deep: false,
        ret: sig.ret,
        ret_struct: None,
        own_args: sig.scalars().map(|(_, s)| s).collect(),
    };
    // Scalar parameters are the first locals, in order.
    for p in &sig.params {
        if let ParamKind::Scalar(s) = p.kind {
            let idx = l.new_local(&p.name, Ty::S(s), p.mutable);
            l.bind(&p.name, Binding::Local(idx));
        }
    }
    let mut struct_params = Vec::new();
    for p in &sig.params {
        match p.kind {
            ParamKind::Buffer { elem, access } => {
                l.bufs.push(BufInfo {
                    name: p.name.clone(),
                    elem,
                    access,
                    structure: p.structure.clone(),
                });
                let idx = l.bufs.len() - 1;
                l.bind(&p.name, Binding::Buffer(idx));
            }
            ParamKind::Ctx => l.bind(&p.name, Binding::Ctx),
            ParamKind::Struct => {
                // A copy of the caller's struct local, declared first.
                let k = l.structs.len();
                l.structs.push(StructInfo {
                    name: p.name.clone(),
                    ty: p
                        .structure
                        .clone()
                        .unwrap_or_else(|| syn::parse_quote!(u32)),
                    mutable: p.mutable,
                    count: None,
                });
                l.bind(&p.name, Binding::Struct(k));
                struct_params.push(Stmt::LetStruct(k, StructInit::Param(k)));
            }
            ParamKind::Scalar(_) | ParamKind::Invalid => {}
        }
    }
    if let (FnKind::Device, Some(ty)) = (kind, &sig.ret_struct) {
        let k = l.structs.len();
        l.structs.push(StructInfo {
            name: "ret".into(),
            ty: ty.clone(),
            mutable: true,
            count: None,
        });
        l.ret_struct = Some(k);
        struct_params.push(Stmt::LetStruct(k, StructInit::Zero));
    }
    let want_value = kind == FnKind::Device && sig.ret.is_some();
    let mut body = match l.ret_struct {
        // The tail value of a function returning a struct is its return.
        Some(_) => l.block(&tail_as_return(body), false),
        None => l.block(body, want_value),
    };
    body.stmts.splice(0..0, struct_params);
    if let (Some(ret), Some(tail)) = (sig.ret, &body.tail) {
        l.unify(tail.ty, Ty::S(ret));
    }
    Lowered {
        types: l.types,
        locals: l.locals,
        structs: l.structs,
        body,
        ret: sig.ret,
        ret_struct: l.ret_struct,
    }
}

/// `body` with its tail expression, if any, written as a `return`.
fn tail_as_return(body: &syn::Block) -> syn::Block {
    let mut body = body.clone();
    if let Some(syn::Stmt::Expr(e, semi @ None)) = body.stmts.last_mut() {
        let value = e.clone();
        *e = syn::Expr::Return(syn::ExprReturn {
            attrs: Vec::new(),
            return_token: Default::default(),
            expr: Some(Box::new(value)),
        });
        *semi = Some(Default::default());
    }
    body
}

impl Lowerer<'_> {
    /// A new local of the function (also for the hidden ones).
    fn new_local(&mut self, name: &str, ty: Ty, mutable: bool) -> LocalIdx {
        self.locals.push(LocalInfo {
            name: name.to_string(),
            ty,
            mutable,
            array: None,
        });
        self.locals.len() - 1
    }

    /// Binds `name` in the innermost scope.
    fn bind(&mut self, name: &str, b: Binding) {
        if let Some(scope) = self.scopes.last_mut() {
            scope.push((name.to_string(), b));
        }
    }

    /// What `name` stands for here (the innermost binding).
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

    /// Opens a scope (a block, a loop, an arm).
    fn push_scope(&mut self) {
        self.scopes.push(Vec::new());
    }

    /// Closes the innermost scope.
    fn pop_scope(&mut self) {
        self.scopes.pop();
    }

    /// Makes `a` and `b` the same type; `false` on a mismatch.
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

    /// Enters one nesting level; `false` (reported once) past `MAX_DEPTH`.
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

    /// Leaves a nesting level.
    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// An expression spanning the single span `span`.
    fn mk(&self, kind: ExprKind, ty: Ty, span: Span) -> Expr {
        Expr {
            kind,
            ty,
            span,
            end: span,
        }
    }

    /// The stand-in for an expression already reported.
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

    /// A type known when `handler()` runs, given by `tokens`.
    fn dyn_ty(&mut self, tokens: TokenStream) -> Ty {
        self.types.dynamic(tokens)
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

    /// What `e` names, if it is a plain name.
    fn binding_of(&self, e: &syn::Expr) -> Option<Binding> {
        match strip_parens(e) {
            syn::Expr::Path(p) if p.qself.is_none() => {
                let name = crate::sig::ident_name(p.path.get_ident()?);
                self.lookup(&name)
            }
            _ => None,
        }
    }

    /// The type of a block: its tail's, `!` when it ends diverging, else
    /// `()`.
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
}
