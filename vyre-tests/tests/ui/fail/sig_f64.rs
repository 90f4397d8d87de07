#![allow(unused)]

use vyre::prelude::*;

#[opcode]
pub fn h(x: f64) {}

fn main() {}
