#![allow(unused)]

use vyre::prelude::*;

#[opcode]
pub fn h(data: Buffer<u32>) {}

fn main() {}
