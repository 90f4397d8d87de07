#![allow(unused)]

use vyre::prelude::*;

#[request]
pub fn lookup(key: u32) -> u32;

fn main() {}
