//! Struct buffers in `#[opcode]` handlers: fields read and written through
//! the buffer (`ps[i].pos[0] += ps[i].vel[0] * dt`, nested fields, 64-bit
//! fields, compound assignment) agree with plain Rust on the native
//! backend, the reference interpreter and wgpu; an index out of bounds
//! (of the buffer or of an array field) is the same fault on all three.

mod common;

use common::{every_backend, particle, Particle};
use vyre::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Element)]
#[repr(C)]
pub struct Body {
    pub mass: u64,
    pub p: Particle,
    pub tags: [i32; 3],
    pub last: i32,
}

/// The language issue's particle step, field by field through the buffer.
#[opcode(id = 0x600)]
pub fn step(ps: &mut Buffer<Particle>, i: u32, dt: f32) {
    ps[i].pos[0] += ps[i].vel[0] * dt;
    ps[i].pos[1] += ps[i].vel[1] * dt;
    if ps[i].pos[0] < 0.0 {
        ps[i].vel[0] = -ps[i].vel[0];
        ps[i].hits += 1;
    }
    ps[i].id = i;
}

/// Nested and 64-bit fields, an array field indexed by a task argument,
/// a read-only struct buffer.
#[opcode(id = 0x601)]
pub fn weigh(bodies: &mut Buffer<Body>, ps: &Buffer<Particle>, i: u32, k: u32) {
    let extra = ps[i].hits as u64;
    bodies[i].mass = bodies[i].mass.wrapping_mul(3) + extra;
    bodies[i].p.id = ps[i].id ^ 0xff;
    bodies[i].tags[k as usize] -= 7;
    bodies[i].last = bodies[i].tags[k as usize] + bodies[i].p.pos[1] as i32;
}

megakernel! {
    /// The struct-handler test kernel.
    pub struct Sim {
        workgroup_size: 64,
        buffers: { ps: Particle, bodies: Body },
        opcodes: [step, weigh],
    }
}

fn body(k: u32) -> Body {
    Body {
        mass: (u64::from(k) << 34) | 5,
        p: particle(k + 7),
        tags: [k as i32, -(k as i32), 100],
        last: 0,
    }
}

#[test]
fn struct_fields_in_handlers_agree_with_rust() {
    let gpus = every_backend("struct_handlers", 4);
    let ps: Vec<Particle> = (0..50).map(particle).collect();
    let bodies: Vec<Body> = (0..20).map(body).collect();
    // Plain Rust: the same functions on host buffers.
    let mut eps = Buffer::from(ps.clone());
    let mut ebodies = Buffer::from(bodies.clone());
    for i in 0..50u32 {
        step(&mut eps, i, 0.5);
    }
    for i in 0..20u32 {
        weigh(&mut ebodies, &eps, i, i % 3);
    }
    for gpu in &gpus {
        let what = gpu.description();
        let mut k = Sim::new(gpu).unwrap();
        k.ps().upload(&ps).unwrap();
        k.bodies().upload(&bodies).unwrap();
        for i in 0..50u32 {
            k.publish(Priority::High, step::task(i, 0.5)).unwrap();
        }
        let report = k.run().unwrap();
        assert!(report.faults.is_empty(), "{what}: {:?}", report.faults);
        for i in 0..20u32 {
            k.publish(Priority::Normal, weigh::task(i, i % 3)).unwrap();
        }
        let report = k.run().unwrap();
        assert!(report.faults.is_empty(), "{what}: {:?}", report.faults);
        assert_eq!(k.ps().read().unwrap(), eps.as_slice(), "{what}: particles");
        assert_eq!(
            k.bodies().read().unwrap(),
            ebodies.as_slice(),
            "{what}: bodies"
        );

        // Out of bounds: the buffer index, then the array field's index.
        k.publish(Priority::Normal, step::task(50, 0.5)).unwrap();
        k.publish(Priority::Low, weigh::task(1, 3)).unwrap();
        let report = k.run().unwrap();
        let mut kinds: Vec<FaultKind> = report.faults.iter().map(|f| f.kind).collect();
        kinds.sort_by_key(|k| format!("{k:?}"));
        assert_eq!(
            kinds,
            [
                FaultKind::OutOfBounds { index: 3 },
                FaultKind::OutOfBounds { index: 50 }
            ],
            "{what}"
        );
    }
}
