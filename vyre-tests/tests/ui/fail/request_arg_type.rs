#![allow(unused)]

use vyre::prelude::*;

#[request(id = 1)]
pub fn lookup(key: u32) -> u32;

#[opcode]
pub fn got(out: &mut Buffer<u32>, i: u32, value: u32) {
    out[i] = value;
}

#[opcode]
pub fn ask(ctx: &Ctx, x: f32) {
    ctx.request(Priority::Normal, lookup::call(x), got::then(0));
}

fn main() {}
