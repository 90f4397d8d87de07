use vyre::prelude::*;

#[derive(Clone, Copy, Element)]
#[repr(C)]
pub struct Particle {
    pub pos: [f32; 2],
    pub id: u32,
}

#[derive(Clone, Copy, Element)]
#[repr(C)]
pub struct Other {
    pub id: u32,
}

#[opcode]
fn step(ps: &mut Buffer<Particle>, i: u32) {
    ps[i].id = i;
}

megakernel! {
    struct Sim {
        buffers: { ps: Other },
        opcodes: [step],
    }
}

fn main() {}
