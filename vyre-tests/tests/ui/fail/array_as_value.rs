#![allow(unused)]

use vyre::prelude::*;

#[opcode]
pub fn h(out: &mut Buffer<u32>, i: u32) {
    let mut a = [0u32; 4];
    let b = a;
    a = [1u32; 4];
    a.sort();
}

fn main() {}
