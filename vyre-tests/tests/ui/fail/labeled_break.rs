#![allow(unused)]

use vyre::prelude::*;

#[opcode]
pub fn h(ctx: &Ctx, inp: &Buffer<u32>, out: &mut Buffer<u32>, acc: &Buffer<Atomic<u32>>, n: u32, x: i32, f: f32) {
    'outer: for i in 0..n {
        for j in 0..n {
            if i == j {
                break 'outer;
            }
        }
    }
}

fn main() {}
