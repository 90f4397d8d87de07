#![allow(unused)]

use vyre::prelude::*;

#[opcode(id = 0x1_0000_0000)]
pub fn h(n: u32) {}

fn main() {}
