//! Hygienic names for generated WGSL.
//!
//! Every identifier the lowering writes falls into one of four disjoint
//! families, told apart by their first characters, so no user name can
//! collide with another user name, with a generated name, with a WGSL
//! keyword, a reserved word or a built-in function:
//!
//! | family | form | example |
//! |---|---|---|
//! | local or argument | `l<id>_<name>` | `l3_loop` |
//! | declared buffer | `u_<name>` | `u_dist` |
//! | handler | `op_<name>` | `op_visit` |
//! | everything generated | `vy_…` | `vy_fault`, `vy_t4`, `vy_exit2`, `vy_load_u_dist` |
//!
//! Locals carry their id, which is unique within a handler, so two locals
//! that share a source name (shadowing in Rust) stay distinct, and the
//! name part is only decoration: characters WGSL does not accept in an
//! identifier are replaced by `_` (body locals are not name-checked by the
//! validator). Buffer and handler names are validated identifiers and
//! unique within a program; they are sanitised the same way for safety.
//! No family starts with `__`, the prefix WGSL reserves.

use crate::ir::{LocalId, ScalarType};

/// `name` with every character outside `[A-Za-z0-9_]` replaced by `_`.
fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The WGSL name of local (or task argument) `id` whose source name is
/// `name`.
pub(super) fn local(id: LocalId, name: &str) -> String {
    format!("l{}_{}", id.0, sanitize(name))
}

/// The WGSL name of the declared buffer `name`.
pub(super) fn buffer(name: &str) -> String {
    format!("u_{}", sanitize(name))
}

/// The WGSL name of the handler `name`.
pub(super) fn handler(name: &str) -> String {
    format!("op_{}", sanitize(name))
}

/// The `n`-th temporary of a handler body.
pub(super) fn temp(n: u32) -> String {
    format!("vy_t{n}")
}

/// The exit state of the `n`-th loop of a handler body (see
/// `loops`, `FnLowerer::open_loop`). `vy_exit<n>` is never a temporary
/// (`vy_t<n>`) nor a helper (`vy_<what>_u_<buffer>`, `vy_<what>_<type>`).
pub(super) fn loop_exit(n: u32) -> String {
    format!("vy_exit{n}")
}

/// Whether `code` is exactly a temporary's name (temporaries are bound
/// once and never reassigned after their defining statement).
pub(super) fn is_temp(code: &str) -> bool {
    code.strip_prefix("vy_t")
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// A generated helper that works on the declared buffer `name`:
/// `vy_<what>_u_<name>`. `what` never contains `_u_`, so the buffer part
/// is recovered unambiguously and two (what, buffer) pairs never share a
/// name.
pub(super) fn buffer_helper(what: &str, name: &str) -> String {
    format!("vy_{what}_{}", buffer(name))
}

/// `text` made safe for a `//` comment: printable ASCII is kept, every
/// other character (line breaks included) is written as `\u{…}`.
pub(super) fn comment_text(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c == ' ' || c.is_ascii_graphic() {
            out.push(c);
        } else {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        }
    }
    out
}

/// The WGSL spelling of a scalar type.
pub(super) fn wgsl_type(ty: ScalarType) -> &'static str {
    match ty {
        ScalarType::Bool => "bool",
        ScalarType::U32 => "u32",
        ScalarType::I32 => "i32",
        ScalarType::F32 => "f32",
        // Two words, low first (`lower/wgsl/int64.wgsl`).
        ScalarType::U64 | ScalarType::I64 => "vec2<u32>",
    }
}

/// The zero value of a scalar type (what a faulting operation yields).
pub(super) fn zero(ty: ScalarType) -> &'static str {
    match ty {
        ScalarType::Bool => "false",
        ScalarType::U32 => "0u",
        ScalarType::I32 => "0i",
        ScalarType::F32 => "0.0f",
        ScalarType::U64 | ScalarType::I64 => "vec2<u32>()",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_are_disjoint_and_sanitised() {
        assert_eq!(local(LocalId(3), "loop"), "l3_loop");
        assert_eq!(local(LocalId(0), "a b-c"), "l0_a_b_c");
        assert_eq!(local(LocalId(7), ""), "l7_");
        assert_eq!(buffer("dist"), "u_dist");
        assert_eq!(handler("visit"), "op_visit");
        assert_eq!(buffer_helper("load", "a_load"), "vy_load_u_a_load");
        assert_ne!(
            buffer_helper("load", "x"),
            buffer_helper("atomic_load", "x")
        );
        assert_eq!(temp(4), "vy_t4");
        assert_eq!(loop_exit(2), "vy_exit2");
        assert!(!is_temp(&loop_exit(2)));
    }
}
