#![allow(unused)]

use vyre::prelude::*;

#[opcode]
pub fn h((a, b): (u32, u32)) {}

fn main() {}
