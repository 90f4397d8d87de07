#![allow(unused)]

use vyre::prelude::*;

#[opcode]
pub fn h(out: &mut Buffer<u32>, i: u32) {
    let big = [0u32; 4096];
    out[i] = big[i as usize];
}

fn main() {}
