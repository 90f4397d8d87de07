#![allow(unused)]

use vyre::prelude::*;

pub struct Point {
    pub x: u32,
}

#[opcode]
pub fn h(ctx: &Ctx, inp: &Buffer<u32>, out: &mut Buffer<u32>, acc: &Buffer<Atomic<u32>>, n: u32, x: i32, f: f32) {
    let p = Point { x: n };
    out[0] = p.x;
}

fn main() {}
