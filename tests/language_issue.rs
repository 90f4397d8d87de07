//! The language issue's program, verbatim: a `#[derive(Element)]` struct,
//! a struct-buffer handler, a handler with a local array, a 64-bit
//! handler, one megakernel over all three; run on every backend and
//! checked against the same functions called as plain Rust.

mod common;

use common::wgpu_backend;
use vyre::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Element)]
#[repr(C)]
pub struct Particle {
    pub pos: [f32; 2],
    pub vel: [f32; 2],
    pub id: u32,
    pub hits: u32,
}

#[opcode]
pub fn step(ps: &mut Buffer<Particle>, i: u32, dt: f32) {
    let mut p = ps[i]; // whole-struct load
    p.pos[0] += p.vel[0] * dt; // field and array-element access
    p.pos[1] += p.vel[1] * dt;
    if p.pos[0] < 0.0 {
        p.vel[0] = -p.vel[0];
        p.hits += 1;
    }
    ps[i] = p; // whole-struct store
    ps[i].id = i; // field store through the buffer
}

#[opcode]
pub fn dfs(out: &mut Buffer<u32>, root: u32) {
    let mut stack = [0u32; 32]; // fixed-size local array
    let mut top = 1u32;
    stack[0] = root;
    let mut seen = 0u32;
    while top > 0 {
        top -= 1;
        let v = stack[top as usize]; // Rust arrays index by `usize`: the cast is the form
        seen += 1;
        if v < 64 {
            stack[top as usize] = 2 * v + 1;
            stack[(top + 1) as usize] = 2 * v + 2;
            top += 2;
        }
    }
    out[root] = seen;
}

#[opcode]
pub fn mix64(wide: &mut Buffer<u64>, i: u32, seed: u64) {
    let mut z = seed.wrapping_add((i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    wide[i] = z ^ (z >> 31);
}

megakernel! {
    pub struct Sim {
        buffers: { ps: Particle, out: u32, wide: u64 },
        opcodes: [step, dfs, mix64],
    }
}

#[test]
fn the_issue_program_behaves_as_written_on_every_backend() {
    let ps: Vec<Particle> = (0..64u32)
        .map(|k| Particle {
            pos: [k as f32 * 0.1 - 2.0, -(k as f32)],
            vel: [0.75 - k as f32 * 0.05, 1.25],
            id: 0,
            hits: k % 4,
        })
        .collect();
    let mut eps = Buffer::from(ps.clone());
    let mut eout = Buffer::from(vec![0u32; 64]);
    let mut ewide = Buffer::from(vec![0u64; 64]);
    for i in 0..64u32 {
        step(&mut eps, i, 0.25);
        dfs(&mut eout, i);
        mix64(&mut ewide, i, 0xDEAD_BEEF_0000_0001);
    }
    let mut gpus = vec![Gpu::cpu(), Gpu::reference()];
    gpus.extend(wgpu_backend("language_issue"));
    for gpu in &gpus {
        let what = gpu.description();
        let mut sim = Sim::new(gpu).unwrap();
        sim.ps().upload(&ps).unwrap();
        sim.out().upload(&[0; 64]).unwrap();
        sim.wide().upload(&[0; 64]).unwrap();
        for i in 0..64u32 {
            sim.publish(Priority::Normal, step::task(i, 0.25)).unwrap();
            sim.publish(Priority::Normal, dfs::task(i)).unwrap();
            sim.publish(Priority::Normal, mix64::task(i, 0xDEAD_BEEF_0000_0001))
                .unwrap();
        }
        let report = sim.run().unwrap();
        assert!(report.faults.is_empty(), "{what}: {:?}", report.faults);
        assert_eq!(report.executed, 192, "{what}");
        assert_eq!(sim.ps().read().unwrap(), eps.as_slice(), "{what}: step");
        assert_eq!(sim.out().read().unwrap(), eout.as_slice(), "{what}: dfs");
        assert_eq!(
            sim.wide().read().unwrap(),
            ewide.as_slice(),
            "{what}: mix64"
        );
    }
}
