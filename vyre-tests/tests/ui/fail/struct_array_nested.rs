#![allow(unused)]

use vyre::prelude::*;

#[derive(Clone, Copy, Element)]
#[repr(C)]
pub struct Particle {
    pub pos: [f32; 2],
    pub id: u32,
    pub hits: u32,
}

#[opcode]
pub fn h(ps: &mut Buffer<Particle>, i: u32) {
    let a = [ps[i]; 2];
    let grid = [a; 3];
    ps[i] = grid[1][0];
}

fn main() {}
