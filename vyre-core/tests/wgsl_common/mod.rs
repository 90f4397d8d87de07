//! Shared helpers of the WGSL lowering tests: naga validation with
//! readable failures, the small builders and awkward literals the
//! lowering tests share, their [`fixtures`], and the minimal GPU host
//! ([`machine`]) that runs generated WGSL apart from the runtime.

#![allow(dead_code)]

pub mod fixtures;
pub mod machine;
pub mod trusted;

use vyre_core::ir::{BufferKind, Expr, HandlerBuilder, ScalarType};
use vyre_core::program::{OpcodeHandler, Program};

use ScalarType::{Bool, F32, I32, U32};

/// Parses and validates `src` with naga (every validation flag, every
/// capability) and returns the module, or a message with naga's
/// diagnostic and the numbered source.
pub fn validate_source(src: &str) -> Result<naga::Module, String> {
    let module = naga::front::wgsl::parse_str(src)
        .map_err(|e| format!("{}\n{}", e.emit_to_string(src), numbered(src)))?;
    let mut validator = naga::valid::Validator::new(
        naga::valid::ValidationFlags::all(),
        naga::valid::Capabilities::all(),
    );
    validator
        .validate(&module)
        .map_err(|e| format!("{}\n{}", e.emit_to_string(src), numbered(src)))?;
    Ok(module)
}

/// Lowers `program` and validates the WGSL; panics with naga's
/// diagnostic and the source on failure.
/// Also proves, in every lowering variant, that the module may go without
/// naga's loop and division checks ([`trusted`]).
pub fn lower_and_validate(program: &Program) -> (String, naga::Module) {
    let src = program.wgsl();
    prove_every_variant(program);
    match validate_source(&src) {
        Ok(module) => (src, module),
        Err(msg) => panic!(
            "program `{}` lowered to invalid WGSL:\n{msg}",
            program.name()
        ),
    }
}

/// [`trusted::assert_trusted`] on `program` in every lowering variant.
pub fn prove_every_variant(program: &Program) {
    for options in vyre_core::lower::LowerOptions::all() {
        trusted::assert_trusted(
            &format!("program `{}`, {options:?}", program.name()),
            &vyre_core::lower::wgsl_with(program, &options),
        );
    }
}

fn numbered(src: &str) -> String {
    src.lines()
        .enumerate()
        .map(|(i, l)| format!("{:5} {l}\n", i + 1))
        .collect()
}

/// The text of the handler function `op_<name>`, up to the next blank
/// line.
pub fn handler_text<'a>(src: &'a str, name: &str) -> &'a str {
    let start = src
        .find(&format!("fn op_{name}("))
        .unwrap_or_else(|| panic!("no handler op_{name}"));
    let rest = &src[start..];
    let end = rest.find("\n\n").unwrap_or(rest.len());
    &rest[..end]
}

/// Checks the lowering's guard against loops that a driver cuts short
/// (`vyre-core/src/lower/handler.rs`, "Loops a driver may cut"):
///
/// * no `return` inside any loop of the module (a compiler turns it into
///   a `break` and a flag whose register a cut leaves stale);
/// * in the handlers (`fn op_…`), every loop is
///   `var vy_exitN: u32 = vy_LOOP_RUNNING; loop { if (vy_exitN !=
///   vy_LOOP_RUNNING) { break; } … }` followed at once by
///   `if (vy_loop_end(vy_exitN)) { … }`, that test is the loop's only
///   `break`, the states are distinct, and there is no `for`.
///
/// Returns how many handler loops it checked.
pub fn check_loop_guards(src: &str) -> Result<usize, String> {
    #[derive(PartialEq)]
    enum Kind {
        Loop(Option<String>),
        For,
        Func,
        Other,
    }
    // Comments dropped (WGSL has no strings), indentation trimmed.
    let lines: Vec<&str> = src
        .lines()
        .map(|l| l.split("//").next().unwrap_or("").trim())
        .collect();
    let mut stack: Vec<Kind> = Vec::new();
    let mut in_handler = false;
    let mut pending_for = false;
    let mut states = std::collections::HashSet::new();
    let mut checked = 0;
    for (i, line) in lines.iter().enumerate() {
        let fail = |what: &str| Err(format!("line {}: {what}: `{line}`\n{src}", i + 1));
        let next = lines.get(i + 1).copied().unwrap_or("");
        if line.starts_with('}') {
            match stack.pop() {
                Some(Kind::Loop(Some(state))) => {
                    if !next.starts_with(&format!("if (vy_loop_end({state})) {{ ")) {
                        return fail("a handler loop not followed by vy_loop_end of its state");
                    }
                    checked += 1;
                }
                Some(Kind::Func) => in_handler = false,
                Some(_) => {}
                None => return fail("unbalanced braces"),
            }
        }
        let in_loop = stack.iter().any(|k| matches!(k, Kind::Loop(_) | Kind::For));
        let words = || line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'));
        if in_loop && words().any(|w| w == "return") {
            return fail("a return inside a loop");
        }
        if in_handler && words().any(|w| w == "break") {
            let header = match stack.last() {
                Some(Kind::Loop(Some(state))) => {
                    *line == format!("if ({state} != vy_LOOP_RUNNING) {{ break; }}")
                        && lines[i - 1] == "loop {"
                }
                _ => false,
            };
            if !header {
                return fail("a handler break other than its loop's exit test");
            }
        }
        if in_handler && line.starts_with("for (") {
            return fail("a `for` in a handler");
        }
        if line.starts_with("for (") && !line.ends_with('{') {
            pending_for = true;
        }
        if line.ends_with('{') {
            let kind = if *line == "loop {" {
                let state = if in_handler {
                    let prev = if i > 0 { lines[i - 1] } else { "" };
                    let Some(state) = prev
                        .strip_prefix("var ")
                        .and_then(|r| r.strip_suffix(": u32 = vy_LOOP_RUNNING;"))
                        .filter(|s| s.starts_with("vy_exit"))
                    else {
                        return fail("a handler loop without its exit state just before it");
                    };
                    if !states.insert(state.to_string()) {
                        return fail("an exit state declared twice");
                    }
                    if next != format!("if ({state} != vy_LOOP_RUNNING) {{ break; }}") {
                        return fail("a handler loop that does not test its exit state first");
                    }
                    Some(state.to_string())
                } else {
                    None
                };
                Kind::Loop(state)
            } else if line.starts_with("for (") || std::mem::take(&mut pending_for) {
                Kind::For
            } else if line.starts_with("fn ") {
                in_handler = line.starts_with("fn op_");
                // Exit states are numbered per handler.
                states.clear();
                Kind::Func
            } else {
                Kind::Other
            };
            stack.push(kind);
        }
    }
    if !stack.is_empty() {
        return Err(format!("unbalanced braces at the end\n{src}"));
    }
    Ok(checked)
}

/// Every scalar type, for sweeps.
pub const TYPES: [ScalarType; 6] = [Bool, U32, I32, F32, ScalarType::U64, ScalarType::I64];

/// The handler `h` builds, which must be valid.
pub fn finish(h: HandlerBuilder) -> OpcodeHandler {
    h.finish().expect("valid handler")
}

/// A program with the given buffers and handlers, default config.
pub fn program(
    name: &str,
    buffers: &[(&str, BufferKind)],
    handlers: Vec<OpcodeHandler>,
) -> Program {
    let mut b = Program::builder(name);
    for (n, k) in buffers {
        b = b.buffer(*n, *k);
    }
    for h in handlers {
        b = b.opcode(h);
    }
    b.build().expect("valid program")
}
/// A literal of type `ty` that is awkward for WGSL (extreme or special).
pub fn awkward(ty: ScalarType, which: usize) -> Expr {
    match ty {
        Bool => Expr::lit(which % 2 == 0),
        U32 => Expr::lit([u32::MAX, 0, 1, 0x8000_0000][which % 4]),
        I32 => Expr::lit([i32::MIN, i32::MAX, -1, 0][which % 4]),
        F32 => Expr::lit(
            [
                f32::NAN,
                f32::INFINITY,
                f32::NEG_INFINITY,
                -0.0,
                f32::MAX,
                -f32::MAX,
                1e-45,
                3.0e9,
            ][which % 8],
        ),
        ScalarType::U64 => Expr::lit([u64::MAX, 0, 1, 1 << 63][which % 4]),
        ScalarType::I64 => Expr::lit([i64::MIN, i64::MAX, -1, 0][which % 4]),
    }
}
