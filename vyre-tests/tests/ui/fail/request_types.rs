#![allow(unused)]

use vyre::prelude::*;

// Every argument and the reply are scalars; a reply is declared.
#[request(id = 1)]
pub fn lookup(key: String, bytes: Vec<u8>) -> u32;

#[request(id = 2)]
pub fn ping(key: u32);

fn main() {}
