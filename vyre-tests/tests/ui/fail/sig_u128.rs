#![allow(unused)]

use vyre::prelude::*;

#[opcode]
pub fn h(n: u128) {}

fn main() {}
