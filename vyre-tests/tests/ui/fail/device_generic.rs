#![allow(unused)]

use vyre::prelude::*;

#[device]
pub fn id<T>(v: T) -> T {
    v
}

fn main() {}
