#![allow(unused)]

use vyre::prelude::*;

#[request(id = 1)]
pub fn lookup(key: u32) -> u32;

/// Its last argument takes an `f32`, but `lookup` replies a `u32`.
#[opcode]
pub fn got(out: &mut Buffer<f32>, i: u32, value: f32) {
    out[i] = value;
}

#[opcode]
pub fn ask(ctx: &Ctx, i: u32) {
    ctx.request(Priority::Normal, lookup::call(i), got::then(i));
}

fn main() {}
