#![allow(unused)]

use vyre::prelude::*;

#[opcode]
pub unsafe fn h(n: u32) {}

fn main() {}
