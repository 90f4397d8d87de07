#![allow(unused)]

use vyre::prelude::*;

pub struct S;

impl S {
    #[opcode]
    pub fn h(&self, n: u32) {}
}

fn main() {}
