#![allow(unused)]

use vyre::prelude::*;

#[opcode]
pub async fn h(n: u32) {}

fn main() {}
