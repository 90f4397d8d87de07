//! The seventeen handlers under test and the `Parity` megakernel that runs
//! them. Together they use every construct of the handler language
//! (DESIGN §2, `docs/language.md`); the table at the end of
//! `docs/architecture.md` ("native backend") lists which handler covers
//! what.

// The handlers spell constructs out on purpose (`!(a == 3)`, guarded
// division, `len() > 0`: handlers have no `is_empty`): they test the
// language, not good style; `cells` takes the arguments it tests.
#![allow(
    clippy::too_many_arguments,
    clippy::identity_op,
    clippy::nonminimal_bool,
    clippy::manual_checked_ops,
    clippy::len_zero
)]

use vyre::prelude::*;

pub const SCALE: u32 = 3;
pub const LOOP_LIMIT: u32 = 256;
/// Output words per task.
pub const STRIDE: u32 = 32;
/// Shared atomic cells (commutative operations only) before the per-task
/// regions of `acc`.
pub const SHARED: u32 = 16;

/// Unsigned arithmetic, bitwise operators, shifts, comparisons, boolean
/// operators, casts, every `u32` method, literals of every form, a const,
/// `let`/`let mut`, compound assignment to locals and to buffer elements,
/// `if` as an expression.
#[opcode]
pub fn int_ops(out: &mut Buffer<u32>, base: u32, a: u32, b: u32, s: u32) {
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
pub fn signed_ops(iout: &mut Buffer<i32>, base: u32, x: i32, y: i32) {
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

/// `f32`: arithmetic and every `f32` method, compared within
/// [`F32_OPS`](crate::compare::F32_OPS).
#[opcode]
pub fn float_ops(fout: &mut Buffer<f32>, base: u32, f: f32, g: f32) {
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
pub fn control(out: &mut Buffer<u32>, base: u32, n: u32, sel: i32) {
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
pub fn atomics(
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
pub fn lookup(data: &Buffer<u32>, out: &mut Buffer<u32>, base: u32, i: u32) {
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
pub fn divide(iout: &mut Buffer<i32>, base: u32, a: i32, b: i32) {
    iout[base] = 1;
    iout[base + 1] = (a >> 1) / b;
    iout[base + 2] = (a >> 1) % b;
    iout[base + 3] = ((a as u32) / (b as u32)) as i32;
}

/// Loops past the per-task limit fault (`LOOP_LIMIT`).
#[opcode]
pub fn spin(out: &mut Buffer<u32>, base: u32, n: u32, kind: u32) {
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
pub fn ctx_ops(ctx: &Ctx, out: &mut Buffer<u32>, base: u32, code: u32) {
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
pub fn spawn_tree(ctx: &Ctx, acc: &Buffer<Atomic<u32>>, depth: u32, fanout: u32) {
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
pub fn mix(a: u32, b: u32) -> u32 {
    (a ^ b.rotate_left(7)).wrapping_mul(0x9E37_79B9)
}

/// A `#[device]` helper with a buffer, a loop and an early `return`.
#[device]
pub fn find(buf: &Buffer<u32>, needle: u32) -> u32 {
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
pub fn count(ctx: &Ctx, acc: &Buffer<Atomic<u32>>, amount: u32) {
    acc[11].fetch_add(amount);
    if amount == 12345 {
        ctx.fault(1);
    }
}

/// Calls to `#[device]` functions.
#[opcode]
pub fn devices(
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
pub fn prints(x: u32, y: i32, f: f32, flag: bool) {
    vyre::printf!("x={} y={} f={} flag={}", x, y, f, flag);
    if flag {
        printf!("twice f={} {{literal}}", f * 2.0);
    }
}

/// `ctx.shutdown()`.
#[opcode]
pub fn stop(ctx: &Ctx, acc: &Buffer<Atomic<u32>>) {
    acc[12].fetch_add(1);
    ctx.shutdown();
}

/// A `#[device]` helper over `u64`: SplitMix64's finaliser.
#[device]
pub fn fmix64(z: u64) -> u64 {
    let z = (z ^ (z >> 30u32)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    let z = (z ^ (z >> 27u32)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31u32)
}

/// `u64`: task arguments (two slot words, at an odd word offset), `u64`
/// buffers read and written, a hash step in a `#[device]` helper,
/// `wrapping_add/sub/mul`, bitwise operators, shifts, rotates, bit counts,
/// comparisons, `min/max/clamp`, casts to and from `u32`, `i64` and `f32`
/// (saturating), to `i32`, from `bool`, literals, compound assignment to a
/// local and to a buffer element, a spawn of [`i64_ops`] with 64-bit
/// arguments computed on the device (it writes this task's region of
/// `wiout`), and `/ %` last (fault `DIVIDE_BY_ZERO`).
///
/// Every 64-bit operation is a library call in WGSL, which lavapipe
/// inlines: each one used once or twice keeps the shader's compile time
/// (most of this suite's) small.
#[opcode]
pub fn u64_ops(
    ctx: &Ctx,
    wdata: &Buffer<u64>,
    wout: &mut Buffer<u64>,
    base: u32,
    a: u64,
    b: u64,
    s: u32,
) {
    let mut k = base;
    let h = fmix64(a.wrapping_add(b.wrapping_mul(0x9E37_79B9_7F4A_7C15)));
    wout[k] = h;
    k += 1;
    wout[k] = a.wrapping_sub(b);
    k += 1;
    wout[k] = (a & b) | (a ^ !b);
    k += 1;
    wout[k] = a << (s & 63);
    k += 1;
    wout[k] = a >> ((b as u32) & 63);
    k += 1;
    wout[k] = a.rotate_left(s) ^ b.rotate_right(s);
    k += 1;
    wout[k] = a.reverse_bits();
    k += 1;
    wout[k] = a.min(b) ^ a.max(b).clamp(1 << 20, u64::MAX >> 4u32);
    k += 1;
    wout[k] = ((a < b) as u32
        | ((a <= b) as u32) << 1
        | ((a > b) as u32) << 2
        | ((a >= b) as u32) << 3
        | ((a != b) as u32) << 4) as u64
        ^ (a == b) as u64;
    k += 1;
    wout[k] = (a.count_ones() + a.leading_zeros() * 64 + b.trailing_zeros() * 4096) as u64;
    k += 1;
    wout[k] = ((a as u32) ^ (b >> 32u32) as u32) as u64 | ((b as i32) as i64 as u64 & !0xFFFF_FFFF);
    k += 1;
    wout[k] = ((a as i64) >> (s & 63)) as u64;
    k += 1;
    wout[k] = (a as f32) as u64;
    k += 1;
    // (`u32 as f32` is exact below 2^24; WGSL leaves the rounding above.)
    wout[k] = ((s & 0xFFFF) as f32 * -1.5) as i64 as u64;
    k += 1;
    let mut m = a;
    m ^= b;
    m >>= 2u32;
    m *= 3;
    m += 0x1_0000_0000;
    wout[k] = m;
    wout[k] <<= 1u32;
    wout[k] |= 0b1 + 0o2;
    k += 1;
    wout[k] = wdata.len() as u64;
    if wdata.len() > 0 {
        wout[k] ^= wdata[(a as u32) % wdata.len()] ^ wout[base];
    }
    k += 1;
    ctx.spawn(
        (h >> 62u32) as u32,
        i64_ops::task(
            base,
            h as i64,
            ((a ^ b) as i64) >> (s & 63),
            (b as i64) as f32,
        ),
    );
    wout[k] = 1;
    k += 1;
    wout[k] = a / b;
    k += 1;
    wout[k] = a % b;
}

/// `i64`: task arguments, an `i64` buffer, unary `-`, `abs`, arithmetic
/// `>>`, `wrapping_add/sub/mul`, `min/max/clamp`, signed comparisons, bit
/// methods, rotates, `!`, casts to and from `u32`, `i32` and `f32`
/// (saturating), from `u64` and `bool`, literals, compound assignment, and
/// signed `/ %` last (fault `DIVIDE_BY_ZERO`; `i64::MIN / -1` is left out,
/// as Rust panics on it).
#[opcode]
pub fn i64_ops(wiout: &mut Buffer<i64>, base: u32, x: i64, y: i64, f: f32) {
    let mut k = base;
    let h = x >> 1u32;
    wiout[k] = h.abs();
    k += 1;
    wiout[k] = -h;
    k += 1;
    wiout[k] = x.wrapping_mul(y);
    k += 1;
    wiout[k] = x.wrapping_add(y).wrapping_sub(3);
    k += 1;
    wiout[k] = x >> ((y as u32) & 63);
    k += 1;
    wiout[k] = x << ((y & 63) as u32);
    k += 1;
    wiout[k] = x
        .min(y)
        .max(-1_000_000_000_000)
        .clamp(-500_000_000_000, 500);
    k += 1;
    wiout[k] = ((x < y) as i32 - (x > y) as i32 + (x <= y) as i32 * 4 + (x >= y) as i32 * 8) as i64
        ^ (x == y) as i64;
    k += 1;
    wiout[k] = (x.count_ones() + x.leading_zeros() * 64 + y.trailing_zeros() * 4096) as i64;
    k += 1;
    wiout[k] = x.rotate_left(5) ^ y.rotate_right(70) ^ x.reverse_bits() ^ !y;
    k += 1;
    wiout[k] = (x as i32) as i64 ^ (y as u32) as i64 ^ i64::MIN;
    k += 1;
    wiout[k] = f as i64;
    k += 1;
    wiout[k] = (f as u64) as i64;
    k += 1;
    wiout[k] = (x as f32) as i64;
    k += 1;
    let mut acc = -0x7FFF_FFFFi64;
    acc -= h & 0xFFFF;
    acc *= -3;
    wiout[k] = acc;
    wiout[k] ^= y;
    k += 1;
    wiout[k] = 1;
    k += 1;
    if y != -1 {
        wiout[k] = x / y;
        k += 1;
        wiout[k] = x % y;
    }
}

/// Length of [`arrays`]' table: an array length given by a `const`.
pub const TABLE: usize = 8;

/// Local arrays: `[0u32; N]` with a `const` length, list literals of `u32`,
/// `u64` and `i32`, reads and writes (`=` and `op=`) at indices computed
/// from task arguments, `a.len()` (as a value, an index and a loop bound),
/// loops over `0..a.len()`; then indices straight from the arguments,
/// which may be out of bounds (fault `OUT_OF_BOUNDS` with the index, after
/// the statements before it took effect): a `u32` read, an `i32` index
/// stored through and a `u64` index with `op=` (`as usize` of a `u64`
/// saturating).
#[opcode]
pub fn arrays(out: &mut Buffer<u32>, base: u32, a: u32, b: u32, i: u32, j: i32, w: u64) {
    let mut k = base;
    let mut t = [0u32; TABLE];
    let lit = [a, b, a ^ b, 7];
    let mut wide = [w, !w, 0u64];
    let mut signed = [-1i32, j, 0, i32::MAX];
    for n in 0..8u32 {
        t[n as usize] = lit[(n & 3) as usize].wrapping_mul(n + 1);
    }
    t[(a % 8) as usize] ^= b;
    t[(b & 7) as usize] = t[(b & 7) as usize].wrapping_add(a);
    t[TABLE - 1] |= 1;
    t[t.len() - 2] = t[0].rotate_left(b);
    let mut sum = 0u32;
    for n in 0..t.len() {
        sum = sum.wrapping_mul(31).wrapping_add(t[n]);
    }
    out[k] = sum;
    k += 1;
    let mut best = 0u32;
    for n in 1..4u32 {
        if lit[n as usize] > lit[best as usize] {
            best = n;
        }
    }
    out[k] = best | (lit.len() as u32) << 8 | (t.len() as u32) << 16;
    k += 1;
    wide[(b % 3) as usize] = wide[(a % 2) as usize].wrapping_mul(w | 1);
    wide[2] ^= wide[0] >> 7u32;
    out[k] = wide[2] as u32;
    k += 1;
    out[k] = (wide[2] >> 32u32) as u32 ^ (wide[1] as u32);
    k += 1;
    signed[(b & 3) as usize] = signed[(b & 3) as usize].wrapping_sub(5);
    signed[0] *= 3;
    signed[(a & 3) as usize] >>= 1;
    let mut ssum = 0i32;
    for n in 0..signed.len() {
        ssum = ssum.wrapping_add(signed[n]);
    }
    out[k] = ssum as u32;
    k += 1;
    out[k] = t[(i & 7) as usize];
    k += 1;
    // Indices from the arguments: the first out of bounds faults the task.
    out[k] = t[i as usize];
    k += 1;
    signed[j as usize] = !j;
    out[k] = signed[(j & 3) as usize] as u32;
    k += 1;
    wide[w as usize] ^= 1;
    out[k] = wide[(w & 1) as usize] as u32;
}

/// The nested struct of [`Rec`].
#[derive(Clone, Copy, Debug, PartialEq, Element)]
#[repr(C)]
pub struct Tally {
    pub lo: u32,
    pub sign: i32,
    pub w: [u32; 2],
}

/// The struct element of the `recs` buffer: 64-bit fields, array fields, a
/// nested struct and an `f32` (no padding).
#[derive(Clone, Copy, Debug, PartialEq, Element)]
#[repr(C)]
pub struct Rec {
    pub key: u64,
    pub skey: i64,
    pub vals: [u32; 4],
    pub inner: Tally,
    pub bins: [i32; 3],
    pub f: f32,
}

/// A struct buffer: fields read and written through it (`recs[i].key`,
/// `recs[i].vals[k]`, `recs[i].inner.w[1]`, the 64-bit fields, `=` and
/// `op=`), `recs.len()`; a struct local loaded from it (`let mut r =
/// recs[j]`), modified (array, nested, 64-bit and `f32` fields), copied
/// (`let q = r`), assigned whole (`r = made`) and by nested struct
/// (`r.inner = tally`), struct literals (one nested), and
/// whole-struct stores (`recs[j] = r`); a local array of two structs
/// (`[q, made]`), its elements' fields written and one element copied
/// out. Indices from the arguments may be out of bounds (fault
/// `OUT_OF_BOUNDS`): the element `i`, the array field's `e`, the element
/// `j`, the local array's `e % 3`. A task touches only its own two elements
/// (the generator's choice of `i` and `j`), so the order of tasks does not
/// matter.
#[opcode]
pub fn cells(
    recs: &mut Buffer<Rec>,
    out: &mut Buffer<u32>,
    base: u32,
    i: u32,
    j: u32,
    e: u32,
    x: u32,
    y: i64,
) {
    out[base] = recs.len();
    recs[i].key = recs[i].key.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ y as u64;
    recs[i].skey >>= x & 63;
    recs[i].vals[(x & 3) as usize] ^= x;
    recs[i].inner.w[1] = recs[i].inner.w[0].rotate_left(x) ^ recs[i].inner.lo;
    recs[i].inner.sign = recs[i].inner.sign.wrapping_mul(-3) | (x as i32 & 1);
    recs[i].bins[2] &= !(y as i32);
    recs[i].inner.lo <<= x & 31;
    out[base + 1] = recs[i].vals[3] ^ (recs[i].skey as u32);
    recs[i].vals[e as usize] ^= 0x8000_0001;
    let mut r = recs[j];
    r.vals[0] = r.vals[0].wrapping_add(r.inner.lo);
    r.inner.w[(x & 1) as usize] ^= r.vals[3];
    r.bins[(x % 3) as usize] = r.bins[(x % 3) as usize].wrapping_sub(y as i32);
    r.key ^= r.skey as u64;
    r.skey = r.skey.wrapping_add(r.key as i64);
    r.f += (x & 0xFFFF) as f32;
    let q = r;
    r.inner.lo = q.vals[1] ^ q.inner.w[0];
    let tally = Tally {
        lo: x ^ 5,
        sign: -3,
        w: [e; 2],
    };
    let made = Rec {
        key: (i as u64) << 32 | j as u64,
        skey: y,
        vals: [x, i, j, q.vals[2]],
        inner: Tally {
            lo: tally.w[0] ^ q.inner.w[1],
            sign: q.inner.sign,
            w: [9, x],
        },
        bins: [0; 3],
        f: 0.5,
    };
    match x % 4 {
        0 => r.inner = tally,
        1 => {
            r = made;
            r.bins[1] = q.bins[0];
        }
        2 => recs[j] = made,
        _ => {}
    }
    let mut pair = [q, made];
    pair[(x & 1) as usize].vals[(x >> 3 & 3) as usize] ^= e;
    pair[(x >> 5 & 1) as usize].inner = tally;
    let picked = pair[(e % 3) as usize];
    r.vals[3] ^= picked.vals[(x & 3) as usize] ^ pair.len() as u32 ^ picked.inner.w[1];
    out[base + 2] = r.vals[0] ^ q.inner.lo ^ r.inner.lo;
    if x % 4 != 2 {
        recs[j] = r;
    }
    recs[j].inner.sign ^= q.inner.sign;
}

megakernel! {
    /// Every construct of the handler language, for the parity suite.
    pub struct Parity {
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
            wdata: u64,
            wout: u64,
            wiout: i64,
            recs: Rec,
        },
        opcodes: [
            int_ops, signed_ops, float_ops, control, atomics, lookup, divide,
            spin, ctx_ops, spawn_tree, devices, prints, stop, u64_ops, i64_ops,
            arrays, cells,
        ],
    }
}
