#![allow(unused)]

use vyre::prelude::*;

#[derive(Clone, Copy, Element)]
#[repr(C)]
pub struct Particle {
    pub pos: [f32; 2],
    pub id: u32,
}

#[opcode]
pub fn step(out: &mut Buffer<u32>, p: Particle) {}

fn main() {}
