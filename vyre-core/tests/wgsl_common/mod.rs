//! Shared helpers of the WGSL lowering tests: naga validation with
//! readable failures.

#![allow(dead_code)]

use vyre_core::program::Program;

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
pub fn lower_and_validate(program: &Program) -> (String, naga::Module) {
    let src = program.wgsl();
    match validate_source(&src) {
        Ok(module) => (src, module),
        Err(msg) => panic!(
            "program `{}` lowered to invalid WGSL:\n{msg}",
            program.name()
        ),
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
