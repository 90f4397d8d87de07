//! `name::Op`: an `#[opcode]` as a type, for the typed bulk paths
//! (`publish_batch`, `publish_range`). Its `Args` is `()` for a handler
//! without arguments, the argument's type for one, a tuple for more; the
//! encoder writes each argument's word, so a batch of the wrong type does
//! not compile.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use vyre_lang::ScalarType;

use crate::ir_tokens::primitive_type;
use crate::sig::Sig;

/// The marker type and its `Opcode` (and, when the first argument is a
/// `u32`, `RangeOpcode`) implementation, inside the handler's module
/// (`ID`, `NAME` and `ARGS` are the module's).
pub(super) fn op_marker(sig: &Sig) -> TokenStream {
    let types: Vec<ScalarType> = sig.scalars().map(|(_, s)| s).collect();
    let tys: Vec<TokenStream> = types
        .iter()
        .map(|s| primitive_type(*s, Span::call_site()))
        .collect();
    let args = shape(&tys);
    let encode_args = encode(&types);
    let range = (types.first() == Some(&ScalarType::U32)).then(|| {
        let rest = shape(&tys[1..]);
        let encode_rest = encode(&types[1..]);
        quote! {
            impl ::vyre::RangeOpcode for Op {
                type Rest = #rest;
                #[inline]
                fn encode_rest(args: &Self::Rest, words: &mut [u32]) {
                    #encode_rest
                }
            }
        }
    });
    quote! {
        /// This opcode as a type: `publish_batch(priority, Op, &args)` and,
        /// when the first argument is a `u32` index, `publish_range`.
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        pub struct Op;

        impl ::vyre::Opcode for Op {
            const ID: u32 = ID;
            const NAME: &'static str = NAME;
            const ARG_TYPES: &'static [::vyre::ir::ScalarType] = ARGS;
            type Args = #args;
            #[inline]
            fn encode(args: &Self::Args, words: &mut [u32]) {
                #encode_args
            }
        }

        #range
    }
}

/// `()`, `T` or `(T, U, ..)`.
fn shape(tys: &[TokenStream]) -> TokenStream {
    match tys {
        [] => quote!(()),
        [one] => one.clone(),
        many => quote!((#(#many),*)),
    }
}

/// The statements writing the words of `args` (shaped as [`shape`], of
/// `types`) into `words`: one word per argument, two for `u64` and `i64`.
fn encode(types: &[ScalarType]) -> TokenStream {
    let mut at = 0usize;
    let mut stores = Vec::new();
    for (i, ty) in types.iter().enumerate() {
        let value = if types.len() == 1 {
            quote!(*args)
        } else {
            let field = syn::Index::from(i);
            quote!(args.#field)
        };
        stores.push(quote!(::vyre::host::ArgWord::write(#value, &mut words[#at..]);));
        at += ty.words() as usize;
    }
    if stores.is_empty() {
        quote!(let _ = (args, words);)
    } else {
        quote!(#(#stores)*)
    }
}
