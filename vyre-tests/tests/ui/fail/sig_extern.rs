#![allow(unused)]

use vyre::prelude::*;

#[opcode]
pub extern "C" fn h(n: u32) {}

fn main() {}
