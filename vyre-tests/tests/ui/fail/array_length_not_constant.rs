#![allow(unused)]

use vyre::prelude::*;

#[opcode]
pub fn h(out: &mut Buffer<u32>, n: u32) {
    let len = 4;
    let a = [0u32; len];
    out[0] = a[0];
}

fn main() {}
