//! Three-way parity: the same `megakernel!` workloads on the native backend
//! (the original Rust functions), the reference interpreter (the IR the
//! macro produced) and wgpu (the WGSL lowering; lavapipe in CI), over
//! proptest-generated inputs.
//!
//! The thirteen handlers below together use every construct of the
//! handler language (DESIGN §2, `docs/language.md`); the table at the end
//! of `docs/architecture.md` ("native backend") lists which handler covers
//! what. Integer results, faults, spawns, printf lines and counters must be
//! identical on every backend; `f32` results must agree within WGSL's
//! accuracy, with the tolerance of each operation given by [`F32_OPS`].
//!
//! Cases: `VYRE_PARITY_CASES` (default 6). Without a wgpu adapter the wgpu
//! leg is skipped with a notice, unless `VYRE_REQUIRE_GPU=1`.

// The handlers spell constructs out on purpose (`!(a == 3)`, guarded
// division): they test the language, not good style.
#![allow(
    clippy::identity_op,
    clippy::nonminimal_bool,
    clippy::manual_checked_ops
)]

// The root's test helpers, shared rather than copied.
#[path = "../../tests/common/mod.rs"]
mod common;

use std::cell::RefCell;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use vyre::prelude::*;

const SCALE: u32 = 3;
const LOOP_LIMIT: u32 = 256;
/// Output words per task.
const STRIDE: u32 = 32;
/// Shared atomic cells (commutative operations only) before the per-task
/// regions of `acc`.
const SHARED: u32 = 16;

// ---- handlers ------------------------------------------------------------

/// Unsigned arithmetic, bitwise operators, shifts, comparisons, boolean
/// operators, casts, every `u32` method, literals of every form, a const,
/// `let`/`let mut`, compound assignment to locals and to buffer elements,
/// `if` as an expression.
#[opcode]
fn int_ops(out: &mut Buffer<u32>, base: u32, a: u32, b: u32, s: u32) {
    let mut k = base;
    out[k] = a.wrapping_add(b);
    k += 1;
    out[k] = a.wrapping_sub(b);
    k += 1;
    out[k] = a.wrapping_mul(b);
    k += 1;
    out[k] = if b != 0 { a / b } else { a };
    k += 1;
    out[k] = if b != 0 { a % b } else { 7u32 };
    k += 1;
    out[k] = (a & b) | (a ^ !b);
    k += 1;
    out[k] = a << (s & 31);
    k += 1;
    out[k] = a >> (s % 32);
    k += 1;
    out[k] = (a < b) as u32
        | ((a <= b) as u32) << 1
        | ((a > b) as u32) << 2
        | ((a >= b) as u32) << 3
        | ((a == b) as u32) << 4
        | ((a != b) as u32) << 5;
    k += 1;
    out[k] = a.count_ones() + a.leading_zeros() * 64 + b.trailing_zeros() * 4096;
    k += 1;
    out[k] = a.rotate_left(s) ^ b.rotate_right(s);
    k += 1;
    out[k] = a.reverse_bits();
    k += 1;
    out[k] = a.min(b) ^ a.max(b).wrapping_mul(SCALE);
    k += 1;
    out[k] = a.clamp(100, 100_000);
    k += 1;
    out[k] = ((a as i32) >> 3) as u32 ^ (((b & 0xFFFF) as f32 * 0.25) as u32);
    k += 1;
    out[k] = (a > 5 && b < 1000 || a == b) as u32
        + (!(a == 3)) as u32 * 2
        + true as u32 * 4
        + (a & 1 == 1 || s > 10) as u32 * 8;
    k += 1;
    let mut m = a;
    m ^= b;
    m |= 0x10;
    m &= 0xFFFF_FF0F;
    m <<= 3u32;
    m >>= 1;
    m = m.wrapping_add(SCALE);
    m %= 1000 + (b & 7);
    m /= 3;
    m += 7;
    m -= 1;
    m *= 2;
    out[k] = m;
    k += 1;
    out[k] += a & 0xFFFF;
    out[k] ^= b;
    out[k] |= 1;
    out[k] &= !2u32;
    out[k] <<= 1;
    out[k] >>= 2;
    out[k] -= out[k] & 3;
    out[k] *= 3;
    out[k] /= 2;
    out[k] %= 0x7FFF_FFFF;
    k += 1;
    out[k] = 0x10u32 + 0b101 + 0o7 + 1_000 + u32::BITS + u32::MAX / 2;
}

/// `i32`: unary `-`, `abs`, arithmetic shift, signed division and
/// remainder, `min`/`max`/`clamp`, signed comparisons, bit methods, `!`,
/// casts to and from `u32`, `f32` and `bool`.
#[opcode]
fn signed_ops(iout: &mut Buffer<i32>, base: u32, x: i32, y: i32) {
    let mut k = base;
    let h = x >> 1;
    iout[k] = h.abs();
    k += 1;
    iout[k] = -h;
    k += 1;
    iout[k] = x.wrapping_mul(y);
    k += 1;
    iout[k] = x.wrapping_add(y).wrapping_sub(3);
    k += 1;
    iout[k] = if y != 0 { h / y } else { -1 };
    k += 1;
    iout[k] = if y != 0 { h % y } else { 0 };
    k += 1;
    iout[k] = x >> (y & 31);
    k += 1;
    iout[k] = x << (y & 15);
    k += 1;
    iout[k] = x.min(y).max(-1000).clamp(-500, 500);
    k += 1;
    iout[k] = (x < y) as i32 - (x > y) as i32 + (x <= y) as i32 * 4 + (x >= y) as i32 * 8;
    k += 1;
    iout[k] =
        x.count_ones() as i32 + x.leading_zeros() as i32 * 64 - x.trailing_zeros() as i32 * 4096;
    k += 1;
    iout[k] = x.rotate_left(5) ^ y.rotate_right(7) ^ x.reverse_bits();
    k += 1;
    iout[k] = ((x as u32) >> 16) as i32;
    k += 1;
    iout[k] = ((h >> 8) as f32 * 0.5) as i32;
    k += 1;
    iout[k] = !x ^ (x > 0) as i32;
    k += 1;
    iout[k] = (x & 0xFF).wrapping_sub(y | 0x7);
    k += 1;
    let mut acc = -5i32;
    acc -= h & 0xFFF;
    acc *= -3;
    acc += 1;
    iout[k] = acc;
}

/// `f32`: arithmetic and every `f32` method, compared within [`F32_OPS`].
#[opcode]
fn float_ops(fout: &mut Buffer<f32>, base: u32, f: f32, g: f32) {
    let mut k = base;
    fout[k] = g.sqrt();
    k += 1;
    fout[k] = f.floor();
    k += 1;
    fout[k] = f.ceil();
    k += 1;
    fout[k] = (f * 10.0).round();
    k += 1;
    fout[k] = f.sin();
    k += 1;
    fout[k] = f.cos();
    k += 1;
    fout[k] = f.exp();
    k += 1;
    fout[k] = g.ln();
    k += 1;
    fout[k] = g.powf(f);
    k += 1;
    fout[k] = f.mul_add(g, 1.0);
    k += 1;
    fout[k] = -f.abs();
    k += 1;
    fout[k] = f.min(g) + f.max(-g);
    k += 1;
    fout[k] = (f * 3.0).clamp(-1.0, 1.0);
    k += 1;
    fout[k] = f + g;
    k += 1;
    fout[k] = f - g;
    k += 1;
    fout[k] = f * g;
    k += 1;
    fout[k] = f / g;
    k += 1;
    fout[k] = ((f * 100.0) as i32) as f32 + ((g * 10.0) as u32) as f32;
    k += 1;
    fout[k] = if f < g { 1.5 } else { -2.5f32 };
    k += 1;
    fout[k] = (f > 0.0) as u32 as f32 + (f as i32 == 0) as i32 as f32;
}

/// Control flow: `for a..b` and `a..=b`, `while`, `loop`, `break`,
/// `continue`, nested loops, `if`/`else if`/`else` (also as a value),
/// `match` with literal, `|` and `_` arms (statement and value), blocks
/// as values, shadowing, early `return;`.
#[opcode]
fn control(out: &mut Buffer<u32>, base: u32, n: u32, sel: i32) {
    let mut sum = 0u32;
    for i in 0..n {
        sum = sum.wrapping_add(i * i);
    }
    for i in 1..=n {
        if i % 3 == 0 {
            continue;
        }
        sum ^= i;
    }
    out[base] = sum;
    let mut i = 0;
    while i < 100 {
        i += 7;
        if i > n {
            break;
        }
    }
    out[base + 1] = i;
    let mut j: u32 = 1;
    loop {
        j *= 2;
        if j >= n.max(1) {
            break;
        }
    }
    out[base + 2] = j;
    out[base + 3] = if sel < -5 {
        1
    } else if sel == 0 {
        2
    } else if sel < 10 {
        3
    } else {
        4
    };
    match sel {
        1 | 2 | 3 => out[base + 4] = 10,
        -1 => out[base + 4] = 20,
        7 => {
            out[base + 4] = 30;
        }
        _ => out[base + 4] = 40,
    }
    out[base + 5] = match n % 4 {
        0 => 100,
        1 | 2 => 200,
        other => other * 1000,
    };
    out[base + 6] = {
        let t = n * 2;
        t + 1
    };
    let mut count = 0u32;
    for x in 0..6u32 {
        for y in 0..6u32 {
            if y > x {
                break;
            }
            if (x + y) % 2 == 1 {
                continue;
            }
            count += x * y + 1;
        }
    }
    out[base + 7] = count;
    let mut s = 0i32;
    for v in -3..=sel.clamp(-3, 3) {
        s += v;
    }
    out[base + 8] = s as u32;
    if n % 5 == 4 {
        out[base + 9] = 1;
        return;
    }
    out[base + 9] = 2;
    let n = n + 1;
    let n = n * 2;
    out[base + 10] = n;
}

/// Every atomic method on `Atomic<u32>` and `Atomic<i32>` elements:
/// commutative ones on shared cells, order-dependent ones (swap, store,
/// load, every `compare_exchange` form) on the task's own cells.
#[opcode]
fn atomics(
    acc: &Buffer<Atomic<u32>>,
    iacc: &Buffer<Atomic<i32>>,
    out: &mut Buffer<u32>,
    base: u32,
    cell: u32,
    v: u32,
    w: i32,
) {
    acc[0].fetch_add(v);
    acc[1].fetch_sub(v);
    acc[2].fetch_min(v);
    acc[3].fetch_max(v);
    acc[4].fetch_and(v | 0xFFFF_0000);
    acc[5].fetch_or(v & 0x0F0F_0F0F);
    acc[6].fetch_xor(v);
    iacc[0].fetch_min(w);
    iacc[1].fetch_max(w);
    iacc[2].fetch_add(w);
    iacc[3].fetch_sub(w);
    let c = cell;
    let prev = acc[c].swap(v);
    out[base] = prev;
    acc[c + 1].store(prev.wrapping_add(1));
    out[base + 1] = acc[c + 1].load();
    match acc[c + 2].compare_exchange(0, v) {
        Ok(p) => out[base + 2] = p.wrapping_add(1),
        Err(actual) => out[base + 2] = actual.wrapping_add(100),
    }
    if let Ok(p) = acc[c + 3].compare_exchange(5, v) {
        out[base + 3] = p;
    } else {
        out[base + 3] = 77;
    }
    out[base + 4] = acc[c + 4].compare_exchange(v, 1).is_ok() as u32
        + acc[c + 5].compare_exchange(v, 2).is_err() as u32 * 2;
    let got = match acc[c + 6].compare_exchange(v, v / 2) {
        Ok(x) => x,
        Err(x) => x,
    };
    out[base + 5] = got;
    out[base + 6] = match iacc[4 + c / 8].compare_exchange(0, w) {
        Ok(_) => 1,
        Err(x) => x as u32,
    };
    out[base + 7] = iacc[4 + c / 8].load() as u32 ^ acc[c + 7].fetch_add(3);
}

/// `buf[i]` and `buf.len()`, an index past the end faulting the task
/// (`OUT_OF_BOUNDS`) after the statements before it took effect.
#[opcode]
fn lookup(data: &Buffer<u32>, out: &mut Buffer<u32>, base: u32, i: u32) {
    out[base] = data.len();
    let mut total = 0u32;
    for j in 0..data.len().min(16) {
        total = total.wrapping_add(data[j]);
    }
    out[base + 1] = total;
    out[base + 2] = data[i];
    out[base + 3] = 1;
}

/// Integer division and remainder by zero fault (`DIVIDE_BY_ZERO`) for
/// `i32` and `u32`.
#[opcode]
fn divide(iout: &mut Buffer<i32>, base: u32, a: i32, b: i32) {
    iout[base] = 1;
    iout[base + 1] = (a >> 1) / b;
    iout[base + 2] = (a >> 1) % b;
    iout[base + 3] = ((a as u32) / (b as u32)) as i32;
}

/// Loops past the per-task limit fault (`LOOP_LIMIT`).
#[opcode]
fn spin(out: &mut Buffer<u32>, base: u32, n: u32, kind: u32) {
    let mut i = 0u32;
    if kind % 2 == 0 {
        while i < n {
            i += 1;
        }
    } else {
        loop {
            if i >= n {
                break;
            }
            i += 1;
        }
    }
    out[base] = i;
}

/// `ctx.tenant()`, `ctx.priority()`, `ctx.lane()`, `ctx.slot()` and
/// `ctx.fault(code)`.
#[opcode]
fn ctx_ops(ctx: &Ctx, out: &mut Buffer<u32>, base: u32, code: u32) {
    out[base] = ctx.tenant();
    out[base + 1] = ctx.priority() as u32;
    out[base + 2] = (ctx.lane() < 64) as u32;
    out[base + 3] = (ctx.slot() < 1280) as u32;
    if code % 5 == 4 {
        ctx.fault(code);
    }
    out[base + 4] = code;
}

/// `ctx.spawn` (priorities as `Priority` and as `u32`, its `bool` result),
/// spawn chains across rounds, and a bad priority (`BAD_PRIORITY`).
#[opcode]
fn spawn_tree(ctx: &Ctx, acc: &Buffer<Atomic<u32>>, depth: u32, fanout: u32) {
    acc[8].fetch_add(1);
    acc[9].fetch_add(depth);
    if depth == 0 {
        return;
    }
    for _ in 0..fanout {
        let queued = if depth % 2 == 0 {
            ctx.spawn(Priority::Low, spawn_tree::task(depth - 1, fanout))
        } else {
            ctx.spawn(depth % 5, spawn_tree::task(depth - 1, fanout))
        };
        if !queued {
            acc[10].fetch_add(1);
        }
    }
    if fanout == 3 && depth == 1 {
        ctx.spawn(5 + depth, spawn_tree::task(0, 0));
    }
}

/// A `#[device]` helper returning a value.
#[device]
fn mix(a: u32, b: u32) -> u32 {
    (a ^ b.rotate_left(7)).wrapping_mul(0x9E37_79B9)
}

/// A `#[device]` helper with a buffer, a loop and an early `return`.
#[device]
fn find(buf: &Buffer<u32>, needle: u32) -> u32 {
    let mut i = 0;
    while i < buf.len() {
        if buf[i] == needle {
            return i;
        }
        i += 1;
    }
    u32::MAX
}

/// A `#[device]` helper with the context and an atomic buffer.
#[device]
fn count(ctx: &Ctx, acc: &Buffer<Atomic<u32>>, amount: u32) {
    acc[11].fetch_add(amount);
    if amount == 12345 {
        ctx.fault(1);
    }
}

/// Calls to `#[device]` functions.
#[opcode]
fn devices(
    ctx: &Ctx,
    data: &Buffer<u32>,
    acc: &Buffer<Atomic<u32>>,
    out: &mut Buffer<u32>,
    base: u32,
    a: u32,
    b: u32,
) {
    out[base] = mix(a, b);
    out[base + 1] = find(data, a % 8);
    count(ctx, acc, b % 100);
    out[base + 2] = mix(mix(a, 1), find(data, b % 8));
}

/// `printf!` with every argument type; `bool` task arguments.
#[opcode]
fn prints(x: u32, y: i32, f: f32, flag: bool) {
    vyre::printf!("x={} y={} f={} flag={}", x, y, f, flag);
    if flag {
        printf!("twice f={} {{literal}}", f * 2.0);
    }
}

/// `ctx.shutdown()`.
#[opcode]
fn stop(ctx: &Ctx, acc: &Buffer<Atomic<u32>>) {
    acc[12].fetch_add(1);
    ctx.shutdown();
}

megakernel! {
    /// Every construct of the handler language, for the parity suite.
    struct Parity {
        workgroup_size: 32,
        slots: 1280,
        tenants: 4,
        loop_limit: LOOP_LIMIT,
        buffers: {
            out: u32,
            iout: i32,
            fout: f32,
            acc: Atomic<u32>,
            iacc: Atomic<i32>,
            data: u32,
        },
        opcodes: [
            int_ops, signed_ops, float_ops, control, atomics, lookup, divide,
            spin, ctx_ops, spawn_tree, devices, prints, stop,
        ],
    }
}

// ---- f32 tolerances ------------------------------------------------------

/// Absolute and relative tolerance of each `float_ops` output (WGSL's
/// accuracy, §"Floating Point Accuracy" of the WGSL spec, for the input
/// ranges of [`case`]): `|a - b| <= abs + rel * max(|a|, |b|)`.
const F32_OPS: [(&str, f32, f32); 20] = [
    ("sqrt: inherited from 1/inverseSqrt, 2.5 ULP", 0.0, 4e-7),
    ("floor: exact", 0.0, 0.0),
    ("ceil: exact", 0.0, 0.0),
    // The product f * 10.0 is correctly rounded, so round() sees the same
    // value everywhere.
    ("round: exact", 0.0, 0.0),
    ("sin: absolute 2^-11 on [-pi, pi]", 4.9e-4, 0.0),
    ("cos: absolute 2^-11 on [-pi, pi]", 4.9e-4, 0.0),
    ("exp: 3 + 2|x| ULP (|x| <= 4)", 0.0, 1.4e-6),
    ("ln: absolute 2^-21 on [0.5, 2], else 3 ULP", 4.8e-7, 3.6e-7),
    ("powf: inherited from exp2(y * log2(x))", 1e-6, 1e-4),
    ("mul_add: x * y + z, fused or not", 1e-4, 2.4e-7),
    ("-abs: exact", 0.0, 0.0),
    ("min + max: correctly rounded sum", 0.0, 1.2e-7),
    ("clamp: exact", 0.0, 0.0),
    ("+: correctly rounded", 0.0, 0.0),
    ("-: correctly rounded", 0.0, 0.0),
    ("*: correctly rounded", 0.0, 0.0),
    ("/: 2.5 ULP", 0.0, 3e-7),
    ("casts of truncated products: exact", 0.0, 0.0),
    ("if value: exact", 0.0, 0.0),
    ("bool casts: exact", 0.0, 0.0),
];

fn f32_close(op: usize, a: f32, b: f32) -> bool {
    if a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()) {
        return true;
    }
    let (_, abs, rel) = F32_OPS[op];
    (a - b).abs() <= abs + rel * a.abs().max(b.abs())
}

// ---- generated workloads ---------------------------------------------------

/// One generated workload.
#[derive(Debug, Clone)]
struct Case {
    ints: Vec<(u32, u32, u32)>,
    signed: Vec<(i32, i32)>,
    floats: Vec<(f32, f32)>,
    controls: Vec<(u32, i32)>,
    atomics: Vec<(u32, i32)>,
    atomic_init: Vec<u32>,
    data: Vec<u32>,
    lookups: Vec<u32>,
    divides: Vec<(i32, i32)>,
    spins: Vec<(u32, u32)>,
    ctxs: Vec<(u32, usize, u32)>,
    tree: (u32, u32),
    devices: Vec<(u32, u32)>,
    prints: Vec<(u32, i32, f32, bool)>,
    parked: Option<u32>,
}

fn case() -> impl Strategy<Value = Case> {
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
    (
        (ints, signed, floats, controls, atomics, atomic_init, data),
        (lookups, divides, spins, ctxs, tree, devices, prints, parked),
    )
        .prop_map(
            |(
                (ints, signed, floats, controls, atomics, atomic_init, data),
                (lookups, divides, spins, ctxs, tree, devices, prints, parked),
            )| Case {
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
            },
        )
}

/// What every backend must agree on: the report's deterministic parts and
/// the buffers (`f32` compared separately, within tolerance).
#[derive(Debug, Clone, PartialEq)]
struct Observed {
    outcome: common::Outcome,
    out: Vec<u32>,
    iout: Vec<i32>,
    acc: Vec<u32>,
    iacc: Vec<i32>,
}

/// Runs `c` on `k`; returns the comparable result and the `f32` outputs.
fn run_case(k: &mut Parity, c: &Case) -> (Observed, Vec<f32>) {
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
    };
    // Leave no parked work behind for the next case.
    for t in 0..4 {
        k.enable_tenant(t).unwrap();
    }
    k.run().unwrap();
    (result, fout)
}

fn cases() -> u32 {
    std::env::var("VYRE_PARITY_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(6)
}

fn instance(gpu: &Gpu) -> Parity {
    Parity::builder(gpu).workgroups(2).seed(11).build().unwrap()
}

fn compare(
    name: &str,
    c: &Case,
    (a, af): &(Observed, Vec<f32>),
    (b, bf): &(Observed, Vec<f32>),
) -> Result<(), TestCaseError> {
    prop_assert_eq!(a, b, "native and {} disagree on {:?}", name, c);
    prop_assert_eq!(af.len(), bf.len());
    for (i, (x, y)) in af.iter().zip(bf).enumerate() {
        let op = i % F32_OPS.len();
        prop_assert!(
            f32_close(op, *x, *y),
            "native and {} disagree on {} (output {}): {} vs {} (inputs {:?})",
            name,
            F32_OPS[op].0,
            i,
            x,
            y,
            c.floats[i / F32_OPS.len()]
        );
    }
    Ok(())
}

#[test]
fn native_reference_and_wgpu_agree_on_generated_workloads() {
    let started = std::time::Instant::now();
    let native = RefCell::new(instance(&Gpu::cpu()));
    let reference = RefCell::new(instance(&Gpu::reference()));
    let wgpu = common::wgpu_backend("parity").map(|g| RefCell::new(instance(&g)));
    assert_eq!(native.borrow().backend(), BackendKind::Native);
    assert_eq!(reference.borrow().backend(), BackendKind::Reference);
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    });
    let ran = std::cell::Cell::new((0u32, 0u64));
    // Time spent in each backend's cases: native, reference, wgpu.
    let spent = RefCell::new([std::time::Duration::ZERO; 3]);
    let timed = |i: usize, k: &RefCell<Parity>, c: &Case| {
        let t = std::time::Instant::now();
        let r = run_case(&mut k.borrow_mut(), c);
        spent.borrow_mut()[i] += t.elapsed();
        r
    };
    let result = runner.run(&case(), |c| {
        let n = timed(0, &native, &c);
        let (cases, tasks) = ran.get();
        ran.set((cases + 1, tasks + n.0.outcome.executed));
        // Sanity: the workload did what it is meant to exercise.
        prop_assert!(n.0.outcome.executed > 0);
        let r = timed(1, &reference, &c);
        compare("reference", &c, &n, &r)?;
        if let Some(w) = &wgpu {
            let w = timed(2, w, &c);
            compare("wgpu", &c, &n, &w)?;
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let (cases, tasks) = ran.get();
    let [n, r, w] = *spent.borrow();
    eprintln!(
        "parity: {cases} cases ({tasks} tasks) in {:?}: native {n:?}, reference {r:?}, wgpu {}",
        started.elapsed(),
        if wgpu.is_some() {
            format!("{w:?}")
        } else {
            "skipped".into()
        },
    );
}

/// Every fault kind a handler can raise appears, with the same records, on
/// every backend (a fixed workload, so that none depends on luck).
#[test]
fn every_fault_kind_is_reported_alike() {
    let c = Case {
        ints: vec![(1, 2, 3)],
        signed: vec![(-7, 2)],
        floats: vec![(0.5, 2.0)],
        controls: vec![(9, 7)],
        atomics: vec![(5, -5)],
        atomic_init: vec![0; 64],
        data: vec![1, 2, 3],
        lookups: vec![2, 3, 40],
        divides: vec![(10, 0), (10, 3)],
        spins: vec![(LOOP_LIMIT, 0), (LOOP_LIMIT + 1, 0), (LOOP_LIMIT + 1, 1)],
        ctxs: vec![(1, 0, 4), (2, 4, 3)],
        tree: (2, 3),
        devices: vec![(3, 12345 + 100 * 7)],
        prints: vec![(1, -1, 0.25, true)],
        parked: Some(3),
    };
    let gpus = [
        Some(Gpu::cpu()),
        Some(Gpu::reference()),
        common::wgpu_backend("faults"),
    ];
    let mut results = Vec::new();
    for gpu in gpus.into_iter().flatten() {
        let mut k = instance(&gpu);
        results.push(run_case(&mut k, &c));
    }
    let (first, rest) = results.split_first().unwrap();
    for r in rest {
        compare("another backend", &c, first, r).unwrap();
    }
    let kinds: Vec<FaultKind> = first.0.outcome.faults.iter().map(|f| f.1).collect();
    for kind in [
        FaultKind::OutOfBounds { index: 3 },
        FaultKind::OutOfBounds { index: 40 },
        FaultKind::DivideByZero,
        FaultKind::LoopLimit { limit: LOOP_LIMIT },
        FaultKind::User { code: 4 },
        FaultKind::BadPriority { priority: 6 },
    ] {
        assert!(kinds.contains(&kind), "{kind:?} missing from {kinds:?}");
    }
    // 2 out of bounds, 1 division, 2 loop limits, 1 user fault, and the
    // 3 depth-1 nodes of the tree spawning at priority 6.
    assert_eq!(kinds.len(), 9, "{kinds:?}");
    assert_eq!(first.0.outcome.spawned, 3 + 9);
    assert_eq!(first.0.outcome.printf.len(), 2);
}

/// Spawns past a full partition are refused and counted alike, and
/// `ctx.shutdown()` stops every backend.
#[test]
fn overflow_and_shutdown_agree() {
    let run = |gpu: &Gpu| {
        let mut k = instance(gpu);
        k.acc().upload(&[0; 16]).unwrap();
        // Levels of 3 (LOW), 9 (CRITICAL), 27, 81 and 243 (LOW: 175 fit
        // beside their 81 running parents), 525 (HIGH: 256 fit): the
        // counts are the same whichever spawns are refused, since the
        // nodes of one level are identical.
        k.publish(Priority::Critical, spawn_tree::task(6, 3))
            .unwrap();
        let r = k.run().unwrap();
        let a = (r.spawned, r.spawn_overflows, k.acc().read().unwrap());
        k.publish(Priority::Idle, stop::task()).unwrap();
        let s = k.run().unwrap();
        (a, s.stop, s.executed)
    };
    let native = run(&Gpu::cpu());
    assert_eq!(native.1, StopReason::Shutdown);
    assert_eq!(native.0 .1, (243 - 175) + (525 - 256), "{native:?}");
    assert_eq!(native, run(&Gpu::reference()));
    if let Some(gpu) = common::wgpu_backend("overflow_and_shutdown_agree") {
        assert_eq!(native, run(&gpu));
    }
}
