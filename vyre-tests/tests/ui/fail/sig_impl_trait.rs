#![allow(unused)]

use vyre::prelude::*;

#[opcode]
pub fn h(n: impl Copy) {}

fn main() {}
