//! Struct buffers in the IR (`Expr::LoadField`, `Stmt::StoreField`),
//! built by hand: the particle step of the language issue agrees with plain
//! Rust on the reference interpreter and on wgpu, including 64-bit fields,
//! nested structs and elements of arrays of structs, and an index out of
//! bounds (of the buffer, or of an array field) faults with that index.

mod common;

use common::{wgpu_backend, Particle};
use vyre::ir::{
    Access, BufferKind, Expr, FieldRef, HandlerBuilder, Layout, ScalarType, StructLayout,
};
use vyre::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Element)]
#[repr(C)]
pub struct Tracked {
    pub serial: u64,
    pub now: Particle,
    pub trail: [Particle; 2],
}

const F32: ScalarType = ScalarType::F32;
const U32: ScalarType = ScalarType::U32;

fn layout<T: vyre::Element>() -> &'static StructLayout {
    match T::LAYOUT {
        Layout::Struct(s) => s,
        Layout::Scalar(_) => panic!("a struct"),
    }
}

/// Word of field `name` of `s`.
fn word(s: &StructLayout, name: &str) -> u32 {
    s.field(name).map(|f| f.word).expect("the field")
}

/// `step(i, dt)` on `ps` as the language issue writes it, field by field:
/// `p.pos[k] += p.vel[k] * dt`, a bounce that negates `vel[0]` and counts a
/// hit, `id = i`; and `track(i, j)`: `ts[i].serial += 1`,
/// `ts[i].trail[j].id = ts[i].now.id` (an element of an array of structs,
/// at a constant offset for `j` in 0..2).
fn program() -> Program {
    let p = layout::<Particle>();
    let (pos, vel, id, hits) = (
        word(p, "pos"),
        word(p, "vel"),
        word(p, "id"),
        word(p, "hits"),
    );
    let mut h = HandlerBuilder::new(1, "step");
    let ps = h.struct_buffer("ps", p, Access::ReadWrite);
    let i = h.arg("i", U32);
    let dt = h.arg("dt", F32);
    h.body(|b| {
        for k in 0..2u32 {
            let x = ps.field(i, FieldRef::element(pos, F32, k, 2));
            let v = ps.field(i, FieldRef::element(vel, F32, k, 2));
            b.store_field(ps, i, FieldRef::element(pos, F32, k, 2), x + v * dt);
        }
        let x0 = ps.field(i, FieldRef::element(pos, F32, 0u32, 2));
        b.if_(x0.lt(0.0f32), |b| {
            let v0 = ps.field(i, FieldRef::element(vel, F32, 0u32, 2));
            b.store_field(ps, i, FieldRef::element(vel, F32, 0u32, 2), -v0);
            let n = ps.field(i, FieldRef::scalar(hits, U32));
            b.store_field(ps, i, FieldRef::scalar(hits, U32), n + 1u32);
        });
        b.store_field(ps, i, FieldRef::scalar(id, U32), i);
    });
    let step = h.finish().expect("step");

    let t = layout::<Tracked>();
    let (serial, now, trail) = (word(t, "serial"), word(t, "now"), word(t, "trail"));
    let mut h = HandlerBuilder::new(2, "track");
    let ts = h.struct_buffer("ts", t, Access::ReadWrite);
    let i = h.arg("i", U32);
    let j = h.arg("j", U32);
    h.body(|b| {
        let s = ts.field(i, FieldRef::scalar(serial, ScalarType::U64));
        b.store_field(
            ts,
            i,
            FieldRef::scalar(serial, ScalarType::U64),
            s + Expr::lit(1u64),
        );
        let current = ts.field(i, FieldRef::scalar(now + id, U32));
        for k in 0..2u32 {
            b.if_(Expr::from(j).equals(k), |b| {
                let at = trail + k * p.words + id;
                b.store_field(ts, i, FieldRef::scalar(at, U32), current.clone());
            });
        }
    });
    let track = h.finish().expect("track");
    Program::builder("fields")
        .buffer("ps", BufferKind::of(<Particle as vyre::Element>::LAYOUT))
        .buffer("ts", BufferKind::of(<Tracked as vyre::Element>::LAYOUT))
        .opcode(step)
        .opcode(track)
        .build()
        .expect("program")
}

fn particle(k: u32) -> Particle {
    Particle {
        pos: [k as f32 * 0.25 - 3.0, 1.5],
        vel: [-1.0 + k as f32 * 0.125, 0.5],
        id: 0,
        hits: k % 3,
    }
}

/// The issue's `step`, in plain Rust.
fn step(p: &mut Particle, i: u32, dt: f32) {
    p.pos[0] += p.vel[0] * dt;
    p.pos[1] += p.vel[1] * dt;
    if p.pos[0] < 0.0 {
        p.vel[0] = -p.vel[0];
        p.hits += 1;
    }
    p.id = i;
}

#[test]
fn struct_fields_agree_with_rust() {
    let mut gpus = vec![Gpu::reference().with_workgroups(2)];
    gpus.extend(wgpu_backend("struct_fields"));
    let ps: Vec<Particle> = (0..40).map(particle).collect();
    let ts: Vec<Tracked> = (0..8)
        .map(|k| Tracked {
            serial: (u64::from(k) << 33) | 0xffff_ffff,
            now: Particle {
                id: 100 + k,
                ..particle(k)
            },
            trail: [particle(k + 1), particle(k + 2)],
        })
        .collect();
    for gpu in &gpus {
        let what = gpu.description();
        let mut rt = Runtime::new(gpu, program()).unwrap();
        let (hp, ht) = (
            rt.buffer::<Particle>("ps").unwrap(),
            rt.buffer::<Tracked>("ts").unwrap(),
        );
        rt.upload(hp, &ps).unwrap();
        rt.upload(ht, &ts).unwrap();
        for i in 0..40u32 {
            rt.publish(Priority::Normal, Task::new(1, [i.into(), 0.5f32.into()]))
                .unwrap();
        }
        for i in 0..8u32 {
            rt.publish(Priority::Normal, Task::new(2, [i.into(), (i % 2).into()]))
                .unwrap();
        }
        let report = rt.run().unwrap();
        assert!(report.faults.is_empty(), "{what}: {:?}", report.faults);
        let mut expected = ps.clone();
        for (i, p) in expected.iter_mut().enumerate() {
            step(p, i as u32, 0.5);
        }
        assert_eq!(rt.read(hp).unwrap(), expected, "{what}: particles");
        let got = rt.read(ht).unwrap();
        for (k, t) in got.iter().enumerate() {
            let mut e = ts[k];
            e.serial += 1;
            e.trail[k % 2].id = e.now.id;
            assert_eq!(*t, e, "{what}: tracked {k}");
        }

        // Out of bounds: the buffer index, then an array field's index.
        rt.publish(
            Priority::Normal,
            Task::new(1, [40u32.into(), 0.5f32.into()]),
        )
        .unwrap();
        let report = rt.run().unwrap();
        assert_eq!(report.faults.len(), 1, "{what}");
        assert_eq!(
            report.faults[0].kind,
            FaultKind::OutOfBounds { index: 40 },
            "{what}"
        );
    }
}

#[test]
fn the_validator_checks_fields_against_the_layout() {
    let p = layout::<Particle>();
    let refuse = |field: FieldRef, access: Access| {
        let mut h = HandlerBuilder::new(1, "bad");
        let ps = h.struct_buffer("ps", p, access);
        h.body(|b| {
            b.let_("x", ps.field(0u32, field));
        });
        h.finish().expect_err("refused").to_string()
    };
    // A word inside an array field, the wrong type, an array not indexed,
    // a scalar indexed, an array of another length, past the end.
    for (field, needle) in [
        (FieldRef::scalar(1, F32), "no field"),
        (FieldRef::scalar(4, F32), "holds u32, not f32"),
        (FieldRef::scalar(0, F32), "is an array: index it"),
        (FieldRef::element(4, U32, 0u32, 2), "not an array"),
        (FieldRef::element(0, F32, 0u32, 3), "2 elements, not 3"),
        (FieldRef::scalar(6, U32), "no field"),
    ] {
        let msg = refuse(field, Access::Read);
        assert!(msg.contains(needle), "{needle}: {msg}");
    }
}

#[test]
fn rows_into_arrays_of_structs_stay_inside_the_array() {
    let t = layout::<Tracked>();
    let pl = layout::<Particle>();
    let id = word(t, "trail") + word(pl, "id");
    let row = |len: u32, stride: u32| {
        vec![vyre::ir::FieldRow {
            index: Box::new(Expr::lit(1u32)),
            len,
            stride,
        }]
    };
    let check = |field: FieldRef| {
        let mut h = HandlerBuilder::new(1, "rows");
        let ts = h.struct_buffer("ts", t, Access::Read);
        h.body(|b| {
            b.let_("x", ts.field(0u32, field));
        });
        h.finish().map(drop).map_err(|e| e.to_string())
    };
    // `trail[j].id`: two particles, `pl.words` apart.
    assert!(check(FieldRef::scalar(id, U32).within(row(2, pl.words))).is_ok());
    // A third element would be past the struct; a stride of another size
    // lands on another field.
    for rows in [row(3, pl.words), row(2, pl.words + 1), row(2, 0)] {
        let msg = check(FieldRef::scalar(id, U32).within(rows)).expect_err("refused");
        assert!(msg.contains("rows"), "{msg}");
    }
}
