//! The handlers under test of the macro suites (`tests/macros.rs`,
//! `tests/macros_host.rs`): `#[opcode]` and `#[device]` functions that
//! together use every construct of the handler language, plus a few built
//! to fail (mutual recursion, faults).

// The handlers spell constructs out on purpose (`!(a == 3)`, guarded
// division): they test the language, not good style.
#![allow(
    clippy::identity_op,
    clippy::nonminimal_bool,
    clippy::manual_checked_ops
)]

use vyre::prelude::*;

pub const SCALE: u32 = 3;
pub const OFFSET: i32 = -7;
pub const HALF: f32 = 0.5;
pub const FLAG: bool = true;
pub const BASE: u32 = 0x7000;

/// Relax one vertex of a breadth-first search (DESIGN §2).
#[opcode(id = 0x100)]
pub fn visit(
    ctx: &Ctx,
    offsets: &Buffer<u32>,
    edges: &Buffer<u32>,
    dist: &Buffer<Atomic<u32>>,
    node: u32,
    depth: u32,
) {
    for e in offsets[node]..offsets[node + 1] {
        let next = edges[e];
        if dist[next].fetch_min(depth + 1) > depth + 1 {
            ctx.spawn(Priority::High, visit::task(next, depth + 1));
        }
    }
}

/// Arithmetic, bitwise, shifts, comparisons, casts and every scalar method.
#[opcode(id = 0x200)]
pub fn arith(
    out: &mut Buffer<u32>,
    iout: &mut Buffer<i32>,
    fout: &mut Buffer<f32>,
    a: u32,
    b: u32,
    x: i32,
    f: f32,
) {
    let mut k = 0;
    out[k] = a.wrapping_add(b);
    k += 1;
    out[k] = a.wrapping_sub(b);
    k += 1;
    out[k] = a.wrapping_mul(b);
    k += 1;
    out[k] = if b != 0 { a / b } else { 0 };
    k += 1;
    out[k] = if b != 0 { a % b } else { u32::MAX };
    k += 1;
    out[k] = a & b | a ^ b;
    k += 1;
    out[k] = a << (b & 7);
    k += 1;
    out[k] = a >> 3i32;
    k += 1;
    out[k] = (a < b) as u32
        + (a <= b) as u32 * 2
        + (a > b) as u32 * 4
        + (a >= b) as u32 * 8
        + (a == b) as u32 * 16
        + (a != b) as u32 * 32;
    k += 1;
    out[k] = !a;
    k += 1;
    out[k] = a.count_ones() + a.leading_zeros() + a.trailing_zeros();
    k += 1;
    out[k] = a.rotate_left(b & 31) ^ a.rotate_right(3);
    k += 1;
    out[k] = a.reverse_bits();
    k += 1;
    out[k] = a.min(b).wrapping_add(a.max(b));
    k += 1;
    out[k] = a.clamp(10, 1000);
    k += 1;
    out[k] = u32::max(a, 5);
    k += 1;
    out[k] = SCALE * 2 + u32::BITS;
    k += 1;
    out[k] = (x as u32) ^ (f as u32);
    k += 1;
    out[k] = (a > 5 && b < 100 || a == b) as u32;
    k += 1;
    out[k] = true as u32 + (!(a == 3)) as u32 + FLAG as u32;
    k += 1;
    let mut m = a % 1000;
    m += 2;
    m -= 1;
    m *= 3;
    m &= 0xFFFF;
    m |= 0x10000;
    m ^= 0x5;
    m <<= 2;
    m >>= 1u32;
    m %= 1000;
    m /= 3;
    out[k] = m;

    let mut j = 0u32;
    iout[j] = x.abs();
    j += 1;
    iout[j] = -x;
    j += 1;
    iout[j] = x.wrapping_mul(3);
    j += 1;
    iout[j] = x >> 2;
    j += 1;
    iout[j] = x / 3;
    j += 1;
    iout[j] = x % 5;
    j += 1;
    iout[j] = x.min(OFFSET);
    j += 1;
    iout[j] = x.clamp(-10, 10);
    j += 1;
    iout[j] = (x as f32 * HALF) as i32;
    j += 1;
    iout[j] = x.rotate_left(4);
    j += 1;
    iout[j] = x.count_ones() as i32 - 3;
    j += 1;
    iout[j] = i32::max(x, -1) + OFFSET;
    j += 1;
    iout[j] = !x & 0x7F;

    let g = f.abs();
    let mut q: u32 = 0;
    fout[q] = g.sqrt();
    q += 1;
    fout[q] = f.floor() + f.ceil();
    q += 1;
    fout[q] = f.round();
    q += 1;
    fout[q] = f.sin() * f.cos();
    q += 1;
    fout[q] = f.clamp(-10.0, 10.0).exp();
    q += 1;
    fout[q] = (g + 1.0).ln();
    q += 1;
    fout[q] = g.powf(2.0);
    q += 1;
    fout[q] = f.mul_add(2.0, 1.0);
    q += 1;
    fout[q] = -f + f.abs();
    q += 1;
    fout[q] = f.min(1.5) - f.max(-1.5);
    q += 1;
    fout[q] = f % 3.0 + f / 2.0;
    q += 1;
    fout[q] = core::f32::consts::PI * f + HALF;
    q += 1;
    fout[q] = (a as f32) / 7.0 + f32::EPSILON;
    q += 1;
    fout[q] = f32::sqrt(g) + (b as i32) as f32;
}

/// Every control-flow construct.
#[opcode(id = 0x300)]
pub fn control(out: &mut Buffer<u32>, n: u32, sel: i32) {
    let mut sum = 0u32;
    for i in 0..n {
        sum = sum.wrapping_add(i);
    }
    for i in 1..=n {
        if i % 2 == 0 {
            continue;
        }
        sum ^= i;
    }
    out[0] = sum;
    let mut i = 0;
    while i < 100 {
        i += 7;
        if i > n {
            break;
        }
    }
    out[1] = i;
    let mut j: u32 = 1;
    loop {
        j *= 2;
        if j >= n.max(1) {
            break;
        }
    }
    out[2] = j;
    let c = if sel < 0 {
        1
    } else if sel == 0 {
        2
    } else if sel < 10 {
        3
    } else {
        4
    };
    out[3] = c;
    match sel {
        1 | 2 | 3 => out[4] = 10,
        -1 => out[4] = 20,
        7 => {
            out[4] = 30;
        }
        _ => out[4] = 40,
    }
    let m = match n % 4 {
        0 => 100,
        1 => 200,
        other => other * 1000,
    };
    out[5] = m;
    let b = {
        let t = n * 2;
        t + 1
    };
    out[6] = b;
    let mut count = 0u32;
    for x in 0..5u32 {
        for y in 0..5u32 {
            if y > x {
                break;
            }
            if (x + y) % 2 == 1 {
                continue;
            }
            count += 1;
        }
    }
    out[7] = count;
    let mut s = 0i32;
    for v in -3..=sel.clamp(-3, 3) {
        s += v;
    }
    out[8] = s as u32;
    if n == 999 {
        out[9] = 1;
        return;
    }
    out[9] = 2;
    let n = n + 1;
    let n = n * 2;
    out[10] = n;
    out[11] = if sel > 0 { n } else { n + 5 };
    let flag = sel > 3 && n < 50;
    if !flag {
        out[12] = 1;
    } else {
        out[12] = 0;
    }
    {
        let inner = n / 2;
        out[13] = inner;
    }
    let neg = match sel {
        -5 => 0,
        _ => 1,
    };
    out[14] = neg;
}

/// Atomics and every compare_exchange form.
#[opcode(id = 0x400)]
pub fn atomics(
    acc: &Buffer<Atomic<u32>>,
    iacc: &Buffer<Atomic<i32>>,
    out: &mut Buffer<u32>,
    v: u32,
    w: i32,
) {
    let old = acc[0].fetch_add(v);
    acc[1].fetch_sub(v);
    acc[2].fetch_min(v);
    acc[3].fetch_max(v);
    acc[4].fetch_and(v);
    acc[5].fetch_or(v);
    acc[6].fetch_xor(v);
    let prev = acc[7].swap(v);
    acc[8].store(old.wrapping_add(prev));
    out[0] = acc[0].load();
    iacc[0].fetch_min(w);
    iacc[1].fetch_max(w);
    iacc[2].fetch_add(w);
    match acc[9].compare_exchange(0, v) {
        Ok(p) => out[1] = p + 1,
        Err(actual) => out[1] = actual.wrapping_add(100),
    }
    if let Ok(p) = acc[10].compare_exchange(5, v) {
        out[2] = p
    } else {
        out[2] = 77
    }
    if let Err(a) = acc[11].compare_exchange(v, 1) {
        out[3] = a
    }
    out[4] = acc[12].compare_exchange(0, 9).is_ok() as u32;
    out[5] = acc[12].compare_exchange(0, 9).is_err() as u32;
    let r = acc[13].compare_exchange(3, 4);
    if r.is_ok() {
        out[6] = 1
    }
    match r {
        Ok(_) => out[7] = 11,
        Err(x) => out[7] = x,
    }
    let _ = acc[14].compare_exchange(0, 1);
    let got = match acc[15].compare_exchange(v, v / 2) {
        Ok(x) => x,
        Err(x) => x,
    };
    out[8] = got;
    let z = if iacc[3].compare_exchange(0, w).is_ok() {
        1
    } else {
        2
    };
    out[9] = z;
    out[10] = acc.len() + iacc.len();
}

/// The context, spawns, printf, shutdown and faults.
#[opcode(id = 0x500)]
pub fn sched(ctx: &Ctx, log: &mut Buffer<u32>, depth: u32, k: i32) {
    log[0] = ctx.lane();
    log[1] = ctx.slot();
    log[2] = ctx.tenant();
    log[3] = ctx.priority() as u32;
    if ctx.priority() == Priority::Critical {
        log[4] = 1;
    }
    if ctx.priority() > Priority::High {
        log[5] = 1;
    }
    let p = ctx.priority();
    match p {
        Priority::Low | Priority::Idle => log[6] = 7,
        _ => log[6] = 8,
    }
    if depth > 0 {
        let ok = ctx.spawn(Priority::Low, sched::task(depth - 1, k + 1));
        log[7] = ok as u32;
        ctx.spawn(depth % 5, other::task(depth as f32 * 0.5, true));
        if !ctx.spawn(p, other::task(1.5, false)) {
            log[8] = 1;
        }
    }
    vyre::printf!("depth {} k {} half {} flag {}", depth, k, 0.5f32, depth > 1);
    printf!("plain {{braces}}");
    if k == 42 {
        ctx.shutdown();
    }
    if k == -1 {
        ctx.fault(depth + 3);
    }
}

/// An opcode without an explicit id.
#[opcode]
pub fn other(x: f32, flag: bool) {
    let _ = x;
    let _ = flag;
}

/// An id given by a constant expression.
#[opcode(id = BASE + 1)]
pub fn by_const(out: &mut Buffer<u32>, mut n: u32) {
    n += 1;
    out[0] = n;
}

#[device]
pub fn square(x: u32) -> u32 {
    x * x
}

#[device]
fn sum_range(buf: &Buffer<u32>, lo: u32, hi: u32) -> u32 {
    let mut s = 0;
    for i in lo..hi {
        s += buf[i];
    }
    s
}

#[device]
pub fn find_first(buf: &Buffer<u32>, needle: u32) -> u32 {
    let mut i = 0;
    while i < buf.len() {
        if buf[i] == needle {
            return i;
        }
        i += 1;
    }
    u32::MAX
}

#[device]
fn nested_return(a: u32) -> u32 {
    for i in 0..10u32 {
        for j in 0..10u32 {
            if i * j == a {
                return i * 10 + j;
            }
        }
    }
    if a > 1000 {
        return 1;
    }
    let b = a + 1;
    b * 2
}

#[device]
fn bump(ctx: &Ctx, counts: &Buffer<Atomic<u32>>, i: u32) {
    counts[i].fetch_add(1);
    if i > 100 {
        ctx.fault(5);
    }
}

#[device]
fn twice(x: u32) -> u32 {
    square(x) + square(x + 1) - 1
}

/// Calls to `#[device]` functions in every position.
#[opcode(id = 0x600)]
pub fn devices(
    ctx: &Ctx,
    data: &Buffer<u32>,
    counts: &Buffer<Atomic<u32>>,
    out: &mut Buffer<u32>,
    a: u32,
) {
    out[0] = square(a % 1000);
    out[1] = sum_range(data, 0, data.len());
    out[2] = find_first(data, a);
    out[3] = nested_return(a % 2000);
    bump(ctx, counts, a % 4);
    out[4] = twice(a % 100);
    out[5] = data[0] + square(2);
    let t = if a > 3 { square(3) } else { 0 };
    out[6] = t;
    out[7] = (a > 2 && find_first(data, 7) != u32::MAX) as u32;
    let mut w = 0;
    while find_first(data, w) != u32::MAX && w < 10 {
        w += 1;
    }
    out[8] = w;
}

#[device]
fn ping(x: u32) -> u32 {
    if x == 0 {
        0
    } else {
        pong(x - 1)
    }
}

#[device]
fn pong(x: u32) -> u32 {
    ping(x)
}

/// Mutual recursion through device functions: found when building the IR.
#[opcode(id = 0x601)]
pub fn recursive(out: &mut Buffer<u32>, x: u32) {
    out[0] = ping(x);
}

/// Faults: out of bounds, division by zero, the loop limit.
#[opcode(id = 0x700)]
pub fn faulty(out: &mut Buffer<u32>, i: u32, d: u32, spins: u32) {
    let mut n = 0;
    while n < spins {
        n += 1;
    }
    out[0] = 10 / d;
    out[i] = n;
}
