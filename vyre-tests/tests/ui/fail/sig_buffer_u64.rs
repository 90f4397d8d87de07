#![allow(unused)]

use vyre::prelude::*;

#[opcode]
pub fn h(wide: &mut Buffer<u64>) {}

fn main() {}
