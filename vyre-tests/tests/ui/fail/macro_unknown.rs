#![allow(unused)]

use vyre::prelude::*;

macro_rules! my_macro {
    ($e:expr) => {
        let _ = $e;
    };
}

#[opcode]
pub fn h(ctx: &Ctx, inp: &Buffer<u32>, out: &mut Buffer<u32>, acc: &Buffer<Atomic<u32>>, n: u32, x: i32, f: f32) {
    my_macro!(n);
}

fn main() {}
