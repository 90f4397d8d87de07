#![allow(unused)]

use vyre::prelude::*;

#[opcode(id = "0x100")]
pub fn h(n: u32) {}

fn main() {}
