//! `megakernel!`: a set of `#[opcode]` handlers and declared buffers
//! become one type with the assembled program and a typed host API.
//!
//! [`parse`] reads the tokens (recovering after each bad field),
//! [`validate`] checks everything the tokens alone decide (fields, values,
//! buffer types and names, the opcode list) and [`expand`] writes the type
//! and the const assertions that check what lives in other items (the
//! handlers' ids and buffer parameters). Every error carries the span of
//! the tokens it is about, and the macro never panics.

mod expand;
mod parse;
mod validate;

#[cfg(test)]
mod tests;

use proc_macro2::TokenStream;
use quote::quote;

use crate::ctxt::Ctxt;

/// Expands `megakernel! { … }`.
pub(crate) fn megakernel(input: TokenStream) -> TokenStream {
    let cx = Ctxt::new();
    let Some(parsed) = parse::parse(&cx, input) else {
        return cx.to_compile_errors();
    };
    let (kernel, _) = validate::validate(&cx, parsed);
    // Syntax errors (reported while parsing) count too: no checks then.
    let ok = !cx.has_errors();
    let errors = cx.to_compile_errors();
    let expansion = expand::expand(&kernel, ok);
    quote!(#errors #expansion)
}
