#![allow(unused)]

use vyre::prelude::*;

#[derive(Clone, Copy, Element)]
#[repr(C)]
pub struct Particle {
    pub pos: [f32; 2],
    pub id: u32,
}

#[opcode]
pub fn reset(ps: &mut Buffer<Particle>, i: u32) {
    ps[i] = Particle { id: i, ..ps[0] };
}

fn main() {}
