#![allow(unused)]

use vyre::prelude::*;

#[opcode]
pub fn h(out: &mut Buffer<u64>, n: u64) {
    for i in 0..n {
        out[0] += i;
    }
}

fn main() {}
