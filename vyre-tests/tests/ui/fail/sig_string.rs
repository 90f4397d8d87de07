#![allow(unused)]

use vyre::prelude::*;

#[opcode]
pub fn h(name: String) {}

fn main() {}
