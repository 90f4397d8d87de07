//! `#[device]` calls (inlined when `handler()` runs) and spawns.

use proc_macro2::TokenStream;
use quote::quote;

use super::{Gen, Out};
use crate::hir::*;

impl Gen<'_> {
    /// A `#[device]` call: its scalar arguments in order (spilled as
    /// needed), then the call of its inliner, which appends its body.
    pub(super) fn device_call(&mut self, d: &DeviceCall, out: &mut Out) -> TokenStream {
        let scalars: Vec<&Expr> = d
            .args
            .iter()
            .filter_map(|a| match a {
                DevArg::Scalar(e) => Some(e),
                _ => None,
            })
            .collect();
        let mut ts = self.operands(&scalars, out).into_iter();
        let mut args = Vec::new();
        for a in &d.args {
            args.push(match a {
                DevArg::Scalar(_) => {
                    let t = ts.next().unwrap_or_else(Self::unit_value);
                    quote!(::vyre::host::__private::DeviceArg::Scalar(#t))
                }
                DevArg::Buffer(b) => {
                    let id = self.buf_id(*b);
                    quote!(::vyre::host::__private::DeviceArg::Buffer(#id))
                }
                DevArg::Ctx => quote!(::vyre::host::__private::DeviceArg::Ctx),
                DevArg::Struct(r) => {
                    let v = self.struct_ref(r, out);
                    quote!(::vyre::host::__private::DeviceArg::Struct(::core::clone::Clone::clone(&#v)))
                }
            });
        }
        let path = &d.path;
        quote!(#path::__vyre_inline(__cx, __blk, ::std::vec![#(#args),*])?)
    }

    /// `Stmt::Spawn` for `s`; `result` receives whether the task was queued
    /// when the spawn is used as a value.
    pub(super) fn spawn(
        &mut self,
        s: &Spawn,
        result: Option<LocalIdx>,
        out: &mut Out,
    ) -> TokenStream {
        // Evaluated in the IR's order: priority, the request's arguments,
        // the task's (the continuation's given) arguments.
        let mut refs: Vec<&Expr> = vec![&s.priority];
        if let Some(r) = &s.request {
            refs.extend(r.args.iter());
        }
        refs.extend(s.args.iter());
        let mut ts = self.operands(&refs, out).into_iter();
        let prio = ts.next().unwrap_or_else(Self::unit_value);
        let prio = self.to_u32(&s.priority, prio);
        let request_args: Vec<TokenStream> = match &s.request {
            Some(r) => ts.by_ref().take(r.args.len()).collect(),
            None => Vec::new(),
        };
        let args: Vec<TokenStream> = ts.collect();
        let target = &s.target;
        let result = match result {
            Some(r) => {
                let id = self.local_id(r);
                quote!(::core::option::Option::Some(#id))
            }
            None => quote!(::core::option::Option::None),
        };
        match &s.request {
            Some(r) => {
                let kind = &r.kind;
                quote!(::vyre::ir::Stmt::Request {
                    priority: #prio,
                    kind: #kind::ID,
                    args: ::std::vec![#(#request_args),*],
                    opcode: #target::ID,
                    given: ::std::vec![#(#args),*],
                    result: #result,
                })
            }
            None => quote!(::vyre::ir::Stmt::Spawn {
                priority: #prio,
                opcode: #target::ID,
                args: ::std::vec![#(#args),*],
                result: #result,
            }),
        }
    }
}
