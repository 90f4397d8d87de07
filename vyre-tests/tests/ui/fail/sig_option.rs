#![allow(unused)]

use vyre::prelude::*;

#[opcode]
pub fn h(n: Option<u32>) {}

fn main() {}
