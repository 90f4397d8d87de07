#![allow(unused)]

use vyre::prelude::*;

#[opcode]
pub fn h(v: [u32; 4]) {}

fn main() {}
