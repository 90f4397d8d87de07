//! The item under `#[opcode]` or `#[device]` as parsed: a function, a
//! function whose body did not parse (its head still names the module the
//! fallback emits), or something else. Shared by the expansion and the
//! fallback, which both start from it.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::parse::{Parse, ParseStream};

use crate::ctxt::Ctxt;
use crate::sig::FnKind;

/// What the generated module copies from the function.
pub(crate) struct Head<'a> {
    pub(crate) ident: &'a syn::Ident,
    pub(crate) vis: &'a syn::Visibility,
    pub(crate) attrs: &'a [syn::Attribute],
}

impl<'a> Head<'a> {
    /// The head of a function with these attributes, visibility and
    /// signature.
    pub(crate) fn new(
        attrs: &'a [syn::Attribute],
        vis: &'a syn::Visibility,
        sig: &'a syn::Signature,
    ) -> Self {
        Head {
            ident: &sig.ident,
            vis,
            attrs,
        }
    }
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
pub(crate) fn parse_item(cx: &Ctxt, item: &TokenStream, kind: FnKind) -> Parsed {
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
