//! The program under test: four handlers that together fault in every
//! way, spawn past partition capacity, print and shut down; the buffers
//! they touch; the tiny configurations the fuzzer picks from; and a second
//! program whose handles must be refused.

use vyre::ir::{Access, BufferKind, HandlerBuilder, ScalarType};
use vyre::prelude::*;
use vyre::program::{OpcodeHandler, ProgramConfig};

pub const U32: ScalarType = ScalarType::U32;

pub const WORK: u32 = 1;
pub const FORK: u32 = 2;
pub const FAULTY: u32 = 3;
pub const FLOAT: u32 = 4;
/// Opcode ids the programs do not contain (one in the reserved range).
pub const STRANGERS: [u32; 3] = [0, 99, 0xFFFF_0001];

/// `work(i, v)`: `hits[0] += 1; data[i] = data[i] + v` — out of bounds
/// whenever the host made the buffers short.
pub fn work() -> OpcodeHandler {
    let mut h = HandlerBuilder::new(WORK, "work");
    let data = h.buffer("data", U32, Access::ReadWrite);
    let hits = h.buffer("hits", U32, Access::Atomic);
    let i = h.arg("i", U32);
    let v = h.arg("v", U32);
    h.body(|b| {
        b.eval(hits.fetch_add(0u32, 1u32));
        b.store(data, i, data.at(i) + v);
    });
    h.finish().unwrap()
}

/// `fork(depth, fan, prio)`: spawns `fan & 3` children `fork(d - 1, fan,
/// prio)` at priority `prio` while `d = depth & 3 > 0`. Tiny partitions
/// make most of a tree overflow; `prio > 4` faults the first spawn.
pub fn fork() -> OpcodeHandler {
    let mut h = HandlerBuilder::new(FORK, "fork");
    let depth = h.arg("depth", U32);
    let fan = h.arg("fan", U32);
    let prio = h.arg("prio", U32);
    h.body(|b| {
        let d = b.let_("d", depth & 3u32);
        b.if_(d.gt(0u32), |b| {
            b.for_range("k", 0u32, fan & 3u32, |b, _| {
                b.spawn(prio, FORK, vec![d - 1u32, fan.into(), prio.into()]);
            });
        });
    });
    h.finish().unwrap()
}

/// `faulty(kind, v)`: by `kind`, a user fault, a division by zero, an
/// endless loop, a spawn at priority `v`, a store at `data[v]`, a
/// shutdown, a printf, or nothing.
pub fn faulty() -> OpcodeHandler {
    let mut h = HandlerBuilder::new(FAULTY, "faulty");
    let data = h.buffer("data", U32, Access::ReadWrite);
    let kind = h.arg("kind", U32);
    let v = h.arg("v", U32);
    type Arm<'a> = Box<dyn FnOnce(&mut vyre::ir::BlockBuilder<'_>) + 'a>;
    let arms: Vec<(Vec<Literal>, Arm<'_>)> = vec![
        (vec![Literal::U32(0)], Box::new(move |b| b.fault(v))),
        (
            vec![Literal::U32(1)],
            Box::new(move |b| b.store(data, 0u32, v / (kind - 1u32))),
        ),
        (vec![Literal::U32(2)], Box::new(|b| b.loop_(|_| {}))),
        (
            vec![Literal::U32(3)],
            Box::new(move |b| {
                b.spawn(v, WORK, vec![0u32.into(), 0u32.into()]);
            }),
        ),
        (
            vec![Literal::U32(4)],
            Box::new(move |b| b.store(data, v, 1u32)),
        ),
        (vec![Literal::U32(5)], Box::new(|b| b.shutdown())),
        (
            vec![Literal::U32(6)],
            Box::new(move |b| b.printf("faulty {} {}", vec![kind.into(), v.into()])),
        ),
    ];
    h.body(|b| b.switch(kind, arms, |_| {}));
    h.finish().unwrap()
}

/// `float(x, on, n)`: `if on { fdata[0] = x * n as f32 }` — bool, f32 and
/// i32 arguments for the type checks.
pub fn float() -> OpcodeHandler {
    let mut h = HandlerBuilder::new(FLOAT, "float");
    let fdata = h.buffer("fdata", ScalarType::F32, Access::ReadWrite);
    let x = h.arg("x", ScalarType::F32);
    let on = h.arg("on", ScalarType::Bool);
    let n = h.arg("n", ScalarType::I32);
    h.body(|b| b.if_(on, |b| b.store(fdata, 0u32, x * n.cast(ScalarType::F32))));
    h.finish().unwrap()
}

/// Declared buffers: name, kind. `idata` is used by no handler.
pub const BUFFERS: [(&str, BufferKind); 4] = [
    ("data", BufferKind::plain(U32)),
    ("hits", BufferKind::atomic(U32)),
    ("fdata", BufferKind::plain(ScalarType::F32)),
    ("idata", BufferKind::plain(ScalarType::I32)),
];

/// The small configurations the fuzzer picks from: tiny rings and inboxes
/// so partitions fill, spawns overflow and the host queue backs up.
pub fn configs() -> [ProgramConfig; 3] {
    [
        ProgramConfig {
            workgroup_size: 2,
            slots: 10,
            tenants: 3,
            inbox_capacity: 4,
            claim_budget: 4,
            iteration_budget: 256,
            loop_limit: 64,
            starvation_limit: 2,
            printf_capacity: 4,
            ..ProgramConfig::default()
        },
        ProgramConfig {
            workgroup_size: 4,
            slots: 23,
            partition_sizes: Some([1, 2, 15, 4, 1]),
            tenants: 2,
            inbox_capacity: 8,
            claim_budget: 64,
            iteration_budget: 1024,
            loop_limit: 40,
            starvation_limit: 0,
            printf_capacity: 2,
            request_slots: 4,
            // The ring grows between runs when published work overflows
            // a partition: the fuzzed traces cover resizing too.
            grow_ring: true,
            auto_dispatch: true,
            sharded: false,
        },
        ProgramConfig {
            workgroup_size: 1,
            slots: 5,
            tenants: 1,
            inbox_capacity: 1,
            claim_budget: 1,
            iteration_budget: 16,
            loop_limit: 32,
            starvation_limit: 1,
            printf_capacity: 1,
            // The sharded form: every host call's model holds for it too.
            sharded: true,
            ..ProgramConfig::default()
        },
    ]
}

pub fn program(config: &ProgramConfig) -> Program {
    let mut b = Program::builder("fuzz").config(config.clone());
    for (name, kind) in BUFFERS {
        b = b.buffer(name, kind);
    }
    b.opcode(work())
        .opcode(fork())
        .opcode(faulty())
        .opcode(float())
        .build()
        .unwrap()
}

/// A second program with more buffers, whose handles the fuzzer passes to
/// the runtime under test: handles of another runtime must be refused.
pub fn other_program() -> Program {
    let mut h = HandlerBuilder::new(1, "noop");
    h.body(|_| {});
    let mut b = Program::builder("other");
    for (i, kind) in [
        BufferKind::plain(ScalarType::F32),
        BufferKind::plain(U32),
        BufferKind::plain(U32),
        BufferKind::plain(U32),
        BufferKind::plain(U32),
        BufferKind::plain(ScalarType::I32),
    ]
    .into_iter()
    .enumerate()
    {
        b = b.buffer(format!("b{i}"), kind);
    }
    b.opcode(h.finish().unwrap()).build().unwrap()
}
