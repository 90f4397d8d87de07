#![allow(unused)]

use vyre::prelude::*;

#[opcode]
pub fn h(out: &mut Buffer<u32>, key: u64) {
    match key {
        0 => out[0] = 1,
        _ => out[0] = 2,
    }
}

fn main() {}
