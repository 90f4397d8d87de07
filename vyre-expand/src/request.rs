//! `#[request(id = N)] pub fn name(args…) -> Reply;`: declares a kind of
//! device→host request (`docs/language.md`, "Host requests"). The item is
//! a declaration (no body: the host serves it at run time); it becomes a
//! module with the kind's id, its argument and reply types, `kind()` for a
//! megakernel's `requests:`, `call(args…)` for `ctx.request` in handlers,
//! and `serve(closure)`, a typed host handler.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use vyre_lang::ScalarType;

use crate::ctxt::Ctxt;
use crate::ir_tokens::{pack_words, primitive_type, word_offsets, IrTokens};
use crate::sig::{scalar_of, type_rejection};

/// Expands `#[request(attr)] item`.
pub(crate) fn expand(attr: TokenStream, item: TokenStream) -> TokenStream {
    let cx = Ctxt::new();
    let id = parse_id(&cx, attr);
    let decl = match syn::parse2::<syn::ForeignItemFn>(item.clone()) {
        Ok(d) => d,
        Err(_) => {
            let msg = match syn::parse2::<syn::ItemFn>(item.clone()) {
                Ok(f) => {
                    cx.error(
                        &f.block,
                        "a request kind is a declaration: end it with `;` instead of a body (the host serves it with `name::serve(…)` or `Runtime::on_request`)",
                    );
                    return cx.to_compile_errors();
                }
                Err(_) => "#[request] applies to a function declaration: `pub fn lookup(key: u32) -> u32;`",
            };
            cx.error_at(Span::call_site(), msg);
            return cx.to_compile_errors();
        }
    };
    let sig = &decl.sig;
    if let Some(g) = sig.generics.params.first() {
        cx.error(g, "a request kind has no generic parameters");
    }
    if let Some(a) = &sig.asyncness {
        cx.error(
            a,
            "a request kind is not `async`: the device never waits for it",
        );
    }
    let mut args = Vec::new();
    for input in &sig.inputs {
        match input {
            syn::FnArg::Receiver(r) => cx.error(r, "a request kind takes no `self`"),
            syn::FnArg::Typed(t) => {
                let name = match &*t.pat {
                    syn::Pat::Ident(i) if i.by_ref.is_none() && i.subpat.is_none() => {
                        Some(i.ident.clone())
                    }
                    other => {
                        cx.error(other, "name each argument of a request kind: `key: u32`");
                        None
                    }
                };
                match (name, scalar_of(&t.ty)) {
                    (Some(n), Some(s)) => args.push((n, s)),
                    (_, None) => cx.error(&t.ty, type_rejection(&t.ty)),
                    _ => {}
                }
            }
        }
    }
    let reply = match &sig.output {
        syn::ReturnType::Default => {
            cx.error(
                &sig.ident,
                "a request kind replies with one value: declare it, `-> u32`",
            );
            None
        }
        syn::ReturnType::Type(_, ty) => match scalar_of(ty) {
            Some(s) => Some(s),
            None => {
                cx.error(ty, type_rejection(ty));
                None
            }
        },
    };
    let words: u32 = args.iter().map(|(_, s)| s.words()).sum();
    if words as usize > vyre_lang::limits::MAX_ARGS {
        cx.error(
            &sig.inputs,
            format!(
                "a request's arguments take {words} words (u64 and i64 take two), but a request slot holds {}",
                vyre_lang::limits::MAX_ARGS
            ),
        );
    }
    let (Some(id), Some(reply)) = (id, reply) else {
        return cx.to_compile_errors();
    };
    if cx.has_errors() {
        return cx.to_compile_errors();
    }
    module(&decl, id, &args, reply)
}

/// `id = N`: a `u32` literal.
fn parse_id(cx: &Ctxt, attr: TokenStream) -> Option<u32> {
    let mut id = None;
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("id") {
            let lit: syn::LitInt = meta.value()?.parse()?;
            if !matches!(lit.suffix(), "" | "u32") {
                return Err(syn::Error::new(
                    lit.span(),
                    format!("a request kind's id is a `u32`, not `{}`", lit.suffix()),
                ));
            }
            id = Some(lit.base10_parse::<u32>()?);
            Ok(())
        } else {
            Err(meta.error("unknown #[request] argument; the only argument is `id = N`"))
        }
    });
    if let Err(e) = syn::parse::Parser::parse2(parser, attr) {
        cx.syn_error(e);
        return None;
    }
    if id.is_none() {
        cx.error_at(
            Span::call_site(),
            "give the request kind an id: `#[request(id = 1)]` (the host registers its handler under it)",
        );
    }
    id
}

/// The kind's module.
fn module(
    decl: &syn::ForeignItemFn,
    id: u32,
    args: &[(syn::Ident, ScalarType)],
    reply: ScalarType,
) -> TokenStream {
    let vis = &decl.vis;
    let ident = &decl.sig.ident;
    let docs = decl.attrs.iter().filter(|a| a.path().is_ident("doc"));
    let name = ident.to_string();
    let arg_types = args.iter().map(|(_, s)| s.ir_tokens());
    let reply_type = reply.ir_tokens();
    let reply_rust = primitive_type(reply, Span::call_site());
    let params: Vec<TokenStream> = args
        .iter()
        .map(|(n, s)| {
            let t = primitive_type(*s, n.span());
            quote!(#n: #t)
        })
        .collect();
    let types: Vec<TokenStream> = args
        .iter()
        .map(|(n, s)| primitive_type(*s, n.span()))
        .collect();
    let values: Vec<(&syn::Ident, ScalarType)> = args.iter().map(|(n, s)| (n, *s)).collect();
    let (pack, words) = pack_words(&values);
    let (offsets, _) = word_offsets(args.iter().map(|&(_, s)| s));
    let handler_names: Vec<syn::Ident> =
        (0..args.len()).map(|i| format_ident!("__a{}", i)).collect();
    quote! {
        #(#docs)*
        #[allow(non_snake_case)]
        #vis mod #ident {
            /// The request kind's id (what the host serves it under).
            pub const ID: u32 = #id;
            /// The kind's name.
            pub const NAME: &str = #name;
            /// The types of the request's arguments, in order.
            pub const ARGS: &[::vyre::ir::ScalarType] = &[#(#arg_types),*];
            /// The type of the reply (the continuation's last argument).
            pub const REPLY: &[::vyre::ir::ScalarType] = &[#reply_type];

            /// The kind, for a megakernel's `requests:` (or
            /// `ProgramBuilder::request_kind`).
            pub fn kind() -> ::vyre::RequestKind {
                ::vyre::RequestKind {
                    id: ID,
                    name: ::std::string::String::from(NAME),
                    args: ARGS.to_vec(),
                    reply: REPLY.to_vec(),
                }
            }

            /// The request, in a handler:
            /// `ctx.request(priority, kind::call(args…), op::then(given…))`.
            pub fn call(#(#params),*) -> ::vyre::host::RequestCall<#reply_rust> {
                #pack
                ::vyre::host::RequestCall::new(ID, &__w[..#words])
            }

            /// A typed host handler of this kind for
            /// `Runtime::serve` (or the kernel type's `serve`): `f` gets
            /// the request's arguments and the reply (for buffer writes)
            /// and returns the reply's value, or an error that faults the
            /// continuation.
            pub fn serve<F>(mut f: F) -> ::vyre::Served
            where
                F: FnMut(#(#types,)* &mut ::vyre::Reply) -> ::core::result::Result<#reply_rust, ::std::string::String>
                    + ::core::marker::Send
                    + 'static,
            {
                ::vyre::Served::new(ID, ::std::boxed::Box::new(move |__req: &::vyre::HostRequest<'_>, __reply: &mut ::vyre::Reply| {
                    #(let #handler_names: #types = ::vyre::host::__private::arg::<#types>(__req.args, #offsets);)*
                    let __value = f(#(#handler_names,)* __reply)?;
                    let mut __w = [0u32; 2];
                    ::vyre::host::ArgWord::write(__value, &mut __w);
                    __reply.push_words(&__w[..<#reply_rust as ::vyre::host::ArgWord>::TYPE.words() as usize]);
                    ::core::result::Result::Ok(())
                }))
            }
        }
    }
}
