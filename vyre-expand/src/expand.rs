//! The entry points: `#[opcode]` and `#[device]` from tokens to tokens.
//!
//! Both emit the function (with loop ticks) and a module of the same name.
//! When the function is rejected, they emit every error, the function, and
//! a module with the same public items whose IR builder is
//! `unreachable!()`, so that uses of the handler elsewhere still resolve.

use proc_macro2::{Span, TokenStream};
use quote::{quote, ToTokens};
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;

use crate::codegen::{Gen, Mode};
use crate::ctxt::Ctxt;
use crate::ir_tokens::{primitive_type, IrTokens};
use crate::sig::{
    ident_name, parse_device_attr, parse_opcode_attr, parse_signature, FnKind, IdSpec, ParamKind,
    Sig,
};
use vyre_lang::{Access, ScalarType};

/// A function whose body did not parse: what precedes the body.
struct FnHead {
    attrs: Vec<syn::Attribute>,
    vis: syn::Visibility,
    sig: syn::Signature,
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

enum Parsed {
    Fn(syn::ItemFn),
    /// The body did not parse; rustc reports the syntax error on the
    /// original tokens.
    Head(FnHead),
    /// Not a function.
    Other,
}

fn parse_item(cx: &Ctxt, item: &TokenStream, kind: FnKind) -> Parsed {
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

fn has_receiver(sig: &syn::Signature) -> bool {
    sig.inputs
        .iter()
        .any(|a| matches!(a, syn::FnArg::Receiver(_)))
}

/// The `#[cfg]`s of the function, repeated on the module.
fn cfg_attrs(attrs: &[syn::Attribute]) -> Vec<&syn::Attribute> {
    attrs.iter().filter(|a| a.path().is_ident("cfg")).collect()
}

fn allow_attrs() -> TokenStream {
    quote! {
        #[allow(
            dead_code,
            unused_imports,
            unused_variables,
            unused_mut,
            unused_braces,
            unreachable_code,
            non_snake_case,
            non_upper_case_globals,
            clippy::all,
            clippy::pedantic,
            clippy::nursery
        )]
    }
}

/// Clippy suggests range patterns for `1 | 2 | 3`, which handlers cannot
/// use; silence that suggestion on the emitted function.
fn allow_range_pattern_lint(f: &mut syn::ItemFn) {
    if let Ok(attr) = syn::parse::Parser::parse2(
        syn::Attribute::parse_outer,
        quote!(#[allow(unknown_lints, clippy::manual_range_patterns)]),
    ) {
        f.attrs.extend(attr);
    }
}

// ===== #[opcode] ==========================================================

pub(crate) fn expand_opcode(attr: TokenStream, item: TokenStream) -> TokenStream {
    let cx = Ctxt::new();
    let id = parse_opcode_attr(&cx, attr);
    let f = match parse_item(&cx, &item, FnKind::Opcode) {
        Parsed::Fn(f) => f,
        Parsed::Head(h) if has_receiver(&h.sig) => {
            let errors = cx.to_compile_errors();
            return quote!(#errors #item);
        }
        Parsed::Head(h) => {
            // Keep the original tokens: rustc reports the syntax error.
            let quiet = Ctxt::new();
            let sig = parse_signature(&quiet, &h.sig, FnKind::Opcode);
            let module = opcode_module(&h.sig.ident, &h.vis, &h.attrs, &sig, &id, None);
            let errors = cx.to_compile_errors();
            return quote!(#errors #item #module);
        }
        Parsed::Other => {
            let errors = cx.to_compile_errors();
            return quote!(#errors #item);
        }
    };
    let sig = parse_signature(&cx, &f.sig, FnKind::Opcode);
    if has_receiver(&f.sig) {
        // A method: a module cannot follow it inside the `impl`.
        let errors = cx.to_compile_errors();
        return quote!(#errors #f);
    }
    let name = ident_name(&f.sig.ident);
    let mut body = None;
    if sig.ok {
        let lowered = crate::lower::lower_fn(&cx, FnKind::Opcode, &name, &sig, &f.block);
        crate::check::check(&cx, &lowered.types, &lowered.body);
        if !cx.has_errors() {
            body = Some(handler_body(&cx, lowered));
        }
    }
    let mut f = f;
    crate::ticks::insert(&mut f.block);
    allow_range_pattern_lint(&mut f);
    let module = opcode_module(&f.sig.ident, &f.vis, &f.attrs, &sig, &id, body);
    let errors = cx.to_compile_errors();
    quote!(#errors #f #module)
}

/// The body of `try_handler()`.
fn handler_body(cx: &Ctxt, lowered: crate::lower::Lowered) -> TokenStream {
    let soft = cx.soft_messages();
    if !soft.is_empty() {
        // rustc reports these on the original function; should it not,
        // building the IR says why it cannot.
        let msg = format!(
            "vyre: this handler could not be translated: {}",
            soft.join("; ")
        );
        return quote!(::core::panic!("{}", #msg));
    }
    let mut gen = Gen::new(&lowered.types, Mode::Handler, &lowered.locals);
    let body = gen.block(&lowered.body);
    let locals = gen.local_decls();
    quote! {
        let __cx: &mut ::vyre::host::__private::Inliner =
            &mut ::vyre::host::__private::Inliner::new(::std::vec![#(#locals),*]);
        let __body: ::vyre::ir::Block = #body;
        ::vyre::host::__private::finish_handler(ID, NAME, BUFFERS, ARGS.len(), __cx, __body)
    }
}

/// The module next to a handler. `body` is `try_handler`'s body, `None`
/// when the function was rejected.
fn opcode_module(
    ident: &syn::Ident,
    vis: &syn::Visibility,
    attrs: &[syn::Attribute],
    sig: &Sig,
    id: &IdSpec,
    body: Option<TokenStream>,
) -> TokenStream {
    let name = ident_name(ident);
    let cfgs = cfg_attrs(attrs);
    let allow = allow_attrs();
    let (id_value, id_check) = match id {
        IdSpec::Derived => {
            let v = crate::id::derived_id(&name);
            (quote!(#v), quote!())
        }
        IdSpec::Literal(v) => (quote!(#v), quote!()),
        IdSpec::Expr(e) => {
            let mut e = (**e).clone();
            crate::relocate::relocate_expr(&mut e);
            let check = crate::id::reserved_check(e.span());
            (quote!(#e), check)
        }
    };
    let scalars: Vec<(&crate::sig::Param, ScalarType)> = sig.scalars().collect();
    let arg_types = scalars.iter().map(|(_, s)| s.ir_tokens());
    let arg_names = scalars.iter().map(|(p, _)| p.name.as_str());
    let buffer_metas = sig.buffers().map(|(p, elem, access)| {
        let name = &p.name;
        let elem = elem.ir_tokens();
        let access = access.ir_tokens();
        quote!(::vyre::host::BufferMeta::new(#name, #elem, #access))
    });
    let doc = format!(
        "Generated by `#[opcode]` for the handler `{name}`: its id, task encoder, metadata and IR."
    );
    let try_body = match &body {
        Some(b) => b.clone(),
        None => quote!(::core::unreachable!(
            "vyre: the handler was rejected at compile time"
        )),
    };
    let (task, native) = task_and_native(ident, sig, body.is_some() || sig.ok);
    quote! {
        #[doc = #doc]
        #allow
        #(#cfgs)*
        #vis mod #ident {
            use super::*;

            /// The opcode id.
            pub const ID: u32 = #id_value;
            #id_check
            /// The handler's name (the megakernel's buffers bind by the
            /// parameter names, the handler by this one).
            pub const NAME: &str = #name;
            /// The types of the task arguments, in order.
            pub const ARGS: &[::vyre::ir::ScalarType] = &[#(#arg_types),*];
            /// The names of the task arguments, in order.
            pub const ARG_NAMES: &[&str] = &[#(#arg_names),*];
            /// The buffer parameters, in order: name, element type, access.
            pub const BUFFERS: &[::vyre::host::BufferMeta] = &[#(#buffer_metas),*];

            /// The handler as IR: id, name, buffer uses, argument types and
            /// body.
            ///
            /// # Panics
            ///
            /// When [`try_handler`] fails (recursive `#[device]` calls).
            pub fn handler() -> ::vyre::OpcodeHandler {
                ::vyre::host::__private::expect_handler(NAME, try_handler())
            }

            /// The handler as IR, or why it cannot be built.
            pub fn try_handler() -> ::core::result::Result<::vyre::OpcodeHandler, ::vyre::host::HandlerError> {
                #try_body
            }

            #task
            #native
        }
    }
}

/// `task(args…)` and `__native(…)`; with `real == false` their bodies are
/// `unreachable!()` and `task` keeps whatever parameters can be named.
fn task_and_native(ident: &syn::Ident, sig: &Sig, real: bool) -> (TokenStream, TokenStream) {
    let doc_task = "A task of this opcode with these arguments, for `publish` or `ctx.spawn`.";
    if !real {
        let params = sig.params.iter().filter_map(|p| match p.kind {
            ParamKind::Scalar(s) => {
                let name = &p.ident;
                let ty: syn::Type = syn::parse_str(s.rust_name()).ok()?;
                Some(quote!(#name: #ty))
            }
            _ => None,
        });
        let task = quote! {
            #[doc = #doc_task]
            pub fn task(#(#params),*) -> ::vyre::Task {
                ::core::unreachable!("vyre: the handler was rejected at compile time")
            }
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
        return (task, native);
    }
    let scalars: Vec<(&crate::sig::Param, ScalarType)> = sig.scalars().collect();
    let params = scalars.iter().map(|(p, s)| {
        let name = &p.ident;
        let ty = primitive_type(*s, p.ident.span());
        quote!(#name: #ty)
    });
    let names: Vec<&syn::Ident> = scalars.iter().map(|(p, _)| &p.ident).collect();
    let n = names.len();
    let task = quote! {
        #[doc = #doc_task]
        pub fn task(#(#params),*) -> ::vyre::Task {
            let __args: [::vyre::ir::Literal; #n] = [#(<::vyre::ir::Literal as ::core::convert::From<_>>::from(#names)),*];
            ::vyre::Task::new(ID, __args)
        }
    };
    let mut lets = Vec::new();
    let mut call_args = Vec::new();
    let mut buf_index = 0usize;
    let mut arg_index = 0usize;
    for p in &sig.params {
        match p.kind {
            ParamKind::Ctx => call_args.push(quote!(__ctx)),
            ParamKind::Buffer { elem, access } => {
                let var = quote::format_ident!("__b{}", buf_index);
                let elem = primitive_type(elem, Span::call_site());
                let i = buf_index;
                match access {
                    Access::Read => {
                        lets.push(quote!(let #var = __buffers.read::<#elem>(__bindings, #i);));
                        call_args.push(quote!(&*#var));
                    }
                    Access::ReadWrite => {
                        lets.push(quote!(let mut #var = __buffers.write::<#elem>(__bindings, #i);));
                        call_args.push(quote!(&mut *#var));
                    }
                    Access::Atomic => {
                        lets.push(quote!(let #var = __buffers.atomic::<#elem>(__bindings, #i);));
                        call_args.push(quote!(#var));
                    }
                }
                buf_index += 1;
            }
            ParamKind::Scalar(s) => {
                let ty = primitive_type(s, Span::call_site());
                let i = arg_index;
                call_args.push(quote!(::vyre::host::__private::arg::<#ty>(__args, #i)));
                arg_index += 1;
            }
            ParamKind::Invalid => {}
        }
    }
    let native = quote! {
        /// Runs the original function on the host for the native backend:
        /// `bindings[i]` is the program buffer of buffer parameter `i`,
        /// `args` the task's argument words.
        #[doc(hidden)]
        pub fn __native(
            __ctx: &::vyre::host::Ctx,
            __buffers: &::vyre::host::HostBuffers,
            __bindings: &[usize],
            __args: &[u32],
        ) {
            #(#lets)*
            super::#ident(#(#call_args),*)
        }
    };
    (task, native)
}

// ===== #[device] ==========================================================

pub(crate) fn expand_device(attr: TokenStream, item: TokenStream) -> TokenStream {
    let cx = Ctxt::new();
    parse_device_attr(&cx, attr);
    let f = match parse_item(&cx, &item, FnKind::Device) {
        Parsed::Fn(f) => f,
        Parsed::Head(h) if has_receiver(&h.sig) => {
            let errors = cx.to_compile_errors();
            return quote!(#errors #item);
        }
        Parsed::Head(h) => {
            let quiet = Ctxt::new();
            let sig = parse_signature(&quiet, &h.sig, FnKind::Device);
            let module = device_module(&h.sig.ident, &h.vis, &h.attrs, &sig, None);
            let errors = cx.to_compile_errors();
            return quote!(#errors #item #module);
        }
        Parsed::Other => {
            let errors = cx.to_compile_errors();
            return quote!(#errors #item);
        }
    };
    let sig = parse_signature(&cx, &f.sig, FnKind::Device);
    if has_receiver(&f.sig) {
        let errors = cx.to_compile_errors();
        return quote!(#errors #f);
    }
    let name = ident_name(&f.sig.ident);
    let mut body = None;
    if sig.ok {
        let lowered = crate::lower::lower_fn(&cx, FnKind::Device, &name, &sig, &f.block);
        crate::check::check(&cx, &lowered.types, &lowered.body);
        if !cx.has_errors() {
            body = Some(inline_body(&cx, &sig, &name, lowered));
        }
    }
    let mut f = f;
    crate::ticks::insert(&mut f.block);
    allow_range_pattern_lint(&mut f);
    let module = device_module(&f.sig.ident, &f.vis, &f.attrs, &sig, body);
    let errors = cx.to_compile_errors();
    quote!(#errors #f #module)
}

/// The body of `__vyre_inline`.
fn inline_body(cx: &Ctxt, sig: &Sig, name: &str, lowered: crate::lower::Lowered) -> TokenStream {
    let soft = cx.soft_messages();
    if !soft.is_empty() {
        let msg = format!(
            "vyre: this #[device] function could not be translated: {}",
            soft.join("; ")
        );
        return quote!(::core::panic!("{}", #msg));
    }
    let mut gen = Gen::new(&lowered.types, Mode::Device, &lowered.locals);
    let ret = lowered.ret;
    let (body, ret_local) = gen.device_body(lowered.body, ret);
    let locals = gen.local_decls();
    let n = sig.params.len();
    let arg_vars: Vec<syn::Ident> = (0..n).map(|i| quote::format_ident!("__a{}", i)).collect();
    let mut binds = Vec::new();
    let mut scalar_index = 0usize;
    let mut buf_index = 0usize;
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
            ParamKind::Invalid => {}
        }
    }
    let result = match ret_local {
        Some(r) => {
            let k = r as u32;
            quote!(::core::option::Option::Some(::vyre::ir::Expr::Local(::vyre::ir::LocalId(__base + #k))))
        }
        None => quote!(::core::option::Option::None),
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

fn device_module(
    ident: &syn::Ident,
    vis: &syn::Visibility,
    attrs: &[syn::Attribute],
    sig: &Sig,
    body: Option<TokenStream>,
) -> TokenStream {
    let cfgs = cfg_attrs(attrs);
    let allow = allow_attrs();
    let params = sig.params.iter().map(|p| match p.kind {
        ParamKind::Scalar(s) => s.ir_tokens(),
        _ => ScalarType::U32.ir_tokens(),
    });
    let ret = sig.ret.unwrap_or(ScalarType::U32).ir_tokens();
    let body = body.unwrap_or_else(|| {
        quote!(::core::unreachable!(
            "vyre: the #[device] function was rejected at compile time"
        ))
    });
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
            ) -> ::core::result::Result<::core::option::Option<::vyre::ir::Expr>, ::vyre::host::HandlerError> {
                #body
            }
        }
    }
}
