#![allow(unused)]

use vyre::prelude::*;

#[derive(Clone, Copy, Element)]
#[repr(C)]
pub struct Particle {
    pub pos: [f32; 2],
    pub id: u32,
}

#[derive(Clone, Copy, Element)]
#[repr(C)]
pub struct Swarm {
    pub lead: Particle,
    pub all: [Particle; 4],
}

#[opcode]
pub fn step(ps: &mut Buffer<Particle>, swarms: &Buffer<Swarm>, i: u32) {
    ps[i].id = swarms[i].all[1].id;
}

fn main() {}
