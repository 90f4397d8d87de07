//! The generated workloads: a [`Case`] of inputs for every handler, its
//! proptest strategy, and [`run_case`], which publishes it on one backend
//! and collects what every backend must agree on.

use proptest::prelude::*;
use vyre::prelude::*;

use crate::common;
use crate::compare::F32_OPS;
use crate::handlers::{
    arrays, atomics, cells, control, ctx_ops, devices, divide, float_ops, i64_ops, int_ops, lookup,
    prints, signed_ops, spawn_tree, spin, u64_ops, Parity, Rec, Tally, SHARED, STRIDE, TABLE,
};

/// One generated workload.
#[derive(Debug, Clone)]
pub struct Case {
    pub ints: Vec<(u32, u32, u32)>,
    pub signed: Vec<(i32, i32)>,
    pub floats: Vec<(f32, f32)>,
    pub controls: Vec<(u32, i32)>,
    pub atomics: Vec<(u32, i32)>,
    pub atomic_init: Vec<u32>,
    pub data: Vec<u32>,
    pub lookups: Vec<u32>,
    pub divides: Vec<(i32, i32)>,
    pub spins: Vec<(u32, u32)>,
    pub ctxs: Vec<(u32, usize, u32)>,
    pub tree: (u32, u32),
    pub devices: Vec<(u32, u32)>,
    pub prints: Vec<(u32, i32, f32, bool)>,
    pub parked: Option<u32>,
    /// `u64_ops` tasks: (a, b, s).
    pub wides: Vec<(u64, u64, u32)>,
    /// `i64_ops` tasks: (x, y, f).
    pub swides: Vec<(i64, i64, f32)>,
    pub wdata: Vec<u64>,
    /// `arrays` tasks: (a, b, i, j, w).
    pub arrays: Vec<(u32, u32, u32, i32, u64)>,
    /// `cells` tasks: (i, j, e, x, y); task `n` owns `recs[2n]` and
    /// `recs[2n + 1]`, and its `i` and `j` are one of those or out of
    /// bounds.
    pub cells: Vec<(u32, u32, u32, u32, i64)>,
    /// The initial `recs`: two elements per `cells` task, then spares.
    pub recs: Vec<Rec>,
}

impl Case {
    /// The output slot of the first `u64_ops` task (`i64_ops` tasks follow
    /// the `u64_ops` ones), as [`run_case`] numbers them.
    pub fn first_wide(&self) -> usize {
        self.ints.len()
            + self.signed.len()
            + self.floats.len()
            + self.controls.len()
            + self.atomics.len()
            + self.lookups.len()
            + self.divides.len()
            + self.spins.len()
            + self.ctxs.len()
            + self.devices.len()
    }

    /// The output slot of the first `cells` task (after the `u64_ops`,
    /// `i64_ops` and `arrays` ones).
    pub fn first_cell(&self) -> usize {
        self.first_wide() + self.wides.len() + self.swides.len() + self.arrays.len()
    }
}

/// `u64` inputs: the edges of the 32- and 64-bit ranges, small values and
/// any value.
pub fn edge_u64() -> impl Strategy<Value = u64> + Clone {
    prop_oneof![
        any::<u64>(),
        0u64..16,
        Just(0u64),
        Just(1u64),
        Just(u64::MAX),
        Just(1u64 << 63),
        Just(1u64 << 32),
        Just(u32::MAX as u64),
        (0u32..64).prop_map(|s| 1u64 << s),
    ]
}

/// `i64` inputs: as [`edge_u64`], signed.
pub fn edge_i64() -> impl Strategy<Value = i64> + Clone {
    prop_oneof![
        any::<i64>(),
        -16i64..16,
        Just(i64::MIN),
        Just(i64::MAX),
        Just(-1i64),
        Just(0i64),
        Just(1i64),
        Just(1i64 << 32),
        Just(u32::MAX as i64),
        Just(i32::MIN as i64),
    ]
}

/// `recs` elements: edge values in every integer field, `f32` values that
/// are not subnormal (an adapter may flush those), infinities and NaN.
pub fn rec() -> impl Strategy<Value = Rec> {
    let edge_u32 = prop_oneof![any::<u32>(), 0u32..16, Just(u32::MAX), Just(0x8000_0000u32)];
    let edge_i32 = prop_oneof![any::<i32>(), -16i32..16, Just(i32::MIN), Just(i32::MAX)];
    let f = prop_oneof![
        4 => -1e6f32..1e6,
        1 => Just(0.0f32),
        1 => Just(-0.0f32),
        1 => Just(f32::INFINITY),
        1 => Just(f32::NAN),
        1 => Just(3.0e38f32),
    ];
    (
        (
            edge_u64(),
            edge_i64(),
            prop::array::uniform4(edge_u32.clone()),
        ),
        (
            edge_u32.clone(),
            edge_i32.clone(),
            prop::array::uniform2(edge_u32),
        ),
        (prop::array::uniform3(edge_i32), f),
    )
        .prop_map(|((key, skey, vals), (lo, sign, w), (bins, f))| Rec {
            key,
            skey,
            vals,
            inner: Tally { lo, sign, w },
            bins,
            f,
        })
}

pub fn case() -> impl Strategy<Value = Case> {
    let edge_u32 = prop_oneof![any::<u32>(), 0u32..16, Just(u32::MAX), Just(0x8000_0000u32)];
    let edge_i32 = prop_oneof![any::<i32>(), -16i32..16, Just(i32::MIN), Just(i32::MAX)];
    let ints = prop::collection::vec((edge_u32.clone(), edge_u32.clone(), any::<u32>()), 1..3);
    let signed = prop::collection::vec((edge_i32.clone(), edge_i32), 1..3);
    let floats = prop::collection::vec(
        (-std::f32::consts::PI..std::f32::consts::PI, 0.01f32..100.0),
        1..3,
    );
    let controls = prop::collection::vec((0u32..40, -20i32..20), 1..3);
    let atomics = prop::collection::vec((edge_u32.clone(), -1000i32..1000), 1..4);
    let atomic_init = prop::collection::vec(prop_oneof![0u32..8, any::<u32>()], 64);
    let data = prop::collection::vec(0u32..16, 0..24);
    let lookups = prop::collection::vec(0u32..32, 1..3);
    let divides = prop::collection::vec((any::<i32>(), -3i32..3), 1..3);
    let spins = prop::collection::vec((0u32..400, 0u32..2), 1..3);
    let ctxs = prop::collection::vec((0u32..4, 0usize..5, 0u32..20), 1..4);
    let tree = (0u32..4, 0u32..4);
    let devices = prop::collection::vec((any::<u32>(), any::<u32>()), 1..3);
    let prints = prop::collection::vec(
        (any::<u32>(), any::<i32>(), -1e6f32..1e6, any::<bool>()),
        0..3,
    );
    let parked = prop::option::of(1u32..4);
    let wides = prop::collection::vec((edge_u64(), edge_u64(), any::<u32>()), 1..3);
    // f32 -> i64 and u64 casts saturate: values past both ranges, NaN and
    // infinities too.
    let wide_f32 = prop_oneof![
        -1e6f32..1e6,
        any::<f32>(),
        Just(f32::NAN),
        Just(f32::INFINITY),
        Just(f32::NEG_INFINITY),
        Just(9.3e18f32),
        Just(-9.3e18f32),
        Just(1.8e19f32),
        Just(2.0e19f32),
    ];
    let swides = prop::collection::vec((edge_i64(), edge_i64(), wide_f32), 1..3);
    let wdata = prop::collection::vec(edge_u64(), 0..6);
    // Indices mostly in bounds; past the end by a little, and u32::MAX,
    // i32::MIN, u64::MAX (`as usize` saturating) now and then.
    let table = TABLE as u32;
    let arrays = prop::collection::vec(
        (
            edge_u32.clone(),
            edge_u32.clone(),
            prop_oneof![6 => 0..table, 1 => table..table + 3, 1 => Just(u32::MAX)],
            // Negative `i32` indices: `a[j as usize]` faults with index
            // u32::MAX on every backend (Rust's huge usize, saturated).
            prop_oneof![
                6 => 0i32..4,
                1 => -3i32..0,
                1 => Just(i32::MIN),
                1 => 4i32..6,
                1 => Just(i32::MAX)
            ],
            prop_oneof![6 => 0u64..3, 1 => 3u64..5, 1 => edge_u64()],
        ),
        1..4,
    );
    // `cells` task n: i and j each its own element 2n or 2n + 1, or out of
    // bounds (`len + d` or u32::MAX, resolved below, once the length is
    // known), e an index into `vals` ([u32; 4]).
    let own = || {
        prop_oneof![
            4 => Just(0u32),
            2 => Just(1u32),
            1 => (0u32..3).prop_map(|d| 1000 + d),
            1 => Just(u32::MAX),
        ]
    };
    let cells = prop::collection::vec(
        (
            own(),
            own(),
            prop_oneof![6 => 0u32..4, 1 => 4u32..6, 1 => Just(u32::MAX)],
            edge_u32.clone(),
            edge_i64(),
        ),
        1..4,
    );
    let recs = (prop::collection::vec(rec(), 8), 0usize..3);
    (
        (ints, signed, floats, controls, atomics, atomic_init, data),
        (lookups, divides, spins, ctxs, tree, devices, prints, parked),
        (wides, swides, wdata, arrays, cells, recs),
    )
        .prop_map(
            |(
                (ints, signed, floats, controls, atomics, atomic_init, data),
                (lookups, divides, spins, ctxs, tree, devices, prints, parked),
                (wides, swides, wdata, arrays, cells, (recs, spare)),
            )| {
                let len = (2 * cells.len() + spare) as u32;
                let at = |n: usize, pick: u32| match pick {
                    0 | 1 => 2 * n as u32 + pick,
                    u32::MAX => u32::MAX,
                    d => len + d - 1000,
                };
                let cells = cells
                    .into_iter()
                    .enumerate()
                    .map(|(n, (i, j, e, x, y))| (at(n, i), at(n, j), e, x, y))
                    .collect();
                Case {
                    ints,
                    signed,
                    floats,
                    controls,
                    atomics,
                    atomic_init,
                    data,
                    lookups,
                    divides,
                    spins,
                    ctxs,
                    tree,
                    devices,
                    prints,
                    parked,
                    wides,
                    swides,
                    wdata,
                    arrays,
                    cells,
                    recs: recs[..len as usize].to_vec(),
                }
            },
        )
}

/// What every backend must agree on: the report's deterministic parts and
/// the buffers (`f32` compared separately, within tolerance).
#[derive(Debug, Clone, PartialEq)]
pub struct Observed {
    pub outcome: common::Outcome,
    pub out: Vec<u32>,
    pub iout: Vec<i32>,
    pub acc: Vec<u32>,
    pub iacc: Vec<i32>,
    pub wout: Vec<u64>,
    pub wiout: Vec<i64>,
}

/// One backend's result: the exactly comparable part, the `f32` outputs
/// and the `recs` buffer (compared field by field, its `f32` within
/// tolerance).
pub type Run = (Observed, Vec<f32>, Vec<Rec>);

/// Runs `c` on `k`; returns the comparable result, the `f32` outputs and
/// the struct buffer.
pub fn run_case(k: &mut Parity, c: &Case) -> Run {
    let tasks = 64u32;
    k.out().upload(&vec![0; (tasks * STRIDE) as usize]).unwrap();
    k.iout()
        .upload(&vec![0; (tasks * STRIDE) as usize])
        .unwrap();
    k.fout()
        .upload(&vec![0.0; (tasks * STRIDE) as usize])
        .unwrap();
    let mut acc = vec![0u32; SHARED as usize];
    acc[2] = u32::MAX;
    acc[4] = u32::MAX;
    acc.extend(&c.atomic_init);
    k.acc().upload(&acc).unwrap();
    k.iacc()
        .upload(&[i32::MAX, i32::MIN, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        .unwrap();
    k.data().upload(&c.data).unwrap();
    k.wdata().upload(&c.wdata).unwrap();
    k.recs().upload(&c.recs).unwrap();
    k.wout()
        .upload(&vec![0; (tasks * STRIDE) as usize])
        .unwrap();
    k.wiout()
        .upload(&vec![0; (tasks * STRIDE) as usize])
        .unwrap();
    for t in 0..4 {
        k.enable_tenant(t).unwrap();
    }
    let mut slot = 0u32;
    let mut next = || {
        slot += 1;
        (slot - 1) * STRIDE
    };
    let p = Priority::ALL;
    for (i, &(a, b, s)) in c.ints.iter().enumerate() {
        k.publish(p[i % 5], int_ops::task(next(), a, b, s)).unwrap();
    }
    for (i, &(x, y)) in c.signed.iter().enumerate() {
        k.publish(p[(i + 1) % 5], signed_ops::task(next(), x, y))
            .unwrap();
    }
    let first_float = (c.ints.len() + c.signed.len()) as u32;
    for &(f, g) in &c.floats {
        k.publish(Priority::Normal, float_ops::task(next(), f, g))
            .unwrap();
    }
    for (i, &(n, sel)) in c.controls.iter().enumerate() {
        k.publish(p[(i + 2) % 5], control::task(next(), n, sel))
            .unwrap();
    }
    for (i, &(v, w)) in c.atomics.iter().enumerate() {
        let cell = SHARED + 8 * i as u32;
        k.publish(p[(i + 3) % 5], atomics::task(next(), cell, v, w))
            .unwrap();
    }
    for &i in &c.lookups {
        k.publish(Priority::High, lookup::task(next(), i)).unwrap();
    }
    for &(a, b) in &c.divides {
        k.publish(Priority::Low, divide::task(next(), a, b))
            .unwrap();
    }
    for &(n, kind) in &c.spins {
        k.publish(Priority::Idle, spin::task(next(), n, kind))
            .unwrap();
    }
    for &(tenant, prio, code) in &c.ctxs {
        k.publish_for(tenant, p[prio], ctx_ops::task(next(), code))
            .unwrap();
    }
    k.publish(Priority::Critical, spawn_tree::task(c.tree.0, c.tree.1))
        .unwrap();
    for &(a, b) in &c.devices {
        k.publish(Priority::Normal, devices::task(next(), a, b))
            .unwrap();
    }
    for (i, &(a, b, s)) in c.wides.iter().enumerate() {
        k.publish(p[(i + 4) % 5], u64_ops::task(next(), a, b, s))
            .unwrap();
    }
    for (i, &(x, y, f)) in c.swides.iter().enumerate() {
        k.publish(p[i % 5], i64_ops::task(next(), x, y, f)).unwrap();
    }
    for (n, &(a, b, i, j, w)) in c.arrays.iter().enumerate() {
        k.publish(p[(n + 2) % 5], arrays::task(next(), a, b, i, j, w))
            .unwrap();
    }
    for (n, &(i, j, e, x, y)) in c.cells.iter().enumerate() {
        k.publish(p[(n + 3) % 5], cells::task(next(), i, j, e, x, y))
            .unwrap();
    }
    for &(x, y, f, flag) in &c.prints {
        k.publish(Priority::Low, prints::task(x, y, f, flag))
            .unwrap();
    }
    if let Some(t) = c.parked {
        k.disable_tenant(t).unwrap();
    }
    let report = k.run().unwrap();
    let floats = k.fout().read().unwrap();
    let fout = (0..c.floats.len() as u32)
        .flat_map(|i| {
            let at = ((first_float + i) * STRIDE) as usize;
            floats[at..at + F32_OPS.len()].to_vec()
        })
        .collect();
    let result = Observed {
        outcome: common::Outcome::of(&report),
        out: k.out().read().unwrap(),
        iout: k.iout().read().unwrap(),
        acc: k.acc().read().unwrap(),
        iacc: k.iacc().read().unwrap(),
        wout: k.wout().read().unwrap(),
        wiout: k.wiout().read().unwrap(),
    };
    let recs = k.recs().read().unwrap();
    // Leave no parked work behind for the next case.
    for t in 0..4 {
        k.enable_tenant(t).unwrap();
    }
    k.run().unwrap();
    (result, fout, recs)
}
