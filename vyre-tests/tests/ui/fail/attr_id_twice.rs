#![allow(unused)]

use vyre::prelude::*;

#[opcode(id = 1, id = 2)]
pub fn h(n: u32) {}

fn main() {}
