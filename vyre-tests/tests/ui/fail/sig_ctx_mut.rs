#![allow(unused)]

use vyre::prelude::*;

#[opcode]
pub fn h(ctx: &mut Ctx, n: u32) {}

fn main() {}
