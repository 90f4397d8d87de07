//! `#[device]`: the hidden module whose `__vyre_inline` appends the
//! function's body to a caller's IR.

use proc_macro2::TokenStream;
use quote::quote;
use vyre_lang::ScalarType;

use super::{allow_attrs, cfg_attrs, expand_fn, FnMacro, Head};
use crate::codegen::{Gen, Mode};
use crate::ctxt::Ctxt;
use crate::ir_tokens::IrTokens;
use crate::lower::Lowered;
use crate::sig::{parse_device_attr, FnKind, ParamKind, Sig};

/// Expands `#[device(attr)] item`.
pub(crate) fn expand_device(attr: TokenStream, item: TokenStream) -> TokenStream {
    let cx = Ctxt::new();
    parse_device_attr(&cx, attr);
    expand_fn(&cx, item, &Device)
}

/// `#[device]`.
struct Device;

impl FnMacro for Device {
    const KIND: FnKind = FnKind::Device;

    fn module(&self, head: &Head<'_>, sig: &Sig, body: Option<TokenStream>) -> TokenStream {
        device_module(head, sig, body)
    }

    fn builder_body(&self, cx: &Ctxt, sig: &Sig, name: &str, lowered: Lowered) -> TokenStream {
        inline_body(cx, sig, name, lowered)
    }
}

/// The body of `__vyre_inline`.
fn inline_body(cx: &Ctxt, sig: &Sig, name: &str, lowered: Lowered) -> TokenStream {
    let soft = cx.soft_messages();
    if !soft.is_empty() {
        return crate::fallback::untranslatable(FnKind::Device, &soft);
    }
    let mut gen = Gen::new(
        &lowered.types,
        Mode::Device,
        &lowered.locals,
        &lowered.structs,
    );
    let ret = lowered.ret;
    let ret_struct = lowered.ret_struct;
    let (body, ret_local) = gen.device_body(lowered.body, ret);
    let locals = gen.local_decls();
    let n = sig.params.len();
    let arg_vars: Vec<syn::Ident> = (0..n).map(|i| quote::format_ident!("__a{}", i)).collect();
    let mut binds = Vec::new();
    let mut scalar_index = 0usize;
    let mut buf_index = 0usize;
    let mut struct_index = 0usize;
    for (p, var) in sig.params.iter().zip(&arg_vars) {
        let pname = &p.name;
        match p.kind {
            ParamKind::Ctx => binds.push(quote!(#var.ctx(#name, #pname)?;)),
            ParamKind::Buffer { .. } => {
                let bv = Gen::buf_var(buf_index);
                binds.push(quote!(let #bv: ::vyre::ir::BufferId = #var.buffer(#name, #pname)?;));
                buf_index += 1;
            }
            ParamKind::Scalar(_) => {
                let k = scalar_index as u32;
                binds.push(quote! {
                    __blk.push(::vyre::ir::Stmt::Let {
                        local: ::vyre::ir::LocalId(__base + #k),
                        value: #var.scalar(#name, #pname)?,
                    });
                });
                scalar_index += 1;
            }
            ParamKind::Struct => {
                let sv = Gen::struct_param_var(struct_index);
                binds.push(quote!(let #sv: ::vyre::host::__private::StructLocal = #var.structure(#name, #pname)?;));
                struct_index += 1;
            }
            ParamKind::Invalid => {}
        }
    }
    let result = match (ret_local, ret_struct) {
        (Some(r), _) => {
            let k = r as u32;
            quote!(::vyre::host::__private::DeviceValue::Scalar(::vyre::ir::Expr::Local(::vyre::ir::LocalId(__base + #k))))
        }
        (None, Some(s)) => {
            let v = Gen::struct_var(s);
            quote!(::vyre::host::__private::DeviceValue::Struct(#v))
        }
        (None, None) => quote!(::vyre::host::__private::DeviceValue::Unit),
    };
    quote! {
        __cx.enter(::core::module_path!())?;
        let [#(#arg_vars),*] = ::vyre::host::__private::device_args::<#n>(#name, __args)?;
        let __base: u32 = __cx.alloc(::std::vec![#(#locals),*]);
        #(#binds)*
        #(#body)*
        __cx.leave();
        ::core::result::Result::Ok(#result)
    }
}

/// The hidden module next to a `#[device]` function: its parameter and
/// return types, and `__vyre_inline` with `body` (`None`: rejected).
fn device_module(head: &Head<'_>, sig: &Sig, body: Option<TokenStream>) -> TokenStream {
    let Head { ident, vis, attrs } = *head;
    let cfgs = cfg_attrs(attrs);
    let allow = allow_attrs();
    let params = sig.params.iter().map(|p| match p.kind {
        ParamKind::Scalar(s) => s.ir_tokens(),
        _ => ScalarType::U32.ir_tokens(),
    });
    let ret = sig.ret.unwrap_or(ScalarType::U32).ir_tokens();
    let body = body.unwrap_or_else(|| crate::fallback::rejected_builder(FnKind::Device));
    quote! {
        #[doc(hidden)]
        #allow
        #(#cfgs)*
        #vis mod #ident {
            use super::*;

            /// Parameter types (`u32` for the context and buffers).
            pub const __VYRE_PARAMS: &[::vyre::ir::ScalarType] = &[#(#params),*];
            /// Return type (`u32` when there is none).
            pub const __VYRE_RET: ::vyre::ir::ScalarType = #ret;

            /// Appends the function's body to `__blk`, its parameters bound
            /// to `__args`; returns its value.
            pub fn __vyre_inline(
                __cx: &mut ::vyre::host::__private::Inliner,
                __blk: &mut ::std::vec::Vec<::vyre::ir::Stmt>,
                __args: ::std::vec::Vec<::vyre::host::__private::DeviceArg>,
            ) -> ::core::result::Result<::vyre::host::__private::DeviceValue, ::vyre::host::HandlerError> {
                #body
            }
        }
    }
}
