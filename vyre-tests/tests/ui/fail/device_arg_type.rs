#![allow(unused)]

use vyre::prelude::*;

#[device]
pub fn square(v: u32) -> u32 {
    v * v
}

#[opcode]
pub fn h(ctx: &Ctx, inp: &Buffer<u32>, out: &mut Buffer<u32>, acc: &Buffer<Atomic<u32>>, n: u32, x: i32, f: f32) {
    out[0] = square(x);
}

fn main() {}
