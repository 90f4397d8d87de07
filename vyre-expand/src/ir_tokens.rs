//! The language's vocabulary (`vyre_lang`) as the paths the generated code
//! names: `::vyre::ir::ScalarType::U32`, `::vyre::ir::Intrinsic::Sqrt`, …
//! (vyre re-exports vyre-lang's types under `vyre::ir`, so the variant
//! the macro sees is the variant the generated code builds).
//!
//! This is the one place that knows how a variant is spelled in Rust
//! source: the enums named by a method or type name (`ScalarType`,
//! `Intrinsic`, `AtomicOp`, `CtxValue`) spell their variants as the
//! CamelCase of that name (`rotate_left` → `RotateLeft`, `u32` → `U32`),
//! which a test checks for every variant; the operators and accesses,
//! named by symbols, have a table here.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use vyre_lang::{Access, AtomicOp, BinOp, CtxValue, Intrinsic, ScalarType, UnOp};

/// A value of the vocabulary as the path of its variant under `::vyre::ir`.
pub(crate) trait IrTokens {
    /// `::vyre::ir::Enum::Variant`.
    fn ir_tokens(self) -> TokenStream;
}

/// The CamelCase of a snake_case Rust name: the variant's name.
fn camel_case(rust_name: &str) -> String {
    rust_name
        .split('_')
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

fn variant(rust_name: &str) -> syn::Ident {
    syn::Ident::new(&camel_case(rust_name), Span::call_site())
}

impl IrTokens for ScalarType {
    fn ir_tokens(self) -> TokenStream {
        let v = variant(self.rust_name());
        quote!(::vyre::ir::ScalarType::#v)
    }
}

impl IrTokens for Intrinsic {
    fn ir_tokens(self) -> TokenStream {
        let v = variant(self.method_name());
        quote!(::vyre::ir::Intrinsic::#v)
    }
}

impl IrTokens for AtomicOp {
    fn ir_tokens(self) -> TokenStream {
        let v = variant(self.method_name());
        quote!(::vyre::ir::AtomicOp::#v)
    }
}

impl IrTokens for CtxValue {
    fn ir_tokens(self) -> TokenStream {
        let v = variant(self.method_name());
        quote!(::vyre::ir::CtxValue::#v)
    }
}

impl IrTokens for Access {
    fn ir_tokens(self) -> TokenStream {
        match self {
            Access::Read => quote!(::vyre::ir::Access::Read),
            Access::ReadWrite => quote!(::vyre::ir::Access::ReadWrite),
            Access::Atomic => quote!(::vyre::ir::Access::Atomic),
        }
    }
}

impl IrTokens for UnOp {
    fn ir_tokens(self) -> TokenStream {
        match self {
            UnOp::Neg => quote!(::vyre::ir::UnOp::Neg),
            UnOp::Not => quote!(::vyre::ir::UnOp::Not),
        }
    }
}

impl IrTokens for BinOp {
    fn ir_tokens(self) -> TokenStream {
        let v = match self {
            BinOp::Add => "Add",
            BinOp::Sub => "Sub",
            BinOp::Mul => "Mul",
            BinOp::Div => "Div",
            BinOp::Rem => "Rem",
            BinOp::BitAnd => "BitAnd",
            BinOp::BitOr => "BitOr",
            BinOp::BitXor => "BitXor",
            BinOp::Shl => "Shl",
            BinOp::Shr => "Shr",
            BinOp::Eq => "Eq",
            BinOp::Ne => "Ne",
            BinOp::Lt => "Lt",
            BinOp::Le => "Le",
            BinOp::Gt => "Gt",
            BinOp::Ge => "Ge",
            BinOp::And => "And",
            BinOp::Or => "Or",
        };
        let v = syn::Ident::new(v, Span::call_site());
        quote!(::vyre::ir::BinOp::#v)
    }
}

/// `::core::primitive::u32` (…) for a scalar, spanned at `span` so that
/// rustc's messages about it point at the user's tokens.
pub(crate) fn primitive_type(s: ScalarType, span: Span) -> TokenStream {
    let ident = syn::Ident::new(s.rust_name(), span);
    quote!(::core::primitive::#ident)
}

/// The word offset of each of `types` packed as a task's slot holds
/// arguments (`u64` and `i64` take two words), and the words of all.
pub(crate) fn word_offsets(types: impl IntoIterator<Item = ScalarType>) -> (Vec<usize>, usize) {
    let mut at = 0;
    let offsets = types
        .into_iter()
        .map(|s| {
            let here = at;
            at += s.words() as usize;
            here
        })
        .collect();
    (offsets, at)
}

/// Statements that pack the scalar values `values` (a variable and its
/// type each) into a word array `__w` (`ArgWord::write`, as a task's slot
/// holds them), and how many words they take.
pub(crate) fn pack_words(values: &[(&syn::Ident, ScalarType)]) -> (TokenStream, usize) {
    let (offsets, words) = word_offsets(values.iter().map(|&(_, s)| s));
    let names = values.iter().map(|&(n, _)| n);
    let code = quote! {
        let mut __w = [0u32; #words + 1];
        #(::vyre::host::ArgWord::write(#names, &mut __w[#offsets..]);)*
    };
    (code, words)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The emitted path names the variant the macro means: its last
    /// segment is the variant's `Debug` name.
    fn names_variant(tokens: TokenStream, debug: String) {
        let text = tokens.to_string();
        assert!(
            text.ends_with(&format!(":: {debug}")),
            "{text} does not end in {debug}"
        );
    }

    #[test]
    fn every_variant_is_spelled_as_its_debug_name() {
        for v in ScalarType::ALL {
            names_variant(v.ir_tokens(), format!("{v:?}"));
        }
        for v in Intrinsic::ALL {
            names_variant(v.ir_tokens(), format!("{v:?}"));
        }
        for v in AtomicOp::ALL {
            names_variant(v.ir_tokens(), format!("{v:?}"));
        }
        for v in CtxValue::ALL {
            names_variant(v.ir_tokens(), format!("{v:?}"));
        }
        for v in [Access::Read, Access::ReadWrite, Access::Atomic] {
            names_variant(v.ir_tokens(), format!("{v:?}"));
        }
        for v in [UnOp::Neg, UnOp::Not] {
            names_variant(v.ir_tokens(), format!("{v:?}"));
        }
    }

    #[test]
    fn every_operator_is_spelled_as_its_debug_name() {
        use vyre_lang::BinOp::*;
        for v in [
            Add, Sub, Mul, Div, Rem, BitAnd, BitOr, BitXor, Shl, Shr, Eq, Ne, Lt, Le, Gt, Ge, And,
            Or,
        ] {
            names_variant(v.ir_tokens(), format!("{v:?}"));
        }
    }
}
