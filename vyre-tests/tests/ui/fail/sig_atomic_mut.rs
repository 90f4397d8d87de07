#![allow(unused)]

use vyre::prelude::*;

#[opcode]
pub fn h(counts: &mut Buffer<Atomic<u32>>) {}

fn main() {}
