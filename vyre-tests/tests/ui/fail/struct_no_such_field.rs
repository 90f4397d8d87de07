#![allow(unused)]

use vyre::prelude::*;

#[derive(Clone, Copy, Element)]
#[repr(C)]
pub struct Particle {
    pub pos: [f32; 2],
    pub id: u32,
}

#[opcode]
pub fn step(ps: &mut Buffer<Particle>, i: u32) {
    let mut p = ps[i];
    p.nosuch = 1;
    ps[i].pos[0] = ps[i].speed;
}

fn main() {}
