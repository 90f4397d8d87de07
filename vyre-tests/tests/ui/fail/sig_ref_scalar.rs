#![allow(unused)]

use vyre::prelude::*;

#[opcode]
pub fn h(n: &u32) {}

fn main() {}
