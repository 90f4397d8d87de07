#![allow(unused)]

use vyre::prelude::*;

#[opcode]
pub const fn h(n: u32) {}

fn main() {}
