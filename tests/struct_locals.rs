//! Struct locals in `#[opcode]` handlers, as the language issue writes
//! them: a whole-struct load (`let mut p = ps[i]`), field and array-element
//! access on the local, a whole-struct store (`ps[i] = p`), a field store
//! through the buffer, copies, whole assignment and struct literals with
//! nested structs — agreeing with plain Rust on the native backend, the
//! reference interpreter and wgpu.

mod common;

use common::{particle, wgpu_backend, Particle};
use vyre::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Element)]
#[repr(C)]
pub struct Pair {
    pub key: u64,
    pub a: Particle,
    pub b: Particle,
}

/// The language issue's `step`, verbatim.
#[opcode(id = 0x700)]
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

/// Copies, whole assignment, literals with a nested struct, a 64-bit field.
#[opcode(id = 0x701)]
pub fn pair(pairs: &mut Buffer<Pair>, ps: &Buffer<Particle>, i: u32, j: u32) {
    let first = ps[i];
    let mut second = first;
    second.id = j;
    second.pos[1] = ps[j].pos[0];
    let mut made = Pair {
        key: (i as u64) << 40 | j as u64,
        a: first,
        b: Particle {
            pos: [1.0, 2.0],
            vel: [0.0; 2],
            id: i + j,
            hits: first.hits * 2,
        },
    };
    if j % 2 == 0 {
        made.a = second;
    }
    made.key += made.b.id as u64;
    pairs[i] = made;
}

/// Kinetic energy of a particle, a struct passed by value to a device
/// function.
#[device]
fn energy(p: Particle, scale: f32) -> f32 {
    (p.vel[0] * p.vel[0] + p.vel[1] * p.vel[1]) * scale
}

/// Counts a hit on its own copy: the caller's struct is unchanged.
#[device]
fn bumped(mut p: Particle) -> u32 {
    p.hits += 1;
    p.hits * 10 + p.id
}

/// Struct arguments of device functions.
#[opcode(id = 0x702)]
pub fn measure(ps: &Buffer<Particle>, es: &mut Buffer<f32>, hs: &mut Buffer<u32>, i: u32) {
    let p = ps[i];
    es[i] = energy(p, 0.5);
    hs[i] = bumped(p) + p.hits;
}

/// `..base` in struct literals: the fields not listed come from a local,
/// in a nested literal too.
#[opcode(id = 0x704)]
pub fn refresh(ps: &mut Buffer<Particle>, pairs: &mut Buffer<Pair>, i: u32) {
    let p = ps[i];
    ps[i] = Particle {
        id: i + 7,
        hits: p.hits + 1,
        ..p
    };
    let old = pairs[i];
    pairs[i] = Pair {
        key: 99,
        b: Particle {
            pos: [1.0, i as f32],
            ..p
        },
        ..old
    };
}

megakernel! {
    /// The struct-local test kernel.
    pub struct Swarm {
        workgroup_size: 64,
        buffers: { ps: Particle, pairs: Pair, es: f32, hs: u32 },
        opcodes: [step, pair, measure, refresh],
    }
}

/// Runs what `k` has published and compares its particles and pairs with
/// plain Rust's.
fn run_and_compare(k: &mut Swarm, eps: &[Particle], epairs: &[Pair], what: &str) {
    let report = k.run().unwrap();
    assert!(report.faults.is_empty(), "{what}: {:?}", report.faults);
    assert_eq!(k.ps().read().unwrap(), eps, "{what}: particles");
    assert_eq!(k.pairs().read().unwrap(), epairs, "{what}: pairs");
}

#[test]
fn struct_locals_agree_with_rust() {
    let mut gpus = vec![Gpu::cpu(), Gpu::reference().with_workgroups(4)];
    gpus.extend(wgpu_backend("struct_locals"));
    let ps: Vec<Particle> = (0..30).map(particle).collect();
    let zero = Pair {
        key: 0,
        a: particle(0),
        b: particle(0),
    };
    let mut eps = Buffer::from(ps.clone());
    for i in 0..30u32 {
        step(&mut eps, i, 0.5);
    }
    let mut epairs = Buffer::from(vec![zero; 30]);
    for i in 0..30u32 {
        pair(&mut epairs, &eps, i, (i * 7) % 30);
    }
    for gpu in &gpus {
        let what = gpu.description();
        let mut k = Swarm::new(gpu).unwrap();
        k.ps().upload(&ps).unwrap();
        k.pairs().upload(&vec![zero; 30]).unwrap();
        for i in 0..30u32 {
            k.publish(Priority::High, step::task(i, 0.5)).unwrap();
        }
        let report = k.run().unwrap();
        assert!(report.faults.is_empty(), "{what}: {:?}", report.faults);
        for i in 0..30u32 {
            k.publish(Priority::Normal, pair::task(i, (i * 7) % 30))
                .unwrap();
        }
        run_and_compare(&mut k, eps.as_slice(), epairs.as_slice(), &what);

        let mut ees = Buffer::from(vec![0.0f32; 30]);
        let mut ehs = Buffer::from(vec![0u32; 30]);
        k.es().upload(&[0.0; 30]).unwrap();
        k.hs().upload(&[0; 30]).unwrap();
        for i in 0..30u32 {
            measure(&eps, &mut ees, &mut ehs, i);
            k.publish(Priority::Normal, measure::task(i)).unwrap();
        }
        let report = k.run().unwrap();
        assert!(report.faults.is_empty(), "{what}: {:?}", report.faults);
        assert_eq!(k.es().read().unwrap(), ees.as_slice(), "{what}: energies");
        assert_eq!(k.hs().read().unwrap(), ehs.as_slice(), "{what}: hits");
    }
}

#[test]
fn struct_update_syntax_agrees_with_rust() {
    let mut gpus = vec![Gpu::cpu(), Gpu::reference().with_workgroups(4)];
    gpus.extend(wgpu_backend("struct_update"));
    let ps: Vec<Particle> = (0..20).map(particle).collect();
    let pairs: Vec<Pair> = (0..20u32)
        .map(|k| Pair {
            key: u64::from(k) << 33,
            a: particle(k + 1),
            b: particle(k + 2),
        })
        .collect();
    let mut eps = Buffer::from(ps.clone());
    let mut epairs = Buffer::from(pairs.clone());
    for i in 0..20u32 {
        refresh(&mut eps, &mut epairs, i);
    }
    for gpu in &gpus {
        let what = gpu.description();
        let mut k = Swarm::new(gpu).unwrap();
        k.ps().upload(&ps).unwrap();
        k.pairs().upload(&pairs).unwrap();
        for i in 0..20u32 {
            k.publish(Priority::Normal, refresh::task(i)).unwrap();
        }
        run_and_compare(&mut k, eps.as_slice(), epairs.as_slice(), &what);
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Element)]
#[repr(C)]
pub struct Tally {
    pub lo: u32,
    pub w: [u32; 2],
}

#[derive(Clone, Copy, Debug, PartialEq, Element)]
#[repr(C)]
pub struct Rec {
    pub id: u32,
    pub inner: Tally,
}

/// `r.inner = made.inner` (a nested struct from another local's field),
/// `r.inner.w = made.inner.w` (an array field), `r.id = made.inner.lo`
/// (a scalar), through the same syntax; and a negative `i32` index.
#[opcode(id = 0x703)]
pub fn nested(recs: &mut Buffer<Rec>, out: &mut Buffer<u32>, i: u32, j: i32) {
    let made = Rec {
        id: i,
        inner: Tally {
            lo: i * 3,
            w: [i, i + 1],
        },
    };
    let before: Tally = recs[i].inner;
    let mut r = recs[i];
    r.inner = made.inner;
    r.inner.w = made.inner.w;
    r.id = made.inner.lo;
    let copied: Tally = r.inner;
    r.id += copied.w[1] + before.lo;
    recs[i] = r;
    let table = [7u32, 8, 9];
    out[i] = table[j as usize];
}

megakernel! {
    /// Nested struct assignment and negative indices.
    pub struct Nested {
        workgroup_size: 64,
        buffers: { recs: Rec, out: u32 },
        opcodes: [nested],
    }
}

#[test]
fn nested_fields_assign_by_shape_and_negative_indices_fault_alike() {
    let start: Vec<Rec> = (0..8u32)
        .map(|k| Rec {
            id: 100 + k,
            inner: Tally { lo: k, w: [k, k] },
        })
        .collect();
    let mut gpus = vec![Gpu::cpu(), Gpu::reference()];
    gpus.extend(wgpu_backend("struct_locals_nested"));
    for gpu in &gpus {
        let what = gpu.description();
        let mut k = Nested::new(gpu).unwrap();
        k.recs().upload(&start).unwrap();
        k.out().upload(&[0; 8]).unwrap();
        for i in 0..6u32 {
            k.publish(Priority::Normal, nested::task(i, (i % 3) as i32))
                .unwrap();
        }
        k.publish(Priority::Normal, nested::task(6, -2)).unwrap();
        k.publish(Priority::Normal, nested::task(7, i32::MIN))
            .unwrap();
        let report = k.run().unwrap();
        let mut kinds: Vec<FaultKind> = report.faults.iter().map(|f| f.kind).collect();
        kinds.sort_by_key(|k| format!("{k:?}"));
        // A negative index is past any array: the fault says u32::MAX on
        // every backend (Rust's usize index saturated).
        assert_eq!(
            kinds,
            [
                FaultKind::OutOfBounds { index: u32::MAX },
                FaultKind::OutOfBounds { index: u32::MAX }
            ],
            "{what}"
        );
        let recs = k.recs().read().unwrap();
        for (i, rec) in recs.iter().take(6).enumerate() {
            let u = i as u32;
            let want = Rec {
                id: u * 3 + (u + 1) + start[i].inner.lo,
                inner: Tally {
                    lo: u * 3,
                    w: [u, u + 1],
                },
            };
            assert_eq!(*rec, want, "{what}: rec {i}");
        }
    }
}
