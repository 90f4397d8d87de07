//! The arguments of `#[opcode(…)]` (the id) and `#[device]` (none).

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::spanned::Spanned;
use vyre_lang::limits::RESERVED_ID_START;

use crate::ctxt::Ctxt;

/// How an `#[opcode]` gets its id.
pub(crate) enum IdSpec {
    /// Derived from the function name.
    Derived,
    /// An integer literal, checked here.
    Literal(u32),
    /// Another constant expression, checked by a const assertion.
    Expr(Box<syn::Expr>),
}

/// Parses `#[opcode]` / `#[opcode(id = N)]`.
pub(crate) fn parse_opcode_attr(cx: &Ctxt, attr: TokenStream) -> IdSpec {
    let mut spec = IdSpec::Derived;
    let mut seen_id: Option<syn::Path> = None;
    if attr.is_empty() {
        return spec;
    }
    if let Ok(lit) = syn::parse2::<syn::Lit>(attr.clone()) {
        cx.error(lit, "name the argument: `#[opcode(id = 0x100)]`");
        return spec;
    }
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("id") {
            if seen_id.is_some() {
                return Err(meta.error("`id` is given twice"));
            }
            seen_id = Some(meta.path.clone());
            let value = match meta.value() {
                Ok(v) => v,
                Err(_) => return Err(meta.error("give the id a value: `#[opcode(id = 0x100)]`")),
            };
            let expr: syn::Expr = value.parse()?;
            spec = id_from_expr(cx, expr);
            Ok(())
        } else {
            let name = meta.path.to_token_stream().to_string().replace(' ', "");
            Err(meta.error(format!(
                "unknown #[opcode] argument `{name}`; the only argument is `id = N`"
            )))
        }
    });
    if let Err(e) = syn::parse::Parser::parse2(parser, attr) {
        cx.syn_error(e);
    }
    spec
}

fn id_from_expr(cx: &Ctxt, expr: syn::Expr) -> IdSpec {
    let lit = match &expr {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(i),
            ..
        }) => i.clone(),
        syn::Expr::Lit(other) => {
            cx.error(
                other,
                "an opcode id is a `u32` integer: `#[opcode(id = 0x100)]`",
            );
            return IdSpec::Derived;
        }
        _ => return IdSpec::Expr(Box::new(expr)),
    };
    if !matches!(lit.suffix(), "" | "u32") {
        cx.error(
            &lit,
            format!("an opcode id is a `u32`, not `{}`", lit.suffix()),
        );
        return IdSpec::Derived;
    }
    match lit.base10_parse::<u64>() {
        Ok(v) if v > u64::from(u32::MAX) => {
            cx.error(
                &lit,
                "an opcode id is a `u32`; this value does not fit in 32 bits",
            );
            IdSpec::Derived
        }
        Ok(v) => {
            let v = v as u32;
            if v >= RESERVED_ID_START {
                cx.error(&lit, crate::id::reserved_literal_message(v));
                IdSpec::Derived
            } else {
                IdSpec::Literal(v)
            }
        }
        Err(e) => {
            cx.error(&lit, format!("invalid opcode id: {e}"));
            IdSpec::Derived
        }
    }
}

/// Reports any attribute argument of `#[device]`.
pub(crate) fn parse_device_attr(cx: &Ctxt, attr: TokenStream) {
    if !attr.is_empty() {
        cx.error(attr.clone(), "#[device] takes no arguments");
    }
    let _ = attr.span();
}
