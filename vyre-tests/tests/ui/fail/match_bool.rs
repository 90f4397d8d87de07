#![allow(unused)]

use vyre::prelude::*;

#[opcode]
pub fn h(ctx: &Ctx, inp: &Buffer<u32>, out: &mut Buffer<u32>, acc: &Buffer<Atomic<u32>>, n: u32, x: i32, f: f32) {
    match n > 3 {
        true => out[0] = 1,
        false => out[0] = 2,
    }
}

fn main() {}
