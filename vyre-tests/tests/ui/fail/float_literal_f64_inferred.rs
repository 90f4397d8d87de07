#![allow(unused)]

use vyre::prelude::*;

#[opcode]
pub fn h(ctx: &Ctx, inp: &Buffer<u32>, out: &mut Buffer<u32>, acc: &Buffer<Atomic<u32>>, n: u32, x: i32, f: f32) {
    let scale = 1.5;
    out[0] = (f * 2.0) as u32;
    let _ = scale;
}

fn main() {}
