//! Small questions about syn syntax that several constructs ask: a path's
//! names, parentheses around an expression, whether a name is a constant's,
//! which operator a token is, where an expression's tokens start and end.

use proc_macro2::Span;
use quote::ToTokens;

use crate::hir::{BinOp, Priority};

/// The names of a path's segments.
pub(super) fn path_names(path: &syn::Path) -> Vec<String> {
    path.segments.iter().map(|s| s.ident.to_string()).collect()
}

/// The first generic arguments in a path, if any.
pub(super) fn has_generic_args(path: &syn::Path) -> Option<&syn::PathArguments> {
    path.segments
        .iter()
        .map(|s| &s.arguments)
        .find(|a| !a.is_none())
}

/// The expression inside any parentheses (and invisible groups).
pub(super) fn strip_parens(e: &syn::Expr) -> &syn::Expr {
    match e {
        syn::Expr::Paren(p) => strip_parens(&p.expr),
        syn::Expr::Group(g) => strip_parens(&g.expr),
        _ => e,
    }
}

/// The priority a `Priority::X` path names: `None` when the path is not
/// `…Priority::_`, `Some(None)` for an unknown variant.
pub(super) fn priority_path(path: &syn::Path) -> Option<Option<Priority>> {
    let mut names = path.segments.iter().rev().map(|s| s.ident.to_string());
    let variant = names.next()?;
    if names.next()? != "Priority" {
        return None;
    }
    Some(Priority::from_variant_name(&variant))
}

/// Whether a name is a constant's or a type's (upper-case first).
pub(super) fn first_upper(name: &str) -> bool {
    name.trim_start_matches('_')
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_uppercase())
}

/// The spans of the first and the last token of `t`.
pub(super) fn token_ends(t: &dyn ToTokens) -> (Span, Span) {
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

/// Whether a macro is `printf!` (any path ending in it).
pub(super) fn is_printf(mac: &syn::Macro) -> bool {
    mac.path
        .segments
        .last()
        .is_some_and(|s| s.ident == "printf")
}

/// The operator of a binary expression (not a compound assignment).
pub(super) fn plain_op(op: &syn::BinOp) -> Option<BinOp> {
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

/// The operator of a compound assignment (`+=` → `+`).
pub(super) fn compound_op(op: &syn::BinOp) -> Option<BinOp> {
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
