#![allow(unused)]

use vyre::prelude::*;

#[opcode]
pub fn h(sums: &Buffer<Atomic<f32>>) {}

fn main() {}
