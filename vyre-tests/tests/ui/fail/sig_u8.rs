#![allow(unused)]

use vyre::prelude::*;

#[opcode]
pub fn h(byte: u8) {}

fn main() {}
