//! Literals of a final type as `Expr::Lit` tokens (and the zero a value
//! local starts with).

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::Gen;
use crate::hir::*;
use crate::types::Final;

impl Gen<'_> {
    /// The zero of `ty`: the first value of a local assigned later.
    pub(super) fn zero(&self, ty: Final) -> TokenStream {
        match ty {
            Final::S(ScalarType::Bool) => {
                quote!(::vyre::ir::Expr::Lit(::vyre::ir::Literal::Bool(false)))
            }
            Final::Dyn(_) => {
                let t = self.types.tokens(ty);
                quote!(::vyre::ir::Expr::Lit(::vyre::host::__private::zero(#t)))
            }
            _ => self.lit(LitVal::Int(0), ty),
        }
    }

    /// A literal of type `ty`.
    pub(super) fn lit(&self, v: LitVal, ty: Final) -> TokenStream {
        if let LitVal::Bool(b) = v {
            return quote!(::vyre::ir::Expr::Lit(::vyre::ir::Literal::Bool(#b)));
        }
        let lit = match ty {
            Final::S(ScalarType::U32) | Final::Prio | Final::Err | Final::Unit | Final::Never => {
                let n = match v {
                    LitVal::Int(n) => n as u32,
                    LitVal::Float(x) => x as u32,
                    LitVal::Bool(b) => u32::from(b),
                };
                let l = Literal::u32_suffixed(n);
                quote!(::vyre::ir::Literal::U32(#l))
            }
            Final::S(ScalarType::I32) => {
                let n = match v {
                    LitVal::Int(n) => n as i32,
                    LitVal::Float(x) => x as i32,
                    LitVal::Bool(b) => i32::from(b),
                };
                let t = i32_tokens(n);
                quote!(::vyre::ir::Literal::I32(#t))
            }
            Final::S(ScalarType::U64) => {
                let n = match v {
                    LitVal::Int(n) => n as u64,
                    LitVal::Float(x) => x as u64,
                    LitVal::Bool(b) => u64::from(b),
                };
                let l = Literal::u64_suffixed(n);
                quote!(::vyre::ir::Literal::U64(#l))
            }
            Final::S(ScalarType::I64) => {
                let n = match v {
                    LitVal::Int(n) => n as i64,
                    LitVal::Float(x) => x as i64,
                    LitVal::Bool(b) => i64::from(b),
                };
                let t = if n == i64::MIN {
                    quote!(::core::primitive::i64::MIN)
                } else {
                    let l = Literal::i64_suffixed(n);
                    quote!(#l)
                };
                quote!(::vyre::ir::Literal::I64(#t))
            }
            Final::S(ScalarType::F32) | Final::UnresolvedFloat => {
                let x = match v {
                    LitVal::Int(n) => n as f32,
                    LitVal::Float(x) => x,
                    LitVal::Bool(b) => f32::from(u8::from(b)),
                };
                let t = f32_tokens(x);
                quote!(::vyre::ir::Literal::F32(#t))
            }
            Final::S(ScalarType::Bool) => {
                let b = !matches!(v, LitVal::Int(0));
                quote!(::vyre::ir::Literal::Bool(#b))
            }
            Final::Dyn(_) => {
                let t = self.types.tokens(ty);
                match v {
                    LitVal::Int(n) => match i64::try_from(n) {
                        Ok(n) => quote!(::vyre::host::__private::int_lit(#t, #n)),
                        // Above i64::MAX: only a u64 holds it.
                        Err(_) => {
                            let n = n as u64;
                            quote!(::vyre::host::__private::wide_lit(#t, #n))
                        }
                    },
                    LitVal::Float(x) => {
                        let x = f32_tokens(x);
                        quote!(::vyre::host::__private::float_lit(#t, #x))
                    }
                    LitVal::Bool(b) => quote!(::vyre::ir::Literal::Bool(#b)),
                }
            }
        };
        quote!(::vyre::ir::Expr::Lit(#lit))
    }
}

/// A `u32`-suffixed literal (ids and indices fit; larger saturate).
pub(super) fn u32_lit(v: usize) -> Literal {
    Literal::u32_suffixed(v.min(u32::MAX as usize) as u32)
}

/// An `f32` value; non-finite ones through their bits, which have no
/// literal.
fn f32_tokens(v: f32) -> TokenStream {
    if v.is_finite() {
        let lit = Literal::f32_suffixed(v);
        quote!(#lit)
    } else {
        let bits = Literal::u32_suffixed(v.to_bits());
        quote!(::core::primitive::f32::from_bits(#bits))
    }
}

/// An `i32` value; `i32::MIN` by name, as its literal would overflow.
fn i32_tokens(v: i32) -> TokenStream {
    if v == i32::MIN {
        quote!(::core::primitive::i32::MIN)
    } else {
        let lit = Literal::i32_suffixed(v);
        quote!(#lit)
    }
}
