#![allow(unused)]

use vyre::prelude::*;

#[opcode]
pub struct Visit {
    pub n: u32,
}

fn main() {}
