#![allow(unused)]

use vyre::prelude::*;

#[opcode(0x100)]
pub fn h(n: u32) {}

fn main() {}
