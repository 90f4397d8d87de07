//! The entry points of the attribute macros: `#[opcode]` and `#[device]`
//! from tokens to tokens.
//!
//! Both emit the function (with loop ticks) and a module of the same name;
//! `opcode` and `device` write their modules, this file the steps they
//! share. When the function is rejected they emit every error, the
//! function, and the module with the same public items (see
//! `crate::fallback`), so that uses elsewhere still resolve.

mod device;
mod opcode;

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use syn::parse::{Parse, ParseStream};

use crate::ctxt::Ctxt;
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

/// What the generated module copies from the function.
pub(crate) struct Head<'a> {
    pub(crate) ident: &'a syn::Ident,
    pub(crate) vis: &'a syn::Visibility,
    pub(crate) attrs: &'a [syn::Attribute],
}

impl<'a> Head<'a> {
    /// The head of a function with these attributes, visibility and
    /// signature.
    fn new(attrs: &'a [syn::Attribute], vis: &'a syn::Visibility, sig: &'a syn::Signature) -> Self {
        Head {
            ident: &sig.ident,
            vis,
            attrs,
        }
    }
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
    allow_range_pattern_lint(&mut f);
    let module = m.module(&Head::new(&f.attrs, &f.vis, &f.sig), &sig, body);
    let errors = cx.to_compile_errors();
    quote!(#errors #f #module)
}

/// A function whose body did not parse: what precedes the body.
pub(crate) struct FnHead {
    pub(crate) attrs: Vec<syn::Attribute>,
    pub(crate) vis: syn::Visibility,
    pub(crate) sig: syn::Signature,
}

impl Parse for FnHead {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(syn::Attribute::parse_outer)?;
        let vis = input.parse()?;
        let sig = input.parse()?;
        let _rest: TokenStream = input.parse()?;
        Ok(FnHead { attrs, vis, sig })
    }
}

/// What the item under the attribute turned out to be.
pub(crate) enum Parsed {
    /// A function.
    Fn(syn::ItemFn),
    /// The body did not parse; rustc reports the syntax error on the
    /// original tokens.
    Head(FnHead),
    /// Not a function.
    Other,
}

/// Parses the item, reporting an item that is not a function.
fn parse_item(cx: &Ctxt, item: &TokenStream, kind: FnKind) -> Parsed {
    if let Ok(f) = syn::parse2::<syn::ItemFn>(item.clone()) {
        return Parsed::Fn(f);
    }
    if let Ok(other) = syn::parse2::<syn::Item>(item.clone()) {
        let (what, attr) = match kind {
            FnKind::Opcode => ("an opcode handler", "#[opcode]"),
            FnKind::Device => ("a device function", "#[device]"),
        };
        let target: &dyn ToTokens = match &other {
            syn::Item::Struct(s) => &s.ident,
            syn::Item::Enum(e) => &e.ident,
            syn::Item::Mod(m) => &m.ident,
            syn::Item::Impl(i) => &i.self_ty,
            syn::Item::Trait(t) => &t.ident,
            syn::Item::Const(c) => &c.ident,
            syn::Item::Static(s) => &s.ident,
            syn::Item::Type(t) => &t.ident,
            _ => &other,
        };
        cx.error(
            target,
            format!("{attr} applies to a free `fn` (which becomes {what}), not to this item"),
        );
        return Parsed::Other;
    }
    match syn::parse2::<FnHead>(item.clone()) {
        Ok(h) => Parsed::Head(h),
        Err(_) => Parsed::Other,
    }
}

/// Whether the function takes `self` (a method).
pub(crate) fn has_receiver(sig: &syn::Signature) -> bool {
    sig.inputs
        .iter()
        .any(|a| matches!(a, syn::FnArg::Receiver(_)))
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
