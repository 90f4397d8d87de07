#![allow(unused)]

use vyre::prelude::*;

#[opcode]
pub fn h(ctx: Ctx, n: u32) {}

fn main() {}
