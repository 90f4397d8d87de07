//! Procedural macros of [vyre](https://docs.rs/vyre): `#[opcode]`,
//! `#[device]`, `printf!` and `megakernel!`. Use them through the `vyre`
//! crate (`use vyre::prelude::*;`); the generated code names `::vyre`.
//!
//! This crate only converts tokens: every entry point hands them to the
//! function of the same name in `vyre-expand`, the plain library that holds
//! the parser, the checks and the code generation (so that benchmarks and
//! tests can call it). See `docs/language.md` for the handler language.

#![forbid(unsafe_code)]

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
    vyre_expand::opcode(attr.into(), item.into()).into()
}

/// Declares a kind of device→host request: its id, argument types and
/// reply type. The item is a declaration, served by the host at run time.
///
/// ```ignore
/// /// The length in words of chunk `chunk` of file `file`, read into `text`.
/// #[request(id = 1)]
/// pub fn read_chunk(file: u32, chunk: u32) -> u32;
/// ```
///
/// Emits `mod read_chunk` with `ID`, `NAME`, `ARGS`, `REPLY`, `kind()`,
/// `call(file, chunk)` (for `ctx.request(priority, read_chunk::call(…),
/// op::then(…))` in handlers) and `serve(closure)` (a typed host handler).
#[proc_macro_attribute]
pub fn request(attr: TokenStream, item: TokenStream) -> TokenStream {
    vyre_expand::request(attr.into(), item.into()).into()
}

/// Marks a helper function that handlers (and other device functions) may
/// call: it is inlined into their IR. It emits the function unchanged (with
/// loop ticks) and a hidden module of the same name whose `__vyre_inline`
/// appends the body to the caller's IR. Recursion is rejected.
#[proc_macro_attribute]
pub fn device(attr: TokenStream, item: TokenStream) -> TokenStream {
    vyre_expand::device(attr.into(), item.into()).into()
}

/// `printf!("x = {}, y = {}", x, y)`: a line the host collects. On the GPU
/// it appends a record (the format's id and up to 6 argument words); on the
/// host it goes to the print hook of the running backend or test, or to
/// standard output. Placeholders are `{}` only.
#[proc_macro]
pub fn printf(input: TokenStream) -> TokenStream {
    vyre_expand::printf(input.into()).into()
}

/// Makes a `#[repr(C)]` struct a buffer element: implements
/// `vyre::Element` (its layout: each field's word offset and type) and
/// bytemuck's `Zeroable` and `Pod`, after checking at compile time that
/// the struct has no padding and that every field is `u32`, `i32`, `f32`,
/// `u64`, `i64`, a fixed-size array of those, or another `Element` struct.
///
/// ```ignore
/// #[derive(Clone, Copy, Debug, PartialEq, Element)]
/// #[repr(C)]
/// pub struct Particle { pub pos: [f32; 2], pub vel: [f32; 2], pub id: u32, pub hits: u32 }
/// ```
#[proc_macro_derive(Element)]
pub fn element(input: TokenStream) -> TokenStream {
    vyre_expand::element(input.into()).into()
}

/// Assembles `#[opcode]` handlers into one megakernel type: `Name::new(&gpu)`,
/// `publish`, `run`, a typed accessor per declared buffer, and compile-time
/// checks of ids, buffer bindings and sizes (see `docs/language.md`).
#[proc_macro]
pub fn megakernel(input: TokenStream) -> TokenStream {
    vyre_expand::megakernel(input.into()).into()
}
