//! The signature of a handler or device function: which parameters are
//! the context, buffers and scalars, and everything a signature may not
//! have. The attribute's arguments are parsed in `attr`, the questions
//! about a parameter's type (and why a type has no GPU form) in `ty`.

mod attr;
mod ty;

use quote::ToTokens;
use vyre_lang::limits::MAX_ARGS;
use vyre_lang::{Access, ScalarType};

use crate::ctxt::Ctxt;
pub(crate) use attr::{parse_device_attr, parse_opcode_attr, IdSpec};
pub(crate) use ty::{is_priority, scalar_of, type_rejection};
use ty::{last_segment, single_type_arg};

/// What one parameter is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ParamKind {
    Ctx,
    Buffer {
        elem: ScalarType,
        access: Access,
    },
    Scalar(ScalarType),
    /// A `#[derive(Element)]` struct by value (`#[device]` functions only;
    /// the type is the parameter's `structure`).
    Struct,
    /// Rejected (already reported).
    Invalid,
}

/// One parameter.
#[derive(Clone)]
pub(crate) struct Param {
    pub(crate) ident: syn::Ident,
    /// The name without `r#`.
    pub(crate) name: String,
    pub(crate) mutable: bool,
    pub(crate) kind: ParamKind,
    /// A buffer of `#[derive(Element)]` structs: the struct's type (the
    /// kind is then a `u32` buffer, the words the structs are stored as).
    pub(crate) structure: Option<syn::Type>,
}

/// A parsed signature.
pub(crate) struct Sig {
    pub(crate) params: Vec<Param>,
    /// `-> T` of a device function, a scalar.
    pub(crate) ret: Option<ScalarType>,
    /// `-> T` of a device function, a `#[derive(Element)]` struct.
    pub(crate) ret_struct: Option<syn::Type>,
    /// No problem in the signature.
    pub(crate) ok: bool,
}

impl Sig {
    pub(crate) fn scalars(&self) -> impl Iterator<Item = (&Param, ScalarType)> {
        self.params.iter().filter_map(|p| match p.kind {
            ParamKind::Scalar(s) => Some((p, s)),
            _ => None,
        })
    }

    pub(crate) fn buffers(&self) -> impl Iterator<Item = (&Param, ScalarType, Access)> {
        self.params.iter().filter_map(|p| match p.kind {
            ParamKind::Buffer { elem, access } => Some((p, elem, access)),
            _ => None,
        })
    }
}

/// `#[opcode]` or `#[device]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FnKind {
    Opcode,
    Device,
}

impl FnKind {
    fn what(self) -> &'static str {
        match self {
            FnKind::Opcode => "an #[opcode] handler",
            FnKind::Device => "a #[device] function",
        }
    }
}

/// The name of an identifier without `r#`.
pub(crate) fn ident_name(ident: &syn::Ident) -> String {
    let s = ident.to_string();
    match s.strip_prefix("r#") {
        Some(rest) => rest.to_string(),
        None => s,
    }
}

/// Parses a signature, reporting every problem.
pub(crate) fn parse_signature(cx: &Ctxt, sig: &syn::Signature, kind: FnKind) -> Sig {
    let before = cx.error_count();
    let what = kind.what();
    if let Some(t) = &sig.constness {
        cx.error(
            t,
            format!(
                "{what} cannot be `const`: it runs on the GPU, not at compile time; remove `const`"
            ),
        );
    }
    if let Some(t) = &sig.asyncness {
        cx.error(t, format!("{what} cannot be `async`: GPU lanes cannot suspend; remove `async` (spawn a task to continue later)"));
    }
    if let Some(t) = &sig.unsafety {
        cx.error(t, format!("{what} cannot be `unsafe`: the GPU program is memory-safe by construction (every index is checked); remove `unsafe`"));
    }
    if let Some(abi) = &sig.abi {
        cx.error(
            abi,
            format!("{what} cannot have an ABI: it is compiled to WGSL; remove `extern`"),
        );
    }
    if !sig.generics.params.is_empty() {
        cx.error(&sig.generics, format!("{what} cannot be generic: the GPU program is built once, with concrete types; use `u32`, `i32`, `f32` or `bool`"));
    } else if let Some(w) = &sig.generics.where_clause {
        cx.error(
            w,
            format!("{what} cannot have a `where` clause: it has no generic parameters"),
        );
    }
    if let Some(v) = &sig.variadic {
        cx.error(v, format!("{what} cannot be variadic"));
    }
    let mut ret = None;
    let mut ret_struct = None;
    match (&sig.output, kind) {
        (syn::ReturnType::Default, _) => {}
        (syn::ReturnType::Type(_, ty), FnKind::Opcode) => {
            let unit = matches!(&**ty, syn::Type::Tuple(t) if t.elems.is_empty());
            if !unit {
                cx.error(&sig.output, "an #[opcode] handler returns nothing: a task has no caller to return to; store results in a `&mut Buffer<T>` or pass them on with `ctx.spawn`");
            }
        }
        (syn::ReturnType::Type(_, ty), FnKind::Device) => {
            if scalar_free_generic(ty, &sig.generics) {
                // Reported with the generics.
            } else if let Some(s) = scalar_of(ty) {
                ret = Some(s);
            } else if !matches!(&**ty, syn::Type::Tuple(t) if t.elems.is_empty()) {
                let rejected = type_rejection(ty);
                if rejected.contains("is not a GPU type") {
                    // A user type: a `#[derive(Element)]` struct (rustc
                    // checks the derive through `Element::LAYOUT`).
                    ret_struct = Some((**ty).clone());
                } else {
                    cx.error(
                        ty,
                        format!(
                            "a #[device] function returns a scalar, a struct or nothing: {rejected}"
                        ),
                    );
                }
            }
        }
    }

    let mut params = Vec::new();
    let mut scalar_count = 0usize;
    for (i, arg) in sig.inputs.iter().enumerate() {
        let pat_ty = match arg {
            syn::FnArg::Receiver(r) => {
                cx.error(r, format!("{what} cannot take `self`: it must be a free function (methods have no GPU form); move it out of the `impl` block"));
                continue;
            }
            syn::FnArg::Typed(p) => p,
        };
        let (ident, mutable) = match &*pat_ty.pat {
            syn::Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => {
                (pi.ident.clone(), pi.mutability.is_some())
            }
            syn::Pat::Wild(_) => {
                cx.error(&pat_ty.pat, "give this parameter a name: parameters bind task arguments and buffers by name (prefix it with `_` if it is unused)");
                continue;
            }
            other => {
                cx.error(other, "parameters must be plain names (`x: u32`): patterns cannot be lowered to the GPU");
                continue;
            }
        };
        let name = ident_name(&ident);
        // The generic parameters are reported once, above.
        let generic = scalar_free_generic(&pat_ty.ty, &sig.generics);
        let pkind = if generic {
            ParamKind::Invalid
        } else {
            classify_param(cx, &pat_ty.ty, i, what, kind)
        };
        if let ParamKind::Scalar(_) = pkind {
            scalar_count += 1;
            if kind == FnKind::Opcode && scalar_count == MAX_ARGS + 1 {
                cx.error(
                    pat_ty,
                    format!("too many scalar arguments: a task carries at most {MAX_ARGS} in its ring slot, and this is argument {scalar_count}; pass the rest through a buffer"),
                );
            }
        }
        let structure = match pkind {
            ParamKind::Buffer { .. } => struct_elem(&pat_ty.ty),
            ParamKind::Struct => Some((*pat_ty.ty).clone()),
            _ => None,
        };
        params.push(Param {
            ident,
            name,
            mutable,
            kind: pkind,
            structure,
        });
    }
    // `ctx` comes first.
    for (i, p) in params.iter().enumerate() {
        if p.kind == ParamKind::Ctx && i != 0 {
            let first_ctx = params.iter().position(|q| q.kind == ParamKind::Ctx) == Some(i);
            if first_ctx {
                cx.error(
                    &p.ident,
                    format!("`{}: &Ctx` must be the first parameter", p.name),
                );
            } else {
                cx.error(&p.ident, "only one `&Ctx` parameter is allowed");
            }
        }
    }
    Sig {
        params,
        ret,
        ret_struct,
        ok: cx.error_count() == before,
    }
}

/// Whether the type names one of the function's generic parameters.
fn scalar_free_generic(ty: &syn::Type, generics: &syn::Generics) -> bool {
    let mut found = false;
    let names: Vec<String> = generics
        .type_params()
        .map(|p| p.ident.to_string())
        .collect();
    if names.is_empty() {
        return false;
    }
    let tokens = ty.to_token_stream();
    fn walk(ts: proc_macro2::TokenStream, names: &[String], found: &mut bool) {
        for t in ts {
            match t {
                proc_macro2::TokenTree::Ident(i) if names.contains(&i.to_string()) => *found = true,
                proc_macro2::TokenTree::Group(g) => walk(g.stream(), names, found),
                _ => {}
            }
        }
    }
    walk(tokens, &names, &mut found);
    found
}

/// The struct type `T` of a `&Buffer<T>` / `&mut Buffer<T>` parameter
/// whose `T` is not a scalar (nor `Atomic<…>`).
fn struct_elem(ty: &syn::Type) -> Option<syn::Type> {
    let syn::Type::Reference(r) = ty else {
        return None;
    };
    let seg = last_segment(&r.elem).filter(|s| s.ident == "Buffer")?;
    let elem = single_type_arg(seg)?;
    if scalar_of(elem).is_some() || last_segment(elem).is_some_and(|s| s.ident == "Atomic") {
        return None;
    }
    Some(elem.clone())
}

fn classify_param(cx: &Ctxt, ty: &syn::Type, _index: usize, what: &str, kind: FnKind) -> ParamKind {
    match ty {
        syn::Type::Reference(r) => {
            let inner = &*r.elem;
            let Some(seg) = last_segment(inner) else {
                cx.error(ty, type_rejection(ty));
                return ParamKind::Invalid;
            };
            let mutable = r.mutability.is_some();
            if seg.ident == "Ctx" {
                if mutable {
                    cx.error(ty, "take the context by shared reference: `ctx: &Ctx`");
                    return ParamKind::Invalid;
                }
                return ParamKind::Ctx;
            }
            if seg.ident == "Buffer" {
                let Some(elem_ty) = single_type_arg(seg) else {
                    cx.error(ty, "write the element type: `&Buffer<u32>`, `&Buffer<i32>`, `&Buffer<f32>` or `&Buffer<Atomic<u32>>`");
                    return ParamKind::Invalid;
                };
                if let Some(aseg) = last_segment(elem_ty).filter(|s| s.ident == "Atomic") {
                    let elem = single_type_arg(aseg).and_then(scalar_of);
                    return match elem {
                        Some(e @ (ScalarType::U32 | ScalarType::I32)) => {
                            if mutable {
                                cx.error(ty, format!("take atomic buffers by shared reference: `&Buffer<Atomic<{}>>` (atomic methods need no `&mut`)", e.rust_name()));
                                ParamKind::Invalid
                            } else {
                                ParamKind::Buffer {
                                    elem: e,
                                    access: Access::Atomic,
                                }
                            }
                        }
                        Some(wide @ (ScalarType::U64 | ScalarType::I64)) => {
                            cx.error(elem_ty, format!("`Atomic<{wide}>` is not supported: GPU atomics hold `u32` or `i32` (WGSL has 32-bit atomics only); keep a 64-bit counter in two `Atomic<u32>` words, or use `&mut Buffer<{wide}>` written by one task at a time"));
                            ParamKind::Invalid
                        }
                        Some(other) => {
                            cx.error(elem_ty, format!("`Atomic<{}>` does not exist: GPU atomics hold `u32` or `i32` (WGSL's atomic<u32>/atomic<i32>)", other.rust_name()));
                            ParamKind::Invalid
                        }
                        None => {
                            cx.error(
                                elem_ty,
                                "atomic buffers hold `Atomic<u32>` or `Atomic<i32>`",
                            );
                            ParamKind::Invalid
                        }
                    };
                }
                return match scalar_of(elem_ty) {
                    Some(ScalarType::Bool) => {
                        cx.error(elem_ty, "buffers hold `u32`, `i32`, `f32`, `u64` or `i64`: WGSL storage buffers cannot hold `bool`; store 0/1 in a `Buffer<u32>`");
                        ParamKind::Invalid
                    }
                    Some(elem) => ParamKind::Buffer {
                        elem,
                        access: if mutable {
                            Access::ReadWrite
                        } else {
                            Access::Read
                        },
                    },
                    None => {
                        let rejected = type_rejection(elem_ty);
                        if rejected.contains("is not a GPU type") {
                            // A user type: a `#[derive(Element)]` struct
                            // (rustc checks that it is one, and that a
                            // `#[device]` caller passes a buffer of it).
                            return ParamKind::Buffer {
                                elem: ScalarType::U32,
                                access: if mutable {
                                    Access::ReadWrite
                                } else {
                                    Access::Read
                                },
                            };
                        }
                        cx.error(
                            elem_ty,
                            format!("buffers hold `u32`, `i32`, `f32`, `u64` or `i64`: {rejected}"),
                        );
                        ParamKind::Invalid
                    }
                };
            }
            if scalar_of(inner).is_some() {
                cx.error(ty, format!("take scalars by value (`x: {}`): references exist only as buffer parameters and `ctx: &Ctx`", inner.to_token_stream()));
                return ParamKind::Invalid;
            }
            cx.error(ty, type_rejection(ty));
            ParamKind::Invalid
        }
        _ => {
            if let Some(s) = scalar_of(ty) {
                return ParamKind::Scalar(s);
            }
            if let Some(seg) = last_segment(ty) {
                if seg.ident == "Buffer" || seg.ident == "Ctx" {
                    let form = if seg.ident == "Ctx" {
                        "`ctx: &Ctx`"
                    } else {
                        "`&Buffer<T>` or `&mut Buffer<T>`"
                    };
                    cx.error(ty, format!("take it by reference: {form}"));
                    return ParamKind::Invalid;
                }
            }
            if is_priority(ty) {
                let msg = match kind {
                    FnKind::Opcode => "task arguments are `u32`, `i32`, `f32` or `bool`; pass a priority as `u32` (`p as u32`)",
                    FnKind::Device => "#[device] parameters are `u32`, `i32`, `f32` or `bool`; pass a priority as `u32` (`p as u32`)",
                };
                cx.error(ty, msg);
                return ParamKind::Invalid;
            }
            let _ = what;
            let rejected = type_rejection(ty);
            if rejected.contains("is not a GPU type") {
                // A user type: a `#[derive(Element)]` struct (rustc checks).
                return match kind {
                    FnKind::Device => ParamKind::Struct,
                    FnKind::Opcode => {
                        cx.error(ty, "a task argument is a scalar: pass the struct through a struct buffer (`&Buffer<T>`) and its index");
                        ParamKind::Invalid
                    }
                };
            }
            cx.error(ty, rejected);
            ParamKind::Invalid
        }
    }
}
