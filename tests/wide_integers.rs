//! `u64` and `i64` in handlers: arguments (two slot words), buffers,
//! literals, arithmetic, shifts, comparisons, bit counts and casts agree
//! bit for bit with plain Rust on the native backend, the reference
//! interpreter and wgpu (where `u64` is a pair of `u32` words).

// Handlers have no `Option`, so `checked_div` is not the form they can use;
// the expected values are written the way the handlers are.
#![allow(clippy::manual_checked_ops)]

mod common;

use common::every_backend;
use vyre::ir::ScalarType;
use vyre::prelude::*;

/// SplitMix64's finaliser over `seed + i * golden`: the example.
#[opcode(id = 0x300)]
pub fn mix64(wide: &mut Buffer<u64>, i: u32, seed: u64) {
    let mut z = seed.wrapping_add((i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    wide[i] = z ^ (z >> 31);
}

/// Every unsigned operation on one pair, results at `out[16 i ..]` and the
/// `u32` ones at `bits[8 i ..]`.
#[opcode(id = 0x301)]
pub fn unsigned_ops(out: &mut Buffer<u64>, bits: &mut Buffer<u32>, i: u32, a: u64, b: u64) {
    let k = i * 16;
    out[k] = a.wrapping_add(b);
    out[k + 1] = a.wrapping_sub(b);
    out[k + 2] = a.wrapping_mul(b);
    out[k + 3] = if b != 0 { a / b } else { 7 };
    out[k + 4] = if b != 0 { a % b } else { 9 };
    out[k + 5] = (a & b) | ((a ^ b) << 1u32);
    out[k + 6] = a << ((b as u32) & 63);
    out[k + 7] = a >> ((b >> 8) as u32 & 63);
    out[k + 8] = a.rotate_left(b as u32);
    out[k + 9] = a.rotate_right((b >> 3) as u32);
    out[k + 10] = a.min(b);
    out[k + 11] = a.max(b).clamp(100, 1 << 60);
    out[k + 12] = a.reverse_bits();
    out[k + 13] = !a;
    out[k + 14] = (a as u32) as u64 + ((b >> 40) as u32) as u64;
    out[k + 15] = if a < b {
        1
    } else if a == b {
        2
    } else {
        3
    };
    let j = i * 8;
    bits[j] = a.count_ones();
    bits[j + 1] = a.leading_zeros();
    bits[j + 2] = b.trailing_zeros();
    bits[j + 3] = a as u32;
    bits[j + 4] = (a >> 32) as u32;
    bits[j + 5] = (a <= b) as u32 + 2 * (a >= b) as u32 + 4 * (a > b) as u32;
    bits[j + 6] = (a != b) as u32;
    bits[j + 7] = ((a as f32) * 0.5) as u32;
}

/// The signed operations, results at `signed[12 i ..]`, floats at `fl[2 i ..]`.
#[opcode(id = 0x302)]
pub fn signed_ops(signed: &mut Buffer<i64>, fl: &mut Buffer<f32>, i: u32, a: i64, b: i64, x: f32) {
    let k = i * 12;
    signed[k] = a.wrapping_mul(b);
    signed[k + 1] = if b != 0 && b != -1 { a / b } else { -5 };
    signed[k + 2] = if b != 0 && b != -1 { a % b } else { -6 };
    signed[k + 3] = a >> ((b as u32) & 63);
    signed[k + 4] = 0i64.wrapping_sub(a);
    signed[k + 5] = a.min(b);
    signed[k + 6] = a.max(b);
    signed[k + 7] = if a != i64::MIN { a.abs() } else { 77 };
    signed[k + 8] = (a as i32) as i64;
    signed[k + 9] = x as i64;
    signed[k + 10] = (x as u64) as i64;
    signed[k + 11] = if a < b {
        -1
    } else if a > b {
        1
    } else {
        0
    };
    fl[i * 2] = a as f32;
    fl[i * 2 + 1] = (b as u64) as f32;
}

/// Spawns `mix64` with a 64-bit argument computed on the device.
#[opcode(id = 0x303)]
pub fn spawn_wide(ctx: &Ctx, i: u32, seed: u64) {
    ctx.spawn(Priority::High, mix64::task(i, seed ^ 0xFFFF_0000_0000_FFFF));
}

megakernel! {
    /// The 64-bit test kernel.
    pub struct Wide {
        workgroup_size: 64,
        buffers: { wide: u64, out: u64, bits: u32, signed: i64, fl: f32 },
        opcodes: [mix64, unsigned_ops, signed_ops, spawn_wide],
    }
}

/// What `mix64(i, seed)` stores, in plain Rust.
fn mix(i: u32, seed: u64) -> u64 {
    let mut z = seed.wrapping_add(u64::from(i).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The inputs: edge values, then pseudo-random ones.
fn inputs(n: usize) -> Vec<(u64, u64, f32)> {
    let edges = [
        0u64,
        1,
        2,
        u32::MAX as u64,
        1 << 32,
        (1 << 32) + 1,
        1 << 63,
        u64::MAX,
        i64::MAX as u64,
        (1 << 40) + (1 << 16),
        (1 << 53) - 1,
        0xDEAD_BEEF_0000_0001,
    ];
    let floats = [
        0.0f32,
        -0.0,
        1.5,
        -2.75,
        1.8e19,
        -9.3e18,
        4.0e9,
        f32::NAN,
        f32::INFINITY,
        -1.0e30,
        123456.7,
        1.0e-30,
    ];
    let mut v = Vec::new();
    for (k, &a) in edges.iter().enumerate() {
        for &b in &edges {
            v.push((a, b, floats[k % floats.len()]));
        }
    }
    let mut s = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    while v.len() < n {
        let (a, b) = (next(), next());
        // Small divisors and shift amounts are the interesting ones too.
        let b = if v.len() % 3 == 0 { b >> (b % 64) } else { b };
        let x = f32::from_bits((next() >> 32) as u32);
        v.push((a, b, x));
    }
    v
}

/// Plain Rust's results for `unsigned_ops`.
fn unsigned_expected(a: u64, b: u64) -> ([u64; 16], [u32; 8]) {
    let out = [
        a.wrapping_add(b),
        a.wrapping_sub(b),
        a.wrapping_mul(b),
        if b != 0 { a / b } else { 7 },
        if b != 0 { a % b } else { 9 },
        (a & b) | ((a ^ b) << 1u32),
        a << ((b as u32) & 63),
        a >> ((b >> 8) as u32 & 63),
        a.rotate_left(b as u32),
        a.rotate_right((b >> 3) as u32),
        a.min(b),
        a.max(b).clamp(100, 1 << 60),
        a.reverse_bits(),
        !a,
        (a as u32) as u64 + ((b >> 40) as u32) as u64,
        if a < b {
            1
        } else if a == b {
            2
        } else {
            3
        },
    ];
    let bits = [
        a.count_ones(),
        a.leading_zeros(),
        b.trailing_zeros(),
        a as u32,
        (a >> 32) as u32,
        (a <= b) as u32 + 2 * (a >= b) as u32 + 4 * (a > b) as u32,
        (a != b) as u32,
        ((a as f32) * 0.5) as u32,
    ];
    (out, bits)
}

/// Plain Rust's results for `signed_ops`.
fn signed_expected(a: i64, b: i64, x: f32) -> ([i64; 12], [f32; 2]) {
    let out = [
        a.wrapping_mul(b),
        if b != 0 && b != -1 { a / b } else { -5 },
        if b != 0 && b != -1 { a % b } else { -6 },
        a >> ((b as u32) & 63),
        0i64.wrapping_sub(a),
        a.min(b),
        a.max(b),
        if a != i64::MIN { a.abs() } else { 77 },
        (a as i32) as i64,
        x as i64,
        (x as u64) as i64,
        if a < b {
            -1
        } else if a > b {
            1
        } else {
            0
        },
    ];
    (out, [a as f32, (b as u64) as f32])
}

#[test]
fn wide_integers_agree_with_rust_on_every_backend() {
    let cases = inputs(400);
    let n = cases.len() as u32;
    let seed = 0x0123_4567_89AB_CDEFu64;
    let gpus = every_backend("wide_integers", 4);
    for gpu in &gpus {
        let what = gpu.description();
        let mut k = Wide::new(gpu).unwrap();
        k.wide().upload(&vec![0; 2 * n as usize]).unwrap();
        k.out().upload(&vec![0; 16 * n as usize]).unwrap();
        k.bits().upload(&vec![0; 8 * n as usize]).unwrap();
        k.signed().upload(&vec![0; 12 * n as usize]).unwrap();
        k.fl().upload(&vec![0.0; 2 * n as usize]).unwrap();
        for (i, &(a, b, x)) in cases.iter().enumerate() {
            let i = i as u32;
            k.publish(Priority::Normal, mix64::task(i, seed)).unwrap();
            k.publish(Priority::Normal, unsigned_ops::task(i, a, b))
                .unwrap();
            k.publish(Priority::Normal, signed_ops::task(i, a as i64, b as i64, x))
                .unwrap();
            k.publish(Priority::Low, spawn_wide::task(n + i, seed.wrapping_add(a)))
                .unwrap();
        }
        let report = k.run().unwrap();
        assert!(report.faults.is_empty(), "{what}: {:?}", report.faults);
        assert_eq!(report.executed, 5 * u64::from(n), "{what}");

        let wide = k.wide().read().unwrap();
        let out = k.out().read().unwrap();
        let bits = k.bits().read().unwrap();
        let signed = k.signed().read().unwrap();
        let fl = k.fl().read().unwrap();
        for (i, &(a, b, x)) in cases.iter().enumerate() {
            let u = i as u32;
            assert_eq!(wide[i], mix(u, seed), "{what}: mix64({i})");
            let spawned = mix(n + u, seed.wrapping_add(a) ^ 0xFFFF_0000_0000_FFFF);
            assert_eq!(wide[n as usize + i], spawned, "{what}: spawned mix64({i})");
            let (eo, eb) = unsigned_expected(a, b);
            for (j, e) in eo.iter().enumerate() {
                assert_eq!(
                    out[16 * i + j],
                    *e,
                    "{what}: unsigned op {j} of ({a:#x}, {b:#x})"
                );
            }
            for (j, e) in eb.iter().enumerate() {
                assert_eq!(
                    bits[8 * i + j],
                    *e,
                    "{what}: u32 result {j} of ({a:#x}, {b:#x})"
                );
            }
            let (es, ef) = signed_expected(a as i64, b as i64, x);
            for (j, e) in es.iter().enumerate() {
                assert_eq!(
                    signed[12 * i + j],
                    *e,
                    "{what}: signed op {j} of ({}, {}, {x:?})",
                    a as i64,
                    b as i64
                );
            }
            for (j, e) in ef.iter().enumerate() {
                assert_eq!(
                    fl[2 * i + j].to_bits(),
                    e.to_bits(),
                    "{what}: float {j} of ({a:#x}, {b:#x})"
                );
            }
        }
    }
}

#[test]
fn division_by_zero_faults_and_arguments_count_words() {
    // A u64 argument takes two slot words: a wrong type is a typed error.
    let mut k = Wide::new(&Gpu::reference()).unwrap();
    let bad = Task::new(0x300, [Literal::U32(1), Literal::U32(2)]);
    assert!(matches!(
        k.publish(Priority::Normal, bad),
        Err(vyre::Error::ArgumentType { .. })
    ));
    assert_eq!(mix64::ARGS, &[ScalarType::U32, ScalarType::U64]);
}
