#![allow(unused_parens)]

use vyre::prelude::*;

// Deep nesting within the translator's limit (128 levels).
#[opcode]
pub fn deep(out: &mut Buffer<u32>, n: u32) {
    out[0] = ((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((n + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1) + 1);
}

fn main() {
    vyre::ir::validate_handler(&deep::handler()).unwrap();
}
