#![allow(unused)]

use vyre::prelude::*;

#[device]
pub fn seq(n: u32) -> Vec<u32> {
    vec![n]
}

fn main() {}
