#![allow(unused)]

use vyre::prelude::*;

#[opcode(id = 0xFFFF_0001)]
pub fn h(n: u32) {}

fn main() {}
