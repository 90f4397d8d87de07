#![allow(unused)]

use vyre::prelude::*;

#[opcode]
pub fn h(p: Priority) {}

fn main() {}
