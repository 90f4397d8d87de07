//! Procedural macros of [vyre](https://docs.rs/vyre): `#[opcode]`,
//! `#[device]` and `printf!`. Use them through the `vyre` crate
//! (`use vyre::prelude::*;`); the generated code names `::vyre`.
//!
//! The implementation is split like thiserror's: `sig` parses the
//! attribute and the signature, `lower` turns the body into a typed tree
//! (`hir`, `types`), `check` applies the rules that need solved types,
//! `codegen` writes the code that builds the IR, and `expand` assembles the
//! items. Every error of a function is collected in a `ctxt::Ctxt` and
//! reported with the span of the tokens it is about; the macros never
//! panic.
//!
//! See `docs/language.md` for the handler language.

#![forbid(unsafe_code)]

mod check;
mod codegen;
mod ctxt;
mod expand;
mod hir;
mod id;
mod lower;
mod megakernel;
mod printf;
mod sig;
mod ticks;
mod types;

#[cfg(test)]
mod tests;

use proc_macro::TokenStream;

/// Turns a function into an opcode handler.
///
/// ```ignore
/// #[opcode(id = 0x100)]
/// pub fn visit(ctx: &Ctx, offsets: &Buffer<u32>, edges: &Buffer<u32>,
///              dist: &Buffer<Atomic<u32>>, node: u32, depth: u32) { /* … */ }
/// ```
///
/// Emits the function (each loop body starting with
/// `::vyre::host::loop_tick();`) and `mod visit` with `ID`, `NAME`, `ARGS`,
/// `ARG_NAMES`, `BUFFERS`, `handler()`, `try_handler()`, `task(node, depth)`
/// and the hidden `__native` entry point of the native backend. Without
/// `id = N` the id is FNV-1a 32 of the function's name (see
/// `docs/language.md`).
#[proc_macro_attribute]
pub fn opcode(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand_opcode(attr.into(), item.into()).into()
}

/// Marks a helper function that handlers (and other device functions) may
/// call: it is inlined into their IR. It emits the function unchanged (with
/// loop ticks) and a hidden module of the same name whose `__vyre_inline`
/// appends the body to the caller's IR. Recursion is rejected.
#[proc_macro_attribute]
pub fn device(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand_device(attr.into(), item.into()).into()
}

/// `printf!("x = {}, y = {}", x, y)`: a line the host collects. On the GPU
/// it appends a record (the format's id and up to 6 argument words); on the
/// host it goes to the print hook of the running backend or test, or to
/// standard output. Placeholders are `{}` only.
#[proc_macro]
pub fn printf(input: TokenStream) -> TokenStream {
    printf::expand(input.into()).into()
}

/// Assembles `#[opcode]` handlers into one megakernel type: `Name::new(&gpu)`,
/// `publish`, `run`, a typed accessor per declared buffer, and compile-time
/// checks of ids, buffer bindings and sizes (see `docs/language.md`).
#[proc_macro]
pub fn megakernel(input: TokenStream) -> TokenStream {
    megakernel::megakernel(input.into()).into()
}
