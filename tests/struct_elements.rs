//! `#[derive(Element)]` structs as buffer elements: the derive's layout
//! matches Rust's `repr(C)` layout, and a megakernel's struct buffer is
//! uploaded, written, resized and read back unchanged on the native
//! backend, the reference interpreter and wgpu.

mod common;

use common::{wgpu_backend, Particle};
use vyre::ir::{FieldLayout, Layout, ScalarType};
use vyre::prelude::*;

/// A struct with a 64-bit field, a nested struct and an array of structs.
#[derive(Clone, Copy, Debug, PartialEq, Element)]
#[repr(C)]
pub struct Record {
    pub key: u64,
    pub signed: i64,
    pub best: Particle,
    pub history: [Particle; 2],
    pub flags: [u32; 3],
    pub tail: i32,
}

/// Counts its calls, so the kernel has an opcode.
#[opcode(id = 0x500)]
pub fn count(hits: &Buffer<Atomic<u32>>) {
    hits[0].fetch_add(1);
}

megakernel! {
    /// Struct buffers next to a scalar one.
    pub struct Structs {
        workgroup_size: 64,
        buffers: { hits: Atomic<u32>, ps: Particle, records: Record },
        opcodes: [count],
    }
}

fn particle(k: u32) -> Particle {
    Particle {
        pos: [k as f32 * 0.5, -(k as f32)],
        vel: [1.0 / (k as f32 + 1.0), f32::from_bits(0x7fc0_0000 | k)],
        id: k,
        hits: k.wrapping_mul(2_654_435_761),
    }
}

/// A particle without NaN, so records compare with `==`.
fn calm(k: u32) -> Particle {
    Particle {
        vel: [0.25, k as f32],
        ..particle(k)
    }
}

fn record(k: u32) -> Record {
    Record {
        key: u64::from(k) << 40 | 0xdead_beef,
        signed: -i64::from(k) * 1_000_000_007,
        best: calm(k),
        history: [calm(k + 1), calm(k + 2)],
        flags: [k, !k, k ^ 0x5555_5555],
        tail: -(k as i32),
    }
}

#[test]
fn the_layout_is_rusts_repr_c_layout() {
    let Layout::Struct(p) = <Particle as vyre::Element>::LAYOUT else {
        panic!("a struct layout");
    };
    assert_eq!(p.name, "Particle");
    assert_eq!(p.words, 6);
    let f32s = Layout::Scalar(ScalarType::F32);
    assert_eq!(
        p.fields[0],
        FieldLayout {
            name: "pos",
            word: 0,
            ty: f32s,
            len: Some(2)
        }
    );
    assert_eq!(p.field("id").map(|f| (f.word, f.len)), Some((4, None)));
    let Layout::Struct(r) = <Record as vyre::Element>::LAYOUT else {
        panic!("a struct layout");
    };
    assert_eq!(r.words as usize * 4, std::mem::size_of::<Record>());
    let words: Vec<(&str, u32, u32)> = r
        .fields
        .iter()
        .map(|f| (f.name, f.word, f.words()))
        .collect();
    assert_eq!(
        words,
        [
            ("key", 0, 2),
            ("signed", 2, 2),
            ("best", 4, 6),
            ("history", 10, 12),
            ("flags", 22, 3),
            ("tail", 25, 1)
        ]
    );
    assert_eq!(
        r.field("history").map(|f| f.ty),
        Some(<Particle as vyre::Element>::LAYOUT)
    );
}

#[test]
fn struct_buffers_round_trip_on_every_backend() {
    let mut gpus = vec![Gpu::cpu(), Gpu::reference()];
    gpus.extend(wgpu_backend("struct_elements"));
    let ps: Vec<Particle> = (0..100).map(particle).collect();
    let rs: Vec<Record> = (0..37).map(record).collect();
    for gpu in &gpus {
        let what = gpu.description();
        let mut k = Structs::new(gpu).unwrap();
        k.hits().upload(&[0]).unwrap();
        k.ps().upload(&ps).unwrap();
        k.records().upload(&rs).unwrap();
        k.publish(Priority::Normal, count::task()).unwrap();
        assert_eq!(k.run().unwrap().executed, 1, "{what}");
        // NaN payloads compare by bits: compare the bytes.
        let read = k.ps().read().unwrap();
        assert_eq!(
            bytemuck_bytes(&read),
            bytemuck_bytes(&ps),
            "{what}: particles"
        );
        assert_eq!(k.records().read().unwrap(), rs, "{what}: records");
        // A partial write, a read of a range, a resize that keeps the prefix.
        k.ps().write(10, &[particle(999)]).unwrap();
        let back = k.ps().read_range(9, 3).unwrap();
        assert_eq!(back[1].id, 999, "{what}");
        assert_eq!(back[2].id, 11, "{what}");
        k.records().resize(40).unwrap();
        let grown = k.records().read().unwrap();
        assert_eq!(&grown[..37], &rs[..], "{what}");
        assert_eq!(grown[39].key, 0, "{what}: new elements are zero");
        assert!(
            k.ps().write(100, &[particle(1)]).is_err(),
            "{what}: out of range"
        );
    }
}

#[test]
fn a_struct_buffer_is_read_as_its_own_type_only() {
    let k = Structs::new(&Gpu::reference()).unwrap();
    let rt = k.runtime();
    assert!(rt.buffer::<Particle>("ps").is_ok());
    let wrong = rt.buffer::<Record>("ps").unwrap_err();
    assert_eq!(wrong.to_string(), "buffer `ps` holds Particle, not Record");
    assert!(rt.buffer::<u32>("ps").is_err());
    assert!(rt.buffer::<Particle>("hits").is_err());
}

fn bytemuck_bytes(ps: &[Particle]) -> Vec<u32> {
    ps.iter()
        .flat_map(|p| {
            [
                p.pos[0].to_bits(),
                p.pos[1].to_bits(),
                p.vel[0].to_bits(),
                p.vel[1].to_bits(),
                p.id,
                p.hits,
            ]
        })
        .collect()
}
