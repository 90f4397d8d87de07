#![allow(unused)]

use vyre::prelude::*;

const SYSTEM: u32 = 0xFFFF_0000;

#[opcode(id = SYSTEM + 3)]
pub fn h(n: u32) {}

fn main() {}
