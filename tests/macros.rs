//! `#[opcode]` / `#[device]` / `printf!` on handlers that use every construct
//! of the handler language: the IR validates, has the expected shape, and
//! does what the original function does on the host (the IR run by vyre's
//! CPU machine against the generated `__native` entry point).

#![allow(
    clippy::identity_op,
    clippy::nonminimal_bool,
    clippy::manual_checked_ops
)]

mod macro_support;

use macro_support::{run_ir, run_native, Run};
use vyre::host::{BufferMeta, HandlerError};
use vyre::ir::{Access, Expr, Literal, ScalarType, Stmt};
use vyre::prelude::*;
use vyre::program::OpcodeHandler;

const SCALE: u32 = 3;
const OFFSET: i32 = -7;
const HALF: f32 = 0.5;
const FLAG: bool = true;
const BASE: u32 = 0x7000;

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
fn find_first(buf: &Buffer<u32>, needle: u32) -> u32 {
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

// ----- helpers ----------------------------------------------------------

fn validated(h: &OpcodeHandler) {
    if let Err(e) = vyre::ir::validate_handler(h) {
        panic!("{e}\n{h:#?}");
    }
}

type Native = fn(&Ctx, &vyre::host::HostBuffers, &[usize], &[u32]);

/// The handlers `h` spawns, which a program of `h` must contain.
fn spawn_targets(h: &OpcodeHandler) -> Vec<OpcodeHandler> {
    let mut ids = Vec::new();
    vyre::ir::visit_stmts(&h.body, &mut |s| {
        if let Stmt::Spawn { opcode, .. } = s {
            ids.push(*opcode);
        }
    });
    [visit::handler(), sched::handler(), other::handler()]
        .into_iter()
        .filter(|t| ids.contains(&t.id))
        .collect()
}

/// Runs the IR (on vyre's CPU machine) and the original function on the
/// same inputs and compares.
fn same(
    h: &OpcodeHandler,
    native: Native,
    words: &[Vec<u32>],
    args: &[u32],
    ctx: [u32; 4],
    limit: u32,
) -> Run {
    let ir = run_ir(h, &spawn_targets(h), words, args, ctx, limit);
    let host = run_native(h, native, words, args, ctx, limit);
    assert_eq!(
        ir, host,
        "IR and host differ for {} with args {args:?}",
        h.name
    );
    ir
}

// ----- tests ------------------------------------------------------------

#[test]
fn every_handler_validates() {
    for h in [
        visit::handler(),
        arith::handler(),
        control::handler(),
        atomics::handler(),
        sched::handler(),
        other::handler(),
        by_const::handler(),
        devices::handler(),
        faulty::handler(),
    ] {
        validated(&h);
    }
}

#[test]
fn metadata() {
    assert_eq!(visit::ID, 0x100);
    assert_eq!(visit::NAME, "visit");
    assert_eq!(visit::ARGS, &[ScalarType::U32, ScalarType::U32]);
    assert_eq!(visit::ARG_NAMES, &["node", "depth"]);
    assert_eq!(
        visit::BUFFERS,
        &[
            BufferMeta::new("offsets", ScalarType::U32, Access::Read),
            BufferMeta::new("edges", ScalarType::U32, Access::Read),
            BufferMeta::new("dist", ScalarType::U32, Access::Atomic),
        ]
    );
    assert_eq!(arith::BUFFERS[1].access, Access::ReadWrite);
    assert_eq!(
        arith::ARGS,
        &[
            ScalarType::U32,
            ScalarType::U32,
            ScalarType::I32,
            ScalarType::F32
        ]
    );
    assert_eq!(other::ARGS, &[ScalarType::F32, ScalarType::Bool]);
    assert_eq!(by_const::ID, BASE + 1);
    // FNV-1a 32 of "other".
    let mut h: u32 = 0x811c_9dc5;
    for b in b"other" {
        h ^= u32::from(*b);
        h = h.wrapping_mul(0x0100_0193);
    }
    assert_eq!(other::ID, h);
    // Const-usable metadata, for megakernel!'s assertions.
    const FOUND: Option<usize> = BufferMeta::find(visit::BUFFERS, "dist");
    const OK: bool = visit::BUFFERS[2].admits(vyre::ir::BufferKind::atomic(ScalarType::U32));
    assert_eq!(FOUND, Some(2));
    const { assert!(OK) };
    assert!(!visit::BUFFERS[0].admits(vyre::ir::BufferKind::atomic(ScalarType::U32)));
}

#[test]
fn task_encoders_are_typed() {
    let t = visit::task(3, 4);
    assert_eq!(t.opcode(), 0x100);
    assert_eq!(t.args(), &[Literal::U32(3), Literal::U32(4)]);
    let t = other::task(1.5, true);
    assert_eq!(t.args(), &[Literal::F32(1.5), Literal::Bool(true)]);
    assert_eq!(
        arith::task(1, 2, -3, 0.25).arg_types(),
        arith::ARGS.to_vec()
    );
}

#[test]
fn visit_ir_shape() {
    let h = visit::handler();
    assert_eq!(h.arg_count, 2);
    let Stmt::For {
        start,
        body,
        inclusive: false,
        ..
    } = &h.body.stmts()[0]
    else {
        panic!("expected a for loop: {h:#?}");
    };
    assert!(matches!(start, Expr::Load { .. }));
    let Stmt::If { then_body, .. } = &body.stmts()[1] else {
        panic!("{body:#?}")
    };
    let Stmt::Spawn {
        opcode,
        priority,
        args,
        result: None,
    } = &then_body.stmts()[0]
    else {
        panic!("{then_body:#?}")
    };
    assert_eq!(*opcode, visit::ID);
    assert_eq!(*priority, Expr::Lit(Literal::U32(1)));
    assert_eq!(args.len(), 2);
}

#[test]
fn visit_on_the_host_and_in_ir() {
    let h = visit::handler();
    // 0 -> 1, 0 -> 2, 1 -> 2
    let offsets = vec![0, 2, 3, 3];
    let edges = vec![1, 2, 2];
    let dist = vec![0, u32::MAX, 1];
    let r = same(
        &h,
        visit::__native,
        &[offsets.clone(), edges.clone(), dist],
        &[0, 0],
        [0, 0, 0, 2],
        100,
    );
    assert_eq!(r.buffers[2], vec![0, 1, 1]);
    assert_eq!(r.spawns, vec![(1, 0x100, vec![1, 1])]);

    // As plain Rust, with a recording Ctx.
    let (offsets, edges) = (Buffer::from(offsets), Buffer::from(edges));
    let dist = Buffer::<Atomic<u32>>::from_values([0, u32::MAX, u32::MAX]);
    let out = Ctx::call(|ctx| visit(ctx, &offsets, &edges, &dist, 0, 0));
    assert!(out.is_done());
    assert_eq!(out.tasks(), vec![&visit::task(1, 1), &visit::task(2, 1)]);
    assert_eq!(dist.to_values(), vec![0, 1, 1]);
}

#[test]
fn arith_matches_the_host() {
    let h = arith::handler();
    let cases: &[(u32, u32, i32, f32)] = &[
        (7, 3, -17, 2.5),
        (0, 0, 0, 0.0),
        (u32::MAX, 1, i32::MAX, -3.75),
        (123_456, 789, -1_000_000, 1e6),
        (5, 5, 9, -0.5),
        (1 << 31, 31, -1, 123.456),
        (42, 100, 3, f32::MAX),
    ];
    for &(a, b, x, f) in cases {
        let words = vec![vec![0; 32], vec![0; 16], vec![0; 16]];
        same(
            &h,
            arith::__native,
            &words,
            &[a, b, x as u32, f.to_bits()],
            [0; 4],
            100,
        );
    }
}

#[test]
fn control_matches_the_host() {
    let h = control::handler();
    for n in [0u32, 1, 2, 3, 5, 17, 64, 999, 1000] {
        for sel in [-5i32, -1, 0, 1, 2, 3, 4, 7, 9, 10, 50] {
            same(
                &h,
                control::__native,
                &[vec![0; 16]],
                &[n, sel as u32],
                [0; 4],
                1 << 16,
            );
        }
    }
}

#[test]
fn atomics_match_the_host() {
    let h = atomics::handler();
    for (v, w) in [(0u32, 0i32), (3, -3), (5, 7), (100, i32::MAX), (9, -100)] {
        let acc: Vec<u32> = vec![1, 50, 7, 7, 0xF0F0, 0x0F, 0xFF, 3, 0, 0, 5, 9, 0, 3, 0, 9];
        let iacc = vec![2u32, (-2i32) as u32, 10, 0];
        same(
            &h,
            atomics::__native,
            &[acc, iacc, vec![0; 16]],
            &[v, w as u32],
            [0; 4],
            100,
        );
    }
}

#[test]
fn sched_matches_the_host() {
    let h = sched::handler();
    for prio in 0..5u32 {
        for (depth, k) in [(0u32, 0i32), (3, 5), (7, 42), (2, -1)] {
            let r = same(
                &h,
                sched::__native,
                &[vec![0; 16]],
                &[depth, k as u32],
                [5, 9, 2, prio],
                100,
            );
            if depth > 0 && k != -1 {
                assert_eq!(r.spawns.len(), 3);
                assert_eq!(r.spawns[1].1, other::ID);
                assert_eq!(r.spawns[2].2, vec![1.5f32.to_bits(), 0]);
            }
            if k == -1 {
                assert_eq!(r.fault, Some(vyre::FaultKind::User { code: depth + 3 }));
            } else {
                assert_eq!(r.prints.len(), 2);
                assert_eq!(r.prints[1], "plain {braces}");
            }
            assert_eq!(r.shutdown, k == 42);
        }
    }
}

#[test]
fn devices_match_the_host() {
    let h = devices::handler();
    validated(&h);
    let data = vec![4u32, 7, 1, 9, 0, 2];
    for a in [0u32, 1, 2, 3, 4, 7, 9, 25, 99, 1500, 1999] {
        same(
            &h,
            devices::__native,
            &[data.clone(), vec![0; 4], vec![0; 16]],
            &[a],
            [0; 4],
            1 << 16,
        );
    }
    // The device bodies are inlined: no call remains, and each call has its
    // own locals.
    assert!(h.locals.len() > 20);
}

#[test]
fn device_recursion_is_a_typed_error() {
    match recursive::try_handler() {
        Err(HandlerError::DeviceRecursion { cycle }) => {
            assert!(cycle.contains("ping") && cycle.contains("pong"), "{cycle}");
        }
        other => panic!("expected a recursion error, got {other:?}"),
    }
    let panicked = std::panic::catch_unwind(recursive::handler);
    assert!(panicked.is_err());
}

#[test]
fn faults_match_the_host() {
    let h = faulty::handler();
    let r = same(&h, faulty::__native, &[vec![0; 2]], &[1, 2, 3], [0; 4], 100);
    assert_eq!(r.fault, None);
    assert_eq!(r.buffers[0], vec![5, 3]);
    let r = same(&h, faulty::__native, &[vec![0; 2]], &[9, 2, 3], [0; 4], 100);
    assert_eq!(r.fault, Some(vyre::FaultKind::OutOfBounds { index: 9 }));
    let r = same(&h, faulty::__native, &[vec![0; 2]], &[1, 0, 3], [0; 4], 100);
    assert_eq!(r.fault, Some(vyre::FaultKind::DivideByZero));
    let r = same(
        &h,
        faulty::__native,
        &[vec![0; 2]],
        &[1, 1, 1000],
        [0; 4],
        100,
    );
    assert_eq!(r.fault, Some(vyre::FaultKind::LoopLimit { limit: 100 }));
}

#[test]
fn handlers_are_plain_rust() {
    // Called directly, outside any run: ordinary Rust semantics.
    let mut out = Buffer::from(vec![0u32; 2]);
    faulty(&mut out, 1, 5, 4);
    assert_eq!(out.as_slice(), &[2, 4]);
    let panicked = std::panic::catch_unwind(move || {
        let mut out = Buffer::from(vec![0u32; 2]);
        faulty(&mut out, 7, 5, 0)
    });
    assert!(panicked.is_err());

    // Through Ctx::run: faults, spawns, prints and shutdown are reported.
    let ctx = Ctx::new().with_priority(Priority::Critical).with_lane(3);
    let mut log = Buffer::from(vec![0u32; 16]);
    let out = ctx.run(|ctx| sched(ctx, &mut log, 2, 42));
    assert!(out.is_done());
    assert!(out.shutdown);
    assert_eq!(
        out.prints,
        vec![
            "depth 2 k 42 half 0.5 flag true".to_string(),
            "plain {braces}".into()
        ]
    );
    assert_eq!(out.spawns.len(), 3);
    assert_eq!(out.spawns[0].task, sched::task(1, 43));
    assert_eq!(log[0], 3);
    assert_eq!(log[4], 1);
    let out = Ctx::new()
        .with_spawn_capacity(1)
        .run(|ctx| sched(ctx, &mut log, 1, 0));
    assert_eq!(
        out.spawns.iter().map(|s| s.accepted).collect::<Vec<_>>(),
        vec![true, false, false]
    );
    assert_eq!(log[8], 1);
    let out = Ctx::call(|ctx| sched(ctx, &mut log, 1, -1));
    assert_eq!(out.fault(), Some(vyre::FaultKind::User { code: 4 }));

    // Device functions are plain functions too.
    assert_eq!(square(12), 144);
    assert_eq!(find_first(&Buffer::from(vec![3u32, 4]), 4), 1);
}
