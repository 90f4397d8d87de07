#![allow(unused)]

use vyre::prelude::*;

#[opcode]
pub fn h(flags: &Buffer<bool>) {}

fn main() {}
