#![allow(unused)]

use vyre::prelude::*;

#[opcode]
pub fn h(i: usize) {}

fn main() {}
