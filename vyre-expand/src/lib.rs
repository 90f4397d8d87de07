//! The expansion logic behind vyre's procedural macros (`#[opcode]`,
//! `#[device]`, `printf!`, `megakernel!`), as an ordinary library over
//! [`proc_macro2`] token streams.
//!
//! `vyre-macros` is the proc-macro crate users reach through `vyre`; each of
//! its entry points converts its tokens and calls the function of the same
//! name here. Keeping the logic in a plain library lets the benchmark suite
//! time an expansion and lets tests call it directly. Users never depend on
//! this crate themselves.
//!
//! The implementation is split like thiserror's. The language's vocabulary
//! (scalar types, operators, intrinsics, atomics, priorities, limits) is
//! `vyre_lang`'s, shared with the runtime; `ir_tokens` names it in the
//! generated code. For `#[opcode]` and `#[device]`:
//!
//! - `item` parses the item under the attribute, `sig` its attribute
//!   arguments and signature (`id`: opcode ids);
//! - `lower` turns the body into the typed tree of `hir` (types solved by
//!   `types`), one file per construct;
//! - `check` applies the rules that need solved types (a `hir::visit`
//!   pass);
//! - `codegen` writes the code that builds the IR, one file per construct;
//! - `expand` assembles the function and its module (`relocate` rewrites
//!   paths for it, `ticks` adds the native loop ticks, `bounds` the native
//!   bounds checks of local arrays);
//! - `fallback` is what is emitted instead after an error.
//!
//! `printf` expands `printf!`, and `megakernel` expands `megakernel!`
//! (parse, validate, expand). Every error of an invocation is collected in
//! a `ctxt::Ctxt` and reported with the span of the tokens it is about; the
//! expansion never panics: an error becomes `compile_error!` tokens beside
//! a fallback item.
//!
//! See `docs/language.md` for the handler language.
//!
//! ```
//! let item: proc_macro2::TokenStream = "pub fn bump(hits: &Buffer<Atomic<u32>>, i: u32) {
//!     hits[i].fetch_add(1);
//! }"
//! .parse()
//! .unwrap();
//! let expanded = vyre_expand::opcode(proc_macro2::TokenStream::new(), item).to_string();
//! assert!(expanded.contains("pub mod bump"));
//! assert!(!expanded.contains("compile_error"));
//! ```

#![forbid(unsafe_code)]

mod bounds;
mod check;
mod codegen;
mod ctxt;
mod element;
mod expand;
mod fallback;
mod hir;
mod id;
mod ir_tokens;
mod item;
mod lower;
mod megakernel;
mod printf;
mod relocate;
mod request;
mod sig;
mod ticks;
mod types;

#[cfg(test)]
mod tests;

use proc_macro2::TokenStream;

/// Expands `#[request(id = N)] pub fn name(args…) -> Reply;`: a module with
/// the request kind's id, argument and reply types, `kind()`, `call(args…)`
/// for `ctx.request` and `serve(closure)` for the host. Errors come back as
/// `compile_error!` tokens.
pub fn request(attr: TokenStream, item: TokenStream) -> TokenStream {
    request::expand(attr, item)
}

/// Expands `#[opcode(attr)] item`: the function itself (loop bodies ticking
/// the native backend's loop limit) and a module of the same name with the
/// opcode's id, its IR builder and its task constructor. Errors come back as
/// `compile_error!` tokens beside a fallback item.
pub fn opcode(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand_opcode(attr, item)
}

/// Expands `#[device(attr)] item`: the function unchanged (with loop ticks)
/// and a hidden module whose `__vyre_inline` appends its body to a caller's
/// IR.
pub fn device(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand_device(attr, item)
}

/// Expands `#[derive(Element)]` on a `#[repr(C)]` struct: its layout, the
/// checks that it has no padding, and bytemuck's `Zeroable` and `Pod`.
pub fn element(input: TokenStream) -> TokenStream {
    element::derive(input)
}

/// Expands the arguments of `printf!(…)`.
pub fn printf(input: TokenStream) -> TokenStream {
    printf::expand(input)
}

/// Expands the body of `megakernel! { … }` into the kernel type.
pub fn megakernel(input: TokenStream) -> TokenStream {
    megakernel::megakernel(input)
}
