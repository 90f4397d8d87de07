#![allow(unused)]

use vyre::prelude::*;

#[opcode]
pub fn h(_: u32) {}

fn main() {}
