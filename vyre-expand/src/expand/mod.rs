//! The entry points of the attribute macros: `#[opcode]` and `#[device]`
//! from tokens to tokens.
//!
//! Both emit the function (with loop ticks) and a module of the same name;
//! `opcode` and `device` write their modules, this file the steps they
//! share. When the function is rejected they emit every error, the
//! function, and the module with the same public items (see
//! `crate::fallback`), so that uses elsewhere still resolve.

mod device;
mod marker;
mod opcode;

use proc_macro2::TokenStream;
use quote::quote;

use crate::ctxt::Ctxt;
use crate::item::{has_receiver, parse_item, Head, Parsed};
use crate::lower::Lowered;
use crate::sig::{ident_name, parse_signature, FnKind, Sig};

pub(crate) use device::expand_device;
pub(crate) use opcode::expand_opcode;

/// What the expansions of `#[opcode]` and `#[device]` do differently.
trait FnMacro {
    /// Which attribute this is.
    const KIND: FnKind;

    /// The module generated next to the function; `body` is its IR
    /// builder's body, `None` when the function was rejected.
    fn module(&self, head: &Head<'_>, sig: &Sig, body: Option<TokenStream>) -> TokenStream;

    /// The IR builder's body of a translated function.
    fn builder_body(&self, cx: &Ctxt, sig: &Sig, name: &str, lowered: Lowered) -> TokenStream;
}

/// The expansion shared by both attributes: parse, lower, check, generate.
fn expand_fn<M: FnMacro>(cx: &Ctxt, item: TokenStream, m: &M) -> TokenStream {
    let f = match parse_item(cx, &item, M::KIND) {
        Parsed::Fn(f) => f,
        unusable => {
            return crate::fallback::unusable_item(cx, item, unusable, M::KIND, |head, sig| {
                m.module(head, sig, None)
            })
        }
    };
    let sig = parse_signature(cx, &f.sig, M::KIND);
    if has_receiver(&f.sig) {
        return crate::fallback::method(cx, &f);
    }
    let name = ident_name(&f.sig.ident);
    let mut body = None;
    if sig.ok {
        let lowered = crate::lower::lower_fn(cx, M::KIND, &name, &sig, &f.block);
        crate::check::check(cx, &lowered.types, &lowered.body);
        if !cx.has_errors() {
            body = Some(m.builder_body(cx, &sig, &name, lowered));
        }
    }
    let mut f = f;
    crate::ticks::insert(&mut f.block);
    let buffers: Vec<String> = sig.buffers().map(|(p, _, _)| p.name.clone()).collect();
    crate::bounds::guard(&mut f.block, &buffers);
    allow_range_pattern_lint(&mut f);
    let module = m.module(&Head::new(&f.attrs, &f.vis, &f.sig), &sig, body);
    let errors = cx.to_compile_errors();
    quote!(#errors #f #module)
}

/// The `#[cfg]`s of the function, repeated on the module.
fn cfg_attrs(attrs: &[syn::Attribute]) -> Vec<&syn::Attribute> {
    attrs.iter().filter(|a| a.path().is_ident("cfg")).collect()
}

/// The lints silenced on the generated module (its items are used or
/// not depending on the program).
fn allow_attrs() -> TokenStream {
    quote! {
        #[allow(
            dead_code,
            unused_imports,
            unused_variables,
            unused_mut,
            unused_braces,
            unreachable_code,
            non_snake_case,
            non_upper_case_globals,
            clippy::all,
            clippy::pedantic,
            clippy::nursery
        )]
    }
}

/// Clippy suggests range patterns for `1 | 2 | 3`, which handlers cannot
/// use; silence that suggestion on the emitted function.
fn allow_range_pattern_lint(f: &mut syn::ItemFn) {
    if let Ok(attr) = syn::parse::Parser::parse2(
        syn::Attribute::parse_outer,
        quote!(#[allow(unknown_lints, clippy::manual_range_patterns)]),
    ) {
        f.attrs.extend(attr);
    }
}
