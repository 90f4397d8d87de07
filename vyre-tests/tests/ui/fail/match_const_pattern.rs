#![allow(unused)]

use vyre::prelude::*;

const LIMIT: u32 = 3;

#[opcode]
pub fn h(ctx: &Ctx, inp: &Buffer<u32>, out: &mut Buffer<u32>, acc: &Buffer<Atomic<u32>>, n: u32, x: i32, f: f32) {
    match n {
        LIMIT => out[0] = 1,
        _ => {}
    }
}

fn main() {}
