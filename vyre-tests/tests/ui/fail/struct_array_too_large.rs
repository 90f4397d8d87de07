#![allow(unused)]

use vyre::prelude::*;

#[derive(Clone, Copy, Element)]
#[repr(C)]
pub struct Particle {
    pub pos: [f32; 2],
    pub id: u32,
    pub hits: u32,
}

// 600 elements: 600 ids fit a local array, 1,200 positions do not.
#[opcode]
pub fn h(ps: &mut Buffer<Particle>, i: u32) {
    let mut a = [ps[i]; 600];
    a[1].id = i;
    ps[i] = a[1];
}

fn main() {}
