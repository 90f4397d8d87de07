//! What the macros emit in place of what they could not generate, so that
//! after an error the user sees that error alone: the function's uses
//! elsewhere (`visit::task(…)`, `visit::ID`, the megakernel type) still
//! resolve, and what cannot work fails when it runs, with `unreachable!`
//! or a panic that says why.
//!
//! - An item that is not a function, or a method, is emitted unchanged.
//! - A function whose body did not parse is emitted unchanged (rustc
//!   reports the syntax error), with the module its signature describes.
//! - A rejected function keeps its module; the IR builder, `task` (when
//!   the signature was rejected too) and `__native` are `unreachable!()`.
//! - A function with problems that rustc reports itself (a type mismatch)
//!   gets an IR builder that panics with them, should rustc not stop first.
//! - A `megakernel!` with errors keeps its type and API; its program
//!   cannot be assembled.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ctxt::Ctxt;
use crate::item::{has_receiver, Head, Parsed};
use crate::sig::{parse_signature, FnKind, ParamKind, Sig};

/// The expansion of an item that is not a function with a body the macro
/// can read (`parsed` is not `Parsed::Fn`). `module` writes the module
/// for a function whose body did not parse, from its signature; problems
/// in that signature are not reported, as rustc reports the syntax error.
pub(crate) fn unusable_item(
    cx: &Ctxt,
    item: TokenStream,
    parsed: Parsed,
    kind: FnKind,
    module: impl FnOnce(&Head<'_>, &Sig) -> TokenStream,
) -> TokenStream {
    let errors = cx.to_compile_errors();
    match parsed {
        // A method's module could not follow it inside its `impl`.
        Parsed::Head(h) if !has_receiver(&h.sig) => {
            let quiet = Ctxt::new();
            let sig = parse_signature(&quiet, &h.sig, kind);
            let head = Head {
                ident: &h.sig.ident,
                vis: &h.vis,
                attrs: &h.attrs,
            };
            let module = module(&head, &sig);
            quote!(#errors #item #module)
        }
        _ => quote!(#errors #item),
    }
}

/// The expansion of a method (`fn f(&self)`): the errors and the method,
/// without a module, which cannot follow it inside the `impl`.
pub(crate) fn method(cx: &Ctxt, f: &syn::ItemFn) -> TokenStream {
    let errors = cx.to_compile_errors();
    quote!(#errors #f)
}

/// What a rejected function's IR builder (`try_handler`, `__vyre_inline`)
/// does: nothing it can, as the program never builds with the error.
pub(crate) fn rejected_builder(kind: FnKind) -> TokenStream {
    match kind {
        FnKind::Opcode => quote!(::core::unreachable!(
            "vyre: the handler was rejected at compile time"
        )),
        FnKind::Device => quote!(::core::unreachable!(
            "vyre: the #[device] function was rejected at compile time"
        )),
    }
}

/// The IR builder of a function with problems rustc reports on the
/// original function: should rustc not, building the IR says why it
/// cannot.
pub(crate) fn untranslatable(kind: FnKind, problems: &[String]) -> TokenStream {
    let what = match kind {
        FnKind::Opcode => "this handler",
        FnKind::Device => "this #[device] function",
    };
    let msg = format!(
        "vyre: {what} could not be translated: {}",
        problems.join("; ")
    );
    quote!(::core::panic!("{}", #msg))
}

/// `task(args…)` and `__native(…)` of a handler whose signature was
/// rejected: `task` keeps the parameters that can be named (so that calls
/// elsewhere still type-check), both bodies are `unreachable!()`.
pub(crate) fn task_and_native(sig: &Sig, doc_task: &str) -> (TokenStream, TokenStream) {
    let params = sig.params.iter().filter_map(|p| match p.kind {
        ParamKind::Scalar(s) => {
            let name = &p.ident;
            let ty: syn::Type = syn::parse_str(s.rust_name()).ok()?;
            Some(quote!(#name: #ty))
        }
        _ => None,
    });
    let scalars: Vec<(&syn::Ident, syn::Type)> = sig
        .params
        .iter()
        .filter_map(|p| match p.kind {
            ParamKind::Scalar(s) => Some((&p.ident, syn::parse_str(s.rust_name()).ok()?)),
            _ => None,
        })
        .collect();
    let then = scalars.split_last().map(|((_, reply), given)| {
        let given = given.iter().map(|(n, t)| quote!(#n: #t));
        quote! {
            #[doc = "This opcode as the continuation of a device→host request."]
            pub fn then(#(#given),*) -> ::vyre::host::Continuation<#reply> {
                ::core::unreachable!("vyre: the handler was rejected at compile time")
            }
        }
    });
    let task = quote! {
        #[doc = #doc_task]
        pub fn task(#(#params),*) -> ::vyre::Task {
            ::core::unreachable!("vyre: the handler was rejected at compile time")
        }
        #then
    };
    let native = quote! {
        #[doc(hidden)]
        pub fn __native(
            __ctx: &::vyre::host::Ctx,
            __buffers: &::vyre::host::HostBuffers,
            __bindings: &[usize],
            __args: &[u32],
        ) {
            ::core::unreachable!("vyre: the handler was rejected at compile time")
        }
    };
    (task, native)
}

/// The body of `try_program` of a `megakernel!` that reported errors.
pub(crate) fn megakernel_program() -> TokenStream {
    quote!(::core::unreachable!(
        "vyre: megakernel! reported errors at compile time"
    ))
}
