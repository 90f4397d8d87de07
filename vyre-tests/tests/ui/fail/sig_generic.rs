#![allow(unused)]

use vyre::prelude::*;

#[opcode]
pub fn h<T: Copy>(n: T) {}

fn main() {}
