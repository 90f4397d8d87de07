//! Paths written in the user's module, rewritten so that they resolve the
//! same from the module the macros generate inside it.

use proc_macro2::Span;
use syn::visit_mut::VisitMut;

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

/// Rewrites every path in `e` (the id expression of `#[opcode(id = …)]`)
/// so that it resolves from inside the generated module.
pub(crate) fn relocate_expr(e: &mut syn::Expr) {
    Relocate.visit_expr_mut(e);
}

/// The rewriter of [`relocate_expr`].
struct Relocate;

impl VisitMut for Relocate {
    fn visit_expr_path_mut(&mut self, e: &mut syn::ExprPath) {
        if e.qself.is_none() {
            e.path = relocate_value(&e.path);
        }
    }

    fn visit_path_mut(&mut self, p: &mut syn::Path) {
        *p = relocate(p);
    }
}
