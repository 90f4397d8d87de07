#![allow(unused)]

use vyre::prelude::*;

pub fn helper(v: u32) -> u32 {
    v + 1
}

#[opcode]
pub fn h(ctx: &Ctx, inp: &Buffer<u32>, out: &mut Buffer<u32>, acc: &Buffer<Atomic<u32>>, n: u32, x: i32, f: f32) {
    out[0] = helper(n);
}

fn main() {}
