#![allow(unused)]

use vyre::prelude::*;

#[request(id = 1)]
pub fn lookup(key: u32) -> u32;

#[opcode]
pub fn got(out: &mut Buffer<u32>, i: u32, value: u32) {
    out[i] = value;
}

#[opcode]
pub fn ask(ctx: &Ctx, i: u32) {
    let call = lookup::call(i);
    ctx.request(Priority::Normal, call, got::task(i, 0));
}

fn main() {}
