#![allow(unused)]

use vyre::prelude::*;

#[opcode]
pub fn h(
    a0: u32, a1: u32, a2: u32, a3: u32, a4: u32, a5: u32, a6: u32,
    a7: u32, a8: u32, a9: u32, a10: u32, a11: u32, a12: u32,
) {}

fn main() {}
