#![allow(unused)]

use vyre::prelude::*;

#[opcode]
pub fn h(items: Vec<u32>) {}

fn main() {}
