#![allow(unused)]

use vyre::prelude::*;

#[opcode(name = "visit")]
pub fn h(n: u32) {}

fn main() {}
