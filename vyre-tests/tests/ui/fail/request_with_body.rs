#![allow(unused)]

use vyre::prelude::*;

#[request(id = 1)]
pub fn lookup(key: u32) -> u32 {
    key + 1
}

fn main() {}
