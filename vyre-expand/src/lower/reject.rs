//! The messages for Rust that has no GPU form: macros, literal suffixes
//! and expressions the translator does not lower. Each says what to write
//! instead.

use super::Lowerer;
use crate::hir::*;
use crate::sig::type_rejection;

impl Lowerer<'_> {
    /// Rejects a macro other than `printf!`, saying what to use instead.
    pub(super) fn reject_macro(&self, mac: &syn::Macro) -> Expr {
        let name = mac
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        let msg = match name.as_str() {
            "println" | "print" | "eprintln" | "eprint" | "dbg" | "write" | "writeln" => format!("`{name}!` cannot run on the GPU: there is no stdout there; use `vyre::printf!(\"… {{}}\", args)`, whose lines the host collects"),
            "panic" | "assert" | "assert_eq" | "assert_ne" | "debug_assert" | "debug_assert_eq" | "debug_assert_ne" | "unreachable" | "todo" | "unimplemented" => format!("`{name}!` cannot run on the GPU: a task cannot unwind; end it with `ctx.fault(code)`, which the host reports"),
            "vec" | "format" => format!("`{name}!` allocates, and a GPU handler has no allocator; pass data through buffers"),
            "matches" => "`matches!` is not supported: compare the value with `==`, or `match` on it".to_string(),
            _ => format!("macros cannot be translated to the GPU (the translator sees `{name}!` before it expands); only `vyre::printf!` is supported"),
        };
        self.reject(mac, msg)
    }
}

/// Why a literal suffix (`1u64`, `2.0f64`) has no GPU form.
pub(super) fn suffix_rejection(suffix: &str) -> String {
    let ty: syn::Type = match syn::parse_str(suffix) {
        Ok(t) => t,
        Err(_) => {
            return format!(
                "the literal suffix `{suffix}` is not a GPU type; use `u32`, `i32` or `f32`"
            )
        }
    };
    type_rejection(&ty)
}

/// Why an expression the translator does not lower (a tuple, a closure,
/// `?`, …) has no GPU form; the constructs it lowers never get here.
pub(super) fn unsupported_expr(e: &syn::Expr) -> &'static str {
    match e {
        syn::Expr::Tuple(_) => "tuples are not supported: GPU values are scalars; use separate variables",
        syn::Expr::Array(_) | syn::Expr::Repeat(_) => "an array literal initialises a `let` (`let a = [0u32; 8];`): whole arrays are not values on the GPU; read and write elements",
        syn::Expr::Struct(_) => "structs do not exist in handlers: GPU values are scalars; use separate variables or buffers",
        syn::Expr::Field(_) => "field access is not supported: structs and tuples do not exist in handlers",
        syn::Expr::Closure(_) => "closures cannot run on the GPU: a handler is lowered to one WGSL function without function values; write a `#[device]` function and call it",
        syn::Expr::Async(_) => "`async` blocks cannot run on the GPU: lanes cannot suspend; spawn a task to continue later",
        syn::Expr::Await(_) => "`.await` cannot run on the GPU: lanes cannot suspend; spawn a task to continue later",
        syn::Expr::TryBlock(_) => "`try` blocks are not supported in handlers",
        syn::Expr::Try(_) => "the `?` operator is not supported: there is no `Result`/`Option` on the GPU; test the condition and `return;` or `ctx.fault(code)`",
        syn::Expr::Range(_) => "ranges exist only as the bounds of a `for` loop (`for i in a..b`)",
        syn::Expr::Reference(_) | syn::Expr::RawAddr(_) => "references cannot be taken in a handler: scalars are passed by value, and buffers are passed as they are",
        syn::Expr::Let(_) => "`let` conditions are supported only as `if let Ok(v) = buf[i].compare_exchange(a, b)` (or `Err(v)`)",
        syn::Expr::Unsafe(_) => "`unsafe` blocks are not supported: the GPU program is memory-safe by construction",
        syn::Expr::Const(_) => "`const` blocks are not supported; declare a `const` item next to the handler and use it",
        syn::Expr::Yield(_) => "`yield` cannot run on the GPU",
        syn::Expr::Loop(_) | syn::Expr::While(_) | syn::Expr::ForLoop(_) => "a loop has no value here (`break value` is not supported): assign to a `let mut` local declared before the loop",
        syn::Expr::Assign(_) => "an assignment has no value; write it as a statement",
        syn::Expr::Infer(_) => "`_` is not a value",
        _ => "this expression is not supported in a handler",
    }
}
