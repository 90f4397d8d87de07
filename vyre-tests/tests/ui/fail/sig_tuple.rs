#![allow(unused)]

use vyre::prelude::*;

#[opcode]
pub fn h(pair: (u32, u32)) {}

fn main() {}
