#![allow(unused)]

use vyre::prelude::*;

#[opcode]
pub fn h(wide: &Buffer<Atomic<u64>>) {}

fn main() {}
