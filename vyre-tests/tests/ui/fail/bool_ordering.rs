#![allow(unused)]

use vyre::prelude::*;

#[opcode]
pub fn h(ctx: &Ctx, inp: &Buffer<u32>, out: &mut Buffer<u32>, acc: &Buffer<Atomic<u32>>, n: u32, x: i32, f: f32) {
    let a = n > 1;
    let b = n > 2;
    if a < b {
        out[0] = 1;
    }
}

fn main() {}
