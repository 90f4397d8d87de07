//! `#[derive(Element)]`: a `#[repr(C)]` struct as a buffer element.
//!
//! Parse → validate → expand, as the other macros: every field's type is
//! classified (a scalar, a fixed-size array, another `Element` struct) or
//! rejected on its own tokens, all errors at once. The expansion writes the
//! struct's [`StructLayout`](vyre_lang::StructLayout) from Rust's own
//! `repr(C)` layout (`offset_of!`, `size_of`), `const` assertions that the
//! layout has no padding (each on the field it is about), and bytemuck's
//! `Zeroable` and `Pod`, sound because of those checks: `repr(C)`, no
//! padding, every field itself `Pod`.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;

use crate::ctxt::Ctxt;

/// What a field holds.
enum FieldKind<'a> {
    /// A scalar or another `Element` struct: its type.
    One(&'a syn::Type),
    /// `[T; N]`: the element type and the length.
    Array(&'a syn::Type, &'a syn::Expr),
}

/// Why a type cannot be a field of a GPU struct, if it cannot.
fn rejection(ty: &syn::Type) -> Option<String> {
    let name = match ty {
        syn::Type::Path(p) if p.qself.is_none() => p.path.segments.last()?.ident.to_string(),
        syn::Type::Reference(_) | syn::Type::Ptr(_) => {
            return Some("references and pointers do not exist on the GPU; store the value, or an index into another buffer".into())
        }
        syn::Type::Tuple(_) => {
            return Some("tuples have no defined layout; use a nested `#[derive(Element)]` struct or separate fields".into())
        }
        syn::Type::Slice(_) => return Some("a slice has no fixed size; use an array `[T; N]`".into()),
        _ => return Some("this type cannot be a field of a GPU struct; fields are `u32`, `i32`, `f32`, `u64`, `i64`, arrays of those, or `#[derive(Element)]` structs".into()),
    };
    let msg = match name.as_str() {
        "bool" => "`bool` has no defined GPU layout (WGSL storage cannot hold it); use a `u32` holding 0 or 1",
        "u8" | "i8" | "u16" | "i16" => "the GPU works on 32-bit words; use `u32`/`i32` and pack the small values",
        "usize" | "isize" => "`usize` has no fixed size on the GPU; use `u32` or `u64`",
        "f64" => "the GPU has no 64-bit floats; use `f32`",
        "u128" | "i128" => "the GPU's widest integers are 64-bit; use two `u64` fields",
        "char" | "String" | "str" => "strings and characters do not exist on the GPU; store `u32` codes",
        "Vec" | "Box" | "Option" | "Rc" | "Arc" | "Cell" | "RefCell" => {
            "a GPU struct holds plain data only (no heap, no `Option`, no interior mutability)"
        }
        _ => return None,
    };
    Some(format!("`{name}`: {msg}"))
}

/// The field's kind, or an error on its type.
fn classify<'a>(cx: &Ctxt, ty: &'a syn::Type) -> Option<FieldKind<'a>> {
    match ty {
        syn::Type::Array(a) => {
            if let syn::Type::Array(_) = &*a.elem {
                cx.error(&a.elem, "nested arrays are not supported; use a flat array `[T; N * M]` or an array of `#[derive(Element)]` structs");
                return None;
            }
            if let Some(msg) = rejection(&a.elem) {
                cx.error(&a.elem, msg);
                return None;
            }
            Some(FieldKind::Array(&a.elem, &a.len))
        }
        syn::Type::Paren(p) => classify(cx, &p.elem),
        syn::Type::Group(g) => classify(cx, &g.elem),
        other => match rejection(other) {
            Some(msg) => {
                cx.error(other, msg);
                None
            }
            None => Some(FieldKind::One(other)),
        },
    }
}

/// Whether the item says `#[repr(C)]` (and nothing that changes it:
/// `packed` or `align`).
fn check_repr(cx: &Ctxt, input: &syn::DeriveInput) {
    let mut c = false;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("repr")) {
        let _ = attr.parse_nested_meta(|m| {
            if m.path.is_ident("C") {
                c = true;
            } else if m.path.is_ident("packed") || m.path.is_ident("align") {
                cx.error(
                    &m.path,
                    "`packed` and `align` change the layout the GPU reads; use plain `#[repr(C)]`",
                );
            }
            Ok(())
        });
    }
    if !c {
        cx.error(
            &input.ident,
            "a buffer element needs a defined layout: add `#[repr(C)]` to the struct",
        );
    }
}

/// Expands `#[derive(Element)]`.
pub(crate) fn derive(input: TokenStream) -> TokenStream {
    let cx = Ctxt::new();
    let input: syn::DeriveInput = match syn::parse2(input) {
        Ok(i) => i,
        Err(e) => return e.to_compile_error(),
    };
    let fields = match &input.data {
        syn::Data::Struct(s) => match &s.fields {
            syn::Fields::Named(n) if !n.named.is_empty() => Some(&n.named),
            syn::Fields::Named(n) => {
                cx.error(n, "a struct with no fields has nothing to store");
                None
            }
            syn::Fields::Unnamed(u) => {
                cx.error(u, "give the fields names (`struct P { x: f32, y: f32 }`): handlers reach them by name");
                None
            }
            syn::Fields::Unit => {
                cx.error(&input.ident, "a unit struct has nothing to store");
                None
            }
        },
        syn::Data::Enum(e) => {
            cx.error(
                e.enum_token,
                "enums have no GPU layout; use a `u32` tag and a `#[derive(Element)]` struct",
            );
            None
        }
        syn::Data::Union(u) => {
            cx.error(
                u.union_token,
                "unions are not buffer elements; use a `#[derive(Element)]` struct",
            );
            None
        }
    };
    if !input.generics.params.is_empty() || input.generics.where_clause.is_some() {
        cx.error(
            &input.generics,
            "a buffer element has one layout: generic parameters are not supported",
        );
    }
    check_repr(&cx, &input);
    let kinds: Vec<(&syn::Field, FieldKind)> = fields
        .into_iter()
        .flatten()
        .filter_map(|f| classify(&cx, &f.ty).map(|k| (f, k)))
        .collect();
    if cx.has_errors() {
        return cx.to_compile_errors();
    }
    expand(&input.ident, &kinds)
}

/// The layout, its checks and the trait impls.
fn expand(name: &syn::Ident, fields: &[(&syn::Field, FieldKind<'_>)]) -> TokenStream {
    let text = name.to_string();
    let mut layouts = Vec::new();
    let mut checks = Vec::new();
    let mut end = quote!(0usize);
    for (f, kind) in fields {
        let Some(ident) = &f.ident else { continue };
        let fname = ident.to_string();
        let span = f.ty.span();
        let (elem, len) = match kind {
            FieldKind::One(t) => (*t, quote!(::core::option::Option::None)),
            FieldKind::Array(t, n) => (*t, quote!(::core::option::Option::Some((#n) as u32))),
        };
        let ty = &f.ty;
        let offset = quote!(::core::mem::offset_of!(#name, #ident));
        layouts.push(quote! {
            ::vyre::ir::FieldLayout {
                name: #fname,
                word: (#offset / 4) as u32,
                ty: <#elem as ::vyre::Element>::LAYOUT,
                len: #len,
            }
        });
        let msg = format!("`{text}` has padding before field `{fname}`: the GPU reads the struct without padding; reorder the fields (64-bit ones first) or add an explicit `u32` padding field");
        checks.push(quote_spanned! {span=>
            ::core::assert!(#offset == #end, #msg);
        });
        end = quote!(#offset + ::core::mem::size_of::<#ty>());
    }
    let tail = format!("`{text}` has padding after its last field: the GPU reads the struct without padding; add an explicit `u32` padding field or reorder the fields");
    let name_span = name.span();
    checks.push(quote_spanned! {name_span=>
        ::core::assert!(::core::mem::size_of::<#name>() == #end, #tail);
    });
    let bytemuck = quote!(::vyre::host::__private::bytemuck);
    let name_tokens = name.to_token_stream();
    quote! {
        const _: () = {
            #(#checks)*
        };
        // SAFETY: `#[repr(C)]` (checked by the derive), no padding (the
        // assertions above, evaluated at compile time), and every field is
        // an `Element` or an array of one, which are `Pod`.
        unsafe impl #bytemuck::Zeroable for #name_tokens {}
        // SAFETY: as for `Zeroable`; `Pod` also needs `Copy + 'static`,
        // which rustc checks.
        unsafe impl #bytemuck::Pod for #name_tokens {}
        impl ::vyre::Element for #name_tokens {
            const LAYOUT: ::vyre::ir::Layout = ::vyre::ir::Layout::Struct(&::vyre::ir::StructLayout {
                name: #text,
                words: (::core::mem::size_of::<#name_tokens>() / 4) as u32,
                fields: &[#(#layouts),*],
            });
        }
    }
}
