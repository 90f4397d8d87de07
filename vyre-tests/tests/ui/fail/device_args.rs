#![allow(unused)]

use vyre::prelude::*;

#[device(inline)]
pub fn one() -> u32 {
    1
}

fn main() {}
