//! `#[device]` functions that return structs: a tail local, a tail
//! literal, an early `return` of a literal, the result of another device
//! call; bound with `let p: T = f(…);`, assigned to a struct
//! local and stored into a struct buffer — agreeing with plain Rust on the
//! native backend, the reference interpreter and wgpu.

mod common;

use common::{particle, wgpu_backend, Particle};
use vyre::prelude::*;

/// One step of motion, on a copy (the tail is a local).
#[device]
fn advance(p: Particle, dt: f32) -> Particle {
    let mut q = p;
    q.pos[0] += q.vel[0] * dt;
    q.pos[1] += q.vel[1] * dt;
    q.hits += 1;
    q
}

/// Two steps: a struct from one device call passed to the next, whose
/// result is returned as the tail.
#[device]
fn twice(p: Particle, dt: f32) -> Particle {
    let q: Particle = advance(p, dt);
    advance(q, dt)
}

/// A fresh particle (the tail is a literal).
#[device]
fn made(x: f32, id: u32) -> Particle {
    Particle {
        pos: [x, 0.0],
        vel: [1.0, -1.0],
        id,
        hits: 0,
    }
}

/// A particle left of the wall comes back at the wall, still; the others
/// as they are (an early `return` of a literal, then the tail).
#[device]
fn walled(p: Particle) -> Particle {
    if p.pos[0] < 0.0 {
        return Particle {
            pos: [0.0, p.pos[1]],
            vel: [0.0; 2],
            id: p.id,
            hits: p.hits + 100,
        };
    }
    p
}

#[opcode(id = 0x720)]
pub fn evolve(ps: &mut Buffer<Particle>, out: &mut Buffer<Particle>, i: u32, dt: f32) {
    let p = ps[i];
    let q: Particle = twice(p, dt);
    let mut r = q;
    r = walled(r);
    r.id = i;
    out[i] = r;
    if i % 3 == 0 {
        ps[i] = made(i as f32 * 0.5, i + 1000);
    }
}

megakernel! {
    /// The struct-result test kernel.
    pub struct Results {
        workgroup_size: 64,
        buffers: { ps: Particle, out: Particle },
        opcodes: [evolve],
    }
}

#[test]
fn struct_results_agree_with_rust() {
    let mut gpus = vec![Gpu::cpu(), Gpu::reference().with_workgroups(4)];
    gpus.extend(wgpu_backend("struct_results"));
    let n = 30u32;
    let ps: Vec<Particle> = (0..n).map(particle).collect();
    let mut eps = Buffer::from(ps.clone());
    let mut eout = Buffer::from(vec![particle(0); n as usize]);
    for i in 0..n {
        evolve(&mut eps, &mut eout, i, 0.75);
    }
    // The test means something: walls hit and missed, particles made.
    assert!(eout.iter().any(|p| p.hits >= 100) && eout.iter().any(|p| p.hits < 100));
    assert!(eps.iter().any(|p| p.id >= 1000));
    for gpu in &gpus {
        let what = gpu.description();
        let mut k = Results::new(gpu).unwrap();
        k.ps().upload(&ps).unwrap();
        k.out().upload(&vec![particle(0); n as usize]).unwrap();
        for i in 0..n {
            k.publish(Priority::Normal, evolve::task(i, 0.75)).unwrap();
        }
        let report = k.run().unwrap();
        assert!(report.faults.is_empty(), "{what}: {:?}", report.faults);
        assert_eq!(k.out().read().unwrap(), eout.as_slice(), "{what}: results");
        assert_eq!(k.ps().read().unwrap(), eps.as_slice(), "{what}: made");
    }
}
