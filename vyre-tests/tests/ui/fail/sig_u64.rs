#![allow(unused)]

use vyre::prelude::*;

#[opcode]
pub fn h(n: u64) {}

fn main() {}
