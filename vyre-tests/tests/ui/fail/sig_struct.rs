#![allow(unused)]

use vyre::prelude::*;

pub struct Point {
    pub x: u32,
}

#[opcode]
pub fn h(p: Point) {}

fn main() {}
